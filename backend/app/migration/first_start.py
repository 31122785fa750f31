"""The sample data `make run` loads into an empty database, through the migration importer."""

import logging
from pathlib import Path

import psycopg

from app.db_admin import libpq_url
from app.migration.importer import ImportOptions, run_import
from app.migration.indexes import rebuild_deferred
from app.migration.source import SourceError

logger = logging.getLogger(__name__)


def import_sample_if_empty(url: str, path: Path) -> int:
    """Import `path` once: only while the table is empty, so patients deleted later stay
    deleted. Also rebuilds indexes a killed bulk import left missing. Returns rows inserted."""
    conninfo = libpq_url(url)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        row = connection.execute("SELECT EXISTS (SELECT FROM patients)").fetchone()
    if (row and row[0]) or not path.is_file():
        rebuild_deferred(conninfo)  # an import does this itself first
        return 0
    try:
        report = run_import(path, conninfo, ImportOptions(quiet=True))
    except SourceError as error:  # the service still starts, with an empty registry
        logger.error("sample data not imported: %s", error)
        return 0
    for line in report.render().splitlines():
        logger.info("sample import %s", line.strip())
    return report.inserted
