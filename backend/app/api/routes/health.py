"""`/health`: for load balancers and people; 200 when the database answers, else 503."""

from fastapi import APIRouter, Request, Response
from psycopg import OperationalError
from psycopg_pool import PoolTimeout

from app.api.deps import DatabaseDep, get_admin, get_staff
from app.errors import RegistryError
from app.schemas.health import HealthReport
from app.services import health_service

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthReport,
    responses={503: {"model": HealthReport, "description": "Database unreachable"}},
)
async def health(request: Request, database: DatabaseDep) -> Response:
    """A real `SELECT 1` with a short timeout; never cached. Open to anyone (load balancers
    send no credentials), and the same 200 or 503 whoever asks; a failed backup makes it
    `degraded`, still 200 (the service serves; an operator has to look).

    `version` is there only for a signed-in admin, and omitted (not null) for anyone else: the
    release number would tell an attacker which known flaws to try. A missing or invalid
    credential is not refused here; it only leaves the version out.
    """

    async def admin_asks() -> bool:
        try:
            await get_admin(await get_staff(request))
        except (RegistryError, OperationalError, PoolTimeout):
            return False  # not signed in, not an admin, or the database failed meanwhile
        return True

    settings = request.app.state.settings
    report = await health_service.check(
        database, settings.health_timeout_s, settings.backup_dir, admin_asks
    )
    return Response(
        report.model_dump_json(exclude_none=True),
        503 if report.status == "unavailable" else 200,
        {"Cache-Control": "no-store"},
        media_type="application/json",
    )
