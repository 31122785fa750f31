"""Backups that are proven to restore (issue 15): `python -m app backup` and `restore` run as
an operator would, on a registry of 10,000 imported patients with edits, deletions, accounts
and a sealed audit trail; every table is compared row by row after the restore."""

import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import URL

from alembic import command
from app import audit_chain
from app.backup import crypto
from app.backup.manifest import manifest_path, read
from app.backup.service import TABLES_SQL
from app.config import BACKEND_DIR, Settings
from app.db_admin import alembic_config
from app.principal import Role
from benchmarks.generate_db_json import generate
from tests.accounts import bearer, make_token
from tests.conftest import app_with, asgi_client
from tests.db import empty_database, fresh_database, libpq

PATIENTS = 10_000
PASSPHRASE = "correct horse battery staple"


def run_app(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m app ARGS` from backend/, as an operator runs it."""
    inherited = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BACKUP_PASSPHRASE")
    }
    environment = {**inherited, "ENVIRONMENT": "test", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=BACKEND_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def contents(url: str) -> dict[str, list[str]]:
    """Every row of every table (as PostgreSQL's text form of the whole row, sorted), and
    every sequence's position: what "restored unchanged" means."""
    with psycopg.connect(url) as connection:
        tables = [name for (name,) in connection.execute(TABLES_SQL)]
        found = {
            table: [
                row[0]
                for row in connection.execute(
                    sql.SQL("SELECT t::text FROM {} AS t ORDER BY 1").format(sql.Identifier(table))
                )
            ]
            for table in tables
        }
        found["(sequences)"] = [
            f"{name}={value}"
            for name, value in connection.execute(
                "SELECT sequencename, last_value FROM pg_sequences"
                " WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
    return found


@pytest.fixture(scope="module")
def imported(database_url: URL, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """10,000 patients imported from a generated db.json, as a clinic's registry begins."""
    with fresh_database(database_url) as url:
        source = libpq(url)
        db_json = tmp_path_factory.mktemp("import") / "db.json"
        generate(PATIENTS, db_json)
        command = [sys.executable, "-m", "app.migration.cli", str(db_json), "--allow-rejects"]
        imported = subprocess.run(
            [*command, "--database-url", source],
            cwd=BACKEND_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert imported.returncode == 0, imported.stderr
        yield source


@pytest.fixture(scope="module")
async def registry(imported: str, settings: Settings) -> AsyncIterator[str]:
    """The registry as a clinic has it after a while: edits and deletions through the API
    (history and audit events), accounts and tokens, a sealed audit trail."""
    async with app_with(settings, database_url=imported) as app:
        token = await make_token(app.state.database, Role.CLINICIAN)
        async with asgi_client(app, bearer(token)) as http:
            for id in range(1, 301):
                answer = await http.patch(f"/patients/{id}", json={"age": 30 + id % 50})
                assert answer.status_code == 200, answer.text
            for id in range(301, 401):
                answer = await http.request(
                    "DELETE", f"/patients/{id}", json={"reason": "registered twice"}
                )
                assert answer.status_code == 200, answer.text
            assert (await http.get("/patients?name_like=Ana")).status_code == 200
        await audit_chain.seal_all(app.state.database)
    yield imported


@pytest.fixture
def target(database_url: URL) -> Iterator[str]:
    """A new database with nothing in it, as a restore wants."""
    with empty_database(database_url) as url:
        yield libpq(url)


def only_archive(folder: Path) -> Path:
    archives = [p for p in folder.iterdir() if not p.name.endswith(".manifest.json")]
    assert len(archives) == 1, archives
    return archives[0]


def test_a_backup_restores_every_row_of_every_table(
    registry: str, target: str, tmp_path: Path
) -> None:
    made = run_app("backup", "--to", str(tmp_path), env={"DATABASE_URL": registry})
    assert made.returncode == 0, made.stderr
    assert "NOT encrypted" in made.stdout
    archive = only_archive(tmp_path)
    for path in (archive, manifest_path(archive)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    manifest = read(manifest_path(archive))
    original = contents(registry)
    assert manifest.tables == {t: len(rows) for t, rows in original.items() if t[0] != "("}
    assert manifest.tables["patients"] > 9_900 and manifest.tables["audit_seals"] > 0

    restored = run_app("restore", str(archive), "--database-url", target)

    assert restored.returncode == 0, restored.stderr
    assert "Every table has the rows its manifest lists" in restored.stdout
    assert "Audit chain intact" in restored.stdout
    assert contents(target) == original


def test_an_encrypted_backup_needs_its_passphrase(
    registry: str, target: str, tmp_path: Path
) -> None:
    made = run_app(
        "backup",
        "--to",
        str(tmp_path),
        env={"DATABASE_URL": registry, "BACKUP_PASSPHRASE": PASSPHRASE},
    )
    assert made.returncode == 0, made.stderr
    archive = only_archive(tmp_path)
    assert archive.name.endswith(".pgdump.enc")
    data = archive.read_bytes()
    assert crypto.is_encrypted(data) and b"PGDMP" not in data  # pg_dump's own header is hidden

    wrong = run_app(
        "restore", str(archive), "--database-url", target, env={"BACKUP_PASSPHRASE": "x" * 20}
    )
    assert wrong.returncode == 1
    assert "BACKUP_PASSPHRASE does not open this archive" in wrong.stderr
    missing = run_app("restore", str(archive), "--database-url", target)
    assert missing.returncode == 1
    assert "the archive is encrypted: set BACKUP_PASSPHRASE" in missing.stderr
    assert contents(target) == {"(sequences)": []}  # nothing was restored by either

    restored = run_app(
        "restore", str(archive), "--database-url", target, env={"BACKUP_PASSPHRASE": PASSPHRASE}
    )
    assert restored.returncode == 0, restored.stderr
    assert contents(target) == contents(registry)


def test_verify_only_passes_a_good_archive_and_fails_a_truncated_one(
    registry: str, tmp_path: Path
) -> None:
    made = run_app("backup", "--to", str(tmp_path), env={"DATABASE_URL": registry})
    assert made.returncode == 0, made.stderr
    archive = only_archive(tmp_path)
    good = run_app("restore", str(archive), "--verify-only")
    assert good.returncode == 0, good.stderr
    assert "Archive OK" in good.stdout

    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / archive.name).write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    manifest_path(cut / archive.name).write_text(manifest_path(archive).read_text())
    truncated = run_app("restore", str(cut / archive.name), "--verify-only")

    assert truncated.returncode == 1
    assert "truncated" in truncated.stderr


def test_a_truncated_encrypted_archive_fails_even_with_a_matching_manifest(
    registry: str, tmp_path: Path
) -> None:
    """The checksum is the first guard; decryption's final chunk is the second (a manifest
    rewritten to fit the cut file cannot hide the cut)."""
    secret = {"DATABASE_URL": registry, "BACKUP_PASSPHRASE": PASSPHRASE}
    assert run_app("backup", "--to", str(tmp_path), env=secret).returncode == 0
    archive = only_archive(tmp_path)
    data = archive.read_bytes()[:-100]
    archive.write_bytes(data)
    manifest = json.loads(manifest_path(archive).read_text())
    fitted = {**manifest, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    manifest_path(archive).write_text(json.dumps(fitted))

    verified = run_app("restore", str(archive), "--verify-only", env=secret)

    assert verified.returncode == 1
    assert "truncated" in verified.stderr


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(
    registry: str, database_url: URL, tmp_path: Path
) -> None:
    assert run_app("backup", "--to", str(tmp_path), env={"DATABASE_URL": registry}).returncode == 0
    archive = only_archive(tmp_path)
    with fresh_database(database_url) as url:  # a registry of its own, at the code's schema
        occupied = libpq(url)
        refused = run_app("restore", str(archive), "--database-url", occupied)
        assert refused.returncode == 1
        assert "the database is not empty" in refused.stderr and "--force" in refused.stderr
        assert contents(occupied)["patients"] == []

        forced = run_app("restore", str(archive), "--database-url", occupied, "--force")

        assert forced.returncode == 0, forced.stderr
        assert contents(occupied) == contents(registry)


def test_an_archive_of_an_older_schema_is_upgraded_after_the_restore(
    database_url: URL, target: str, tmp_path: Path
) -> None:
    with empty_database(database_url) as url:
        older = libpq(url)
        command.upgrade(alembic_config(older), "0008")
        with psycopg.connect(older) as connection:
            connection.execute(
                "INSERT INTO patients (patient_id, name, age, gender, medical_condition,"
                " last_visit) VALUES ('P1', 'Ana Older', 40, 'Female', 'Asthma', '2026-01-02')"
            )
        assert run_app("backup", "--to", str(tmp_path), env={"DATABASE_URL": older}).returncode == 0
    archive = only_archive(tmp_path)
    assert read(manifest_path(archive)).schema_revision == "0008"

    restored = run_app("restore", str(archive), "--database-url", target)

    assert restored.returncode == 0, restored.stderr
    assert "Schema upgraded from revision 0008" in restored.stdout
    with psycopg.connect(target) as connection:
        head = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        names = connection.execute("SELECT name FROM patients").fetchall()
    assert head is not None and head[0] != "0008"
    assert names == [("Ana Older",)]


def test_an_archive_of_a_newer_schema_is_refused_before_anything_is_restored(
    registry: str, target: str, tmp_path: Path
) -> None:
    assert run_app("backup", "--to", str(tmp_path), env={"DATABASE_URL": registry}).returncode == 0
    archive = only_archive(tmp_path)
    manifest: dict[str, Any] = json.loads(manifest_path(archive).read_text())
    manifest_path(archive).write_text(json.dumps({**manifest, "schema_revision": "9999"}))

    refused = run_app("restore", str(archive), "--database-url", target)

    assert refused.returncode == 1
    assert "newer than this version of the registry knows" in refused.stderr
    assert contents(target) == {"(sequences)": []}


def test_restore_says_in_one_line_what_is_missing(registry: str, tmp_path: Path) -> None:
    assert run_app("backup", "--to", str(tmp_path), env={"DATABASE_URL": registry}).returncode == 0
    archive = only_archive(tmp_path)
    closed = "postgresql://nobody:secret-word@127.0.0.1:1/none"
    unreachable = run_app("restore", str(archive), "--database-url", closed)
    manifest_path(archive).unlink()
    alone = run_app("restore", str(archive), "--verify-only")
    missing = run_app("restore", str(tmp_path / "nothing.pgdump"), "--verify-only")

    for outcome, says in [
        (unreachable, "restore: the database is unreachable"),
        (alone, f"restore: no manifest {manifest_path(archive).name} beside the archive"),
        (missing, "restore: no archive at"),
    ]:
        assert outcome.returncode == 1
        assert outcome.stderr.strip().startswith(says), outcome.stderr
        assert "Traceback" not in outcome.stderr and "secret-word" not in outcome.stderr
