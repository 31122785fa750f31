"""The db.json import on real PostgreSQL: exact counts, rejects, idempotence, verify, and a
run killed with SIGKILL that a second run completes."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, Engine, create_engine, text

from app.migration.cli import main
from app.migration.first_start import import_sample_if_empty
from app.migration.importer import ImportOptions, run_import
from app.migration.records import Valid
from app.migration.report import Difference
from app.migration.verify import run_verify
from app.migration.writer import (
    ALREADY_IMPORTED,
    REPEATED_IN_FILE,
    TAKEN,
    PatientWriter,
)
from app.models import Patient
from app.schemas.patient import PatientCreate
from benchmarks.generate_db_json import generate
from tests.conftest import patient
from tests.db import libpq

BACKEND = Path(__file__).resolve().parents[2]
COLUMNS = "patient_id, name, age, gender, medical_condition, last_visit, legacy_id"

# The mixed file: (legacy id, body). Positions are 1-based in this order.
MIXED: list[Any] = [
    {"id": "1", **patient(patientID="P001", name="John Doe")},  # 1 valid
    {"id": 2, **patient(patientID="P002", name="Ana Álvarez", gender="Female")},  # 2 valid
    {"id": "3e3a", **patient(patientID="p003", name="Zoë Émile", age="50")},  # 3 valid
    {"id": "4", **patient(patientID="P004", age=0)},  # 4 age range
    {"id": "5", **patient(patientID="P005", gender="male")},  # 5 gender
    {"id": "6", **patient(patientID="P006", lastVisit="2024-02-30")},  # 6 not a date
    {"id": "7", **patient(patientID="P007", lastVisit="2999-01-01")},  # 7 future
    {"id": "8", **patient(patientID="P008", name="  ")},  # 8 blank name
    {"id": "9", **patient(patientID=" P009")},  # 9 blanks around patientID
    {"id": "10", **patient(patientID="P010", email="x@y.z")},  # 10 unknown field
    {"id": "11", "patientID": "P011", "name": "No Rest"},  # 11 four fields missing
    ["not", "an", "object"],  # 12 not an object
    {"id": ["12"], **patient(patientID="P012")},  # 13 unusable id
    {"id": "a1b2", **patient(patientID="p001", name="Johnny Doe")},  # 14 repeats P001
    {"id": "15", **patient(patientID="EXISTING", name="Someone Else")},  # 15 taken in DB
    {"id": "16", **patient(patientID="P016", name="Émile Zola", age=88)},  # 16 valid
    {"id": "17", **patient(patientID="P003", name="Other")},  # 17 repeats p003 (2nd batch)
]
REJECT_REASONS = {
    4: [{"field": "age", "message": "must be between 1 and 150"}],
    5: [{"field": "gender", "message": "must be one of Male, Female, Other"}],
    6: [{"field": "lastVisit", "message": "is not a real calendar date"}],
    7: [{"field": "lastVisit", "message": "must not be in the future"}],
    8: [{"field": "name", "message": "must not be blank"}],
    9: [{"field": "patientID", "message": "must not start or end with blanks"}],
    10: [{"field": "email", "message": "is not a known field"}],
    11: [
        {"field": field, "message": "is required"}
        for field in ("age", "gender", "medicalCondition", "lastVisit")
    ],
    12: [{"field": "record", "message": "must be a JSON object"}],
    13: [{"field": "id", "message": "must be a text or a number"}],
}
NAMES = ["John Doe", "Ana Álvarez", "Zoë Émile", "Someone Else", "Johnny Doe", "Émile Zola"]


@pytest.fixture
def engine(database_url: URL, clean_db: None) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def conninfo(database_url: URL) -> str:
    return libpq(database_url)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "db.json"
    document = {"patients": MIXED, "posts": [{"id": "1"}], "profile": {"name": "clinic"}}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def existing_row(engine: Engine) -> None:
    """A patient registered through the API before the migration (no legacy id)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO patients ({COLUMNS}) VALUES "
                "('existing', 'Kept As Is', 30, 'Other', 'Asthma', '2023-03-03', NULL)"
            )
        )


def rows(engine: Engine, columns: str = f"id, {COLUMNS}, created_at, updated_at") -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(f"SELECT {columns} FROM patients ORDER BY id")))


def lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def skipped(position: int, legacy: str, holder: int, reason: str) -> dict[str, Any]:
    return {
        "position": position,
        "legacy_id": legacy,
        "id": holder,
        "outcome": "skipped",
        "reason": reason,
    }


def options(tmp_path: Path, **overrides: Any) -> ImportOptions:
    settings: dict[str, Any] = {
        "batch_size": 8,
        "rejects": tmp_path / "rejects.jsonl",
        "id_map": tmp_path / "ids.jsonl",
        "quiet": True,
    }
    return ImportOptions(**{**settings, **overrides})


def test_mixed_file_exact_counts_rejects_and_rows(
    engine: Engine, conninfo: str, mixed: Path, tmp_path: Path
) -> None:
    existing_row(engine)
    report = run_import(mixed, conninfo, options(tmp_path))

    assert (report.read, report.inserted, report.skipped, report.rejected) == (17, 4, 3, 10)
    assert report.ignored_collections == ["posts", "profile"]
    assert report.skip_reasons == {REPEATED_IN_FILE: 2, TAKEN: 1}
    assert report.reject_reasons["lastVisit: is not a real calendar date"] == 1
    assert sum(report.reject_reasons.values()) == 13  # record 11 has four reasons

    rejects = lines(tmp_path / "rejects.jsonl")
    assert [line["position"] for line in rejects] == list(REJECT_REASONS)
    for line in rejects:
        assert line["record"] == MIXED[line["position"] - 1]  # the original, id included
        assert line["reasons"] == REJECT_REASONS[line["position"]]

    assert rows(engine, f"id, {COLUMNS}") == [
        (1, "existing", "Kept As Is", 30, "Other", "Asthma", date(2023, 3, 3), None),
        (2, "P001", "John Doe", 45, "Male", "Hypertension", date(2024, 1, 15), "1"),
        (3, "P002", "Ana Álvarez", 45, "Female", "Hypertension", date(2024, 1, 15), "2"),
        (4, "p003", "Zoë Émile", 50, "Male", "Hypertension", date(2024, 1, 15), "3e3a"),
        (6, "P016", "Émile Zola", 88, "Male", "Hypertension", date(2024, 1, 15), "16"),
    ]
    assert lines(tmp_path / "ids.jsonl") == [
        {"position": 1, "legacy_id": "1", "id": 2, "outcome": "inserted"},
        {"position": 2, "legacy_id": "2", "id": 3, "outcome": "inserted"},
        {"position": 3, "legacy_id": "3e3a", "id": 4, "outcome": "inserted"},
        skipped(14, "a1b2", 2, REPEATED_IN_FILE),
        skipped(15, "15", 1, TAKEN),
        {"position": 16, "legacy_id": "16", "id": 6, "outcome": "inserted"},
        skipped(17, "17", 4, REPEATED_IN_FILE),
    ]
    # Position 14 repeated P001 in the same batch: the conflict spent id 5.
    assert report.id_map == [("1", 2), ("2", 3), ("3e3a", 4), ("16", 6)]


def test_an_import_keeps_each_patients_first_version_and_one_event_of_counts(
    engine: Engine, conninfo: str, mixed: Path, tmp_path: Path
) -> None:
    report = run_import(mixed, conninfo, options(tmp_path))
    with engine.connect() as connection:
        versions = connection.execute(
            text("SELECT patient_id, version, action, data->>'name' FROM patient_versions")
        ).all()
        patients = connection.execute(text("SELECT id, 1, 'import', name FROM patients")).all()
        events = connection.execute(
            text(
                "SELECT action, username, client, patient_ids, row_count, detail FROM audit_events"
            )
        ).all()
    assert sorted(versions) == sorted(patients)
    assert len(versions) == report.inserted == 5
    counts = {"read": 17, "inserted": 5, "skipped": 2, "rejected": 10}
    assert events == [("import", None, "command line", None, report.inserted, counts)]


def sequence(engine: Engine) -> Any:
    with engine.connect() as connection:
        return connection.scalar(
            text("SELECT last_value FROM pg_sequences WHERE sequencename LIKE 'patients_id%'")
        )


def test_rerun_changes_nothing_and_says_why(
    engine: Engine, conninfo: str, mixed: Path, tmp_path: Path
) -> None:
    existing_row(engine)
    run_import(mixed, conninfo, options(tmp_path))
    before = rows(engine)

    next_id = sequence(engine)

    again = run_import(mixed, conninfo, options(tmp_path, batch_size=3))

    assert rows(engine) == before  # timestamps included: not even rewritten
    assert sequence(engine) == next_id  # and no id was spent on the skipped records
    assert (again.read, again.inserted, again.skipped, again.rejected) == (17, 0, 7, 10)
    assert again.skip_reasons == {ALREADY_IMPORTED: 4, TAKEN: 3}
    assert [line["id"] for line in lines(tmp_path / "ids.jsonl")] == [2, 3, 4, 2, 1, 6, 4]


def test_verify_passes_after_import_and_catches_changed_and_missing_rows(
    engine: Engine, conninfo: str, mixed: Path, tmp_path: Path
) -> None:
    existing_row(engine)
    run_import(mixed, conninfo, options(tmp_path))

    clean = run_verify(mixed, conninfo, batch_size=5, quiet=True)
    assert (clean.compared, clean.matched, clean.duplicates) == (4, 4, 3)
    assert clean.ok and clean.differences == []

    with engine.begin() as connection:
        connection.execute(text("UPDATE patients SET age = 46, name = 'X' WHERE id = 3"))
        connection.execute(text("UPDATE patients SET patient_id = 'P003' WHERE id = 4"))
        connection.execute(text("DELETE FROM patients WHERE id = 6"))
    changed = run_verify(mixed, conninfo, batch_size=5, quiet=True)
    assert changed.differences == [
        Difference(2, "2", ["name", "age"]),
        Difference(3, "3e3a", ["patientID"]),
        Difference(16, "16", ["missing"]),
    ]
    assert (changed.compared, changed.matched) == (4, 1)
    assert not changed.ok
    text_report = changed.render()
    assert "position 2 (legacy id 2): differs in name, age" in text_report
    assert "46" not in text_report and "Ana" not in text_report  # fields, never values


def test_cli_exit_codes_and_report(
    engine: Engine, database_url: URL, mixed: Path, tmp_path: Path, capsys: Any
) -> None:
    url = database_url.render_as_string(hide_password=False)
    common = [str(mixed), "--database-url", url, "--batch-size", "4"]

    assert main([*common, "--dry-run"]) == 1  # rejects found, nothing written
    assert rows(engine) == []
    dry = capsys.readouterr().out
    assert "dry run (nothing written): 17 records read" in dry
    assert "valid                7  (would be written)" in dry

    assert main([*common, "--rejects", str(tmp_path / "r.jsonl")]) == 1
    out = capsys.readouterr().out
    assert "inserted             5" in out and "rejected            10" in out
    assert "1 -> 1, 2 -> 2, 3e3a -> 3, 15 -> 5, 16 -> 6" in out  # p001 spent 4
    assert len(lines(tmp_path / "r.jsonl")) == 10

    assert main([*common, "--allow-rejects", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "identical            5  (100.00%)" in out
    for name in NAMES:
        assert name not in out

    with engine.begin() as connection:
        connection.execute(text("UPDATE patients SET gender = 'Other' WHERE legacy_id = '1'"))
    assert main([*common, "--allow-rejects", "--verify"]) == 3
    assert "position 1 (legacy id 1): differs in gender" in capsys.readouterr().out
    before = rows(engine)
    assert main([*common, "--allow-rejects", "--verify", "--dry-run"]) == 3  # verify only
    assert "position 1 (legacy id 1): differs in gender" in capsys.readouterr().out
    assert rows(engine) == before

    assert main([str(tmp_path / "absent.json"), "--database-url", url]) == 2
    (tmp_path / "broken.json").write_text('{"patients": [{"id": 1}', encoding="utf-8")
    assert main([str(tmp_path / "broken.json"), "--database-url", url]) == 2
    assert len(rows(engine)) == 5


def test_logs_never_carry_patient_data(
    engine: Engine, conninfo: str, mixed: Path, tmp_path: Path, caplog: Any
) -> None:
    caplog.set_level("DEBUG")
    run_import(mixed, conninfo, options(tmp_path))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "rejected position 4 (legacy id 4)" in logged
    for name in NAMES:
        assert name not in logged


def test_a_row_the_database_refuses_is_rejected_alone(engine: Engine, conninfo: str) -> None:
    """Belt and braces: if the database ever refuses what validation passed (a CHECK, a NUL
    character), only that record is rejected, with the reason; the rest of its batch is
    written."""
    good = PatientCreate.model_validate(patient(patientID="OK1"))
    bad = PatientCreate.model_construct(**{**good.model_dump(), "patient_id": "BAD", "age": 0})
    writer = PatientWriter(conninfo)
    try:
        # Validation now refuses NUL too; construct the record to reach the database's refusal.
        nul = PatientCreate.model_construct(
            **{**good.model_dump(), "patient_id": "NUL", "name": "A\x00B"}
        )
        result = writer.write([Valid(1, "1", good), Valid(2, "2", bad), Valid(3, "3", nul)])
    finally:
        writer.close()
    assert [valid.position for valid, _ in result.inserted] == [1]
    assert [(r.position, r.reasons[0].message) for r in result.rejected] == [
        (2, "refused by the database (ck_patients_age_range)"),
        (3, "refused by the database (a value it cannot store)"),  # PostgreSQL text has no NUL
    ]
    assert [(row[0], row[1]) for row in rows(engine)] == [(result.inserted[0][1], "OK1")]


def test_first_start_imports_the_sample_once(engine: Engine, database_url: URL) -> None:
    url = database_url.render_as_string(hide_password=False)
    sample = BACKEND.parent / "db.json"
    expected = len(json.loads(sample.read_text(encoding="utf-8"))["patients"])
    assert import_sample_if_empty(url, sample) == expected
    assert len(rows(engine)) == expected
    assert import_sample_if_empty(url, sample) == 0  # not empty any more: never again
    assert len(rows(engine)) == expected


def test_first_start_survives_a_broken_sample(
    engine: Engine, database_url: URL, tmp_path: Path
) -> None:
    broken = tmp_path / "db.json"
    broken.write_text('{"patients": [', encoding="utf-8")
    url = database_url.render_as_string(hide_password=False)
    assert import_sample_if_empty(url, broken) == 0
    assert import_sample_if_empty(url, tmp_path / "absent.json") == 0
    assert rows(engine) == []


def index_names(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = 'patients'")
        )
        return {name for (name,) in found}


def test_killed_import_is_completed_by_a_rerun(
    engine: Engine, database_url: URL, tmp_path: Path
) -> None:
    """SIGKILL a real import mid-way; the database holds whole batches only, and running the
    file again ends exactly where one uninterrupted run ends (ids aside: a killed
    transaction's sequence numbers are never reused)."""
    path = tmp_path / "big.json"
    generate(60_000, path)  # large enough for the bulk path (indexes rebuilt at the end)
    url = database_url.render_as_string(hide_password=False)
    command = [
        sys.executable,
        str(BACKEND / "scripts" / "migrate_db_json.py"),
        str(path),
        "--database-url",
        url,
        "--batch-size",
        "500",
        "--allow-rejects",
    ]
    all_indexes = index_names(engine)
    patients_table = Patient.metadata.tables[Patient.__tablename__]  # a Table: it has indexes
    assert {str(index.name) for index in patients_table.indexes} <= all_indexes

    uninterrupted = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    expected = rows(engine, COLUMNS)
    assert index_names(engine) == all_indexes
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE patients RESTART IDENTITY CASCADE"))

    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        written = 0
        while written == 0 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
            written = len(rows(engine, "id"))
        assert process.poll() is None, "the import ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    partial = rows(engine, COLUMNS)
    assert 0 < len(partial) < len(expected)
    assert partial == expected[: len(partial)]  # a prefix of the file: whole batches only

    with engine.connect() as connection:
        recorded = connection.execute(text("SELECT name FROM deferred_indexes")).scalars().all()
    assert set(recorded) == all_indexes - index_names(engine)  # what the kill left missing

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert rows(engine, COLUMNS) == expected
    assert index_names(engine) == all_indexes
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM deferred_indexes")).scalar() == 0


def test_copy_escaping_stores_text_exactly(engine: Engine, conninfo: str) -> None:
    tricky = "O\\Brien\tJr\nIII\r\\N"
    data = PatientCreate.model_validate(patient(patientID="T\\1", medicalCondition=tricky))
    writer = PatientWriter(conninfo)
    try:
        result = writer.write([Valid(1, "a\tb", data), Valid(2, None, data)])
    finally:
        writer.close()
    assert len(result.inserted) == 1 and len(result.skipped) == 1
    assert rows(engine, "patient_id, medical_condition, legacy_id") == [("T\\1", tricky, "a\tb")]
