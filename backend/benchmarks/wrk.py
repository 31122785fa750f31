"""Driving a server with Debian's wrk and reading the JSON line our Lua script prints."""

import itertools
import json
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "lua" / "bench.lua"
CONNECTIONS = 16
THREADS = 2


@dataclass
class Result:
    """One scenario on one server: the median repetition (by req/s) and what every one gave."""

    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    timeouts: int
    all_rps: list[float] = field(default_factory=list)
    note: str = ""


_RUNS = itertools.count(1)


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed when missing (the bench runs in a fresh clone)."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if shutil.which("sudo") is None or _is_root() else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=False)
    found = shutil.which("wrk")
    if found is None:
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)
        found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk could not be installed with apt-get")
    return found


def _is_root() -> bool:
    return os.geteuid() == 0


@dataclass(frozen=True)
class Target:
    """Where one variant of a measurement sends its requests, and the headers every request
    carries (credentials: `Authorization: Bearer ...`, `Cookie: ...`; none for json-server)."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)


def run_once(
    url: str,
    args: list[str],
    seconds: float,
    timeout_s: float,
    headers: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """One wrk run; a hung server is cut off `timeout_s` after the run should have ended.
    `headers` go on every request (wrk's -H; bench.lua adds them to its POSTs too)."""
    token = f"{int(time.time()) % 100000}r{next(_RUNS)}"  # unique POSTed patientIDs per run
    args = [arg.replace("{run}", token) for arg in args]
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout_s))}s",
        *[part for name, value in (headers or {}).items() for part in ("-H", f"{name}: {value}")],
        "-s",
        str(SCRIPT),
        url,
        "--",
        *args,
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=seconds + timeout_s + 15,
        )
    except subprocess.TimeoutExpired:
        return {"requests": 0, "duration_us": seconds * 1e6, "failed": 1}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            parsed: dict[str, float] = json.loads(line)
            return parsed
    raise RuntimeError(f"wrk printed no result: {done.stdout[-500:]} {done.stderr[-500:]}")


def measure(
    url: str,
    args: list[str],
    seconds: float,
    warmup: float,
    repetitions: int,
    timeout_s: float,
    settle: Callable[[], float] = lambda: 0.0,
    headers: Mapping[str, str] | None = None,
) -> Result:
    """Warm up once, then `repetitions` runs; the run with the median req/s is reported.

    `settle` runs before each run: it waits until the server has finished the requests the
    previous run left in flight (a single-threaded server may still be sorting for seconds).
    """
    settled = 0.0
    if warmup > 0:
        settled += settle()
        run_once(url, args, warmup, timeout_s, headers)
    runs = []
    for _ in range(repetitions):
        settled += settle()
        runs.append(run_once(url, args, seconds, timeout_s, headers))
    return _summary(runs, seconds, settled)


def alternate(
    targets: Mapping[str, Target],
    args: list[str],
    seconds: float,
    warmup: float,
    repetitions: int,
    timeout_s: float,
    settle: Callable[[Target], float] = lambda target: 0.0,
) -> dict[str, Result]:
    """The same requests to several targets, alternated: each warmed up once, then
    `repetitions` rounds in which every target runs once, the order rotated each round, so a
    change in the machine's load falls on all of them alike. Each target's median run."""
    names = list(targets)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    settled = dict.fromkeys(names, 0.0)
    if warmup > 0:
        for name in names:
            settled[name] += settle(targets[name])
            run_once(targets[name].url, args, warmup, timeout_s, targets[name].headers)
    for name in _rounds(names, repetitions):
        settled[name] += settle(targets[name])
        target = targets[name]
        runs[name].append(run_once(target.url, args, seconds, timeout_s, target.headers))
    return {name: _summary(runs[name], seconds, settled[name]) for name in names}


def alternate_started(
    starts: Mapping[str, Callable[[], AbstractContextManager[Target]]],
    args: list[str],
    seconds: float,
    warmup: float,
    repetitions: int,
    timeout_s: float,
    settle: Callable[[Target], float] = lambda target: 0.0,
) -> dict[str, Result]:
    """As `alternate`, but only one target is up at a time: for each run its server is started
    (`starts`), warmed up and stopped again, so what a waiting server does in the background (a
    timer's statements) never falls on another's run. Each target's median run."""
    names = list(starts)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    settled = dict.fromkeys(names, 0.0)
    for name in _rounds(names, repetitions):
        with starts[name]() as target:
            if warmup > 0:
                settled[name] += settle(target)
                run_once(target.url, args, warmup, timeout_s, target.headers)
            settled[name] += settle(target)
            runs[name].append(run_once(target.url, args, seconds, timeout_s, target.headers))
    return {name: _summary(runs[name], seconds, settled[name]) for name in names}


def _rounds(names: list[str], repetitions: int) -> Iterator[str]:
    """`repetitions` rounds in which every name comes once, the order rotated each round
    (a, b, b, a, a, b): a steady drift in the machine's load falls on all of them alike."""
    for round_ in range(repetitions):
        shift = round_ % len(names)
        yield from names[shift:] + names[:shift]


def _summary(runs: list[dict[str, float]], seconds: float, settled: float) -> Result:
    """The run with the median req/s (the lower middle one of an even count), with its
    latencies and errors, and every run's req/s."""
    rates = [run["requests"] / (run["duration_us"] / 1e6) for run in runs]
    median = statistics.median_low(rates)
    chosen = runs[rates.index(median)]
    errors = int(sum(chosen.get(key, 0) for key in ("connect", "read", "write", "status")))
    notes = ["wrk hung and was stopped"] if chosen.get("failed") else []
    if not chosen["requests"]:
        notes.append(f"no answer within the {seconds:g} s run")
    if settled >= 2:
        notes.append(f"waited {settled:.0f} s for earlier requests to finish")
    note = "; ".join(notes)
    return Result(
        rps=median,
        p50_ms=chosen.get("p50", 0) / 1000,
        p95_ms=chosen.get("p95", 0) / 1000,
        p99_ms=chosen.get("p99", 0) / 1000,
        requests=int(chosen["requests"]),
        errors=errors,
        timeouts=int(chosen.get("timeout", 0)),
        all_rps=rates,
        note=note,
    )
