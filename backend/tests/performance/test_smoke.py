"""The seed's generous latency bounds, against a real server process on 1,000 patients.

These are smoke checks that fail only when something is badly wrong (a lost index, a query per
row, a blocked event loop); the real targets live in `make bench` (docs/benchmarks.md).
"""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import URL, create_engine, text

from app.principal import Role
from tests.accounts import bearer
from tests.conftest import patient
from tests.servers import running_server

# Not a seed bound: it only catches a start-up that does real work it should not (a full table
# read, an index build). `make bench` measures ~1 s (docs/benchmarks.md, "Memory and start-up")
# and an idle 2-core machine ~2 s here, so a tighter bound would fail on a loaded CI machine.
START_LIMIT_S = 15.0
# The seed's own p95 bounds (tasks.md T055: GET < 500 ms, POST < 1 s), kept exactly and never
# tightened: an idle 2-core machine measures p95s of 35-65 ms here (8 to 25 times under), so
# only a lost index, a query per row or a blocked event loop trips them; real latencies are
# measured by `make bench` (docs/benchmarks.md).
GET_P95_LIMIT_S = 0.5
POST_P95_LIMIT_S = 1.0
PATIENTS = 1_000
CONCURRENCY = 10


@dataclass
class LiveServer:
    url: str
    started_in: float


@pytest.fixture(scope="module")
def live_server(database_url: URL) -> Iterator[LiveServer]:
    started = time.monotonic()
    # Each test inserts its 1,000 patients just before timing requests: the background check
    # of new patients would then run beside the timed requests, measuring it instead of them.
    quiet = {"DUPLICATE_CHECK_INTERVAL_S": "3600"}
    with running_server(database_url.render_as_string(hide_password=False), env=quiet) as url:
        yield LiveServer(url, time.monotonic() - started)


@pytest.fixture
async def http(
    live_server: LiveServer, clean_db: None, database_url: URL, tokens: dict[Role, str]
) -> Any:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO patients (patient_id, name, age, gender, medical_condition, "
                "last_visit) SELECT 'S' || lpad(n::text, 5, '0'), 'Person ' || n, 1 + n % 99, "
                "'Other', 'Asthma', DATE '2024-01-01' - n FROM generate_series(1, :count) AS n"
            ),
            {"count": PATIENTS},
        )
    engine.dispose()
    limits = httpx.Limits(max_connections=CONCURRENCY * 2)
    headers = bearer(tokens[Role.CLINICIAN])
    async with httpx.AsyncClient(
        base_url=live_server.url, limits=limits, timeout=30, headers=headers
    ) as client:
        yield client


async def timed(calls: Sequence[Callable[[], Awaitable[httpx.Response]]], expected: int) -> float:
    """Run `calls` CONCURRENCY at a time; every answer must be `expected`; return the p95 in s."""
    gate = asyncio.Semaphore(CONCURRENCY)
    seconds: list[float] = []

    async def one(call: Callable[[], Awaitable[httpx.Response]]) -> None:
        async with gate:
            started = time.perf_counter()
            answer = await call()
            seconds.append(time.perf_counter() - started)
            assert answer.status_code == expected, answer.text

    await asyncio.gather(*(one(call) for call in calls))
    return statistics.quantiles(seconds, n=20)[-1]


def test_server_starts_within_the_start_limit(live_server: LiveServer) -> None:
    assert live_server.started_in < START_LIMIT_S


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"_page": "3", "_per_page": "20", "_sort": "name"},
        {"patientID": "S00500"},
        {"q": "person 12"},
        {"age_gte": "50", "_sort": "-lastVisit", "_limit": "20"},
    ],
    ids=["full-list", "page", "patientID", "q", "filter-sort-limit"],
)
async def test_get_p95_under_500_ms(http: httpx.AsyncClient, params: dict[str, str]) -> None:
    calls = [lambda: http.get("/patients", params=params) for _ in range(60)]
    assert await timed(calls, 200) < GET_P95_LIMIT_S


async def test_get_one_p95_under_500_ms(http: httpx.AsyncClient) -> None:
    calls = [lambda n=n: http.get(f"/patients/{n}") for n in range(1, 101)]
    assert await timed(calls, 200) < GET_P95_LIMIT_S


async def test_post_p95_under_1_second(http: httpx.AsyncClient) -> None:
    calls = [
        lambda n=n: http.post("/patients", json=patient(patientID=f"N{n}")) for n in range(100)
    ]
    assert await timed(calls, 201) < POST_P95_LIMIT_S


async def test_50_concurrent_registrations_all_succeed(http: httpx.AsyncClient) -> None:
    bodies = [patient(patientID=f"R{n:02}", name=f"Registrant {n}") for n in range(50)]
    answers = await asyncio.gather(*(http.post("/patients", json=body) for body in bodies))
    assert [answer.status_code for answer in answers] == [201] * 50
    listed = await http.get("/patients", params={"patientID_like": "R", "_limit": "1"})
    assert listed.headers["X-Total-Count"] == "50"
