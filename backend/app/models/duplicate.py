"""Possible duplicates (migration 0010; the scoring rule is app/matching.py): the patients still
to check, the probable pairs found, and the pairs staff marked as two different people. A pair
is stored once, lower id first."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Double, ForeignKey, Index, Integer, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

GRADES = ("probable", "certain")  # the grades a pair is kept for


def _patient() -> Mapped[int]:
    return mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)


class DuplicateQueue(Base):
    """A patient inserted, or changed in a field matching reads, not yet checked (filled by
    triggers on `patients`, emptied by the background check)."""

    __tablename__ = "duplicate_queue"

    patient_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class DuplicatePair(Base):
    """Two live-or-not patients the check graded probable or certain, with its reasons."""

    __tablename__ = "duplicate_pairs"
    __table_args__ = (
        CheckConstraint("a < b", name="ordered"),
        CheckConstraint(f"grade IN {GRADES}", name="grade_known"),
        Index("ix_duplicate_pairs_score", text("score DESC"), "a", "b"),
        Index("ix_duplicate_pairs_b", "b"),
    )

    a: Mapped[int] = _patient()
    b: Mapped[int] = _patient()
    score: Mapped[float] = mapped_column(Double)
    grade: Mapped[str] = mapped_column(Text)
    reasons: Mapped[list[str]] = mapped_column(ARRAY(Text))
    found_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )


class DistinctPatients(Base):
    """A pair staff said are two different people: never shown as a possible duplicate again."""

    __tablename__ = "distinct_patients"
    __table_args__ = (
        CheckConstraint("a < b", name="ordered"),
        Index("ix_distinct_patients_b", "b"),
    )

    a: Mapped[int] = _patient()
    b: Mapped[int] = _patient()
    marked_by: Mapped[int | None] = mapped_column(Integer)  # users.id; None: OPEN_ACCESS
    marked_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
