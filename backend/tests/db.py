"""A fresh PostgreSQL database per test run: on TEST_DATABASE_URL's server, or embedded."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, create_engine, text

from app.__main__ import upgrade_schema
from app.database import normalize_url
from app.embedded import start_embedded, stop_embedded


@contextmanager
def server_url() -> Iterator[URL]:
    """The server tests run on: TEST_DATABASE_URL, else an embedded one deleted afterwards."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        yield normalize_url(explicit)
        return
    with tempfile.TemporaryDirectory(prefix="registry-test-") as folder:
        os.chmod(folder, 0o755)  # the embedded server runs as its own user when we are root
        try:
            yield normalize_url(start_embedded(Path(folder) / "pg"))
        finally:
            stop_embedded()


@contextmanager
def fresh_database(server: URL) -> Iterator[URL]:
    """CREATE a uniquely named database, upgrade it to head, DROP it at the end."""
    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name)
    try:
        upgrade_schema(url.render_as_string(hide_password=False))
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
