"""`/patients`: json-server's routes, each a parse -> service -> answer."""

from typing import Any

from fastapi import APIRouter, Response, status

from app.api.deps import IfMatchDep, ListQueryDep, PatientIdDep, SessionDep
from app.concurrency import etag
from app.schemas.errors import ErrorBody
from app.schemas.patient import (
    PageEnvelope,
    PatientCreate,
    PatientPatch,
    PatientRead,
    PatientReplace,
)
from app.services import patient_service

router = APIRouter(prefix="/patients", tags=["patients"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid body or query"},
    503: {"model": ErrorBody, "description": "Database unavailable"},
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


def _json(body: bytes, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code, headers, media_type="application/json")


def _record(found: patient_service.PatientJSON, status_code: int = 200) -> Response:
    """A single record, with its version as the ETag for a later If-Match."""
    return _json(found.body, status_code, {"ETag": etag(found.version)})


@router.get(
    "",
    response_model=list[PatientRead] | PageEnvelope,
    responses=ERRORS,
    summary="List patients (json-server query language)",
)
async def list_patients(session: SessionDep, query: ListQueryDep) -> Response:
    """Filters, `_sort`, `_start/_end/_limit` slices or the `_page` envelope; `X-Total-Count`."""
    found = await patient_service.list_patients(session, query)
    return _json(found.body, headers={"X-Total-Count": str(found.total)})


@router.get("/{id}", response_model=PatientRead, responses={**ERRORS, **NOT_FOUND})
async def get_patient(session: SessionDep, id: PatientIdDep) -> Response:
    """One patient by its numeric id."""
    return _record(await patient_service.get_patient(session, id))


@router.post(
    "",
    response_model=PatientRead,
    status_code=status.HTTP_201_CREATED,
    responses={**ERRORS, **DUPLICATE},
)
async def create_patient(session: SessionDep, data: PatientCreate) -> Response:
    """Register a patient; the server assigns `id`."""
    return _record(await patient_service.create_patient(session, data), status.HTTP_201_CREATED)


@router.put(
    "/{id}",
    response_model=PatientRead,
    responses={**ERRORS, **NOT_FOUND, **DUPLICATE, **STALE},
)
async def replace_patient(
    session: SessionDep, data: PatientReplace, id: PatientIdDep, expected: IfMatchDep
) -> Response:
    """Replace every field of a patient (only if still at the If-Match version, when given)."""
    return _record(await patient_service.replace_patient(session, id, data, expected))


@router.patch(
    "/{id}",
    response_model=PatientRead,
    responses={**ERRORS, **NOT_FOUND, **DUPLICATE, **STALE},
)
async def patch_patient(
    session: SessionDep, data: PatientPatch, id: PatientIdDep, expected: IfMatchDep
) -> Response:
    """Change some fields; the merged record must still satisfy every rule."""
    return _record(await patient_service.patch_patient(session, id, data, expected))


@router.delete("/{id}", response_model=PatientRead, responses={**ERRORS, **NOT_FOUND, **STALE})
async def delete_patient(session: SessionDep, id: PatientIdDep, expected: IfMatchDep) -> Response:
    """Delete a patient and answer the deleted record, as json-server does."""
    return _record(await patient_service.delete_patient(session, id, expected))


# HEAD answers like GET without a body, as json-server does; kept out of the OpenAPI document.
router.add_api_route("", list_patients, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/{id}", get_patient, methods=["HEAD"], include_in_schema=False)
