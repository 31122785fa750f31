"""Signing in and out, sessions and their timeouts, personal tokens, throttling and the
cross-site check, against the app and its real database."""

import asyncio
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import URL, create_engine, text

from app.config import Settings
from app.principal import Principal, Role
from app.services import auth_service
from tests.accounts import PASSWORD, bearer, make_user
from tests.conftest import app_with, asgi_client, patient

SAME_SITE = {"Origin": "http://test"}
WRONG = {"detail": "Wrong username or password."}


async def sign_in(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> Any:
    return await http.post(
        "/auth/login", json={"username": username, "password": password}, headers=SAME_SITE
    )


@pytest.fixture
async def someone(app: Any, clean_db: None) -> Principal:
    """A clinician of this test's own, with the known PASSWORD."""
    return await make_user(app.state.database, Role.CLINICIAN)


async def test_sign_in_sets_an_http_only_strict_session_cookie_that_signs_requests(
    anonymous: httpx.AsyncClient, someone: Principal
) -> None:
    response = await sign_in(anonymous, someone.username.upper())  # usernames ignore case
    assert response.status_code == 200
    assert response.json() == {
        "username": someone.username,
        "role": "clinician",
        "mustChangePassword": False,
        "idleTimeoutSeconds": 900,
    }
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("registry_session=")
    assert {"HttpOnly", "SameSite=strict", "Path=/"} <= {p.strip() for p in cookie.split(";")}
    assert "Secure" not in cookie  # development over http; production sets it (below)
    assert (await anonymous.get("/auth/me")).json()["username"] == someone.username
    assert (await anonymous.post("/patients", json=patient(), headers=SAME_SITE)).status_code == 201


async def test_unknown_user_and_wrong_password_answer_the_same_401(
    anonymous: httpx.AsyncClient, someone: Principal
) -> None:
    unknown = await sign_in(anonymous, "nobody-by-this-name")
    wrong = await sign_in(anonymous, someone.username, "Not-The-Password-99")
    assert (
        (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json()) == (401, WRONG)
    )
    assert "set-cookie" not in wrong.headers


async def test_sign_out_ends_the_session_at_once(
    anonymous: httpx.AsyncClient, someone: Principal
) -> None:
    await sign_in(anonymous, someone.username)
    cookie = anonymous.cookies["registry_session"]
    assert (await anonymous.post("/auth/logout", headers=SAME_SITE)).status_code == 204
    # The server forgot the session: the old cookie, sent again, is refused.
    again = await anonymous.get("/patients", headers={"Cookie": f"registry_session={cookie}"})
    assert again.status_code == 401
    assert (await anonymous.get("/auth/me")).status_code == 401


async def test_the_session_ends_after_the_idle_timeout_and_activity_keeps_it(
    settings: Settings, someone: Principal, clean_db: None
) -> None:
    async with (
        app_with(settings, session_idle_timeout_s=2) as application,
        asgi_client(application) as active,
        asgi_client(application) as idle,
    ):
        await sign_in(active, someone.username)
        await sign_in(idle, someone.username)
        for _ in range(6):  # 3 s of requests, never 2 s apart
            assert (await active.get("/patients")).status_code == 200
            await asyncio.sleep(0.5)
        assert (await idle.get("/patients")).status_code == 401
        assert (await active.get("/patients")).status_code == 200


async def test_the_session_ends_at_its_absolute_lifetime_whatever_the_activity(
    settings: Settings, someone: Principal, clean_db: None
) -> None:
    async with (
        app_with(settings, session_max_age_s=1) as application,
        asgi_client(application) as http,
    ):
        await sign_in(http, someone.username)
        assert (await http.get("/patients")).status_code == 200
        await asyncio.sleep(1.2)
        assert (await http.get("/patients")).status_code == 401


async def test_five_failures_lock_the_username_out_with_retry_after_even_for_the_password(
    anonymous: httpx.AsyncClient, someone: Principal
) -> None:
    for _ in range(5):
        assert (await sign_in(anonymous, someone.username, "Wrong-Password-123")).status_code == 401
    locked = await sign_in(anonymous, someone.username)  # the right password
    assert locked.status_code == 429
    assert 840 <= int(locked.headers["retry-after"]) <= 901
    assert locked.json() == {"detail": "Too many failed sign-ins. Try again in 15 minutes."}


async def test_a_lock_out_never_tells_whether_the_username_exists(
    anonymous: httpx.AsyncClient, someone: Principal
) -> None:
    answers = {}
    for name in (someone.username, "no-such-account-here"):
        seen = [
            (await sign_in(anonymous, name, "Wrong-Password-123")).status_code for _ in range(6)
        ]
        answers[name] = seen
    assert answers[someone.username] == answers["no-such-account-here"] == [401] * 5 + [429]


async def test_failures_from_one_address_are_limited_across_usernames(
    settings: Settings, someone: Principal, clean_db: None
) -> None:
    async with (
        app_with(settings, sign_in_max_failures_per_client=3) as application,
        asgi_client(application) as http,
    ):
        for n in range(3):
            assert (await sign_in(http, f"guess-{n}", "Wrong-Password-123")).status_code == 401
        assert (await sign_in(http, someone.username)).status_code == 429


async def test_a_successful_sign_in_forgets_earlier_failures(
    anonymous: httpx.AsyncClient, someone: Principal
) -> None:
    for _ in range(4):
        await sign_in(anonymous, someone.username, "Wrong-Password-123")
    assert (await sign_in(anonymous, someone.username)).status_code == 200
    for _ in range(4):
        await sign_in(anonymous, someone.username, "Wrong-Password-123")
    assert (await sign_in(anonymous, someone.username)).status_code == 200


async def test_parallel_guesses_cannot_slip_past_the_limit(
    anonymous: httpx.AsyncClient, someone: Principal
) -> None:
    guesses = [sign_in(anonymous, someone.username, f"Wrong-Password-{n:03}") for n in range(12)]
    statuses = sorted(response.status_code for response in await asyncio.gather(*guesses))
    assert statuses == [401] * 5 + [429] * 7


async def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    app: Any, someone: Principal, clean_db: None
) -> None:
    async with asgi_client(app) as here, asgi_client(app) as elsewhere:
        await sign_in(here, someone.username)
        await sign_in(elsewhere, someone.username)
        change = {"currentPassword": PASSWORD, "newPassword": "Brand-New-Passphrase-77"}
        response = await here.post("/auth/password", json=change, headers=SAME_SITE)
        assert response.status_code == 204
        assert (await here.get("/patients")).status_code == 200
        assert (await elsewhere.get("/patients")).status_code == 401
        assert (await sign_in(elsewhere, someone.username)).status_code == 401
        assert (await sign_in(elsewhere, someone.username, "Brand-New-Passphrase-77")).is_success


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short-one", "must be at least 12 characters"),
        ("password1234", "is too common; choose a less guessable one"),
        ("Qwerty123456", "is too common; choose a less guessable one"),
    ],
)
async def test_weak_new_passwords_are_refused_naming_the_field(
    app: Any, someone: Principal, clean_db: None, new: str, message: str
) -> None:
    async with asgi_client(app) as http:
        await sign_in(http, someone.username)
        change = {"currentPassword": PASSWORD, "newPassword": new}
        response = await http.post("/auth/password", json=change, headers=SAME_SITE)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "newPassword", "message": message}]


async def test_the_username_is_not_a_password_and_the_current_one_is_checked(
    app: Any, clean_db: None
) -> None:
    owner = await make_user(app.state.database, Role.CLINICIAN)
    async with asgi_client(app) as http:
        await sign_in(http, owner.username)
        same = {"currentPassword": PASSWORD, "newPassword": owner.username.upper()}
        wrong = {"currentPassword": "Not-My-Password-1", "newPassword": "Brand-New-Passphrase-77"}
        refused = await http.post("/auth/password", json=same, headers=SAME_SITE)
        mistaken = await http.post("/auth/password", json=wrong, headers=SAME_SITE)
    assert refused.json()["errors"] == [
        {"field": "newPassword", "message": "must not be the username"}
    ]
    assert mistaken.json()["errors"] == [
        {"field": "currentPassword", "message": "is not your current password"}
    ]


async def test_a_personal_token_is_shown_once_acts_as_its_owner_and_is_revoked_at_once(
    app: Any, someone: Principal, clean_db: None
) -> None:
    async with asgi_client(app) as browser:
        await sign_in(browser, someone.username)
        created = await browser.post(
            "/auth/tokens", json={"name": "import script", "expiresInDays": 7}, headers=SAME_SITE
        )
        assert created.status_code == 201
        token = created.json()["token"]
        assert token.startswith("prt_")
        async with asgi_client(app, bearer(token)) as script:
            assert (await script.get("/auth/me")).json()["username"] == someone.username
            assert (await script.post("/patients", json=patient())).status_code == 201
            listed = (await browser.get("/auth/tokens")).json()
            assert [t["name"] for t in listed] == ["import script"]
            assert "token" not in listed[0]
            revoked = await browser.delete(f"/auth/tokens/{listed[0]['id']}", headers=SAME_SITE)
            assert revoked.status_code == 204
            assert (await script.get("/patients")).status_code == 401


async def test_an_expired_token_is_refused(
    app: Any, database_url: URL, someone: Principal, clean_db: None
) -> None:
    async with asgi_client(app) as browser:
        await sign_in(browser, someone.username)
        body = {"name": "short-lived", "expiresInDays": 1}
        token = (await browser.post("/auth/tokens", json=body, headers=SAME_SITE)).json()["token"]
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE name = :n"),
            {"n": "short-lived"},
        )
    engine.dispose()
    async with asgi_client(app, bearer(token)) as script:
        assert (await script.get("/patients")).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "prt_abc"])
async def test_a_malformed_or_unknown_authorization_is_401(
    anonymous: httpx.AsyncClient, header: str
) -> None:
    response = await anonymous.get("/patients", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_secrets_are_stored_only_as_hashes(
    app: Any, database_url: URL, someone: Principal, clean_db: None
) -> None:
    async with asgi_client(app) as browser:
        await sign_in(browser, someone.username)
        cookie = browser.cookies["registry_session"]
        body = {"name": "hash check", "expiresInDays": 1}
        token = (await browser.post("/auth/tokens", json=body, headers=SAME_SITE)).json()["token"]
    engine = create_engine(database_url)
    with engine.connect() as connection:
        dump = " ".join(
            str(row)
            for table in ("users", "sessions", "api_tokens", "sign_in_failures")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
        stored_hash = connection.execute(
            text("SELECT password_hash FROM users WHERE username = :u"), {"u": someone.username}
        ).scalar_one()
    engine.dispose()
    assert cookie not in dump and token not in dump and PASSWORD not in dump
    assert stored_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
async def test_cookie_authenticated_changes_from_another_site_are_refused(
    anonymous: httpx.AsyncClient, someone: Principal, headers: dict[str, str]
) -> None:
    await sign_in(anonymous, someone.username)
    response = await anonymous.post("/patients", json=patient(), headers=headers)
    assert response.status_code == 403
    assert "Cross-site" in response.json()["detail"]
    assert (await anonymous.get("/patients")).json() == []  # nothing was written
    # A sign-in from another site is refused too (login CSRF).
    login = {"username": someone.username, "password": PASSWORD}
    assert (await anonymous.post("/auth/login", json=login, headers=headers)).status_code == 403


async def test_bearer_requests_are_not_bound_to_an_origin(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/patients", json=patient(), headers={"Origin": "http://evil.example"}
    )
    assert response.status_code == 201


async def test_same_site_pages_may_change_data_with_the_cookie(
    anonymous: httpx.AsyncClient, someone: Principal
) -> None:
    await sign_in(anonymous, someone.username)
    for headers in ({"Origin": "http://test"}, {"Sec-Fetch-Site": "same-origin"}):
        response = await anonymous.post(
            "/patients", json=patient(patientID=f"P-{len(headers)}{headers!s:.5}"), headers=headers
        )
        assert response.status_code == 201, response.text


async def test_open_access_serves_patients_without_sign_in_and_says_so(
    settings: Settings, clean_db: None
) -> None:
    async with (
        app_with(settings, open_access=True) as application,
        asgi_client(application) as http,
    ):
        response = await http.get("/patients")
        assert response.status_code == 200
        assert "OPEN_ACCESS" in response.headers["warning"]
        assert "OPEN_ACCESS" in (await http.get("/health")).headers["warning"]
        assert (await http.get("/users")).status_code == 403  # acts as a clinician only


def test_open_access_is_refused_in_production() -> None:
    with pytest.raises(ValueError, match="OPEN_ACCESS=true is refused"):
        Settings(
            database_url="postgresql://x@127.0.0.1/x", environment="production", open_access=True
        )


@pytest.mark.parametrize("name", ["nul\x00inside", "bell\x07"])
async def test_control_characters_in_a_token_name_or_username_are_a_400(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, name: str
) -> None:
    body = {"name": name, "expiresInDays": 1}
    made = await client.post("/auth/tokens", content=_json(body), headers=JSON)
    login = {"username": name, "password": PASSWORD}
    signed = await anonymous.post("/auth/login", content=_json(login), headers=JSON | SAME_SITE)
    for response, field in ((made, "name"), (signed, "username")):
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": field, "message": "must not contain control characters"}
        ]


JSON = {"Content-Type": "application/json"}


def _json(body: dict[str, Any]) -> bytes:
    """JSON as a client writes it, lone surrogates escaped (httpx would refuse to encode them)."""
    return json.dumps(body).encode()


async def test_a_remembered_token_is_forgotten_when_the_database_says_so(
    app: Any, database_url: URL, someone: Principal, clean_db: None
) -> None:
    """The credential cache answers repeated requests; a change made outside this process
    (here: plain SQL, as another process or an operator would) is seen on the next request."""
    _, token = await auth_service.create_token(app.state.database, someone, "cached", 1)
    async with asgi_client(app, bearer(token)) as script:
        assert (await script.get("/auth/me")).status_code == 200
        assert (await script.get("/auth/me")).status_code == 200  # from the cache
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM api_tokens WHERE name = 'cached'"))
        engine.dispose()
        deadline = asyncio.get_running_loop().time() + 1.0
        while (await script.get("/auth/me")).status_code == 200:
            # Another process's change arrives as a notification: give it its milliseconds.
            assert asyncio.get_running_loop().time() < deadline, "still signed in after 1 s"
            await asyncio.sleep(0.005)
