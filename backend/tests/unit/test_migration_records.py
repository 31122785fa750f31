"""Each record of a db.json -> valid or rejected, with exactly the API's reasons."""

from typing import Any

import pytest

from app.errors import FieldProblem
from app.migration.records import Rejected, Valid, check
from tests.conftest import patient


def record(**overrides: Any) -> dict[str, Any]:
    """A json-server record: the API's body plus json-server's id."""
    return {"id": "1", **patient(**overrides)}


def reasons(result: Valid | Rejected) -> list[tuple[str, str]]:
    assert isinstance(result, Rejected), result
    return [(problem.field, problem.message) for problem in result.reasons]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("patientID", "", "must be 1 to 50 characters"),
        ("patientID", "P" * 51, "must be 1 to 50 characters"),
        ("patientID", " P001", "must not start or end with blanks"),
        ("patientID", "P001 ", "must not start or end with blanks"),
        ("patientID", 1, "must be a text value"),
        ("name", "", "must not be blank"),
        ("name", "   ", "must not be blank"),
        ("name", "x" * 256, "must be at most 255 characters"),
        ("name", None, "must be a text value"),
        ("age", 0, "must be between 1 and 150"),
        ("age", 151, "must be between 1 and 150"),
        ("age", 45.5, "must be a whole number"),
        ("age", True, "must be a whole number"),
        ("age", "", "must be a whole number"),
        ("age", "forty", "must be a whole number"),
        ("gender", "male", "must be one of Male, Female, Other"),
        ("gender", "", "must be one of Male, Female, Other"),
        ("medicalCondition", "\t", "must not be blank"),
        ("medicalCondition", "y" * 256, "must be at most 255 characters"),
        ("medicalCondition", ["Asthma"], "must be a text value"),
        ("lastVisit", "15/01/2024", "must be a date written YYYY-MM-DD"),
        ("lastVisit", "2024-1-5", "must be a date written YYYY-MM-DD"),
        ("lastVisit", 20240115, "must be a date written YYYY-MM-DD"),
        ("lastVisit", "2023-02-29", "is not a real calendar date"),
        ("lastVisit", "2999-01-01", "must not be in the future"),
        ("patientID", "P\x00", "must not contain NUL characters"),
        ("name", "A\x00B", "must not contain NUL characters"),
        ("medicalCondition", "\x00", "must not contain NUL characters"),
    ],
)
def test_each_rule_gives_its_reason(field: str, value: Any, message: str) -> None:
    assert reasons(check(7, record(**{field: value}))) == [(field, message)]


@pytest.mark.parametrize(
    "field", ["patientID", "name", "age", "gender", "medicalCondition", "lastVisit"]
)
def test_missing_fields_are_required(field: str) -> None:
    body = record()
    del body[field]
    assert reasons(check(1, body)) == [(field, "is required")]


def test_unknown_fields_are_refused_as_by_the_api() -> None:
    assert reasons(check(1, record(email="a@b.c"))) == [("email", "is not a known field")]


def test_every_reason_of_a_record_is_kept_and_the_record_is_untouched() -> None:
    bad = record(age=0, gender="x", lastVisit="2024-13-01", nickname="Jo")
    original = dict(bad)
    result = check(12, bad)
    assert isinstance(result, Rejected)
    assert result.position == 12
    assert result.record == original  # id included: the rejects file keeps the record whole
    assert sorted(reasons(result)) == [
        ("age", "must be between 1 and 150"),
        ("gender", "must be one of Male, Female, Other"),
        ("lastVisit", "is not a real calendar date"),
        ("nickname", "is not a known field"),
    ]


@pytest.mark.parametrize("value", [["P001"], "text", 3, None, True])
def test_a_record_must_be_an_object(value: Any) -> None:
    assert reasons(check(3, value)) == [("record", "must be a JSON object")]


@pytest.mark.parametrize(
    ("legacy", "kept"),
    [("1", "1"), ("3e3a", "3e3a"), (17, "17"), (17.0, "17"), (2.5, "2.5"), ("", "")],
)
def test_json_server_ids_are_kept_as_text(legacy: Any, kept: str) -> None:
    result = check(1, record(id=legacy))
    assert isinstance(result, Valid)
    assert result.legacy_id == kept


def test_a_record_without_id_is_valid_with_no_legacy_id() -> None:
    body = record()
    del body["id"]
    result = check(1, body)
    assert isinstance(result, Valid)
    assert result.legacy_id is None


@pytest.mark.parametrize(
    ("legacy", "message"),
    [
        ({"a": 1}, "must be a text or a number"),
        ([1], "must be a text or a number"),
        (True, "must be a text or a number"),
        ("x" * 65, "must be at most 64 characters"),
        ("7\x00", "must not contain NUL characters"),
    ],
)
def test_unusable_ids_are_rejected(legacy: Any, message: str) -> None:
    assert reasons(check(1, record(id=legacy))) == [("id", message)]


def test_an_unusable_id_is_listed_with_the_other_reasons() -> None:
    assert reasons(check(1, record(id=[1], age=0))) == [
        ("id", "must be a text or a number"),
        ("age", "must be between 1 and 150"),
    ]


def test_valid_values_are_normalised_as_the_api_stores_them() -> None:
    result = check(4, record(id="3e3a", name="  Jose\u0301 Álvarez ", age="50"))
    assert isinstance(result, Valid)
    assert (result.position, result.legacy_id) == (4, "3e3a")
    assert result.patient.name == "José Álvarez"  # trimmed and NFC, as POST stores it
    assert result.patient.age == 50


def test_rejected_legacy_id_for_logs() -> None:
    assert Rejected(1, {"id": 9}, [FieldProblem("age", "x")]).legacy_id == "9"
    assert Rejected(1, [], [FieldProblem("record", "x")]).legacy_id is None
