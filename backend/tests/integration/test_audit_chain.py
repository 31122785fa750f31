"""Tamper evidence: sealed audit events are chained by hashes, `audit-verify` passes on an
untouched chain and names the first event altered or removed through a superuser connection,
and no event can slip under a seal by committing late."""

import asyncio
import contextlib
import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import URL, Engine, text

from app import audit_chain
from app.config import BACKEND_DIR
from app.database import Database
from tests.conftest import patient


@pytest.fixture
async def sealed(app: Any, client: httpx.AsyncClient) -> list[int]:
    """A few events of each kind, sealed; their ids."""
    pid = (await client.post("/patients", json=patient())).json()["id"]
    await client.get(f"/patients/{pid}")
    await client.get("/patients?_page=1")
    await client.patch(f"/patients/{pid}", json={"age": 50})
    database: Database = app.state.database
    assert await audit_chain.seal_all(database) == 4
    verdict = await audit_chain.verify(database)
    assert (verdict.problem, verdict.events, verdict.unsealed) == (None, 4, 0)
    return [1, 2, 3, 4]


def _owner_sql(owner: Engine, statement: str) -> None:
    with owner.begin() as connection:
        connection.execute(text(statement))


async def test_an_untouched_chain_verifies_across_blocks(
    app: Any, client: httpx.AsyncClient, sealed: list[int]
) -> None:
    await client.get("/patients/1")
    database: Database = app.state.database
    verdict = await audit_chain.verify(database)
    assert (verdict.problem, verdict.unsealed) == (None, 1)  # the new read is not sealed yet
    assert await audit_chain.seal(database) == 1
    verdict = await audit_chain.verify(database)
    assert (verdict.problem, verdict.blocks, verdict.events) == (None, 2, 5)
    assert await audit_chain.seal(database) == 0  # nothing new


@pytest.mark.parametrize(
    ("tampering", "named"),
    [
        ("UPDATE audit_events SET username = 'someone-else' WHERE id = 2", "event 2 was altered"),
        ("UPDATE audit_events SET patient_ids = '{7}' WHERE id = 3", "event 3 was altered"),
        ("DELETE FROM audit_events WHERE id = 3", "event 3 was removed"),
        (
            "UPDATE audit_seals SET digests = overlay(digests placing '\\x00'::bytea from 1)",
            "block 1 does not follow",
        ),
        ("DELETE FROM audit_seals", None),  # fresh events merely look not sealed yet...
        (
            "DELETE FROM audit_seals; UPDATE audit_events SET at = at - interval '11 minutes'",
            "event 1 has been unsealed for over 0:10:00",  # ...but not for long
        ),
    ],
)
async def test_tampering_through_a_superuser_is_found(
    app: Any, owner: Engine, sealed: list[int], tampering: str, named: str | None
) -> None:
    _owner_sql(owner, tampering)
    verdict = await audit_chain.verify(app.state.database)
    if named is None:
        assert (verdict.problem, verdict.unsealed) == (None, 4)
    else:
        assert verdict.problem is not None and verdict.problem.startswith(named)


async def test_a_removed_seal_between_others_is_found(
    app: Any, client: httpx.AsyncClient, owner: Engine, sealed: list[int]
) -> None:
    database: Database = app.state.database
    await client.get("/patients/1")
    await audit_chain.seal(database)
    await client.get("/patients/1")
    await audit_chain.seal(database)
    _owner_sql(owner, "DELETE FROM audit_seals WHERE block = 2")
    verdict = await audit_chain.verify(database)
    assert verdict.problem == "block 2 is missing (found block 3 in its place)"


async def test_an_event_committing_late_is_never_left_under_a_seal(
    app: Any, client: httpx.AsyncClient
) -> None:
    """A transaction that took an event id but has not committed holds the horizon back: a
    later event is not sealed until the earlier one is in."""
    database: Database = app.state.database
    await client.post("/patients", json=patient())
    async with database.unit_of_work() as slow:
        await slow.execute(
            b"INSERT INTO audit_events (action, outcome) VALUES ('read', 200)"
        )  # id 2, not committed yet
        await client.get("/patients/1")  # id 3, committed
        assert await audit_chain.seal(database) == 0  # the horizon waits for id 2
    assert await audit_chain.seal_all(database) == 3
    verdict = await audit_chain.verify(database)
    assert (verdict.problem, verdict.events) == (None, 3)


async def test_a_running_server_seals_within_seconds(app: Any, client: httpx.AsyncClient) -> None:
    database: Database = app.state.database
    sealer = asyncio.create_task(audit_chain.keep_sealing(database, 0.05))
    try:
        await client.post("/patients", json=patient())
        for _ in range(100):
            await asyncio.sleep(0.05)
            if (await audit_chain.verify(database)).unsealed == 0:
                break
        verdict = await audit_chain.verify(database)
        assert (verdict.problem, verdict.events, verdict.unsealed) == (None, 1, 0)
    finally:
        # Awaited: a sealer cancelled mid-transaction still has to roll back, and the next
        # test's cleanup would wait for its locks.
        sealer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sealer


def _audit_verify(database_url: URL) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "ENVIRONMENT": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "app", "audit-verify"],
        cwd=BACKEND_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_audit_verify_command_exits_non_zero_naming_the_broken_event(
    database_url: URL, owner: Engine, sealed: list[int]
) -> None:
    intact = await asyncio.to_thread(_audit_verify, database_url)
    assert (intact.returncode, intact.stdout.strip()) == (
        0,
        "audit chain intact: 4 events in 1 blocks; 0 newer events not sealed yet",
    )
    _owner_sql(owner, "UPDATE audit_events SET outcome = 200 WHERE id = 1")
    broken = await asyncio.to_thread(_audit_verify, database_url)
    assert (broken.returncode, broken.stdout.strip()) == (
        1,
        "audit chain BROKEN: event 1 was altered after it was sealed",
    )
