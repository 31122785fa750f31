"""Bulk loads into a (nearly) empty table build the secondary indexes once at the end.

Maintaining three trigram GIN indexes and three sort-key indexes row by row costs ~5x the rest of
the insert; building them afterwards is PostgreSQL's documented bulk-load advice. The primary
key, the unique lower(patient_id) index and every CHECK stay in place throughout, so integrity
never depends on this. Each dropped index's exact definition is recorded in `deferred_indexes`
in the same transaction as the DROP and removed once it is rebuilt, so a run killed in between
leaves the definitions behind, and the next run (or `python -m app serve`) rebuilds them.
"""

import logging
from concurrent.futures import ThreadPoolExecutor

import psycopg

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = "5s"  # never queue behind a long query of the running app
BUILDERS = 2  # concurrent CREATE INDEX sessions: one per core of the target machine
# Slowest first, so the parallel builders finish together: the sort keys evaluate a function
# per row, trigram indexes come next, plain btrees are quick.
_COST = {"_key": 0, "_trgm": 1}
SECONDARY = """
SELECT c.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'patients'::regclass AND NOT i.indisunique AND NOT i.indisprimary
"""


def rebuild_deferred(conninfo: str) -> list[str]:
    """Build the indexes an interrupted bulk load left recorded in `deferred_indexes`."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        rows = connection.execute("SELECT name, definition FROM deferred_indexes").fetchall()
    deferred = {str(name): str(definition) for name, definition in rows}
    if deferred:
        logger.warning("rebuilding %d index(es) an interrupted import left missing", len(deferred))
        rebuild(conninfo, deferred)
    return sorted(deferred)


def drop_for_bulk_load(connection: psycopg.Connection[tuple[object, ...]]) -> dict[str, str]:
    """Drop the secondary indexes, recording them; returns their definitions for `rebuild`.
    Gives up (dropping nothing) if the table is busy."""
    try:
        with connection.transaction():
            connection.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            rows = connection.execute(SECONDARY).fetchall()
            deferred = {str(name): str(definition) for name, definition in rows}
            for name, definition in deferred.items():
                connection.execute(
                    "INSERT INTO deferred_indexes (name, definition) VALUES (%s, %s)",
                    (name, definition),
                )
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


def _build(conninfo: str, name: str, definition: str) -> None:
    logger.info("building index %s", name)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '128MB'")
        with connection.transaction():
            exists = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
            if not (exists and exists[0]):
                connection.execute(definition)
            connection.execute("DELETE FROM deferred_indexes WHERE name = %s", (name,))
