"""One json-server record -> a valid patient or a reject, by exactly the API's rules."""

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.errors import FieldProblem, field_problems
from app.schemas.patient import PatientCreate
from app.schemas.text import UNPAIRED_SURROGATE, has_unpaired_surrogate

LEGACY_ID_MAX = 64  # the width of patients.legacy_id


@dataclass(frozen=True, slots=True)
class Valid:
    """A record the API would accept; `legacy_id` is its json-server id as text."""

    position: int
    legacy_id: str | None
    patient: PatientCreate


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record the API would refuse, kept whole with every reason."""

    position: int
    record: Any
    reasons: list[FieldProblem]

    @property
    def legacy_id(self) -> str | None:
        """The json-server id, when the record has a usable one (for logs: no patient data)."""
        if isinstance(self.record, dict):
            legacy, _ = _legacy_id(self.record.get("id"))
            return legacy
        return None


def check(position: int, record: Any) -> Valid | Rejected:
    """Take json-server's `id` out (kept as legacy_id), validate the rest as a POST body."""
    if not isinstance(record, dict):
        return Rejected(position, record, [FieldProblem("record", "must be a JSON object")])
    body = dict(record)
    legacy, problem = _legacy_id(body.pop("id", None))
    try:
        patient = PatientCreate.model_validate(body)
    except ValidationError as error:
        reasons = ([problem] if problem else []) + field_problems(error.errors())
        return Rejected(position, record, reasons)
    if problem:
        return Rejected(position, record, [problem])
    return Valid(position, legacy, patient)


def _legacy_id(value: Any) -> tuple[str | None, FieldProblem | None]:
    """json-server ids are strings ("1", "3e3a") or, in older files, numbers; 1.0 would give an
    id-less record a random one, so a missing id is allowed and stays empty."""
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None, FieldProblem("id", "must be a text or a number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if "\x00" in text:  # PostgreSQL text cannot hold it; the API refuses it in fields too
        return None, FieldProblem("id", "must not contain NUL characters")
    if has_unpaired_surrogate(text):
        return None, FieldProblem("id", UNPAIRED_SURROGATE)
    if len(text) > LEGACY_ID_MAX:
        return None, FieldProblem("id", f"must be at most {LEGACY_ID_MAX} characters")
    return text, None
