"""app/querying.py: the json-server query string -> a ListQuery (SQL conditions, order, window).

No database: the `psycopg.sql` composables are rendered with `as_string()`, so these tests see
the SQL text and its named parameters (v0, v1, ...) exactly as psycopg would get them. Also
held here: the size bounds of a query (MAX_PARAMETERS names, MAX_VALUES values of one name),
ASCII-only numbers (numbers beyond bigint bound as numeric), statement text that does not grow
with repeated values, and `whole_table`.
"""

from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import pytest

from app.errors import InvalidQuery
from app.querying import (
    CONTROL,
    DEFAULT_PER_PAGE,
    KINDS,
    MAX_PARAMETERS,
    MAX_VALUES,
    MAX_WINDOW,
    ListQuery,
    parse,
)
from app.schemas.patient import FIELDS

# A query string as the browser sends it, or the decoded pairs themselves (for values such as
# '+5', which a query string would decode to ' 5').
Given = str | list[tuple[str, str]]


def pairs(given: Given) -> list[tuple[str, str]]:
    return parse_qsl(given, keep_blank_values=True) if isinstance(given, str) else given


def query(given: Given) -> ListQuery:
    return parse(pairs(given))


def where(given: Given) -> tuple[str, dict[str, Any]]:
    """The WHERE condition's SQL text and its named parameters."""
    q = query(given)
    return q.condition.as_string(), q.params


def ordered(given: Given) -> tuple[list[str], str]:
    """The asked-for sort keys, and the whole ORDER BY (with the id tie-break)."""
    q = query(given)
    return [key.as_string() for key in q.sort], q.order_by.as_string()


def refused(given: Given) -> InvalidQuery:
    with pytest.raises(InvalidQuery) as caught:
        query(given)
    assert caught.value.status_code == 400
    return caught.value


def refused_field(given: Given) -> tuple[str, str]:
    """(parameter, message) of the one problem a refused query has."""
    [problem] = refused(given).problems
    return problem.field, problem.message


def window(q: ListQuery) -> tuple[int, int | None, int | None, int]:
    return q.offset, q.limit, q.page, q.per_page


def joined(*parts: str) -> str:
    return "&".join(parts)


# A valid value for each kind of field, and every valid filter name: 7 fields x (equality and
# 6 operators) = 49 distinct names; with `q`, 50.
VALID = {"integer": "1", "date": "2024-01-15", "text": "a"}
SUFFIXES = ("", "_lt", "_lte", "_gt", "_gte", "_ne", "_like")
EVERY_FILTER = [f"{name}{suffix}={VALID[KINDS[name]]}" for name in FIELDS for suffix in SUFFIXES]
FIFTY = joined(*EVERY_FILTER, "q=x")


# --- no query --------------------------------------------------------------------------


def test_no_query_is_everything_in_id_order_unsliced() -> None:
    q = query("")
    assert (q.where, q.sort, q.params) == ([], [], {})
    assert q.condition.as_string() == "TRUE"
    assert q.order_by.as_string() == '"id" ASC'
    assert window(q) == (0, None, None, DEFAULT_PER_PAGE)
    assert q.whole_table


# --- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sql", "params"),
    [
        ("age_lt=40", '"age" < %(v0)s::bigint', {"v0": 40}),
        ("age_lte=40", '"age" <= %(v0)s::bigint', {"v0": 40}),
        ("age_gt=40", '"age" > %(v0)s::bigint', {"v0": 40}),
        ("age_gte=40", '"age" >= %(v0)s::bigint', {"v0": 40}),
        ("age_ne=40", '"age" <> %(v0)s::bigint', {"v0": 40}),
        ("age_gt=-5", '"age" > %(v0)s::bigint', {"v0": -5}),
        ("lastVisit_gte=2024-02-01", '"last_visit" >= %(v0)s::date', {"v0": date(2024, 2, 1)}),
        ("name_ne=Bob", '"name" <> %(v0)s::text', {"v0": "Bob"}),
        ("gender=Male", '"gender" = ANY(%(v0)s::text[])', {"v0": ["Male"]}),
        ("age=045", '"age" = ANY(%(v0)s::bigint[])', {"v0": [45]}),
        (
            "lastVisit=2024-01-15",
            '"last_visit" = ANY(%(v0)s::date[])',
            {"v0": [date(2024, 1, 15)]},
        ),
        (
            "name=Jos%C3%A9+%C3%81lvarez",
            '"name" = ANY(%(v0)s::text[])',
            {"v0": ["José Álvarez"]},
        ),
        ("id=7", '"id" = ANY(%(v0)s::bigint[])', {"v0": [7]}),
    ],
)
def test_each_operator_and_equality_is_one_bound_comparison(
    text: str, sql: str, params: dict[str, Any]
) -> None:
    assert where(text) == (sql, params)


@pytest.mark.parametrize(
    ("text", "values"),
    [("patientID=P003", ["p003"]), ("patientID=P003&patientID=p004", ["p003", "p004"])],
)
def test_patient_id_equality_ignores_case_through_lower(text: str, values: list[str]) -> None:
    assert where(text) == ('lower("patient_id") = ANY(%(v0)s::text[])', {"v0": values})


def test_repeated_equality_is_any_of() -> None:
    assert where("gender=Male&gender=Other") == (
        '"gender" = ANY(%(v0)s::text[])',
        {"v0": ["Male", "Other"]},
    )


def test_repeated_operator_means_all_of() -> None:
    assert where("age_gt=30&age_gt=50") == (
        '"age" > %(v0)s::bigint AND "age" > %(v1)s::bigint',
        {"v0": 30, "v1": 50},
    )


@pytest.mark.parametrize(
    ("text", "sql", "params"),
    [
        (
            "gender=Male&age_gte=45",
            '"gender" = ANY(%(v0)s::text[]) AND "age" >= %(v1)s::bigint',
            {"v0": ["Male"], "v1": 45},
        ),
        (
            "q=smi&gender=Male",
            '"gender" = ANY(%(v0)s::text[]) AND ("patient_id" ILIKE %(v1)s ESCAPE \'\\\' OR '
            "\"name\" ILIKE %(v1)s ESCAPE '\\' OR \"medical_condition\" ILIKE %(v1)s ESCAPE '\\')",
            {"v0": ["Male"], "v1": "%smi%"},
        ),
    ],
)
def test_different_fields_are_and_ed(text: str, sql: str, params: dict[str, Any]) -> None:
    assert where(text) == (sql, params)


@pytest.mark.parametrize(
    "text", ["gender=", "age=", "age_gt=", "name_like=", "gender=&gender=", "q=", "lastVisit_lt="]
)
def test_an_empty_value_filters_nothing(text: str) -> None:
    assert query(text).where == []
    assert where(text) == ("TRUE", {})


def test_an_empty_value_among_others_is_dropped() -> None:
    assert where("gender=&gender=Male") == ('"gender" = ANY(%(v0)s::text[])', {"v0": ["Male"]})


def test_like_is_an_escaped_case_insensitive_substring() -> None:
    assert where("name_like=50%_a\\b") == (
        "\"name\" ILIKE %(v0)s ESCAPE '\\'",
        {"v0": "%50\\%\\_a\\\\b%"},
    )


def test_q_searches_the_three_text_fields_with_one_value() -> None:
    assert where("q=smi") == (
        "(\"patient_id\" ILIKE %(v0)s ESCAPE '\\' OR \"name\" ILIKE %(v0)s ESCAPE '\\' OR "
        "\"medical_condition\" ILIKE %(v0)s ESCAPE '\\')",
        {"v0": "%smi%"},
    )


HOSTILE = "O'Brien'); DROP TABLE patients;--"


@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("name", {"v0": [HOSTILE]}),
        ("name_ne", {"v0": HOSTILE}),
        ("q", {"v0": f"%{HOSTILE}%"}),
        ("patientID", {"v0": [HOSTILE.lower()]}),
    ],
)
def test_values_never_reach_the_sql_text(key: str, params: dict[str, Any]) -> None:
    hostile, harmless = query([(key, HOSTILE)]), query([(key, "x")])
    sql = f"{hostile.condition.as_string()} ORDER BY {hostile.order_by.as_string()}"
    assert "brien" not in sql.lower() and "drop" not in sql.lower()
    assert hostile.condition.as_string() == harmless.condition.as_string()
    assert hostile.params == params


# --- unknown names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["nmae", "age_eq", "age:gt", "foo_gt", "_order", "name_like_x", "_page_gt"]
)
def test_unknown_parameter_is_refused_naming_the_valid_ones(key: str) -> None:
    error = refused(f"{key}=1")
    [problem] = error.problems
    assert problem.field == key
    for valid in [*FIELDS, *CONTROL, "_lt", "_lte", "_gt", "_gte", "_ne", "_like"]:
        assert valid in problem.message
    assert repr(key) in error.detail


def test_unknown_parameter_is_refused_even_with_an_empty_value() -> None:
    assert refused_field("nmae=")[0] == "nmae"


@pytest.mark.parametrize("text", ["_sort=nmae", "_sort=age,-nmae", "_sort=-", "_sort=patientId"])
def test_unknown_sort_field_is_refused_naming_the_fields(text: str) -> None:
    field, message = refused_field(text)
    assert field == "_sort"
    assert all(name in message for name in FIELDS)


# --- sorting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("_sort=age", ['"age" ASC']),
        ("_sort=-age", ['"age" DESC']),
        ("_sort=-age,name", ['"age" DESC', 'registry_sort_key("name") ASC']),
        (
            "_sort=gender,-lastVisit,patientID",
            [
                'registry_sort_key("gender") ASC',
                '"last_visit" DESC',
                'registry_sort_key("patient_id") ASC',
            ],
        ),
        ("_sort= age , -name ", ['"age" ASC', 'registry_sort_key("name") DESC']),  # blanks
        ("_sort=", []),
        ("_sort=name&_sort=-age", ['"age" DESC']),  # the last one wins
    ],
)
def test_sort_fields_directions_and_ties_in_id_order(text: str, keys: list[str]) -> None:
    assert ordered(text) == (keys, ", ".join([*keys, '"id" ASC']))
    assert where(text) == ("TRUE", {})


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
        ("_limit=999999999", 0, MAX_WINDOW),  # nine digits: the longest control number
        ("_start=999999999", 999999999, None),
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
        ("_limit=", "_limit"),
        ("_start=1.5&_end=3", "_start"),
        ("_start=-2&_end=-1", "_start"),
        ("_end=x", "_end"),
        ("_page=abc", "_page"),
        ("_page=1.5", "_page"),
        ("_page=-1234567890", "_page"),
        ("_page=1&_per_page=-2", "_per_page"),
        ("_page=1&_per_page=ten", "_per_page"),
        ("_limit=1234567890", "_limit"),
        ("age=45abc", "age"),
        ("age=4.5", "age"),
        ("age=-", "age"),
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


# --- numbers: ASCII digits only; beyond bigint, compared as numeric ----------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("age", "\u0661"),  # ARABIC-INDIC DIGIT ONE: int() would take it
        ("age", "\uff15"),  # FULLWIDTH DIGIT FIVE
        ("age", "+5"),
        ("age", " 5"),
        ("age", "5 "),
        ("age", "5\n"),
        ("age_gt", "\u0664\u0660"),
        ("age_gt", "+5"),
        ("age_gt", " 5"),
        ("id", "+5"),
        ("lastVisit", "\u0662\u0660\u0662\u0664-01-15"),
        ("_limit", "\u0661"),
        ("_limit", "+5"),
        ("_limit", " 5"),
        ("_limit", "5 "),
        ("_start", "\uff15"),
        ("_page", "+1"),
        ("_page", "-\u0661"),
        ("_per_page", " 5"),
    ],
)
def test_finding_7_query_numbers_are_ascii_digits_only(key: str, value: str) -> None:
    extra = [("_page", "1")] if key == "_per_page" else []
    error = refused([*extra, (key, value)])
    assert [problem.field for problem in error.problems] == [key]
    assert error.detail.startswith(f"Invalid query parameter {key!r}: must be ")


def test_a_plus_in_a_query_string_is_a_blank_and_refused() -> None:
    assert refused_field("age=+5")[0] == "age"
    assert refused_field("_limit=+5")[0] == "_limit"


BIG = 2**63  # one past PostgreSQL's largest bigint


@pytest.mark.parametrize(
    ("text", "sql", "params"),
    [
        (f"age={BIG - 1}", '"age" = ANY(%(v0)s::bigint[])', {"v0": [BIG - 1]}),
        (f"age_gt=-{BIG}", '"age" > %(v0)s::bigint', {"v0": -BIG}),
        ("id=000000000000000000007", '"id" = ANY(%(v0)s::bigint[])', {"v0": [7]}),
        (f"age={BIG}", '"age" = ANY(%(v0)s::numeric[])', {"v0": [BIG]}),
        (f"age=1&age={BIG}", '"age" = ANY(%(v0)s::numeric[])', {"v0": [1, BIG]}),
        (f"age_lt=-{BIG + 1}", '"age" < %(v0)s::numeric', {"v0": -BIG - 1}),
        (f"id_ne={'9' * 100}", '"id" <> %(v0)s::numeric', {"v0": int("9" * 100)}),
    ],
)
def test_numbers_beyond_bigint_compare_as_numeric(
    text: str, sql: str, params: dict[str, Any]
) -> None:
    assert where(text) == (sql, params)


@pytest.mark.parametrize("text", [f"age={'9' * 101}", f"age_gt=-{'1' * 101}", f"id={'0' * 101}"])
def test_a_number_of_more_than_a_hundred_digits_is_refused(text: str) -> None:
    parameter = text.split("=")[0]
    field, message = refused_field(text)
    assert (field, message.startswith("must be a whole number")) == (parameter, True)


# --- bounds: MAX_PARAMETERS distinct names, MAX_VALUES values of one -----------------------


def test_the_bounds_are_fifty_names_and_a_hundred_values() -> None:
    assert (MAX_PARAMETERS, MAX_VALUES) == (50, 100)


def test_fifty_distinct_parameters_are_allowed() -> None:
    assert len(dict(pairs(FIFTY))) == MAX_PARAMETERS
    q = query(FIFTY)
    assert (len(q.where), len(q.params)) == (MAX_PARAMETERS, MAX_PARAMETERS)


def test_repeating_a_name_is_not_another_parameter() -> None:
    q = query(joined(FIFTY, "name=b", "age_gt=2"))
    assert ["a", "b"] in q.params.values()  # the second name joins the first one's array
    assert len(q.where) == MAX_PARAMETERS + 1  # the second age_gt is one more condition


@pytest.mark.parametrize("extra", ["_sort=age", "_limit=5", "nmae=1", "age_eq=1"])
def test_a_fifty_first_parameter_is_refused_naming_the_bound(extra: str) -> None:
    field, message = refused_field(joined(FIFTY, extra))
    assert field == extra.split("=")[0]
    assert f"at most {MAX_PARAMETERS} parameters" in message


def repeated(key: str, count: int) -> list[tuple[str, str]]:
    value = {"name": "a", "age_gt": "1", "patientID": "P1", "_sort": "age", "q": "x"}[key]
    return [(key, f"{value}{i}" if key == "name" else value) for i in range(count)]


@pytest.mark.parametrize("key", ["name", "age_gt", "patientID", "_sort", "q"])
def test_a_hundred_values_of_one_parameter_are_allowed(key: str) -> None:
    query(repeated(key, MAX_VALUES))


def test_a_hundred_values_are_one_array_parameter() -> None:
    assert where(repeated("name", MAX_VALUES)) == (
        '"name" = ANY(%(v0)s::text[])',
        {"v0": [f"a{i}" for i in range(MAX_VALUES)]},
    )


@pytest.mark.parametrize("key", ["name", "age_gt", "patientID", "_sort", "q"])
def test_a_hundred_and_first_value_is_refused_naming_the_bound(key: str) -> None:
    field, message = refused_field(repeated(key, MAX_VALUES + 1))
    assert field == key
    assert f"at most {MAX_VALUES} times" in message


def test_the_value_bound_is_per_parameter() -> None:
    q = query([*repeated("name", MAX_VALUES), *repeated("patientID", MAX_VALUES)])
    assert [len(values) for values in q.params.values()] == [MAX_VALUES, MAX_VALUES]


# --- statement text: the same whatever the number of repeated values ---------------------


@pytest.mark.parametrize(
    ("one", "three", "params"),
    [
        ("name=a", "name=a&name=b&name=c", {"v0": ["a", "b", "c"]}),
        ("patientID=P1", "patientID=P1&patientID=p2&patientID=P3", {"v0": ["p1", "p2", "p3"]}),
        ("age=1", "age=1&age=2&age=3", {"v0": [1, 2, 3]}),
        (
            "lastVisit=2024-01-01",
            "lastVisit=2024-01-01&lastVisit=2024-01-02&lastVisit=2024-01-03",
            {"v0": [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)]},
        ),
        (
            "gender=Male&age_gt=3",
            "gender=Male&gender=Other&gender=Female&age_gt=3",
            {"v0": ["Male", "Other", "Female"], "v1": 3},
        ),
    ],
)
def test_statement_text_does_not_depend_on_the_number_of_values(
    one: str, three: str, params: dict[str, Any]
) -> None:
    assert where(three) == (where(one)[0], params)


@pytest.mark.parametrize(("small", "big"), [("age=1", f"age={BIG}"), ("age_gt=1", f"age_gt={BIG}")])
def test_statement_text_depends_on_values_only_beyond_bigint(small: str, big: str) -> None:
    """Two texts at most per shape: bigint values, and the numeric variant beyond bigint."""
    assert where(small)[0] == where(small.replace("=1", "=-2"))[0]
    assert where(big)[0] == where(small)[0].replace("bigint", "numeric")


# --- whole_table: GET /patients with nothing asked ----------------------------------------


@pytest.mark.parametrize("text", ["", "q=", "age=", "q=&age=&gender="])
def test_whole_table_for_an_empty_query_or_empty_values(text: str) -> None:
    assert query(text).whole_table


@pytest.mark.parametrize(
    "text",
    [
        "age=1",
        "age_gt=1",
        "q=a",
        "name_like=a",
        "_sort=age",
        "_limit=5",
        "_limit=0",
        "_start=2",
        "_end=3",
        "_page=1",
        "_page=2&_per_page=5",
    ],
)
def test_not_whole_table_when_anything_is_asked(text: str) -> None:
    assert not query(text).whole_table
