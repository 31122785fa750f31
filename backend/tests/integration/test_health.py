"""GET /health: a real `SELECT 1`; 200 and "ok" when the database answers, 503 when not."""

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.config import VERSION, Settings
from app.main import create_app
from tests.servers import free_port


async def test_health_ok_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "database", "timestamp", "version"}
    assert (body["status"], body["database"], body["version"]) == ("ok", "reachable", VERSION)
    stamp = datetime.fromisoformat(body["timestamp"])
    assert abs(stamp - datetime.now(UTC)) < timedelta(seconds=30)
    assert response.headers["cache-control"] == "no-store"


@pytest.fixture(scope="module")
async def app_without_database(settings: Settings) -> AsyncIterator[Any]:
    """The app pointed at a loopback port where no PostgreSQL listens."""
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/registry"
    application = create_app(settings.model_copy(update={"database_url": nowhere}))
    async with application.router.lifespan_context(application):  # starts despite the outage
        yield application


@pytest.fixture
async def down(app_without_database: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_without_database)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_health_503_when_the_database_is_unreachable(down: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await down.get("/health")
    assert time.monotonic() - started < 2.0
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["version"]) == (
        "unavailable",
        "unreachable",
        VERSION,
    )


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/patients", None),
        ("GET", "/patients?name=John&_sort=age", None),
        ("GET", "/patients/1", None),
        (
            "POST",
            "/patients",
            {
                "patientID": "P1",
                "name": "A",
                "age": 3,
                "gender": "Male",
                "medicalCondition": "B",
                "lastVisit": "2024-01-01",
            },
        ),
        ("PATCH", "/patients/1", {"age": 3}),
        ("DELETE", "/patients/1", None),
    ],
)
async def test_every_request_is_503_in_the_error_shape(
    down: httpx.AsyncClient, method: str, url: str, body: Any
) -> None:
    started = time.monotonic()
    response = await down.request(method, url, json=body)
    assert time.monotonic() - started < 2.0
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The database is unavailable right now; please try again shortly."
    }
    assert response.headers["retry-after"] == "2"
