"""`/audit`: who saw and changed which patient, for admins; looking is itself audited."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from app.api.deps import MAX_ID, AdminActorDep, DatabaseDep, PageDep, WholeNumber
from app.errors import InvalidQuery
from app.models.audit import ACTIONS
from app.repositories.audit import EventFilter
from app.schemas.audit import AuditPage
from app.services import audit_service

router = APIRouter(prefix="/audit", tags=["audit"])


def _moment(name: str, raw: str | None, end_of_day: bool) -> datetime | None:
    """An ISO date (the whole day, UTC) or date-time (UTC unless it says otherwise)."""
    if raw is None or raw == "":
        return None
    try:
        if len(raw) == 10:
            day = datetime.combine(date.fromisoformat(raw), time(), UTC)
            return day + timedelta(days=1, microseconds=-1) if end_of_day else day
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidQuery(name, "must be a date (2026-12-02) or date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def get_event_filter(
    patient_id: Annotated[WholeNumber | None, Query(alias="patientId", ge=1, le=MAX_ID)] = None,
    username: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(description=f"One of {', '.join(ACTIONS)}")] = None,
    since: Annotated[str | None, Query(alias="from")] = None,
    until: Annotated[str | None, Query(alias="to")] = None,
) -> EventFilter:
    """The filters of both views. `patientId` also finds the bulk lists that could have held
    the patient."""
    if action is not None and action not in ACTIONS:
        raise InvalidQuery("action", f"must be one of {', '.join(ACTIONS)}")
    return EventFilter(
        patient_id,
        username or None,
        action,
        _moment("from", since, False),
        _moment("to", until, True),
    )


EventFilterDep = Annotated[EventFilter, Depends(get_event_filter)]


@router.get("", response_model=AuditPage, summary="Audit events, newest first (admins)")
async def list_events(
    database: DatabaseDep,
    actor: AdminActorDep,
    wanted: EventFilterDep,
    page: PageDep,
) -> AuditPage:
    """A page of the events matching the filters, in json-server's page envelope."""
    found, total = await audit_service.events_page(database, actor, wanted, *page)
    return AuditPage.build(found, total, *page)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The events as CSV"}},
    summary="The filtered audit events as CSV (admins)",
)
async def export_events(
    database: DatabaseDep, actor: AdminActorDep, wanted: EventFilterDep
) -> StreamingResponse:
    """Every event matching the filters, newest first; the download is an `export` event."""
    chunks = await audit_service.export_csv(database, actor, wanted)
    name = f"audit-{datetime.now(UTC):%Y-%m-%d}.csv"
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
