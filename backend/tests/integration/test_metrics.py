"""GET /metrics: Prometheus text with the METRICS_TOKEN bearer token, 401 without it, 404 while
it is unset; requests counted by route template (never a raw path or query), the pool, the
database, the backup age and failed sign-ins; one set of numbers across uvicorn workers."""

import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from pydantic import SecretStr
from sqlalchemy import URL

from app.backup.manifest import ARCHIVE_SUFFIX, MANIFEST_SUFFIX, Manifest, stem, write
from app.config import Settings
from app.main import ROUTERS
from app.principal import Principal, Role
from tests.accounts import PASSWORD, bearer, make_user, token_for
from tests.conftest import app_with, asgi_client
from tests.db import libpq
from tests.servers import free_port, running_server

TOKEN = "metrics-token-for-tests-only-0123456789"
REQUESTS = "registry_http_request_duration_seconds_count"
SAME_SITE = {"Origin": "http://test"}
# Every route's template, as the access log and the `route` label name them.
TEMPLATES = {getattr(route, "path", "") for module in ROUTERS for route in module.router.routes}
SENT = 60  # requests to the two workers
SCRAPES = 10


def samples(text: str) -> list[Sample]:
    """Every sample of a scrape, as prometheus_client's text parser reads it."""
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples `name` with these labels (0 when there is none)."""
    return sum(
        s.value
        for s in samples(text)
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def named(text: str, name: str) -> list[Sample]:
    return [s for s in samples(text) if s.name == name]


@asynccontextmanager
async def metrics_app(settings: Settings, **changes: Any) -> AsyncIterator[Any]:
    """An app with METRICS_TOKEN set (and other changes)."""
    async with app_with(settings, metrics_token=SecretStr(TOKEN), **changes) as app:
        yield app


async def scrape(http: httpx.AsyncClient) -> str:
    response = await http.get("/metrics", headers=bearer(TOKEN))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    return response.text


async def test_requests_are_counted_by_route_template_and_status_never_by_raw_path(
    settings: Settings, clean_db: None, tokens: dict[Role, str], tmp_path: Path
) -> None:
    async with (
        metrics_app(settings, backup_dir=tmp_path) as app,
        asgi_client(app, bearer(tokens[Role.CLINICIAN])) as http,
    ):
        before = await scrape(http)
        for _ in range(2):
            assert (await http.get("/patients?name=Zebulon")).status_code == 200
        assert (await http.get("/patients/999999")).status_code == 404
        middle = await scrape(http)
        assert (await http.get("/patients/Zebulon")).status_code == 404  # a name as an id
        assert (await http.get("/Zebulon/nowhere")).status_code == 404
        after = await scrape(http)

    def grew(**labels: str) -> float:
        return value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels)

    assert grew(method="GET", route="/patients", status="200") == 2
    assert value(middle, REQUESTS, method="GET", route="/patients/{id}", status="404") == (
        value(before, REQUESTS, method="GET", route="/patients/{id}", status="404") + 1
    )
    assert grew(method="GET", route="/patients/{id}", status="404") == 2
    assert grew(method="GET", route="(no route)", status="404") == 1
    assert grew(route="/metrics", status="200") == 2  # the first two scrapes
    assert "Zebulon" not in after
    routes = {s.labels["route"] for s in samples(after) if "route" in s.labels}
    assert routes <= TEMPLATES | {"(front end)", "(no route)"}
    # the histogram's buckets end at +Inf with the count
    buckets = [
        s
        for s in named(after, "registry_http_request_duration_seconds_bucket")
        if s.labels["route"] == "/patients"
        and s.labels["status"] == "200"
        and s.labels["method"] == "GET"  # earlier tests in this process sent HEAD too
    ]
    assert buckets[-1].labels["le"] == "+Inf"
    assert buckets[-1].value == value(
        after, REQUESTS, method="GET", route="/patients", status="200"
    )


async def test_pool_database_and_backup_age(
    settings: Settings, clean_db: None, tmp_path: Path
) -> None:
    async with metrics_app(settings, backup_dir=tmp_path) as app, asgi_client(app) as http:
        first = await scrape(http)
        async with app.state.database.reader():  # one connection lent out during the scrape
            held = await scrape(http)
        made = datetime.now(UTC) - timedelta(seconds=3600)
        backup = manifest(made)
        (tmp_path / backup.archive).write_bytes(b"archive")  # a manifest counts beside its archive
        write(tmp_path / (stem(made) + MANIFEST_SUFFIX), backup)
        backed_up = await scrape(http)

    assert value(first, "registry_database_up") == 1
    [roundtrip] = named(first, "registry_database_roundtrip_seconds")
    assert 0 < roundtrip.value < settings.health_timeout_s
    states = {s.labels["state"]: s.value for s in named(held, "registry_db_pool_connections")}
    assert set(states) == {"in_use", "idle"}
    assert states["in_use"] >= 1 and states["idle"] >= 0
    assert named(held, "registry_db_pool_requests_waiting")[0].value == 0
    assert named(first, "registry_backup_age_seconds") == []  # an empty BACKUP_DIR: absent
    [age] = named(backed_up, "registry_backup_age_seconds")
    assert 3600 <= age.value < 3600 + 60  # made an hour ago, plus the test's own time


def manifest(created_at: datetime) -> Manifest:
    """A backup's manifest as `python -m app backup` writes it."""
    return Manifest(
        created_at=created_at,
        archive=stem(created_at) + ARCHIVE_SUFFIX,
        bytes=1,
        sha256="0" * 64,
        encrypted=False,
        schema_revision=None,
        server_version="16",
        tool="pg_dump",
        tables={},
    )


async def test_the_database_down_is_up_0_without_a_roundtrip(settings: Settings) -> None:
    closed_port = f"postgresql://nobody@127.0.0.1:{free_port()}/nothing"
    async with (
        metrics_app(settings, database_url=closed_port, health_timeout_s=0.5) as app,
        asgi_client(app) as http,
    ):
        text = await scrape(http)
    assert value(text, "registry_database_up") == 0
    assert named(text, "registry_database_roundtrip_seconds") == []


async def test_failed_sign_ins_are_counted_with_lock_outs_apart(
    settings: Settings, clean_db: None, tmp_path: Path
) -> None:
    async with (
        metrics_app(settings, backup_dir=tmp_path, sign_in_max_failures=1) as app,
        asgi_client(app) as http,
    ):
        someone: Principal = await make_user(app.state.database, Role.CLINICIAN)
        before = await scrape(http)
        wrong = {"username": someone.username, "password": "Not-The-Password-99"}
        assert (await http.post("/auth/login", json=wrong, headers=SAME_SITE)).status_code == 401
        right = {"username": someone.username, "password": PASSWORD}
        assert (await http.post("/auth/login", json=right, headers=SAME_SITE)).status_code == 429
        after = await scrape(http)

    def grew(reason: str) -> float:
        name = "registry_sign_in_failures_total"
        return value(after, name, reason=reason) - value(before, name, reason=reason)

    assert grew("wrong_credentials") == 1
    assert grew("locked_out") == 1
    assert someone.username not in after and PASSWORD not in after


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer " + TOKEN[:-1] + "x",  # one character off
        "Bearer " + TOKEN[:-1],
        "Basic " + TOKEN,
        TOKEN,
        "Bearer",
    ],
)
async def test_without_the_token_401_in_the_json_error_shape(
    settings: Settings, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with metrics_app(settings) as app, asgi_client(app) as http:
        response = await http.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert "registry_" not in response.text and TOKEN not in response.text


async def test_a_staff_token_is_not_the_metrics_token(
    settings: Settings, tokens: dict[Role, str]
) -> None:
    async with metrics_app(settings) as app, asgi_client(app) as http:
        response = await http.get("/metrics", headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 401
    assert "registry_" not in response.text


async def test_unset_token_answers_as_an_unknown_route(app: Any) -> None:
    assert app.state.settings.metrics_token is None
    async with asgi_client(app) as http:
        answer = await http.get("/metrics", headers=bearer(TOKEN))
        unknown = await http.get("/no-such-route")
    assert answer.status_code == unknown.status_code == 404
    assert answer.json() == unknown.json()
    assert "registry_" not in answer.text


async def test_metrics_are_not_in_the_api_description(settings: Settings) -> None:
    async with metrics_app(settings) as app:
        assert "/metrics" not in app.openapi()["paths"]


def test_two_workers_answer_every_scrape_with_the_counts_of_both(database_url: URL) -> None:
    url = libpq(database_url)
    clinician = bearer(token_for(url))
    with tempfile.TemporaryDirectory(prefix="registry-metrics-test-") as folder:
        tmp = Path(folder)
        with running_server(
            url, {"METRICS_TOKEN": TOKEN, "TMPDIR": folder}, options=["--workers", "2"]
        ) as server:
            [shared] = tmp.glob("registry-metrics-*")  # serve's private folder for the workers
            assert shared.stat().st_mode & 0o777 == 0o700

            def get(_: int) -> int:
                # A connection each (no keep-alive), in parallel: both workers take some.
                return httpx.get(f"{server}/patients?_limit=1", headers=clinician).status_code

            with ThreadPoolExecutor(8) as pool:
                assert set(pool.map(get, range(SENT))) == {200}
            scrapes = [
                httpx.get(f"{server}/metrics", headers=bearer(TOKEN)) for _ in range(SCRAPES)
            ]
        assert not shared.exists()  # removed when the server stopped

    for response in scrapes:
        assert response.status_code == 200
        text = response.text
        assert value(text, REQUESTS, route="/patients", status="200") == SENT
        # Measured by the worker answering the scrape: once, not once per worker.
        assert len(named(text, "registry_database_up")) == 1
        assert len(named(text, "registry_database_roundtrip_seconds")) == 1
        # Added up over the live workers: one sample per state, no per-process series.
        states = [s.labels for s in named(text, "registry_db_pool_connections")]
        assert sorted(s["state"] for s in states) == ["idle", "in_use"]
        assert all(set(labels) == {"state"} for labels in states)
