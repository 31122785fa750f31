"""Renders every failure in the one JSON error shape; nothing internal ever leaks."""

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from app.errors import DatabaseUnavailable, InvalidBody, RegistryError, field_problems

logger = logging.getLogger("app.errors")


def error_response(error: RegistryError, headers: dict[str, str] | None = None) -> Response:
    """The one shape: {"detail": ..., "errors": [{"field", "message"}]}."""
    body: dict[str, Any] = {"detail": error.detail}
    if error.problems:
        body["errors"] = [{"field": p.field, "message": p.message} for p in error.problems]
    return Response(orjson.dumps(body), error.status_code, headers, media_type="application/json")


def validation_error(exc: RequestValidationError) -> RegistryError:
    """Turn FastAPI's 422 into the contract's 400, naming each wire field."""
    items = exc.errors()
    if any(item["type"] == "json_invalid" for item in items):
        return InvalidBody("The body is not valid JSON.")
    if any(tuple(item["loc"]) == ("body",) for item in items):
        return InvalidBody("The body must be a JSON object with the patient's fields.")
    return InvalidBody(problems=field_problems(items))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; each maps one family of failures to its status."""

    @app.exception_handler(RegistryError)
    async def registry_error(_: Request, exc: RegistryError) -> Response:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> Response:
        return error_response(validation_error(exc))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> Response:
        error = RegistryError(str(exc.detail))
        error.status_code = exc.status_code
        return error_response(error, dict(exc.headers or {}))

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_down(request: Request, exc: Exception) -> Response:
        logger.warning("database unavailable: %s", type(exc).__name__)
        return error_response(DatabaseUnavailable(), {"Retry-After": "2"})

    @app.exception_handler(DBAPIError)
    @app.exception_handler(Exception)
    async def unforeseen(request: Request, exc: Exception) -> Response:
        # Only the type goes to the log: driver messages can quote patient values.
        logger.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return error_response(RegistryError())
