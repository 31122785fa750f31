"""Who is asking, and what their role lets them do: the one place the roles are defined."""

from dataclasses import dataclass
from enum import StrEnum

from app.schemas.patient import FIELDS

CONDITION_ONLY = frozenset({"medicalCondition"})


class Role(StrEnum):
    """A staff member's role (shared/design.md, identity and access)."""

    ADMIN = "admin"  # everything, plus staff accounts and the API documentation in production
    CLINICIAN = "clinician"  # patients: create, read, update, delete
    RECEPTIONIST = "receptionist"  # register, find, read and edit demographics only

    @property
    def sees_conditions(self) -> bool:
        """Whether `medicalCondition` may be disclosed to (or written by) this role."""
        return self is not Role.RECEPTIONIST

    @property
    def hidden_fields(self) -> frozenset[str]:
        """Wire fields this role never receives, so may not filter, sort or search by."""
        return frozenset() if self.sees_conditions else CONDITION_ONLY

    @property
    def hidden_columns(self) -> frozenset[str]:
        """The same as `hidden_fields`, named as PatientRead's attributes (table columns)."""
        return frozenset(FIELDS[wire] for wire in self.hidden_fields)

    @property
    def reviews_duplicates(self) -> bool:
        """Whether this role sees the registry's possible-duplicate pairs (and may mark one
        as two people); merging them is an admin's."""
        return self is not Role.RECEPTIONIST

    @property
    def deletes_patients(self) -> bool:
        """Whether this role may delete a patient."""
        return self is not Role.RECEPTIONIST


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in staff member a request acts for (`user_id` None: OPEN_ACCESS mode)."""

    user_id: int | None
    username: str
    role: Role
    must_change_password: bool = False
    session_secret: str | None = None  # set when signed in through the browser session


# OPEN_ACCESS=true (local json-server-era clients only): patient routes act as a clinician.
OPEN_ACCESS = Principal(user_id=None, username="open-access", role=Role.CLINICIAN)
