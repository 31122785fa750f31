"""app/querying.py: the json-server query string -> a ListQuery (SQL conditions, order, window).

No database: the conditions are compiled with the PostgreSQL dialect, so these tests see the
SQL text and its bound parameters exactly as psycopg would get them.
"""

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import psycopg

from app.errors import InvalidQuery
from app.models.patient import Patient
from app.querying import CONTROL, DEFAULT_PER_PAGE, FIELDS, MAX_WINDOW, ListQuery, parse


def query(text: str) -> ListQuery:
    return parse(parse_qsl(text, keep_blank_values=True))


def compiled(q: ListQuery) -> tuple[str, list[Any]]:
    """The WHERE ... ORDER BY SQL (one line) as the app's driver gets it, and its bound values."""
    stmt = select(Patient.id).where(*q.where).order_by(*q.order_by)
    sql = stmt.compile(dialect=psycopg.dialect(), compile_kwargs={"literal_binds": False})
    # psycopg's dialect adds casts to the placeholders (`%(age_1)s::INTEGER`): not our concern
    text = re.sub(r"::[A-Z]+\b", "", " ".join(str(sql).split()))
    return text[text.index("FROM patients") + len("FROM patients") :].strip(), [
        sql.params[name] for name in sql.positiontup or sql.params
    ]


def where(text: str) -> tuple[str, list[Any]]:
    sql, params = compiled(query(text))
    return sql.removeprefix("WHERE ").removesuffix("ORDER BY patients.id ASC").strip(), params


def refused(text: str) -> InvalidQuery:
    with pytest.raises(InvalidQuery) as caught:
        query(text)
    assert caught.value.status_code == 400
    return caught.value


def window(q: ListQuery) -> tuple[int, int | None, int | None, int]:
    return q.offset, q.limit, q.page, q.per_page


# --- no query --------------------------------------------------------------------------


def test_no_query_is_everything_in_id_order_unsliced() -> None:
    q = query("")
    assert q.where == []
    assert compiled(q) == ("ORDER BY patients.id ASC", [])
    assert window(q) == (0, None, None, DEFAULT_PER_PAGE)


# --- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sql", "params"),
    [
        ("age_lt=40", "patients.age < %(age_1)s", [40]),
        ("age_lte=40", "patients.age <= %(age_1)s", [40]),
        ("age_gt=40", "patients.age > %(age_1)s", [40]),
        ("age_gte=40", "patients.age >= %(age_1)s", [40]),
        ("age_ne=40", "patients.age != %(age_1)s", [40]),
        ("lastVisit_gte=2024-02-01", "patients.last_visit >= %(last_visit_1)s", [date(2024, 2, 1)]),
        ("name_ne=Bob", "patients.name != %(name_1)s", ["Bob"]),
        ("gender=Male", "patients.gender = %(gender_1)s", ["Male"]),
        ("age=045", "patients.age = %(age_1)s", [45]),
        ("lastVisit=2024-01-15", "patients.last_visit = %(last_visit_1)s", [date(2024, 1, 15)]),
        ("name=Jos%C3%A9+%C3%81lvarez", "patients.name = %(name_1)s", ["José Álvarez"]),
        ("id=7", "patients.id = %(id_1)s", [7]),
    ],
)
def test_each_operator_and_equality_is_one_bound_comparison(
    text: str, sql: str, params: list[Any]
) -> None:
    assert where(text) == (sql, params)


def test_patient_id_equality_ignores_case_through_lower() -> None:
    assert where("patientID=P003") == ("lower(patients.patient_id) = %(lower_1)s", ["p003"])


def test_repeated_equality_is_any_of() -> None:
    assert where("gender=Male&gender=Other") == (
        "patients.gender = %(gender_1)s OR patients.gender = %(gender_2)s",
        ["Male", "Other"],
    )


def test_repeated_operator_means_all_of() -> None:
    assert where("age_gt=30&age_gt=50") == (
        "patients.age > %(age_1)s AND patients.age > %(age_2)s",
        [30, 50],
    )


def test_different_fields_are_and_ed() -> None:
    assert where("gender=Male&age_gte=45") == (
        "patients.gender = %(gender_1)s AND patients.age >= %(age_1)s",
        ["Male", 45],
    )


@pytest.mark.parametrize("text", ["gender=", "age=", "age_gt=", "name_like=", "gender=&gender="])
def test_an_empty_value_filters_nothing(text: str) -> None:
    assert where(text) == ("true", [])


def test_an_empty_value_among_others_is_dropped() -> None:
    assert where("gender=&gender=Male") == ("patients.gender = %(gender_1)s", ["Male"])


def test_like_is_an_escaped_case_insensitive_substring() -> None:
    assert where("name_like=50%_a\\b") == (
        "patients.name ILIKE %(name_1)s ESCAPE '\\'",
        ["%50\\%\\_a\\\\b%"],
    )


def test_q_searches_the_three_text_fields_with_one_value() -> None:
    sql, params = where("q=smi")
    assert sql == (
        "patients.patient_id ILIKE %(patient_id_1)s ESCAPE '\\' OR patients.name ILIKE "
        "%(name_1)s ESCAPE '\\' OR patients.medical_condition ILIKE %(medical_condition_1)s "
        "ESCAPE '\\'"
    )
    assert params == ["%smi%"] * 3


@pytest.mark.parametrize(
    "text",
    [
        "name=O'Brien'); DROP TABLE patients;--",
        "name_ne=O'Brien'); DROP TABLE patients;--",
        "q=O'Brien'); DROP TABLE patients;--",
        "patientID=O'Brien'); DROP TABLE patients;--",
    ],
)
def test_values_never_reach_the_sql_text(text: str) -> None:
    sql, params = compiled(query(text))
    assert "brien" not in sql.lower() and "drop" not in sql.lower()
    assert any("brien" in str(value).lower() for value in params)


# --- unknown names ----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["nmae", "age_eq", "age:gt", "foo_gt", "_order", "name_like_x"])
def test_unknown_parameter_is_refused_naming_the_valid_ones(key: str) -> None:
    error = refused(f"{key}=1")
    [problem] = error.problems
    assert problem.field == key
    for valid in [*FIELDS, *CONTROL, "_lt", "_lte", "_gt", "_gte", "_ne", "_like"]:
        assert valid in problem.message
    assert repr(key) in error.detail


@pytest.mark.parametrize("text", ["_sort=nmae", "_sort=age,-nmae", "_sort=-", "_sort=patientId"])
def test_unknown_sort_field_is_refused_naming_the_fields(text: str) -> None:
    [problem] = refused(text).problems
    assert problem.field == "_sort"
    assert all(name in problem.message for name in FIELDS)


# --- sorting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("_sort=age", "patients.age ASC, patients.id ASC"),
        ("_sort=-age", "patients.age DESC, patients.id ASC"),
        (
            "_sort=-age,name",
            "patients.age DESC, registry_sort_key(patients.name) ASC, patients.id ASC",
        ),
        (
            "_sort=gender,-lastVisit,patientID",
            "registry_sort_key(patients.gender) ASC, patients.last_visit DESC, "
            "registry_sort_key(patients.patient_id) ASC, patients.id ASC",
        ),
        ("_sort= age , -name ", None),
        ("_sort=", "patients.id ASC"),
        ("_sort=name&_sort=-age", "patients.age DESC, patients.id ASC"),  # the last one wins
    ],
)
def test_sort_fields_directions_and_ties_in_id_order(text: str, order: str | None) -> None:
    sql, params = compiled(query(text))
    if order is None:  # blanks around the names are ignored
        order = "patients.age ASC, registry_sort_key(patients.name) DESC, patients.id ASC"
    assert (sql, params) == (f"ORDER BY {order}", [])


# --- _start / _end / _limit and _page / _per_page ------------------------------------------


@pytest.mark.parametrize(
    ("text", "offset", "limit"),
    [
        ("_start=1&_end=3", 1, 2),
        ("_start=1&_limit=2", 1, 2),
        ("_start=1&_end=3&_limit=1", 1, 2),  # with _start, _end beats _limit
        ("_end=2&_limit=3", 0, 3),  # without _start, _limit beats _end
        ("_end=2", 0, 2),
        ("_limit=2", 0, 2),
        ("_limit=0", 0, 0),
        ("_start=0&_limit=0", 0, 0),
        ("_start=3&_end=1", 3, 0),
        ("_start=6&_end=100", 6, 94),
        ("_start=2", 2, None),  # json-server: [] (a documented deviation): here to the end
        ("_limit=2&_page=2", 0, 2),  # any of _start/_limit: an array, _page ignored
        ("_start=1&_page=2", 1, None),
        ("_page=1&_start=2&_end=4", 2, 2),
        ("_page=0", 0, None),  # page 0: no pages
        ("_per_page=3", 0, None),  # _per_page alone: no pages
        ("_limit=99999", 0, MAX_WINDOW),
        ("_start=5&_end=99999", 5, MAX_WINDOW),
    ],
)
def test_slices_follow_json_server_precedence(text: str, offset: int, limit: int | None) -> None:
    assert window(query(text)) == (offset, limit, None, DEFAULT_PER_PAGE)


@pytest.mark.parametrize(
    ("text", "page", "per_page"),
    [
        ("_page=1", 1, DEFAULT_PER_PAGE),
        ("_page=3&_per_page=5", 3, 5),
        ("_page=99&_per_page=5", 99, 5),  # clamped to the last page by the service
        ("_page=-1&_per_page=5", 1, 5),  # json-server clamps a negative page to the first
        ("_page=1&_per_page=0", 1, DEFAULT_PER_PAGE),
        ("_page=1&_per_page=99999", 1, MAX_WINDOW),
        ("_end=3&_page=2&_per_page=2", 2, 2),  # _end does not stop the envelope
        ("_page=2&_page=3", 3, DEFAULT_PER_PAGE),  # the last one wins
    ],
)
def test_pages_defaults_and_clamps(text: str, page: int, per_page: int) -> None:
    assert window(query(text)) == (0, None, page, per_page)


@pytest.mark.parametrize(
    ("text", "parameter"),
    [
        ("_limit=abc", "_limit"),
        ("_limit=-1", "_limit"),
        ("_start=1.5&_end=3", "_start"),
        ("_start=-2&_end=-1", "_start"),
        ("_end=x", "_end"),
        ("_page=abc", "_page"),
        ("_page=1.5", "_page"),
        ("_page=1&_per_page=-2", "_per_page"),
        ("_page=1&_per_page=ten", "_per_page"),
        ("_limit=1234567890", "_limit"),
        ("age=45abc", "age"),
        ("age=4.5", "age"),
        ("age_gt=40.5", "age_gt"),
        ("id=one", "id"),
        ("lastVisit=20240115", "lastVisit"),
        ("lastVisit=2024-1-15", "lastVisit"),
        ("lastVisit_lt=2024-02-30", "lastVisit_lt"),
        ("lastVisit_ne=yesterday", "lastVisit_ne"),
    ],
)
def test_malformed_numbers_and_dates_are_refused_naming_the_parameter(
    text: str, parameter: str
) -> None:
    error = refused(text)
    assert [problem.field for problem in error.problems] == [parameter]
    assert error.detail.startswith(f"Invalid query parameter {parameter!r}: must be ")
