"""The one way the app reaches PostgreSQL: a psycopg 3 connection pool, and the two kinds of
connection a request can ask for (`Database.reader`, `Database.unit_of_work`).

Connections are in autocommit mode, so a reader's single statement runs without BEGIN and
COMMIT round trips (one statement always sees one snapshot), and a unit of work is an explicit
transaction around its statements.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from app.config import Settings
from app.credential_cache import CredentialCache
from app.matching import WORD_THRESHOLD

Connection = AsyncConnection[tuple[Any, ...]]
T = TypeVar("T")
logger = logging.getLogger(__name__)
# psycopg_pool gives up re-connecting after this long and lets the next request try again at
# once, so service resumes within seconds of the database coming back (no long backoff).
RECONNECT_TIMEOUT_S = 2.0
RUNTIME_ROLE = "registry_runtime"


class IdleCheck:
    """Ping a pooled connection before use only if it sat idle for `idle_s`.

    A connection used a moment ago is as alive as a ping would find it; pinging on every
    checkout is a round trip per request (docs/benchmarks.md). One that breaks anyway fails its
    statement (a 503) and the pool discards it on return, as it does any broken connection.
    The time of last use is noted by `Database` itself: the pool's `reset` callback would move
    every return into a task of its own.
    """

    def __init__(self, idle_s: float) -> None:
        self.idle_s = idle_s
        self.last_used: WeakKeyDictionary[Connection, float] = WeakKeyDictionary()

    async def check(self, connection: Connection) -> None:
        """The pool's `check` callback: raises if an idle connection is dead."""
        used = self.last_used.get(connection)
        if used is None or time.monotonic() - used >= self.idle_s:
            await AsyncConnectionPool.check_connection(connection)

    def used(self, connection: Connection) -> None:
        """Note that `connection` was just in use."""
        self.last_used[connection] = time.monotonic()


class CommitMode:
    """Whether each pooled connection commits synchronously (PostgreSQL's default, every write
    durable when acknowledged) or not (a read's audit event: `Database.disclosing`).

    A connection keeps its mode for the whole session, so one switched off is switched back on
    (one `SET` round trip) before it serves anything else; a read-heavy load switches rarely.
    """

    def __init__(self) -> None:
        self.asynchronous: WeakKeyDictionary[Connection, bool] = WeakKeyDictionary()

    async def set(self, connection: Connection, asynchronous: bool) -> None:
        """Put `connection` in the mode asked for, if it is not in it already."""
        if self.asynchronous.get(connection, False) is not asynchronous:
            value = b"off" if asynchronous else b"on"
            await connection.execute(b"SET synchronous_commit = " + value)
            self.asynchronous[connection] = asynchronous


class Database:
    """The pool, owned by the application's lifespan; nothing connects until `open`."""

    def __init__(self, url: str, settings: Settings) -> None:
        # Who a session or token belongs to, kept while PostgreSQL says nothing changed
        # (services/auth_service.py; app/credential_cache.py says why it stays correct).
        self.credentials: CredentialCache[Any] = CredentialCache(url, settings.db_connect_timeout)
        self.idle = idle = IdleCheck(settings.db_ping_after_idle_s)
        self.commits = CommitMode()
        self.pool = AsyncConnectionPool(
            url,
            min_size=0,
            max_size=settings.db_pool_max,
            timeout=settings.db_pool_timeout,
            reconnect_timeout=RECONNECT_TIMEOUT_S,
            open=False,
            check=idle.check,
            kwargs={
                "autocommit": True,
                "connect_timeout": settings.db_connect_timeout,
                # The role without the right to alter audit events (migration 0009).
                "options": (
                    f"-c statement_timeout={settings.db_statement_timeout_ms}"
                    f" -c lock_timeout={settings.db_lock_timeout_ms}"
                    f" -c role={RUNTIME_ROLE}"
                    # What `<%` calls a similar word (app/matching.py).
                    f" -c pg_trgm.word_similarity_threshold={WORD_THRESHOLD}"
                ),
            },
        )

    async def open(self) -> None:
        """Start the pool without waiting for the database (the app serves 503 until it is up)."""
        await self.pool.open(wait=False)
        await self.credentials.open()

    async def close(self) -> None:
        """Close every connection."""
        await self.credentials.close()
        await self.pool.close()

    @asynccontextmanager
    async def reader(self, asynchronous_commit: bool = False) -> AsyncIterator[Connection]:
        """A connection for reads: every statement is atomic and sees one snapshot. Anything
        it writes is durable when acknowledged, unless `asynchronous_commit` (`disclosing`)."""
        async with self.pool.connection() as connection:
            try:
                await self.commits.set(connection, asynchronous_commit)
                yield connection
            finally:
                self.idle.used(connection)

    def disclosing(self) -> AbstractAsyncContextManager[Connection]:
        """A connection for a read whose only write is its own audit event (one statement):
        committed asynchronously, so the read does not wait for the event's WAL flush. The
        read is still never answered without its event (same statement), but if the database
        server itself crashes, the events of the reads answered just before may be lost: the
        WAL writer flushes them within ~200 ms (measured here: median 187 ms, p99 0.4 s, at
        most 0.75 s when idle; ~1 ms under write load; docs/benchmarks.md). Every other write,
        patient changes and their events included, is durable when acknowledged."""
        return self.reader(asynchronous_commit=True)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self.reader() as connection, connection.transaction():
            yield connection


def run_on_database(url: str, settings: Settings, use: Callable[["Database"], Awaitable[T]]) -> T:
    """`use` on a `Database` of its own, from synchronous code (the command line, start-up)."""

    async def run() -> T:
        database = Database(url, settings)
        await database.open()
        try:
            return await use(database)
        finally:
            await database.close()

    return asyncio.run(run())


async def repeat(
    database: "Database",
    interval_s: float,
    work: Callable[["Database"], Awaitable[object]],
    what: str,
) -> None:
    """A running server's background round: `work` every `interval_s`; never raises (a failed
    round is logged and tried again at the next)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await work(database)
        except Exception:  # the database may be away: the next round tries again
            logger.warning("%s failed; retrying in %.0f s", what, interval_s, exc_info=True)
