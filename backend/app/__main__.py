"""`python -m app serve`: the product in one process tree, in explicit steps.

1. settings; 2. the database: DATABASE_URL, or the embedded PostgreSQL started here;
3. the schema brought to head (Alembic); 4. the sample db.json imported into an empty registry;
5. uvicorn serving API + front end (its workers get the URL from step 2).
"""

import argparse
import logging
import os
import signal
import sys

import psycopg
import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from app import db_admin
from app.config import Settings, get_settings
from app.logging_config import configure_logging
from app.migration.first_start import import_sample_if_empty

logger = logging.getLogger("app.serve")


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
    url = db_admin.database_url(settings.database_url, settings.pg_data_dir)
    # The app (in this process, or in workers that inherit the environment) reads the URL from
    # its settings, so only this process owns the embedded server.
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    # A server that accepts connections but never answers must not hang the start-up.
    setup_url = db_admin.with_connect_timeout(url, settings.db_connect_timeout)
    try:
        db_admin.upgrade_schema(setup_url)
        if not args.no_import:
            import_sample_if_empty(setup_url, settings.sample_data)
    except (OperationalError, psycopg.OperationalError):
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
    """The production server settings, shared with the benchmark's yardsticks."""
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
