"""The import: stream the file, validate each record, write batches, account for every record.

Parsing and validation (Python) run in the calling thread while a writer thread feeds PostgreSQL,
so the two CPUs of a small machine both work. The queue between them is bounded: memory stays
constant whatever the file's size.
"""

import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from app.audit import params_of
from app.migration.indexes import drop_for_bulk_load, rebuild, rebuild_deferred
from app.migration.progress import progress
from app.migration.records import Rejected, Valid, check
from app.migration.report import Report
from app.migration.source import Source
from app.migration.writer import BatchResult, PatientWriter, encode
from app.repositories import audit
from app.schemas.text import has_unpaired_surrogate

logger = logging.getLogger("app.migration")

DEFAULT_BATCH_SIZE = 10_000
# Below this many new rows, keeping the indexes is cheaper than rebuilding them.
BULK_LOAD_MIN = 50_000


@dataclass
class ImportOptions:
    """The command line's choices, usable from code (first start, tests, benchmark)."""

    batch_size: int = DEFAULT_BATCH_SIZE
    dry_run: bool = False
    rejects: Path | None = None
    id_map: Path | None = None
    defer_indexes: bool = True
    quiet: bool = False  # log lines instead of a bar, whatever stderr is


class Outputs:
    """The rejects and id-map files (JSON lines), opened only when asked for."""

    def __init__(self, rejects: IO[str] | None = None, id_map: IO[str] | None = None) -> None:
        self.rejects, self.id_map = rejects, id_map
        self.lock = threading.RLock()  # both threads reject (the writer: database refusals)

    @classmethod
    def open(cls, stack: ExitStack, options: ImportOptions) -> "Outputs":
        """The files `options` asks for, closed with `stack`."""
        return cls(_open(stack, options.rejects), _open(stack, options.id_map))

    def reject(self, rejected: Rejected) -> None:
        """One line per invalid record: its position, the record as found, every reason."""
        if self.rejects is None:
            return
        line = {
            "position": rejected.position,
            "record": rejected.record,
            "reasons": [{"field": p.field, "message": p.message} for p in rejected.reasons],
        }
        text = json.dumps(line, ensure_ascii=False, default=str)
        if has_unpaired_surrogate(text):  # kept as the JSON escape it came as: UTF-8 cannot
            text = json.dumps(line, default=str)
        with self.lock:
            self.rejects.write(text + "\n")

    def mapped(self, valid: Valid, new_id: int, outcome: str, reason: str | None = None) -> None:
        """One line per valid record: legacy id -> the id of the row now holding its patientID."""
        if self.id_map is None:
            return
        line: dict[str, Any] = {
            "position": valid.position,
            "legacy_id": valid.legacy_id,
            "id": new_id,
            "outcome": outcome,
        }
        if reason:
            line["reason"] = reason
        self.id_map.write(json.dumps(line) + "\n")


def _open(stack: ExitStack, path: Path | None) -> IO[str] | None:
    return None if path is None else stack.enter_context(path.open("w", encoding="utf-8"))


def validated(source: Source, report: Report, outputs: Outputs) -> Iterator[Valid]:
    """Every valid record in file order; rejects are counted and written on the way."""
    for position, record in enumerate(source.records(), start=1):
        report.read += 1
        result = check(position, record)
        if isinstance(result, Valid):
            yield result
        else:
            with outputs.lock:
                report.reject(result.reasons)
                outputs.reject(result)
            logger.debug("rejected position %d (legacy id %s)", position, result.legacy_id)


def batches(records: Iterator[Valid], size: int) -> Iterator[list[Valid]]:
    """Groups of `size`: the unit of one transaction."""
    batch: list[Valid] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class BackgroundWriter:
    """The writer thread: takes batches from a bounded queue, records each batch's outcome."""

    def __init__(self, writer: PatientWriter, report: Report, outputs: Outputs) -> None:
        self.writer, self.report, self.outputs = writer, report, outputs
        self.queue: queue.Queue[tuple[list[Valid], bytes] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="migration-writer", daemon=True)
        self.thread.start()

    def put(self, batch: list[Valid] | None) -> None:
        """Hand over a batch, waiting while two are queued; re-raise if the writer failed.
        Its COPY rows are encoded here, in the reading thread (see writer.encode)."""
        item = None if batch is None else (batch, encode(batch))
        while self.error is None:
            try:
                self.queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise self.error

    def finish(self) -> None:
        """Wait until every queued batch is written."""
        self.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                self._account(self.writer.write(*item))
        except BaseException as error:  # handed to the reading thread, which re-raises it
            self.error = error

    def _account(self, result: BatchResult) -> None:
        report = self.report
        outcomes: list[tuple[Valid, int, str | None]]
        outcomes = [(valid, new_id, None) for valid, new_id in result.inserted]
        if result.skipped:  # inserted ones are already in file order
            outcomes = sorted([*outcomes, *result.skipped], key=lambda item: item[0].position)
        for valid, row_id, reason in outcomes:
            if reason is None:
                report.inserted += 1
                report.map_id(valid.legacy_id, row_id)
                self.outputs.mapped(valid, row_id, "inserted")
            else:
                report.skipped += 1
                report.skip_reasons[reason] += 1
                self.outputs.mapped(valid, row_id, "skipped", reason)
        for rejected in result.rejected:
            with self.outputs.lock:
                report.reject(rejected.reasons)
                self.outputs.reject(rejected)


def run_import(path: Path, conninfo: str | None, options: ImportOptions) -> Report:
    """Import `path` into the database at `conninfo` (a libpq URI); None only for a dry run.

    Raises SourceError before writing anything if the file is not a json-server database.
    """
    started = time.monotonic()
    source = Source(path)
    report = Report(dry_run=options.dry_run, ignored_collections=source.info.ignored)
    report.phases["check file"] = time.monotonic() - started
    with ExitStack() as stack:
        outputs = Outputs.open(stack, options)
        bar = stack.enter_context(progress("import", source.info.total, options.quiet))
        if options.dry_run or conninfo is None:
            read = 0
            for batch in batches(validated(source, report, outputs), options.batch_size):
                report.valid += len(batch)
                bar.advance(report.read - read)
                read = report.read
            bar.advance(report.read - read)
        else:
            rebuild_deferred(conninfo)
            writer = PatientWriter(conninfo)
            stack.callback(writer.close)
            deferred: dict[str, str] = {}
            if options.defer_indexes and _worth_deferring(writer, source.info.total):
                deferred = drop_for_bulk_load(writer.connection)
            background = BackgroundWriter(writer, report, outputs)
            loading = time.monotonic()
            read = 0
            for batch in batches(validated(source, report, outputs), options.batch_size):
                background.put(batch)
                bar.advance(report.read - read)
                read = report.read
            background.finish()
            bar.advance(report.read - read)
            report.phases["load"] = time.monotonic() - loading
            if deferred:
                building = time.monotonic()
                rebuild(conninfo, deferred)
                report.phases["build indexes"] = time.monotonic() - building
                # Fresh statistics for the planner: with those of a near-empty table it would
                # pick the wrong index for a long while (the duplicate check's candidates, 50x).
                analyzing = time.monotonic()
                writer.connection.execute("ANALYZE patients")
                report.phases["analyze"] = time.monotonic() - analyzing
            _audited(writer, report)
    report.seconds = time.monotonic() - started
    logger.info(
        "import finished: read %d, inserted %d, skipped %d, rejected %d",
        report.read,
        report.inserted,
        report.skipped,
        report.rejected,
    )
    return report


def _audited(writer: PatientWriter, report: Report) -> None:
    """The `import` event: how many records were read, inserted, skipped and rejected."""
    counts = {
        "read": report.read,
        "inserted": report.inserted,
        "skipped": report.skipped,
        "rejected": report.rejected,
    }
    values = audit.record_values(params_of(None, counts), "import", 200, None, report.inserted)
    writer.connection.execute(audit.RECORD, values)


def _worth_deferring(writer: PatientWriter, total: int) -> bool:
    """Rebuilding pays off when many rows may arrive relative to those already there: measured
    here, maintaining the indexes costs ~6x per row what building them once does, so at least
    BULK_LOAD_MIN new rows and a third of the existing ones. (A finished file run again: no.)"""
    if total < BULK_LOAD_MIN:
        return False
    row = writer.connection.execute("SELECT count(*) FROM patients").fetchone()
    existing = row[0] if row else 0
    arriving = total - existing
    return arriving >= BULK_LOAD_MIN and arriving * 3 >= existing
