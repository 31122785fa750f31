"""The answer of GET /health."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class HealthReport(BaseModel):
    """Whether the service can do its job right now: it can if the database answers."""

    status: Literal["ok", "unavailable"]
    database: Literal["reachable", "unreachable"]
    timestamp: datetime
    version: str
