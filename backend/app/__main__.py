"""`python -m app serve`: the product in one process tree.

Starts the embedded PostgreSQL when DATABASE_URL is unset, upgrades the schema, imports the
sample db.json on first start, then serves API + front end with uvicorn.
"""

import argparse
import logging
import os
import signal
import sys

import uvicorn
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from alembic import command
from app.config import BACKEND_DIR, Settings, get_settings
from app.database import resolve_database_url
from app.logging_config import configure_logging
from app.migration.first_start import import_sample_if_empty

logger = logging.getLogger("app.serve")


def upgrade_schema(url: str) -> None:
    """`alembic upgrade head` against `url`; the app never calls create_all."""
    config = Config(str(BACKEND_DIR / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def load_settings() -> Settings:
    """Settings, or one plain line naming what is wrong and exit status 2."""
    try:
        return get_settings()
    except ValidationError as error:
        problems = "; ".join(
            item["msg"].removeprefix("Value error, ") for item in error.errors(include_url=False)
        )
        sys.exit(f"Configuration error: {problems}")


def serve(args: argparse.Namespace) -> None:
    """Database ready, then uvicorn; the embedded server (if any) stops when this returns."""
    settings = load_settings()
    configure_logging(settings)
    url = resolve_database_url(settings).render_as_string(hide_password=False)
    # Workers inherit the URL, so only this process owns the embedded server.
    os.environ["DATABASE_URL"] = url
    # A server that accepts connections but never answers must not hang the start-up.
    bounded = make_url(url).update_query_dict({"connect_timeout": str(settings.db_connect_timeout)})
    setup_url = bounded.render_as_string(hide_password=False)
    try:
        upgrade_schema(setup_url)
        if not args.no_import:
            import_sample_if_empty(setup_url, settings.sample_data)
    except OperationalError:
        # Serve anyway: requests answer 503 and /health tells until the database is back.
        logger.error(
            "database unreachable at start-up: schema upgrade and sample import skipped "
            "(they run on the next start); serving 503 until the database answers"
        )
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler that kills
    # the process before atexit stops the embedded PostgreSQL. Exiting normally lets it run.
    signal.signal(signal.SIGTERM, _exit_normally)
    run_uvicorn(
        "app.main:create_app", args.host, int(os.environ.get("PORT", args.port)), args.workers
    )


def _exit_normally(signum: int, frame: object) -> None:
    raise SystemExit(0)


def run_uvicorn(factory: str, host: str, port: int, workers: int) -> None:
    """The production server settings, shared with the benchmark's hello-world ceiling."""
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,  # uvicorn's loggers propagate to app.logging_config's handler
        timeout_graceful_shutdown=10,
    )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (also installed as `patient-registry`)."""
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="run the API and the front end")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--no-import", action="store_true", help="skip the sample db.json import")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "serve":
        serve(args)


if __name__ == "__main__":
    main(sys.argv[1:])
