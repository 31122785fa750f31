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
ADMIN_PASSWORD = "Deploy-Test-Passphrase-31"


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
    env = {key: str(value) for key, value in env.items()}

    build = subprocess.run(
        service["buildCommand"], shell=True, cwd=repo, env=env, capture_output=True, timeout=900
    )
    assert build.returncode == 0, (build.stdout + build.stderr).decode()[-3000:]

    with fresh_database(database_url.set(database="postgres")) as url:
        # Render hands out postgresql:// URLs; the app must take them as they are.
        render_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
        port = free_port()
        start_env = env | {"DATABASE_URL": render_url, "PORT": str(port)}
        # Production refuses to start without an admin; the operator creates one first.
        refused = subprocess.run(
            service["startCommand"], shell=True, cwd=repo, env=start_env, capture_output=True
        )
        assert refused.returncode != 0
        assert b"no admin account" in refused.stderr
        python_m_app = [str(venv / "bin" / "python"), "-m", "app"]
        created = subprocess.run(
            [*python_m_app, "create-user", "owner", "--role", "admin", "--password-stdin"],
            cwd=repo / "backend",
            env=start_env,
            input=f"{ADMIN_PASSWORD}\n".encode(),
            capture_output=True,
        )
        assert created.returncode == 0, created.stderr.decode()[-2000:]
        process = subprocess.Popen(
            service["startCommand"], shell=True, cwd=repo, env=start_env, start_new_session=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            health = wait_for_health(base, process, seconds=60)
            assert health.status_code == 200, health.text
            assert health.json()["status"] == "ok"
            # Every other answer only for the host names in ALLOWED_HOSTS.
            host = {"Host": env["ALLOWED_HOSTS"]}
            assert httpx.get(f"{base}/patients", headers=host).status_code == 401
            assert httpx.get(f"{base}/patients").status_code == 400  # 127.0.0.1: not allowed
            login = httpx.post(
                f"{base}/auth/login",
                json={"username": "owner", "password": ADMIN_PASSWORD},
                headers={**host, "Origin": f"https://{env['ALLOWED_HOSTS']}"},
            )
            assert login.status_code == 200, login.text
            assert "Secure" in login.headers["set-cookie"]
            cookie = {"Cookie": f"registry_session={login.cookies['registry_session']}"}
            assert httpx.get(f"{base}/patients", headers=host | cookie).json() == []
            page = httpx.get(f"{base}/", headers=host)
            assert page.status_code == 200
            assert '<div id="root"' in page.text
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
