"""Builds the FastAPI application: routers, error rendering, CORS and the static front end."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from app.api.routes import patients
from app.config import VERSION, Settings, get_settings
from app.database import Database, resolve_database_url
from app.error_handlers import install_error_handlers

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """One app per settings; tests build their own against their own database."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = Database.connect(resolve_database_url(settings), settings)
        try:
            yield
        finally:
            await app.state.database.engine.dispose()

    app = FastAPI(
        title="Patient Registry",
        version=VERSION,
        description="json-server compatible patient registry on PostgreSQL.",
        lifespan=lifespan,
        debug=False,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "If-Match", "X-Request-ID"],
        expose_headers=["X-Total-Count", "ETag", "X-Request-ID", "Location"],
    )
    app.include_router(patients.router)
    if (settings.frontend_dist / "index.html").is_file():
        app.mount("/", StaticFiles(directory=settings.frontend_dist, html=True), name="frontend")
    return app
