"""Accounts across real server processes: two processes agree on sign-outs and lock-outs at
once; the first start makes an admin; the operator's commands work beside a running service;
production refuses to start when it would be unsafe."""

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import URL

from app.config import BACKEND_DIR, Settings
from app.database import run_on_database
from app.principal import Role
from tests.accounts import PASSWORD, make_user
from tests.db import fresh_database, libpq
from tests.servers import ServerURL, embedded_data_dir, running_server

LOGIN_LINE = re.compile(r"Sign in at (http://localhost:\d+) as admin / (\S+)")


def sign_in(base: str, username: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(
        f"{base}/auth/login",
        json={"username": username, "password": password},
        headers={"Origin": base},
        timeout=10,
    )


def account(database_url: URL, role: Role = Role.CLINICIAN) -> str:
    """A new account of `role` with PASSWORD in the test database; its username."""
    url = libpq(database_url)
    settings = Settings(database_url=url, environment="test")
    return run_on_database(url, settings, lambda database: make_user(database, role)).username


@pytest.fixture(scope="module")
def two_servers(database_url: URL) -> Iterator[tuple[ServerURL, ServerURL]]:
    url = database_url.render_as_string(hide_password=False)
    with running_server(url) as first, running_server(url) as second:
        yield first, second


def test_signing_out_on_one_process_ends_the_session_on_the_other(
    two_servers: tuple[ServerURL, ServerURL], database_url: URL
) -> None:
    first, second = two_servers
    username = account(database_url)
    cookie = sign_in(first, username).cookies["registry_session"]
    jar = {"registry_session": cookie}
    assert httpx.get(f"{second}/patients", cookies=jar).status_code == 200
    assert httpx.post(f"{first}/auth/logout", cookies=jar, headers={"Origin": first}).is_success
    assert httpx.get(f"{second}/patients", cookies=jar).status_code == 401


def test_five_failures_spread_over_two_processes_lock_the_account_on_both(
    two_servers: tuple[ServerURL, ServerURL], database_url: URL
) -> None:
    first, second = two_servers
    username = account(database_url)
    for server in (first, second, first, second, first):
        assert sign_in(server, username, "Wrong-Password-123").status_code == 401
    for server in (first, second):
        locked = sign_in(server, username)  # the right password
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0


@pytest.fixture(scope="module")
def fresh_embedded() -> Iterator[tuple[ServerURL, dict[str, str], Path]]:
    """A first start on an empty embedded PostgreSQL (development): the server, its
    environment for the operator's commands, and its INITIAL_ADMIN_FILE."""
    with embedded_data_dir("registry-accounts-") as pg:
        admin_file = pg.parent / "private" / "initial-admin-password"
        env = {"PG_DATA_DIR": str(pg), "INITIAL_ADMIN_FILE": str(admin_file)}
        with running_server(None, {**env, "ENVIRONMENT": "development"}) as server:
            yield server, env, admin_file


def operator(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m app <args>` from backend/ in `env` (DATABASE_URL unset: the embedded one)."""
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=BACKEND_DIR,
        env={**environment, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_first_start_prints_and_keeps_a_one_time_admin_password(
    fresh_embedded: tuple[ServerURL, dict[str, str], Path],
) -> None:
    server, _, admin_file = fresh_embedded
    match = LOGIN_LINE.search(server.log())
    assert match is not None, server.log()[-2000:]
    address, password = match.groups()
    assert address == server.replace("127.0.0.1", "localhost")
    assert admin_file.read_text() == password + "\n"
    assert stat.S_IMODE(admin_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(admin_file.parent.stat().st_mode) == 0o700
    signed_in = sign_in(server, "admin", password)
    assert signed_in.json() == {
        "username": "admin",
        "role": "admin",
        "mustChangePassword": True,
        "idleTimeoutSeconds": 900,
    }
    # Until the password is changed, nothing but /auth works.
    cookies = signed_in.cookies
    assert httpx.get(f"{server}/patients", cookies=cookies).status_code == 403
    # The password is never written to the log by the logging system (only the console line).
    assert server.log().count(password) == 1


def test_accounts_made_by_the_operator_beside_the_running_service_sign_in_at_once(
    fresh_embedded: tuple[ServerURL, dict[str, str], Path],
) -> None:
    server, env, _ = fresh_embedded
    made = operator(
        env,
        "create-user",
        "Nurse.Kim",
        "--role",
        "clinician",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    assert "can sign in now" in made.stdout
    assert PASSWORD not in made.stdout + made.stderr
    signed_in = sign_in(server, "nurse.kim")
    assert signed_in.json()["mustChangePassword"] is False
    assert httpx.get(f"{server}/patients", cookies=signed_in.cookies).status_code == 200

    reset = operator(
        env, "set-password", "nurse.kim", "--password-stdin", stdin="Another-Long-Passphrase-8\n"
    )
    assert reset.returncode == 0, reset.stderr
    assert httpx.get(f"{server}/patients", cookies=signed_in.cookies).status_code == 401
    assert sign_in(server, "nurse.kim", "Another-Long-Passphrase-8").status_code == 200
    assert sign_in(server, "nurse.kim").status_code == 401


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create-user", "weak", "--role", "clinician"], "password1234\n", "too common"),
        (["create-user", "bad name", "--role", "clinician"], PASSWORD + "\n", "username"),
        (["set-password", "nobody-here"], PASSWORD + "\n", "No account named"),
    ],
)
def test_the_operator_commands_refuse_with_a_reason_and_a_failure_status(
    fresh_embedded: tuple[ServerURL, dict[str, str], Path],
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    _, env, _ = fresh_embedded
    done = operator(env, *args, "--password-stdin", stdin=stdin)
    assert done.returncode == 1
    assert message in done.stderr


def test_production_refuses_to_start_without_an_admin(database_url: URL) -> None:
    with fresh_database(database_url.set(database="postgres")) as empty:
        env = {
            "ENVIRONMENT": "production",
            "DATABASE_URL": empty.render_as_string(hide_password=False),
        }
        done = operator(env, "serve", "--port", "9", "--no-import")
    assert done.returncode != 0
    assert "Refusing to start: no admin account" in done.stderr
    assert "create-user USERNAME --role admin --password-stdin" in done.stderr


def test_open_access_refuses_anything_but_loopback() -> None:
    done = operator({"OPEN_ACCESS": "true"}, "serve", "--host", "0.0.0.0", "--port", "9")
    assert done.returncode != 0
    assert "OPEN_ACCESS=true is for loopback only" in done.stderr
