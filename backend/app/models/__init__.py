"""SQLAlchemy tables."""

from app.models.base import Base
from app.models.patient import Patient

__all__ = ["Base", "Patient"]
