"""The one field map (schemas.patient.FIELDS) and everything derived from it agree with the
table and with each other."""

import dataclasses

from app.migration import verify, writer
from app.models import Patient
from app.repositories.patients import RECORD_COLUMNS, PatientRecord
from app.schemas.patient import FIELDS, PatientRead


def test_the_wire_names_are_the_contract_s_in_order() -> None:
    assert list(FIELDS) == [
        "id",
        "patientID",
        "name",
        "age",
        "gender",
        "medicalCondition",
        "lastVisit",
    ]
    assert list(PatientRead.model_json_schema(by_alias=True)["properties"]) == list(FIELDS)


def test_every_column_is_in_the_table() -> None:
    assert set(FIELDS.values()) <= set(Patient.__table__.columns.keys())


def test_the_record_carries_the_fields_and_the_version() -> None:
    names = [field.name for field in dataclasses.fields(PatientRecord)]
    assert names == [*FIELDS.values(), "version"] == list(RECORD_COLUMNS)


def test_the_importer_and_its_verify_use_the_same_columns() -> None:
    brought = [column for wire, column in FIELDS.items() if wire != "id"]
    assert list(writer.COLUMNS) == [*brought, "legacy_id"]
    assert list(verify.COMPARED.values()) == brought
    assert list(verify.COMPARED) == [wire for wire in FIELDS if wire != "id"]
