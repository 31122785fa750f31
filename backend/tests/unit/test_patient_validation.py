"""The clinic's rules (shared/design.md) on the request models: every rule, both sides of every
bound. No database: these are the pure checks the API, the migration and PATCH all share."""

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from app.errors import field_problems
from app.schemas.patient import PatientCreate, PatientReplace, latest_allowed_visit
from tests.conftest import patient


def problems(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each failing field, as the API would list them."""
    with pytest.raises(ValidationError) as caught:
        PatientCreate.model_validate(body)
    return [(p.field, p.message) for p in field_problems(caught.value.errors())]


def accepted(body: dict[str, Any]) -> dict[str, Any]:
    return PatientCreate.model_validate(body).model_dump(by_alias=True, mode="json")


def test_a_valid_patient_is_accepted_unchanged() -> None:
    assert accepted(patient()) == patient()


# --- patientID: 1-50 characters, no surrounding blanks ----------------------------------


@pytest.mark.parametrize("value", ["P", "x" * 50, "P 001", "ñ-001"])
def test_patient_id_accepted(value: str) -> None:
    assert accepted(patient(patientID=value))["patientID"] == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "must be 1 to 50 characters"),
        ("x" * 51, "must be 1 to 50 characters"),
        (" P001", "must not start or end with blanks"),
        ("P001 ", "must not start or end with blanks"),
        ("P001\t", "must not start or end with blanks"),
        ("P\x001", "must not contain NUL characters"),
        (1, "must be a text value"),
        (None, "must be a text value"),
    ],
)
def test_patient_id_refused(value: Any, message: str) -> None:
    assert problems(patient(patientID=value)) == [("patientID", message)]


# --- name and medicalCondition: 1-255 after trimming, not blank, NFC ---------------------


@pytest.mark.parametrize("field", ["name", "medicalCondition"])
@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("A", "A"),
        ("x" * 255, "x" * 255),
        ("  Jane Doe \n", "Jane Doe"),
        (" " + "x" * 255 + " ", "x" * 255),  # the limit counts the trimmed text
        ("Jose\u0301", "Jos\u00e9"),  # decomposed e + accent -> one NFC character
        ("e\u0301" * 255, "\u00e9" * 255),  # 510 code points, 255 once normalised
    ],
)
def test_text_trimmed_normalised_and_accepted(field: str, value: str, stored: str) -> None:
    assert accepted(patient(**{field: value}))[field] == stored


@pytest.mark.parametrize("field", ["name", "medicalCondition"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "must not be blank"),
        ("   ", "must not be blank"),
        ("\t\n", "must not be blank"),
        ("x" * 256, "must be at most 255 characters"),
        ("Jane\x00Doe", "must not contain NUL characters"),  # PostgreSQL text cannot hold it
        (42, "must be a text value"),
        (None, "must be a text value"),
        (["Jane"], "must be a text value"),
    ],
)
def test_text_refused(field: str, value: Any, message: str) -> None:
    assert problems(patient(**{field: value})) == [(field, message)]


# --- age: whole number 1-150; numeric strings accepted -----------------------------------


@pytest.mark.parametrize(
    ("value", "stored"), [(1, 1), (150, 150), (45, 45), ("45", 45), ("1", 1), ("150", 150)]
)
def test_age_accepted(value: Any, stored: int) -> None:
    assert accepted(patient(age=value))["age"] == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "must be between 1 and 150"),
        (151, "must be between 1 and 150"),
        (-1, "must be between 1 and 150"),
        ("0", "must be between 1 and 150"),
        ("151", "must be between 1 and 150"),
        (45.5, "must be a whole number"),
        (45.0, "must be a whole number"),
        (True, "must be a whole number"),
        (False, "must be a whole number"),
        ("", "must be a whole number"),
        ("45.5", "must be a whole number"),
        (" 45", "must be a whole number"),
        ("-5", "must be a whole number"),
        ("\u0664\u0665", "must be a whole number"),  # Arabic-Indic digits: not a plain number
        (None, "must be a whole number"),
    ],
)
def test_age_refused(value: Any, message: str) -> None:
    assert problems(patient(age=value)) == [("age", message)]


# --- gender: exactly Male, Female or Other -----------------------------------------------


@pytest.mark.parametrize("value", ["Male", "Female", "Other"])
def test_gender_accepted(value: str) -> None:
    assert accepted(patient(gender=value))["gender"] == value


@pytest.mark.parametrize("value", ["male", "FEMALE", " Other", "", "Unknown", None, 1])
def test_gender_refused(value: Any) -> None:
    assert problems(patient(gender=value)) == [("gender", "must be one of Male, Female, Other")]


# --- lastVisit: a real YYYY-MM-DD date, not in the future --------------------------------


def test_last_visit_accepts_the_latest_date_anywhere_on_earth() -> None:
    latest = latest_allowed_visit().isoformat()
    assert accepted(patient(lastVisit=latest))["lastVisit"] == latest


@pytest.mark.parametrize("value", ["2024-02-29", "1900-01-01", "2024-12-31"])
def test_last_visit_accepted(value: str) -> None:
    assert accepted(patient(lastVisit=value))["lastVisit"] == value


def test_last_visit_the_day_after_the_latest_is_the_future() -> None:
    tomorrow = (latest_allowed_visit() + timedelta(days=1)).isoformat()
    assert problems(patient(lastVisit=tomorrow)) == [("lastVisit", "must not be in the future")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-29", "is not a real calendar date"),
        ("2024-02-30", "is not a real calendar date"),
        ("2024-13-01", "is not a real calendar date"),
        ("2024-00-10", "is not a real calendar date"),
        ("2024-1-15", "must be a date written YYYY-MM-DD"),
        ("15/01/2024", "must be a date written YYYY-MM-DD"),
        ("2024-01-15T10:00:00", "must be a date written YYYY-MM-DD"),
        ("", "must be a date written YYYY-MM-DD"),
        (20240115, "must be a date written YYYY-MM-DD"),
        (None, "must be a date written YYYY-MM-DD"),
    ],
)
def test_last_visit_refused(value: Any, message: str) -> None:
    assert problems(patient(lastVisit=value)) == [("lastVisit", message)]


# --- the body as a whole -----------------------------------------------------------------


def test_every_failing_field_is_listed() -> None:
    body = {"patientID": "", "name": " ", "age": 0, "gender": "x", "lastVisit": "2024-02-30"}
    assert problems({**body, "colour": "red"}) == [
        ("patientID", "must be 1 to 50 characters"),
        ("name", "must not be blank"),
        ("age", "must be between 1 and 150"),
        ("gender", "must be one of Male, Female, Other"),
        ("medicalCondition", "is required"),
        ("lastVisit", "is not a real calendar date"),
        ("colour", "is not a known field"),
    ]


@pytest.mark.parametrize(
    "field", ["patientID", "name", "age", "gender", "medicalCondition", "lastVisit"]
)
def test_each_field_is_required(field: str) -> None:
    body = patient()
    del body[field]
    assert problems(body) == [(field, "is required")]


@pytest.mark.parametrize("extra", ["id", "createdAt", "version", "patient_id"])
def test_unknown_fields_are_refused_on_create(extra: str) -> None:
    assert problems(patient(**{extra: 1})) == [(extra, "is not a known field")]


def test_replace_ignores_an_echoed_id_but_no_other_extra() -> None:
    assert PatientReplace.model_validate(patient(id=7)).patient_id == "P001"
    with pytest.raises(ValidationError):
        PatientReplace.model_validate(patient(id=7, colour="red"))
