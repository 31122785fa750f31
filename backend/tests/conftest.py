"""Fixtures: one real database per run, emptied before each test; an HTTP client on the app."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import URL, Engine, create_engine

from app.config import Settings
from app.main import create_app
from app.principal import Role
from tests.accounts import bearer, make_token
from tests.db import empty_tables, fresh_database, limit_waits, server_url

limit_waits()


@pytest.fixture(scope="session")
def database_url() -> Iterator[URL]:
    with server_url() as server, fresh_database(server) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: URL, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url.render_as_string(hide_password=False),
        environment="test",
        frontend_dist="/nonexistent",
        allowed_hosts=["test"],  # the test client's base URL
        # Tests seal the audit trail and check for duplicates themselves, when they mean to:
        # a background transaction would wait on a test's blocking statement, and it on it.
        audit_seal_interval_s=3600,
        duplicate_check_interval_s=3600,
        # Never the developer's own backups (their outcome shows in /health).
        backup_dir=tmp_path_factory.mktemp("backups") / "backups",
    )


@pytest.fixture
async def clean_db(database_url: URL) -> None:
    """Each test owns its data: start from empty tables with ids from 1 (failed sign-ins too:
    the lock-outs of one test must not throttle the next)."""
    await empty_tables(database_url)


@pytest.fixture
def owner(database_url: URL) -> Iterator[Engine]:
    """The database as its owner sees it, to read what the app may not show (audit events)."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def tokens(app: Any) -> dict[Role, str]:
    """A personal API token of one account per role, for the whole run."""
    return {role: await make_token(app.state.database, role) for role in Role}


@asynccontextmanager
async def app_with(settings: Settings, **changes: Any) -> AsyncIterator[Any]:
    """An app on the test database with some settings changed."""
    application = create_app(settings.model_copy(update=changes))
    async with application.router.lifespan_context(application):
        yield application


def asgi_client(app: Any, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """An HTTP client on the app in this process."""
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers)


def signed_in_client(role: Role | None, doc: str) -> Any:
    """A fixture: a client on the app with the run's token of `role` (None: not signed in)."""

    @pytest.fixture
    async def fixture(
        app: Any, clean_db: None, tokens: dict[Role, str]
    ) -> AsyncIterator[httpx.AsyncClient]:
        async with asgi_client(app, bearer(tokens[role]) if role else None) as http:
            yield http

    fixture.__doc__ = doc
    return fixture


# The accounts behind these tokens serve the whole run: never disable or demote them in a test.
client = signed_in_client(
    Role.CLINICIAN, "Signed in as a clinician, the role that works on patients."
)
admin = signed_in_client(Role.ADMIN, "Signed in as an admin.")
receptionist = signed_in_client(Role.RECEPTIONIST, "Signed in as a receptionist.")
anonymous = signed_in_client(None, "Not signed in.")


def patient(**overrides: Any) -> dict[str, Any]:
    """A valid patient body; tests override only what they are about."""
    body = {
        "patientID": "P001",
        "name": "John Doe",
        "age": 45,
        "gender": "Male",
        "medicalCondition": "Hypertension",
        "lastVisit": "2024-01-15",
    }
    body.update(overrides)
    return body


async def registered(http: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """A patient registered through the API (`patient(**overrides)`), as answered."""
    response = await http.post("/patients", json=patient(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
