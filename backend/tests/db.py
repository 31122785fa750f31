"""A fresh PostgreSQL database per test run: on TEST_DATABASE_URL's server, or embedded; and
the limits that keep a test from waiting forever on it."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import errors
from sqlalchemy import URL, make_url

from app.db_admin import libpq_url, start_embedded, stop_embedded, upgrade_schema

# Every connection a test opens, and every connection of the processes it starts (libpq reads
# PGOPTIONS wherever a connection sets no options of its own; the app's pool sets the same
# limits from its settings), gives up waiting for a lock after LOCK_TIMEOUT and on any statement
# after STATEMENT_TIMEOUT: a wait that would have hung the run fails in seconds, naming its
# statement, and pytest-timeout (pyproject.toml) bounds whatever else a test waits for.
LOCK_TIMEOUT = "5s"
STATEMENT_TIMEOUT = "30s"
PG_OPTIONS = f"-c lock_timeout={LOCK_TIMEOUT} -c statement_timeout={STATEMENT_TIMEOUT}"
UPGRADE_LOCK = 0x75706772  # advisory lock key on the server's `postgres` database
# Everything a test writes; emptied before each test (`empty_tables`).
TABLES = (
    "patients, patient_versions, duplicate_queue, duplicate_pairs, distinct_patients,"
    " sign_in_failures, audit_events, audit_seals"
)


def limit_waits() -> None:
    """Put PG_OPTIONS in this process's environment, hence its children's."""
    os.environ["PGOPTIONS"] = PG_OPTIONS


def sqlalchemy_url(url: str) -> URL:
    """A libpq URL as SQLAlchemy's URL object (tests build engines and variants with it)."""
    return make_url("postgresql+psycopg://" + libpq_url(url).partition("://")[2])


def libpq(url: URL) -> str:
    """The test URL as psycopg and the app take it."""
    return libpq_url(url.render_as_string(hide_password=False))


@contextmanager
def server_url() -> Iterator[URL]:
    """The server tests run on: TEST_DATABASE_URL, else an embedded one deleted afterwards."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        yield sqlalchemy_url(explicit)
        return
    with tempfile.TemporaryDirectory(prefix="registry-test-") as folder:
        os.chmod(folder, 0o755)  # the embedded server runs as its own user when we are root
        try:
            yield sqlalchemy_url(start_embedded(Path(folder) / "pg"))
        finally:
            stop_embedded()


@contextmanager
def empty_database(server: URL) -> Iterator[URL]:
    """CREATE a uniquely named database with no schema at all, DROP it at the end."""
    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    admin = libpq(server.set(database="postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(server: URL) -> Iterator[URL]:
    """A new database (`empty_database`) upgraded to head. One upgrade at a time per server:
    the migrations also make the server-wide runtime role, and parallel workers (pytest-xdist)
    would race to create it."""
    with empty_database(server) as url:
        admin = libpq(server.set(database="postgres"))
        with psycopg.connect(admin, autocommit=True) as lock:
            # Waiting for the other workers' upgrades, not for a hang.
            lock.execute("SET lock_timeout = '120s'; SET statement_timeout = '120s'")
            lock.execute("SELECT pg_advisory_lock(%s)", (UPGRADE_LOCK,))
            upgrade_schema(libpq(url))
        yield url


class LockWaitTimeout(AssertionError):
    """A test's cleanup waited LOCK_TIMEOUT for a lock: something still holds one."""


async def empty_tables(url: URL) -> None:
    """TRUNCATE every table a test writes, ids from 1 again. Awaited on the event loop, so a task
    of the app in this process can finish the transaction it is in meanwhile; if anything still
    holds a lock after LOCK_TIMEOUT, LockWaitTimeout names each other session on the database."""
    async with await psycopg.AsyncConnection.connect(libpq(url), autocommit=True) as connection:
        try:
            await connection.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
        except errors.LockNotAvailable:
            sessions = await connection.execute(
                "SELECT pid, application_name, state, left(query, 200) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            holders = "; ".join(
                f"pid {pid} {application or '(no name)'} {state}: {query}"
                for pid, application, state, query in await sessions.fetchall()
            )
            raise LockWaitTimeout(
                f"emptying the test database waited over {LOCK_TIMEOUT} for a lock; its other"
                f" sessions: {holders}"
            ) from None
