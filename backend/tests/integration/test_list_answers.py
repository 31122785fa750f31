"""List answers: the cached full list is byte for byte what the response model writes, pages
count and show one snapshot under concurrent writes, and the query language is bounded."""

import asyncio
import tracemalloc
from itertools import product
from typing import Any

import httpx
import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import URL

from app.database import Database
from app.services import patient_service
from tests.conftest import patient
from tests.db import libpq


async def register(client: httpx.AsyncClient, count: int) -> None:
    for n in range(count):
        body = patient(patientID=f"L{n:04d}", name=f"Name {n % 7}", age=1 + n % 90)
        assert (await client.post("/patients", json=body)).status_code == 201


async def test_cached_full_list_is_what_the_response_model_writes(
    client: httpx.AsyncClient,
) -> None:
    await register(client, 25)
    whole = await client.get("/patients")  # the cached rendering
    again = await client.get("/patients")
    modelled = await client.get("/patients?_sort=id")  # FastAPI's response_model path
    assert whole.content == again.content == modelled.content
    assert whole.headers["x-total-count"] == modelled.headers["x-total-count"] == "25"
    assert (await client.delete("/patients/3")).status_code == 200
    after = await client.get("/patients")
    assert after.content == (await client.get("/patients?_sort=id")).content
    assert [row["id"] for row in after.json()] == [n for n in range(1, 26) if n != 3]


async def test_a_page_counts_and_shows_one_snapshot_while_others_write(
    client: httpx.AsyncClient, database_url: URL
) -> None:
    """`items` and `data` come from one statement: the last page always holds exactly what
    `items` says is left for it, though rows come and go meanwhile."""
    await register(client, 30)
    stop = asyncio.Event()

    async def churn() -> None:
        async with await psycopg.AsyncConnection.connect(libpq(database_url)) as connection:
            await connection.set_autocommit(True)
            n = 0
            while not stop.is_set():
                n += 1
                await connection.execute(
                    "INSERT INTO patients (patient_id, name, age, gender, medical_condition,"
                    " last_visit) VALUES (%s, 'Churn', 30, 'Other', 'Flu', '2024-01-01')",
                    (f"C{n}",),
                )
                await connection.execute("DELETE FROM patients WHERE patient_id = %s", (f"C{n}",))

    writer = asyncio.create_task(churn())
    try:
        for per_page in (7, 4) * 40:
            page = (await client.get(f"/patients?_page=99&_per_page={per_page}")).json()
            left = page["items"] - (page["last"] - 1) * per_page
            assert len(page["data"]) == left, page
            filtered = await client.get(f"/patients?age_gte=1&_page=99&_per_page={per_page}")
            body = filtered.json()
            assert len(body["data"]) == body["items"] - (body["last"] - 1) * per_page, body
    finally:
        stop.set()
        await writer


async def test_query_size_is_bounded(client: httpx.AsyncClient) -> None:
    await register(client, 3)
    hundred = "&".join(f"name=n{n}" for n in range(99)) + "&name=Name%201"
    assert [row["id"] for row in (await client.get(f"/patients?{hundred}")).json()] == [2]
    too_many_values = (await client.get(f"/patients?{hundred}&name=n100")).json()
    assert too_many_values["errors"] == [
        {"field": "name", "message": "may be given at most 100 times"}
    ]
    fields = ["id", "patientID", "name", "age", "gender", "medicalCondition", "lastVisit"]
    keys = [f"{f}{op}" for f, op in product(fields, ["", "_lt", "_lte", "_gt", "_gte", "_ne"])]
    fifty = "&".join(f"{key}=" for key in keys) + "&" + "&".join(f"{f}_like=" for f in fields[:7])
    fifty += "&_sort=id"
    assert len((await client.get(f"/patients?{fifty}")).json()) == 3  # empty values: no filter
    too_many = (await client.get(f"/patients?{fifty}&q=x")).json()
    assert too_many["errors"] == [
        {"field": "q", "message": "a query may have at most 50 parameters"}
    ]


def shapes(count: int) -> list[str]:
    """`count` distinct query strings, each a different statement shape."""
    fields = ["id", "patientID", "name", "age", "gender", "medicalCondition", "lastVisit"]
    values = {"id": "1", "age": "40", "lastVisit": "2024-01-15"}
    keys = [f"{f}{op}" for f, op in product(fields, ["", "_lt", "_gte", "_ne", "_like"])]
    found: list[str] = []
    for first, second, sort in product(keys, keys, ["name", "-age", "lastVisit,-id"]):
        if first < second:
            a, b = (values.get(k.split("_")[0], "x") for k in (first, second))
            found.append(f"{first}={a}&{second}={b}&_sort={sort}&_limit=5")
        if len(found) == count:
            return found
    raise AssertionError("not enough shapes")


async def traced_memory_after(client: httpx.AsyncClient, queries: list[str]) -> int:
    for query in queries:
        assert (await client.get(f"/patients?{query}")).status_code == 200, query
    current, _ = tracemalloc.get_traced_memory()
    return current


async def test_memory_does_not_grow_with_the_number_of_query_shapes(
    client: httpx.AsyncClient,
) -> None:
    """Nothing keeps a per-shape artefact without bound (a statement cache once grew ~10 MB
    per shape): 1,000 shapes leave memory within 10 MB of what 10 leave."""
    await register(client, 5)
    many = shapes(1_010)
    tracemalloc.start()
    try:
        after_ten = await traced_memory_after(client, many[:10])
        after_thousand = await traced_memory_after(client, many[10:])
    finally:
        tracemalloc.stop()
    assert after_thousand - after_ten < 10 * 2**20, (after_ten, after_thousand)


async def test_a_full_list_read_stopped_early_gives_its_connection_back(
    client: httpx.AsyncClient, app: Any
) -> None:
    """A render cut short (the client went away) returns the connection at once, its cursor's
    transaction ended, instead of whenever the generator is collected."""
    await register(client, 3)
    database: Database = app.state.database
    idle = database.pool.get_stats()["pool_available"]
    chunks = patient_service.stream_all(database)
    first = await anext(chunks)
    assert [record.id for record in first] == [1, 2, 3]
    assert database.pool.get_stats().get("pool_available", 0) < idle + 1  # one held (or opened)
    held = database.pool.get_stats()
    await chunks.aclose()
    assert database.pool.get_stats()["pool_available"] == held.get("pool_available", 0) + 1
    async with database.reader() as connection:  # back in the pool, not in a transaction
        assert connection.info.transaction_status == TransactionStatus.IDLE
