"""The service's Prometheus metrics (`GET /metrics`): every metric is defined here, with
prometheus_client, and `exposition` renders them for one scrape.

Two kinds:
- kept as things happen, in each process: requests (observed by `RequestLogMiddleware`), failed
  sign-ins (`auth_service.sign_in`) and the connection pool's gauges (refreshed every
  POOL_REFRESH_S by `keep_pool_gauges_current`, and again at each scrape);
- measured at the scrape, by the process that answers it: the database's round trip and
  whether it answers, and the age of the newest backup.

Several workers (`python -m app serve --workers 2`): `serve` gives them a private
PROMETHEUS_MULTIPROC_DIR, where prometheus_client's multiprocess mode keeps every process's
values in files, and a scrape adds them up whichever worker answers it (MultiProcessCollector).
Without it each scrape would show one worker's own counts, and counters would jump between
scrapes. Names and meanings: README, "Monitoring".
"""

import asyncio
import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from app.backup.manifest import newest_backup_age_s
from app.config import Settings
from app.database import Database
from app.services import health_service

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# The classic text format. prometheus_client 0.26's CONTENT_TYPE_LATEST says version=1.0.0,
# which only matters for names outside [a-zA-Z0-9_:]; ours are all plain.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
POOL_REFRESH_S = 5.0
# From 1 ms (a record from the pool) to 10 s (past the statement timeout).
LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

# This process's metrics: read from here by a scrape in one process, or from every process's
# files in multiprocess mode. Not prometheus_client's global REGISTRY, so a scrape shows the
# same names in both modes (no process_* or python_* metrics of one worker only).
METRICS = CollectorRegistry()

REQUEST_DURATION = Histogram(
    "registry_http_request_duration_seconds",
    "Time to answer a request, by method, route template and status; _count counts requests.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS_S,
    registry=METRICS,
)
SIGN_IN_FAILURES = Counter(
    "registry_sign_in_failures",
    "Failed sign-ins: wrong username or password (reason=wrong_credentials), or refused "
    "while the username or address is locked out (reason=locked_out, a 429).",
    ["reason"],
    registry=METRICS,
)
POOL_CONNECTIONS = Gauge(
    "registry_db_pool_connections",
    "Database connections of the pool: in_use (lent to a request, or opening) or idle.",
    ["state"],
    multiprocess_mode="livesum",  # every running worker's pool, added up
    registry=METRICS,
)
POOL_WAITING = Gauge(
    "registry_db_pool_requests_waiting",
    "Requests waiting for a database connection from the pool.",
    multiprocess_mode="livesum",
    registry=METRICS,
)
# Both series exist, at 0, from the start: rate() and increase() need a first sample.
for _reason in ("wrong_credentials", "locked_out"):
    SIGN_IN_FAILURES.labels(_reason)


def share_between_workers() -> Path:
    """Put the workers this process will start in multiprocess mode: a fresh private folder
    (0700, removed at exit) in PROMETHEUS_MULTIPROC_DIR, which spawned workers inherit. Fresh,
    because the files of an earlier run would be added to this run's values."""
    folder = tempfile.mkdtemp(prefix="registry-metrics-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ[MULTIPROCESS_DIR] = folder
    return Path(folder)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request. `route` is the route's template (`/patients/{id}`), never
    the raw path or query string, which can carry a patient's name."""
    REQUEST_DURATION.labels(method, route, str(status)).observe(seconds)


def sign_in_failed(reason: str) -> None:
    """Count one failed sign-in: "wrong_credentials" or "locked_out"."""
    SIGN_IN_FAILURES.labels(reason).inc()


def refresh_pool_gauges(database: Database) -> None:
    """Set the pool gauges from psycopg_pool's own counts (in use = size - available)."""
    stats = database.pool.get_stats()
    size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
    POOL_CONNECTIONS.labels("in_use").set(size - available)
    POOL_CONNECTIONS.labels("idle").set(available)
    POOL_WAITING.set(stats.get("requests_waiting", 0))


async def keep_pool_gauges_current(database: Database, interval_s: float = POOL_REFRESH_S) -> None:
    """Refresh this process's pool gauges until cancelled (the app's lifespan): with several
    workers a scrape reads every worker's gauges from its files, so each keeps its own current.
    When the app stops, this process's gauges leave the sums."""
    try:
        while True:
            refresh_pool_gauges(database)
            await asyncio.sleep(interval_s)
    finally:
        if folder := os.environ.get(MULTIPROCESS_DIR):
            mark_process_dead(os.getpid(), folder)  # type: ignore[no-untyped-call]


class ScrapeTimeValues:
    """What is measured for one scrape by the process answering it, so each appears once
    however many workers run. Without a value (database down, no backup) a metric has no
    sample: absent() alerts on it, where a NaN would compare false with any threshold."""

    def __init__(self, roundtrip_s: float | None, backup_age_s: float | None) -> None:
        self.roundtrip_s = roundtrip_s
        self.backup_age_s = backup_age_s

    def collect(self) -> Iterator[Metric]:
        """The three gauge families (round trip and backup age possibly without a sample)."""
        yield GaugeMetricFamily(
            "registry_database_up",
            "1 when a SELECT 1 answered within HEALTH_TIMEOUT_S at this scrape, else 0.",
            value=1.0 if self.roundtrip_s is not None else 0.0,
        )
        yield _gauge(
            "registry_database_roundtrip_seconds",
            "Time of a SELECT 1 at this scrape; no sample while the database is down.",
            self.roundtrip_s,
        )
        yield _gauge(
            "registry_backup_age_seconds",
            "Seconds since the newest backup in BACKUP_DIR was made; no sample without one.",
            self.backup_age_s,
        )


def _gauge(name: str, documentation: str, value: float | None) -> GaugeMetricFamily:
    """A gauge family with one sample, or none when there is no value."""
    family = GaugeMetricFamily(name, documentation)
    if value is not None:
        family.add_metric([], value)
    return family


async def exposition(database: Database, settings: Settings) -> bytes:
    """The text a scrape answers: this process's metrics (or, with several workers, every
    worker's added up) and the values measured now."""
    refresh_pool_gauges(database)
    roundtrip_s = await health_service.roundtrip_s(database, settings.health_timeout_s)
    backup_age_s = await asyncio.to_thread(newest_backup_age_s, settings.backup_dir)
    registry = CollectorRegistry()
    if folder := os.environ.get(MULTIPROCESS_DIR):
        # prometheus_client.multiprocess has no annotations: hence the narrow ignores.
        MultiProcessCollector(registry, folder)  # type: ignore[no-untyped-call]
    else:
        registry.register(METRICS)
    registry.register(ScrapeTimeValues(roundtrip_s, backup_age_s))
    return generate_latest(registry)
