"""The command line's contract without a database: usage errors, exit codes, the report."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.config import REPO_DIR
from app.migration.cli import main, parser
from app.migration.report import Difference, Report, VerifyReport
from tests.conftest import patient


def db_json(tmp_path: Path, records: list[Any]) -> Path:
    path = tmp_path / "db.json"
    path.write_text(json.dumps({"patients": records}), encoding="utf-8")
    return path


def test_dry_run_needs_no_database(tmp_path: Path, capsys: Any) -> None:
    path = db_json(tmp_path, [{"id": "1", **patient()}, {"id": "2", **patient(age=0)}])
    rejects = tmp_path / "rejects.jsonl"
    assert main([str(path), "--dry-run", "--rejects", str(rejects)]) == 1
    assert main([str(path), "--dry-run", "--allow-rejects"]) == 0
    out = capsys.readouterr().out
    assert "dry run (nothing written): 2 records read" in out
    assert "1  age: must be between 1 and 150" in out
    assert "John Doe" not in out
    assert [json.loads(line)["position"] for line in rejects.read_text().splitlines()] == [2]


def test_an_unreachable_database_exits_4(tmp_path: Path) -> None:
    path = db_json(tmp_path, [patient()])
    assert main([str(path), "--database-url", "postgresql://nobody@127.0.0.1:1/none"]) == 4


def test_a_non_postgres_url_or_a_missing_file_exits_2(tmp_path: Path) -> None:
    assert main([str(db_json(tmp_path, [])), "--database-url", "sqlite:///x.db"]) == 2
    assert (
        main([str(tmp_path / "absent.json"), "--database-url", "postgresql://x@127.0.0.1:1/y"]) == 2
    )


@pytest.mark.parametrize("bad", [["--batch-size", "0"], ["--nope"]])
def test_usage_errors_exit_2(tmp_path: Path, bad: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([str(db_json(tmp_path, [])), *bad])
    assert stopped.value.code == 2


def test_without_a_path_the_repository_db_json_is_read(capsys: Any) -> None:
    """The seed's bare `python backend/scripts/migrate_db_json.py` imports the sample file."""
    assert parser().parse_args([]).path == REPO_DIR / "db.json"
    assert main(["--dry-run"]) == 0
    assert "dry run (nothing written): 3 records read" in capsys.readouterr().out


def test_exit_codes_follow_rejects_and_verification() -> None:
    report = Report(read=3, inserted=2, rejected=1)
    assert report.exit_code(allow_rejects=False) == 1
    assert report.exit_code(allow_rejects=True) == 0
    report.verify = VerifyReport(compared=2, matched=1, differences=[Difference(4, "x", ["age"])])
    assert report.exit_code(allow_rejects=True) == 3
    assert Report(read=1, inserted=1).exit_code(allow_rejects=False) == 0


def test_report_groups_reasons_and_hides_big_id_maps() -> None:
    report = Report(read=30, inserted=25, skipped=5, seconds=2.0)
    report.skip_reasons = Counter({"already imported: same patientID and legacy id": 5})
    for n in range(25):
        report.map_id(str(n), n + 100)
    text = report.render()
    assert "import: 30 records read in 2.0 s (15/s)" in text
    assert "       5  already imported: same patientID and legacy id" in text
    assert "new ids" not in text  # more than 20: the map is in --id-map only
    assert len(report.id_map) == 20
