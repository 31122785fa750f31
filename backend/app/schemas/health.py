"""The answer of GET /health."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema


class HealthReport(BaseModel):
    """Whether the service can do its job right now: it can if the database answers."""

    status: Literal["ok", "unavailable"]
    database: Literal["reachable", "unreachable"]
    timestamp: datetime
    # Omitted (not null) for anyone but a signed-in admin: a release number tells an attacker
    # which known flaws to try. SkipJsonSchema keeps `null` out of the documented type.
    version: str | SkipJsonSchema[None] = Field(
        default=None,
        description="The running release; only for a signed-in admin, omitted for anyone else.",
    )
