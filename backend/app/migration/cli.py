"""`migrate-db-json PATH` (and backend/scripts/migrate_db_json.py): the import's command line."""

import argparse
import logging
import sys
from pathlib import Path

import psycopg
import sqlalchemy.exc

from app import db_admin
from app.config import REPO_DIR, get_settings
from app.errors import ConfigurationError
from app.migration.importer import DEFAULT_BATCH_SIZE, ImportOptions, run_import
from app.migration.report import EXIT_DATABASE, EXIT_UNREADABLE
from app.migration.source import SourceError
from app.migration.verify import run_verify

logger = logging.getLogger("app.migration")


def parser() -> argparse.ArgumentParser:
    """The options the issue names, plus --id-map and --keep-indexes."""
    cli = argparse.ArgumentParser(
        prog="migrate-db-json",
        description="Import a json-server db.json (or .json5) into the patient registry.",
        epilog="Exit status: 0 all good, 1 records rejected, 2 unreadable file or bad usage "
        "(including a database URL that is not PostgreSQL), "
        "3 verification found differences, 4 database unavailable.",
    )
    cli.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=REPO_DIR / "db.json",
        help="the json-server database file (default: the repository's db.json)",
    )
    cli.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    cli.add_argument("--rejects", type=Path, metavar="FILE", help="invalid records as JSON lines")
    cli.add_argument("--id-map", type=Path, metavar="FILE", help="legacy id -> new id, JSON lines")
    cli.add_argument(
        "--verify",
        action="store_true",
        help="after importing (or instead, with --dry-run) compare every valid record with the "
        "database field by field",
    )
    cli.add_argument("--batch-size", type=_positive, default=DEFAULT_BATCH_SIZE, metavar="N")
    cli.add_argument(
        "--database-url", metavar="URL", help="default: DATABASE_URL, else the embedded database"
    )
    cli.add_argument(
        "--allow-rejects", action="store_true", help="exit 0 even if some records were rejected"
    )
    cli.add_argument(
        "--keep-indexes",
        action="store_true",
        help="never drop and rebuild secondary indexes for a large load",
    )
    return cli


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def database_url(explicit: str | None) -> str:
    """--database-url, else the app's own choice (DATABASE_URL, or the embedded server)."""
    if explicit:
        return db_admin.libpq_url(explicit)
    settings = get_settings()
    return db_admin.database_url(settings.database_url, settings.pg_data_dir)


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (the report on stdout, logs on stderr)."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    options = ImportOptions(
        batch_size=args.batch_size,
        dry_run=args.dry_run,
        rejects=args.rejects,
        id_map=args.id_map,
        defer_indexes=not args.keep_indexes,
    )
    if not args.path.is_file():
        logger.error("no such file: %s", args.path)
        return EXIT_UNREADABLE
    try:
        conninfo = None
        if not args.dry_run or args.verify:
            try:
                conninfo = database_url(args.database_url)
            except (ValueError, ConfigurationError) as error:  # not a URL; an unsafe data folder
                logger.error("%s", error)
                return EXIT_UNREADABLE
            if not args.dry_run:  # --dry-run --verify only reads
                db_admin.upgrade_schema(conninfo)
        report = run_import(args.path, conninfo, options)
        if args.verify and conninfo is not None:
            report.verify = run_verify(args.path, conninfo, args.batch_size)
    except SourceError as error:
        logger.error("%s", error)
        return EXIT_UNREADABLE
    except (psycopg.OperationalError, sqlalchemy.exc.OperationalError) as error:
        # Driver text can quote connection details, never patient data; keep it to one line.
        logger.error("database unavailable: %s", str(error).splitlines()[0] if str(error) else "")
        return EXIT_DATABASE
    print(report.render())
    return report.exit_code(args.allow_rejects)


if __name__ == "__main__":
    sys.exit(main())
