"""The browser-facing defences: security headers, no caching of patient and account answers,
the trusted-host check (DNS rebinding), Secure cookies and admin-only docs in production."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from app.principal import Role
from tests.accounts import PASSWORD, bearer, make_user
from tests.conftest import asgi_client


@asynccontextmanager
async def production_app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings.model_copy(update={"environment": "production"}))
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.parametrize("path", ["/patients", "/health", "/auth/me", "/openapi.json"])
async def test_every_answer_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    headers = (await client.get(path)).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in headers  # development: plain http is fine


@pytest.mark.parametrize("path", ["/patients", "/patients/1", "/auth/me", "/users"])
async def test_patient_and_account_answers_are_never_cached(
    client: httpx.AsyncClient, path: str
) -> None:
    assert (await client.get(path)).headers["cache-control"] == "no-store"


@pytest.mark.parametrize("host", ["evil.example", "registry.attacker.test:8000", ""])
async def test_an_unknown_host_is_refused_except_for_health(
    app: Any, tokens: dict[Role, str], host: str
) -> None:
    async with asgi_client(app, bearer(tokens[Role.CLINICIAN])) as http:
        refused = await http.get("/patients", headers={"Host": host})
        health = await http.get("/health", headers={"Host": host})
    assert refused.status_code == 400
    assert "ALLOWED_HOSTS" in refused.json()["detail"]
    assert health.status_code == 200


async def test_allowed_hosts_take_ports_and_wildcard_subdomains(
    settings: Settings, tokens: dict[Role, str]
) -> None:
    changed = settings.model_copy(update={"allowed_hosts": ["test", "*.clinic.example"]})
    application = create_app(changed)
    async with (
        application.router.lifespan_context(application),
        asgi_client(application, bearer(tokens[Role.CLINICIAN])) as http,
    ):
        for host, status in [
            ("test:8000", 200),
            ("registry.clinic.example", 200),
            ("clinic.example.evil", 400),
            ("evilclinic.example", 400),
        ]:
            assert (await http.get("/patients", headers={"Host": host})).status_code == status


async def test_production_sets_hsts_secure_cookies_and_keeps_docs_for_admins(
    settings: Settings, tokens: dict[Role, str], clean_db: None
) -> None:
    async with production_app(settings) as application:
        someone = await make_user(application.state.database, Role.CLINICIAN)
        async with asgi_client(application) as anonymous:
            health = await anonymous.get("/health")
            assert health.headers["strict-transport-security"].startswith("max-age=")
            login = await anonymous.post(
                "/auth/login",
                json={"username": someone.username, "password": PASSWORD},
                headers={"Origin": "http://test"},
            )
            assert "Secure" in login.headers["set-cookie"]
            assert (await anonymous.get("/openapi.json")).status_code == 401
        for role, status in [(Role.CLINICIAN, 403), (Role.ADMIN, 200)]:
            async with asgi_client(application, bearer(tokens[role])) as http:
                assert (await http.get("/openapi.json")).status_code == status
                assert (await http.get("/docs")).status_code == status


async def test_docs_load_swagger_ui_from_this_site_only(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    assert '<script src="/api-docs/swagger-ui-bundle.js">' in page
    assert "http" not in page.replace('lang="en"', "")  # no third-party address at all
    assert "<script>" not in page  # no inline script (the CSP forbids it)
    assert (await client.get("/redoc")).status_code == 404
