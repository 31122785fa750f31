"""The `patients` table: the clinic's rules repeated as constraints, so no path can bypass them."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

GENDERS = ("Male", "Female", "Other")

# The text-shape rules of shared/design.md; the API validates the same (app/schemas/patient.py).
CHECKS = {
    "patient_id_length": "char_length(patient_id) BETWEEN 1 AND 50",
    "patient_id_trimmed": "patient_id !~ '^\\s|\\s$'",
    "name_length": "char_length(name) BETWEEN 1 AND 255",
    "name_not_blank": "name ~ '\\S'",
    "age_range": "age BETWEEN 1 AND 150",
    "gender_allowed": "gender IN ('Male', 'Female', 'Other')",
    "condition_length": "char_length(medical_condition) BETWEEN 1 AND 255",
    "condition_not_blank": "medical_condition ~ '\\S'",
    # UTC+14 is the first zone to reach a date: no clinic anywhere can have visited after it.
    "last_visit_not_future": "last_visit <= (now() AT TIME ZONE 'UTC' + interval '14 hours')::date",
    "version_positive": "version >= 1",
    "delete_reason_length": "char_length(delete_reason) BETWEEN 1 AND 500",
    "delete_reason_only_deleted": "delete_reason IS NULL OR deleted_at IS NOT NULL",
    "merged_only_deleted": "merged_into IS NULL OR deleted_at IS NOT NULL",
}

# Every index the lists use covers live patients only: a soft-deleted row is in none of them
# (migration 0009), yet the unique patientID index covers it, so its patientID stays reserved.
LIVE = text("deleted_at IS NULL")
DELETED = text("deleted_at IS NOT NULL")


# Text columns the front end sorts by; indexed on the accent- and case-folding sort key.
SORT_KEYED = {"name": "name", "patient_id": "patient_id", "condition": "medical_condition"}


class Patient(Base):
    """One registered patient."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(255))
    age: Mapped[int] = mapped_column(Integer)
    gender: Mapped[str] = mapped_column(String(6))
    medical_condition: Mapped[str] = mapped_column(String(255))
    last_visit: Mapped[date] = mapped_column(Date)
    legacy_id: Mapped[str | None] = mapped_column(String(64))
    # Incremented by every update: the record's ETag (app/concurrency.py).
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Soft delete: set by DELETE, cleared by an admin's restore; only a purge removes the row.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by: Mapped[int | None] = mapped_column(Integer)  # users.id; None: OPEN_ACCESS
    delete_reason: Mapped[str | None] = mapped_column(String(500))
    # A record merged into another is a deleted one pointing at the record kept (migration 0010).
    merged_into: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL", name="fk_patients_merged_into_patients")
    )
    # The keys a possible duplicate's name shares with this one; [1] is the name as matching
    # compares it (app/matching.py, migration 0010).
    name_keys: Mapped[list[str]] = mapped_column(
        ARRAY(Text), Computed("registry_name_keys(name)", persisted=True)
    )

    __table_args__ = (
        *(CheckConstraint(sql, name=name) for name, sql in CHECKS.items()),
        Index("uq_patients_patient_id_lower", func.lower(text("patient_id")), unique=True),
        Index(
            "ix_patients_patient_id_trgm",
            "patient_id",
            postgresql_using="gin",
            postgresql_ops={"patient_id": "gin_trgm_ops"},
            postgresql_where=LIVE,
        ),
        Index(
            "ix_patients_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
            postgresql_where=LIVE,
        ),
        Index(
            "ix_patients_condition_trgm",
            "medical_condition",
            postgresql_using="gin",
            postgresql_ops={"medical_condition": "gin_trgm_ops"},
            postgresql_where=LIVE,
        ),
        *(
            Index(
                f"ix_patients_{key}_key",
                func.registry_sort_key(text(column)),
                "id",
                postgresql_include=[column],  # index-only page lookups (migration 0004)
                postgresql_where=LIVE,
            )
            for key, column in SORT_KEYED.items()
        ),
        Index(
            "ix_patients_name_key_trgm",
            text("(name_keys[1]) gin_trgm_ops"),
            postgresql_using="gin",
            postgresql_where=LIVE,
        ),
        Index("ix_patients_name_keys", "name_keys", postgresql_using="gin", postgresql_where=LIVE),
        Index("ix_patients_age_id", "age", "id", postgresql_where=LIVE),
        Index("ix_patients_last_visit_id", "last_visit", "id", postgresql_where=LIVE),
        Index("ix_patients_deleted_at", "deleted_at", postgresql_where=DELETED),
        Index("ix_patients_legacy_id", "legacy_id"),
    )
