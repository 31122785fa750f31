"""The OpenAPI document as clients see the API: no 422 (the contract says 400), and the
answers every operation can give (413, 415, 500) documented once here rather than per route."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
BODY_METHODS = ("post", "put", "patch")
COMMON = {
    "500": "Unforeseen failure; the body never contains internals",
}
WITH_BODY = {
    "413": "Body larger than MAX_BODY_BYTES",
    "415": "Body not sent as application/json",
}


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` with a builder that post-processes FastAPI's document once."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for operations in schema["paths"].values():
                for method, operation in operations.items():
                    _document_errors(method, operation["responses"])
            for unused in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def _document_errors(method: str, responses: dict[str, Any]) -> None:
    responses.pop("422", None)
    extra = COMMON | (WITH_BODY if method in BODY_METHODS else {})
    for status, description in extra.items():
        responses.setdefault(status, {"description": description, "content": ERROR_REF})
