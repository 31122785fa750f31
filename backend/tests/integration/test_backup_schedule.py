"""Daily backups beside the embedded server, as `python -m app serve` runs them: the first one
at start (the folder holds none), private files, and a failure that degrades /health without
stopping the service."""

import stat
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from app.backup.manifest import in_folder, manifest_path
from tests.integration.test_backup import run_app
from tests.servers import embedded_data_dir, running_server

WAIT_S = 60.0


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {WAIT_S} s")


def test_the_embedded_server_is_backed_up_at_start_into_private_files(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    with (
        embedded_data_dir("registry-scheduled-") as pg,
        running_server(None, {"PG_DATA_DIR": str(pg), "BACKUP_DIR": str(folder)}) as server,
    ):
        wait_for(lambda: bool(in_folder(folder)), "backup")
        health = httpx.get(f"{server}/health").json()
        log = server.log()

    (made,) = in_folder(folder)
    archive = folder / made.archive
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in (archive, manifest_path(archive)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert made.tables["patients"] == 0 and made.schema_revision is not None
    assert health["status"] == "ok" and health["backup"] == "ok"
    assert "backup made" in log
    verified = run_app("restore", str(archive), "--verify-only")
    assert verified.returncode == 0, verified.stderr


def test_a_failed_backup_degrades_health_and_the_service_goes_on(tmp_path: Path) -> None:
    blocked = tmp_path / "backups"
    blocked.write_text("a file where the backup folder should be (a disk that is gone)")
    with (
        embedded_data_dir("registry-scheduled-") as pg,
        running_server(None, {"PG_DATA_DIR": str(pg), "BACKUP_DIR": str(blocked)}) as server,
    ):
        wait_for(
            lambda: httpx.get(f"{server}/health").json().get("backup") == "failed",
            "failed backup in /health",
        )
        answer = httpx.get(f"{server}/health")
        assert answer.status_code == 200
        assert answer.json()["status"] == "degraded"
        assert server.process.poll() is None
        log = server.log()
    assert "ERROR" in log and "backup failed" in log
    assert "Traceback" not in log
