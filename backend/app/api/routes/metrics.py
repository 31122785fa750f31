"""`GET /metrics`: Prometheus text for a scraper holding METRICS_TOKEN, and a 404 like any
unknown route while it is unset. What is measured, and how: app/metrics.py."""

import hmac

from fastapi import APIRouter, Request, Response

from app.api.deps import DatabaseDep, SettingsDep
from app.errors import NotSignedIn, RegistryError
from app.metrics import CONTENT_TYPE, exposition

router = APIRouter(include_in_schema=False)


class MetricsDisabled(RegistryError):
    """METRICS_TOKEN is unset: answered exactly as a route that does not exist."""

    status_code = 404
    detail = "Not Found"  # Starlette's words for an unknown route


class MetricsTokenRequired(NotSignedIn):
    """No bearer token, or not METRICS_TOKEN (a staff member's token does not do)."""

    detail = "This needs the metrics token: Authorization: Bearer <METRICS_TOKEN>."


def _bearer_matches(header: str | None, expected: str) -> bool:
    """Whether `Authorization` is `Bearer <expected>`, compared in constant time."""
    scheme, _, credentials = (header or "").partition(" ")
    # Header values arrive as latin-1: encoding back gives the bytes the client sent.
    sent = credentials.strip().encode("latin-1", errors="replace")
    return scheme.lower() == "bearer" and hmac.compare_digest(sent, expected.encode())


@router.get("/metrics")
async def metrics(request: Request, database: DatabaseDep, settings: SettingsDep) -> Response:
    """The scrape: never cached, and the token never logged (the access log names the route)."""
    if settings.metrics_token is None:
        raise MetricsDisabled()
    expected = settings.metrics_token.get_secret_value()
    if not _bearer_matches(request.headers.get("authorization"), expected):
        raise MetricsTokenRequired()
    return Response(
        await exposition(database, settings),
        headers={"Cache-Control": "no-store"},
        media_type=CONTENT_TYPE,
    )
