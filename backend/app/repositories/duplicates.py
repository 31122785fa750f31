"""Every statement of possible duplicates: a candidate's matches, the background check that
keeps `duplicate_pairs` current, the page of pairs, and marking a pair distinct. Scores and
reasons come from `app.matching`; every statement that discloses patients writes its event.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from app import matching
from app.database import Connection
from app.repositories import audit
from app.repositories.patients import LIVE, PAGE_OFFSET, RECORD_COLUMNS, PatientRecord, audited

# Only one check runs at a time, in any process (a transaction-level advisory lock).
CHECK_LOCK = 7_013_001
CHECK_TIMEOUT = b"SET LOCAL statement_timeout = '120s'"
_FIELDS = len(RECORD_COLUMNS)


def _live(alias: str) -> sql.Composed:
    return sql.SQL("{}.deleted_at IS NULL").format(sql.Identifier(alias))


def _candidates(keys: sql.Composable, extra: sql.Composable) -> sql.Composed:
    """Ids of the CANDIDATES live patients `p` whose name shares one of `keys` and meeting
    `extra`, the most similar names first (one lookup of the name keys' index)."""
    return sql.SQL(
        "SELECT p.id FROM patients p WHERE {live} AND {sharing} AND {extra}"
        " ORDER BY similarity({stored}, {key}) DESC, p.id LIMIT {limit}"
    ).format(
        live=_live("p"),
        sharing=matching.sharing_keys(keys, "p"),
        extra=extra,
        stored=matching.name_key(sql.Identifier("p", "name_keys")),
        key=matching.name_key(keys),
        limit=sql.Literal(matching.CANDIDATES),
    )


CANDIDATE = matching.candidate()
MATCH = audited(
    sql.SQL(
        "SELECT {columns}, s.score, {grade} AS grade, s.reasons"
        " FROM (({found}) UNION SELECT p.id FROM patients p WHERE {live}"
        " AND lower(p.patient_id) = lower(%(patient_id)s)) AS found"
        " JOIN patients p USING (id) CROSS JOIN LATERAL ({scored}) AS s"
        " WHERE s.score >= {possible} ORDER BY s.score DESC, p.id LIMIT {most}"
    ).format(
        columns=sql.SQL(", ").join(sql.Identifier("p", c) for c in RECORD_COLUMNS),
        grade=matching.grade(sql.SQL("s.score")),
        found=_candidates(CANDIDATE.keys, sql.SQL("true")),
        live=_live("p"),
        scored=matching.scored(matching.row("p"), CANDIDATE),
        possible=sql.Literal(matching.POSSIBLE),
        most=sql.Literal(matching.MAX_MATCHES),
    ),
    "search",
    sql.Literal(200),
).as_bytes()


@dataclass(frozen=True, slots=True)
class Match:
    """A stored patient like a candidate, and how much."""

    patient: PatientRecord
    score: float
    grade: str
    reasons: list[str]


async def match(
    connection: Connection, candidate: Mapping[str, Any], event: Mapping[str, Any]
) -> list[Match]:
    """The best MAX_MATCHES live patients like `candidate` (`name`, `age`, `gender`,
    `patient_id`, the last three possibly None), best first, and the `search` event."""
    cursor = await connection.execute(MATCH, {**candidate, **event})
    return [Match(PatientRecord(*row[:_FIELDS]), *row[_FIELDS:]) for row in await cursor.fetchall()]


# A probable pair needs the same gender and ages at most a year apart (app/matching.py), so
# the check looks only there. Written so that no index of age can serve it: the planner, which
# cannot know how few names share a key, would otherwise read every patient of those ages.
PLAUSIBLE = sql.SQL("p.id <> q.id AND p.gender = q.gender AND abs(p.age - q.age) <= 1")
TAKE = (
    b"DELETE FROM duplicate_queue WHERE patient_id IN (SELECT patient_id FROM duplicate_queue"
    b" ORDER BY patient_id LIMIT %(batch)s FOR UPDATE SKIP LOCKED) RETURNING patient_id"
)
FORGET = b"DELETE FROM duplicate_pairs WHERE a = ANY(%(ids)s) OR b = ANY(%(ids)s)"
FIND = (
    sql.SQL(
        "INSERT INTO duplicate_pairs (a, b, score, grade, reasons)"
        " SELECT DISTINCT ON (least(q.id, c.id), greatest(q.id, c.id))"
        " least(q.id, c.id), greatest(q.id, c.id), s.score, {grade}, s.reasons"
        " FROM patients q CROSS JOIN LATERAL ({found}) AS found"
        " JOIN patients c ON c.id = found.id CROSS JOIN LATERAL ({scored}) AS s"
        " WHERE q.id = ANY(%(ids)s) AND {live} AND s.score >= {probable}"
        " ORDER BY least(q.id, c.id), greatest(q.id, c.id)"
        " ON CONFLICT (a, b) DO UPDATE SET score = excluded.score, grade = excluded.grade,"
        " reasons = excluded.reasons, found_at = now()"
    )
    .format(
        grade=matching.grade(sql.SQL("s.score")),
        found=_candidates(sql.Identifier("q", "name_keys"), PLAUSIBLE),
        scored=matching.scored(matching.row("q"), matching.row("c")),
        live=_live("q"),
        probable=sql.Literal(matching.PROBABLE),
    )
    .as_bytes()
)
PENDING = b"SELECT count(*) FROM duplicate_queue"


async def check_batch(connection: Connection, batch: int) -> int | None:
    """Check up to `batch` queued patients against the registry, replacing their pairs; the
    number checked, or None if another check is running. `connection` must be in a
    transaction: taking them from the queue commits with their pairs, or not at all."""
    row = await (
        await connection.execute(b"SELECT pg_try_advisory_xact_lock(%s)", (CHECK_LOCK,))
    ).fetchone()
    if not (row and row[0]):
        return None
    # A batch is background work: it may take longer than a request's statement may.
    await connection.execute(CHECK_TIMEOUT)
    ids = [int(r[0]) for r in await (await connection.execute(TAKE, {"batch": batch})).fetchall()]
    if ids:
        await connection.execute(FORGET, {"ids": ids})
        await connection.execute(FIND, {"ids": ids})
    return len(ids)


async def pending(connection: Connection) -> int:
    """How many patients are still to check."""
    row = await (await connection.execute(PENDING)).fetchone()
    return int(row[0]) if row else 0


def _pair_columns(alias: str) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(alias, c) for c in RECORD_COLUMNS)


PAIRS = (
    sql.SQL(
        "WITH shown AS (SELECT d.* FROM duplicate_pairs d"
        " JOIN patients pa ON pa.id = d.a AND {live_a} JOIN patients pb ON pb.id = d.b AND {live_b}"
        " WHERE NOT EXISTS (SELECT FROM distinct_patients x WHERE x.a = d.a AND x.b = d.b)),"
        " total AS (SELECT count(*) AS n FROM shown),"
        " answer AS MATERIALIZED (SELECT total.n, s.a, s.b, {a}, {b}, s.score, s.grade, s.reasons"
        " FROM total LEFT JOIN LATERAL (SELECT * FROM shown ORDER BY score DESC, a, b"
        " OFFSET {offset} LIMIT %(limit)s) AS s ON true"
        " LEFT JOIN patients pa ON pa.id = s.a LEFT JOIN patients pb ON pb.id = s.b"
        " ORDER BY s.score DESC, s.a, s.b),"
        " disclosed AS (SELECT a AS id FROM answer UNION ALL SELECT b FROM answer),"
        " audited AS ({event}) SELECT * FROM answer"
    )
    .format(
        live_a=_live("pa"),
        live_b=_live("pb"),
        a=_pair_columns("pa"),
        b=_pair_columns("pb"),
        offset=PAGE_OFFSET,
        event=audit.event_from("disclosed", "search", sql.Literal(200)),
    )
    .as_bytes()
)


@dataclass(frozen=True, slots=True)
class Pair:
    """Two live patients that may be one person."""

    a: PatientRecord
    b: PatientRecord
    score: float
    grade: str
    reasons: list[str]


async def pairs_page(
    connection: Connection, number: int, per_page: int, event: Mapping[str, Any]
) -> tuple[list[Pair], int]:
    """Page `number` of the live pairs not marked distinct, highest score first (past the end:
    the last), with its `search` event; and how many there are."""
    params = {**event, "page": number, "limit": per_page}
    rows = await (await connection.execute(PAIRS, params)).fetchall()
    pairs = [
        Pair(
            PatientRecord(*row[3 : 3 + _FIELDS]),
            PatientRecord(*row[3 + _FIELDS : 3 + 2 * _FIELDS]),
            *row[3 + 2 * _FIELDS :],
        )
        for row in rows
        if row[1] is not None
    ]
    return pairs, int(rows[0][0])


MARK_DISTINCT = (
    sql.SQL(
        "WITH pair AS (SELECT id FROM patients WHERE id IN (%(a)s, %(b)s) AND {live}),"
        " marked AS (INSERT INTO distinct_patients (a, b, marked_by)"
        " SELECT least(%(a)s, %(b)s), greatest(%(a)s, %(b)s), %(event_user_id)s"
        " WHERE (SELECT count(*) FROM pair) = 2 ON CONFLICT DO NOTHING),"
        " audited AS ({event}) SELECT count(*) FROM pair"
    )
    .format(
        live=LIVE,
        event=audit.event_from(
            "pair", "mark_distinct", sql.SQL("CASE WHEN count(id) = 2 THEN 204 ELSE 404 END")
        ),
    )
    .as_bytes()
)


async def mark_distinct(connection: Connection, a: int, b: int, event: Mapping[str, Any]) -> bool:
    """Remember live patients `a` and `b` as two people (its event either way); False if
    either is not a live patient."""
    row = await (await connection.execute(MARK_DISTINCT, {**event, "a": a, "b": b})).fetchone()
    return bool(row and row[0] == 2)
