"""Tamper evidence for the audit trail: events are sealed in hashed blocks, each block's hash
covering the one before, and `python -m app audit-verify` recomputes the whole chain.

Events are written without a hash, so a read pays one plain INSERT and never waits on another
request for "the previous hash". A running server seals what was written every
AUDIT_SEAL_INTERVAL_S seconds (2 by default; one process at a time, by advisory lock):

- `audit_horizon()` (migration 0009, run as the owner) waits until no transaction can still
  add an event below the highest id it answers, so a block never misses a late commit;
- each event's digest is SHA-256 of its canonical text, PostgreSQL's JSON rendering of the
  whole row in UTC (`digest`; text is cheap to fetch, so sealing costs little CPU beside the
  requests); a block stores its events' ids and digests, the previous block's hash, and
  SHA-256(previous hash + digests).

`verify` names the first event that was altered, removed, or added after sealing, the first
block whose hashes do not follow, and an event left unsealed for longer than a server would
leave it (UNSEALED_AT_MOST: the seals were removed). Two limits, written down rather than
hidden: events newer than the last seal (seconds old) are not yet covered, and someone able to
rewrite the newest events together with the newest seals could forge that tail; the log line of
each seal (the newest block's hash) lets an operator compare against a copy kept elsewhere.
"""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from app.database import Connection, Database, repeat
from app.repositories import audit

logger = logging.getLogger(__name__)

GENESIS = bytes(32)  # the "previous hash" of the first block
MAX_BLOCK_EVENTS = 50_000  # one block's events are read at once: memory stays bounded
SEALER_LOCK = 0x61756469  # advisory lock key: one sealer at a time across processes
READ_CHUNK = 10_000
# A running server seals within seconds; an older unsealed event means seals went missing.
UNSEALED_AT_MOST = timedelta(minutes=10)


def digest(canonical: str) -> bytes:
    """SHA-256 of an event's canonical text (PostgreSQL's JSON rendering of its row, in UTC:
    `repositories.audit.CANONICAL`), computed here rather than by the database."""
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).digest()


def block_hash(prev_hash: bytes, digests: bytes) -> bytes:
    """A block's hash: over the previous block's hash and its events' digests, in id order."""
    return hashlib.sha256(prev_hash + digests).digest()


async def seal(database: Database) -> int:
    """Seal the events written since the last block into a new one; how many were sealed
    (0: nothing new, or another process is sealing, or writers kept the horizon busy)."""
    async with database.reader() as connection:
        row = await (await connection.execute(b"SELECT audit_horizon()")).fetchone()
    horizon = row[0] if row else None
    if horizon is None:
        return 0
    async with database.unit_of_work() as connection:
        locked = await (
            await connection.execute(b"SELECT pg_try_advisory_xact_lock(%s)", (SEALER_LOCK,))
        ).fetchone()
        if not (locked and locked[0]):
            return 0
        last = await (
            await connection.execute(
                b"SELECT block, last_event, hash FROM audit_seals ORDER BY block DESC LIMIT 1"
            )
        ).fetchone()
        block, after, prev_hash = last if last else (0, 0, GENESIS)
        await audit.in_utc(connection)
        events = await audit.canonical_between(connection, after, horizon, MAX_BLOCK_EVENTS)
        if not events:
            return 0
        ids = [event_id for event_id, _ in events]
        digests = b"".join(digest(text) for _, text in events)
        sealed = block_hash(prev_hash, digests)
        await connection.execute(
            b"INSERT INTO audit_seals (block, first_event, last_event, event_ids, digests,"
            b" prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (block + 1, ids[0], ids[-1], ids, digests, prev_hash, sealed),
        )
    logger.info("audit block %d sealed: %d events, hash %s", block + 1, len(events), sealed.hex())
    return len(events)


async def seal_all(database: Database) -> int:
    """Seal until nothing is left (a block holds at most MAX_BLOCK_EVENTS)."""
    total = 0
    while sealed := await seal(database):
        total += sealed
    return total


async def keep_sealing(database: Database, interval_s: float) -> None:
    """The running server's sealer: never raises (a failed round is logged and retried)."""
    await repeat(database, interval_s, seal_all, "audit sealing")


async def seal_on_shutdown(database: Database) -> None:
    """A last round as the server stops, so its newest events do not wait for the next start."""
    try:
        await seal_all(database)
    except Exception:  # the database may be away: they are sealed at the next start
        logger.warning("audit events left unsealed at shutdown", exc_info=True)


@dataclass
class Verdict:
    """What `verify` found: the first break (None: the chain holds), and what it covered."""

    problem: str | None
    blocks: int
    events: int
    unsealed: int


async def verify(database: Database) -> Verdict:
    """Recompute every block from the events in the table, in order."""
    async with database.unit_of_work() as connection:  # one snapshot for the whole chain
        await audit.in_utc(connection)
        seals = await (
            await connection.execute(
                b"SELECT block, last_event, event_ids, digests, prev_hash, hash"
                b" FROM audit_seals ORDER BY block"
            )
        ).fetchall()
        prev_hash, after, events = GENESIS, 0, 0
        for expected, (block, last, ids, digests, stored_prev, stored) in enumerate(seals, 1):
            problem = _check_block(expected, block, prev_hash, stored_prev, digests, stored)
            if problem is None:
                problem = await _check_events(connection, after, last, ids, digests)
            if problem is not None:
                return Verdict(problem, expected - 1, events, 0)
            prev_hash, after, events = stored, last, events + len(ids)
        row = await (
            await connection.execute(
                b"SELECT count(*), min(id) FILTER (WHERE at < now() - %s) FROM audit_events"
                b" WHERE id > %s",
                (UNSEALED_AT_MOST, after),
            )
        ).fetchone()
    unsealed, stale = (int(row[0]), row[1]) if row else (0, None)
    if stale is not None:
        problem = (
            f"event {stale} has been unsealed for over {UNSEALED_AT_MOST}: seals were removed,"
            " or no server has run since it was written (start one: it seals at once)"
        )
        return Verdict(problem, len(seals), events, unsealed)
    return Verdict(None, len(seals), events, unsealed)


def _check_block(
    expected: int, block: int, prev_hash: bytes, stored_prev: bytes, digests: bytes, stored: bytes
) -> str | None:
    if block != expected:
        return f"block {expected} is missing (found block {block} in its place)"
    if stored_prev != prev_hash or block_hash(prev_hash, digests) != stored:
        return f"block {block} does not follow from the block before it (a seal was altered)"
    return None


async def _check_events(
    connection: Connection, after: int, last: int, ids: Sequence[int], digests: bytes
) -> str | None:
    """The block's events as the table holds them now, against the ids and digests sealed."""
    sealed = {event_id: digests[i * 32 : (i + 1) * 32] for i, event_id in enumerate(ids)}
    seen: set[int] = set()
    cursor_after = after
    while chunk := await audit.canonical_between(connection, cursor_after, last, READ_CHUNK):
        for event_id, text in chunk:
            expected = sealed.get(event_id)
            if expected is None:
                return f"event {event_id} was added after it was sealed"
            if digest(text) != expected:
                return f"event {event_id} was altered after it was sealed"
            seen.add(event_id)
        cursor_after = chunk[-1][0]
    missing = [event_id for event_id in ids if event_id not in seen]
    if missing:
        return f"event {missing[0]} was removed after it was sealed"
    return None


def report(verdict: Verdict) -> tuple[int, str]:
    """The command's exit status and one line for its operator."""
    if verdict.problem is not None:
        return 1, f"audit chain BROKEN: {verdict.problem}"
    return 0, (
        f"audit chain intact: {verdict.events} events in {verdict.blocks} blocks;"
        f" {verdict.unsealed} newer events not sealed yet"
    )
