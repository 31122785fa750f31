"""What a role is shown of a patient: the response model's shape, minus the fields the role may
never receive (a receptionist: `medicalCondition`). Routes pass every answer through `shown`.

For the roles that see everything the answer goes back untouched, to the route's response
model (the fast path); for the others it is rendered here with the same model, fields excluded.
"""

from typing import TypeVar

from fastapi import Response
from pydantic import TypeAdapter

from app.principal import Principal
from app.repositories.duplicates import Match
from app.repositories.patients import PatientRecord
from app.schemas.duplicate import MatchRead
from app.schemas.patient import PageEnvelope, PatientRead

PATIENT = TypeAdapter(PatientRead)
PATIENTS = TypeAdapter(list[PatientRead])
MATCHES = TypeAdapter(list[MatchRead])

Content = TypeVar("Content", PatientRecord, list[PatientRecord], PageEnvelope)


def shown(viewer: Principal, content: Content, response: Response) -> Content | Response:
    """`content` (a record, a list of records or a page envelope) as `viewer` may see it; the
    headers already set on `response` (ETag, X-Total-Count) are kept."""
    hidden = set(viewer.role.hidden_columns)
    if not hidden:
        return content
    if isinstance(content, PatientRecord):
        body = PATIENT.dump_json(
            PATIENT.validate_python(content, from_attributes=True), by_alias=True, exclude=hidden
        )
    elif isinstance(content, PageEnvelope):
        body = content.model_dump_json(
            by_alias=True, exclude={"data": {"__all__": hidden}}
        ).encode()
    else:
        rows = PATIENTS.validate_python(content, from_attributes=True)
        body = PATIENTS.dump_json(rows, by_alias=True, exclude={"__all__": hidden})
    status = response.status_code or 200  # a route answering 201 sets it first
    return Response(body, status, dict(response.headers), media_type="application/json")


def shown_matches(viewer: Principal, matches: list[Match]) -> list[Match] | Response:
    """A match answer as `viewer` may see its patients."""
    hidden = set(viewer.role.hidden_columns)
    if not hidden:
        return matches
    rows = MATCHES.validate_python(matches, from_attributes=True)
    body = MATCHES.dump_json(rows, by_alias=True, exclude={"__all__": {"patient": hidden}})
    return Response(body, media_type="application/json")
