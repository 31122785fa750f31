"""Staff accounts and what proves who is asking: sessions (browser), personal API tokens
(scripts) and recent failed sign-ins (throttling). In PostgreSQL, so every app process sees the
same sign-outs, disabled accounts and lock-outs at once (shared/design.md, identity and access).

Secrets are never stored: passwords as argon2id hashes, session and token secrets as SHA-256
digests (they are 256-bit random values, so a fast hash is enough), attempted usernames of
failed sign-ins as digests too (a password typed into the username field must not be kept).
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

ROLES = ("admin", "clinician", "receptionist")
# Letters, digits and . _ @ -: safe in a URL, a log line and a shell command.
USERNAME_PATTERN = "^[A-Za-z0-9._@-]{1,64}$"
NOW = text("now()")


class User(Base):
    """A staff member. Never deleted (audit events refer to them): disabled instead."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"username ~ '{USERNAME_PATTERN}'", name="username_shape"),
        CheckConstraint(f"role IN {ROLES}", name="role_known"),
        Index("ix_users_username_lower", func.lower(text("username")), unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    username: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class Session(Base):
    """A signed-in browser: ends at sign-out, after the idle timeout or at `expires_at`."""

    __tablename__ = "sessions"

    secret_hash: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal token (`Authorization: Bearer`), shown once at creation."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("char_length(name) BETWEEN 1 AND 100", name="name_length"),)

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    """One failed sign-in, kept for the throttling window."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_username_key_failed_at", "username_key", "failed_at"),
        Index("ix_sign_in_failures_client_failed_at", "client", "failed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    username_key: Mapped[bytes] = mapped_column(LargeBinary)
    client: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
