"""When a daily backup is due, and which backups retention keeps (app/backup/schedule.py)."""

from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

import pytest

from app.backup import schedule
from app.backup.manifest import (
    ARCHIVE_SUFFIX,
    Manifest,
    in_folder,
    manifest_path,
    newest_backup_age_s,
    stem,
    write,
)

AT = time_of_day(2, 0)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "newest", "failed_at", "due"),
    [
        # No backup yet: now.
        ("2026-12-02 15:00", None, None, "2026-12-02 15:00"),
        # Made at 02:00 today: tomorrow 02:00.
        ("2026-12-02 15:00", "2026-12-02 02:00", None, "2026-12-03 02:00"),
        # Made at a 09:00 start: the next 02:00 comes first.
        ("2026-12-02 15:00", "2026-12-02 09:00", None, "2026-12-03 02:00"),
        # Office hours only: yesterday's 08:00 start made one, 02:00 has passed, so now.
        ("2026-12-03 08:00", "2026-12-02 08:00", None, "2026-12-03 02:00"),
        # Made at 01:00: 02:00 the same night is the daily time, before 24 hours are up.
        ("2026-12-02 01:30", "2026-12-02 01:00", None, "2026-12-02 02:00"),
        # A failure after the newest backup: retried an hour later, not in a loop.
        ("2026-12-03 02:10", "2026-12-02 02:00", "2026-12-03 02:00", "2026-12-03 03:00"),
        ("2026-12-02 15:00", None, "2026-12-02 14:30", "2026-12-02 15:30"),
        # A failure older than the newest backup does not matter.
        ("2026-12-02 15:00", "2026-12-02 09:00", "2026-12-01 09:00", "2026-12-03 02:00"),
    ],
)
def test_next_due(now: str, newest: str | None, failed_at: str | None, due: str) -> None:
    assert schedule.next_due(
        moment(now),
        moment(newest) if newest else None,
        moment(failed_at) if failed_at else None,
        AT,
    ) == moment(due)


def make(folder: Path, created: datetime) -> Path:
    archive = folder / (stem(created) + ARCHIVE_SUFFIX)
    archive.write_bytes(b"archive")
    manifest = Manifest(
        created_at=created,
        archive=archive.name,
        bytes=7,
        sha256="0" * 64,
        encrypted=False,
        schema_revision="0009",
        server_version="18",
        tool="pg_dump",
        tables={},
    )
    write(manifest_path(archive), manifest)
    return archive


def test_retention_keeps_the_newest_and_removes_archive_and_manifest(tmp_path: Path) -> None:
    start = moment("2026-12-01 02:00")
    archives = [make(tmp_path, start + timedelta(days=day)) for day in range(5)]
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("kept")

    removed = schedule.prune(tmp_path, keep=2)

    assert removed == [a.name for a in archives[:3]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [unrelated.name]
        + [a.name for a in archives[3:]]
        + [manifest_path(a).name for a in archives[3:]]
    )


def test_a_failed_attempt_is_recorded_beside_the_folder_even_if_it_cannot_be_written(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "backups"
    blocked.write_text("a file where the folder should be")

    outcome = schedule.attempt("postgresql://nobody@127.0.0.1:1/none", blocked, None, keep=7)

    assert not outcome.ok and outcome.error
    assert schedule.last_attempt(blocked) == outcome


def test_only_a_manifest_with_its_archive_counts_as_a_backup(tmp_path: Path) -> None:
    """A backup interrupted between its manifest and its archive is no backup: not for the
    schedule, not for the backup age of /metrics."""
    older = make(tmp_path, moment("2026-12-01 02:00"))
    newer = make(tmp_path, moment("2026-12-02 02:00"))
    newer.unlink()

    assert [m.archive for m in in_folder(tmp_path)] == [older.name]
    assert newest_backup_age_s(tmp_path, moment("2026-12-02 03:00")) == 25 * 3600
    assert newest_backup_age_s(tmp_path / "none") is None
