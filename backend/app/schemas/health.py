"""The answer of GET /health."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema


class HealthReport(BaseModel):
    """Whether the service can do its job right now: it can if the database answers. Degraded:
    it can, but the last backup into BACKUP_DIR failed (still 200: serving is unaffected)."""

    status: Literal["ok", "degraded", "unavailable"]
    database: Literal["reachable", "unreachable"]
    timestamp: datetime
    # Omitted (not null) for anyone but a signed-in admin: a release number tells an attacker
    # which known flaws to try. SkipJsonSchema keeps `null` out of the documented type.
    version: str | SkipJsonSchema[None] = Field(
        default=None,
        description="The running release; only for a signed-in admin, omitted for anyone else.",
    )
    # The last backup attempt into BACKUP_DIR (app/backup/schedule.py); omitted if none.
    backup: Literal["ok", "failed"] | SkipJsonSchema[None] = Field(
        default=None, description="Whether the last backup worked; omitted if none was made."
    )
