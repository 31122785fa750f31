"""Bulk loads into a (nearly) empty table build the secondary indexes once at the end.

Maintaining three trigram GIN indexes and three sort-key indexes row by row costs ~5x the rest of
the insert; building them afterwards is PostgreSQL's documented bulk-load advice. The primary
key, the unique lower(patient_id) index and every CHECK stay in place throughout, so integrity
never depends on this. A run killed before the rebuild leaves them missing; the next run (and
`python -m app serve`) recreates them from the model before doing anything else.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import psycopg
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from app.models.patient import Patient

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = "5s"  # never queue behind a long query of the running app
BUILDERS = 2  # concurrent CREATE INDEX sessions: one per core of the target machine
# Slowest first, so the parallel builders finish together: the sort keys evaluate a function
# per row, trigram indexes come next, plain btrees are quick.
_COST = {"_key": 0, "_trgm": 1}


def model_indexes() -> dict[str, str]:
    """The secondary (non-unique) indexes of the model, name -> CREATE INDEX IF NOT EXISTS."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return {
        str(index.name): str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect))
        for index in cast(Table, Patient.__table__).indexes
        if not index.unique
    }


def _present(connection: psycopg.Connection[tuple[object, ...]]) -> dict[str, str]:
    rows = connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema() AND tablename = 'patients'"
    ).fetchall()
    return {str(name): str(definition) for name, definition in rows}


def restore_missing(conninfo: str) -> list[str]:
    """Create the model's secondary indexes that are absent (after an interrupted bulk load)."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        present = _present(connection)
    missing = {name: ddl for name, ddl in model_indexes().items() if name not in present}
    if missing:
        logger.warning("recreating %d index(es) an interrupted import left missing", len(missing))
        rebuild(conninfo, missing)
    return sorted(missing)


def drop_for_bulk_load(connection: psycopg.Connection[tuple[object, ...]]) -> dict[str, str]:
    """Drop the model's secondary indexes; returns their exact definitions for `rebuild`.
    Gives up (dropping nothing) if the table is busy."""
    present = _present(connection)
    deferred = {name: present[name] for name in model_indexes() if name in present}
    if not deferred:
        return {}
    try:
        with connection.transaction():
            connection.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            for name in deferred:
                connection.execute(f'DROP INDEX "{name}"')
    except psycopg.errors.LockNotAvailable:
        logger.info("table busy: indexes kept, loading row by row")
        return {}
    return deferred


def rebuild(conninfo: str, definitions: dict[str, str]) -> None:
    """Build each index in one pass over the table (its own transaction), two at a time."""
    ordered = sorted(definitions.items(), key=lambda item: _cost(item[0]))
    with ThreadPoolExecutor(BUILDERS, thread_name_prefix="index-builder") as pool:
        for _ in pool.map(lambda item: _build(conninfo, *item), ordered):
            pass


def _cost(name: str) -> int:
    return next((rank for suffix, rank in _COST.items() if name.endswith(suffix)), len(_COST))


def _build(conninfo: str, name: str, ddl: str) -> None:
    logger.info("building index %s", name)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '128MB'")
        connection.execute(ddl)
