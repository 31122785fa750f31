"""Every failure becomes the one JSON error shape here; nothing internal ever leaks.

Errors the app raises on purpose carry their status (app/errors.py); a database that cannot be
reached is a 503; anything else reaches `RequestLogMiddleware`, which answers it with
`unforeseen` below, the one 500.
"""

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from psycopg import OperationalError
from psycopg_pool import PoolTimeout
from starlette.exceptions import HTTPException

from app.errors import DatabaseUnavailable, InvalidBody, RegistryError, field_problems

logger = logging.getLogger("app.errors")


def error_response(error: RegistryError, headers: dict[str, str] | None = None) -> Response:
    """The one shape: {"detail": ..., "errors": [{"field", "message"}]}."""
    body: dict[str, Any] = {"detail": error.detail}
    if error.problems:
        body["errors"] = [{"field": p.field, "message": p.message} for p in error.problems]
    headers = (error.headers or {}) | (headers or {})
    return Response(orjson.dumps(body), error.status_code, headers, media_type="application/json")


def unforeseen(exc: BaseException) -> Response:
    """The 500 for anything not foreseen: logged by type only (driver messages can quote
    patient values), answered without any detail."""
    logger.error("unhandled %s", type(exc).__name__)
    return error_response(RegistryError())


def validation_error(exc: RequestValidationError, patients: bool = True) -> RegistryError:
    """Turn FastAPI's 422 into the contract's 400, naming each wire field."""
    items = exc.errors()
    if any(item["type"] == "json_invalid" for item in items):
        return InvalidBody("The body is not valid JSON.")
    if any(tuple(item["loc"]) == ("body",) for item in items):
        fields = "the patient's fields" if patients else "the documented fields"
        return InvalidBody(f"The body must be a JSON object with {fields}.")
    return InvalidBody(None if patients else "The request is not valid.", field_problems(items))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; each maps one family of failures to its status."""

    @app.exception_handler(RegistryError)
    async def registry_error(_: Request, exc: RegistryError) -> Response:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> Response:
        patients = request.url.path.startswith("/patients")  # else an account or sign-in
        return error_response(validation_error(exc, patients))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> Response:
        error = RegistryError(str(exc.detail))
        error.status_code = exc.status_code
        return error_response(error, dict(exc.headers or {}))

    # A refused or lost connection, a statement timeout, or no pooled connection in time.
    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_down(_: Request, exc: Exception) -> Response:
        logger.warning("database unavailable: %s", type(exc).__name__)
        return error_response(DatabaseUnavailable(), {"Retry-After": "2"})
