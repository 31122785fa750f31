"""Staff accounts on `/users` (admins only): creating, listing, changing role, disabling and
resetting passwords, and the registry never losing its last active admin. Against the app and
its real database; accounts get unique names because the database lives for the whole run."""

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import URL

from app.config import Settings
from app.database import Database
from app.main import create_app
from app.principal import Principal, Role
from app.services import auth_service
from tests.accounts import PASSWORD, bearer, make_user
from tests.conftest import asgi_client, patient
from tests.db import fresh_database

SAME_SITE = {"Origin": "http://test"}
TEMPORARY = "Temporary-Passphrase-31"
NEW_PASSWORD = "Another-Passphrase-58"
ACCOUNT_KEYS = {"id", "username", "role", "disabled", "mustChangePassword", "createdAt"}
WRONG = {"detail": "Wrong username or password."}
ENDED = {"detail": "Your session has ended or your token is not valid; sign in again."}
LAST_ADMIN = {"detail": "At least one active admin account must remain."}
CHANGE_PASSWORD = {"detail": "Change your password before going on."}
TAKEN = {
    "detail": "An account with this username already exists.",
    "errors": [{"field": "username", "message": "is already used by another account"}],
}


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@pytest.fixture
async def browser(app: Any, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client with a cookie jar and no credentials of its own, for signing in."""
    async with asgi_client(app) as http:
        yield http


async def sign_in(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await http.post(
        "/auth/login", json={"username": username, "password": password}, headers=SAME_SITE
    )


async def created(
    admin: httpx.AsyncClient, username: str, role: str = "clinician", password: str = TEMPORARY
) -> dict[str, Any]:
    """An account created through POST /users."""
    response = await admin.post(
        "/users", json={"username": username, "role": role, "password": password}
    )
    assert response.status_code == 201, response.text
    account: dict[str, Any] = response.json()
    return account


async def usernames(admin: httpx.AsyncClient) -> list[str]:
    response = await admin.get("/users")
    assert response.status_code == 200
    return [account["username"] for account in response.json()]


async def account_of(admin: httpx.AsyncClient, user_id: int) -> dict[str, Any]:
    """The account as GET /users lists it."""
    response = await admin.get("/users")
    found: dict[str, Any] = next(a for a in response.json() if a["id"] == user_id)
    return found


async def usable_account(database: Database, role: Role) -> tuple[Principal, str]:
    """An account that may work at once (no pending change) and one API token of it."""
    owner = await make_user(database, role)
    _, token = await auth_service.create_token(database, owner, "tests", 1)
    return owner, token


def assert_no_secret(response: httpx.Response, *passwords: str) -> None:
    """No password, hash or hash-like field anywhere in an account answer."""
    text = response.text
    assert "$argon2" not in text
    assert "hash" not in text.lower()
    for password in passwords:
        assert password not in text
    body = response.json()
    for account in body if isinstance(body, list) else [body]:
        assert set(account) == ACCOUNT_KEYS


# --- creating accounts ---------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_admin_creates_an_account_answered_without_password_or_hash(
    admin: httpx.AsyncClient, role: Role
) -> None:
    username = unique(f"new-{role.value}")
    before = datetime.now(UTC)
    response = await admin.post(
        "/users", json={"username": username, "role": role.value, "password": TEMPORARY}
    )
    assert response.status_code == 201
    assert_no_secret(response, TEMPORARY)
    account = response.json()
    assert isinstance(account["id"], int)
    assert {key: account[key] for key in ACCOUNT_KEYS - {"id", "createdAt"}} == {
        "username": username,
        "role": role.value,
        "disabled": False,
        "mustChangePassword": True,
    }
    created_at = datetime.fromisoformat(account["createdAt"])
    assert before - timedelta(seconds=30) < created_at < datetime.now(UTC) + timedelta(seconds=30)

    listed = await admin.get("/users")
    assert_no_secret(listed, TEMPORARY)
    assert [a for a in listed.json() if a["id"] == account["id"]] == [account]


async def test_a_new_account_signs_in_and_must_change_its_password_before_working(
    admin: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    username = unique("starter")
    await created(admin, username, "receptionist")

    signed = await sign_in(browser, username, TEMPORARY)
    assert signed.status_code == 200
    assert signed.json() == {
        "username": username,
        "role": "receptionist",
        "mustChangePassword": True,
        "idleTimeoutSeconds": 15 * 60,
    }
    assert (await browser.get("/auth/me")).json()["mustChangePassword"] is True
    refused = await browser.get("/patients")
    assert refused.status_code == 403
    assert refused.json() == CHANGE_PASSWORD

    changed = await browser.post(
        "/auth/password",
        json={"currentPassword": TEMPORARY, "newPassword": NEW_PASSWORD},
        headers=SAME_SITE,
    )
    assert changed.status_code == 204
    assert (await browser.get("/patients")).status_code == 200
    account = next(a for a in (await admin.get("/users")).json() if a["username"] == username)
    assert account["mustChangePassword"] is False


async def test_a_username_taken_in_another_case_is_409(admin: httpx.AsyncClient) -> None:
    username = unique("Case-Sensitive")
    await created(admin, username)
    for variant in (username.upper(), username.lower(), username):
        response = await admin.post(
            "/users", json={"username": variant, "role": "admin", "password": TEMPORARY}
        )
        assert response.status_code == 409
        assert response.json() == TAKEN
    assert [name for name in await usernames(admin) if name.lower() == username.lower()] == [
        username
    ]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1", "must be at least 12 characters"),
        ("", "String should have at least 1 character"),
        ("x" * 257, "String should have at most 256 characters"),
        ("password1234", "is too common; choose a less guessable one"),
        ("PASSWORD1234", "is too common; choose a less guessable one"),
        ("{username}", "must not be the username"),
        ("{USERNAME}", "must not be the username"),
    ],
)
async def test_a_weak_password_is_400_naming_the_password_field(
    admin: httpx.AsyncClient, password: str, message: str
) -> None:
    username = unique("weakling-account")
    password = password.format(username=username, USERNAME=username.upper())
    response = await admin.post(
        "/users", json={"username": username, "role": "clinician", "password": password}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "password", "message": message}]
    assert username not in await usernames(admin)


@pytest.mark.parametrize(
    "username", ["a b", "", "a" * 65, "slash/name", "ünïcode", " leading", "trailing "]
)
async def test_a_bad_username_is_400_naming_the_username_field(
    admin: httpx.AsyncClient, username: str
) -> None:
    response = await admin.post(
        "/users", json={"username": username, "role": "clinician", "password": TEMPORARY}
    )
    assert response.status_code == 400
    assert [problem["field"] for problem in response.json()["errors"]] == ["username"]
    assert username not in await usernames(admin)


async def test_a_username_of_64_characters_is_accepted(admin: httpx.AsyncClient) -> None:
    username = unique("x" * 55)
    assert len(username) == 64
    assert (await created(admin, username))["username"] == username


@pytest.mark.parametrize("role", ["superuser", "Admin", "", None, 1])
async def test_an_unknown_role_is_400_naming_the_role_field(
    admin: httpx.AsyncClient, role: Any
) -> None:
    username = unique("roleless")
    response = await admin.post(
        "/users", json={"username": username, "role": role, "password": TEMPORARY}
    )
    assert response.status_code == 400
    assert [problem["field"] for problem in response.json()["errors"]] == ["role"]
    assert username not in await usernames(admin)


@pytest.mark.parametrize(
    "extra",
    [{"isAdmin": True}, {"mustChangePassword": False}, {"disabled": True}, {"passwordHash": "x"}],
)
async def test_unknown_fields_in_a_new_account_are_400(
    admin: httpx.AsyncClient, extra: dict[str, Any]
) -> None:
    username = unique("extra")
    response = await admin.post(
        "/users",
        json={"username": username, "role": "clinician", "password": TEMPORARY, **extra},
    )
    assert response.status_code == 400
    [field] = extra
    assert response.json()["errors"] == [{"field": field, "message": "is not a known field"}]
    assert username not in await usernames(admin)


@pytest.mark.parametrize("body", [{"username": "someone"}, {"mustChangePassword": False}])
async def test_unknown_fields_in_an_account_change_are_400_and_change_nothing(
    admin: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    account = await created(admin, unique("unchanged"))
    response = await admin.patch(f"/users/{account['id']}", json=body)
    assert response.status_code == 400
    [field] = body
    assert response.json()["errors"] == [{"field": field, "message": "is not a known field"}]
    assert await account_of(admin, account["id"]) == account


async def test_accounts_are_listed_in_creation_order(admin: httpx.AsyncClient) -> None:
    first, second = unique("listed-first"), unique("listed-second")
    one, two = await created(admin, first, "receptionist"), await created(admin, second, "admin")
    listed = await admin.get("/users")
    assert listed.status_code == 200
    assert_no_secret(listed, TEMPORARY)
    accounts = listed.json()
    assert [a["id"] for a in accounts] == sorted(a["id"] for a in accounts)
    assert [a for a in accounts if a["username"] in (first, second)] == [one, two]


# --- changing accounts ---------------------------------------------------------------------


async def test_a_role_change_applies_at_once_to_the_same_token(
    app: Any, admin: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    record = (await client.post("/patients", json=patient(medicalCondition="Zeta-Syndrome"))).json()
    owner, token = await usable_account(app.state.database, Role.RECEPTIONIST)
    async with asgi_client(app, bearer(token)) as staff:
        before = await staff.get(f"/patients/{record['id']}")
        assert "medicalCondition" not in before.json()
        assert (await staff.delete(f"/patients/{record['id']}")).status_code == 403

        promoted = await admin.patch(f"/users/{owner.user_id}", json={"role": "clinician"})
        assert promoted.status_code == 200
        assert_no_secret(promoted)
        assert promoted.json()["role"] == "clinician"
        assert (await staff.get(f"/patients/{record['id']}")).json() == record
        assert (await staff.get("/patients")).json() == [record]
        assert (await staff.get("/patients?medicalCondition=Zeta-Syndrome")).json() == [record]
        assert (await staff.get("/auth/me")).json()["role"] == "clinician"

        demoted = await admin.patch(f"/users/{owner.user_id}", json={"role": "receptionist"})
        assert demoted.status_code == 200
        again = await staff.get("/patients")
        assert "medicalCondition" not in again.text
        assert (await staff.get("/patients?medicalCondition=Zeta-Syndrome")).status_code == 403

        made_admin = await admin.patch(f"/users/{owner.user_id}", json={"role": "admin"})
        assert made_admin.status_code == 200
        assert (await staff.get("/users")).status_code == 200
        # Back to receptionist: the shared database keeps no stray admin.
        assert (
            await admin.patch(f"/users/{owner.user_id}", json={"role": "receptionist"})
        ).is_success


async def test_disabling_ends_the_token_and_the_cookie_session_on_the_next_request(
    app: Any, admin: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    owner, token = await usable_account(app.state.database, Role.CLINICIAN)
    wrong = await sign_in(browser, owner.username, "Not-The-Passphrase-1")
    assert (await sign_in(browser, owner.username, PASSWORD)).status_code == 200
    async with asgi_client(app, bearer(token)) as scripted:
        assert (await scripted.get("/patients")).status_code == 200
        assert (await browser.get("/patients")).status_code == 200

        disabled = await admin.patch(f"/users/{owner.user_id}", json={"disabled": True})
        assert disabled.status_code == 200
        assert_no_secret(disabled)
        assert disabled.json()["disabled"] is True

        for http in (scripted, browser):
            for url in ("/patients", "/auth/me"):
                response = await http.get(url)
                assert response.status_code == 401, url
                assert response.json() == ENDED
        refused_write = await browser.post("/patients", json=patient(), headers=SAME_SITE)
        assert refused_write.status_code == 401

    async with asgi_client(app) as fresh:
        refused = await sign_in(fresh, owner.username, PASSWORD)
    assert refused.status_code == wrong.status_code == 401
    assert refused.json() == wrong.json() == WRONG
    assert refused.headers["www-authenticate"] == wrong.headers["www-authenticate"]
    assert "set-cookie" not in refused.headers


async def test_enabling_again_lets_the_account_sign_in_but_old_sessions_stay_ended(
    app: Any, admin: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    owner = await make_user(app.state.database, Role.RECEPTIONIST)
    assert (await sign_in(browser, owner.username, PASSWORD)).status_code == 200
    assert (await admin.patch(f"/users/{owner.user_id}", json={"disabled": True})).is_success
    assert (await sign_in(browser, owner.username, PASSWORD)).status_code == 401

    enabled = await admin.patch(f"/users/{owner.user_id}", json={"disabled": False})
    assert enabled.status_code == 200
    assert enabled.json()["disabled"] is False
    async with asgi_client(app) as fresh:
        signed = await sign_in(fresh, owner.username, PASSWORD)
        assert signed.status_code == 200
        assert signed.json()["mustChangePassword"] is False
        assert (await fresh.get("/patients")).status_code == 200
    # The session opened before the account was disabled does not come back.
    assert (await browser.get("/patients")).status_code == 401


async def test_a_password_reset_ends_sessions_and_the_new_password_must_change(
    app: Any, admin: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    owner = await make_user(app.state.database, Role.CLINICIAN)
    assert (await sign_in(browser, owner.username, PASSWORD)).status_code == 200
    assert (await browser.get("/patients")).status_code == 200

    reset = await admin.patch(f"/users/{owner.user_id}", json={"password": NEW_PASSWORD})
    assert reset.status_code == 200
    assert_no_secret(reset, NEW_PASSWORD, PASSWORD)
    assert reset.json()["mustChangePassword"] is True
    assert reset.json()["disabled"] is False

    ended = await browser.get("/patients")
    assert ended.status_code == 401
    assert ended.json() == ENDED
    async with asgi_client(app) as fresh:
        old = await sign_in(fresh, owner.username, PASSWORD)
        assert old.status_code == 401
        assert old.json() == WRONG
        new = await sign_in(fresh, owner.username, NEW_PASSWORD)
        assert new.status_code == 200
        assert new.json()["mustChangePassword"] is True
        refused = await fresh.get("/patients")
        assert refused.status_code == 403
        assert refused.json() == CHANGE_PASSWORD


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1", "must be at least 12 characters"),
        ("password1234", "is too common; choose a less guessable one"),
    ],
)
async def test_a_weak_reset_password_is_400_and_the_old_one_still_works(
    app: Any, admin: httpx.AsyncClient, browser: httpx.AsyncClient, password: str, message: str
) -> None:
    owner = await make_user(app.state.database, Role.CLINICIAN)
    response = await admin.patch(f"/users/{owner.user_id}", json={"password": password})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "password", "message": message}]
    signed = await sign_in(browser, owner.username, PASSWORD)
    assert signed.status_code == 200
    assert signed.json()["mustChangePassword"] is False


async def test_a_reset_password_equal_to_the_username_is_400(
    app: Any, admin: httpx.AsyncClient
) -> None:
    owner = await make_user(app.state.database, Role.CLINICIAN)
    response = await admin.patch(f"/users/{owner.user_id}", json={"password": owner.username})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "password", "message": "must not be the username"}
    ]


async def test_patching_an_unknown_account_is_404(admin: httpx.AsyncClient) -> None:
    response = await admin.patch("/users/999999", json={"disabled": True})
    assert response.status_code == 404
    assert response.json() == {"detail": "No such account."}


async def test_no_route_deletes_an_account(admin: httpx.AsyncClient) -> None:
    account = await created(admin, unique("kept"))
    for url in (f"/users/{account['id']}", "/users"):
        response = await admin.delete(url)
        assert response.status_code == 405, url
        assert set(response.json()) == {"detail"}
    assert await account_of(admin, account["id"]) == account


# --- the last active admin -----------------------------------------------------------------


@pytest.fixture
async def own_registry(database_url: URL, settings: Settings) -> AsyncIterator[Any]:
    """The app on a database of this test's own, without any account yet."""
    with fresh_database(database_url.set(database="postgres")) as url:
        own = settings.model_copy(
            update={"database_url": url.render_as_string(hide_password=False)}
        )
        application = create_app(own)
        async with application.router.lifespan_context(application):
            yield application


async def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(
    own_registry: Any,
) -> None:
    database: Database = own_registry.state.database
    only, token = await usable_account(database, Role.ADMIN)
    async with asgi_client(own_registry, bearer(token)) as admin:
        before = (await admin.get("/users")).json()
        assert [a["username"] for a in before] == [only.username]
        for change in (
            {"disabled": True},
            {"role": "clinician"},
            {"role": "receptionist"},
            {"role": "clinician", "disabled": False},
            {"role": "admin", "disabled": True},
        ):
            response = await admin.patch(f"/users/{only.user_id}", json=change)
            assert response.status_code == 409, change
            assert response.json() == LAST_ADMIN
        assert (await admin.get("/users")).json() == before
        # Changes that keep it an active admin are fine.
        kept = await admin.patch(f"/users/{only.user_id}", json={"role": "admin"})
        assert kept.status_code == 200
        assert kept.json() == before[0]


async def test_a_disabled_second_admin_does_not_count_but_an_active_one_allows_the_change(
    own_registry: Any,
) -> None:
    database: Database = own_registry.state.database
    first, token = await usable_account(database, Role.ADMIN)
    second, second_token = await usable_account(database, Role.ADMIN)
    async with (
        asgi_client(own_registry, bearer(token)) as admin,
        asgi_client(own_registry, bearer(second_token)) as other,
    ):
        disabled = await admin.patch(f"/users/{second.user_id}", json={"disabled": True})
        assert disabled.status_code == 200
        refused = await admin.patch(f"/users/{first.user_id}", json={"role": "clinician"})
        assert refused.status_code == 409
        assert refused.json() == LAST_ADMIN

        assert (await admin.patch(f"/users/{second.user_id}", json={"disabled": False})).is_success
        # Disabling revoked the second admin's token: it signs in anew.
        _, fresh_token = await auth_service.create_token(database, second, "tests", 1)
        other.headers.update(bearer(fresh_token))
        demoted = await admin.patch(f"/users/{first.user_id}", json={"role": "clinician"})
        assert demoted.status_code == 200
        assert demoted.json()["role"] == "clinician"
        assert (await admin.get("/users")).status_code == 403  # no longer an admin, at once

        # Now the second is the last active admin in turn.
        for change in ({"disabled": True}, {"role": "receptionist"}):
            response = await other.patch(f"/users/{second.user_id}", json=change)
            assert response.status_code == 409, change
            assert response.json() == LAST_ADMIN
        disabled_first = await other.patch(f"/users/{first.user_id}", json={"disabled": True})
        assert disabled_first.status_code == 200
        accounts = {a["username"]: a for a in (await other.get("/users")).json()}
        assert (accounts[first.username]["role"], accounts[first.username]["disabled"]) == (
            "clinician",
            True,
        )
        assert (accounts[second.username]["role"], accounts[second.username]["disabled"]) == (
            "admin",
            False,
        )


@pytest.mark.parametrize("change", [{"password": NEW_PASSWORD}, {"disabled": True}])
async def test_a_reset_or_disabling_revokes_the_accounts_tokens_for_good(
    app: Any, admin: httpx.AsyncClient, change: dict[str, Any]
) -> None:
    owner, token = await usable_account(app.state.database, Role.CLINICIAN)
    async with asgi_client(app, bearer(token)) as script:
        assert (await script.get("/auth/me")).status_code == 200
        assert (await admin.patch(f"/users/{owner.user_id}", json=change)).status_code == 200
        assert (await script.get("/auth/me")).json() == ENDED
        # Enabling the account again does not bring the old token back.
        assert (await admin.patch(f"/users/{owner.user_id}", json={"disabled": False})).is_success
        assert (await script.get("/auth/me")).status_code == 401
