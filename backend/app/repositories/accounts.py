"""Every statement on the account tables (app/models/account.py): users, sessions, API tokens
and failed sign-ins. Secrets arrive here already hashed; nothing here sees a password."""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from psycopg import sql
from psycopg.rows import args_row

from app.database import Connection


@dataclass(frozen=True, slots=True)
class UserRecord:
    """One staff account as stored."""

    id: int
    username: str
    role: str
    password_hash: str
    must_change_password: bool
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Credential:
    """Who a valid session or token belongs to."""

    user_id: int
    username: str
    role: str
    must_change_password: bool


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A personal API token, without its secret."""

    id: int
    name: str
    created_at: datetime
    expires_at: datetime


USER_COLUMNS = sql.SQL(", ").join(map(sql.Identifier, (field.name for field in fields(UserRecord))))
# Statements without variable parts, rendered to bytes once (as in repositories/patients.py).
USER_BY_NAME = (
    sql.SQL("SELECT {} FROM users WHERE lower(username) = lower(%(username)s)")
    .format(USER_COLUMNS)
    .as_bytes()
)
USER_BY_ID_SQL = sql.SQL("SELECT {} FROM users WHERE id = %(id)s").format(USER_COLUMNS)
USER_BY_ID = USER_BY_ID_SQL.as_bytes()
USER_BY_ID_LOCKED = sql.SQL("{} FOR UPDATE").format(USER_BY_ID_SQL).as_bytes()
ALL_USERS = sql.SQL("SELECT {} FROM users ORDER BY id").format(USER_COLUMNS).as_bytes()
INSERT_USER = (
    sql.SQL(
        "INSERT INTO users (username, role, password_hash, must_change_password)"
        " VALUES (%(username)s, %(role)s, %(hash)s, %(must_change)s)"
        " ON CONFLICT (lower(username)) DO NOTHING RETURNING {}"
    )
    .format(USER_COLUMNS)
    .as_bytes()
)
USER = args_row(UserRecord)
END_SESSION = (
    sql.SQL(
        "WITH ended AS (DELETE FROM sessions WHERE secret_hash = %s RETURNING user_id)"
        " SELECT {} FROM users WHERE id IN (SELECT user_id FROM ended)"
    )
    .format(USER_COLUMNS)
    .as_bytes()
)
CREDENTIAL = args_row(Credential)
TOKEN = args_row(TokenRecord)

BY_TOKEN = b"""
SELECT u.id, u.username, u.role, u.must_change_password
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.secret_hash = %(secret)s AND t.expires_at > now() AND NOT u.disabled"""

# A valid session is also marked as seen, but only when it was last marked more than `touch`
# ago: most requests then only read, and a read writes no WAL and waits for no fsync.
BY_SESSION = b"""
WITH found AS (
    SELECT s.secret_hash, s.last_seen_at, u.id, u.username, u.role, u.must_change_password
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.secret_hash = %(secret)s AND s.expires_at > now()
      AND s.last_seen_at > now() - %(idle)s AND NOT u.disabled
), touched AS (
    UPDATE sessions SET last_seen_at = now() FROM found
    WHERE sessions.secret_hash = found.secret_hash AND found.last_seen_at < now() - %(touch)s
)
SELECT id, username, role, must_change_password FROM found"""


async def credential_by_token(connection: Connection, secret: bytes) -> Credential | None:
    """The owner of an unexpired token of an enabled account."""
    async with connection.cursor(row_factory=CREDENTIAL) as cursor:
        await cursor.execute(BY_TOKEN, {"secret": secret})
        return await cursor.fetchone()


async def credential_by_session(
    connection: Connection, secret: bytes, idle: timedelta, touch: timedelta
) -> Credential | None:
    """The owner of a live session of an enabled account; the session is marked as seen."""
    async with connection.cursor(row_factory=CREDENTIAL) as cursor:
        await cursor.execute(BY_SESSION, {"secret": secret, "idle": idle, "touch": touch})
        return await cursor.fetchone()


async def user_named(connection: Connection, username: str) -> UserRecord | None:
    """The account with this username, ignoring case."""
    async with connection.cursor(row_factory=USER) as cursor:
        await cursor.execute(USER_BY_NAME, {"username": username})
        return await cursor.fetchone()


async def user_by_id(connection: Connection, user_id: int, lock: bool = False) -> UserRecord | None:
    """The account with this id (locked for the transaction when `lock`)."""
    async with connection.cursor(row_factory=USER) as cursor:
        await cursor.execute(USER_BY_ID_LOCKED if lock else USER_BY_ID, {"id": user_id})
        return await cursor.fetchone()


async def all_users(connection: Connection) -> list[UserRecord]:
    """Every account, in the order they were created."""
    async with connection.cursor(row_factory=USER) as cursor:
        await cursor.execute(ALL_USERS)
        return await cursor.fetchall()


async def insert_user(
    connection: Connection, username: str, role: str, password_hash: str, must_change: bool
) -> UserRecord | None:
    """A new account, or None if the username is taken (ignoring case)."""
    values = {"username": username, "role": role, "hash": password_hash, "must_change": must_change}
    async with connection.cursor(row_factory=USER) as cursor:
        await cursor.execute(INSERT_USER, values)
        return await cursor.fetchone()


UPDATABLE = ("role", "disabled", "password_hash", "must_change_password")


async def update_user(connection: Connection, user_id: int, changes: dict[str, Any]) -> UserRecord:
    """Apply `changes` (columns of UPDATABLE) to an account known to exist."""
    assignments = [
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column))
        for column in changes
        if column in UPDATABLE
    ]
    query = sql.SQL("UPDATE users SET {} WHERE id = %(id)s RETURNING {}").format(
        sql.SQL(", ").join([*assignments, sql.SQL("updated_at = now()")]), USER_COLUMNS
    )
    async with connection.cursor(row_factory=USER) as cursor:
        await cursor.execute(query, {**changes, "id": user_id})
        updated = await cursor.fetchone()
    assert updated is not None, "update_user is called on a locked, existing account"
    return updated


async def count_users(connection: Connection) -> int:
    """How many accounts exist (any role, disabled included)."""
    cursor = await connection.execute(b"SELECT count(*) FROM users")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def active_admins(connection: Connection) -> int:
    """Admins that can sign in; the rows are locked, so two changes cannot both remove the last."""
    cursor = await connection.execute(
        b"SELECT id FROM users WHERE role = 'admin' AND NOT disabled FOR UPDATE"
    )
    return len(await cursor.fetchall())


async def insert_session(
    connection: Connection, secret: bytes, user_id: int, max_age: timedelta
) -> None:
    """A new session ending `max_age` from now at the latest."""
    await connection.execute(
        b"INSERT INTO sessions (secret_hash, user_id, expires_at)"
        b" VALUES (%(secret)s, %(user)s, now() + %(max_age)s)",
        {"secret": secret, "user": user_id, "max_age": max_age},
    )


async def delete_session(connection: Connection, secret: bytes) -> UserRecord | None:
    """End one session (sign-out); whose it was, if it existed."""
    async with connection.cursor(row_factory=USER) as cursor:
        await cursor.execute(END_SESSION, (secret,))
        return await cursor.fetchone()


async def delete_sessions_of(
    connection: Connection, user_id: int, keep: bytes | None = None
) -> None:
    """End every session of a user, but `keep` (the one changing its own password)."""
    await connection.execute(
        b"DELETE FROM sessions WHERE user_id = %(user)s"
        b" AND secret_hash IS DISTINCT FROM %(keep)s",
        {"user": user_id, "keep": keep},
    )


async def delete_tokens_of(connection: Connection, user_id: int) -> None:
    """Revoke every personal token of a user (disabled, or a password reset)."""
    await connection.execute(b"DELETE FROM api_tokens WHERE user_id = %s", (user_id,))


async def delete_dead_sessions(connection: Connection, idle: timedelta) -> None:
    """Forget sessions that can no longer be used (run at sign-in, so the table stays small)."""
    await connection.execute(
        b"DELETE FROM sessions WHERE expires_at <= now() OR last_seen_at <= now() - %s", (idle,)
    )


async def insert_token(
    connection: Connection, user_id: int, name: str, secret: bytes, lifetime: timedelta
) -> TokenRecord:
    """A new token of `user_id`, valid for `lifetime`."""
    async with connection.cursor(row_factory=TOKEN) as cursor:
        await cursor.execute(
            b"INSERT INTO api_tokens (user_id, name, secret_hash, expires_at)"
            b" VALUES (%(user)s, %(name)s, %(secret)s, now() + %(lifetime)s)"
            b" RETURNING id, name, created_at, expires_at",
            {"user": user_id, "name": name, "secret": secret, "lifetime": lifetime},
        )
        token = await cursor.fetchone()
    assert token is not None
    return token


async def tokens_of(connection: Connection, user_id: int) -> list[TokenRecord]:
    """A user's unexpired tokens, newest first."""
    async with connection.cursor(row_factory=TOKEN) as cursor:
        await cursor.execute(
            b"SELECT id, name, created_at, expires_at FROM api_tokens"
            b" WHERE user_id = %s AND expires_at > now() ORDER BY id DESC",
            (user_id,),
        )
        return await cursor.fetchall()


async def delete_token(connection: Connection, user_id: int, token_id: int) -> bool:
    """Revoke one of the user's tokens; False if they have none with this id."""
    cursor = await connection.execute(
        b"DELETE FROM api_tokens WHERE id = %s AND user_id = %s", (token_id, user_id)
    )
    return cursor.rowcount == 1


async def lock_sign_ins(connection: Connection, username_key: bytes) -> None:
    """Serialise sign-ins for one username (every process), so the count of failures that
    decides a lock-out cannot be raced past by attempts in parallel."""
    await connection.execute(
        b"SELECT pg_advisory_xact_lock(hashtextextended(encode(%s, 'hex'), 7))", (username_key,)
    )


async def recent_failures(
    connection: Connection, username_key: bytes, client: str, window: timedelta
) -> tuple[int, datetime | None, int, datetime | None]:
    """Failures within `window`: (count, oldest) for the username, then for the client."""
    cursor = await connection.execute(
        b"""SELECT count(*) FILTER (WHERE username_key = %(key)s),
                   min(failed_at) FILTER (WHERE username_key = %(key)s),
                   count(*) FILTER (WHERE client = %(client)s),
                   min(failed_at) FILTER (WHERE client = %(client)s)
            FROM sign_in_failures
            WHERE (username_key = %(key)s OR client = %(client)s)
              AND failed_at > now() - %(window)s""",
        {"key": username_key, "client": client, "window": window},
    )
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0]), row[1], int(row[2]), row[3]


async def record_failure(
    connection: Connection, username_key: bytes, client: str, window: timedelta
) -> None:
    """Note a failed sign-in; failures older than the window are forgotten on the way."""
    await connection.execute(
        b"DELETE FROM sign_in_failures WHERE failed_at <= now() - %s", (window,)
    )
    await connection.execute(
        b"INSERT INTO sign_in_failures (username_key, client) VALUES (%s, %s)",
        (username_key, client),
    )


async def clear_failures(connection: Connection, username_key: bytes) -> None:
    """A successful sign-in forgets the username's failures."""
    await connection.execute(
        b"DELETE FROM sign_in_failures WHERE username_key = %s", (username_key,)
    )


async def now(connection: Connection) -> datetime:
    """The database's clock, which every window above is measured on."""
    cursor = await connection.execute(b"SELECT now()")
    row = await cursor.fetchone()
    assert row is not None
    value: datetime = row[0]
    return value
