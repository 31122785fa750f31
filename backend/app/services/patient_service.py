"""Patient use cases: the rules around the statements (If-Match, PATCH's merge-then-validate,
duplicate patientIDs), each in the unit of work it needs: a read on a reader connection (one
statement, one snapshot), a write in one transaction committed before the use case returns, so
before any answer is sent. They return records; the routes' response models make the wire shape.
"""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from app.audit import Actor
from app.concurrency import Expected
from app.database import Connection, Database
from app.errors import (
    DuplicatePatientID,
    FieldProblem,
    Forbidden,
    InvalidBody,
    PatientNotFound,
    PreconditionFailed,
    field_problems,
)
from app.principal import Role
from app.querying import DEFAULT_PER_PAGE, ListQuery
from app.repositories import audit, patients
from app.repositories.patients import DeletedRecord, PatientIDTaken, PatientRecord
from app.schemas.patient import (
    BROUGHT,
    PatientBody,
    PatientCreate,
    PatientPatch,
    PatientReplace,
)

# What a patient registered by a receptionist holds until a clinician records the condition.
NOT_RECORDED = "Not recorded"
CONDITION_REFUSED = "A receptionist may not record or change medicalCondition; leave it out."


@dataclass
class PatientList:
    """A list answer: the rows shown, the number of matches before any window
    (`X-Total-Count`), and for a `_page` query the page asked for and its size."""

    items: list[PatientRecord]
    total: int
    page: int | None = None
    per_page: int = DEFAULT_PER_PAGE


async def list_patients(database: Database, query: ListQuery, actor: Actor) -> PatientList:
    """Filter, sort and window in SQL; count only when a window hides part of the matches.
    The `search` event is written by the same statement."""
    event = _read_event(actor, query.audited)
    async with database.disclosing() as connection:
        if query.page is None and not query.offset and query.limit is None:
            found = await patients.select(connection, query, event)
            return PatientList(found, len(found))
        found, total = await patients.select_window(connection, query, event)
    return PatientList(found, total, query.page, query.per_page)


async def whole_list_shown(database: Database, actor: Actor, ids: list[int], total: int) -> None:
    """The `search` event of a full-list answer (app/api/whole_list.py), written before it is
    sent: over BULK_ROWS rows, only their number (a bulk disclosure)."""
    if actor.audits_reads:
        async with database.disclosing() as connection:
            await audit.record(connection, actor.params(""), "search", 200, ids, total)


def _read_event(actor: Actor, query: str | None = None) -> dict[str, Any] | None:
    """The values of a read's event; None when read auditing is off (a benchmark only)."""
    return actor.params(query) if actor.audits_reads else None


async def list_generation(database: Database) -> int:
    """Grows with every committed write: equal numbers mean the same stored patients."""
    async with database.reader() as connection:
        return await patients.generation(connection)


async def stream_all(database: Database) -> AsyncGenerator[list[PatientRecord], None]:
    """Every patient in id order, in chunks (the whole-table list). Close it (`aclosing`) when
    not read to the end: the connection and its cursor are released then, not at collection."""
    async with (
        database.reader() as connection,
        aclosing(patients.stream_all(connection)) as chunks,
    ):
        async for chunk in chunks:
            yield chunk


async def get_patient(database: Database, patient_id: int, actor: Actor) -> PatientRecord:
    """One patient, or `PatientNotFound`; the `read` event is written either way."""
    async with database.disclosing() as connection:
        return _found(await patients.read(connection, patient_id, _read_event(actor)))


def _completed(
    body: PatientBody,
    role: Role,
    stored: str = NOT_RECORDED,
    model: type[PatientCreate] = PatientCreate,
) -> PatientCreate:
    """The body as a complete patient: `medicalCondition` is required from the roles that see
    it and refused from the others (they keep the stored one, or NOT_RECORDED for a new
    patient); then every rule at once, so one 400 lists every failing field."""
    fields = dict(body.model_extra or {})
    if not role.sees_conditions:
        if "medicalCondition" in fields:
            raise Forbidden(CONDITION_REFUSED)
        fields["medicalCondition"] = stored
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise InvalidBody(problems=field_problems(error.errors())) from None


async def create_patient(
    database: Database, data: PatientBody, actor: Actor, registered_despite: list[int] | None = None
) -> PatientRecord:
    """Register a patient; a taken patientID (ignoring case) is a `DuplicatePatientID`.
    `registered_despite`: the likely duplicates staff were shown and registered anyway (ids,
    kept in the `create` event)."""
    patient = _completed(data, actor.principal.role)
    event = actor.params(
        detail={"registeredDespite": registered_despite} if registered_despite else None
    )
    try:
        async with database.unit_of_work() as connection:
            return await patients.insert(connection, patient.model_dump(exclude={"id"}), event)
    except PatientIDTaken as taken:
        raise await _duplicate(database, taken.patient_id) from None


async def replace_patient(
    database: Database,
    patient_id: int,
    data: PatientBody,
    actor: Actor,
    expected: Expected | None = None,
) -> PatientRecord:
    """PUT: every field replaced, the version incremented; with `expected` (If-Match) only if
    the stored version still matches, checked by the UPDATE itself so no race slips between.
    A receptionist's PUT replaces every field but the medical condition."""
    role = actor.principal.role
    try:
        async with database.unit_of_work() as connection:
            stored_condition = NOT_RECORDED
            if not role.sees_conditions:  # kept: the one field a receptionist's PUT cannot carry
                stored = _found(await patients.get(connection, patient_id, lock=True))
                stored_condition = stored.medical_condition
            patient = _completed(data, role, stored_condition, PatientReplace)
            return await _replace(connection, patient_id, patient, actor, expected)
    except PatientIDTaken as taken:
        raise await _duplicate(database, taken.patient_id) from None


async def patch_patient(
    database: Database,
    patient_id: int,
    patch: PatientPatch,
    actor: Actor,
    expected: Expected | None = None,
) -> PatientRecord:
    """PATCH: merge the given fields into the stored record (locked), then validate the whole."""
    changes = patch.model_dump(by_alias=True, exclude_unset=True, exclude={"id"})
    if not actor.principal.role.sees_conditions and "medicalCondition" in changes:
        raise Forbidden(CONDITION_REFUSED)
    try:
        async with database.unit_of_work() as connection:
            stored = _found(await patients.get(connection, patient_id, lock=True))
            if expected is not None and not expected.allows(stored.version):
                raise PreconditionFailed()
            merged = _patched(stored, changes)
            return await _replace(connection, patient_id, merged, actor)  # locked: no recheck
    except PatientIDTaken as taken:
        raise await _duplicate(database, taken.patient_id) from None


def _patched(stored: PatientRecord, changes: dict[str, Any]) -> PatientCreate:
    """The stored record with `changes` (wire fields) applied, validated as a whole."""
    current = {wire: getattr(stored, column) for wire, column in BROUGHT.items()}
    current["lastVisit"] = stored.last_visit.isoformat()
    try:
        return PatientCreate.model_validate({**current, **changes})
    except ValidationError as error:
        raise InvalidBody(problems=field_problems(error.errors())) from None


MERGED_PATIENT_ID = "patientID cannot be merged: the merged record keeps its own reserved."


async def merge_patients(
    database: Database, keep: int, remove: int, values: PatientPatch | None, actor: Actor
) -> PatientRecord:
    """An admin makes two records one: `keep` takes the field values chosen (`values`, applied
    as a PATCH; nothing is copied unasked), `remove` is deleted pointing at it. Both versions
    and events are written in one transaction. `PatientNotFound` unless both are live."""
    if keep == remove:
        raise InvalidBody("keep and remove must be two different patients.")
    changes = {} if values is None else values.model_dump(by_alias=True, exclude_unset=True)
    if "patientID" in changes:
        raise InvalidBody(problems=[FieldProblem("patientID", MERGED_PATIENT_ID)])
    changes.pop("id", None)
    async with database.unit_of_work() as connection:
        stored = {
            patient_id: _found(await patients.get(connection, patient_id, lock=True))
            for patient_id in sorted((keep, remove))  # one lock order: no deadlock
        }
        kept = stored[keep]
        if changes:
            params = actor.params(detail={"mergedFrom": remove})
            kept = _found(
                await patients.update(
                    connection,
                    keep,
                    _patched(kept, changes).model_dump(exclude={"id"}),
                    None,
                    params,
                )
            )
        reason = f"Merged into patient {keep}"
        params = actor.params(detail={"mergedInto": keep})
        _found(await patients.merge(connection, remove, keep, reason, params))
        return kept


async def delete_patient(
    database: Database,
    patient_id: int,
    actor: Actor,
    expected: Expected | None = None,
    reason: str | None = None,
) -> PatientRecord:
    """Mark a patient deleted and return it, as json-server returns the deleted record
    (If-Match honoured). It is kept, with its history, until an admin restores or purges it."""
    async with database.unit_of_work() as connection:
        deleted = await patients.delete(
            connection, patient_id, _versions(expected), reason, actor.params()
        )
        if deleted is None and expected is not None:
            await _explain_miss(connection, patient_id)
        return _found(deleted)


async def _replace(
    connection: Connection,
    patient_id: int,
    data: PatientCreate,
    actor: Actor,
    expected: Expected | None = None,
) -> PatientRecord:
    replaced = await patients.update(
        connection, patient_id, data.model_dump(exclude={"id"}), _versions(expected), actor.params()
    )
    if replaced is None and expected is not None:
        await _explain_miss(connection, patient_id)
    return _found(replaced)


def _versions(expected: Expected | None) -> list[int] | None:
    """The If-Match versions the write must find, or None for any (no header, or `*`)."""
    if expected is None or expected.any_version:
        return None
    return sorted(expected.versions)


async def _explain_miss(connection: Connection, patient_id: int) -> None:
    """A conditional write touched no row: 412 if the record exists (it changed), else 404."""
    if await patients.exists(connection, patient_id):
        raise PreconditionFailed()


async def restore_patient(database: Database, patient_id: int, actor: Actor) -> PatientRecord:
    """An admin brings a deleted patient back: same id, same history, in every list again."""
    async with database.unit_of_work() as connection:
        return _found(await patients.restore(connection, patient_id, actor.params()))


async def purge_patient(database: Database, patient_id: int, actor: Actor, reason: str) -> None:
    """An admin removes a deleted patient and its versions for good; the audit events stay,
    and the `purge` event keeps the reason."""
    async with database.unit_of_work() as connection:
        if not await patients.purge(
            connection, patient_id, actor.params(detail={"reason": reason})
        ):
            raise PatientNotFound()


@dataclass
class Change:
    """One field of a version: what it was before and what it became."""

    before: Any
    after: Any


@dataclass
class Version:
    """One entry of a patient's history: the change that made the version, field by field."""

    version: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    changes: dict[str, Change]


async def patient_history(database: Database, patient_id: int, actor: Actor) -> list[Version]:
    """Every version of a live patient, newest first, each with the fields it changed (all of
    them for the first); a `history` event either way. `PatientNotFound` if none."""
    async with database.disclosing() as connection:
        versions = await patients.history(connection, patient_id, actor.params())
    if not versions:
        raise PatientNotFound()
    entries = []
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        before = older.data if older is not None else {}
        changes = {
            field: Change(before.get(field), value)
            for field, value in newer.data.items()
            if before.get(field) != value
        }
        entries.append(
            Version(newer.version, newer.at, newer.user_id, newer.username, newer.action, changes)
        )
    return entries


async def deleted_patients(
    database: Database, actor: Actor, page: int, per_page: int
) -> tuple[list[DeletedRecord], int]:
    """Page `page` of the deleted patients, latest first (a page past the end: the last), and
    how many there are."""
    async with database.reader() as connection:
        return await patients.deleted_page(connection, page, per_page, actor.params(""))


async def _duplicate(database: Database, patient_id: str) -> DuplicatePatientID:
    """The 409 for a taken patientID, saying so when a deleted patient holds it."""
    async with database.reader() as connection:
        return DuplicatePatientID(deleted=await patients.holder_deleted(connection, patient_id))


def _found(record: PatientRecord | None) -> PatientRecord:
    if record is None:
        raise PatientNotFound()
    return record
