"""The Render blueprint is run, not just written: its build and start commands, exactly as in
render.yaml, on a clean copy of the repository and a fresh PostgreSQL database."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import URL

from app.config import REPO_DIR
from tests.db import fresh_database

BLUEPRINT = REPO_DIR / "render.yaml"


def load_service() -> tuple[dict[str, Any], dict[str, Any]]:
    blueprint = yaml.safe_load(BLUEPRINT.read_text())
    (service,) = blueprint["services"]
    (database,) = blueprint["databases"]
    return service, database


def copy_repository(target: Path) -> Path:
    """What Render checks out: tracked (and new, not ignored) files, nothing built or installed."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_DIR,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = REPO_DIR / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_health(base: str, process: subprocess.Popen[bytes], seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the start command exited"
        try:
            return httpx.get(f"{base}/health", timeout=2)
        except httpx.TransportError:
            time.sleep(0.5)
    raise AssertionError(f"no answer from {base}/health within {seconds} s")


def test_blueprint_wires_database_health_check_and_production() -> None:
    service, database = load_service()
    env = {item["key"]: item for item in service["envVars"]}
    assert service["type"] == "web"
    assert service["healthCheckPath"] == "/health"
    assert env["DATABASE_URL"]["fromDatabase"] == {
        "name": database["name"],
        "property": "connectionString",
    }
    assert env["ENVIRONMENT"]["value"] == "production"
    assert "alembic upgrade head" in service["startCommand"]


def test_blueprint_build_and_start_commands_serve_health(tmp_path: Path, database_url: URL) -> None:
    service, _ = load_service()
    repo = copy_repository(tmp_path / "repo")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "VIRTUAL_ENV", "PG_DATA_DIR")
    }
    env |= {"PATH": f"{venv / 'bin'}:{env['PATH']}", "VIRTUAL_ENV": str(venv)}
    env |= {item["key"]: item["value"] for item in service["envVars"] if "value" in item}

    build = subprocess.run(
        service["buildCommand"], shell=True, cwd=repo, env=env, capture_output=True, timeout=900
    )
    assert build.returncode == 0, (build.stdout + build.stderr).decode()[-3000:]

    with fresh_database(database_url.set(database="postgres")) as url:
        # Render hands out postgresql:// URLs; the app must take them as they are.
        render_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
        port = free_port()
        start_env = env | {"DATABASE_URL": render_url, "PORT": str(port)}
        process = subprocess.Popen(
            service["startCommand"], shell=True, cwd=repo, env=start_env, start_new_session=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            health = wait_for_health(base, process, seconds=60)
            assert health.status_code == 200, health.text
            assert health.json()["status"] == "ok"
            assert httpx.get(f"{base}/patients").json() == []
            page = httpx.get(f"{base}/")
            assert page.status_code == 200
            assert '<div id="root"' in page.text
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
