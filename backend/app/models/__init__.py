"""SQLAlchemy tables: the schema Alembic migrates to and `alembic check` compares with."""

from app.models.account import ApiToken, Session, SignInFailure, User
from app.models.base import Base
from app.models.bookkeeping import DeferredIndex, PatientCountSlot
from app.models.patient import Patient

__all__ = [
    "ApiToken",
    "Base",
    "DeferredIndex",
    "Patient",
    "PatientCountSlot",
    "Session",
    "SignInFailure",
    "User",
]
