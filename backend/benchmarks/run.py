"""`make bench`: json-server and this API side by side on the same generated patients.

For each size: generate the records, give them to json-server (db.json) and PostgreSQL (COPY),
make the staff accounts the API's requests act for (benchmarks/accounts.py), then drive
json-server 1.0.0-beta.3, json-server 0.17.4 (for `q`), the lean route (the leanest
`GET /patients/{id}` we can write, benchmarks/lean.py) and the API (every request with a bearer
token) one after the other with wrk. At 100,000 patients, also the sign-in cost: one record
with a bearer token, with a session cookie and with OPEN_ACCESS=true, alternated; and the cost
of auditing reads: one record with AUDIT_READS=true and false, alternated, and the audit table's
growth per read (benchmarks/auditing.py). Then write docs/benchmarks.md with its charts
(benchmarks/report.py).
"""

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import URL

from benchmarks import accounts, auditing, datasets, report
from benchmarks.accounts import COOKIE, OPEN, SIGN_IN_SIZE, TOKEN
from benchmarks.auditing import AUDITED, UNAUDITED
from benchmarks.processes import (
    BACKEND,
    BENCH_DIR,
    JSON_SERVER_017,
    JSON_SERVER_017_PREFIX,
    JSON_SERVER_1,
    Server,
    serving,
    settle,
    status,
    uvicorn_command,
)
from benchmarks.wrk import Result, Target, alternate, alternate_started, ensure_wrk, measure

JS1, JS017, API, HELLO = "json-server 1.0.0-beta.3", "json-server 0.17.4", "API", "hello-world"
LEAN = "lean route"
JSON_SERVERS = {JS1, JS017}
SCENARIOS = {
    "list": "GET /patients (full list)",
    "page": "GET /patients?_page=R&_per_page=20&_sort=name",
    "one": "GET /patients/{random id}",
    "pid": "GET /patients?patientID={random}",
    "q": "GET /patients?q={name fragment}&_page=1 (20 a page)",
    "mix": "90% reads (one, pid, page) / 10% POST",
    "post": "POST /patients (unique bodies)",
}
# Reads first, then the writes, so every read sees exactly the generated data (the lean route
# before the API, whose writes go to the same database).
PLAN = {
    JS1: ["list", "page", "one", "pid", "mix", "post"],
    JS017: ["q"],
    LEAN: ["one"],
    API: ["list", "page", "one", "pid", "q", "mix", "post"],
}
LARGE = 1_000_000
LARGE_SCENARIOS = {"page", "one", "pid", "q"}
SLOW_LAST = ["one", "pid", "q", "page"]
RESULTS = BENCH_DIR / "results.json"


def main(argv: list[str] | None = None) -> None:
    """Run every size and scenario, then write docs/benchmarks.md (or only rewrite it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one wrk run")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--repetitions", type=int, default=3, help="median of this many runs")
    parser.add_argument("--timeout", type=float, default=10.0, help="wrk's per-request timeout")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (API and hello)")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenarios, `signin` and `audit` too (development)",
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite the doc from results")
    parser.add_argument(
        "--doc",
        type=Path,
        default=report.DOC,
        help="write the report here, its charts in the folder of the same name without .md "
        "(a smoke run's, kept out of docs/)",
    )
    args = parser.parse_args(argv)
    if args.report_only:
        report.write(json.loads(RESULTS.read_text()), args.doc)
        return
    started = time.monotonic()
    ensure_wrk()
    ensure_json_server_017()
    settings = {**vars(args), "doc": str(args.doc)}
    results: dict[str, Any] = {"machine": machine(), "settings": settings, "sizes": {}}
    sizes = [int(size) for size in args.sizes.split(",")]
    only = set(filter(None, args.only.split(",")))
    sign_in_size = SIGN_IN_SIZE if SIGN_IN_SIZE in sizes else max(sizes)
    with datasets.postgres_server(BENCH_DIR) as server:
        results["postgres"] = postgres_version(server)
        results["hello"] = dataclasses.asdict(hello_world(args))
        log(f"hello-world: {results['hello']['rps']:.0f} req/s")
        for count in sizes:
            sign_in = count == sign_in_size and (not only or "signin" in only)
            audit = count == sign_in_size and (not only or "audit" in only)
            results["sizes"][str(count)] = bench_size(server, count, args, only, sign_in, audit)
            RESULTS.write_text(json.dumps(results, indent=1))
    results["total_seconds"] = time.monotonic() - started
    RESULTS.write_text(json.dumps(results, indent=1))
    report.write(results, args.doc)
    log(f"done in {results['total_seconds'] / 60:.1f} min; wrote {args.doc}")


def bench_size(
    server: Any,
    count: int,
    args: argparse.Namespace,
    only: set[str],
    sign_in: bool,
    audit: bool,
) -> dict[str, Any]:
    """One data size: load it and make its staff accounts, then each server in turn on its
    scenarios (and, at one size, the sign-in cost and the cost of auditing reads)."""
    folder = BENCH_DIR / str(count)
    folder.mkdir(parents=True, exist_ok=True)
    data = datasets.prepare(folder, server, count)
    staff = accounts.create(data.database_url)
    log(f"{count}: data and accounts ready in {data.load_seconds:.0f} s")
    out: dict[str, Any] = {
        "db_json_bytes": len(data.db_json_bytes),
        "pg_bytes": data.pg_bytes,
        "load_seconds": data.load_seconds,
        "servers": {},
    }
    reps = 1 if count < 10_000 else args.repetitions
    for name, scenarios in PLAN.items():
        wanted = [s for s in scenarios if (count < LARGE or s in LARGE_SCENARIOS)]
        if count >= LARGE and name == JS1:
            wanted.sort(key=SLOW_LAST.index)  # nothing waits behind a backlog of 1M-row sorts
        wanted = [s for s in wanted if not only or s in only]
        if not wanted:
            continue
        # json-server at 1M answers a sorted page or a scan in seconds: one bounded run only.
        runs = 1 if count >= LARGE and name in JSON_SERVERS else reps
        headers = staff.bearer if name == API else {}
        out["servers"][name] = run_server(name, data, wanted, args, runs, headers)
    if sign_in:
        out["sign_in"] = sign_in_cost(data, staff, args, reps)
    if audit:
        out["audit"] = audit_cost(data, staff, args, reps)
    del data
    return out


def run_server(
    name: str,
    data: datasets.DataSet,
    scenarios: list[str],
    args: argparse.Namespace,
    reps: int,
    headers: dict[str, str],
) -> dict[str, Any]:
    """Start one server on the data, drive each scenario with `headers` (the API's bearer
    token) on every request, read its memory, stop it."""
    out: dict[str, Any] = {"scenarios": {}}
    with start(name, data, args) as running:
        out["start_seconds"] = running.started_in
        if headers:
            expect(running.url, headers, 200)
            expect(running.url, {}, 401)
        for scenario in scenarios:
            result = drive(running, scenario, data, args, reps, headers)
            out["scenarios"][scenario] = dataclasses.asdict(result)
            log(
                f"{data.count} {name} {scenario}: {result.rps:.1f} req/s "
                f"p99 {result.p99_ms:.1f} ms "
                f"errors {result.errors} timeouts {result.timeouts} {result.note}"
            )
            if scenario == scenarios[0] or scenario == "list":
                out["rss_bytes"] = running.rss_bytes()
                out["rss_after"] = scenario
    return out


def start(
    name: str,
    data: datasets.DataSet,
    args: argparse.Namespace,
    env: dict[str, str] | None = None,
) -> AbstractContextManager[Server]:
    """One server on the data: json-server on its db.json; the API and the lean route with
    uvicorn's `--workers` on the size's database, in production unless `env` says otherwise."""
    if name in JSON_SERVERS:
        return json_server(name, data)
    env = {
        "DATABASE_URL": data.database_url.render_as_string(hide_password=False),
        "ENVIRONMENT": "production",
        **(env or {}),
    }
    if name == LEAN:
        command = uvicorn_command("benchmarks.lean", args.workers)
    else:
        command = [
            sys.executable,
            "-m",
            "app",
            "serve",
            "--no-import",
            "--port",
            "{port}",
            "--workers",
            str(args.workers),
        ]
    return serving(name, command, "/patients/1", env=env, cwd=BACKEND)


def sign_in_cost(
    data: datasets.DataSet, staff: accounts.Staff, args: argparse.Namespace, reps: int
) -> dict[str, Any]:
    """`GET /patients/{random id}` with a bearer token, with a session cookie (one sign-in,
    the cookie reused) and with no credentials on a server started with OPEN_ACCESS=true.

    Production refuses OPEN_ACCESS, so both servers run with ENVIRONMENT=development (what a
    request feels of that: readable log lines instead of JSON, no HSTS header) and differ in
    nothing else; the three variants are alternated run by run.
    """
    signed = {"ENVIRONMENT": "development"}
    with (
        start(f"{API} sign-in", data, args, signed) as checking,
        start(f"{API} open-access", data, args, {**signed, "OPEN_ACCESS": "true"}) as open_access,
    ):
        targets = {
            TOKEN: Target(checking.url, staff.bearer),
            COOKIE: Target(checking.url, accounts.session_cookie(checking.url, staff)),
            OPEN: Target(open_access.url),
        }
        for target in targets.values():
            expect(target.url, target.headers, 200)
        expect(checking.url, {}, 401)
        results = alternate(
            targets,
            ["one", str(data.count), "-", "{run}", "1"],
            args.seconds,
            args.warmup,
            reps,
            args.timeout,
            settle=lambda target: settle(target.url, "/patients/1", target.headers),
        )
    return {"environment": "development", "variants": _variants(f"{data.count} sign-in", results)}


def audit_cost(
    data: datasets.DataSet, staff: accounts.Staff, args: argparse.Namespace, reps: int
) -> dict[str, Any]:
    """`GET /patients/{random id}` with the bearer token on an API server started with
    AUDIT_READS=true (every read writes its audit event) and on one with AUDIT_READS=false, and
    what the audited reads added to the audit tables.

    Production refuses AUDIT_READS=false, so both run with ENVIRONMENT=development, as the
    sign-in cost's servers do. One server is up at a time: each run starts its server, warms it
    up and stops it (which seals its last events), so neither's audit sealer runs beside the
    other's requests; the two variants alternate run by run. The tables are measured before the
    first run and after the last: only the audited server adds events (checked at each start),
    its warm-ups and probes included, so the growth over the events added is bytes per event.
    """

    @contextmanager
    def started(variant: str) -> Iterator[Target]:
        env = {"ENVIRONMENT": "development", "AUDIT_READS": str(variant == AUDITED).lower()}
        with start(f"{API} {variant}", data, args, env) as running:
            expect(running.url, {}, 401)
            expect_events(running.url, staff.bearer, data.database_url, int(variant == AUDITED))
            yield Target(running.url, staff.bearer)

    before = auditing.audit_tables(data.database_url)
    results = alternate_started(
        {variant: partial(started, variant) for variant in (UNAUDITED, AUDITED)},
        ["one", str(data.count), "-", "{run}", "1"],
        args.seconds,
        args.warmup,
        reps,
        args.timeout,
        settle=lambda target: settle(target.url, "/patients/1", target.headers),
    )
    after = auditing.audit_tables(data.database_url)
    variants = _variants(f"{data.count} audit", results)
    events = after.events - before.events
    events_bytes = after.events_bytes - before.events_bytes
    log(
        f"{data.count} audit table: {events} events added, {events_bytes} bytes "
        f"({events_bytes / max(events, 1):.0f} per event)"
    )
    return {
        "environment": "development",
        "variants": variants,
        "events_added": events,
        "events_bytes_added": events_bytes,
        "seals_bytes_added": after.seals_bytes - before.seals_bytes,
    }


def _variants(measured: str, results: Mapping[str, Result]) -> dict[str, dict[str, Any]]:
    """Each variant's result, logged (`measured`: what, e.g. "100000 audit") and as stored."""
    for variant, result in results.items():
        log(
            f"{measured} cost, one record, {variant}: {result.rps:.1f} req/s "
            f"p50 {result.p50_ms:.1f} ms p99 {result.p99_ms:.1f} ms "
            f"errors {result.errors} timeouts {result.timeouts} {result.note}"
        )
    return {variant: dataclasses.asdict(result) for variant, result in results.items()}


def expect_events(url: str, headers: Mapping[str, str], database_url: URL, wanted: int) -> None:
    """Stop the run when `GET /patients/1` with `headers` (answering 200) does not write the
    audit events the measurement assumes: one with AUDIT_READS=true, none with false."""
    before = auditing.audit_tables(database_url).events
    expect(url, headers, 200)
    written = auditing.audit_tables(database_url).events - before
    if written != wanted:
        raise RuntimeError(f"GET /patients/1 wrote {written} audit events, expected {wanted}")


def expect(url: str, headers: Mapping[str, str], wanted: int, probe: str = "/patients/1") -> None:
    """Stop the run when the credentials do not do what the measurement assumes (a benchmark
    of 401 answers would look fast)."""
    answered = status(url + probe, headers)
    if answered != wanted:
        sent = ", ".join(headers) or "no credentials"
        raise RuntimeError(f"GET {probe} with {sent} answered {answered}, expected {wanted}")


def json_server(name: str, data: datasets.DataSet) -> AbstractContextManager[Server]:
    """json-server 1.0 or 0.17 on its own copy of the size's db.json."""
    folder = data.patient_ids.parent
    db_file = folder / ("db-1.json" if name == JS1 else "db-017.json")
    db_file.write_bytes(data.db_json_bytes)
    if name == JS1:
        command = [
            "node",
            str(JSON_SERVER_1),
            "--port",
            "{port}",
            "--host",
            "127.0.0.1",
            str(db_file),
        ]
    else:
        command = [
            "node",
            str(JSON_SERVER_017),
            "--port",
            "{port}",
            "--host",
            "127.0.0.1",
            "--quiet",
            "--no-gzip",
            str(db_file),
        ]
    return serving(name, command, "/patients/1", cwd=folder, timeout=300)


def drive(
    server: Server,
    scenario: str,
    data: datasets.DataSet,
    args: argparse.Namespace,
    reps: int,
    headers: dict[str, str],
) -> Result:
    """One scenario on one running server: wrk with the Lua script's mode and values, and
    `headers` on every request."""
    pages = max(1, min(50, data.count // 20))
    values = {"pid": data.patient_ids, "q": data.fragments, "mix": data.patient_ids}
    mode = "q017" if server.name == JS017 else scenario
    wrk_args = [mode, str(data.count), str(values.get(scenario, "-")), "{run}", str(pages)]
    # json-server at 1M would still be sorting the warm-up's requests when the run begins.
    warmup = 0 if data.count >= LARGE and server.name in JSON_SERVERS else args.warmup
    return measure(
        server.url,
        wrk_args,
        args.seconds,
        warmup,
        reps,
        args.timeout,
        settle=lambda: settle(server.url, "/patients/1", headers),
        headers=headers,
    )


def hello_world(args: argparse.Namespace) -> Result:
    """The ceiling: the hello-world route with the API's uvicorn settings."""
    command = uvicorn_command("benchmarks.hello", args.workers)
    with serving(HELLO, command, "/hello", cwd=BACKEND) as server:
        path = BENCH_DIR / "hello_path.txt"
        path.write_text("/hello\n")
        return measure(
            server.url,
            ["get", "1", str(path), "{run}", "1"],
            args.seconds,
            args.warmup,
            args.repetitions,
            args.timeout,
        )


def ensure_json_server_017() -> None:
    """json-server 0.17.4 (the last with `q`) into a git-ignored cache folder, once."""
    if JSON_SERVER_017.is_file():
        return
    JSON_SERVER_017_PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(JSON_SERVER_017_PREFIX),
            "--no-save",
            "--no-audit",
            "--no-fund",
            "json-server@0.17.4",
        ],
        check=True,
    )


def machine() -> dict[str, Any]:
    """What the numbers were measured on, for the report's header."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": node,
        "wrk": (wrk.stdout + wrk.stderr).split("\n")[0].strip(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": os.getloadavg()[0],
    }


def postgres_version(server: Any) -> str:
    """The PostgreSQL server version, as the server reports it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server)
    with engine.connect() as connection:
        version = str(connection.scalar(text("SHOW server_version")))
    engine.dispose()
    return version


def log(message: str) -> None:
    """Progress on stdout, timestamped (a full run takes ~15 minutes)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


if __name__ == "__main__":
    main()
