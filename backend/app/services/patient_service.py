"""Patient use cases: the rules around the statements (If-Match, PATCH's merge-then-validate,
duplicate patientIDs), each in the unit of work it needs: a read on a reader connection (one
statement, one snapshot), a write in one transaction committed before the use case returns, so
before any answer is sent. They return records; the routes' response models make the wire shape.
"""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass

from pydantic import ValidationError

from app.concurrency import Expected
from app.database import Connection, Database
from app.errors import (
    DuplicatePatientID,
    Forbidden,
    InvalidBody,
    PatientNotFound,
    PreconditionFailed,
    field_problems,
)
from app.principal import Role
from app.querying import DEFAULT_PER_PAGE, ListQuery
from app.repositories import patients
from app.repositories.patients import PatientIDTaken, PatientRecord
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


async def list_patients(database: Database, query: ListQuery) -> PatientList:
    """Filter, sort and window in SQL; count only when a window hides part of the matches."""
    async with database.reader() as connection:
        if query.page is None and not query.offset and query.limit is None:
            found = await patients.select(connection, query)
            return PatientList(found, len(found))
        found, total = await patients.select_window(connection, query)
    return PatientList(found, total, query.page, query.per_page)


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


async def get_patient(database: Database, patient_id: int) -> PatientRecord:
    """One patient, or `PatientNotFound`."""
    async with database.reader() as connection:
        return _found(await patients.get(connection, patient_id))


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


async def create_patient(database: Database, data: PatientBody, role: Role) -> PatientRecord:
    """Register a patient; a taken patientID (ignoring case) is a `DuplicatePatientID`."""
    patient = _completed(data, role)
    async with database.unit_of_work() as connection:
        try:
            return await patients.insert(connection, patient.model_dump(exclude={"id"}))
        except PatientIDTaken:
            raise DuplicatePatientID() from None


async def replace_patient(
    database: Database,
    patient_id: int,
    data: PatientBody,
    role: Role,
    expected: Expected | None = None,
) -> PatientRecord:
    """PUT: every field replaced, the version incremented; with `expected` (If-Match) only if
    the stored version still matches, checked by the UPDATE itself so no race slips between.
    A receptionist's PUT replaces every field but the medical condition."""
    async with database.unit_of_work() as connection:
        stored_condition = NOT_RECORDED
        if not role.sees_conditions:  # kept: the one field a receptionist's PUT cannot carry
            stored = _found(await patients.get(connection, patient_id, lock=True))
            stored_condition = stored.medical_condition
        patient = _completed(data, role, stored_condition, PatientReplace)
        return await _replace(connection, patient_id, patient, expected)


async def patch_patient(
    database: Database,
    patient_id: int,
    patch: PatientPatch,
    role: Role,
    expected: Expected | None = None,
) -> PatientRecord:
    """PATCH: merge the given fields into the stored record (locked), then validate the whole."""
    changes = patch.model_dump(by_alias=True, exclude_unset=True, exclude={"id"})
    if not role.sees_conditions and "medicalCondition" in changes:
        raise Forbidden(CONDITION_REFUSED)
    async with database.unit_of_work() as connection:
        stored = _found(await patients.get(connection, patient_id, lock=True))
        if expected is not None and not expected.allows(stored.version):
            raise PreconditionFailed()
        current = {wire: getattr(stored, column) for wire, column in BROUGHT.items()}
        current["lastVisit"] = stored.last_visit.isoformat()
        try:
            merged = PatientCreate.model_validate({**current, **changes})
        except ValidationError as error:
            raise InvalidBody(problems=field_problems(error.errors())) from None
        return await _replace(connection, patient_id, merged)  # row locked: no recheck


async def delete_patient(
    database: Database, patient_id: int, expected: Expected | None = None
) -> PatientRecord:
    """Delete and return the deleted record, as json-server does (If-Match honoured)."""
    async with database.unit_of_work() as connection:
        deleted = await patients.delete(connection, patient_id, _versions(expected))
        if deleted is None and expected is not None:
            await _explain_miss(connection, patient_id)
        return _found(deleted)


async def _replace(
    connection: Connection, patient_id: int, data: PatientCreate, expected: Expected | None = None
) -> PatientRecord:
    try:
        replaced = await patients.update(
            connection, patient_id, data.model_dump(exclude={"id"}), _versions(expected)
        )
    except PatientIDTaken:
        raise DuplicatePatientID() from None
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


def _found(record: PatientRecord | None) -> PatientRecord:
    if record is None:
        raise PatientNotFound()
    return record
