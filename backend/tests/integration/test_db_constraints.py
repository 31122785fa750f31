"""The database refuses what the API refuses: direct SQL, bypassing the app, hits CHECK
constraints and the case-insensitive unique index."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import URL, Engine, create_engine, text
from sqlalchemy.exc import IntegrityError

from app.schemas.patient import latest_allowed_visit

INSERT = text(
    "INSERT INTO patients (patient_id, name, age, gender, medical_condition, last_visit) "
    "VALUES (:patient_id, :name, :age, :gender, :condition, CAST(:last_visit AS date))"
)
VALID = {
    "patient_id": "P001",
    "name": "John Doe",
    "age": 45,
    "gender": "Male",
    "condition": "Hypertension",
    "last_visit": "2024-01-15",
}
CHECK_VIOLATION = "23514"
UNIQUE_VIOLATION = "23505"
NOT_NULL_VIOLATION = "23502"


@pytest.fixture
def engine(database_url: URL, clean_db: None) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def insert(engine: Engine, **overrides: Any) -> None:
    with engine.begin() as connection:
        connection.execute(INSERT, {**VALID, **overrides})


def refused(engine: Engine, **overrides: Any) -> tuple[str, str]:
    """The SQLSTATE and constraint name PostgreSQL reports for the refused insert."""
    with pytest.raises(IntegrityError) as caught:
        insert(engine, **overrides)
    diag = caught.value.orig.diag  # type: ignore[union-attr]
    return caught.value.orig.sqlstate, diag.constraint_name  # type: ignore[union-attr]


def test_a_valid_row_is_accepted(engine: Engine) -> None:
    insert(engine)
    insert(engine, patient_id="x" * 50, name="n" * 255, condition="c" * 255, age=1)
    insert(engine, patient_id="P3", age=150, last_visit=latest_allowed_visit().isoformat())
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM patients")) == 3


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"patient_id": ""}, "ck_patients_patient_id_length"),
        ({"patient_id": " P001"}, "ck_patients_patient_id_trimmed"),
        ({"patient_id": "P001 "}, "ck_patients_patient_id_trimmed"),
        ({"name": ""}, "ck_patients_name_length"),
        ({"name": "   "}, "ck_patients_name_not_blank"),
        ({"condition": ""}, "ck_patients_condition_length"),
        ({"condition": "\t"}, "ck_patients_condition_not_blank"),
        ({"age": 0}, "ck_patients_age_range"),
        ({"age": 151}, "ck_patients_age_range"),
        ({"gender": "male"}, "ck_patients_gender_allowed"),
        ({"gender": "Femal"}, "ck_patients_gender_allowed"),
    ],
)
def test_check_constraints_refuse_what_the_api_refuses(
    engine: Engine, overrides: dict[str, Any], constraint: str
) -> None:
    assert refused(engine, **overrides) == (CHECK_VIOLATION, constraint)


def test_a_future_visit_is_refused(engine: Engine) -> None:
    tomorrow = (latest_allowed_visit() + timedelta(days=1)).isoformat()
    assert refused(engine, last_visit=tomorrow) == (
        CHECK_VIOLATION,
        "ck_patients_last_visit_not_future",
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [("patient_id", "x" * 51), ("name", "n" * 256), ("medical_condition", "c" * 256)],
)
def test_over_long_text_is_refused(engine: Engine, column: str, value: str) -> None:
    key = "condition" if column == "medical_condition" else column
    with pytest.raises(Exception) as caught:  # varchar(n) overflow: a DataError, 22001
        insert(engine, **{key: value})
    assert caught.value.orig.sqlstate == "22001"  # type: ignore[attr-defined]


@pytest.mark.parametrize("column", ["patient_id", "name", "age", "gender", "condition"])
def test_missing_values_are_refused(engine: Engine, column: str) -> None:
    assert refused(engine, **{column: None})[0] == NOT_NULL_VIOLATION


@pytest.mark.parametrize("duplicate", ["P001", "p001"])
def test_patient_id_is_unique_ignoring_case(engine: Engine, duplicate: str) -> None:
    insert(engine)
    assert refused(engine, patient_id=duplicate) == (
        UNIQUE_VIOLATION,
        "uq_patients_patient_id_lower",
    )


def test_version_cannot_go_below_one(engine: Engine) -> None:
    insert(engine)
    with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
        connection.execute(text("UPDATE patients SET version = 0"))
    assert caught.value.orig.diag.constraint_name == "ck_patients_version_positive"  # type: ignore[union-attr]
