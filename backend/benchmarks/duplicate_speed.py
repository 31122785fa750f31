"""How fast possible duplicates are at 1,000,000 patients, against the issue's speed targets.

Generates the labelled patients of benchmarks/duplicates_data.py (realistic names, 1% of them
registered twice), imports them into a fresh database with the migration command (timed; then
VACUUM ANALYZE, as the main benchmark's loader does), runs `python -m app find-duplicates` over
the whole registry (timed; stopped after --find-minutes, its rate so far then being the
figure), waits for the machine to be idle (others may share it), and starts the API as the
main benchmark does (`run.start`: production settings, `--workers`, a clinician's bearer token
on every request, reads audited) with DUPLICATE_CHECK_INTERVAL_S=3600, so the background check
never runs beside a timed phase. wrk (16 connections) then drives `POST /patients/match` and
`GET /patients?name_similar=` with a few thousand stored names given one typist's slip, and
`GET /duplicates?_page=1`; each statement is then timed alone in-process, with the EXPLAIN
(ANALYZE, BUFFERS) of its slowest candidate; last, `POST /patients` throughput without and with
migration 0010's indexes and queue triggers, alternated three times (without, with, ...), the
registrations last so they change nothing the reads see. Writes its section of
docs/duplicates.md; the results and plans go to backend/.data/bench/duplicate_speed/SIZE/.

    cd backend && .venv/bin/python -m benchmarks.duplicate_speed [--size 1000000]
        [--doc ../docs/duplicates.md] [--database-url URL] [--seconds 15]

The server: --database-url's, else TEST_DATABASE_URL's, else an embedded one in a temporary
folder; the database is created for the run and dropped afterwards.
"""

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import URL

from app import matching, querying
from app.audit import params_of
from app.database import Connection
from app.repositories import duplicates, patients
from benchmarks import accounts, datasets, duplicates_data, run
from benchmarks.duplicate_quality import INTRO
from benchmarks.import_benchmark import machine, server
from benchmarks.processes import BACKEND, BENCH_DIR, Server, settle
from benchmarks.wrk import Result, ensure_wrk, measure
from tests.db import fresh_database, libpq

DOC = BACKEND.parent / "docs" / "duplicates.md"
START, END = "<!-- speed:start -->", "<!-- speed:end -->"
FOLDER = BENCH_DIR / "duplicate_speed"
SEED = 20241204
CANDIDATES = 3000
SUGGESTIONS = 5  # what the front end's "Did you mean" asks for (DidYouMean.tsx)
QUIET = 0.15  # CPU share in use by others below which the timed phases may start
WATCH_S = 5.0  # how often find-duplicates' progress is read
PLANS = ("custom", "generic")  # plan_cache_mode's forced choices
SAMPLE = 100  # candidates each statement is timed with in-process
DUPES_TIMES = 11  # sequential `GET /duplicates?_page=1`, the first one the server's first
# Typist's slips (duplicates_data's own): a neighbouring key, a letter dropped, one doubled.
SLIPS: tuple[Callable[[random.Random, str], str | None], ...] = (
    duplicates_data._typo,
    duplicates_data._dropped,
    duplicates_data._doubled,
)
# What migration 0010 adds to every registration: its indexes and triggers on patients, read
# from the migration itself.
MIGRATION = BACKEND / "alembic" / "versions" / "0010_possible_duplicates.py"
INDEX = re.compile(r"CREATE INDEX (\w+) ON patients\b")
TRIGGER = re.compile(r"CREATE TRIGGER (\w+) (?:BEFORE|AFTER) [\w ]+? ON patients\b")
# A plan's string literals that may hold the candidate: its folded words, its sounds.
LITERAL = re.compile(r"'(?:[^']|'')*'")
SOUNDS = re.compile(r"'~?(?=[A-Z0-9 ]*[A-Z])[A-Z0-9]+(?: [A-Z0-9]+)*'")
SOUND_KEYS = re.compile(r"'[^']*~[A-Z0-9][^']*'")  # an array literal of name keys with a sound
WITHOUT, WITH = "without", "with"
VARIANTS = (WITHOUT, WITH) * 3
# The targets.
MATCH_P95_MS = 50.0
SIMILAR_P95_MS = 100.0
DUPES_MS = 2000.0
REGISTER_SLOWDOWN = 0.10


@dataclass(frozen=True)
class Candidate:
    """Someone at the desk: a stored patient's name mistyped, with their age and gender."""

    name: str
    age: int
    gender: str

    @property
    def line(self) -> str:
        """The candidate as bench.lua reads it."""
        return f"{self.name}\t{self.age}\t{self.gender}"


def misspelled(rng: random.Random, name: str) -> str | None:
    """`name` with one slip in one of its words, or None if no word can take one."""
    words = name.split(" ")
    for index in rng.sample(range(len(words)), len(words)):
        for slip in rng.sample(SLIPS, len(SLIPS)):
            changed = slip(rng, words[index])
            if changed is not None and changed != words[index]:
                return " ".join([*words[:index], changed, *words[index + 1 :]])
    return None


def candidates(records: Sequence[Mapping[str, Any]], count: int, seed: int) -> list[Candidate]:
    """`count` distinct candidates from random records, each name with one slip: a name the
    registry holds, typed a little wrong, as a receptionist would before registering."""
    rng = random.Random(seed)
    found: dict[str, Candidate] = {}
    for _ in range(count * 20):
        record = rng.choice(records)
        name = misspelled(rng, str(record["name"]))
        if name is not None and name not in found and "\t" not in name:
            found[name] = Candidate(name, int(record["age"]), str(record["gender"]))
            if len(found) == count:
                break
    return list(found.values())


@dataclass
class Ran:
    """A command run to its end or stopped at its time limit."""

    seconds: float
    finished: bool
    returncode: int | None
    tail: str


def run_command(
    command: list[str],
    env: Mapping[str, str],
    limit_s: float | None = None,
    watch: Callable[[float], None] = lambda elapsed: None,
    check: bool = True,
) -> Ran:
    """A backend command (`env` added to ours), stopped after `limit_s`; its wall time.
    `watch` is called with the seconds elapsed every WATCH_S while it runs. Its last lines are
    printed; with `check`, a failure is an error (a stop is not)."""
    started = time.monotonic()
    deadline = started + (limit_s if limit_s is not None else float("inf"))
    finished = True
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, cwd=BACKEND, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **env}
        )
        while process.poll() is None:
            if time.monotonic() >= deadline:
                finished = False
                process.terminate()
                process.wait(timeout=30)
                break
            try:
                process.wait(timeout=min(WATCH_S, max(0.0, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                watch(time.monotonic() - started)
        seconds = time.monotonic() - started
        output.seek(0)
        tail = "\n".join(output.read().decode(errors="replace").strip().splitlines()[-3:])
    for line in tail.splitlines():
        print(f"  {line}", flush=True)
    if check and finished and process.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:4])} failed with exit status {process.returncode}")
    return Ran(seconds, finished, process.returncode if finished else None, tail)


def scalar(url: str, query: str) -> Any:
    """One value from the benchmark's database."""
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(query.encode()).fetchone()
    return row[0] if row else None


def maintain(url: str, command: str) -> float:
    """VACUUM or ANALYZE the whole database, as autovacuum would after a bulk change (the
    importer leaves the statistics to it, and this machine's server may run without it, as
    datasets.load_postgres does for the main benchmark); its seconds."""
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as connection:
        autovacuum = connection.execute(b"SHOW autovacuum").fetchone()
        connection.execute(command.encode())
    seconds = time.monotonic() - started
    run.log(f"{command} in {seconds:.1f} s (autovacuum {autovacuum[0] if autovacuum else '?'})")
    return seconds


def busy(seconds: float = 5.0) -> float:
    """The share of the machine's CPU time spent working over `seconds` (/proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
        return sum(fields), fields[3] + fields[4]  # idle and iowait

    total, idle = sample()
    time.sleep(seconds)
    total_after, idle_after = sample()
    spent = total_after - total
    return 1 - (idle_after - idle) / spent if spent else 0.0


def wait_quiet(limit_s: float) -> float:
    """Wait (at most `limit_s`) until the machine is nearly idle, as other people's runs may
    share it; the share of CPU busy when the timed phases start."""
    deadline = time.monotonic() + limit_s
    load = busy()
    while load > QUIET and time.monotonic() < deadline:
        run.log(f"machine {load:.0%} busy; waiting for it to quieten")
        time.sleep(25)
        load = busy()
    return load


def wait_idle(url: str, limit_s: float = 120) -> None:
    """Until no other statement runs in the database (a stopped command's backend finishes
    its statement before it sees its client gone), so it falls on no timed phase."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and scalar(
        url,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND state <> 'idle'",
    ):
        time.sleep(1)


def find_duplicates(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """`python -m app find-duplicates` over every queued patient, at most --find-minutes: how
    many it checked, how fast, and the pairs found. Stopped, its rate is that of the batches
    it had committed (the queue read every WATCH_S), not counting the one it was in. If it
    fails with the app's statement timeout, the failure is kept and it runs again without one
    for the rest of the time."""
    queued = int(scalar(url, "SELECT count(*) FROM duplicate_queue"))
    timeout = args.statement_timeout_ms
    command = [sys.executable, "-m", "app", "find-duplicates", "--database-url", url]
    progress: list[tuple[float, int]] = [(0.0, queued)]
    offset = 0.0  # seconds of earlier attempts

    def watch(elapsed: float) -> None:
        left = int(scalar(url, "SELECT count(*) FROM duplicate_queue"))
        if left != progress[-1][1]:
            progress.append((offset + elapsed, left))

    failure = ""
    limit = args.find_minutes * 60
    while True:
        env = {} if timeout is None else {"DB_STATEMENT_TIMEOUT_MS": str(timeout)}
        start = (offset, progress[-1][1])
        ran = run_command(command, env, limit - offset, watch, check=False)
        if ran.returncode is not None and ran.returncode < 0:  # a signal, not from this run
            failure = f"stopped from outside (signal {-ran.returncode}) after {ran.seconds:.0f} s"
            run.log(f"find-duplicates {failure}; measuring what it had done")
            ran = Ran(ran.seconds, False, None, ran.tail)
        if (
            ran.returncode in (0, None)
            or timeout is not None
            or "statement timeout" not in ran.tail
        ):
            break
        failure = f"failed after {ran.seconds:.0f} s with the app's statement timeout"
        run.log(f"find-duplicates {failure}; again with DB_STATEMENT_TIMEOUT_MS=0")
        offset += ran.seconds
        timeout = 0
    if ran.returncode not in (0, None):
        raise SystemExit(f"find-duplicates failed with exit status {ran.returncode}")
    wait_idle(url)
    left = int(scalar(url, "SELECT count(*) FROM duplicate_queue"))
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(b"SELECT grade, count(*) FROM duplicate_pairs GROUP BY grade")
        grades = {str(grade): int(n) for grade, n in rows.fetchall()}
    seconds = offset + ran.seconds
    done_at, done_left = (seconds, left) if ran.finished else progress[-1]
    checking = done_at - start[0]
    return {
        "queued": queued,
        "checked": queued - left,
        "left": left,
        "seconds": seconds,
        "finished": ran.finished,
        "rate": (start[1] - done_left) / checking if checking > 0 else 0.0,
        "pairs": sum(grades.values()),
        "grades": grades,
        "statement_timeout_ms": timeout,
        "failure": failure,
    }


def api(
    database: URL, count: int, values: Path, args: argparse.Namespace
) -> AbstractContextManager[Server]:
    """The API as the main benchmark starts it (run.start: production, --workers), with the
    background check held off for the whole run. run.start reads only the data set's URL."""
    data = datasets.DataSet(count, [], b"", values, values, database, 0, 0.0)
    return run.start(run.API, data, args, {"DUPLICATE_CHECK_INTERVAL_S": "3600"})


def answer(
    url: str, headers: Mapping[str, str], body: Mapping[str, Any] | None = None
) -> tuple[int, float]:
    """One request (a POST when `body` is given): its status and milliseconds."""
    data = None if body is None else json.dumps(body).encode()
    sent = {**headers, **({} if body is None else {"Content-Type": "application/json"})}
    request = urllib.request.Request(url, data=data, headers=sent)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        status = int(error.code)
    return status, (time.monotonic() - started) * 1000


def expect_ok(url: str, headers: Mapping[str, str], body: Mapping[str, Any] | None = None) -> None:
    """Stop when a measured request is not answered 200 (a benchmark of errors looks fast)."""
    status, _ = answer(url, headers, body)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}, expected 200")


def drive(
    api_server: Server,
    headers: Mapping[str, str],
    wrk_args: list[str],
    args: argparse.Namespace,
    repetitions: int,
) -> Result:
    """One wrk scenario (bench.lua's mode and values), as run.drive settles and repeats."""
    result = measure(
        api_server.url,
        wrk_args,
        args.seconds,
        args.warmup,
        repetitions,
        args.timeout,
        settle=lambda: settle(api_server.url, "/patients/1", headers),
        headers=headers,
    )
    run.log(
        f"{wrk_args[0]} {wrk_args[4]}: {result.rps:.1f} req/s p50 {result.p50_ms:.1f} "
        f"p95 {result.p95_ms:.1f} p99 {result.p99_ms:.1f} ms errors {result.errors} "
        f"timeouts {result.timeouts} {result.note}"
    )
    return result


def reads(
    api_server: Server,
    headers: Mapping[str, str],
    values: Path,
    first: Candidate,
    count: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The read targets under wrk, and `GET /duplicates?_page=1` for one user at a time."""
    base = api_server.url
    match_body = {"name": first.name, "age": first.age, "gender": first.gender}
    expect_ok(f"{base}/patients/match", headers, match_body)
    query = urllib.parse.urlencode({"name_similar": first.name})
    expect_ok(f"{base}/patients?{query}&_limit={SUGGESTIONS}", headers)
    expect_ok(f"{base}/duplicates?_page=1", headers)
    timings = [answer(f"{base}/duplicates?_page=1", headers)[1] for _ in range(DUPES_TIMES)]
    dupes_path = values.parent / "dupes_path.txt"
    dupes_path.write_text("/duplicates?_page=1\n")
    scenarios = {  # bench.lua's mode, values and PAGES argument
        "match": ("match", values, 1),
        "similar": ("similar", values, SUGGESTIONS),
        "similar_all": ("similar", values, 0),
        "dupes": ("get", dupes_path, 1),
    }
    out: dict[str, Any] = {
        key: asdict(
            drive(
                api_server,
                headers,
                [mode, str(count), str(path), "{run}", str(pages)],
                args,
                args.repetitions,
            )
        )
        for key, (mode, path, pages) in scenarios.items()
    }
    out["dupes_sequential_ms"] = timings
    return out


# --- each statement alone ----------------------------------------------------------------------

Call = Callable[[Connection, Candidate], Awaitable[object]]
EVENT = params_of(None)


def _window(name: str, limit: int | None) -> querying.ListQuery:
    pairs = [("name_similar", name)] + ([] if limit is None else [("_limit", str(limit))])
    return querying.parse(pairs)


async def _match(connection: Connection, candidate: Candidate) -> object:
    values = {"name": candidate.name, "age": candidate.age, "gender": candidate.gender}
    return await duplicates.match(connection, {**values, "patient_id": None}, EVENT)


async def _similar(connection: Connection, candidate: Candidate) -> object:
    return await patients.select_window(connection, _window(candidate.name, SUGGESTIONS), EVENT)


async def _similar_all(connection: Connection, candidate: Candidate) -> object:
    return await patients.select(connection, _window(candidate.name, None), EVENT)


async def _dupes(connection: Connection, candidate: Candidate) -> object:
    return await duplicates.pairs_page(connection, 1, querying.DEFAULT_PER_PAGE, EVENT)


async def _register(connection: Connection, candidate: Candidate) -> object:
    values = {
        "patient_id": "EXPLAIN-1",
        "name": candidate.name,
        "age": candidate.age,
        "gender": candidate.gender,
        "medical_condition": "Asthma",
        "last_visit": date(2024, 3, 1),
    }
    return await patients.insert(connection, values, EVENT)


STATEMENTS = {
    "match": "`POST /patients/match`",
    "similar": f"`name_similar=…&_limit={SUGGESTIONS}`",
    "similar_all": "`name_similar=…`",
    "dupes": "`GET /duplicates?_page=1`",
    "register": "`POST /patients`",
}
# The repository call; whether it is timed over the sample (else once); the nested statements
# whose plans count too (the queue trigger's, for a registration).
CALLS: dict[str, tuple[Call, bool, str | None]] = {
    "match": (_match, True, None),
    "similar": (_similar, True, None),
    "similar_all": (_similar_all, True, None),
    "dupes": (_dupes, False, None),
    "register": (_register, False, "duplicate_queue"),
}
EXPLAIN_ON = (
    "LOAD 'auto_explain'",
    "SET auto_explain.log_analyze = on",
    "SET auto_explain.log_buffers = on",
    "SET auto_explain.log_triggers = on",
    "SET auto_explain.log_level = notice",
)


async def _timed(connection: Connection, call: Call, candidate: Candidate) -> float:
    """Milliseconds of one call, its writes (the audit event) rolled back."""
    started = time.monotonic()
    async with connection.transaction(force_rollback=True):
        await call(connection, candidate)
    return (time.monotonic() - started) * 1000


async def _explained(
    connection: Connection, call: Call, candidate: Candidate, nested: str | None
) -> str:
    """The call's EXPLAIN (ANALYZE, BUFFERS), from auto_explain as the app's own statement
    runs: the statement's plan (the last logged), after those of the nested statements that
    mention `nested`. The query text (the whole rendered SQL) is left out, and the candidate's
    name and sounds are masked (`masked`)."""
    plans: list[str] = []

    def keep(notice: psycopg.errors.Diagnostic) -> None:
        plans.append(notice.message_primary or "")

    await connection.execute(
        f"SET auto_explain.log_nested_statements = {'on' if nested else 'off'}".encode()
    )
    connection.add_notice_handler(keep)
    await connection.execute(b"SET auto_explain.log_min_duration = 0")
    try:
        await _timed(connection, call, candidate)
    finally:
        await connection.execute(b"SET auto_explain.log_min_duration = -1")
        connection.remove_notice_handler(keep)
    plans = [plan for plan in plans if "plan:" in plan]
    kept = [plan for plan in plans[:-1] if nested and nested in plan] + plans[-1:]
    return masked("\n\n".join(_without_query(plan) for plan in kept), candidate.name)


def masked(plan: str, name: str) -> str:
    """`plan` without the candidate: every string literal holding one of its words (as typed
    or folded) is '<name>', every one of sound codes is '<sound>'. Generated people, but no
    patient, even a made-up one, goes into docs/."""
    typed = f"{name} {duplicates_data.fold(name)}".lower()
    words = {word for word in re.split(r"[\W_]+", typed) if len(word) >= 2}

    def hide(literal: re.Match[str]) -> str:
        text = literal.group(0).lower()
        return "'<name>'" if any(word in text for word in words) else literal.group(0)

    return without_sounds(LITERAL.sub(hide, plan))


def without_sounds(plan: str) -> str:
    """`plan` with every literal of sound codes shown as '<sound>'."""
    return SOUND_KEYS.sub("'<sound>'", SOUNDS.sub("'<sound>'", plan))


def _without_query(plan: str) -> str:
    """auto_explain's text without its "Query Text:" (continued on indented lines: the plan's
    own first line is not indented)."""
    lines, skipping = [], False
    for line in plan.splitlines():
        skipping = line.startswith("Query Text:") or (skipping and line[:1].isspace())
        if not skipping:
            lines.append(line)
    return "\n".join(lines)


async def _statements(url: str, sample: list[Candidate]) -> dict[str, Any]:
    options = f"-c pg_trgm.word_similarity_threshold={matching.WORD_THRESHOLD}"
    out: dict[str, Any] = {}
    async with await psycopg.AsyncConnection.connect(
        url, autocommit=True, options=options
    ) as connection:
        for statement in EXPLAIN_ON:
            await connection.execute(statement.encode())
        for name, (call, sampled, nested) in CALLS.items():
            tried = sample if sampled else sample[:1]
            out[name] = {}
            for mode in PLANS:
                # Custom: never prepared, planned for its values at each execution (as the
                # first five on a pooled connection are); generic: prepared at once, one plan
                # for any values (what PostgreSQL may settle on after five).
                connection.prepare_threshold = None if mode == "custom" else 0
                await connection.execute(f"SET plan_cache_mode = force_{mode}_plan".encode())
                times = [await _timed(connection, call, candidate) for candidate in tried]
                slowest = tried[times.index(max(times))]
                out[name][mode] = measured = {
                    "median_ms": statistics.median(times),
                    "p95_ms": _percentile(times, 95),
                    "max_ms": max(times),
                    "plan": await _explained(connection, call, slowest, nested),
                }
                run.log(
                    f"{name} alone, {mode} plans: median {measured['median_ms']:.1f} ms "
                    f"p95 {measured['p95_ms']:.1f} ms max {measured['max_ms']:.1f} ms"
                )
    return out


def statements(url: str, sample: list[Candidate]) -> dict[str, Any]:
    """Each statement alone, one client in-process, with custom and with generic plans: its
    time over `sample` and the EXPLAIN (ANALYZE, BUFFERS) of its slowest candidate (rolled
    back: no audit event stays)."""
    return asyncio.run(_statements(url, sample))


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


# --- registering without and with the feature --------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """What migration 0010 adds to every write of a patient: indexes (name -> definition, as
    PostgreSQL holds it) and triggers."""

    indexes: Mapping[str, str]
    triggers: tuple[str, ...]


def migration_objects(source: str) -> tuple[list[str], list[str]]:
    """The indexes and the triggers a migration's source creates on patients."""
    return INDEX.findall(source), TRIGGER.findall(source)


def feature(url: str) -> Feature:
    """Migration 0010's indexes and triggers on patients, checked present in the database."""
    indexes, triggers = migration_objects(MIGRATION.read_text(encoding="utf-8"))
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            b"SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'patients'"
            b" AND indexname = ANY(%s)",
            (indexes,),
        ).fetchall()
    found = {str(name): str(definition) for name, definition in rows}
    if not indexes or sorted(found) != sorted(indexes) or not triggers:
        raise RuntimeError(f"expected the indexes {indexes}, found {sorted(found)}")
    return Feature(found, tuple(triggers))


def switch(url: str, on: bool, added: Feature) -> float:
    """Drop the indexes and disable the triggers, or recreate and enable them as migration
    0010 does, then CHECKPOINT; the seconds it took (the index builds, when on)."""
    started = time.monotonic()
    verb = "ENABLE" if on else "DISABLE"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(b"SET lock_timeout = '30s'")
        for name, definition in added.indexes.items():
            connection.execute((definition if on else f'DROP INDEX "{name}"').encode())
        toggled = ", ".join(f"{verb} TRIGGER {trigger}" for trigger in added.triggers)
        connection.execute(f"ALTER TABLE patients {toggled}".encode())
        # An index build leaves its pages to write: flushed here, not during the next run.
        connection.execute(b"CHECKPOINT")
        enabled = connection.execute(
            b"SELECT count(*) FROM pg_trigger WHERE tgrelid = 'patients'::regclass"
            b" AND tgname = ANY(%s) AND tgenabled <> 'D'",
            (list(added.triggers),),
        ).fetchone()
    if (enabled[0] if enabled else 0) != (len(added.triggers) if on else 0):
        raise RuntimeError(f"the triggers are not {verb.lower()}d")
    return time.monotonic() - started


def registering(
    api_server: Server,
    headers: Mapping[str, str],
    url: str,
    values: Path,
    count: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """`POST /patients` throughput without and with the feature, alternated (VARIANTS), one
    wrk run each after its warm-up; the database is left as the migration made it."""
    added = feature(url)
    runs = []
    for variant in VARIANTS:
        switched = switch(url, variant == WITH, added)
        run.log(f"feature {variant}: switched in {switched:.1f} s")
        result = drive(
            api_server, headers, ["register", str(count), str(values), "{run}", "1"], args, 1
        )
        runs.append({"variant": variant, "switched_s": switched, **asdict(result)})
    feature(url)
    return {"indexes": list(added.indexes), "triggers": list(added.triggers), "runs": runs}


def slowdown(runs: list[dict[str, Any]]) -> tuple[float, list[float]]:
    """1 - mean req/s with the feature / mean without; and each pair's ratio (with / without,
    the runs taken in order as pairs)."""
    rps = {variant: [r["rps"] for r in runs if r["variant"] == variant] for variant in VARIANTS}
    overall = 1 - statistics.mean(rps[WITH]) / statistics.mean(rps[WITHOUT])
    pairs = [b["rps"] / a["rps"] for a, b in zip(runs[::2], runs[1::2], strict=True)]
    return overall, pairs


# --- the doc section ---------------------------------------------------------------------------


def replace_section(text: str, section: str) -> str:
    """`text` with this benchmark's section (markers included) replaced, or added at the end."""
    if START in text and END in text[text.index(START) :]:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        return before + section.strip("\n") + after
    return text.rstrip("\n") + "\n\n" + section.strip("\n") + "\n"


def write_section(doc: Path, section: str) -> None:
    """Replace or add the section; the quality benchmark's introduction first if the doc is
    new (the rest of the doc is that benchmark's)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else INTRO
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(replace_section(text, section), encoding="utf-8")


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _latency(result: Mapping[str, Any]) -> str:
    return (
        f"p95 **{result['p95_ms']:.0f} ms** (p50 {result['p50_ms']:.0f}, "
        f"p99 {result['p99_ms']:.0f}; {result['rps']:,.0f} req/s"
        + (f", {result['errors']} errors" if result["errors"] else "")
        + ")"
    )


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def section(figures: Mapping[str, Any]) -> str:
    """The doc section: how it was measured, the targets table, the registrations run by run,
    each statement alone, and the plan of every statement behind a missed target."""
    facts, found, read, alone = (
        figures["facts"],
        figures["find"],
        figures["reads"],
        figures["statements"],
    )
    runs = figures["register"]["runs"]
    loss, pairs = slowdown(runs)
    dupes_worst = max(read["dupes_sequential_ms"])
    rows = [
        (
            "`POST /patients/match`, wrk 16 connections",
            f"p95 ≤ {MATCH_P95_MS:.0f} ms",
            _latency(read["match"]),
            read["match"]["p95_ms"] <= MATCH_P95_MS,
            "match",
        ),
        (
            f"`GET /patients?name_similar=…&_limit={SUGGESTIONS}` (the front end's \"Did you "
            'mean"), wrk 16 connections',
            f"p95 ≤ {SIMILAR_P95_MS:.0f} ms",
            _latency(read["similar"]),
            read["similar"]["p95_ms"] <= SIMILAR_P95_MS,
            "similar",
        ),
        (
            "`GET /patients?name_similar=…` (every similar name), wrk 16 connections",
            f"p95 ≤ {SIMILAR_P95_MS:.0f} ms",
            _latency(read["similar_all"]),
            read["similar_all"]["p95_ms"] <= SIMILAR_P95_MS,
            "similar_all",
        ),
        (
            f"`GET /duplicates?_page=1`, one user ({DUPES_TIMES} requests in a row, the "
            "slowest)",
            f"≤ {DUPES_MS / 1000:.0f} s",
            f"**{dupes_worst:.0f} ms** (first {read['dupes_sequential_ms'][0]:.0f} ms, median "
            f"{statistics.median(read['dupes_sequential_ms']):.0f} ms); at 16 connections: "
            + _latency(read["dupes"]),
            dupes_worst <= DUPES_MS,
            "dupes",
        ),
        (
            "`POST /patients` req/s with migration 0010's indexes and queue triggers, against "
            "without them",
            f"≤ {REGISTER_SLOWDOWN:.0%} slower",
            f"**{abs(loss):.1%} {'slower' if loss >= 0 else 'faster'}** (with / without, "
            "pair by pair: " + ", ".join(f"{ratio:.3f}" for ratio in pairs) + ")",
            loss <= REGISTER_SLOWDOWN,
            "register",
        ),
    ]
    find_line = (f"{found['failure']}; " if found.get("failure") else "") + (
        f"checked all {found['checked']:,} patients in {found['seconds']:.0f} s"
        if found["finished"]
        else f"stopped after {found['seconds'] / 60:.1f} minutes, having "
        f"checked {found['checked']:,} of {found['queued']:,} patients: the whole registry would "
        f"take ~{_duration(found['queued'] / max(found['rate'], 1e-9))} at that rate"
    )
    timeout = found["statement_timeout_ms"]
    imported = figures["import"]
    lines = [
        START,
        f"## Speed at {facts['records']:,} patients",
        "",
        f"Measured {facts['date']} by `cd backend && .venv/bin/python -m "
        f"benchmarks.duplicate_speed {facts['options']}` on {facts['server']} (PostgreSQL "
        f"{facts['postgres']}, shared_buffers {facts['shared_buffers']}); {facts['machine']}; "
        f"CPU {facts['busy']:.0%} busy just before the timed requests. "
        f"Whole run: {figures['total_minutes']:.0f} minutes. "
        + (
            f"Code (app/ and migrations) fingerprint {facts['code']}."
            if facts["code"] == facts["code_after"]
            else f"**The code changed during the run** (fingerprint {facts['code']} at the "
            f"start, {facts['code_after']} at the end): the figures mix the two."
        ),
        "",
        f"The data: {facts['records']:,} patients generated by `benchmarks/duplicates_data.py` "
        f"for {facts['size']:,} base patients (the quality section's realistic names, 1% of them "
        "registered twice). The candidates asked for: "
        f"{facts['candidates']:,} distinct stored names, each with one typist's slip (a "
        "neighbouring key, a letter dropped or doubled), and the stored patient's age and "
        "gender for `match`. The API ran as in the main benchmark (`python -m app serve "
        f"--workers {facts['workers']}`, ENVIRONMENT=production, a clinician's bearer token on "
        "every request, every read audited) with DUPLICATE_CHECK_INTERVAL_S=3600, so the "
        "background check never ran beside a timed phase. wrk: 2 threads, 16 connections, "
        f"{facts['seconds']:g} s runs after a {facts['warmup']:g} s warm-up, the median of "
        f"{facts['repetitions']} runs (registrations: one run per variant).",
        "",
        "After the import the run gives the database a `VACUUM ANALYZE`, as the main "
        "benchmark's loader does (autovacuum is "
        f"{facts['autovacuum']} on this server), and an `ANALYZE` after find-duplicates.",
        "",
        "| what | target | measured | met |",
        "| --- | --- | --- | :---: |",
        *(f"| {what} | {want} | {got} | {_met(ok)} |" for what, want, got, ok, _ in rows),
        f"| import of db.json (`python -m app.migration.cli --allow-rejects`) | - | "
        f"{imported['seconds']:.0f} s ({facts['records'] / imported['seconds']:,.0f} "
        "records/s, indexes built included); then `VACUUM ANALYZE` "
        f"{imported['analyze_seconds']:.0f} s | |",
        "| `python -m app find-duplicates` over the imported registry ("
        + (
            "the app's statement timeout"
            if timeout is None
            else f"DB_STATEMENT_TIMEOUT_MS={timeout}"
        )
        + f") | - | **{found['rate']:,.0f} patients/s**: {find_line}; "
        f"{found['pairs']:,} pairs found ("
        + ", ".join(f"{n:,} {grade}" for grade, n in sorted(found["grades"].items()))
        + ") | |",
        "",
        "`GET /duplicates` lists the pairs found so far"
        + (
            ""
            if found["finished"]
            else f" ({found['pairs']:,}, from the {found['checked']:,} patients checked), and "
            f"counts the {found['left']:,} still queued for its `X-Duplicates-Pending` header"
        )
        + ".",
        "",
        "### Registering without and with the feature",
        "",
        "Without: "
        + ", ".join(f"`{name}`" for name in figures["register"]["indexes"])
        + " dropped, "
        + ", ".join(f"`{name}`" for name in figures["register"]["triggers"])
        + " disabled; with: the indexes recreated from their definitions and the triggers "
        "enabled, as migration 0010 leaves them (the indexes and triggers it creates on "
        "patients); each switch ends with a CHECKPOINT, so an index build's writes fall on no run. "
        "One API server throughout; each run adds its registrations to the table.",
        "",
        "| run | feature | switched in | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {number} | {r['variant']} | {r['switched_s']:.1f} s | {r['rps']:,.0f} "
            f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} |"
            for number, r in enumerate(runs, start=1)
        ),
        "",
        "### Each statement alone",
        "",
        "The repository's own statement, one client in-process (no HTTP, nothing else running), "
        f"over {SAMPLE} of the candidates (`GET /duplicates` and registering: one), each rolled "
        "back: what PostgreSQL spends on one request. Under wrk, 16 requests share the two "
        "cores with the API's workers. Custom plans: planned for the candidate's values at each "
        "execution, as the first five executions on a pooled connection are (psycopg prepares "
        "a statement at its sixth); generic: one prepared plan for any values, which "
        "PostgreSQL may keep after five custom ones (`plan_cache_mode` forced either way).",
        "",
        "| statement | custom: median ms | p95 | slowest | generic: median ms | p95 | slowest |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {STATEMENTS[name]} | "
            + " | ".join(
                f"{alone[name][mode][key]:,.1f}"
                for mode in PLANS
                for key in ("median_ms", "p95_ms", "max_ms")
            )
            + " |"
            for name in CALLS
        ),
    ]
    missed = [(what, key) for what, _, _, ok, key in rows if not ok]
    if missed:
        lines += ["", "### The plans behind the missed targets", ""]
    for what, key in missed:
        mode = max(PLANS, key=lambda mode: float(alone[key][mode]["max_ms"]))
        lines += [
            f"<details><summary>{what}: EXPLAIN (ANALYZE, BUFFERS) of the slowest sampled "
            f"candidate's statement, {mode} plan (auto_explain)</summary>",
            "",
            "```text",
            without_sounds(alone[key][mode]["plan"]).strip(),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join([*lines, END]) + "\n"


# --- the run -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Generate, import, find, measure; write the doc section and print it."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--size", type=int, default=1_000_000, help="base patients to generate")
    cli.add_argument("--doc", type=Path, default=DOC)
    cli.add_argument("--database-url", help="server to create the fresh database on")
    cli.add_argument("--seconds", type=float, default=15.0, help="length of one wrk run")
    cli.add_argument("--warmup", type=float, default=2.0)
    cli.add_argument("--repetitions", type=int, default=3, help="median of this many runs")
    cli.add_argument("--timeout", type=float, default=10.0, help="wrk's per-request timeout")
    cli.add_argument("--workers", type=int, default=2, help="uvicorn workers, as `make bench`")
    cli.add_argument("--candidates", type=int, default=CANDIDATES)
    cli.add_argument(
        "--find-minutes", type=float, default=40.0, help="stop find-duplicates after this long"
    )
    cli.add_argument(
        "--quiet-minutes",
        type=float,
        default=20.0,
        help="wait at most this long for the machine to be idle before the wrk phases",
    )
    cli.add_argument(
        "--statement-timeout-ms",
        type=int,
        help="DB_STATEMENT_TIMEOUT_MS for find-duplicates (0: none); default: the app's own",
    )
    cli.add_argument(
        "--report-only", action="store_true", help="rewrite the doc section from results.json"
    )
    args = cli.parse_args(argv)
    if args.report_only:
        stored = json.loads((FOLDER / str(args.size) / "results.json").read_text())
        write_section(args.doc, section(stored))
        return
    started = time.monotonic()
    ensure_wrk()
    kept = FOLDER / str(args.size)  # the candidates, results and plans
    kept.mkdir(parents=True, exist_ok=True)
    facts: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "size": args.size,
        "server": (
            "the machine's PostgreSQL server (--database-url or TEST_DATABASE_URL)"
            if args.database_url or os.environ.get("TEST_DATABASE_URL")
            else "the embedded PostgreSQL in a temporary folder"
        ),
        **{key: getattr(args, key) for key in ("seconds", "warmup", "repetitions", "workers")},
        "options": _options(args, vars(cli.parse_args([]))),
    }
    where = machine()
    facts["machine"] = f"{where['nproc']} CPU cores ({where['cpu']}), load before {where['load']}"
    run.log(f"generating {args.size:,} base patients ...")
    data = duplicates_data.build(args.size)
    facts["records"] = len(data.records)
    chosen = candidates(data.records, args.candidates, SEED)
    facts["candidates"] = len(chosen)
    values = kept / "candidates.txt"
    values.write_text("".join(f"{candidate.line}\n" for candidate in chosen), encoding="utf-8")
    figures: dict[str, Any] = {"facts": facts}
    facts["code"] = code_version()  # as the database is made: the first use of app code

    def save() -> None:  # after each phase: a failed run keeps what it measured
        (kept / "results.json").write_text(json.dumps(figures, indent=1, default=str))

    with (
        tempfile.TemporaryDirectory(prefix="duplicate-speed-") as folder,
        server(args.database_url) as base,
        fresh_database(base) as database,
    ):
        facts["postgres"] = run.postgres_version(base)
        url = libpq(database)
        facts["shared_buffers"] = scalar(url, "SHOW shared_buffers")
        facts["autovacuum"] = scalar(url, "SHOW autovacuum")
        duplicates_data.write(data, Path(folder))
        del data
        run.log(f"importing {facts['records']:,} records ...")
        migrate = [sys.executable, "-m", "app.migration.cli", str(Path(folder) / "db.json")]
        ran = run_command([*migrate, "--allow-rejects", "--database-url", url], {}, None)
        figures["import"] = {
            "seconds": ran.seconds,
            "analyze_seconds": maintain(url, "VACUUM ANALYZE"),
        }
        staff = accounts.create(database)
        run.log(f"imported in {ran.seconds:.0f} s; finding duplicates ...")
        figures["find"] = find_duplicates(url, args)
        save()
        run.log(f"find-duplicates: {json.dumps(figures['find'])}")
        maintain(url, "ANALYZE")
        facts["busy"] = wait_quiet(args.quiet_minutes * 60)
        run.log(f"machine {facts['busy']:.0%} busy as the timed phases start")
        with api(database, facts["records"], values, args) as api_server:
            run.expect(api_server.url, staff.bearer, 200)
            run.expect(api_server.url, {}, 401)
            figures["reads"] = reads(
                api_server, staff.bearer, values, chosen[0], facts["records"], args
            )
            save()
            figures["statements"] = statements(url, chosen[:SAMPLE])
            save()
            figures["register"] = registering(
                api_server, staff.bearer, url, values, facts["records"], args
            )
    figures["total_minutes"] = (time.monotonic() - started) / 60
    facts["code_after"] = code_version()
    save()
    for name, modes in figures["statements"].items():
        for mode, measured in modes.items():
            (kept / f"explain-{name}-{mode}.txt").write_text(measured["plan"] + "\n")
    text = section(figures)
    write_section(args.doc, text)
    print(text)
    run.log(f"wrote {args.doc}; results and plans in {kept}")


def code_version() -> str:
    """A fingerprint of the code measured (app/ and the migrations), to tell whether it
    changed while the run went on (the repository may be worked on beside it)."""
    digest = hashlib.sha256()
    for path in sorted([*(BACKEND / "app").rglob("*.py"), *MIGRATION.parent.glob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _options(args: argparse.Namespace, defaults: Mapping[str, Any]) -> str:
    """How to reproduce the run: --size and every option not at its default (never the
    database URL: it may hold a password)."""
    shown = [
        (
            f"--{key.replace('_', '-')} {value:g}"
            if isinstance(value, float)
            else f"--{key.replace('_', '-')} {value}"
        )
        for key, value in vars(args).items()
        if key not in ("database_url", "doc") and (key == "size" or value != defaults.get(key))
    ]
    return " ".join(shown)


if __name__ == "__main__":
    main()
