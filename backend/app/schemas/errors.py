"""The one JSON error shape every failure is rendered in."""

from pydantic import BaseModel


class FieldError(BaseModel):
    """One failing field, named as on the wire (camelCase) or as the query parameter."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """`{"detail": "...", "errors": [...]}`; `errors` only when fields are at fault."""

    detail: str
    errors: list[FieldError] | None = None
