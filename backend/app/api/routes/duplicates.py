"""`/duplicates`: the probable pairs already in the registry, marking a pair as two people,
and merging one into the other (our extension; the rule: app/matching.py)."""

from fastapi import APIRouter, Response, status

from app.api.deps import (
    ActorDep,
    AdminActorDep,
    DatabaseDep,
    DuplicateReviewerDep,
    PageDep,
)
from app.api.routes.patients import ERRORS, GUARDED, NOT_FOUND, tagged
from app.repositories.patients import PatientRecord
from app.schemas.duplicate import DistinctBody, MergeBody, PairPage
from app.schemas.patient import PatientRead
from app.services import duplicate_service, patient_service

router = APIRouter(prefix="/duplicates", tags=["possible duplicates"])
PENDING_HEADER = "X-Duplicates-Pending"


@router.get("", response_model=PairPage, responses={**ERRORS, **GUARDED})
async def list_pairs(
    database: DatabaseDep,
    _: DuplicateReviewerDep,
    actor: ActorDep,
    page: PageDep,
    response: Response,
) -> PairPage:
    """Probable and certain pairs, highest score first (clinicians and admins). Pairs are
    found by a background check of new and changed patients: `X-Duplicates-Pending` says how
    many are still to check."""
    found, total, pending = await duplicate_service.pairs(database, actor, *page)
    response.headers[PENDING_HEADER] = str(pending)
    return PairPage.build(found, total, *page)


@router.post(
    "/not-duplicate",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**ERRORS, **NOT_FOUND, **GUARDED},
)
async def not_duplicate(
    database: DatabaseDep, _: DuplicateReviewerDep, actor: ActorDep, body: DistinctBody
) -> None:
    """Remember two patients as different people: their pair is never offered again."""
    await duplicate_service.mark_distinct(database, body.a, body.b, actor)


@router.post("/merge", response_model=PatientRead, responses={**ERRORS, **NOT_FOUND, **GUARDED})
async def merge(
    database: DatabaseDep, actor: AdminActorDep, body: MergeBody, response: Response
) -> PatientRecord:
    """Keep `keep`, with the field values chosen in `values`; delete `remove`, pointing at
    `keep` (admins; `/deleted-patients` shows it, with `mergedInto`). Both changes are in the
    patients' history and the audit trail."""
    kept = await patient_service.merge_patients(
        database, body.keep, body.remove, body.values, actor
    )
    return tagged(kept, response)
