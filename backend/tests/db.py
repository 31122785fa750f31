"""A fresh PostgreSQL database per test run: on TEST_DATABASE_URL's server, or embedded."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import URL, make_url

from app.db_admin import libpq_url, start_embedded, stop_embedded, upgrade_schema


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
    """A new database (`empty_database`) upgraded to head."""
    with empty_database(server) as url:
        upgrade_schema(libpq(url))
        yield url
