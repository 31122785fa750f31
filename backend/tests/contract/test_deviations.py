"""Each documented deviation from json-server 1.0.0-beta.3 (README, "Deviations"), one test each.

Every test asserts json-server's answer as well as ours, so it fails if json-server's behaviour
(or ours) changes and the README row no longer tells the truth.
"""

import re
from typing import Any

import pytest

from app.errors import UnsupportedMediaType
from app.querying import CONTROL
from app.schemas.patient import FIELDS
from tests.contract.twin import JS_NOT_FOUND, NEW, OUR_NOT_FOUND, RECORDS, Answer, Twin, ids

ALL = [record["patientID"] for record in RECORDS]
HEX_ID = re.compile(r"[0-9a-f]{4}")


def where(predicate: Any) -> list[str]:
    return [record["patientID"] for record in RECORDS if predicate(record)]


def invalid_query(ours: Answer, parameter: str) -> str:
    """Our 400 for a query parameter: the one error shape, naming it; returns the message."""
    assert ours.status == 400
    assert ours.raw["detail"].startswith(f"Invalid query parameter {parameter!r}: ")
    [problem] = ours.raw["errors"]
    assert problem["field"] == parameter
    return str(problem["message"])


async def test_ids_are_integers_from_the_database(writable_twin: Twin) -> None:
    js, ours = await writable_twin.deviation("POST", "/patients", NEW)
    assert js.status == ours.status == 201
    assert HEX_ID.fullmatch(js.raw["id"])
    assert ours.raw["id"] == len(RECORDS) + 1
    # json-server's new id is random: "1014" sorts between "10" and "12" as a string
    js_ids = sorted([*(str(record["id"]) for record in RECORDS), js.raw["id"]])
    js, ours = await writable_twin.deviation("GET", "/patients/3e3a")
    assert (js.status, js.raw["patientID"]) == (200, "p003")
    assert (ours.status, ours.raw) == (404, OUR_NOT_FOUND)
    # _sort=id: json-server compares the id strings, here they are numbers
    js, ours = await writable_twin.deviation_get("_sort=id&_limit=3")
    assert [r["id"] for r in js.raw] == js_ids[:3]
    assert [r["id"] for r in ours.raw] == [1, 2, 3]


async def test_bodies_are_validated(writable_twin: Twin) -> None:
    js, ours = await writable_twin.deviation("POST", "/patients", {"name": "Only a name"})
    assert (js.status, set(js.raw)) == (201, {"id", "name"})
    assert ours.status == 400
    assert ours.raw["errors"] == [
        {"field": name, "message": "is required"}
        for name in ("patientID", "age", "gender", "medicalCondition", "lastVisit")
    ]
    js, ours = await writable_twin.deviation("PATCH", "/patients/{}", {"age": 0}, ref="P001")
    assert (js.status, js.raw["age"]) == (200, 0)
    assert (ours.status, ours.raw["errors"]) == (
        400,
        [{"field": "age", "message": "must be between 1 and 150"}],
    )
    assert len((await writable_twin.deviation_get(""))[0].raw) == len(RECORDS) + 1


async def test_bad_json_is_400_not_500(writable_twin: Twin) -> None:
    js, ours = await writable_twin.deviation("POST", "/patients", b'{"name":"bad json",')
    assert (js.status, js.media_type, js.body) == (
        500,
        "",
        "Expected double-quoted property name in JSON at position 19",
    )
    assert (ours.status, ours.raw) == (400, {"detail": "The body is not valid JSON."})


async def test_404_body_is_json(twin: Twin) -> None:
    js, ours = await twin.deviation("GET", "/patients/nope")
    assert (js.status, js.media_type, js.body) == (404, "text/plain", JS_NOT_FOUND)
    assert (ours.status, ours.media_type, ours.raw) == (404, "application/json", OUR_NOT_FOUND)


@pytest.mark.parametrize(
    ("query", "parameter", "js_answer"),
    [
        ("nmae=John", "nmae", ALL),  # unknown field: no filter at all
        ("age_eq=45", "age_eq", ALL),  # unknown operator
        ("age:gt=40", "age:gt", ALL),  # 0.17's colon syntax
        ("foo_gt=1", "foo_gt", []),  # unknown field with a range operator: nothing
    ],
)
async def test_unknown_parameters_are_400(
    twin: Twin, query: str, parameter: str, js_answer: list[str]
) -> None:
    js, ours = await twin.deviation_get(query)
    assert (js.status, ids(js.body)) == (200, js_answer)
    message = invalid_query(ours, parameter)
    assert all(name in message for name in [*FIELDS, *CONTROL, "_lt", "_lte", "_gt", "_gte"])


async def test_unknown_sort_field_is_400(twin: Twin) -> None:
    js, ours = await twin.deviation_get("_sort=nmae")
    assert (js.status, ids(js.body)) == (200, ALL)
    assert all(name in invalid_query(ours, "_sort") for name in FIELDS)


async def test_repeated_parameter_means_any_of(twin: Twin) -> None:
    js, ours = await twin.deviation_get("gender=Male&gender=Other")
    assert ids(js.body) == ALL
    assert ids(ours.body) == where(lambda r: r["gender"] in ("Male", "Other"))
    js, ours = await twin.deviation_get("age_gt=30&age_gt=50")
    assert ids(js.body) == ALL
    assert ids(ours.body) == where(lambda r: r["age"] > 50)


async def test_start_alone_slices_to_the_end(twin: Twin) -> None:
    for start in (0, 2, 11):
        js, ours = await twin.deviation_get(f"_start={start}")
        assert (js.status, js.body) == (200, [])
        assert ids(ours.body) == ALL[start:]
    js, ours = await twin.deviation_get("_start=1&_page=2")
    assert (js.body, ids(ours.body)) == ([], ALL[1:])


async def test_range_operators_compare_dates_as_dates(twin: Twin) -> None:
    js, ours = await twin.deviation_get("lastVisit_gte=2024-02-20")
    assert js.body == []
    assert ids(ours.body) == where(lambda r: r["lastVisit"] >= "2024-02-20")
    js, ours = await twin.deviation_get("lastVisit_lt=2024-01-01&_sort=-lastVisit")
    assert js.body == []
    assert ids(ours.body) == ["P004", "pA009", "P012"]


async def test_range_operators_compare_text_as_text(twin: Twin) -> None:
    js, ours = await twin.deviation_get("medicalCondition_lt=B")
    assert js.body == []
    assert ids(ours.body) == where(lambda r: r["medicalCondition"] < "B")


async def test_patient_id_equality_ignores_case(twin: Twin) -> None:
    for query, ours_answer in (("patientID=P003", ["p003"]), ("patientID=pa009", ["pA009"])):
        js, ours = await twin.deviation_get(query)
        assert (js.body, ids(ours.body)) == ([], ours_answer)


async def test_q_like_and_total_count_from_0_17(twin: Twin) -> None:
    js, ours = await twin.deviation_get("q=john")
    assert (ids(js.body), ids(ours.body)) == (ALL, ["P001", "P005"])
    js, ours = await twin.deviation_get("q=hyper&gender=Female")
    assert (ids(js.body), ids(ours.body)) == (where(lambda r: r["gender"] == "Female"), ["P007"])
    js, ours = await twin.deviation_get("name_like=jo")
    assert (ids(js.body), ids(ours.body)) == (ALL, ["P001", "p003", "P005"])
    for query, total in (("", "12"), ("gender=Male&_limit=2", "5"), ("_page=2&_per_page=5", "12")):
        js, ours = await twin.deviation_get(query)
        assert "x-total-count" not in js.headers
        assert ours.headers["x-total-count"] == total


async def test_post_with_an_id_is_400(writable_twin: Twin) -> None:
    for sent in ("abc", "1"):
        js, ours = await writable_twin.deviation("POST", "/patients", {"id": sent, **NEW})
        assert (js.status, js.raw["id"]) == (201, sent)  # "1" is now stored twice there
        assert ours.status == 400
        assert ours.raw["errors"] == [{"field": "id", "message": "is not a known field"}]
    js, ours = await writable_twin.deviation_get("id=1")
    assert [r["id"] for r in js.raw] == ["1", "1"]
    assert [r["id"] for r in ours.raw] == [1]


async def test_cors_allows_only_configured_origins(twin: Twin) -> None:
    js, ours = await twin.deviation("GET", "/patients/1", headers={"Origin": "http://evil.test"})
    assert js.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in ours.headers
    # The dev server's page, by either name (`npm run dev` prints both).
    for origin in ("http://localhost:5173", "http://127.0.0.1:5173"):
        js, ours = await twin.deviation("GET", "/patients/1", headers={"Origin": origin})
        assert js.headers["access-control-allow-origin"] == "*"
        assert ours.headers["access-control-allow-origin"] == origin


async def test_sort_folds_case_and_accents_where_locale_compare_breaks_ties(
    writable_twin: Twin,
) -> None:
    # Names equal but for case, and equal but for an accent ("Élodie Durand" is P011).
    for label, name in (("P020", "Anna Berg"), ("P021", "anna berg"), ("P022", "Elodie Durand")):
        await writable_twin.check("POST", "/patients", NEW | {"patientID": label, "name": name})
    js, ours = await writable_twin.deviation_get("_sort=name&_limit=8")
    # localeCompare: lowercase before uppercase, unaccented before accented; here: id order
    assert ids(js.body)[2:] == ["P021", "P020", "P006", "pA009", "P022", "P011"]
    assert ids(ours.body)[2:] == ["P020", "P021", "P006", "pA009", "P011", "P022"]


@pytest.mark.parametrize(
    ("query", "parameter", "js_answer"),
    [
        ("age=45abc", "age", where(lambda r: r["age"] == 45)),  # parseInt
        ("age_gt=44.9", "age_gt", where(lambda r: r["age"] > 44)),
        ("age_ne=abc", "age_ne", ALL),
        ("_limit=abc", "_limit", ALL),
        ("_limit=-1", "_limit", ALL[:-1]),
        ("_start=-2&_end=-1", "_start", ALL[-2:-1]),
        ("_page=abc", "_page", ALL),
        ("_page=1.5&_per_page=20", "_page", ALL),
        ("lastVisit=20240115", "lastVisit", []),
        ("lastVisit_lt=2024-1-1", "lastVisit_lt", []),
    ],
)
async def test_malformed_numbers_and_dates_are_400(
    twin: Twin, query: str, parameter: str, js_answer: list[str]
) -> None:
    js, ours = await twin.deviation_get(query)
    assert (js.status, ids(js.body)) == (200, js_answer)
    invalid_query(ours, parameter)


async def test_repeated_sort_takes_the_last(twin: Twin) -> None:
    js, ours = await twin.deviation_get("_sort=name&_sort=-age")
    assert (js.status, js.media_type, js.body) == (500, "", "sort.split is not a function")
    assert (ours.status, ours.body) == (200, await twin.check_get("_sort=-age"))


async def test_text_is_trimmed_and_numeric_age_stored_as_number(writable_twin: Twin) -> None:
    sent = NEW | {"name": "  Bruno Díaz ", "age": "45"}
    js, ours = await writable_twin.deviation("POST", "/patients", sent)
    assert (js.status, js.body) == (201, {"id": "P013", **sent})
    assert (ours.status, ours.body) == (201, {"id": "P013", **NEW})


async def test_duplicate_patient_id_is_409(writable_twin: Twin) -> None:
    for taken in ("P001", "p001"):
        js, ours = await writable_twin.deviation("POST", "/patients", NEW | {"patientID": taken})
        assert js.status == 201
        assert (ours.status, ours.raw["errors"]) == (
            409,
            [{"field": "patientID", "message": "is already used by another patient"}],
        )
    js, ours = await writable_twin.deviation(
        "PATCH", "/patients/{}", {"patientID": "P001"}, ref="P002"
    )
    assert (js.status, ours.status) == (200, 409)


async def test_body_must_be_sent_as_json(writable_twin: Twin) -> None:
    js, ours = await writable_twin.deviation(
        "POST", "/patients", b'{"name": "Plain"}', headers={"Content-Type": "text/plain"}
    )
    assert (js.status, set(js.raw)) == (201, {"id", "name"})
    assert (ours.status, ours.raw) == (415, {"detail": UnsupportedMediaType.detail})


async def test_trailing_slash_redirects(twin: Twin) -> None:
    for path, target in (("/patients/", "/patients"), ("/patients/{}/", "/patients/{}")):
        js, ours = await twin.deviation("GET", path, ref="P001")
        assert js.status == 200
        assert ours.status == 307
        assert ours.headers["location"].endswith(target.format(twin.ours.id_of("P001")))


async def test_head_answers_like_get_without_a_body(twin: Twin) -> None:
    js, ours = await twin.deviation("HEAD", "/patients")
    assert (js.status, js.media_type, js.body) == (200, "application/json", "")
    assert (ours.status, ours.media_type) == (200, "application/json")
    assert ours.headers["x-total-count"] == str(len(RECORDS))
    assert ours.body == ""
