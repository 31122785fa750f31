"""`/patients`: json-server's routes, each a parse -> service -> response model."""

from typing import Any

from fastapi import APIRouter, Response, status

from app.api.deps import (
    DatabaseDep,
    DeleterDep,
    IfMatchDep,
    ListQueryDep,
    PatientIdDep,
    StaffDep,
    WholeListDep,
)
from app.api.views import shown
from app.concurrency import etag
from app.repositories.patients import PatientRecord
from app.schemas.errors import ErrorBody
from app.schemas.patient import (
    PageEnvelope,
    PatientBody,
    PatientPatch,
    PatientRead,
    PatientReplaceBody,
)
from app.services import patient_service

router = APIRouter(prefix="/patients", tags=["patients"])
# Every route needs a signed-in staff member (api.deps.StaffDep); a receptionist's answers
# never carry medicalCondition (api.views.shown).


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


def _tagged(record: PatientRecord, response: Response) -> PatientRecord:
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
    viewer: StaffDep,
    query: ListQueryDep,
    whole_list: WholeListDep,
    response: Response,
) -> list[PatientRecord] | PageEnvelope | Response:
    """Filters, `_sort`, `_start/_end/_limit` slices or the `_page` envelope; `X-Total-Count`."""
    if query.whole_table:
        return await whole_list.response(database)
    found = await patient_service.list_patients(database, query)
    response.headers["X-Total-Count"] = str(found.total)
    if found.page is None:
        return shown(viewer, found.items, response)
    envelope = PageEnvelope.build(found.items, found.total, found.page, found.per_page)
    return shown(viewer, envelope, response)


@router.get(
    "/{id}", response_model=PatientRead, responses={200: ETAG, **ERRORS, **NOT_FOUND, **GUARDED}
)
async def get_patient(
    database: DatabaseDep, viewer: StaffDep, id: PatientIdDep, response: Response
) -> PatientRecord | Response:
    """One patient by its numeric id."""
    found = await patient_service.get_patient(database, id)
    return shown(viewer, _tagged(found, response), response)


@router.post(
    "",
    response_model=PatientRead,
    status_code=status.HTTP_201_CREATED,
    responses={201: ETAG, **ERRORS, **DUPLICATE, **GUARDED},
)
async def create_patient(
    database: DatabaseDep, viewer: StaffDep, data: PatientBody, response: Response
) -> PatientRecord | Response:
    """Register a patient; the server assigns `id`."""
    created = await patient_service.create_patient(database, data, viewer.role)
    response.status_code = status.HTTP_201_CREATED
    return shown(viewer, _tagged(created, response), response)


@router.put(
    "/{id}",
    response_model=PatientRead,
    responses={200: ETAG, **ERRORS, **NOT_FOUND, **DUPLICATE, **STALE, **GUARDED},
)
async def replace_patient(
    database: DatabaseDep,
    viewer: StaffDep,
    data: PatientReplaceBody,
    id: PatientIdDep,
    expected: IfMatchDep,
    response: Response,
) -> PatientRecord | Response:
    """Replace every field of a patient (only if still at the If-Match version, when given)."""
    replaced = await patient_service.replace_patient(database, id, data, viewer.role, expected)
    return shown(viewer, _tagged(replaced, response), response)


@router.patch(
    "/{id}",
    response_model=PatientRead,
    responses={200: ETAG, **ERRORS, **NOT_FOUND, **DUPLICATE, **STALE, **GUARDED},
)
async def patch_patient(
    database: DatabaseDep,
    viewer: StaffDep,
    data: PatientPatch,
    id: PatientIdDep,
    expected: IfMatchDep,
    response: Response,
) -> PatientRecord | Response:
    """Change some fields; the merged record must still satisfy every rule."""
    patched = await patient_service.patch_patient(database, id, data, viewer.role, expected)
    return shown(viewer, _tagged(patched, response), response)


@router.delete(
    "/{id}",
    response_model=PatientRead,
    responses={200: ETAG, **ERRORS, **NOT_FOUND, **STALE, **GUARDED},
)
async def delete_patient(
    database: DatabaseDep, _: DeleterDep, id: PatientIdDep, expected: IfMatchDep, response: Response
) -> PatientRecord:
    """Delete a patient and answer the deleted record, as json-server does (not a receptionist)."""
    return _tagged(await patient_service.delete_patient(database, id, expected), response)


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
