"""`/patients`: json-server's routes, each a parse -> service -> response model."""

from typing import Any

from fastapi import APIRouter, Response, status

from app.api.deps import (
    ActorDep,
    DatabaseDep,
    DeleterDep,
    HistoryReaderDep,
    IfMatchDep,
    ListQueryDep,
    PatientIdDep,
    RegisteredDespiteDep,
    WholeListDep,
)
from app.api.views import shown, shown_matches
from app.concurrency import etag
from app.repositories.duplicates import Match
from app.repositories.patients import PatientRecord
from app.schemas.audit import DeleteBody, HistoryEntry
from app.schemas.duplicate import MatchCandidate, MatchRead
from app.schemas.errors import ErrorBody
from app.schemas.patient import (
    PageEnvelope,
    PatientBody,
    PatientPatch,
    PatientRead,
    PatientReplaceBody,
)
from app.services import duplicate_service, patient_service

router = APIRouter(prefix="/patients", tags=["patients"])
# Every route needs a signed-in staff member (api.deps.ActorDep); a receptionist's answers
# never carry medicalCondition (api.views.shown). Each answer's audit event is written with
# its work (app/audit.py).


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}, "required": True}


ETAG = {"headers": {"ETag": _header('The record\'s version (e.g. "3"), for If-Match')}}
TOTAL = {"headers": {"X-Total-Count": _header("Matches before any slice or page")}}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid body or query"},
    503: {
        "model": ErrorBody,
        "description": "Database unavailable",
        "headers": {"Retry-After": _header("Seconds to wait before trying again")},
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such id"}
}
DUPLICATE: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "patientID already used (ignoring case)"}
}
STALE: dict[int | str, dict[str, Any]] = {
    412: {"model": ErrorBody, "description": "If-Match does not name the current version"}
}
GUARDED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not signed in (no valid session or token)"},
    403: {"model": ErrorBody, "description": "The role does not allow this"},
}


def tagged(record: PatientRecord, response: Response) -> PatientRecord:
    """A single record carries its version as the ETag, for a later If-Match."""
    response.headers["ETag"] = etag(record.version)
    return record


@router.get(
    "",
    response_model=list[PatientRead] | PageEnvelope,
    responses={200: TOTAL, **ERRORS, **GUARDED},
    summary="List patients (json-server query language)",
)
async def list_patients(
    database: DatabaseDep,
    actor: ActorDep,
    query: ListQueryDep,
    whole_list: WholeListDep,
    response: Response,
) -> list[PatientRecord] | PageEnvelope | Response:
    """Filters, `_sort`, `_start/_end/_limit` slices or the `_page` envelope; `X-Total-Count`."""
    if query.whole_table:
        return await whole_list.response(database, actor)
    found = await patient_service.list_patients(database, query, actor)
    response.headers["X-Total-Count"] = str(found.total)
    if found.page is None:
        return shown(actor.principal, found.items, response)
    envelope = PageEnvelope.build(found.items, found.total, found.page, found.per_page)
    return shown(actor.principal, envelope, response)


@router.get(
    "/{id}", response_model=PatientRead, responses={200: ETAG, **ERRORS, **NOT_FOUND, **GUARDED}
)
async def get_patient(
    database: DatabaseDep, actor: ActorDep, id: PatientIdDep, response: Response
) -> PatientRecord | Response:
    """One patient by its numeric id."""
    found = await patient_service.get_patient(database, id, actor)
    return shown(actor.principal, tagged(found, response), response)


@router.get(
    "/{id}/history",
    response_model=list[HistoryEntry],
    responses={**ERRORS, **NOT_FOUND, **GUARDED},
    summary="A patient's versions, newest first, with the fields each changed (our extension)",
)
async def patient_history(
    database: DatabaseDep, _: HistoryReaderDep, actor: ActorDep, id: PatientIdDep
) -> list[patient_service.Version]:
    """Every version of a patient: when, by whom, how, and each changed field's old and new
    value. Clinicians and admins (a version holds the medical condition)."""
    return await patient_service.patient_history(database, id, actor)


@router.post(
    "",
    response_model=PatientRead,
    status_code=status.HTTP_201_CREATED,
    responses={201: ETAG, **ERRORS, **DUPLICATE, **GUARDED},
)
async def create_patient(
    database: DatabaseDep,
    actor: ActorDep,
    data: PatientBody,
    registered_despite: RegisteredDespiteDep,
    response: Response,
) -> PatientRecord | Response:
    """Register a patient; the server assigns `id`. Never refused for looking like another
    patient: ask `POST /patients/match` first."""
    created = await patient_service.create_patient(database, data, actor, registered_despite)
    response.status_code = status.HTTP_201_CREATED
    return shown(actor.principal, tagged(created, response), response)


@router.post(
    "/match",
    response_model=list[MatchRead],
    responses={**ERRORS, **GUARDED},
    summary="Stored patients like a candidate, best first (our extension)",
)
async def match_patients(
    database: DatabaseDep, actor: ActorDep, candidate: MatchCandidate
) -> list[Match] | Response:
    """Up to 10 patients the candidate may be, each graded certain, probable or possible with
    a score (0 to 1) and the evidence; before registering, to avoid a second record of one
    person. `name` is required; `age`, `gender` and `patientID` count when given (the
    scoring rule: app/matching.py)."""
    found = await duplicate_service.match(database, candidate, actor)
    return shown_matches(actor.principal, found)


@router.put(
    "/{id}",
    response_model=PatientRead,
    responses={200: ETAG, **ERRORS, **NOT_FOUND, **DUPLICATE, **STALE, **GUARDED},
)
async def replace_patient(
    database: DatabaseDep,
    actor: ActorDep,
    data: PatientReplaceBody,
    id: PatientIdDep,
    expected: IfMatchDep,
    response: Response,
) -> PatientRecord | Response:
    """Replace every field of a patient (only if still at the If-Match version, when given)."""
    replaced = await patient_service.replace_patient(database, id, data, actor, expected)
    return shown(actor.principal, tagged(replaced, response), response)


@router.patch(
    "/{id}",
    response_model=PatientRead,
    responses={200: ETAG, **ERRORS, **NOT_FOUND, **DUPLICATE, **STALE, **GUARDED},
)
async def patch_patient(
    database: DatabaseDep,
    actor: ActorDep,
    data: PatientPatch,
    id: PatientIdDep,
    expected: IfMatchDep,
    response: Response,
) -> PatientRecord | Response:
    """Change some fields; the merged record must still satisfy every rule."""
    patched = await patient_service.patch_patient(database, id, data, actor, expected)
    return shown(actor.principal, tagged(patched, response), response)


@router.delete(
    "/{id}",
    response_model=PatientRead,
    responses={200: ETAG, **ERRORS, **NOT_FOUND, **STALE, **GUARDED},
)
async def delete_patient(
    database: DatabaseDep,
    _: DeleterDep,
    actor: ActorDep,
    id: PatientIdDep,
    expected: IfMatchDep,
    response: Response,
    body: DeleteBody | None = None,
) -> PatientRecord:
    """Delete a patient and answer the deleted record, as json-server does (not a receptionist).
    It is gone from every answer, but kept: an admin can restore it (`/deleted-patients`)."""
    reason = body.reason if body else None
    deleted = await patient_service.delete_patient(database, id, actor, expected, reason)
    return tagged(deleted, response)


# HEAD answers like GET without a body, as json-server does; kept out of the OpenAPI document.
router.add_api_route(
    "",
    list_patients,
    methods=["HEAD"],
    include_in_schema=False,
    response_model=list[PatientRead] | PageEnvelope,
)
router.add_api_route(
    "/{id}", get_patient, methods=["HEAD"], include_in_schema=False, response_model=PatientRead
)
