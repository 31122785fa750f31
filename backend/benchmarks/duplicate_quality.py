"""How well the registry finds duplicates: precision and recall on labelled generated data.

Generates the labelled db.json (benchmarks/duplicates_data.py) into a temporary folder, imports
it into a fresh database with the migration command, runs `python -m app find-duplicates` (the
background check, all at once, timed), then compares `duplicate_pairs` with the labels. Writes
its section of docs/duplicates.md (tables only: no patient, even a generated one, goes into
docs/) and prints it, then prints the lowest-scoring missed duplicates and some unexpected
pairs for tuning.

    cd backend && .venv/bin/python -m benchmarks.duplicate_quality [--size 100000]
        [--doc ../docs/duplicates.md] [--database-url URL]

The server: --database-url's, else TEST_DATABASE_URL's, else an embedded one in a temporary
folder; the database is created for the run and dropped afterwards.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from app import matching
from benchmarks import duplicates_data
from benchmarks.duplicates_data import KINDS, Labelled, Record
from benchmarks.import_benchmark import BACKEND, machine, server
from tests.db import fresh_database, libpq

DOC = BACKEND.parent / "docs" / "duplicates.md"
START, END = "<!-- quality:start -->", "<!-- quality:end -->"
INTRO = """# Possible duplicates

How the registry finds patients registered twice: the scoring rule is in
`backend/app/matching.py`, the background check that fills `duplicate_pairs` in
`backend/app/repositories/duplicates.py`. The section below measures how well they do on
labelled generated data.
"""
EXAMPLES = 10
Pair = frozenset[str]

FLAGGED = (
    "SELECT pa.legacy_id, pb.legacy_id, d.score, d.grade, d.reasons FROM duplicate_pairs d"
    " JOIN patients pa ON pa.id = d.a JOIN patients pb ON pb.id = d.b"
)
# The rule's score of given pairs (by json-server id), found or not.
SCORES = sql.SQL(
    "SELECT m.a, m.b, s.score, s.reasons FROM unnest(%(a)s::text[], %(b)s::text[]) AS m (a, b)"
    " JOIN patients pa ON pa.legacy_id = m.a JOIN patients pb ON pb.legacy_id = m.b"
    " CROSS JOIN LATERAL ({scored}) AS s"
).format(scored=matching.scored(matching.row("pa"), matching.row("pb")))


@dataclass
class Scored:
    """A pair and what the rule makes of it."""

    score: float
    reasons: list[str]
    grade: str = ""


@dataclass
class Outcome:
    """Everything the report needs from one run."""

    data: Labelled
    flagged: dict[Pair, Scored]
    labelled: dict[Pair, Scored]  # every labelled pair (duplicate or hard), found or not
    seconds: dict[str, float]
    patients: int
    pending: int
    facts: dict[str, Any] = field(default_factory=dict)


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Run a backend command (`env` added to ours); its wall time. Its last lines go to
    stdout, all of its output on failure."""
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=BACKEND, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"{' '.join(command[1:4])} failed with exit status {done.returncode}")
    for line in done.stdout.strip().splitlines()[-3:]:
        print(f"  {line}")
    return seconds


def read(url: str, data: Labelled) -> tuple[dict[Pair, Scored], dict[Pair, Scored], int, int]:
    """The pairs found, the rule's score of every labelled pair, the number of patients and
    of patients still to check."""
    with psycopg.connect(url) as connection:
        flagged = {
            frozenset((a, b)): Scored(float(score), list(reasons), grade)
            for a, b, score, grade, reasons in connection.execute(FLAGGED).fetchall()
        }
        pairs = [(p["a"], p["b"]) for p in [*data.duplicates, *data.distinct]]
        rows = connection.execute(
            SCORES, {"a": [a for a, _ in pairs], "b": [b for _, b in pairs]}
        ).fetchall()
        labelled = {
            frozenset((a, b)): Scored(float(score), list(reasons)) for a, b, score, reasons in rows
        }
        patients = connection.execute("SELECT count(*) FROM patients").fetchone()
        pending = connection.execute("SELECT count(*) FROM duplicate_queue").fetchone()
    return flagged, labelled, int(patients[0]) if patients else 0, int(pending[0]) if pending else 0


def grade_of(score: float) -> str:
    """The rule's grade of a score ("" below possible)."""
    return next((name for name, floor in matching.GRADES if score >= floor - 1e-6), "")


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def report(outcome: Outcome) -> str:
    """The doc section: the run, then the tables."""
    data, flagged, labelled = outcome.data, outcome.flagged, outcome.labelled
    duplicates = {frozenset((p["a"], p["b"])): p["kind"] for p in data.duplicates}
    distinct = {frozenset((p["a"], p["b"])) for p in data.distinct}
    twins = {frozenset(pair) for pair in data.coincidental_pairs}
    found = flagged.keys() & duplicates.keys()
    unexpected = flagged.keys() - duplicates.keys() - distinct
    stats = data.stats
    facts = outcome.facts
    rate = outcome.patients / outcome.seconds["find"] if outcome.seconds["find"] else 0.0
    lines = [
        START,
        "## Detection quality on labelled data",
        "",
        f"Measured {facts['date']} by `cd backend && .venv/bin/python -m "
        f"benchmarks.duplicate_quality {facts['options']}` on {facts['server']}; "
        f"{facts['machine']}.",
        "",
        f"The data: {stats['records']:,} generated patients (`benchmarks/duplicates_data.py`, "
        f"seed {facts['seed']}): {stats['base']:,} base patients from {stats['surnames_used']:,} "
        f"surnames and {stats['male_first_names']} male and {stats['female_first_names']} "
        f"female first names across {len(duplicates_data.CULTURES)} naming traditions, "
        f"{len(data.duplicates):,} labelled duplicates (a base patient registered again with "
        f"one change, {len(data.duplicates) // len(KINDS)} of "
        f"each kind below) and {len(data.distinct):,} hard non-duplicates (a common name shared "
        "with someone of the other gender and at least 5 years older or younger). "
        f"{stats['ages_redrawn']} base patients were given another age so that no two of "
        "them share the same name and gender at most a year apart: no rule could tell such a "
        "pair from a duplicate. "
        f"{stats['coincidental']} pairs of different generated people still happen to share "
        "them; they count against precision as any other unlabelled pair.",
        "",
        f"Imported with `migrate-db-json` in {outcome.seconds['import']:.0f} s; "
        f"`python -m app find-duplicates` ({facts['timeout']}) checked all "
        f"{outcome.patients:,} patients in "
        f"{outcome.seconds['find']:.0f} s ({rate:,.0f} patients/s), "
        f"{outcome.pending} left unchecked.",
        "",
        "| | |",
        "| --- | ---: |",
        f"| pairs flagged (probable or certain) | {len(flagged):,} |",
        f"| of which labelled duplicates | {len(found):,} |",
        f"| **precision** | **{percent(len(found), len(flagged))}** |",
        f"| **recall** (of {len(duplicates):,} labelled duplicates) "
        f"| **{percent(len(found), len(duplicates))}** |",
        f"| hard non-duplicates flagged (of {len(distinct):,}) "
        f"| {len(flagged.keys() & distinct):,} |",
        f"| unexpected pairs flagged (neither duplicates nor hard non-duplicates) "
        f"| {len(unexpected):,} |",
        f"| of which the same name, gender and age within a year (coincidental twins) "
        f"| {len(unexpected & twins):,} |",
        f"| precision if those twins counted as duplicates "
        f"| {percent(len(found) + len(unexpected & twins), len(flagged))} |",
        "",
        "### Recall by kind of duplicate",
        "",
        "Missed pairs are split by what the scoring rule gives them when asked directly: at "
        "least probable means the rule would flag the pair but the candidate search never put "
        "the two side by side.",
        "",
        "| kind | pairs | found | recall | certain | probable | missed, rule says probable+ "
        "| missed, rule says less | median score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in KINDS:
        of_kind = [pair for pair, its in duplicates.items() if its == kind]
        hits = [pair for pair in of_kind if pair in flagged]
        grades = Counter(flagged[pair].grade for pair in hits)
        missed = [labelled[pair].score for pair in of_kind if pair not in flagged]
        scores = [labelled[pair].score for pair in of_kind]
        above = sum(1 for score in missed if score >= matching.PROBABLE - 1e-6)
        lines.append(
            f"| {kind.replace('_', ' ')} | {len(of_kind)} | {len(hits)} "
            f"| {percent(len(hits), len(of_kind))} | {grades['certain']} | {grades['probable']} "
            f"| {above} | {len(missed) - above} | {statistics.median(scores):.2f} |"
        )
    lines += [
        "",
        "### What was flagged, by grade",
        "",
        "| grade | pairs | labelled duplicates | hard non-duplicates | coincidental twins "
        "| other unexpected | precision |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for grade in ("certain", "probable"):
        pairs = {pair for pair, scored in flagged.items() if scored.grade == grade}
        true = len(pairs & duplicates.keys())
        lines.append(
            f"| {grade} | {len(pairs):,} | {true:,} | {len(pairs & distinct):,} "
            f"| {len(pairs & unexpected & twins):,} | {len(pairs & unexpected - twins):,} "
            f"| {percent(true, len(pairs))} |"
        )
    hard = [labelled[pair].score for pair in distinct]
    lines += [
        "",
        f"Hard non-duplicates score at most {max(hard):.2f} by the rule (median "
        f"{statistics.median(hard):.2f}); probable starts at {matching.PROBABLE}.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(doc: Path, section: str) -> None:
    """Replace this benchmark's section of `doc` (markers included), or add it; the intro
    first if the doc does not exist yet."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else INTRO
    if START in text and END in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        text = before + section.rstrip("\n") + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def describe(record: Record) -> str:
    return f"{record['name']!r} {record['age']} {record['gender']} {record['patientID']}"


def examples(outcome: Outcome) -> Iterable[str]:
    """For tuning, on stdout only: the lowest-scoring missed duplicates and the best-scoring
    unexpected pairs, those that are not coincidental twins first (the rule can do nothing
    about twins)."""
    data, flagged, labelled = outcome.data, outcome.flagged, outcome.labelled
    records = {record["id"]: record for record in data.records}
    twins = {frozenset(pair) for pair in data.coincidental_pairs}
    missed = sorted(
        (labelled[frozenset((p["a"], p["b"]))].score, p)
        for p in data.duplicates
        if frozenset((p["a"], p["b"])) not in flagged
    )
    yield f"{EXAMPLES} lowest-scoring missed duplicates (of {len(missed)}):"
    for score, pair in missed[:EXAMPLES]:
        scored = labelled[frozenset((pair["a"], pair["b"]))]
        yield f"  {pair['kind']}: {score:.2f} {grade_of(score) or '-'} {scored.reasons}"
        yield f"    {describe(records[pair['a']])}  /  {describe(records[pair['b']])}"
    known = {frozenset((p["a"], p["b"])) for p in [*data.duplicates, *data.distinct]}
    unexpected = sorted(
        (frozenset(pair) in twins, -scored.score, sorted(pair, key=int))
        for pair, scored in flagged.items()
        if pair not in known
    )
    yield f"{EXAMPLES} best-scoring unexpected pairs (of {len(unexpected)}):"
    for twin, _, (a, b) in unexpected[:EXAMPLES]:
        scored = flagged[frozenset((a, b))]
        yield f"  {scored.score:.2f} {scored.grade} {scored.reasons}{' (twins)' if twin else ''}"
        yield f"    {describe(records[a])}  /  {describe(records[b])}"


def main(argv: list[str] | None = None) -> None:
    """Generate, import, find, compare; write the doc section and print it."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--size", type=int, default=duplicates_data.DEFAULT_SIZE)
    cli.add_argument("--seed", type=int, default=duplicates_data.SEED)
    cli.add_argument("--doc", type=Path, default=DOC)
    cli.add_argument("--database-url", help="server to create the fresh database on")
    cli.add_argument(
        "--statement-timeout-ms",
        type=int,
        help="DB_STATEMENT_TIMEOUT_MS for find-duplicates (0: none); default: the app's own",
    )
    args = cli.parse_args(argv)
    facts: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seed": args.seed,
        "server": (
            "the PostgreSQL server at --database-url or TEST_DATABASE_URL"
            if args.database_url or os.environ.get("TEST_DATABASE_URL")
            else "the embedded PostgreSQL in a temporary folder"
        ),
    }
    timeout = args.statement_timeout_ms
    facts["timeout"] = (
        "the app's statement timeout" if timeout is None else f"DB_STATEMENT_TIMEOUT_MS={timeout}"
    )
    # How to reproduce it (never the database URL: it may hold a password).
    facts["options"] = " ".join(
        [f"--size {args.size}"]
        + ([f"--seed {args.seed}"] if args.seed != duplicates_data.SEED else [])
        + ([f"--statement-timeout-ms {timeout}"] if timeout is not None else [])
    )
    print(f"generating {args.size:,} base patients ...", flush=True)
    data = duplicates_data.build(args.size, args.seed)
    with (
        tempfile.TemporaryDirectory(prefix="duplicate-quality-") as folder,
        server(args.database_url) as base,
        fresh_database(base) as database,
    ):
        path = Path(folder) / "db.json"
        duplicates_data.write(data, Path(folder))
        url = libpq(database)
        seconds: dict[str, float] = {}
        print(f"importing {len(data.records):,} records ...", flush=True)
        migrate = [sys.executable, "-m", "app.migration.cli", str(path), "--allow-rejects"]
        seconds["import"] = timed([*migrate, "--database-url", url])
        print("finding duplicates ...", flush=True)
        seconds["find"] = timed(
            [sys.executable, "-m", "app", "find-duplicates", "--database-url", url],
            {} if timeout is None else {"DB_STATEMENT_TIMEOUT_MS": str(timeout)},
        )
        flagged, labelled, patients, pending = read(url, data)
    where = machine()
    facts["machine"] = f"{where['nproc']} CPUs ({where['cpu']}), load {where['load']}"
    outcome = Outcome(data, flagged, labelled, seconds, patients, pending, facts)
    section = report(outcome)
    write_section(args.doc, section)
    print(section)
    print(f"wrote {args.doc}")
    for line in examples(outcome):
        print(line)


if __name__ == "__main__":
    main()
