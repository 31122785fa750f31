"""Daily backups beside the embedded server, and the record of the last attempt that /health
reads (`python -m app serve` runs `Scheduler` in a thread of its own).

A backup is due when the folder holds none, when the newest is 24 hours old, or when the daily
time (BACKUP_AT_UTC) has come since it was made: a registry that only runs in office hours
still gets one backup a day, at its first start. A failed attempt is retried an hour later.
"""

import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

from pydantic import BaseModel, ValidationError

from app.backup import manifest
from app.backup.service import BackupError, back_up
from app.files import write_private

logger = logging.getLogger("app.backup")

DAY = timedelta(days=1)
RETRY_AFTER = timedelta(hours=1)


class Attempt(BaseModel):
    """The last backup attempt into a folder, kept beside it (`status_path`)."""

    at: datetime
    ok: bool
    error: str | None = None
    archive: str | None = None  # the archive made, when ok


def status_path(folder: Path) -> Path:
    """Where the last attempt into `folder` is kept: beside the folder, not in it, so that a
    folder that cannot be written (a full or missing disk) is still reported."""
    return folder.with_name(folder.name + "-last-attempt.json")


def record(folder: Path, attempt: Attempt) -> None:
    """Keep `attempt` as the folder's last (0600, replaced whole); a failure to keep it is
    logged, never raised: the service goes on serving."""
    try:
        write_private(status_path(folder), attempt.model_dump_json() + "\n")
    except OSError as error:
        logger.error("backup status not recorded: %s", type(error).__name__)


def last_attempt(folder: Path) -> Attempt | None:
    """The folder's last attempt; None if there was none (or its record is unreadable)."""
    try:
        return Attempt.model_validate(json.loads(status_path(folder).read_text()))
    except (OSError, ValueError, ValidationError):
        return None


def next_due(
    now: datetime, newest: datetime | None, failed_at: datetime | None, at_utc: time_of_day
) -> datetime:
    """When the next backup is due (see the module's docstring); `now` or earlier means now."""
    if newest is None:
        due = now
    else:
        daily = datetime.combine(newest.date(), at_utc, UTC)
        if daily <= newest:
            daily += DAY
        due = min(daily, newest + DAY)
    if failed_at is not None and (newest is None or failed_at > newest):
        due = max(due, failed_at + RETRY_AFTER)
    return due


def prune(folder: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` backups (archive and manifest); their names."""
    removed = []
    for old in manifest.in_folder(folder)[:-keep]:
        for path in (folder / old.archive, manifest.manifest_path(folder / old.archive)):
            path.unlink(missing_ok=True)
        removed.append(old.archive)
    return removed


def attempt(url: str, folder: Path, passphrase: str | None, keep: int) -> Attempt:
    """One backup into `folder`, recorded and logged, then the old ones pruned; never raises
    for a failed backup (the service must keep serving): the outcome says what happened."""
    started = time.monotonic()
    try:
        archive, made = back_up(url, folder, passphrase)
    except (BackupError, OSError) as error:
        reason = str(error)
    except Exception as error:
        reason = f"unexpected {type(error).__name__}"  # its message might quote a value
    else:
        outcome = Attempt(at=made.created_at, ok=True, archive=archive.name)
        record(folder, outcome)
        removed = prune(folder, keep)
        logger.info(
            "backup made",
            extra={
                "archive": archive.name,
                "bytes": made.bytes,
                "encrypted": made.encrypted,
                "seconds": round(time.monotonic() - started, 1),
                "pruned": len(removed),
            },
        )
        return outcome
    logger.error("backup failed: %s", reason)
    outcome = Attempt(at=datetime.now(UTC), ok=False, error=reason)
    record(folder, outcome)
    return outcome


class Scheduler(threading.Thread):
    """Backs the embedded server's database up daily until `stop()`."""

    def __init__(
        self, url: str, folder: Path, passphrase: str | None, keep: int, at_utc: time_of_day
    ) -> None:
        super().__init__(name="backup-scheduler", daemon=True)
        self.url, self.folder, self.passphrase = url, folder, passphrase
        self.keep, self.at_utc = keep, at_utc
        self.stopping = threading.Event()

    def seconds_until_due(self) -> float:
        """From the folder itself, so backups made with `python -m app backup` count too."""
        try:
            made = manifest.in_folder(self.folder)
        except OSError:
            made = []
        last = last_attempt(self.folder)
        failed_at = last.at if last is not None and not last.ok else None
        now = datetime.now(UTC)
        newest = made[-1].created_at if made else None
        return max(0.0, (next_due(now, newest, failed_at, self.at_utc) - now).total_seconds())

    def run(self) -> None:
        """Wait for the next due time (woken early by `stop`), back up, repeat."""
        while not self.stopping.wait(self.seconds_until_due()):
            attempt(self.url, self.folder, self.passphrase, self.keep)

    def stop(self) -> None:
        """Let a backup under way finish (its archive is complete or absent), then end."""
        self.stopping.set()
        self.join(timeout=120)
