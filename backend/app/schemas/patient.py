"""Patient models and the clinic's validation rules (shared/design.md), checked once here.

The API, the db.json migration and (as CHECK constraints) the database apply the same rules.
"""

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from app.schemas.page import Page
from app.schemas.text import UNPAIRED_SURROGATE, has_unpaired_surrogate

Gender = Literal["Male", "Female", "Other"]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only
_DIGITS = re.compile(r"[0-9]{1,3}")


def latest_allowed_visit() -> date:
    """Today in UTC+14, the first zone to reach a date: later is the future everywhere."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _storable(value: Any) -> str:
    """Text PostgreSQL can store: a NUL character or an unpaired surrogate would fail the
    INSERT (a 500) instead."""
    if not isinstance(value, str):
        raise _fail("type", "must be a text value")
    if "\x00" in value:
        raise _fail("nul", "must not contain NUL characters")
    if has_unpaired_surrogate(value):
        raise _fail("surrogate", UNPAIRED_SURROGATE)
    return value


def _patient_id(value: Any) -> str:
    text = _storable(value)
    if text != text.strip():
        raise _fail("blank", "must not start or end with blanks")
    if not 1 <= len(text) <= 50:
        raise _fail("length", "must be 1 to 50 characters")
    return text


def _text(value: Any) -> str:
    """Trim and NFC-normalise, so visually equal names are stored equal."""
    text = unicodedata.normalize("NFC", _storable(value).strip())
    if not text:
        raise _fail("blank", "must not be blank")
    if len(text) > 255:
        raise _fail("length", "must be at most 255 characters")
    return text


def _age(value: Any) -> int:
    """Whole numbers only; a numeric string such as "45" is accepted, 45.5, true and "" are not."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail("type", "must be a whole number")
    if not 1 <= value <= 150:
        raise _fail("range", "must be between 1 and 150")
    return value


def _gender(value: Any) -> Any:
    if value not in ("Male", "Female", "Other"):
        raise _fail("choice", "must be one of Male, Female, Other")
    return value


def _last_visit(value: Any) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _fail("format", "must be a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise _fail("date", "is not a real calendar date") from None
    if parsed > latest_allowed_visit():
        raise _fail("future", "must not be in the future")
    return parsed


PatientID = Annotated[str, BeforeValidator(_patient_id)]
Text = Annotated[str, BeforeValidator(_text)]
Age = Annotated[int, BeforeValidator(_age)]
GenderField = Annotated[Gender, BeforeValidator(_gender)]
LastVisit = Annotated[date, BeforeValidator(_last_visit)]

WIRE_CONFIG = ConfigDict(
    alias_generator=to_camel, validate_by_name=False, validate_by_alias=True, extra="forbid"
)

EXAMPLE: dict[str, JsonValue] = {
    "patientID": "P001",
    "name": "John Doe",
    "age": 45,
    "gender": "Male",
    "medicalCondition": "Hypertension",
    "lastVisit": "2024-01-15",
}


class PatientCreate(BaseModel):
    """A complete patient, every rule met: what is stored (a POST or PUT body once the role's
    rule for `medicalCondition` is applied, a db.json record, a PATCH merged into the stored
    record)."""

    model_config = ConfigDict(**WIRE_CONFIG, json_schema_extra={"examples": [EXAMPLE]})

    patient_id: PatientID = Field(
        alias="patientID", description="Clinic's ID, unique ignoring case"
    )
    name: Text
    age: Age = Field(description="Whole years, 1 to 150")
    gender: GenderField
    medical_condition: Text = Field(
        description="Required; a receptionist leaves it out (and never receives it)"
    )
    last_visit: LastVisit = Field(description="YYYY-MM-DD, not in the future")


class PatientReplace(PatientCreate):
    """PUT body: every field again. An echoed `id` is ignored: the path names the record,
    exactly as json-server does."""

    id: int | str | None = None


def _documented_as(model: type[BaseModel]) -> Callable[[dict[str, Any]], None]:
    """The OpenAPI schema of `model`, `medicalCondition` optional (a receptionist's body)."""

    def rewrite(schema: dict[str, Any]) -> None:
        shown = model.model_json_schema(by_alias=True)
        shown["required"] = [name for name in shown["required"] if name != "medicalCondition"]
        schema.update({**shown, "title": schema["title"]})

    return rewrite


class PatientBody(BaseModel):
    """A POST body as received: any JSON object, documented as a `PatientCreate`. The service
    applies the role's rule for `medicalCondition` (required, or refused from a receptionist),
    then validates the whole as a `PatientCreate`, so one 400 lists every failing field."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_documented_as(PatientCreate))


class PatientReplaceBody(PatientBody):
    """A PUT body as received, documented as a `PatientReplace`."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_documented_as(PatientReplace))


class PatientPatch(BaseModel):
    """PATCH body: any subset of fields; the merged record is validated as a whole.

    Unknown fields pass this model and are refused by that merged validation, so one 400 lists
    them together with every other failing field.
    """

    model_config = ConfigDict(
        **{**WIRE_CONFIG, "extra": "allow"},
        json_schema_extra={"examples": [{"age": 46}], "additionalProperties": False},
    )

    id: int | str | None = None
    patient_id: Any = Field(default=None, alias="patientID")
    name: Any = None
    age: Any = None
    gender: Any = None
    medical_condition: Any = None
    last_visit: Any = None


class PatientRead(BaseModel):
    """A patient as answered on the wire."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        json_schema_extra={"examples": [{"id": 1, **EXAMPLE}]},
    )

    id: int
    patient_id: str = Field(alias="patientID")
    name: str
    age: int
    gender: Gender
    medical_condition: str
    last_visit: date


class PageEnvelope(Page[PatientRead]):
    """json-server's `_page` answer."""


# The one field map: wire name -> column (the attribute names of PatientRead are the columns of
# `patients`), in the order of the JSON objects. The query language, the repository, the
# importer and its verify all use this; tests/unit/test_field_map.py holds it to the table.
FIELDS: dict[str, str] = {
    field.alias or name: name for name, field in PatientRead.model_fields.items()
}
# The fields a client (or a db.json record) brings: all but the id, which the database assigns.
BROUGHT: dict[str, str] = {wire: column for wire, column in FIELDS.items() if wire != "id"}
