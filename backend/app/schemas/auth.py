"""Sign-in, tokens and staff accounts on the wire (camelCase, unknown fields refused)."""

import re
import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from app.models.account import USERNAME_PATTERN
from app.passwords import MAX_LENGTH
from app.principal import Role

USERNAME = re.compile(USERNAME_PATTERN)
REQUEST = ConfigDict(alias_generator=to_camel, validate_by_alias=True, extra="forbid")
ANSWER = ConfigDict(alias_generator=to_camel, validate_by_name=True, from_attributes=True)

Password = Field(min_length=1, max_length=MAX_LENGTH)


def _printable(value: str) -> str:
    """Names are shown and stored as text: no control characters (PostgreSQL refuses NUL)."""
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError("must not contain control characters")
    return value


Printable = Annotated[str, AfterValidator(_printable)]


def _username(value: str) -> str:
    if not USERNAME.fullmatch(value):
        raise ValueError("must be 1 to 64 letters, digits or . _ @ -")
    return value


Username = Annotated[str, AfterValidator(_username)]


class SignInBody(BaseModel):
    """`POST /auth/login`."""

    model_config = REQUEST

    username: Printable = Field(min_length=1, max_length=64)
    password: str = Password


class Me(BaseModel):
    """Who is signed in (`POST /auth/login`, `GET /auth/me`)."""

    model_config = ANSWER

    username: str
    role: Role
    must_change_password: bool
    idle_timeout_seconds: int


class PasswordChange(BaseModel):
    """`POST /auth/password`: the signed-in user's own change."""

    model_config = REQUEST

    current_password: str = Password
    new_password: str = Password


class TokenCreate(BaseModel):
    """`POST /auth/tokens`."""

    model_config = REQUEST

    name: Printable = Field(min_length=1, max_length=100)
    expires_in_days: int = Field(default=30, ge=1, le=366)


class TokenRead(BaseModel):
    """A token without its secret (`GET /auth/tokens`)."""

    model_config = ANSWER

    id: int
    name: str
    created_at: datetime
    expires_at: datetime


class TokenCreated(TokenRead):
    """A new token: `token` is the secret, shown this once and never again."""

    token: str


class UserCreate(BaseModel):
    """`POST /users`: the password is temporary (changed at first sign-in)."""

    model_config = REQUEST

    username: Username
    role: Role
    password: str = Password


class UserPatch(BaseModel):
    """`PATCH /users/{id}`: any of role, disabled, a new temporary password."""

    model_config = REQUEST

    role: Role | None = None
    disabled: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=MAX_LENGTH)


class UserRead(BaseModel):
    """A staff account as an admin sees it (never its password hash)."""

    model_config = ANSWER

    id: int
    username: str
    role: Role
    disabled: bool
    must_change_password: bool
    created_at: datetime
