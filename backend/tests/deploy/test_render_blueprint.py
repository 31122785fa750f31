"""The Render blueprint is run, not just written: its build and start commands, exactly as in
render.yaml, on a clean copy of the repository, a new virtualenv and a fresh PostgreSQL database.
The front end's half of the build (`npm ci && npm run build`) is make's own rule for dist/, which
`make test` runs before this; its output is copied rather than built a second time."""

import ensurepip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from sqlalchemy import URL

from app.config import REPO_DIR
from tests.db import fresh_database

BLUEPRINT = REPO_DIR / "render.yaml"
PYPROJECT = REPO_DIR / "backend" / "pyproject.toml"
LOCK = REPO_DIR / "backend" / "requirements.txt"  # what the build installs
DEV_LOCK = REPO_DIR / "backend" / "requirements-dev.txt"  # what make and CI install and test
INSTALLER_LOCK = REPO_DIR / "backend" / "requirements-installer.txt"  # what installs the others
PYTHON_BUILD = "backend/scripts/install-lock python backend/requirements.txt"
FRONTEND_BUILD = "npm ci && npm run build"
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


def locked(lock: Path) -> dict[str, str]:
    """Name -> pinned version of each entry of a `make lock` file, which must carry hashes."""
    entries = re.split(r"\n(?=\S)", lock.read_text())
    pins: dict[str, str] = {}
    for entry in entries:
        if entry.startswith("#") or not entry.strip():
            continue
        pinned = re.match(r"([A-Za-z0-9._-]+)==(\S+)", entry)
        assert pinned, f"{lock.name}: not pinned with ==: {entry.splitlines()[0]}"
        assert "--hash=sha256:" in entry, f"{lock.name}: no hash for {pinned[1]}"
        pins[canonicalize_name(pinned[1])] = pinned[2]
    return pins


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


def test_finding_8_the_blueprint_installs_the_hash_pinned_lock_only() -> None:
    service, _ = load_service()
    assert service["buildCommand"] == f"{PYTHON_BUILD} && {FRONTEND_BUILD}"


def test_make_and_ci_install_the_dev_lock_the_same_way() -> None:
    """CI runs `make test`, whose venv comes from the Makefile's one install rule."""
    makefile = (REPO_DIR / "Makefile").read_text()
    rule = makefile.split("$(STAMP): ", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip() for line in rule.splitlines() if line.startswith("\t")]
    assert commands == [
        "test -x $(PY) || $(PYTHON) -m venv $(VENV)",
        "backend/scripts/install-lock $(PY) $(DEV_LOCK)",
        "touch $@",
    ]
    assert "DEV_LOCK := backend/requirements-dev.txt" in makefile
    assert "INSTALLER_LOCK := backend/requirements-installer.txt" in makefile


def test_the_installer_lock_is_uv_alone_pinned_as_in_the_dev_lock() -> None:
    assert locked(INSTALLER_LOCK) == {"uv": locked(DEV_LOCK)["uv"]}


def test_finding_8_the_runtime_lock_covers_pyproject_and_matches_the_dev_lock() -> None:
    """A dependency added to pyproject.toml without `make lock` would be missing on Render (the app
    is installed with --no-deps); and Render gets the versions the dev lock's tests ran with."""
    pyproject = tomllib.loads(PYPROJECT.read_text())
    runtime, dev = locked(LOCK), locked(DEV_LOCK)
    declared = [*pyproject["project"]["dependencies"], *pyproject["build-system"]["requires"]]
    for requirement in map(Requirement, declared):
        name = canonicalize_name(requirement.name)
        assert name in runtime, f"{name} is not in {LOCK.name}: run make lock"
        version = runtime[name]
        assert requirement.specifier.contains(version, prereleases=True), (name, version)
    assert {name: dev.get(name) for name in runtime} == runtime


def test_blueprint_build_and_start_commands_serve_health(tmp_path: Path, database_url: URL) -> None:
    service, _ = load_service()
    built = REPO_DIR / "dist"
    assert (built / "index.html").is_file(), "dist/ is missing: `make test` builds it first"
    repo = copy_repository(tmp_path / "repo")
    shutil.copytree(built, repo / "dist")
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

    def pip_version() -> str:
        shown = subprocess.run(
            ["python", "-m", "pip", "--version"], env=env, capture_output=True, check=True
        )
        return shown.stdout.decode().split()[1]

    # The pip of a new venv is the one the Python bundles, however old: the build needs no other.
    assert pip_version() == ensurepip.version()
    build = subprocess.run(
        PYTHON_BUILD, shell=True, cwd=repo, env=env, capture_output=True, timeout=600
    )
    assert build.returncode == 0, (build.stdout + build.stderr).decode()[-3000:]
    assert pip_version() == locked(LOCK)["pip"]

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
