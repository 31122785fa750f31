"""Racing writers against a real server process: nothing lost, exactly one winner per
patientID, never a 500; and optimistic concurrency with ETag / If-Match."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import URL, create_engine, text

from app.principal import Role
from tests.accounts import bearer
from tests.conftest import patient
from tests.servers import running_server


@pytest.fixture(scope="module")
def live_server(database_url: URL) -> Iterator[str]:
    with running_server(database_url.render_as_string(hide_password=False)) as url:
        yield url


@pytest.fixture
async def http(live_server: str, clean_db: None, tokens: dict[Role, str]) -> Any:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    headers = bearer(tokens[Role.CLINICIAN])
    async with httpx.AsyncClient(
        base_url=live_server, limits=limits, timeout=30, headers=headers
    ) as client:
        yield client


def stored_rows(database_url: URL) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT patient_id, name, version FROM patients")).all()
    engine.dispose()
    return [tuple(row) for row in rows]


async def test_200_parallel_posts_with_distinct_ids_store_200_rows(
    http: httpx.AsyncClient, database_url: URL
) -> None:
    bodies = [patient(patientID=f"C{n:03}", name=f"Person {n}") for n in range(200)]
    responses = await asyncio.gather(*(http.post("/patients", json=body) for body in bodies))
    assert Counter(r.status_code for r in responses) == {201: 200}
    assert len({r.json()["id"] for r in responses}) == 200
    rows = stored_rows(database_url)
    assert sorted(row[0] for row in rows) == [f"C{n:03}" for n in range(200)]
    listed = await http.get("/patients", params={"_limit": 1})
    assert listed.headers["x-total-count"] == "200"


async def test_50_parallel_posts_with_one_id_give_one_201_and_49_409s(
    http: httpx.AsyncClient, database_url: URL
) -> None:
    bodies = [
        patient(patientID="DUP-1" if n % 2 else "dup-1", name=f"Racer {n}") for n in range(50)
    ]
    responses = await asyncio.gather(*(http.post("/patients", json=body) for body in bodies))
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 49}
    winner = next(r.json() for r in responses if r.status_code == 201)
    assert all(
        r.json()["errors"]
        == [{"field": "patientID", "message": "is already used by another patient"}]
        for r in responses
        if r.status_code == 409
    )
    assert stored_rows(database_url) == [(winner["patientID"], winner["name"], 1)]


async def test_parallel_patches_without_if_match_all_apply_in_some_order(
    http: httpx.AsyncClient,
) -> None:
    assert (await http.post("/patients", json=patient())).status_code == 201
    responses = await asyncio.gather(
        *(http.patch("/patients/1", json={"age": 20 + n}) for n in range(20))
    )
    assert Counter(r.status_code for r in responses) == {200: 20}
    final = await http.get("/patients/1")
    assert final.headers["etag"] == '"21"'  # 20 updates, none lost
    assert sorted(r.headers["etag"] for r in responses) == sorted(f'"{n}"' for n in range(2, 22))


async def test_racing_conditional_updates_let_exactly_one_win(http: httpx.AsyncClient) -> None:
    assert (await http.post("/patients", json=patient())).status_code == 201
    etag = (await http.get("/patients/1")).headers["etag"]
    responses = await asyncio.gather(
        *(
            http.request(method, "/patients/1", json=body, headers={"If-Match": etag})
            for n in range(10)
            for method, body in (("PATCH", {"age": 30 + n}), ("PUT", patient(age=60 + n)))
        )
    )
    assert Counter(r.status_code for r in responses) == {200: 1, 412: 19}
    assert (await http.get("/patients/1")).headers["etag"] == '"2"'
