"""The staff accounts a benchmark run signs in with, made through the app's own services.

Every size's database gets them right after it is loaded: an admin (a production server
refuses to start without one; it never sends a request) and the clinician every API request
acts for, with a personal token (`Authorization: Bearer`) and a password for `POST /auth/login`
(the session cookie). The passwords are random and the token lasts a day: the databases are
the benchmark's own, dropped and made again by every run.
"""

import json
import secrets
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie

from sqlalchemy import URL

from app.api.deps import SESSION_COOKIE
from app.config import Settings
from app.database import Database, run_on_database
from app.db_admin import libpq_url
from app.principal import Principal, Role
from app.services import auth_service, user_service

ADMIN = "bench-admin"
CLINICIAN = "bench-clinician"
# The sign-in cost measurement (run.py, report.py): one record at the size where the one-record
# target against json-server is judged (>= 1x at 100,000), or the run's largest without it;
# its three variants, and the most that checking a credential may cost.
SIGN_IN_SIZE = 100_000
TOKEN, COOKIE, OPEN = "bearer token", "session cookie", "OPEN_ACCESS=true"
SIGN_IN_MAX_COST = 0.15


@dataclass(frozen=True)
class Staff:
    """The clinician the benchmark acts as: how to sign in, and the personal token."""

    username: str
    password: str
    token: str

    @property
    def bearer(self) -> dict[str, str]:
        """The header a script sends with every request."""
        return {"Authorization": f"Bearer {self.token}"}


def create(database_url: URL) -> Staff:
    """The admin and the clinician (with a token) in this database, once per loaded size."""
    url = libpq_url(database_url.render_as_string(hide_password=False))
    password = secrets.token_urlsafe(18)

    async def run(database: Database) -> Staff:
        await user_service.create_user(
            database, ADMIN, Role.ADMIN, secrets.token_urlsafe(18), must_change=False
        )
        user = await user_service.create_user(
            database, CLINICIAN, Role.CLINICIAN, password, must_change=False
        )
        owner = Principal(user.id, user.username, Role.CLINICIAN)
        _, token = await auth_service.create_token(database, owner, "bench", 1)
        return Staff(CLINICIAN, password, token)

    return run_on_database(url, Settings(database_url=url, environment="test"), run)


def session_cookie(base_url: str, staff: Staff) -> dict[str, str]:
    """Sign in once as a browser does (`POST /auth/login`) and return the `Cookie` header that
    sends the session back (a GET needs no Origin header)."""
    body = json.dumps({"username": staff.username, "password": staff.password}).encode()
    request = urllib.request.Request(
        base_url + "/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    cookies: SimpleCookie = SimpleCookie()
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()
        for header in answer.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    morsel = cookies.get(SESSION_COOKIE)
    if morsel is None or not morsel.value:
        raise RuntimeError(f"POST /auth/login set no {SESSION_COOKIE} cookie")
    return {"Cookie": f"{SESSION_COOKIE}={morsel.value}"}
