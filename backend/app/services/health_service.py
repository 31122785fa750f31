"""Database reachability: the real query behind /health and the start-up watch."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from app.backup import schedule
from app.config import VERSION
from app.database import Database
from app.schemas.health import HealthReport

logger = logging.getLogger("app.health")

FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0


async def roundtrip_s(database: Database, timeout_s: float) -> float | None:
    """Seconds a `SELECT 1` takes on a pooled connection, or None when it does not answer
    within `timeout_s` (pool checkout and connect included). /metrics reports the time."""
    try:
        async with asyncio.timeout(timeout_s), database.reader() as connection:
            started = time.perf_counter()
            await connection.execute("SELECT 1")
            return time.perf_counter() - started
    except Exception as exc:  # any failure means "not reachable"; never a 500 from /health
        logger.warning("database unreachable: %s", type(exc).__name__)
        return None


async def database_reachable(database: Database, timeout_s: float) -> bool:
    """True when `SELECT 1` answers within `timeout_s` (pool checkout and connect included)."""
    return await roundtrip_s(database, timeout_s) is not None


async def check(
    database: Database,
    timeout_s: float,
    backup_dir: Path,
    admin_asks: Callable[[], Awaitable[bool]],
) -> HealthReport:
    """Status, reachability, the last backup's outcome and time, as /health answers them; the
    version only when the database answers and `admin_asks()` says an admin asks (it may need
    the database)."""
    reachable = await database_reachable(database, timeout_s)
    attempt = schedule.last_attempt(backup_dir)
    backup_ok = attempt is None or attempt.ok
    return HealthReport(
        status=("ok" if backup_ok else "degraded") if reachable else "unavailable",
        database="reachable" if reachable else "unreachable",
        timestamp=datetime.now(UTC),
        version=VERSION if reachable and await admin_asks() else None,
        backup=None if attempt is None else "ok" if attempt.ok else "failed",
    )


async def watch_until_reachable(database: Database, timeout_s: float) -> None:
    """At start-up: say clearly whether the database is there, and retry with backoff until it
    is, so the log shows when service resumed. Requests are answered (503) meanwhile."""
    delay = FIRST_RETRY_S
    first = True
    while not await database_reachable(database, timeout_s):
        if first:
            logger.error(
                "database unreachable at start-up: answering 503 until it is back "
                "(retrying every %.1f s up to %.0f s)",
                delay,
                MAX_RETRY_S,
            )
            first = False
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_RETRY_S)
    logger.info("database reachable")
