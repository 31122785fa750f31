"""Database outages under a real server process: the app reaches PostgreSQL through a loopback
proxy this test can cut (the database "stops") and restore; the server is never restarted."""

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import URL

from app.principal import Role
from tests.accounts import bearer
from tests.conftest import patient
from tests.servers import ServerURL, running_server

UNAVAILABLE = {"detail": "The database is unavailable right now; please try again shortly."}
RECOVERY_TIMEOUT_S = 15.0
# An outage is answered, not waited out: a 503 well before a client's usual 10 s timeout. The
# README's target, a 503 within 2 s, comes from the configured timeouts (HEALTH_TIMEOUT_S,
# DB_POOL_TIMEOUT, DB_CONNECT_TIMEOUT); asserting 2 s of wall-clock time is flaky on a loaded
# 2-core CI machine, so this bound is generous on purpose (speed is `make bench`'s business).
ANSWERS_WITHIN_S = 5.0


class Proxy:
    """Forwards 127.0.0.1:<port> to the test PostgreSQL (TCP, or the embedded server's unix
    socket). `close()` refuses new connections and cuts open ones, as a stopped server would."""

    def __init__(self, target: URL) -> None:
        socket_dir = target.query.get("host")
        self.unix_path = (
            str(Path(str(socket_dir)) / f".s.PGSQL.{target.port or 5432}") if socket_dir else None
        )
        self.tcp_target = (target.host or "127.0.0.1", target.port or 5432)
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> "Proxy":
        self.thread.start()
        self.open()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def url_for(self, database_url: URL) -> str:
        """`database_url` rerouted through this proxy."""
        routed = database_url.set(host="127.0.0.1", port=self.port, query={})
        return routed.render_as_string(hide_password=False)

    def open(self) -> None:
        asyncio.run_coroutine_threadsafe(self._open(), self.loop).result(5)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(5)

    async def _open(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _serve(self, client_reader: Any, client_writer: Any) -> None:
        try:
            if self.unix_path:
                upstream = await asyncio.open_unix_connection(self.unix_path)
            else:
                upstream = await asyncio.open_connection(*self.tcp_target)
        except OSError:
            client_writer.transport.abort()
            return
        server_reader, server_writer = upstream
        self.writers |= {client_writer, server_writer}
        await asyncio.gather(
            self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer)
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.writers.discard(writer)
            writer.transport.abort()


@pytest.fixture
def proxy(database_url: URL, clean_db: None) -> Iterator[Proxy]:
    with Proxy(database_url) as running:
        yield running


def timed(
    client: httpx.Client, method: str, url: str, **kwargs: Any
) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.request(method, url, **kwargs)
    return response, time.monotonic() - started


def wait_until_healthy(client: httpx.Client) -> float:
    """Seconds until /health says 200 again, polling; fails after RECOVERY_TIMEOUT_S."""
    started = time.monotonic()
    while time.monotonic() - started < RECOVERY_TIMEOUT_S:
        if client.get("/health").status_code == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError("the service did not recover by itself")


REQUESTS = [
    ("GET", "/health", None),
    ("GET", "/patients", None),
    ("GET", "/patients?name=John%20Doe&_sort=-age", None),
    ("GET", "/patients/1", None),
    ("POST", "/patients", patient(patientID="P002")),
    ("PUT", "/patients/1", patient(age=50)),
    ("PATCH", "/patients/1", {"age": 51}),
    ("DELETE", "/patients/1", None),
]


def assert_all_unavailable(client: httpx.Client, server: ServerURL) -> None:
    for method, url, body in REQUESTS:
        response, seconds = timed(client, method, url, json=body)
        assert response.status_code == 503, (method, url, response.text)
        assert seconds < ANSWERS_WITHIN_S, (method, url, seconds)
        if url == "/health":
            assert response.json()["database"] == "unreachable"
        else:
            assert response.json() == UNAVAILABLE
    assert "Traceback" not in server.log()


def test_database_stops_and_returns_under_a_running_server(
    proxy: Proxy, database_url: URL, tokens: dict[Role, str]
) -> None:
    with (
        running_server(proxy.url_for(database_url)) as server,
        httpx.Client(base_url=server, timeout=10, headers=bearer(tokens[Role.CLINICIAN])) as client,
    ):
        assert client.post("/patients", json=patient()).status_code == 201
        assert client.get("/patients/1").status_code == 200

        proxy.close()  # the database "stops": open connections cut, new ones refused
        assert_all_unavailable(client, server)

        proxy.open()
        wait_until_healthy(client)
        assert server.process.poll() is None  # same process, never restarted
        assert client.get("/patients/1").json() == {"id": 1, **patient()}
        assert client.post("/patients", json=patient(patientID="P002")).status_code == 201
        assert client.patch("/patients/1", json={"age": 51}).status_code == 200
        assert "unhandled" not in server.log()


def test_server_starts_with_the_database_down_and_recovers(
    proxy: Proxy, database_url: URL, tokens: dict[Role, str]
) -> None:
    proxy.close()
    with (
        running_server(proxy.url_for(database_url), healthy=False) as server,
        httpx.Client(base_url=server, timeout=10, headers=bearer(tokens[Role.CLINICIAN])) as client,
    ):
        assert_all_unavailable(client, server)
        assert "database unreachable at start-up" in server.log()

        proxy.open()
        wait_until_healthy(client)
        assert client.post("/patients", json=patient()).status_code == 201
        assert client.get("/patients/1").status_code == 200
        deadline = time.monotonic() + RECOVERY_TIMEOUT_S
        while "database reachable" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.1)  # the start-up watch retries with backoff and says when it is back
        assert "database reachable" in server.log()
