"""Async engine and the per-request unit of work."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

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
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
        connect_args={"connect_timeout": settings.db_connect_timeout, "options": options},
    )


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
