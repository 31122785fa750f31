"""Builds the FastAPI application: routers, error rendering, CORS and the static front end."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from app import audit_chain
from app.api.deps import REGISTERED_DESPITE
from app.api.routes import (
    audit,
    auth,
    deleted_patients,
    docs,
    duplicates,
    health,
    metrics,
    patients,
    users,
)
from app.api.routes.duplicates import PENDING_HEADER
from app.api.whole_list import WholeList
from app.config import VERSION, Settings, get_settings
from app.database import Database
from app.db_admin import libpq_url
from app.error_handlers import install_error_handlers
from app.errors import ConfigurationError
from app.logging_config import configure_logging, install_request_id_factory
from app.metrics import keep_pool_gauges_current
from app.middleware import BodyGuardMiddleware, RequestLogMiddleware, SecurityMiddleware
from app.openapi import install_openapi
from app.principal import Role
from app.services import duplicate_service
from app.services.health_service import watch_until_reachable

logger = logging.getLogger(__name__)
# Every API route's module, in the order they are matched.
ROUTERS = (health, auth, users, patients, duplicates, deleted_patients, audit, docs, metrics)


def create_app(settings: Settings | None = None) -> FastAPI:
    """One app per settings; tests build their own against their own database.

    Without `settings` this is the server's factory (uvicorn, each worker): it also installs
    the log handler, which tests leave to pytest.
    """
    serving = settings is None
    if settings is None:
        settings = get_settings()
        configure_logging(settings)
    if not settings.database_url:
        # `python -m app serve` starts the embedded server first and passes its URL on.
        raise ConfigurationError("DATABASE_URL is unset: start the app with `python -m app serve`")
    url = libpq_url(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Nothing waits for a connection: the app starts (and answers 503) with the DB down.
        app.state.database = Database(url, settings)
        await app.state.database.open()
        watch = asyncio.create_task(
            watch_until_reachable(app.state.database, settings.health_timeout_s)
        )
        sealer = asyncio.create_task(
            audit_chain.keep_sealing(app.state.database, settings.audit_seal_interval_s)
        )
        checker = asyncio.create_task(
            duplicate_service.keep_checking(app.state.database, settings.duplicate_check_interval_s)
        )
        # This worker's pool gauges, current for a scrape answered by any worker (app/metrics.py).
        pool_gauges = asyncio.create_task(keep_pool_gauges_current(app.state.database))
        if serving:
            # Start-up's ~100,000 objects out of the collector's reach: otherwise every full
            # collection scans them (p99 of one record 81 ms -> 14 ms, docs/benchmarks.md).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            for task in (watch, sealer, checker, pool_gauges):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await audit_chain.seal_on_shutdown(app.state.database)
            await app.state.database.close()

    app = FastAPI(
        title="Patient Registry",
        version=VERSION,
        description="json-server compatible patient registry on PostgreSQL.",
        lifespan=lifespan,
        debug=False,
        # Served by api/routes/docs.py instead: own assets, admins only in production.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    # One full-list rendering per set of hidden columns (api.deps.get_whole_list).
    app.state.whole_lists = {role.hidden_columns: WholeList(role.hidden_columns) for role in Role}
    install_request_id_factory()
    install_error_handlers(app)
    install_openapi(app)
    # Added innermost first: request log -> security -> CORS -> body guard -> routes.
    app.add_middleware(BodyGuardMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,  # the session cookie, from the origins listed only
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "X-Request-ID",
            REGISTERED_DESPITE,
        ],
        expose_headers=[
            "X-Total-Count",
            "ETag",
            "X-Request-ID",
            "Location",
            "Retry-After",
            PENDING_HEADER,
        ],
    )
    app.add_middleware(
        SecurityMiddleware,
        allowed_hosts=settings.allowed_hosts,
        hsts=settings.production,
        open_access=settings.open_access,
    )
    app.add_middleware(RequestLogMiddleware)
    for module in ROUTERS:
        app.include_router(module.router)
    if (settings.frontend_dist / "index.html").is_file():
        app.mount("/", StaticFiles(directory=settings.frontend_dist, html=True), name="frontend")
    return app
