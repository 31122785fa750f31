"""The HTTP side of validation: 400/413/415 in the one error shape, on POST, PUT and PATCH,
and what is stored (trimmed, NFC) is what the next GET answers."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import patient

RECORD = "The patient record is not valid."
TOO_LARGE = {"detail": "The request body is too large."}
NOT_JSON = {"detail": "The request body must be JSON (Content-Type: application/json)."}


async def created(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/patients", json=patient(**overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def count(client: httpx.AsyncClient) -> int:
    return len((await client.get("/patients")).json())


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
async def test_every_failing_field_is_listed_on_each_write(
    client: httpx.AsyncClient, method: str
) -> None:
    await created(client)
    url = "/patients" if method == "POST" else "/patients/1"
    bad = patient(patientID=" P9", name="  ", age="45.5", gender="f", lastVisit="2024-2-1", x=1)
    response = await client.request(method, url, json=bad)
    assert response.status_code == 400
    assert response.json() == {
        "detail": RECORD,
        "errors": [
            {"field": "patientID", "message": "must not start or end with blanks"},
            {"field": "name", "message": "must not be blank"},
            {"field": "age", "message": "must be a whole number"},
            {"field": "gender", "message": "must be one of Male, Female, Other"},
            {"field": "lastVisit", "message": "must be a date written YYYY-MM-DD"},
            {"field": "x", "message": "is not a known field"},
        ],
    }
    assert (await client.get("/patients/1")).json() == {"id": 1, **patient()}


async def test_patch_validates_the_merged_record(client: httpx.AsyncClient) -> None:
    await created(client)
    assert (await client.patch("/patients/1", json={"age": "46"})).json()["age"] == 46
    response = await client.patch("/patients/1", json={"name": "", "age": 151})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "name", "message": "must not be blank"},
        {"field": "age", "message": "must be between 1 and 150"},
    ]
    unknown = await client.patch("/patients/1", json={"nickname": "JD"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [{"field": "nickname", "message": "is not a known field"}]
    assert (await client.get("/patients/1")).json()["age"] == 46


async def test_patch_cannot_null_a_required_field(client: httpx.AsyncClient) -> None:
    await created(client)
    response = await client.patch("/patients/1", json={"gender": None})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "gender", "message": "must be one of Male, Female, Other"}
    ]


async def test_text_is_stored_trimmed_and_nfc(client: httpx.AsyncClient) -> None:
    record = await created(client, name="  Jose\u0301 Nun\u0303ez ", medicalCondition=" Asthma\t")
    assert (record["name"], record["medicalCondition"]) == ("Jos\u00e9 Nu\u00f1ez", "Asthma")
    stored = (await client.get("/patients/1")).json()
    assert stored["name"] == "Jos\u00e9 Nu\u00f1ez"
    found = await client.get("/patients", params={"name": "Jos\u00e9 Nu\u00f1ez"})
    assert [p["id"] for p in found.json()] == [1]


async def test_numeric_string_age_is_stored_as_a_number(client: httpx.AsyncClient) -> None:
    assert (await created(client, age="45"))["age"] == 45


@pytest.mark.parametrize(
    "raw",
    [b'{"name": ', b"{'name': 'x'}", b"{", b'{"a":1}}', b"\xff\xfe", b"NaN"],
)
async def test_malformed_json_is_400(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post(
        "/patients", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] in {
        "The body is not valid JSON.",
        "The body must be a JSON object with the patient's fields.",
    }
    assert await count(client) == 0


@pytest.mark.parametrize("body", [[], [patient()], "P001", 42, None])
async def test_json_that_is_not_an_object_is_400(client: httpx.AsyncClient, body: Any) -> None:
    response = await client.post("/patients", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The body must be a JSON object with the patient's fields."
    }


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/jsonx",
        None,
    ],
)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
async def test_a_body_not_declared_json_is_415(
    client: httpx.AsyncClient, method: str, content_type: str | None
) -> None:
    await created(client)
    url = "/patients" if method == "POST" else "/patients/1"
    headers = {"content-type": content_type} if content_type else {}
    response = await client.request(method, url, content=b'{"age": 50}', headers=headers)
    assert response.status_code == 415
    assert response.json() == NOT_JSON
    assert (await client.get("/patients/1")).json()["age"] == 45


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/merge-patch+json",
    ],
)
async def test_json_media_types_are_accepted(client: httpx.AsyncClient, content_type: str) -> None:
    await created(client)
    response = await client.patch(
        "/patients/1", content=b'{"age": 50}', headers={"content-type": content_type}
    )
    assert response.status_code == 200
    assert response.json()["age"] == 50


async def test_oversized_body_announced_by_content_length_is_413(
    client: httpx.AsyncClient, app: Any
) -> None:
    limit = app.state.settings.max_body_bytes
    big = patient(name="x" * 200, medicalCondition="y" * limit)
    response = await client.post("/patients", json=big)
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert await count(client) == 0


async def test_body_at_the_limit_is_read(client: httpx.AsyncClient, app: Any) -> None:
    limit = app.state.settings.max_body_bytes
    raw = b'{"name": "x"}'
    raw = raw[:-1] + b" " * (limit - len(raw)) + b"}"
    assert len(raw) == limit
    response = await client.patch(
        "/patients/1", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 404  # read and parsed: only the id is unknown
    over = await client.patch(
        "/patients/1", content=raw + b" ", headers={"content-type": "application/json"}
    )
    assert over.status_code == 413


async def test_oversized_streamed_body_without_length_is_413(
    client: httpx.AsyncClient, app: Any
) -> None:
    limit = app.state.settings.max_body_bytes

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000
        yield b'"}'

    response = await client.post(
        "/patients", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert await count(client) == 0


async def test_errors_never_leak_internals(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/patients", content=b"{", headers={"content-type": "application/json"}
    )
    text = response.text.lower()
    for leak in ("traceback", "sqlalchemy", "psycopg", "jsondecodeerror", "line 1"):
        assert leak not in text


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("id=2147483648", 0),
        ("id_ne=2147483648", 1),
        ("age_gt=99999999999999999999999", 0),
        ("age_lt=99999999999999999999999", 1),
        ("age_gte=-99999999999999999999", 1),
        ("age=-2147483649", 0),
    ],
)
async def test_numbers_beyond_the_column_range_compare_instead_of_failing(
    client: httpx.AsyncClient, query: str, matches: int
) -> None:
    await created(client)
    response = await client.get(f"/patients?{query}")
    assert response.status_code == 200
    assert len(response.json()) == matches


@pytest.mark.parametrize("params", [{"q": "\x00"}, {"name": "a\x00"}, {"name_like": "\x00"}])
async def test_nul_characters_in_a_query_are_400_not_a_driver_error(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/patients", params=params)
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert problem == {"field": next(iter(params)), "message": "must not contain NUL characters"}
