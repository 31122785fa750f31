"""The trigger-kept total (migration 0003) that unfiltered pages report, and the generation
(migration 0005) behind the reused full list: both exact after every kind of write, including
ones that bypass the API and ones that roll back."""

import asyncio

import httpx
from sqlalchemy import URL, create_engine, text

from tests.conftest import patient


async def _items(client: httpx.AsyncClient) -> int:
    answer = await client.get("/patients", params={"_page": 1, "_per_page": 2})
    assert answer.status_code == 200
    assert answer.headers["X-Total-Count"] == str(answer.json()["items"])
    items: int = answer.json()["items"]
    return items


def _sql(database_url: URL, statement: str) -> int:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        count = connection.execute(text(statement)).rowcount
    engine.dispose()
    return count


async def test_total_follows_posts_deletes_and_direct_sql(
    client: httpx.AsyncClient, database_url: URL
) -> None:
    assert await _items(client) == 0
    for number in range(1, 6):
        created = await client.post("/patients", json=patient(patientID=f"C{number}"))
        assert created.status_code == 201
    assert await _items(client) == 5

    assert (await client.delete("/patients/2")).status_code == 200
    assert (await client.post("/patients", json=patient(patientID="c1"))).status_code == 409
    assert await _items(client) == 4  # the refused duplicate counted nothing

    inserted = _sql(
        database_url,
        "INSERT INTO patients (patient_id, name, age, gender, medical_condition, last_visit) "
        "SELECT 'S' || n, 'Sql Made', 30, 'Other', 'Asthma', DATE '2024-01-01' "
        "FROM generate_series(1, 7) AS n",
    )
    assert inserted == 7
    assert await _items(client) == 11
    assert _sql(database_url, "DELETE FROM patients WHERE patient_id LIKE 'S%'") == 7
    assert await _items(client) == 4

    _sql(database_url, "TRUNCATE patients CASCADE")
    assert await _items(client) == 0


async def test_filtered_pages_still_count_their_matches(client: httpx.AsyncClient) -> None:
    for number, gender in enumerate(["Male", "Female", "Female"]):
        await client.post("/patients", json=patient(patientID=f"F{number}", gender=gender))
    answer = await client.get("/patients", params={"_page": 1, "gender": "Female"})
    assert answer.json()["items"] == 2
    assert await _items(client) == 3


async def _names(client: httpx.AsyncClient) -> list[str]:
    answer = await client.get("/patients")
    assert answer.status_code == 200
    assert answer.headers["X-Total-Count"] == str(len(answer.json()))
    return [item["name"] for item in answer.json()]


async def test_full_list_follows_every_committed_write(
    client: httpx.AsyncClient, database_url: URL
) -> None:
    assert await _names(client) == []
    await client.post("/patients", json=patient(patientID="G1", name="Ann"))
    await client.post("/patients", json=patient(patientID="G2", name="Ben"))
    assert await _names(client) == ["Ann", "Ben"]
    assert await _names(client) == ["Ann", "Ben"]  # reused: same answer

    await client.put("/patients/1", json=patient(patientID="G1", name="Anna"))
    assert await _names(client) == ["Anna", "Ben"]
    await client.patch("/patients/2", json={"name": "Benedict"})
    assert await _names(client) == ["Anna", "Benedict"]
    refused = await client.post("/patients", json=patient(patientID="g1", name="Dup"))
    assert refused.status_code == 409  # rolled back: nothing changes
    assert await _names(client) == ["Anna", "Benedict"]

    assert _sql(database_url, "UPDATE patients SET name = 'Sql Ann' WHERE id = 1") == 1
    assert await _names(client) == ["Sql Ann", "Benedict"]
    await client.delete("/patients/1")
    assert await _names(client) == ["Benedict"]
    _sql(database_url, "TRUNCATE patients CASCADE")
    assert await _names(client) == []


async def test_concurrent_full_lists_after_a_write_all_see_it(client: httpx.AsyncClient) -> None:
    await client.post("/patients", json=patient(patientID="K1", name="Kim"))
    assert await _names(client) == ["Kim"]
    await client.post("/patients", json=patient(patientID="K2", name="Kai"))
    answers = await asyncio.gather(*(client.get("/patients") for _ in range(10)))
    assert {tuple(item["name"] for item in answer.json()) for answer in answers} == {("Kim", "Kai")}
