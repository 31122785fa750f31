"""Tables the database keeps for the app's own use, declared here so that Alembic's
autogenerate and `alembic check` know them (the triggers that fill them are in the migrations)."""

from sqlalchemy import BigInteger, SmallInteger, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class PatientCountSlot(Base):
    """Trigger-kept row count and change counter of `patients`, spread over 16 slots so that
    concurrent writers rarely wait on one row (migrations 0003 and 0005)."""

    __tablename__ = "patient_count_slots"

    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger)
    generation: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class DeferredIndex(Base):
    """An index of `patients` a bulk import dropped to build it once at the end; the row goes
    when it is rebuilt, so a killed import leaves the exact definition for the next run."""

    __tablename__ = "deferred_indexes"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    definition: Mapped[str] = mapped_column(Text)
