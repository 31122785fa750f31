"""Errors as types: each carries its HTTP status and renders in the one JSON error shape."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Pydantic's error types, said in the plain words staff see next to a field.
MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "literal_error": "must be one of Male, Female, Other",
}


@dataclass
class FieldProblem:
    """One failing field or query parameter and why, in plain words."""

    field: str
    message: str


class RegistryError(Exception):
    """Base of every error the API answers on purpose."""

    status_code = 500
    detail = "Something went wrong on our side."
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None, problems: list[FieldProblem] | None = None):
        super().__init__(detail or self.detail)
        self.detail = detail or self.detail
        self.problems = problems or []


class InvalidBody(RegistryError):
    """The request body breaks the clinic's rules."""

    status_code = 400
    detail = "The patient record is not valid."


class InvalidQuery(RegistryError):
    """A query parameter that the json-server query language does not have, or a bad value."""

    status_code = 400
    detail = "The query is not valid."

    def __init__(self, parameter: str, message: str):
        super().__init__(
            f"Invalid query parameter {parameter!r}: {message}.", [FieldProblem(parameter, message)]
        )


class InvalidHeader(RegistryError):
    """A request header of ours with a value it cannot have."""

    status_code = 400
    detail = "A request header is not valid."

    def __init__(self, header: str, message: str):
        super().__init__(f"Invalid header {header}: {message}.", [FieldProblem(header, message)])


class PatientNotFound(RegistryError):
    """No patient has this id."""

    status_code = 404
    detail = "No patient with this id."


class DuplicatePatientID(RegistryError):
    """Another patient already has this patientID (ignoring case)."""

    status_code = 409
    detail = "A patient with this patient ID already exists."

    def __init__(self, deleted: bool = False) -> None:
        if deleted:  # its patientID stays reserved until an admin purges it
            message = "belongs to a deleted record; an admin can restore it"
            super().__init__(f"This patientID {message}.", [FieldProblem("patientID", message)])
        else:
            super().__init__(
                problems=[FieldProblem("patientID", "is already used by another patient")]
            )


class NotSignedIn(RegistryError):
    """No valid session or token: signed out, expired, revoked, or never signed in."""

    status_code = 401
    detail = "Sign in to continue."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": 'Bearer realm="patient-registry"'}


class WrongCredentials(NotSignedIn):
    """One answer for an unknown username and a wrong password alike."""

    detail = "Wrong username or password."


class Forbidden(RegistryError):
    """Signed in, but the role (or a pending password change) does not allow this."""

    status_code = 403
    detail = "Your role does not allow this."


class TooManySignIns(RegistryError):
    """Too many failed sign-ins for this username or from this address; wait and retry."""

    status_code = 429

    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, -(-retry_after_s // 60))
        super().__init__(
            f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes > 1)}."
        )
        self.headers = {"Retry-After": str(retry_after_s)}


class UserNotFound(RegistryError):
    """No staff account (or no token of the signed-in user) has this id."""

    status_code = 404
    detail = "No such account."


class TokenNotFound(UserNotFound):
    """No token of the signed-in user has this id."""

    detail = "No such token."


class UsernameTaken(RegistryError):
    """Another account already has this username (ignoring case)."""

    status_code = 409
    detail = "An account with this username already exists."

    def __init__(self) -> None:
        super().__init__(problems=[FieldProblem("username", "is already used by another account")])


class LastAdmin(RegistryError):
    """The change would leave the registry without an active admin."""

    status_code = 409
    detail = "At least one active admin account must remain."


class PreconditionFailed(RegistryError):
    """If-Match named a version of the record that is no longer the current one."""

    status_code = 412
    detail = "The patient was changed by someone else since you read it; reload it and try again."


class PayloadTooLarge(RegistryError):
    """The body is larger than MAX_BODY_BYTES."""

    status_code = 413
    detail = "The request body is too large."


class UnsupportedMediaType(RegistryError):
    """A body that is not declared as JSON."""

    status_code = 415
    detail = "The request body must be JSON (Content-Type: application/json)."


class DatabaseUnavailable(RegistryError):
    """PostgreSQL cannot be reached right now; the client may retry."""

    status_code = 503
    detail = "The database is unavailable right now; please try again shortly."


class ConfigurationError(Exception):
    """A setting that makes the service unable or unsafe to start; the text says which."""


def field_problems(items: Iterable[Any]) -> list[FieldProblem]:
    """Pydantic error dicts -> problems named by the wire field (the last part of `loc`)."""
    return [
        FieldProblem(
            str(item["loc"][-1]),
            MESSAGES.get(item["type"], item["msg"].removeprefix("Value error, ")),
        )
        for item in items
        if item["loc"]
    ]
