"""Optimistic concurrency: ETag on every single-record answer, If-Match on PUT/PATCH/DELETE;
without If-Match, json-server's unconditional behaviour."""

from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from app.database import Database
from tests.conftest import patient

STALE = {
    "detail": "The patient was changed by someone else since you read it; reload it and try again."
}


async def create(client: httpx.AsyncClient) -> str:
    response = await client.post("/patients", json=patient())
    assert response.status_code == 201
    return response.headers["etag"]


async def test_post_and_get_answer_the_version_as_etag(client: httpx.AsyncClient) -> None:
    assert await create(client) == '"1"'
    assert (await client.get("/patients/1")).headers["etag"] == '"1"'


async def test_every_update_moves_the_etag_and_answers_the_new_one(
    client: httpx.AsyncClient,
) -> None:
    await create(client)
    put = await client.put("/patients/1", json=patient(age=50))
    patch = await client.patch("/patients/1", json={"age": 51})
    assert (put.headers["etag"], patch.headers["etag"]) == ('"2"', '"3"')
    assert (await client.get("/patients/1")).headers["etag"] == '"3"'


@pytest.mark.parametrize(
    ("method", "body"), [("PUT", patient(age=50)), ("PATCH", {"age": 50}), ("DELETE", None)]
)
async def test_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, method: str, body: Any
) -> None:
    await create(client)
    await client.patch("/patients/1", json={"name": "Changed Elsewhere"})  # now at "2"
    response = await client.request(method, "/patients/1", json=body, headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.json() == STALE
    current = await client.get("/patients/1")
    assert current.json() == {"id": 1, **patient(name="Changed Elsewhere")}
    assert current.headers["etag"] == '"2"'


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [("PUT", patient(age=50), 200), ("PATCH", {"age": 50}, 200), ("DELETE", None, 200)],
)
@pytest.mark.parametrize("if_match", ['"1"', "*", '"7", "1"', ' "1" '])
async def test_current_or_any_if_match_lets_the_write_through(
    client: httpx.AsyncClient, method: str, body: Any, status: int, if_match: str
) -> None:
    await create(client)
    response = await client.request(
        method, "/patients/1", json=body, headers={"If-Match": if_match}
    )
    assert response.status_code == status
    expected = 404 if method == "DELETE" else 200
    assert (await client.get("/patients/1")).status_code == expected


NEVER_ISSUED = ['W/"1"', "1", '"abc"', '"1', '""', '"\u0661"'.encode(), "garbage"]


@pytest.mark.parametrize("if_match", NEVER_ISSUED)
async def test_tags_this_server_never_issued_never_match(
    client: httpx.AsyncClient, if_match: str | bytes
) -> None:
    await create(client)
    # str and bytes values each go as httpx sends them (a str as ASCII, bytes untouched)
    headers: dict[str, str] | dict[bytes, bytes] = (
        {"If-Match": if_match} if isinstance(if_match, str) else {b"If-Match": if_match}
    )
    response = await client.patch("/patients/1", json={"age": 50}, headers=headers)
    assert response.status_code == 412
    assert (await client.get("/patients/1")).json()["age"] == 45


@pytest.mark.parametrize(("method", "body"), [("PUT", patient()), ("PATCH", {"age": 3})])
@pytest.mark.parametrize("if_match", ["*", '"1"'])
async def test_if_match_on_a_missing_record_is_404(
    client: httpx.AsyncClient, method: str, body: Any, if_match: str
) -> None:
    response = await client.request(
        method, "/patients/9", json=body, headers={"If-Match": if_match}
    )
    assert response.status_code == 404
    deleted = await client.delete("/patients/9", headers={"If-Match": if_match})
    assert deleted.status_code == 404


async def test_without_if_match_the_last_writer_wins_as_in_json_server(
    client: httpx.AsyncClient,
) -> None:
    await create(client)
    await client.patch("/patients/1", json={"age": 60})
    response = await client.put("/patients/1", json=patient(age=70))
    assert response.status_code == 200
    assert (await client.delete("/patients/1")).json()["age"] == 70


async def test_lists_carry_no_etag(client: httpx.AsyncClient) -> None:
    await create(client)
    assert "etag" not in (await client.get("/patients")).headers


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first word of each SQL statement the app sends, in order, seen at the driver.
    Pool pings (empty statements) aside."""
    seen: list[str] = []
    execute = psycopg.AsyncCursor.execute

    async def record(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query, sql.Composable):
            text = query.as_string()
        else:
            text = query.decode() if isinstance(query, bytes) else str(query)
        if text.strip():
            seen.append(text.split(None, 1)[0].upper())
        return await execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", record)
    return seen


async def test_get_one_with_its_etag_is_one_statement(
    client: httpx.AsyncClient, statements: list[str]
) -> None:
    await create(client)
    statements.clear()
    response = await client.get("/patients/1")
    assert response.headers["etag"] == '"1"'
    # The bearer token's owner comes from the credential cache (warmed by `create`); a pooled
    # connection last used for a write first switches its commit mode (database.CommitMode).
    assert statements in (["WITH"], ["SET", "WITH"])  # the read and its audit event


async def test_a_connection_commits_asynchronously_only_for_reads_and_their_events(
    app: Any,
) -> None:
    """A read's event is committed without waiting for its WAL flush (`disclosing`); anything
    else waits: a pooled connection is switched back before it serves anything else."""
    database: Database = app.state.database
    async with database.disclosing() as connection:
        shown = await (await connection.execute(b"SHOW synchronous_commit")).fetchone()
        assert shown == ("off",)
        await database.commits.set(connection, False)  # what `reader` and `unit_of_work` do
        shown = await (await connection.execute(b"SHOW synchronous_commit")).fetchone()
        assert shown == ("on",)
    async with database.unit_of_work() as connection:
        shown = await (await connection.execute(b"SHOW synchronous_commit")).fetchone()
        assert shown == ("on",)


async def test_conditional_put_and_delete_are_one_statement_each(
    client: httpx.AsyncClient, statements: list[str]
) -> None:
    etag = await create(client)
    statements.clear()
    put = await client.put("/patients/1", json=patient(age=50), headers={"If-Match": etag})
    deleted = await client.delete("/patients/1", headers={"If-Match": put.headers["etag"]})
    assert (put.status_code, deleted.status_code) == (200, 200)
    # Each a write with its version and audit event; the token's owner: from the credential cache
    assert statements == ["WITH", "WITH"]
