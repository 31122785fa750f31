"""Staff accounts and tokens for tests, made through the services the app itself uses."""

import os
import secrets
import subprocess
import sys

from app.config import BACKEND_DIR, Settings
from app.database import Database, run_on_database
from app.principal import Principal, Role
from app.services import auth_service, user_service

PASSWORD = "Tests-Only-Passphrase-42"


async def make_user(database: Database, role: Role, password: str = PASSWORD) -> Principal:
    """A new enabled account of `role` with a unique name and a usable `password`."""
    username = f"test-{role.value}-{secrets.token_hex(4)}"
    user = await user_service.create_user(database, username, role, password, must_change=False)
    return Principal(user.id, user.username, role)


async def make_token(database: Database, role: Role) -> str:
    """A personal API token of a new account of `role`."""
    owner = await make_user(database, role)
    _, secret = await auth_service.create_token(database, owner, "tests", 1)
    return secret


def token_for(database_url: str, role: Role = Role.CLINICIAN) -> str:
    """`make_token` from synchronous code (fixtures of real server processes)."""
    settings = Settings(database_url=database_url, environment="test")
    return run_on_database(database_url, settings, lambda database: make_token(database, role))


def bearer(token: str) -> dict[str, str]:
    """The header a script sends."""
    return {"Authorization": f"Bearer {token}"}


def cli_token(env: dict[str, str], role: Role = Role.CLINICIAN) -> str:
    """A token of a new account made with the operator's commands (`python -m app
    create-user`, then `create-token`) in `env`: for a server with a database of its own."""
    username = f"cli-{role.value}-{secrets.token_hex(4)}"
    environment = {**os.environ, **env}
    if "DATABASE_URL" not in env:
        environment.pop("DATABASE_URL", None)  # the embedded server of PG_DATA_DIR

    def run(*args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "app", *args],
            cwd=BACKEND_DIR,
            env=environment,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    run("create-user", username, "--role", role.value, "--password-stdin", stdin=PASSWORD + "\n")
    return run("create-token", username, "--name", "tests", "--days", "1").strip()
