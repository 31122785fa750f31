"""Who an audit event names and where the request came from (shared/design.md, audit).

Every request that discloses or changes patient data writes its event in the same statement or
transaction as the work (app/repositories/audit.py), so nothing is disclosed unaudited: if the
event cannot be written, the answer is not sent either.
"""

from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from app.principal import Principal

# A list answer of more rows than this records its query and row count but not every id, and
# is flagged as a bulk disclosure ("who saw this patient" includes it: app/services/audit_service).
BULK_ROWS = 1_000
# The client an event names when no request is behind it: an operator's command, the import.
COMMAND_LINE = "command line"


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in staff member behind a request, with its client address and request id."""

    principal: Principal
    client: str
    request_id: str
    # False only in a benchmark run that measures what read events cost (refused in production).
    audits_reads: bool = True

    def params(
        self, query: str | None = None, detail: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The bound values of this actor's event (the `%(event_…)s` placeholders)."""
        principal = self.principal
        return event_params(
            principal.user_id,
            principal.username,
            principal.role,
            self.client,
            self.request_id,
            query,
            detail,
        )


def event_params(
    user_id: int | None,
    username: str | None,
    role: str | None,
    client: str | None,
    request_id: str | None,
    query: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An event's bound values; `detail` must hold no patient data (counts, account ids)."""
    return {
        "event_user_id": user_id,
        "event_username": username,
        "event_role": None if role is None else str(role),
        "event_client": client,
        "event_request_id": request_id,
        "event_query": query,
        "event_detail": None if detail is None else Jsonb(detail),
    }


def params_of(actor: Actor | None, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event's values: the request's actor, or (None) the operator at the command line."""
    if actor is None:
        return event_params(None, None, None, COMMAND_LINE, None, detail=detail)
    return actor.params(detail=detail)
