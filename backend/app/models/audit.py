"""Who saw and changed which patient (`audit_events`, sealed in `audit_seals`), and every version
of every patient (`patient_versions`). shared/design.md, audit and history; app/audit.py.

The app runs as the database role `registry_runtime` (migration 0009), which may INSERT and
SELECT audit events and seals but never UPDATE, DELETE or TRUNCATE them.
"""

from datetime import datetime
from typing import Any

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
    SmallInteger,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

NOW = text("now()")
ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "read",
    "search",
    "history",
    "create",
    "update",
    "delete",
    "restore",
    "purge",
    "export",
    "import",
    "user_admin",
    "audit_view",
    "merge",  # one patient merged into another (migration 0010)
    "mark_distinct",  # a possible-duplicate pair marked as two people
)
VERSION_ACTIONS = ("create", "import", "update", "delete", "restore", "merge")


class AuditEvent(Base):
    """One request that disclosed or changed patient data, or touched security. Patient data
    appears only as numeric ids: never a name, condition or patientID."""

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint(f"action IN {ACTIONS}", name="action_known"),
        # BRIN: events arrive in time order, and a block range index costs an insert almost
        # nothing (a B-tree on `at` cost ~20% of an audited read's database time).
        Index("ix_audit_events_at", "at", postgresql_using="brin"),
        Index("ix_audit_events_patient_ids", "patient_ids", postgresql_using="gin"),
        Index("ix_audit_events_bulk", "id", postgresql_where=text("bulk")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    outcome: Mapped[int] = mapped_column(SmallInteger)  # the HTTP status answered
    # The patients disclosed or changed; None for a bulk disclosure (over 1,000 rows).
    patient_ids: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    row_count: Mapped[int | None] = mapped_column(Integer)
    bulk: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    query: Mapped[str | None] = mapped_column(Text)  # a list's query, values of fields masked
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class AuditSeal(Base):
    """A block of consecutive events, hashed onto the block before it (app/audit_chain.py)."""

    __tablename__ = "audit_seals"

    block: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_event: Mapped[int] = mapped_column(BigInteger)
    last_event: Mapped[int] = mapped_column(BigInteger)
    event_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    digests: Mapped[bytes] = mapped_column(LargeBinary)  # 32 bytes per event, in id order
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)


class PatientVersion(Base):
    """A patient as it was after one change; a purge removes them with the patient."""

    __tablename__ = "patient_versions"
    __table_args__ = (CheckConstraint(f"action IN {VERSION_ACTIONS}", name="action_known"),)

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=NOW)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the wire fields of that version
