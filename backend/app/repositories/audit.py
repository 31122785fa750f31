"""Every statement on `audit_events`: the event INSERT that patient statements carry along
(`event_from`), a single event (`record`), and the admin's filtered views.

An event's bound values come from `audit.event_params` (the `%(event_…)s` placeholders).
"""

from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.rows import args_row

from app.audit import BULK_ROWS
from app.database import Connection
from app.schemas.page import shown_page

COLUMNS = (
    "id",
    "at",
    "user_id",
    "username",
    "role",
    "client",
    "request_id",
    "action",
    "outcome",
    "patient_ids",
    "row_count",
    "bulk",
    "query",
    "detail",
)
_ACTOR = sql.SQL(
    "%(event_user_id)s, %(event_username)s, %(event_role)s, %(event_client)s,"
    " %(event_request_id)s"
)
_INSERT = sql.SQL(
    "INSERT INTO audit_events (user_id, username, role, client, request_id, action, outcome,"
    " patient_ids, row_count, bulk, query, detail)"
)
RECORD = (
    sql.SQL(
        "{} VALUES ({}, %(action)s, %(outcome)s, %(patient_ids)s, %(row_count)s, %(bulk)s,"
        " %(event_query)s, %(event_detail)s) RETURNING id"
    )
    .format(_INSERT, _ACTOR)
    .as_bytes()
)
# 404 when the statement found nothing to disclose or change.
FOUND = sql.SQL("CASE WHEN count(id) = 0 THEN 404 ELSE 200 END")


def event_from(source: str, action: str, outcome: sql.Composable = FOUND) -> sql.Composed:
    """An INSERT of one event naming the ids of CTE `source`'s rows (rows without an id, as
    an empty page's, are not counted); over BULK_ROWS of them, only their number."""
    ids = sql.SQL("coalesce(array_agg(id ORDER BY id) FILTER (WHERE id IS NOT NULL), '{}')")
    return sql.SQL(
        "{insert} SELECT {actor}, {action}, {outcome},"
        " CASE WHEN count(id) <= {bulk} THEN {ids} END, count(id), count(id) > {bulk},"
        " %(event_query)s, %(event_detail)s FROM {source}"
    ).format(
        insert=_INSERT,
        actor=_ACTOR,
        action=sql.Literal(action),
        outcome=outcome,
        bulk=sql.Literal(BULK_ROWS),
        ids=ids,
        source=sql.Identifier(source),
    )


def record_values(
    params: Mapping[str, Any],
    action: str,
    outcome: int,
    patient_ids: list[int] | None = None,
    row_count: int | None = None,
) -> dict[str, Any]:
    """The bound values of `RECORD`: over BULK_ROWS rows, their number but not their ids."""
    bulk = row_count is not None and row_count > BULK_ROWS
    return {
        **params,
        "action": action,
        "outcome": outcome,
        "patient_ids": None if bulk else patient_ids,
        "row_count": row_count,
        "bulk": bulk,
    }


async def record(
    connection: Connection,
    params: Mapping[str, Any],
    action: str,
    outcome: int,
    patient_ids: list[int] | None = None,
    row_count: int | None = None,
) -> int:
    """One event, as part of whatever transaction `connection` is in; its id."""
    values = record_values(params, action, outcome, patient_ids, row_count)
    row = await (await connection.execute(RECORD, values)).fetchone()
    assert row is not None  # INSERT ... RETURNING
    return int(row[0])


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One stored event (COLUMNS, in order)."""

    id: int
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    client: str | None
    request_id: str | None
    action: str
    outcome: int
    patient_ids: list[int] | None
    row_count: int | None
    bulk: bool
    query: str | None
    detail: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class EventFilter:
    """The admin's filters on the audit view; None: not filtered on."""

    patient_id: int | None = None
    username: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before: int | None = None  # only events older than this one (an export leaves itself out)

    def condition(self) -> tuple[sql.Composable, dict[str, Any]]:
        """The WHERE clause and its values. A patient's filter also matches every bulk
        disclosure since the patient was first recorded: such a list could have held them."""
        where: list[sql.Composable] = []
        if self.patient_id is not None:
            where.append(
                sql.SQL(
                    "(patient_ids @> ARRAY[%(patient_id)s]::integer[] OR (bulk AND at >= coalesce("
                    "(SELECT min(at) FROM patient_versions WHERE patient_id = %(patient_id)s),"
                    " '-infinity')))"
                )
            )
        if self.username is not None:
            where.append(sql.SQL("lower(username) = lower(%(username)s)"))
        if self.action is not None:
            where.append(sql.SQL("action = %(action)s"))
        if self.since is not None:
            where.append(sql.SQL("at >= %(since)s"))
        if self.until is not None:
            where.append(sql.SQL("at <= %(until)s"))
        if self.before is not None:
            where.append(sql.SQL("id < %(before)s"))
        condition = sql.SQL(" AND ").join(where) if where else sql.SQL("TRUE")
        values = {
            "patient_id": self.patient_id,
            "username": self.username,
            "action": self.action,
            "since": self.since,
            "until": self.until,
            "before": self.before,
        }
        return condition, values


_COLUMNS = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
EVENT = args_row(EventRecord)
# Each event as PostgreSQL renders the whole row in JSON (every column, in order; times in the
# transaction's time zone, which `canonical_between`'s callers set to UTC): what its hash covers.
CANONICAL = (
    b"SELECT id, row_to_json(e)::text FROM audit_events e"
    b" WHERE id > %(after)s AND id <= %(upto)s ORDER BY id LIMIT %(limit)s"
)


async def count(connection: Connection, wanted: EventFilter) -> int:
    """How many events match `wanted`."""
    condition, values = wanted.condition()
    stmt = sql.SQL("SELECT count(*) FROM audit_events WHERE {}").format(condition)
    row = await (await connection.execute(stmt, values)).fetchone()
    return int(row[0]) if row else 0


async def page(
    connection: Connection, wanted: EventFilter, number: int, per_page: int
) -> tuple[list[EventRecord], int]:
    """Page `number` of the events matching `wanted`, newest first (past the end: the last
    one, as json-server's pages), and how many match."""
    condition, values = wanted.condition()
    total = await count(connection, wanted)
    stmt = sql.SQL(
        "SELECT {} FROM audit_events WHERE {} ORDER BY id DESC OFFSET %(offset)s LIMIT %(limit)s"
    ).format(_COLUMNS, condition)
    offset = (shown_page(number, total, per_page) - 1) * per_page
    window = {**values, "offset": offset, "limit": per_page}
    async with connection.cursor(row_factory=EVENT) as cursor:
        await cursor.execute(stmt, window)
        return await cursor.fetchall(), total


async def in_utc(connection: Connection) -> None:
    """Times rendered in UTC for the rest of this transaction (`canonical_between`)."""
    await connection.execute(b"SET LOCAL TimeZone = 'UTC'")


async def canonical_between(
    connection: Connection, after: int, upto: int, limit: int
) -> list[tuple[int, str]]:
    """Up to `limit` events with ids in (after, upto], in id order, each as its id and its
    canonical text (`CANONICAL`), for sealing and verifying: in a transaction `in_utc`, so
    the text never depends on the session."""
    params = {"after": after, "upto": upto, "limit": limit}
    rows = await (await connection.execute(CANONICAL, params)).fetchall()
    return [(int(event_id), str(text)) for event_id, text in rows]


async def stream(
    connection: Connection, wanted: EventFilter, chunk_rows: int = 2_000
) -> AsyncGenerator[list[EventRecord], None]:
    """Every event matching `wanted`, newest first, a chunk at a time (the CSV export)."""
    condition, values = wanted.condition()
    stmt = sql.SQL("SELECT {} FROM audit_events WHERE {} ORDER BY id DESC").format(
        _COLUMNS, condition
    )
    async with (
        connection.transaction(),
        connection.cursor(name="audit_export", row_factory=EVENT) as cursor,
    ):
        await cursor.execute(stmt, values)
        while rows := await cursor.fetchmany(chunk_rows):
            yield rows
