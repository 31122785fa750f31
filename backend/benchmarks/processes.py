"""Starting, probing and stopping the servers under test, and reading their memory."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent
REPO = BACKEND.parent
JSON_SERVER_1 = REPO / "node_modules" / "json-server" / "lib" / "bin.js"
BENCH_DIR = BACKEND / ".data" / "bench"
JSON_SERVER_017_PREFIX = BENCH_DIR / "jsonserver-0.17"
JSON_SERVER_017 = JSON_SERVER_017_PREFIX / "node_modules" / "json-server" / "lib" / "cli" / "bin.js"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server: its root process and the base URL it answers on."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    started_in: float = 0.0

    def rss_bytes(self) -> int:
        """VmRSS summed over the server's process tree (uvicorn's workers, node's one process)."""
        return sum(_rss(pid) for pid in _tree(self.process.pid))


def uvicorn_command(module: str, workers: int) -> list[str]:
    """Start a benchmark module whose `__main__` calls `serve_factory`, on `{port}`."""
    return [sys.executable, "-m", module, "{port}", str(workers)]


def serve_factory(factory: str) -> None:
    """In the started module: serve `factory` with the API's own uvicorn settings (run_uvicorn)
    on the port and worker count `uvicorn_command` passed."""
    from app.__main__ import run_uvicorn

    run_uvicorn(factory, "127.0.0.1", int(sys.argv[1]), int(sys.argv[2]))


@contextmanager
def serving(
    name: str,
    command: list[str],
    probe: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120.0,
) -> Iterator[Server]:
    """Start `command`, wait until `probe` answers, stop the whole process group afterwards."""
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in command]
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    log = BENCH_DIR / f"{name.replace(' ', '_')}.log"
    started = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    server = Server(name, process, f"http://127.0.0.1:{port}")
    try:
        _wait_ready(server, probe, started + timeout, log)
        server.started_in = time.monotonic() - started
        yield server
    finally:
        _stop(process)


def settle(
    url: str, probe: str, headers: Mapping[str, str] | None = None, limit_s: float = 90.0
) -> float:
    """Wait until `probe` answers within a second (earlier requests drained); seconds waited.
    `headers`: the credentials the measured requests carry, so the probe takes their path."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        asked = time.monotonic()
        if status(url + probe, headers, timeout=limit_s) is None:
            time.sleep(0.5)
            continue
        if time.monotonic() - asked < 1.0:
            break
    return time.monotonic() - started


def status(url: str, headers: Mapping[str, str] | None = None, timeout: float = 30) -> int | None:
    """The HTTP status a GET of `url` answers (401 and 404 are answers too); None when the
    server does not answer."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            return int(answer.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_ready(server: Server, probe: str, deadline: float, log: Path) -> None:
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}: {tail}")
        answered = status(server.url + probe)
        if answered is not None and answered < 500:  # the API's 401 without credentials too
            return
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer {probe} in time")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _tree(root: int) -> list[int]:
    """`root` and its descendants, from /proc/<pid>/task/*/children."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
