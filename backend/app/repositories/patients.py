"""Every statement on `patients`, composed with `psycopg.sql` and returning typed records.

The column lists come from the one field map (`schemas.patient.FIELDS`); list statements take
their conditions and order from `querying.ListQuery`. Each function runs on the connection it is
given, so whether it is part of a transaction is the caller's choice (`database.Database`).
"""

from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from psycopg import errors, sql
from psycopg.rows import args_row

from app.database import Connection
from app.querying import ListQuery
from app.schemas.patient import BROUGHT, FIELDS

UNIQUE_PATIENT_ID = "uq_patients_patient_id_lower"
STREAM_CHUNK_ROWS = 2_000


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """One stored patient: the wire fields (FIELDS' columns, in order) and its version."""

    id: int
    patient_id: str
    name: str
    age: int
    gender: str
    medical_condition: str
    last_visit: date
    version: int


class PatientIDTaken(Exception):
    """The unique lower(patient_id) index refused a write."""


def _names(columns: tuple[str, ...]) -> sql.Composed:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


RECORD_COLUMNS = (*FIELDS.values(), "version")
WRITTEN = tuple(BROUGHT.values())
COLUMNS = _names(RECORD_COLUMNS)
RECORD = args_row(PatientRecord)

# Statements without variable parts are rendered to bytes once, here, rather than by psycopg at
# every execution (4% of a one-record read's CPU).
GET_SQL = sql.SQL("SELECT {} FROM patients WHERE id = %(id)s").format(COLUMNS)
GET = GET_SQL.as_bytes()
LOCK = sql.SQL("{} FOR UPDATE").format(GET_SQL).as_bytes()
EXISTS = b"SELECT EXISTS (SELECT FROM patients WHERE id = %(id)s)"
INSERT = (
    sql.SQL(
        "INSERT INTO patients ({}) VALUES ({})"
        " ON CONFLICT (lower(patient_id)) DO NOTHING RETURNING {}"
    )
    .format(_names(WRITTEN), sql.SQL(", ").join(map(sql.Placeholder, WRITTEN)), COLUMNS)
    .as_bytes()
)
UPDATE = (
    sql.SQL(
        "UPDATE patients SET {}, updated_at = now(), version = version + 1"
        " WHERE id = %(id)s AND (%(versions)s::int[] IS NULL OR version = ANY(%(versions)s::int[]))"
        " RETURNING {}"
    )
    .format(
        sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in WRITTEN
        ),
        COLUMNS,
    )
    .as_bytes()
)
DELETE = (
    sql.SQL(
        "DELETE FROM patients WHERE id = %(id)s"
        " AND (%(versions)s::int[] IS NULL OR version = ANY(%(versions)s::int[])) RETURNING {}"
    )
    .format(COLUMNS)
    .as_bytes()
)
# Trigger-kept sums (migrations 0003 and 0005): the row count without scanning every row, and a
# number that grows with every committed write.
COUNT_ALL = sql.SQL("SELECT coalesce(sum(n), 0)::bigint AS n FROM patient_count_slots")
GENERATION = b"SELECT coalesce(sum(generation), 0)::bigint FROM patient_count_slots"
# json-server clamps a page past the end to the last one (as schemas.patient.PageEnvelope.build
# does): the offset follows from the total.
PAGE_OFFSET = sql.SQL(
    "(least(%(page)s, greatest(ceil(total.n / %(limit)s::numeric), 1)) - 1)::bigint * %(limit)s"
)


async def get(connection: Connection, patient_id: int, lock: bool = False) -> PatientRecord | None:
    """One patient, or None; `lock` holds the row until the transaction ends."""
    return await _one(connection, LOCK if lock else GET, {"id": patient_id})


async def exists(connection: Connection, patient_id: int) -> bool:
    """Whether a patient has this id."""
    row = await (await connection.execute(EXISTS, {"id": patient_id})).fetchone()
    return bool(row and row[0])


async def insert(connection: Connection, values: Mapping[str, Any]) -> PatientRecord:
    """Store a new patient; `PatientIDTaken` if its patientID is (ignoring case).

    ON CONFLICT instead of a caught unique violation: no error, so nothing in PostgreSQL's log.
    """
    created = await _one(connection, INSERT, values)
    if created is None:
        raise PatientIDTaken()
    return created


async def update(
    connection: Connection, patient_id: int, values: Mapping[str, Any], versions: list[int] | None
) -> PatientRecord | None:
    """Replace the fields and bump the version; None if no row has this id (at one of
    `versions`, when given). `PatientIDTaken` if the new patientID is another patient's."""
    try:
        return await _one(connection, UPDATE, {**values, "id": patient_id, "versions": versions})
    except errors.UniqueViolation as error:
        if error.diag.constraint_name == UNIQUE_PATIENT_ID:
            raise PatientIDTaken() from None
        raise


async def delete(
    connection: Connection, patient_id: int, versions: list[int] | None
) -> PatientRecord | None:
    """Remove a patient and return what was removed; None as for `update`."""
    return await _one(connection, DELETE, {"id": patient_id, "versions": versions})


async def select(connection: Connection, query: ListQuery) -> list[PatientRecord]:
    """Every match of `query`, sorted (no window)."""
    stmt = sql.SQL("SELECT {} FROM patients WHERE {} ORDER BY {}").format(
        COLUMNS, query.condition, query.order_by
    )
    async with connection.cursor(row_factory=RECORD) as cursor:
        await cursor.execute(stmt, query.params)
        return await cursor.fetchall()


async def select_window(
    connection: Connection, query: ListQuery
) -> tuple[list[PatientRecord], int]:
    """The matches in `query`'s window (a slice, or a page) and how many match in all, from one
    statement, so both come from one snapshot even while others write."""
    offset = PAGE_OFFSET if query.page is not None else sql.SQL("%(offset)s")
    count = (
        sql.SQL("SELECT count(*) AS n FROM patients WHERE {}").format(query.condition)
        if query.where
        else COUNT_ALL
    )
    stmt = sql.SQL(
        "WITH total AS ({}) SELECT total.n, shown.* FROM total"
        " LEFT JOIN LATERAL ({}) AS shown ON true ORDER BY {}"
    ).format(count, _window_rows(query, offset), query.order_by)
    limit = query.per_page if query.page is not None else query.limit
    params = {**query.params, "offset": query.offset, "limit": limit, "page": query.page}
    rows = await (await connection.execute(stmt, params)).fetchall()
    records = [PatientRecord(*row[1:]) for row in rows if row[1] is not None]
    return records, int(rows[0][0])


def _window_rows(query: ListQuery, offset: sql.Composable) -> sql.Composed:
    """The rows of the window. Unfiltered, the ids come from the sort index alone (an
    index-only scan, migration 0004), then only the rows shown are read."""
    if query.where:
        return sql.SQL(
            "SELECT {} FROM patients WHERE {} ORDER BY {} OFFSET {} LIMIT %(limit)s"
        ).format(COLUMNS, query.condition, query.order_by, offset)
    return sql.SQL(
        "SELECT {} FROM patients JOIN"
        " (SELECT id FROM patients ORDER BY {} OFFSET {} LIMIT %(limit)s) AS ids USING (id)"
    ).format(COLUMNS, query.order_by, offset)


async def stream_all(connection: Connection) -> AsyncGenerator[list[PatientRecord], None]:
    """Every patient in id order, a chunk at a time from a server-side cursor, so neither the
    driver nor the caller ever holds every row at once."""
    stmt = sql.SQL("SELECT {} FROM patients ORDER BY id").format(COLUMNS)
    async with (
        connection.transaction(),
        connection.cursor(name="patients_stream", row_factory=RECORD) as cursor,
    ):
        await cursor.execute(stmt)
        while rows := await cursor.fetchmany(STREAM_CHUNK_ROWS):
            yield rows


async def generation(connection: Connection) -> int:
    """A number that grows with every committed write to `patients`."""
    row = await (await connection.execute(GENERATION)).fetchone()
    return int(row[0]) if row else 0


async def _one(
    connection: Connection, stmt: bytes, params: Mapping[str, Any]
) -> PatientRecord | None:
    async with connection.cursor(row_factory=RECORD) as cursor:
        await cursor.execute(stmt, params)
        return await cursor.fetchone()
