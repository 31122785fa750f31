"""Persistence across server processes that own their embedded PostgreSQL: a clean restart
keeps everything; kill -9 in the middle of a stream of POSTs keeps every acknowledged record,
complete, and nothing half-written."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.accounts import bearer, cli_token
from tests.conftest import patient
from tests.servers import embedded_data_dir, running_server

WRITERS = 4
KILL_AFTER = 40  # acknowledged POSTs before the kill


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """A private PG_DATA_DIR; its PostgreSQL is stopped at the end whatever happened."""
    with embedded_data_dir("registry-persist-") as pg:
        yield pg


@pytest.fixture(scope="module")
def token(data_dir: Path) -> str:
    """A clinician's token in the server's own database, made with the operator's commands."""
    return cli_token({"PG_DATA_DIR": str(data_dir)})


def embedded(pg: Path) -> Any:
    return running_server(None, {"PG_DATA_DIR": str(pg)})


def all_patients(base_url: str, token: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{base_url}/patients", timeout=10, headers=bearer(token))
    assert response.status_code == 200
    body: list[dict[str, Any]] = response.json()
    return body


def body_for(n: int) -> dict[str, Any]:
    return patient(patientID=f"K{n:04}", name=f"Kill Test {n}", age=1 + n % 150)


def test_records_survive_a_clean_restart(data_dir: Path, token: str) -> None:
    with embedded(data_dir) as server:
        for n in range(20):
            body = patient(patientID=f"R{n:02}", name=f"Restart {n}")
            response = httpx.post(f"{server}/patients", json=body, headers=bearer(token))
            assert response.status_code == 201
        before = all_patients(server, token)
    assert not (data_dir / "postmaster.pid").exists()  # SIGTERM stopped PostgreSQL too
    with embedded(data_dir) as server:
        assert all_patients(server, token) == before
        assert len(before) == 20


async def post_until_killed(server: Any, token: str) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """WRITERS clients POST new patients until the server dies under them (kill -9 after
    KILL_AFTER acknowledgements). Returns the acknowledged records and every ID attempted."""
    acknowledged: dict[str, dict[str, Any]] = {}
    attempted: set[str] = set()
    counter = iter(range(100_000))

    async def writer(client: httpx.AsyncClient) -> None:
        while True:
            body = body_for(next(counter))
            attempted.add(body["patientID"])
            try:
                response = await client.post("/patients", json=body)
            except httpx.TransportError:
                return  # the server is gone
            assert response.status_code == 201, response.text
            acknowledged[body["patientID"]] = response.json()
            if len(acknowledged) == KILL_AFTER:
                server.process.kill()

    async with httpx.AsyncClient(base_url=server, timeout=10, headers=bearer(token)) as client:
        await asyncio.wait_for(asyncio.gather(*(writer(client) for _ in range(WRITERS))), 60)
    server.process.wait()
    return acknowledged, attempted


async def test_kill_9_mid_stream_keeps_every_acknowledged_record(
    data_dir: Path, token: str
) -> None:
    with embedded(data_dir) as server:
        before = all_patients(server, token)
        acknowledged, attempted = await post_until_killed(server, token)
    assert len(acknowledged) >= KILL_AFTER
    # PostgreSQL outlived the app; the restart reuses it and forgets the dead owner.
    with embedded(data_dir) as server:
        stored = {
            p["patientID"]: p for p in all_patients(server, token) if p["patientID"][0] == "K"
        }
        # Every acknowledged record is there, exactly as acknowledged.
        assert {key: stored.get(key) for key in acknowledged} == acknowledged
        # Anything else is a whole record that was in flight at the kill (its commit landed,
        # its answer did not): at most one per writer, and exactly what was sent.
        unacknowledged = set(stored) - set(acknowledged)
        assert unacknowledged <= attempted
        assert len(unacknowledged) <= WRITERS
        for key in unacknowledged:
            assert {k: v for k, v in stored[key].items() if k != "id"} == body_for(int(key[1:]))
        assert [p for p in all_patients(server, token) if p["patientID"][0] != "K"] == before
    assert not (data_dir / "postmaster.pid").exists()  # the restarted owner stopped it cleanly
