"""`/deleted-patients`: patients deleted through `DELETE /patients/{id}`, for admins to restore
or purge for good (our extension; json-server clients only ever see them gone)."""

from fastapi import APIRouter, Response, status

from app.api.deps import AdminActorDep, DatabaseDep, PageDep, PatientIdDep
from app.api.routes.patients import ERRORS, GUARDED, NOT_FOUND, tagged
from app.repositories.patients import PatientRecord
from app.schemas.audit import DeletedPage, PurgeBody
from app.schemas.patient import PatientRead
from app.services import patient_service

router = APIRouter(prefix="/deleted-patients", tags=["deleted patients"])


@router.get("", response_model=DeletedPage, responses={**ERRORS, **GUARDED})
async def list_deleted(database: DatabaseDep, actor: AdminActorDep, page: PageDep) -> DeletedPage:
    """Deleted patients, latest deletion first, with when, by whom and why."""
    found, total = await patient_service.deleted_patients(database, actor, *page)
    return DeletedPage.build(found, total, *page)


@router.post(
    "/{id}/restore",
    response_model=PatientRead,
    responses={**ERRORS, **NOT_FOUND, **GUARDED},
)
async def restore(
    database: DatabaseDep, actor: AdminActorDep, id: PatientIdDep, response: Response
) -> PatientRecord:
    """Bring a deleted patient back with the same id and history."""
    return tagged(await patient_service.restore_patient(database, id, actor), response)


@router.delete(
    "/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**ERRORS, **NOT_FOUND, **GUARDED},
)
async def purge(
    database: DatabaseDep, actor: AdminActorDep, id: PatientIdDep, body: PurgeBody
) -> None:
    """Remove a deleted patient and its history for good; its audit events stay (ids only),
    and the `purge` event keeps the reason."""
    await patient_service.purge_patient(database, id, actor, body.reason)
