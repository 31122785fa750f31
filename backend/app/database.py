"""Async engine and the per-request unit of work."""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import URL, Engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import greenlet_spawn

from app.config import Settings, normalize_url
from app.embedded import start_embedded


def resolve_database_url(settings: Settings) -> URL:
    """The configured server, or the embedded one when DATABASE_URL is unset."""
    if settings.database_url:
        return normalize_url(settings.database_url)
    return normalize_url(start_embedded(settings.pg_data_dir))


def create_engine(url: URL, settings: Settings) -> AsyncEngine:
    """Pooled engine whose connections fail fast when the server is away."""
    options = f"-c statement_timeout={settings.db_statement_timeout_ms}"
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        connect_args={"connect_timeout": settings.db_connect_timeout, "options": options},
    )
    _ping_when_idle(engine, settings.db_ping_after_idle_s)
    return engine


def _ping_when_idle(engine: AsyncEngine, idle_s: float) -> None:
    """Pre-ping, but only a connection that sat idle for `idle_s`: a ping on every checkout is
    a round trip per request (~115 us of CPU of ~700 for one record, docs/benchmarks.md).

    A connection that was in use a moment ago is as alive as a ping would find it; one that
    breaks anyway fails its statement as a disconnect, which makes SQLAlchemy discard the
    whole pool, so the next request starts on fresh connections.
    """
    pool = engine.sync_engine.pool
    dialect = engine.dialect

    @event.listens_for(pool, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is not None and time.monotonic() - returned < idle_s:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: the pool replaces it (up to 3 tries)
            raise DisconnectionError() from error


@dataclass
class Database:
    """The engine and its session factory, owned by the application's lifespan."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: URL, settings: Settings) -> "Database":
        """Build the pool; no connection is opened until the first request needs one."""
        engine = create_engine(url, settings)
        # Same pool; psycopg's autocommit is a client-side flag, so switching costs no round trip.
        reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        return cls(
            engine,
            async_sessionmaker(engine, expire_on_commit=False),
            async_sessionmaker(reader, expire_on_commit=False),
        )

    async def session(self, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One transaction per request: commit when the handler returns, roll back if it raises.

        A read-only request runs its statements in autocommit instead: no BEGIN and COMMIT
        round trips around a single SELECT (measured in docs/benchmarks.md).
        """
        if read_only:
            async with self.read_sessions() as session:
                yield session
            return
        async with self.sessions() as session, session.begin():
            yield session


@asynccontextmanager
async def driver_connection(session: AsyncSession) -> AsyncIterator[Any]:
    """The psycopg connection to run one already-compiled statement on, for the hot reads.

    A read-only session that has not connected yet lends a pooled connection in autocommit
    directly, without Session, Connection or transaction objects: 108 us of CPU per read
    instead of 357 us (docs/benchmarks.md). Otherwise the session's own connection is used, in
    its transaction. Driver errors leave as SQLAlchemy's (an OperationalError is still a 503),
    and a connection found dead is invalidated, as SQLAlchemy does for its own statements.
    """
    bind = session.get_bind()
    assert isinstance(bind, Engine)  # sessions here are bound to an engine, not a connection
    lend = bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    if lend and not session.in_transaction():
        async with _driver_errors(bind.dialect, None, None):  # a refused connect, too
            fairy = await greenlet_spawn(bind.raw_connection)
        driver: Any = fairy.driver_connection
        try:
            await driver.set_autocommit(True)
            async with _driver_errors(bind.dialect, driver, fairy.invalidate):
                yield driver
        finally:
            try:
                if not driver.closed:
                    await driver.set_autocommit(False)  # as SQLAlchemy hands it to sessions
            except psycopg.Error as error:
                await greenlet_spawn(fairy.invalidate, error)
            await greenlet_spawn(fairy.close)
        return
    connection = (await session.connection()).sync_connection
    assert connection is not None  # an open AsyncConnection always has its sync one
    driver = connection.connection.driver_connection
    async with _driver_errors(bind.dialect, driver, connection.invalidate):
        yield driver


@asynccontextmanager
async def _driver_errors(
    dialect: Any, driver: Any, invalidate: Callable[[BaseException], None] | None
) -> AsyncIterator[None]:
    try:
        yield
    except psycopg.Error as error:
        lost = invalidate is not None and bool(dialect.is_disconnect(error, driver, None))
        if lost and invalidate is not None:
            await greenlet_spawn(invalidate, error)
        raise DBAPIError.instance(
            None, None, error, psycopg.Error, connection_invalidated=lost, dialect=dialect
        ) from error
