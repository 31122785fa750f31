"""Reads: json-server 1.0.0-beta.3 and this API must answer every request here identically.

Each test sends a themed list of queries; a few expected answers are spelled out as well, so a
change on both sides at once cannot pass unnoticed.
"""

from collections.abc import Callable

import pytest

from tests.contract.twin import RECORDS, Twin, ids

ALL = [record["patientID"] for record in RECORDS]

EQUALITY = [
    "",
    "gender=Male",
    "gender=Female",
    "gender=Other",
    "gender=male",
    "gender=Nobody",
    "age=45",
    "age=28",
    "age=045",
    "age=0",
    "name=John%20Doe",
    "name=John+Doe",
    "name=john%20doe",
    "name=Jos%C3%A9%20%C3%81lvarez",
    "name=%C3%89mile%20Zola",
    "medicalCondition=Asthma",
    "medicalCondition=Type%202%20Diabetes",
    "lastVisit=2024-02-20",
    "lastVisit=2024-12-31",
    "patientID=P004",
    "patientID=p003",
    "patientID=pA009",
    "gender=Male&age=45",
    "gender=Female&medicalCondition=Migraine",
    "gender=Male&age=28",
    "gender=",
    "age=",
    "gender=&age=32",
]

OPERATORS = [
    "age_lt=40",
    "age_lte=32",
    "age_gt=45",
    "age_gte=45",
    "age_ne=45",
    "age_gt=40&age_lt=60",
    "age_gte=28&age_lte=28",
    "age_gt=100",
    "age_lt=1",
    "age_ne=28&gender=Female",
    "gender_ne=Male",
    "gender_ne=male",
    "name_ne=John%20Doe",
    "medicalCondition_ne=Asthma",
    "patientID_ne=P004",
    "lastVisit_ne=2024-02-20",
    "gender_ne=Male&age_gt=30",
    "age_gt=",
    "age_ne=",
    "age_gt=&gender=Other",
]

SORTS = [
    "_sort=age",
    "_sort=-age",
    "_sort=name",
    "_sort=-name",
    "_sort=patientID",
    "_sort=-patientID",
    "_sort=gender",
    "_sort=-gender",
    "_sort=lastVisit",
    "_sort=-lastVisit",
    "_sort=medicalCondition",
    "_sort=-medicalCondition",
    "_sort=age,name",
    "_sort=-age,name",
    "_sort=age,-name",
    "_sort=gender,-age",
    "_sort=-gender,age,-lastVisit",
    "_sort=medicalCondition,-patientID",
    "_sort=name,age",
    "_sort=-name,-age",
    "_sort=",
]

SLICES = [
    "_start=1&_end=3",
    "_start=0&_end=12",
    "_end=2",
    "_end=0",
    "_limit=2",
    "_limit=0",
    "_limit=100",
    "_start=1&_limit=2",
    "_start=1&_end=3&_limit=1",
    "_end=2&_limit=3",
    "_start=0&_limit=0",
    "_start=6&_end=100",
    "_start=3&_end=1",
    "_start=10&_end=12",
    "_start=12&_end=20",
    "_limit=2&_page=2",
    "_page=1&_start=2&_end=4",
    "_page=1&_limit=3",
]

PAGES = [
    "_page=1",
    "_page=2",
    "_page=3",
    "_page=99",
    "_page=2&_per_page=5",
    "_page=3&_per_page=5",
    "_page=4&_per_page=5",
    "_page=1&_per_page=12",
    "_page=2&_per_page=12",
    "_page=1&_per_page=100",
    "_page=-1&_per_page=5",
    "_page=1&_per_page=0",
    "_page=1&_per_page=1",
    "_page=12&_per_page=1",
    "_page=0",
    "_per_page=3",
    "_end=3&_page=2&_per_page=2",
    "gender=Nobody&_page=1",
    "gender=Nobody&_page=3&_per_page=2",
]

COMBINED = [
    "gender=Male&_sort=-age",
    "gender=Male&_sort=-age&_limit=2",
    "gender=Male&_start=1&_limit=2",
    "gender=Female&_sort=name&_page=2&_per_page=2",
    "age_gte=32&_sort=-age,name&_start=1&_end=5",
    "medicalCondition=Hypertension&_sort=lastVisit&_page=1&_per_page=2",
    "medicalCondition=Hypertension&_sort=lastVisit&_page=2&_per_page=2",
    "age_lt=50&_sort=-lastVisit&_limit=3",
    "gender_ne=Male&age_gt=30&_sort=name",
    "age_ne=45&_sort=-age&_page=2&_per_page=3",
    "age_ne=45&_sort=-age&_page=9&_per_page=3",
    "gender=Other&_sort=-age&_page=1&_per_page=5",
    "age=45&_sort=-name&_end=2",
    "gender=Nobody&_sort=age&_start=0&_end=5",
]


async def check_all(twin: Twin, queries: list[str]) -> None:
    for query in queries:
        await twin.check_get(query)


async def test_list_without_query_is_every_record_in_insertion_order(twin: Twin) -> None:
    assert ids(await twin.check_get("")) == ALL


async def test_equality_filters(twin: Twin) -> None:
    assert ids(await twin.check_get("age=45")) == ["P001", "p003", "P008"]
    await check_all(twin, EQUALITY)


@pytest.mark.parametrize("query", [q.split("&")[0] for q in OPERATORS[:9]])
async def test_each_number_operator(twin: Twin, query: str) -> None:
    body = await twin.check_get(query)
    value = int(query.split("=")[1])
    op = query.split("=")[0].removeprefix("age_")
    expected: Callable[[int], bool] = {
        "lt": lambda age: age < value,
        "lte": lambda age: age <= value,
        "gt": lambda age: age > value,
        "gte": lambda age: age >= value,
        "ne": lambda age: age != value,
    }[op]
    assert ids(body) == [r["patientID"] for r in RECORDS if expected(r["age"])]


async def test_operators_on_numbers_and_text_combined(twin: Twin) -> None:
    assert ids(await twin.check_get("gender_ne=Male&age_gt=30")) == [
        "P002",
        "P006",
        "P007",
        "pA009",
        "P011",
    ]
    await check_all(twin, OPERATORS)


async def test_sorting_with_ties_in_both_directions(twin: Twin) -> None:
    # ties keep insertion order, also when descending (json-server's sort is stable)
    assert ids(await twin.check_get("_sort=-age")) == [
        "pA009",
        "P005",
        "P011",
        "P007",
        "P001",
        "p003",
        "P008",
        "P002",
        "P006",
        "P012",
        "P004",
        "P010",
    ]
    # text ignores case and accents: alice < Ana < Bob < Chloé < Élodie < Émile < ...
    assert ids(await twin.check_get("_sort=name"))[:6] == [
        "P004",
        "P010",
        "P006",
        "pA009",
        "P011",
        "P008",
    ]
    await check_all(twin, SORTS)


async def test_start_end_limit_slices(twin: Twin) -> None:
    assert ids(await twin.check_get("_start=1&_end=3")) == ["P002", "p003"]
    await check_all(twin, SLICES)


async def test_page_envelope_including_last_page_past_end_and_empty(twin: Twin) -> None:
    assert await twin.check_get("_page=3&_per_page=5") == {
        "first": 1,
        "prev": 2,
        "next": None,
        "last": 3,
        "pages": 3,
        "items": 12,
        "data": [r | {"id": r["patientID"]} for r in RECORDS[10:]],
    }
    assert await twin.check_get("gender=Nobody&_page=1") == {
        "first": 1,
        "prev": None,
        "next": None,
        "last": 0,
        "pages": 0,
        "items": 0,
        "data": [],
    }
    await check_all(twin, PAGES)


async def test_filters_combined_with_sort_and_pages(twin: Twin) -> None:
    await check_all(twin, COMBINED)


async def test_get_one_by_id(twin: Twin) -> None:
    for record in RECORDS:
        answer = await twin.check("GET", "/patients/{}", ref=record["patientID"])
        assert answer.body == record | {"id": record["patientID"]}


async def test_get_unknown_id_is_404_on_both(twin: Twin) -> None:
    for path in ("/patients/nope", "/patients/999", "/patients/0"):
        assert (await twin.check("GET", path)).status == 404
