"""Wire shapes of the audit trail, a patient's history and deleted patients."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from app.schemas.page import Page
from app.schemas.patient import PatientRead

ANSWER = ConfigDict(alias_generator=to_camel, validate_by_name=True, from_attributes=True)
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class FieldChange(BaseModel):
    """A field's value before a change (None: the patient did not exist) and after it."""

    model_config = ConfigDict(validate_by_name=True, from_attributes=True)

    before: Any = Field(serialization_alias="from")
    after: Any = Field(serialization_alias="to")


class HistoryEntry(BaseModel):
    """One version of a patient: who made it, when, how, and the fields it changed."""

    model_config = ANSWER

    version: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    changes: dict[str, FieldChange]


class AuditEventRead(BaseModel):
    """One audit event as the admin's views show it. `patientIds` is null for a bulk
    disclosure (a list of over 1,000 rows), which `rowCount` then counts."""

    model_config = ANSWER

    id: int
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    client: str | None
    request_id: str | None
    action: str
    outcome: int
    patient_ids: list[int] | None
    row_count: int | None
    bulk: bool
    query: str | None
    detail: dict[str, Any] | None


class DeletedPatientRead(PatientRead):
    """A deleted patient: the record, and when, by whom and why it was deleted."""

    deleted_at: datetime
    deleted_by: str | None
    delete_reason: str | None
    merged_into: int | None = Field(
        description="The id of the patient this record was merged into (null: a deletion)"
    )


class DeleteBody(BaseModel):
    """Why a patient is deleted (optional; json-server clients send no body)."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = None


class PurgeBody(BaseModel):
    """Why a deleted patient is removed for good (required). Say why, not who the patient
    was: the reason is kept in the audit trail after the patient is gone."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason


class AuditPage(Page[AuditEventRead]):
    """A page of audit events, newest first."""


class DeletedPage(Page[DeletedPatientRead]):
    """A page of deleted patients, latest deletion first."""
