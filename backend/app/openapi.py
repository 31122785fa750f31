"""The OpenAPI document as clients see the API: no 422 (the contract says 400), and the
answers every operation can give (413, 415, 500) documented once here rather than per route."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
BODY_METHODS = ("post", "put", "patch")
COMMON = {
    "400": "Invalid request: body, query, or a Host header not in ALLOWED_HOSTS",
    "500": "Unforeseen failure; the body never contains internals",
}
WITH_BODY = {
    "413": "Body larger than MAX_BODY_BYTES",
    "415": "Body not sent as application/json",
}
SIGNED_IN = {
    "401": "Not signed in: no valid session cookie or bearer token",
    "403": "The role (or a pending password change) does not allow this",
}
OPEN = ("/health", "/auth/login", "/auth/logout")  # answered without sign-in
THROTTLED = {"429": "Too many failed sign-ins; see Retry-After"}
# Swagger UI's "Authorize": a personal token; the browser's session cookie works as well.
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token"},
    "session": {"type": "apiKey", "in": "cookie", "name": "registry_session"},
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
            for path, operations in schema["paths"].items():
                for method, operation in operations.items():
                    _document_errors(path, method, operation["responses"])
                    if path not in OPEN:
                        operation["security"] = [{"bearer": []}, {"session": []}]
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            for unused in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def _document_errors(path: str, method: str, responses: dict[str, Any]) -> None:
    responses.pop("422", None)
    extra = COMMON | (WITH_BODY if method in BODY_METHODS else {})
    if path == "/auth/login":
        extra |= {"401": "Wrong username or password", "403": "Sent from another site"}
        extra |= THROTTLED
    elif path == "/auth/logout":
        extra |= {"403": "Sent from another site"}
    elif path not in OPEN:
        extra |= SIGNED_IN
    for status, description in extra.items():
        responses.setdefault(status, {"description": description, "content": ERROR_REF})
