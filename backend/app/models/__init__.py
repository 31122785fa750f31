"""SQLAlchemy tables: the schema Alembic migrates to and `alembic check` compares with."""

from app.models.account import ApiToken, Session, SignInFailure, User
from app.models.audit import AuditEvent, AuditSeal, PatientVersion
from app.models.base import Base
from app.models.bookkeeping import DeferredIndex, PatientCountSlot
from app.models.duplicate import DistinctPatients, DuplicatePair, DuplicateQueue
from app.models.patient import Patient

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuditSeal",
    "Base",
    "DeferredIndex",
    "DistinctPatients",
    "DuplicatePair",
    "DuplicateQueue",
    "Patient",
    "PatientCountSlot",
    "PatientVersion",
    "Session",
    "SignInFailure",
    "User",
]
