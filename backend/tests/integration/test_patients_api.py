"""Every route of /patients against real PostgreSQL."""

from typing import Any

import httpx
import pytest

from tests.conftest import patient

PEOPLE = [
    patient(patientID="P001", name="John Doe", age=45, lastVisit="2024-01-15"),
    patient(
        patientID="P002",
        name="Jane Smith",
        age=38,
        gender="Female",
        medicalCondition="Type 2 Diabetes",
        lastVisit="2024-02-10",
    ),
    patient(
        patientID="p003",
        name="Ana Álvarez",
        age=60,
        gender="Female",
        medicalCondition="Asthma",
        lastVisit="2023-12-02",
    ),
    patient(
        patientID="P004",
        name="Bob Stone",
        age=45,
        gender="Other",
        medicalCondition="Hypertension",
        lastVisit="2024-05-30",
    ),
]


async def seed(client: httpx.AsyncClient, people: list[dict[str, Any]] = PEOPLE) -> list[Any]:
    created = []
    for body in people:
        response = await client.post("/patients", json=body)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


async def names(client: httpx.AsyncClient, query: str) -> list[str]:
    response = await client.get(f"/patients?{query}")
    assert response.status_code == 200, response.text
    return [p["name"] for p in response.json()]


async def test_post_returns_201_with_the_record_and_a_numeric_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/patients", json=patient())
    assert response.status_code == 201
    assert response.json() == {"id": 1, **patient()}


async def test_get_list_returns_array_in_insertion_order_with_total(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    response = await client.get("/patients")
    assert response.status_code == 200
    assert [p["patientID"] for p in response.json()] == ["P001", "P002", "p003", "P004"]
    assert response.headers["x-total-count"] == "4"
    assert response.headers["content-type"] == "application/json"


async def test_get_one_and_404(client: httpx.AsyncClient) -> None:
    await seed(client)
    assert (await client.get("/patients/3")).json()["name"] == "Ana Álvarez"
    missing = await client.get("/patients/99")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No patient with this id."}
    assert (await client.get("/patients/3e3a")).status_code == 404


async def test_one_record_is_written_as_compactly_as_a_list(client: httpx.AsyncClient) -> None:
    """One serializer for every answer: the same bytes alone and inside a list."""
    await client.post("/patients", json=patient())
    one = (await client.get("/patients/1")).content
    assert one.startswith(b'{"id":1,"patientID":"P001",')
    assert (await client.get("/patients?id=1")).content == b"[" + one + b"]"


async def test_put_replaces_every_field(client: httpx.AsyncClient) -> None:
    await seed(client)
    body = patient(patientID="P001", name="John Q. Doe", age=46, lastVisit="2024-06-01")
    response = await client.put("/patients/1", json=body)
    assert response.status_code == 200
    assert response.json() == {"id": 1, **body}
    assert (await client.get("/patients/1")).json() == {"id": 1, **body}


async def test_put_missing_fields_is_400_and_changes_nothing(client: httpx.AsyncClient) -> None:
    await seed(client)
    response = await client.put("/patients/1", json={"name": "Only Name"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {"patientID", "age", "gender"}
    assert (await client.get("/patients/1")).json()["name"] == "John Doe"


async def test_put_body_id_is_ignored_the_path_names_the_record(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    assert (await client.put("/patients/1", json={"id": "1", **PEOPLE[0]})).status_code == 200
    other = await client.put("/patients/1", json={"id": 2, **PEOPLE[0], "age": 50})
    assert other.status_code == 200
    assert other.json()["id"] == 1
    assert (await client.get("/patients/2")).json()["age"] == 38


async def test_patch_merges_and_validates_the_merged_record(client: httpx.AsyncClient) -> None:
    await seed(client)
    response = await client.patch("/patients/2", json={"age": 39})
    assert response.status_code == 200
    assert response.json() == {"id": 2, **PEOPLE[1], "age": 39}
    bad = await client.patch("/patients/2", json={"age": 0})
    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"field": "age", "message": "must be between 1 and 150"}]


async def test_put_patch_delete_unknown_id_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.put("/patients/7", json=patient())).status_code == 404
    assert (await client.patch("/patients/7", json={"age": 3})).status_code == 404
    assert (await client.delete("/patients/7")).status_code == 404


async def test_delete_returns_the_deleted_record(client: httpx.AsyncClient) -> None:
    created = await seed(client)
    response = await client.delete("/patients/2")
    assert response.status_code == 200
    assert response.json() == created[1]
    assert (await client.get("/patients/2")).status_code == 404
    assert len((await client.get("/patients")).json()) == 3


async def test_post_duplicate_patient_id_ignoring_case_is_409(client: httpx.AsyncClient) -> None:
    await seed(client)
    response = await client.post("/patients", json=patient(patientID="P003", name="Someone"))
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {"field": "patientID", "message": "is already used by another patient"}
    ]
    assert len((await client.get("/patients")).json()) == 4


async def test_patch_to_another_patients_id_is_409(client: httpx.AsyncClient) -> None:
    await seed(client)
    response = await client.patch("/patients/1", json={"patientID": "p002"})
    assert response.status_code == 409
    assert (await client.get("/patients/1")).json()["patientID"] == "P001"


async def test_invalid_body_is_400_naming_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/patients", json=patient(age=200, gender="male", lastVisit="2024-02-30", extra=1)
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The patient record is not valid.",
        "errors": [
            {"field": "age", "message": "must be between 1 and 150"},
            {"field": "gender", "message": "must be one of Male, Female, Other"},
            {"field": "lastVisit", "message": "is not a real calendar date"},
            {"field": "extra", "message": "is not a known field"},
        ],
    }


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/patients", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The body is not valid JSON."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("gender=Female", ["Jane Smith", "Ana Álvarez"]),
        ("gender=Female&gender=Other", ["Jane Smith", "Ana Álvarez", "Bob Stone"]),
        ("age=45", ["John Doe", "Bob Stone"]),
        ("patientID=P003", ["Ana Álvarez"]),
        ("patientID=p001", ["John Doe"]),
        ("age_gt=45", ["Ana Álvarez"]),
        ("age_gte=45", ["John Doe", "Ana Álvarez", "Bob Stone"]),
        ("age_lt=45", ["Jane Smith"]),
        ("age_lte=38", ["Jane Smith"]),
        ("age_ne=45", ["Jane Smith", "Ana Álvarez"]),
        ("lastVisit_gte=2024-02-10", ["Jane Smith", "Bob Stone"]),
        ("lastVisit_lt=2024-01-01", ["Ana Álvarez"]),
        ("name_like=o", ["John Doe", "Bob Stone"]),
        ("name_like=ÁLV", ["Ana Álvarez"]),
        ("medicalCondition_like=%", []),
        ("q=hyper", ["John Doe", "Bob Stone"]),
        ("q=SMITH", ["Jane Smith"]),
        ("q=p00", ["John Doe", "Jane Smith", "Ana Álvarez", "Bob Stone"]),
        ("q=hyper&gender=Other", ["Bob Stone"]),
        ("name=John%20Doe", ["John Doe"]),
        ("gender=", ["John Doe", "Jane Smith", "Ana Álvarez", "Bob Stone"]),
        ("id=2", ["Jane Smith"]),
    ],
)
async def test_filters(client: httpx.AsyncClient, query: str, expected: list[str]) -> None:
    await seed(client)
    assert await names(client, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("_sort=age", ["Jane Smith", "John Doe", "Bob Stone", "Ana Álvarez"]),
        ("_sort=-age", ["Ana Álvarez", "John Doe", "Bob Stone", "Jane Smith"]),
        ("_sort=age,-name", ["Jane Smith", "John Doe", "Bob Stone", "Ana Álvarez"]),
        ("_sort=-age,name", ["Ana Álvarez", "Bob Stone", "John Doe", "Jane Smith"]),
        ("_sort=lastVisit", ["Ana Álvarez", "John Doe", "Jane Smith", "Bob Stone"]),
        ("_sort=name", ["Ana Álvarez", "Bob Stone", "Jane Smith", "John Doe"]),
        ("_sort=-patientID", ["Bob Stone", "Ana Álvarez", "Jane Smith", "John Doe"]),
        ("_start=1&_end=3", ["Jane Smith", "Ana Álvarez"]),
        ("_start=2", ["Ana Álvarez", "Bob Stone"]),
        ("_end=1", ["John Doe"]),
        ("_limit=2", ["John Doe", "Jane Smith"]),
        ("_start=1&_limit=2", ["Jane Smith", "Ana Álvarez"]),
        ("_start=1&_end=2&_limit=3", ["Jane Smith"]),
        ("_end=3&_limit=1", ["John Doe"]),
        ("_page=1&_limit=1", ["John Doe"]),
        ("_sort=-age&_start=1&_limit=2", ["John Doe", "Bob Stone"]),
        ("age=45&_sort=-name", ["John Doe", "Bob Stone"]),
    ],
)
async def test_sort_and_slices(client: httpx.AsyncClient, query: str, expected: list[str]) -> None:
    await seed(client)
    assert await names(client, query) == expected


async def test_slice_reports_total_matches(client: httpx.AsyncClient) -> None:
    await seed(client)
    response = await client.get("/patients?age_gte=40&_limit=1")
    assert response.headers["x-total-count"] == "3"
    assert len(response.json()) == 1


async def test_page_envelope(client: httpx.AsyncClient) -> None:
    await seed(client)
    response = await client.get("/patients?_page=2&_per_page=3&_sort=name")
    assert response.status_code == 200
    body = response.json()
    assert {k: v for k, v in body.items() if k != "data"} == {
        "first": 1,
        "prev": 1,
        "next": None,
        "last": 2,
        "pages": 2,
        "items": 4,
    }
    assert [p["name"] for p in body["data"]] == ["John Doe"]
    assert response.headers["x-total-count"] == "4"


async def test_page_past_the_end_is_the_last_page(client: httpx.AsyncClient) -> None:
    await seed(client)
    body = (await client.get("/patients?_page=99&_per_page=3")).json()
    assert (body["prev"], body["next"], body["last"]) == (1, None, 2)
    assert [p["name"] for p in body["data"]] == ["Bob Stone"]


async def test_empty_page_has_zero_pages(client: httpx.AsyncClient) -> None:
    body = (await client.get("/patients?_page=1")).json()
    assert body == {
        "first": 1,
        "prev": None,
        "next": None,
        "last": 0,
        "pages": 0,
        "items": 0,
        "data": [],
    }


async def test_page_zero_turns_paging_off(client: httpx.AsyncClient) -> None:
    await seed(client)
    assert len(await names(client, "_page=0")) == 4


async def test_page_defaults_to_ten_per_page_and_filters_apply(client: httpx.AsyncClient) -> None:
    await seed(client)
    body = (await client.get("/patients?_page=1&gender=Female")).json()
    assert body["items"] == 2
    assert body["pages"] == 1
    assert body["next"] is None
    assert [p["name"] for p in body["data"]] == ["Jane Smith", "Ana Álvarez"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("colour=red", "colour"),
        ("age_between=1", "age_between"),
        ("_sort=height", "_sort"),
        ("age_gt=old", "age_gt"),
        ("lastVisit=yesterday", "lastVisit"),
        ("_page=abc", "_page"),
        ("_limit=-1", "_limit"),
    ],
)
async def test_bad_query_is_400_naming_the_parameter(
    client: httpx.AsyncClient, query: str, field: str
) -> None:
    response = await client.get(f"/patients?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert field in body["detail"]


async def test_unknown_sort_field_names_the_valid_ones(client: httpx.AsyncClient) -> None:
    body = (await client.get("/patients?_sort=height")).json()
    assert "patientID" in body["detail"] and "lastVisit" in body["detail"]


async def test_openapi_documents_the_models(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    assert {"PatientBody", "PatientRead", "ErrorBody"} <= set(schemas)
    assert "patientID" in schemas["PatientBody"]["properties"]
    assert (await client.get("/docs")).status_code == 200


async def test_openapi_documents_every_error_and_never_422(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    post = paths["/patients"]["post"]["responses"]
    assert {"201", "400", "409", "413", "415", "500", "503"} <= set(post)
    assert post["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert {"404", "412"} <= set(paths["/patients/{id}"]["patch"]["responses"])
    every = [op["responses"] for ops in paths.values() for op in ops.values()]
    assert all("422" not in responses and "500" in responses for responses in every)


async def test_only_the_wire_names_are_accepted(client: httpx.AsyncClient) -> None:
    body = patient()
    body["patient_id"] = body.pop("patientID")
    response = await client.post("/patients", json=body)
    assert response.status_code == 400
    assert {"field": "patient_id", "message": "is not a known field"} in response.json()["errors"]
