"""Progress: a rich bar on a terminal, a plain log line every few seconds otherwise."""

import logging
import sys
import time
from types import TracebackType
from typing import Protocol

logger = logging.getLogger("app.migration")

LOG_EVERY_SECONDS = 5.0


class Progress(Protocol):
    """What the import needs from a progress display."""

    def __enter__(self) -> "Progress": ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def advance(self, count: int) -> None:
        """`count` more records have been read."""


class LogProgress:
    """For logs and CI: counts and rate, never record contents."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.start = self.last = time.monotonic()

    def __enter__(self) -> "LogProgress":
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def advance(self, count: int) -> None:
        """Count; log at most every few seconds."""
        self.done += count
        now = time.monotonic()
        if now - self.last >= LOG_EVERY_SECONDS:
            self.last = now
            rate = self.done / (now - self.start)
            logger.info("%s: %d/%d records (%.0f/s)", self.label, self.done, self.total, rate)


class BarProgress:
    """A rich progress bar on stderr."""

    def __init__(self, label: str, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Rich

        self.bar = Rich(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> "BarProgress":
        self.bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.bar.stop()

    def advance(self, count: int) -> None:
        """Move the bar."""
        self.bar.advance(self.task, count)


def progress(label: str, total: int, quiet: bool = False) -> Progress:
    """A bar when a person watches stderr, log lines when a machine does."""
    if not quiet and sys.stderr.isatty():
        return BarProgress(label, total)
    return LogProgress(label, total)
