"""Signing in and out, sessions, personal API tokens and sign-in throttling.

Everything lives in PostgreSQL (app/models/account.py), so every app process sees the same
sign-outs, disabled accounts and lock-outs at once; nothing about a credential is cached.
"""

import asyncio
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from app import metrics, passwords
from app.audit import event_params
from app.config import Settings
from app.database import Connection, Database
from app.errors import (
    FieldProblem,
    InvalidBody,
    NotSignedIn,
    TokenNotFound,
    TooManySignIns,
    UserNotFound,
    WrongCredentials,
)
from app.principal import Principal, Role
from app.repositories import accounts, audit
from app.repositories.accounts import Credential, TokenRecord, UserRecord

TOKEN_PREFIX = "prt_"  # recognisable to secret scanners and in a leaked log
# How long a token's owner is taken from the credential cache before PostgreSQL is asked again,
# should a change ever go unnotified (app/credential_cache.py).
CACHED_TOKEN_S = 60.0
SECRET_BYTES = 32


def digest(secret: str) -> bytes:
    """What is stored of a session or token secret: 256 random bits need no slow hash."""
    return hashlib.sha256(secret.encode()).digest()


def _principal(credential: Credential | None, session_secret: str | None = None) -> Principal:
    if credential is None:
        raise NotSignedIn("Your session has ended or your token is not valid; sign in again.")
    return Principal(
        credential.user_id,
        credential.username,
        Role(credential.role),
        credential.must_change_password,
        session_secret,
    )


async def principal_for_token(database: Database, token: str) -> Principal:
    """The staff member an `Authorization: Bearer` token acts for, or NotSignedIn."""
    secret = digest(token)
    credential = await _remembered(
        database,
        b"token:" + secret,
        CACHED_TOKEN_S,
        lambda connection: accounts.credential_by_token(connection, secret),
    )
    return _principal(credential)


async def principal_for_session(database: Database, settings: Settings, secret: str) -> Principal:
    """The staff member a session cookie belongs to, or NotSignedIn; the session is kept alive.

    The last-seen time is written at most every tenth of the idle timeout (and at most every
    minute), so a session may end up to that much before a full idle timeout has passed. In
    between, the answer comes from the credential cache, for that long at most.
    """
    idle = timedelta(seconds=settings.session_idle_timeout_s)
    touch = min(idle / 10, timedelta(minutes=1))
    hashed = digest(secret)
    credential = await _remembered(
        database,
        b"session:" + hashed,
        touch.total_seconds(),
        lambda connection: accounts.credential_by_session(connection, hashed, idle, touch),
    )
    return _principal(credential, secret)


async def _remembered(
    database: Database,
    key: bytes,
    max_age_s: float,
    lookup: Callable[[Connection], Awaitable[Credential | None]],
) -> Credential | None:
    """`lookup` on a reader, unless the credential cache knows the answer (a valid one) from
    less than `max_age_s` ago and nothing changed since (app/credential_cache.py)."""
    credential: Credential | None = database.credentials.get(key, max_age_s)
    if credential is None:
        generation = database.credentials.generation
        async with database.reader() as connection:
            credential = await lookup(connection)
        if credential is not None:
            database.credentials.put(key, credential, generation)
    return credential


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the account and the new session's secret (the cookie's value)."""

    user: UserRecord
    session_secret: str


async def sign_in(
    database: Database,
    settings: Settings,
    username: str,
    password: str,
    client: str,
    request_id: str,
) -> SignedIn:
    """Check the password and open a session; throttled per username and per client address.

    The failure that decides a lock-out is recorded (and committed) before the answer, and
    attempts for one username run one at a time across processes (an advisory lock), so
    parallel guesses cannot slip past the limit. An unknown username costs and answers exactly
    like a wrong password.
    """
    key = digest(username.casefold())
    window = timedelta(seconds=settings.sign_in_window_s)
    async with database.unit_of_work() as connection:
        await accounts.lock_sign_ins(connection, key)
        refusal = await _throttled(connection, settings, key, client, window)
        if refusal is not None:
            await _sign_in_event(connection, None, client, request_id, refusal.status_code)
            user, secret = None, None
        else:
            user, secret = await _attempt(connection, settings, username, password, key, client)
            await _sign_in_event(
                connection, user, client, request_id, 401 if secret is None else 200
            )
    # Raised after the commit: the failure and its event must be kept.
    if refusal is not None:
        metrics.sign_in_failed("locked_out")
        raise refusal
    if user is None or secret is None:
        metrics.sign_in_failed("wrong_credentials")
        raise WrongCredentials()
    return SignedIn(user, secret)


async def _attempt(
    connection: Connection,
    settings: Settings,
    username: str,
    password: str,
    key: bytes,
    client: str,
) -> tuple[UserRecord | None, str | None]:
    """The account named, and a new session's secret if the password is its own."""
    user = await accounts.user_named(connection, username)
    stored = None if user is None or user.disabled else user.password_hash
    matches, rehashed = await asyncio.to_thread(passwords.verify, password, stored)
    if user is None or not matches:
        await accounts.record_failure(
            connection, key, client, timedelta(seconds=settings.sign_in_window_s)
        )
        return user, None
    await accounts.clear_failures(connection, key)
    if rehashed is not None:
        await accounts.update_user(connection, user.id, {"password_hash": rehashed})
    secret = secrets.token_urlsafe(SECRET_BYTES)
    await accounts.delete_dead_sessions(
        connection, timedelta(seconds=settings.session_idle_timeout_s)
    )
    max_age = timedelta(seconds=settings.session_max_age_s)
    await accounts.insert_session(connection, digest(secret), user.id, max_age)
    return user, secret


async def _sign_in_event(
    connection: Connection, user: UserRecord | None, client: str, request_id: str, outcome: int
) -> None:
    """`login`, or `login_failed` naming the account only if it exists: an unknown username
    may be a password typed into the wrong field, and is never kept."""
    params = event_params(
        user.id if user else None,
        user.username if user else None,
        user.role if user else None,
        client,
        request_id,
    )
    await audit.record(connection, params, "login" if outcome == 200 else "login_failed", outcome)


async def _throttled(
    connection: Connection,
    settings: Settings,
    key: bytes,
    client: str,
    window: timedelta,
) -> TooManySignIns | None:
    """TooManySignIns, with the seconds until the oldest counted failure leaves the window."""
    by_user, user_oldest, by_client, client_oldest = await accounts.recent_failures(
        connection, key, client, window
    )
    blocking = [
        oldest
        for count, limit, oldest in (
            (by_user, settings.sign_in_max_failures, user_oldest),
            (by_client, settings.sign_in_max_failures_per_client, client_oldest),
        )
        if count >= limit and oldest is not None
    ]
    if blocking:
        now = await accounts.now(connection)
        wait = max(oldest + window - now for oldest in blocking)
        return TooManySignIns(max(1, int(wait.total_seconds()) + 1))
    return None


async def sign_out(database: Database, session_secret: str, client: str, request_id: str) -> None:
    """End this session at once, on every process; `logout` names whose it was."""
    async with database.credentials.revoking(), database.unit_of_work() as connection:
        user = await accounts.delete_session(connection, digest(session_secret))
        if user is not None:
            params = event_params(user.id, user.username, user.role, client, request_id)
            await audit.record(connection, params, "logout", 204)


async def change_password(database: Database, principal: Principal, current: str, new: str) -> None:
    """The signed-in user's own change: their other sessions end, this one stays."""
    assert principal.user_id is not None
    problem = passwords.weakness(new, principal.username)
    if problem is not None:
        raise InvalidBody(
            "The new password cannot be used.", [FieldProblem("newPassword", problem)]
        )
    async with database.credentials.revoking(), database.unit_of_work() as connection:
        user = await accounts.user_by_id(connection, principal.user_id, lock=True)
        stored = user.password_hash if user is not None else None
        matches, _ = await asyncio.to_thread(passwords.verify, current, stored)
        if user is None or not matches:
            problems = [FieldProblem("currentPassword", "is not your current password")]
            raise InvalidBody("The password was not changed.", problems)
        new_hash = await asyncio.to_thread(passwords.hash_password, new)
        changes = {"password_hash": new_hash, "must_change_password": False}
        await accounts.update_user(connection, user.id, changes)
        keep = digest(principal.session_secret) if principal.session_secret else None
        await accounts.delete_sessions_of(connection, user.id, keep)


async def create_token(
    database: Database, principal: Principal, name: str, days: int
) -> tuple[TokenRecord, str]:
    """A new personal token and its secret, which is shown once and stored only hashed."""
    assert principal.user_id is not None
    secret = TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    async with database.reader() as connection:
        token = await accounts.insert_token(
            connection, principal.user_id, name, digest(secret), timedelta(days=days)
        )
    return token, secret


async def create_token_for(database: Database, username: str, name: str, days: int) -> str:
    """The operator's token for an enabled account (command line); returns its secret."""
    async with database.reader() as connection:
        user = await accounts.user_named(connection, username)
    if user is None or user.disabled:
        raise UserNotFound(f"No enabled account named {username!r}.")
    owner = Principal(user.id, user.username, Role(user.role))
    _, secret = await create_token(database, owner, name, days)
    return secret


async def list_tokens(database: Database, principal: Principal) -> list[TokenRecord]:
    """The signed-in user's unexpired tokens (never their secrets)."""
    assert principal.user_id is not None
    async with database.reader() as connection:
        return await accounts.tokens_of(connection, principal.user_id)


async def revoke_token(database: Database, principal: Principal, token_id: int) -> None:
    """Delete one of the signed-in user's tokens; it stops working at once."""
    assert principal.user_id is not None
    async with database.credentials.revoking(), database.reader() as connection:
        if not await accounts.delete_token(connection, principal.user_id, token_id):
            raise TokenNotFound()
