"""Possible duplicates: match a candidate, page through the pairs found, mark a pair as two
people, and the background check that finds the pairs (merging is a patient write:
patient_service.merge_patients). The rule itself is app/matching.py."""

from app.audit import Actor
from app.database import Database, repeat
from app.errors import InvalidBody, PatientNotFound
from app.repositories import duplicates
from app.repositories.duplicates import Match, Pair
from app.schemas.duplicate import MatchCandidate

CHECK_BATCH = 200  # patients checked per transaction (each a few ms at 1,000,000)
NOTHING_MATCHABLE = "Give a name with at least one letter or digit to look for matches."


async def match(database: Database, candidate: MatchCandidate, actor: Actor) -> list[Match]:
    """The stored patients most like `candidate`, best first, at most MAX_MATCHES, none below
    possible; audited as a search of the patients answered."""
    if not any(character.isalnum() for character in candidate.name):
        raise InvalidBody(NOTHING_MATCHABLE)
    values = {
        "name": candidate.name,
        "age": candidate.age,
        "gender": candidate.gender,
        "patient_id": candidate.patient_id,
    }
    async with database.disclosing() as connection:
        return await duplicates.match(connection, values, actor.params(""))


async def pairs(
    database: Database, actor: Actor, page: int, per_page: int
) -> tuple[list[Pair], int, int]:
    """Page `page` of the probable pairs, highest score first; how many pairs there are; and
    how many patients are still to check (their pairs may be missing yet)."""
    async with database.disclosing() as connection:
        found, total = await duplicates.pairs_page(connection, page, per_page, actor.params(""))
        return found, total, await duplicates.pending(connection)


async def mark_distinct(database: Database, a: int, b: int, actor: Actor) -> None:
    """Remember `a` and `b` as two people, so their pair is never offered again."""
    if a == b:
        raise InvalidBody("a and b must be two different patients.")
    async with database.unit_of_work() as connection:
        if not await duplicates.mark_distinct(connection, a, b, actor.params()):
            raise PatientNotFound()


async def check_batch(database: Database, batch: int = CHECK_BATCH) -> int | None:
    """Check up to `batch` new or changed patients for probable duplicates; how many were
    checked (None: another process is checking)."""
    async with database.unit_of_work() as connection:
        return await duplicates.check_batch(connection, batch)


async def check_all(database: Database) -> int:
    """Check every patient waiting, a batch at a time; how many were checked here."""
    checked = 0
    while count := await check_batch(database):
        checked += count
    return checked


async def keep_checking(database: Database, interval_s: float) -> None:
    """The running server's check: never raises (a failed round is logged and retried)."""
    await repeat(database, interval_s, check_all, "duplicate check")
