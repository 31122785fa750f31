"""The wire models: camelCase names, nothing unknown accepted, examples that are themselves valid.

The clinic's rules field by field are in test_patient_validation.py; this is about the shape.
"""

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from app.models.patient import Patient
from app.schemas.patient import (
    EXAMPLE,
    PageEnvelope,
    PatientBody,
    PatientCreate,
    PatientPatch,
    PatientRead,
    PatientReplace,
    PatientReplaceBody,
)
from tests.conftest import patient

WIRE = ["patientID", "name", "age", "gender", "medicalCondition", "lastVisit"]
READ = {"id": 7, **patient()}


def examples(model: type[BaseModel]) -> list[Any]:
    return list(model.model_json_schema(by_alias=True)["examples"])


def refused_fields(model: type[BaseModel], body: dict[str, Any]) -> list[tuple[Any, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return [(error["loc"], error["type"]) for error in caught.value.errors()]


@pytest.mark.parametrize("model", [PatientCreate, PatientReplace])
def test_create_and_replace_speak_camel_case(model: type[BaseModel]) -> None:
    data = model.model_validate(patient())
    assert list(data.model_dump(by_alias=True, exclude={"id"}, mode="json")) == WIRE
    assert data.model_dump(by_alias=True, exclude={"id"}, mode="json") == patient()
    assert data.model_dump(include={"patient_id", "medical_condition", "last_visit"}) == {
        "patient_id": "P001",
        "medical_condition": "Hypertension",
        "last_visit": date(2024, 1, 15),
    }


@pytest.mark.parametrize("model", [PatientCreate, PatientReplace])
def test_create_and_replace_schema_names_every_wire_field_and_nothing_more(
    model: type[BaseModel],
) -> None:
    schema = model.model_json_schema(by_alias=True)
    assert schema["additionalProperties"] is False
    assert schema["required"] == WIRE
    assert set(schema["properties"]) == set(WIRE) | ({"id"} if model is PatientReplace else set())


@pytest.mark.parametrize(
    ("body", "model"), [(PatientBody, PatientCreate), (PatientReplaceBody, PatientReplace)]
)
def test_bodies_as_received_are_documented_as_the_model_they_must_meet(
    body: type[BaseModel], model: type[BaseModel]
) -> None:
    documented, complete = body.model_json_schema(), model.model_json_schema(by_alias=True)
    assert documented["properties"] == complete["properties"]
    # A receptionist's body leaves medicalCondition out; the service requires it from others.
    assert documented["required"] == [field for field in WIRE if field != "medicalCondition"]


UNKNOWN = ["foo", "ID", "patientId", "createdAt", "legacyId"]


@pytest.mark.parametrize("model", [PatientCreate, PatientReplace])
@pytest.mark.parametrize("extra", UNKNOWN)
def test_unknown_fields_are_forbidden(model: type[BaseModel], extra: str) -> None:
    assert refused_fields(model, {**patient(), extra: "x"}) == [((extra,), "extra_forbidden")]


@pytest.mark.parametrize("extra", UNKNOWN)
def test_unknown_patch_fields_are_refused_with_the_merged_record(extra: str) -> None:
    """PATCH lets unknown names through to the merge, so one 400 lists every problem."""
    changes = PatientPatch.model_validate({"age": 0, extra: "x"}).model_dump(
        by_alias=True, exclude_unset=True, exclude={"id"}
    )
    assert set(refused_fields(PatientCreate, {**patient(), **changes})) == {
        (("age",), "range"),
        ((extra,), "extra_forbidden"),
    }


def test_create_refuses_an_id() -> None:
    assert refused_fields(PatientCreate, {**patient(), "id": 3}) == [(("id",), "extra_forbidden")]


def test_examples_are_valid_bodies() -> None:
    assert examples(PatientCreate) == [EXAMPLE]
    assert PatientCreate.model_validate(EXAMPLE).model_dump(by_alias=True, mode="json") == EXAMPLE
    [patch] = examples(PatientPatch)
    assert patch == {"age": 46}
    assert PatientPatch.model_validate(patch).model_dump(by_alias=True, exclude_unset=True) == patch
    [read] = examples(PatientRead)
    assert read == {"id": 1, **EXAMPLE}
    assert PatientRead.model_validate(read).model_dump(by_alias=True, mode="json") == read


def test_patch_keeps_only_what_was_sent_by_wire_name() -> None:
    sent = {"medicalCondition": "Asthma", "lastVisit": "2024-03-01", "id": 9}
    data = PatientPatch.model_validate(sent)
    assert data.model_dump(by_alias=True, exclude_unset=True, exclude={"id"}) == {
        "medicalCondition": "Asthma",
        "lastVisit": "2024-03-01",
    }
    assert PatientPatch.model_validate({}).model_dump(exclude_unset=True) == {}


def test_patch_schema_is_camel_case_with_nothing_required() -> None:
    schema = PatientPatch.model_json_schema(by_alias=True)
    assert set(schema["properties"]) == {"id", *WIRE}
    assert "required" not in schema
    assert schema["additionalProperties"] is False


def test_read_from_a_row_answers_the_wire_record_in_json_server_order() -> None:
    row = Patient(
        id=7,
        patient_id="P001",
        name="John Doe",
        age=45,
        gender="Male",
        medical_condition="Hypertension",
        last_visit=date(2024, 1, 15),
    )
    answer = PatientRead.model_validate(row).model_dump(by_alias=True, mode="json")
    assert answer == READ
    assert list(answer) == ["id", *WIRE]


def test_read_schema_is_camel_case_with_every_field_required() -> None:
    schema = PatientRead.model_json_schema(by_alias=True, mode="serialization")
    assert list(schema["properties"]) == ["id", *WIRE]
    assert schema["required"] == ["id", *WIRE]
    assert schema["properties"]["gender"]["enum"] == ["Male", "Female", "Other"]


def test_page_envelope_is_json_servers_shape() -> None:
    body = {"first": 1, "prev": None, "next": 2, "last": 2, "pages": 2, "items": 11, "data": [READ]}
    envelope = PageEnvelope.model_validate(body)
    assert envelope.model_dump(by_alias=True, mode="json") == body
    assert list(PageEnvelope.model_json_schema()["properties"]) == list(body)
