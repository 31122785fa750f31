"""Staff accounts: created and changed by an admin (routes) or by an operator (the command
line), never deleted (audit events refer to them). Passwords meet `passwords.weakness`."""

import asyncio
import re
import secrets

from app import passwords
from app.audit import Actor, params_of
from app.database import Connection, Database
from app.errors import FieldProblem, InvalidBody, LastAdmin, UsernameTaken, UserNotFound
from app.models.account import USERNAME_PATTERN
from app.principal import Role
from app.repositories import accounts, audit
from app.repositories.accounts import UserRecord

_USERNAME = re.compile(USERNAME_PATTERN)
FIRST_ADMIN = "admin"


def _checked_password(password: str, username: str, field: str = "password") -> str:
    problem = passwords.weakness(password, username)
    if problem is not None:
        raise InvalidBody("The password cannot be used.", [FieldProblem(field, problem)])
    return password


async def list_users(database: Database) -> list[UserRecord]:
    """Every account, disabled ones included."""
    async with database.reader() as connection:
        return await accounts.all_users(connection)


async def create_user(
    database: Database,
    username: str,
    role: Role,
    password: str,
    must_change: bool,
    actor: Actor | None = None,
) -> UserRecord:
    """A new account. `must_change`: the password is a temporary one the person replaces at
    first sign-in (an admin chose it); an operator's own account can sign in as it is.
    `actor`: the admin who made it (None: an operator at the command line)."""
    if not _USERNAME.fullmatch(username):
        problem = FieldProblem("username", "must be 1 to 64 letters, digits or . _ @ -")
        raise InvalidBody("The account is not valid.", [problem])
    password_hash = await asyncio.to_thread(
        passwords.hash_password, _checked_password(password, username)
    )
    async with database.unit_of_work() as connection:
        user = await accounts.insert_user(
            connection, username, role.value, password_hash, must_change
        )
        if user is not None:
            await _audited(connection, actor, user.id, ["created", role.value])
    if user is None:
        raise UsernameTaken()
    return user


async def _audited(
    connection: Connection, actor: Actor | None, user_id: int, change: list[str]
) -> None:
    """The `user_admin` event: whose account, and what changed (never a password)."""
    detail = {"userId": user_id, "change": change}
    await audit.record(connection, params_of(actor, detail), "user_admin", 200)


async def update_user(
    database: Database,
    user_id: int,
    role: Role | None = None,
    disabled: bool | None = None,
    password: str | None = None,
    actor: Actor | None = None,
) -> UserRecord:
    """An admin's change of role, status or password. A new password is temporary (changed at
    next sign-in); a reset or disabling ends the account's sessions at once. The registry never
    loses its last active admin. Disabling or a reset also revokes the account's tokens: both
    are what an admin does when a credential may be in the wrong hands."""
    async with database.credentials.revoking(), database.unit_of_work() as connection:
        user = await accounts.user_by_id(connection, user_id, lock=True)
        if user is None:
            raise UserNotFound()
        changes: dict[str, object] = {}
        if role is not None:
            changes["role"] = role.value
        if disabled is not None:
            changes["disabled"] = disabled
        if password is not None:
            new_hash = await asyncio.to_thread(
                passwords.hash_password, _checked_password(password, user.username)
            )
            changes |= {"password_hash": new_hash, "must_change_password": True}
        stays_admin = changes.get("role", user.role) == Role.ADMIN and not changes.get(
            "disabled", user.disabled
        )
        was_admin = user.role == Role.ADMIN and not user.disabled
        if was_admin and not stays_admin and await accounts.active_admins(connection) <= 1:
            raise LastAdmin()
        updated = await accounts.update_user(connection, user_id, changes)
        if updated.disabled or password is not None:  # whoever had them is locked out
            await accounts.delete_sessions_of(connection, user_id)
            await accounts.delete_tokens_of(connection, user_id)
        described = [f"role={role.value}"] if role is not None else []
        described += [f"disabled={disabled}".lower()] if disabled is not None else []
        described += ["password reset"] if password is not None else []
        await _audited(connection, actor, user_id, described)
        return updated


async def set_password(database: Database, username: str, password: str) -> UserRecord:
    """The operator's reset (command line): usable at once; the account's sessions and tokens
    end."""
    async with database.credentials.revoking(), database.unit_of_work() as connection:
        user = await accounts.user_named(connection, username)
        if user is None:
            raise UserNotFound(f"No account named {username!r}.")
        new_hash = await asyncio.to_thread(
            passwords.hash_password, _checked_password(password, user.username)
        )
        changes = {"password_hash": new_hash, "must_change_password": False}
        updated = await accounts.update_user(connection, user.id, changes)
        await accounts.delete_sessions_of(connection, user.id)
        await accounts.delete_tokens_of(connection, user.id)
        await _audited(connection, None, user.id, ["password set"])
        return updated


async def create_first_admin(database: Database) -> str | None:
    """On a registry without any account: an `admin` with a random password that must be
    changed at first sign-in; that password is returned (to be shown once), else None."""
    async with database.unit_of_work() as connection:
        await connection.execute(b"LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
        if await accounts.count_users(connection) > 0:
            return None
        password = secrets.token_urlsafe(15)  # 20 characters, 120 random bits
        password_hash = await asyncio.to_thread(passwords.hash_password, password)
        admin = await accounts.insert_user(
            connection, FIRST_ADMIN, Role.ADMIN.value, password_hash, True
        )
        assert admin is not None  # the table is locked and empty
        await _audited(connection, None, admin.id, ["created", Role.ADMIN.value])
    return password


async def has_active_admin(database: Database) -> bool:
    """Whether anyone can administer the registry (production refuses to start otherwise)."""
    async with database.unit_of_work() as connection:
        return await accounts.active_admins(connection) > 0
