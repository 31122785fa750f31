"""SQLAlchemy tables: the schema Alembic migrates to and `alembic check` compares with."""

from app.models.base import Base
from app.models.bookkeeping import DeferredIndex, PatientCountSlot
from app.models.patient import Patient

__all__ = ["Base", "DeferredIndex", "Patient", "PatientCountSlot"]
