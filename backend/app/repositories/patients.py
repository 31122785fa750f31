"""Every statement on `patients`, composed with `psycopg.sql` and returning typed records.

The column lists come from the one field map (`schemas.patient.FIELDS`); list statements take
their conditions and order from `querying.ListQuery`. Each function runs on the connection it is
given, so whether it is part of a transaction is the caller's choice (`database.Database`).
"""

from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg import errors, sql
from psycopg.rows import args_row

from app.database import Connection
from app.querying import RANKED, ListQuery
from app.repositories import audit
from app.schemas.page import shown_page
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
    """The unique lower(patient_id) index refused a write of `patient_id`."""

    def __init__(self, patient_id: str) -> None:
        super().__init__()
        self.patient_id = patient_id


def _names(columns: tuple[str, ...]) -> sql.Composed:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


RECORD_COLUMNS = (*FIELDS.values(), "version")
WRITTEN = tuple(BROUGHT.values())
COLUMNS = _names(RECORD_COLUMNS)
RECORD = args_row(PatientRecord)

LIVE = sql.SQL("deleted_at IS NULL")  # soft-deleted patients are in no answer but the admin's
VERSIONS_MATCH = sql.SQL("(%(versions)s::int[] IS NULL OR version = ANY(%(versions)s::int[]))")


def audited(
    read: sql.Composable, action: str, outcome: sql.Composable = audit.FOUND
) -> sql.Composed:
    """`read` and the audit event naming what it disclosed, in one statement, so one
    transaction: no answer without its event. The answer's order is the order `read` made
    (a materialized CTE is read back as it was written)."""
    return sql.SQL("WITH answer AS MATERIALIZED ({}), audited AS ({}) SELECT * FROM answer").format(
        read, audit.event_from("answer", action, outcome)
    )


def _changing(write: sql.Composable, action: str) -> bytes:
    """`write` (an INSERT or UPDATE of one patient), the version it makes and its audit event,
    in one statement."""
    return (
        sql.SQL(
            "WITH changed AS ({write} RETURNING {columns}, patient_snapshot(patients) AS snapshot),"
            " versioned AS (INSERT INTO patient_versions"
            " (patient_id, version, user_id, username, action, data)"
            " SELECT id, version, %(event_user_id)s, %(event_username)s, {action}, snapshot"
            " FROM changed),"
            " audited AS ({event})"
            " SELECT {columns} FROM changed"
        )
        .format(
            write=write,
            columns=COLUMNS,
            action=sql.Literal(action),
            event=audit.event_from("changed", action, sql.Literal(CHANGED[action])),
        )
        .as_bytes()
    )


CHANGED = {"create": 201, "update": 200, "delete": 200, "restore": 200, "merge": 200}
# Statements without variable parts are rendered to bytes once, here, rather than by psycopg at
# every execution (4% of a one-record read's CPU).
GET_SQL = sql.SQL("SELECT {} FROM patients WHERE id = %(id)s AND {}").format(COLUMNS, LIVE)
GET = GET_SQL.as_bytes()
READ = audited(GET_SQL, "read").as_bytes()
LOCK = sql.SQL("{} FOR UPDATE").format(GET_SQL).as_bytes()
EXISTS = b"SELECT EXISTS (SELECT FROM patients WHERE id = %(id)s AND deleted_at IS NULL)"
# Who holds a patientID (ignoring case), and whether that patient is deleted.
HOLDER = b"SELECT deleted_at IS NOT NULL FROM patients WHERE lower(patient_id) = lower(%(id)s)"
# Another patient holds the patientID (ignoring case), deleted ones included.
HELD_BY_ANOTHER = sql.SQL(
    "SELECT FROM patients other WHERE lower(other.patient_id) = lower(%(patient_id)s)"
    " AND other.id <> %(id)s"
)
# Why an UPDATE changed nothing: the row is there at the expected version, the patientID is not.
ONLY_PATIENT_ID_HELD = (
    sql.SQL("SELECT 1 FROM patients WHERE id = %(id)s AND {} AND {} AND EXISTS ({})")
    .format(LIVE, VERSIONS_MATCH, HELD_BY_ANOTHER)
    .as_bytes()
)
INSERT = _changing(
    sql.SQL(
        "INSERT INTO patients ({}) VALUES ({}) ON CONFLICT (lower(patient_id)) DO NOTHING"
    ).format(_names(WRITTEN), sql.SQL(", ").join(map(sql.Placeholder, WRITTEN))),
    "create",
)
UPDATE = _changing(
    sql.SQL(
        "UPDATE patients SET {}, updated_at = now(), version = version + 1"
        " WHERE id = %(id)s AND {} AND {} AND NOT EXISTS ({})"
    ).format(
        sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in WRITTEN
        ),
        LIVE,
        VERSIONS_MATCH,
        HELD_BY_ANOTHER,
    ),
    "update",
)
DELETE = _changing(
    sql.SQL(
        "UPDATE patients SET deleted_at = now(), deleted_by = %(event_user_id)s,"
        " delete_reason = %(reason)s, updated_at = now(), version = version + 1"
        " WHERE id = %(id)s AND {} AND {}"
    ).format(LIVE, VERSIONS_MATCH),
    "delete",
)
# A merge deletes the record merged away, pointing it at the one kept.
MERGE = _changing(
    sql.SQL(
        "UPDATE patients SET deleted_at = now(), deleted_by = %(event_user_id)s,"
        " delete_reason = %(reason)s, merged_into = %(keep)s, updated_at = now(),"
        " version = version + 1 WHERE id = %(id)s AND {}"
    ).format(LIVE),
    "merge",
)
RESTORE = _changing(
    sql.SQL(
        "UPDATE patients SET deleted_at = NULL, deleted_by = NULL, delete_reason = NULL,"
        " merged_into = NULL,"
        " updated_at = now(), version = version + 1 WHERE id = %(id)s AND deleted_at IS NOT NULL"
    ),
    "restore",
)
PURGE = (
    sql.SQL(
        "WITH gone AS (DELETE FROM patients WHERE id = %(id)s AND deleted_at IS NOT NULL"
        " RETURNING id), audited AS ({}) SELECT id FROM gone"
    )
    .format(audit.event_from("gone", "purge", sql.Literal(204)))
    .as_bytes()
)
HISTORY = (
    sql.SQL(
        "WITH answer AS (SELECT id FROM patients WHERE id = %(id)s AND {}), audited AS ({})"
        " SELECT v.version, v.at, v.user_id, v.username, v.action, v.data"
        " FROM patient_versions v JOIN answer ON v.patient_id = answer.id"
        " ORDER BY v.version DESC"
    )
    .format(LIVE, audit.event_from("answer", "history"))
    .as_bytes()
)
DELETED = audited(
    sql.SQL(
        "SELECT {}, p.deleted_at, u.username, p.delete_reason, p.merged_into FROM patients p"
        " LEFT JOIN users u ON u.id = p.deleted_by WHERE p.deleted_at IS NOT NULL"
        " ORDER BY p.deleted_at DESC, p.id OFFSET %(offset)s LIMIT %(limit)s"
    ).format(sql.SQL(", ").join(sql.Identifier("p", c) for c in RECORD_COLUMNS)),
    "search",
    sql.Literal(200),
).as_bytes()
COUNT_DELETED = b"SELECT count(*) FROM patients WHERE deleted_at IS NOT NULL"
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
    """One live patient, or None, unaudited (for a write's own checks); `lock` holds the row
    until the transaction ends."""
    return await _one(connection, LOCK if lock else GET, {"id": patient_id})


async def read(
    connection: Connection, patient_id: int, event: Mapping[str, Any] | None
) -> PatientRecord | None:
    """One live patient, or None, and its `read` event (`event`: its values; None only when
    read auditing is off for a benchmark)."""
    if event is None:
        return await _one(connection, GET, {"id": patient_id})
    return await _one(connection, READ, {**event, "id": patient_id})


async def exists(connection: Connection, patient_id: int) -> bool:
    """Whether a live patient has this id."""
    row = await (await connection.execute(EXISTS, {"id": patient_id})).fetchone()
    return bool(row and row[0])


async def holder_deleted(connection: Connection, patient_id: str) -> bool:
    """Whether the patient holding `patient_id` (ignoring case) is a deleted one."""
    row = await (await connection.execute(HOLDER, {"id": patient_id})).fetchone()
    return bool(row and row[0])


async def insert(
    connection: Connection, values: Mapping[str, Any], event: Mapping[str, Any]
) -> PatientRecord:
    """Store a new patient, its first version and its event; `PatientIDTaken` if its patientID
    is (ignoring case), a deleted patient's included.

    ON CONFLICT instead of a caught unique violation: no error, so nothing in PostgreSQL's log.
    """
    created = await _one(connection, INSERT, {**values, **event})
    if created is None:
        raise PatientIDTaken(values["patient_id"])
    return created


async def update(
    connection: Connection,
    patient_id: int,
    values: Mapping[str, Any],
    versions: list[int] | None,
    event: Mapping[str, Any],
) -> PatientRecord | None:
    """Replace the fields and bump the version, keeping the new version and an event; None if
    no live row has this id (at one of `versions`, when given). `PatientIDTaken` if the new
    patientID is another patient's.

    A taken patientID is found by the statement itself (NOT EXISTS) rather than by a caught
    unique violation, which PostgreSQL would log with the patientID; the violation remains the
    guard against a concurrent update taking it in between.
    """
    params = {**values, **event, "id": patient_id, "versions": versions}
    try:
        updated = await _one(connection, UPDATE, params)
    except errors.UniqueViolation as error:
        if error.diag.constraint_name == UNIQUE_PATIENT_ID:
            raise PatientIDTaken(values["patient_id"]) from None
        raise
    if (
        updated is None
        and await (await connection.execute(ONLY_PATIENT_ID_HELD, params)).fetchone()
    ):
        raise PatientIDTaken(values["patient_id"])
    return updated


async def delete(
    connection: Connection,
    patient_id: int,
    versions: list[int] | None,
    reason: str | None,
    event: Mapping[str, Any],
) -> PatientRecord | None:
    """Mark a live patient deleted (kept, with its versions) and return it; None as for
    `update`."""
    params = {**event, "id": patient_id, "versions": versions, "reason": reason}
    return await _one(connection, DELETE, params)


async def merge(
    connection: Connection, patient_id: int, keep: int, reason: str, event: Mapping[str, Any]
) -> PatientRecord | None:
    """Delete live patient `patient_id` as merged into `keep`; None if it is not live."""
    return await _one(
        connection, MERGE, {**event, "id": patient_id, "keep": keep, "reason": reason}
    )


async def restore(
    connection: Connection, patient_id: int, event: Mapping[str, Any]
) -> PatientRecord | None:
    """Bring a deleted patient back; None if no deleted patient has this id."""
    return await _one(connection, RESTORE, {**event, "id": patient_id})


async def purge(connection: Connection, patient_id: int, event: Mapping[str, Any]) -> bool:
    """Remove a deleted patient and its versions for good (its audit events stay)."""
    row = await (await connection.execute(PURGE, {**event, "id": patient_id})).fetchone()
    return row is not None


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """A patient as one change left it (`data`: its wire fields)."""

    version: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    data: dict[str, Any]


async def history(
    connection: Connection, patient_id: int, event: Mapping[str, Any]
) -> list[VersionRecord]:
    """A live patient's versions, newest first (none: no such patient), and the event."""
    async with connection.cursor(row_factory=args_row(VersionRecord)) as cursor:
        await cursor.execute(HISTORY, {**event, "id": patient_id})
        return await cursor.fetchall()


@dataclass(frozen=True, slots=True)
class DeletedRecord(PatientRecord):
    """A deleted patient: the record, and when, by whom (a username) and why; and the
    patient it was merged into, if that was how."""

    deleted_at: datetime
    deleted_by: str | None
    delete_reason: str | None
    merged_into: int | None


async def deleted_page(
    connection: Connection, number: int, per_page: int, event: Mapping[str, Any]
) -> tuple[list[DeletedRecord], int]:
    """Page `number` of the deleted (not purged) patients, latest deletion first (past the end:
    the last one, as json-server's pages), with its `search` event; and how many there are."""
    row = await (await connection.execute(COUNT_DELETED)).fetchone()
    total = int(row[0]) if row else 0
    offset = (shown_page(number, total, per_page) - 1) * per_page
    cursor = await connection.execute(DELETED, {**event, "offset": offset, "limit": per_page})
    return [DeletedRecord(*row) for row in await cursor.fetchall()], total


async def select(
    connection: Connection, query: ListQuery, event: Mapping[str, Any] | None
) -> list[PatientRecord]:
    """Every live match of `query`, sorted (no window), and its `search` event."""
    stmt = sql.SQL("SELECT {} FROM patients WHERE {} AND {} ORDER BY {}").format(
        COLUMNS, LIVE, query.condition, query.order_by
    )
    async with connection.cursor(row_factory=RECORD) as cursor:
        await cursor.execute(_searched(stmt, event), {**query.params, **(event or {})})
        return await cursor.fetchall()


async def select_window(
    connection: Connection, query: ListQuery, event: Mapping[str, Any] | None
) -> tuple[list[PatientRecord], int]:
    """The matches in `query`'s window (a slice, or a page) and how many match in all, from one
    statement, so both come from one snapshot even while others write; and its event."""
    offset = PAGE_OFFSET if query.page is not None else sql.SQL("%(offset)s")
    count = (
        sql.SQL("SELECT count(*) AS n FROM patients WHERE {} AND {}").format(LIVE, query.condition)
        if query.where
        else COUNT_ALL
    )
    stmt = sql.SQL(
        "WITH total AS ({}) SELECT total.n, shown.* FROM total"
        " LEFT JOIN LATERAL ({}) AS shown ON true ORDER BY {}"
    ).format(count, _window_rows(query, offset), query.order_by_ranked)
    limit = query.per_page if query.page is not None else query.limit
    params = {**query.params, "offset": query.offset, "limit": limit, "page": query.page}
    cursor = await connection.execute(_searched(stmt, event), {**params, **(event or {})})
    rows = await cursor.fetchall()
    fields = slice(1, 1 + len(RECORD_COLUMNS))  # a ranked list's rows end with their rank
    records = [PatientRecord(*row[fields]) for row in rows if row[1] is not None]
    return records, int(rows[0][0])


def _searched(stmt: sql.Composed, event: Mapping[str, Any] | None) -> sql.Composed:
    return stmt if event is None else audited(stmt, "search", sql.Literal(200))


def _window_rows(query: ListQuery, offset: sql.Composable) -> sql.Composed:
    """The rows of the window. Unfiltered, the ids come from the sort index alone (an
    index-only scan of the live patients' index, migrations 0004 and 0009), then only the rows
    shown are read."""
    if query.where:
        ranked: sql.Composable = sql.SQL("")
        if query.rank is not None:  # carried out, for the outer ORDER BY
            ranked = sql.SQL(", {} AS {}").format(query.rank, sql.Identifier(RANKED))
        return sql.SQL(
            "SELECT {}{} FROM patients WHERE {} AND {} ORDER BY {} OFFSET {} LIMIT %(limit)s"
        ).format(COLUMNS, ranked, LIVE, query.condition, query.order_by, offset)
    return sql.SQL(
        "SELECT {} FROM patients JOIN (SELECT id FROM patients WHERE {} ORDER BY {} OFFSET {}"
        " LIMIT %(limit)s) AS ids USING (id)"
    ).format(COLUMNS, LIVE, query.order_by, offset)


async def stream_all(connection: Connection) -> AsyncGenerator[list[PatientRecord], None]:
    """Every patient in id order, a chunk at a time from a server-side cursor, so neither the
    driver nor the caller ever holds every row at once."""
    stmt = sql.SQL("SELECT {} FROM patients WHERE {} ORDER BY id").format(COLUMNS, LIVE)
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
