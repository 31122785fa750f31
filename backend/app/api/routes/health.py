"""`/health`: for load balancers and people; 200 when the database answers, else 503."""

from fastapi import APIRouter, Request, Response

from app.api.deps import DatabaseDep
from app.schemas.health import HealthReport
from app.services import health_service

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthReport,
    responses={503: {"model": HealthReport, "description": "Database unreachable"}},
)
async def health(request: Request, database: DatabaseDep) -> Response:
    """A real `SELECT 1` with a short timeout; never cached."""
    report = await health_service.check(database, request.app.state.settings.health_timeout_s)
    return Response(
        report.model_dump_json(),
        200 if report.status == "ok" else 503,
        {"Cache-Control": "no-store"},
        media_type="application/json",
    )
