"""The API documentation: Swagger UI from the app's own files (dist/api-docs, built with the
front end), never from a third-party CDN; open in development, admins only in production."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from app.api.deps import get_docs_reader

router = APIRouter(include_in_schema=False, dependencies=[Depends(get_docs_reader)])

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Patient Registry API</title>
<link rel="stylesheet" href="/api-docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api-docs/swagger-ui-bundle.js"></script>
<script src="/api-docs/init.js"></script>
</body>
</html>
"""


@router.get("/openapi.json")
async def openapi(request: Request) -> dict[str, Any]:
    """The OpenAPI document (app/openapi.py)."""
    document: dict[str, Any] = request.app.openapi()
    return document


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui() -> str:
    """Swagger UI; its start-up script is a file of its own (the CSP allows no inline script)."""
    return PAGE
