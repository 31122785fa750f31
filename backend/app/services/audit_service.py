"""The admin's views of the audit trail: a filtered page, and the same filter as CSV. Looking
is itself audited (`audit_view`, `export`), in the same transaction as the reading."""

import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import asdict, replace

from app.audit import Actor
from app.database import Database
from app.repositories import audit
from app.repositories.audit import COLUMNS, EventFilter, EventRecord

CSV_HEADER = COLUMNS


WIRE = {"patient_id": "patientId", "since": "from", "until": "to"}


def _detail(wanted: EventFilter) -> dict[str, object]:
    """The filters, as the viewing event keeps them (ids, usernames, actions and times only)."""
    given = {key: value for key, value in asdict(wanted).items() if value is not None}
    return {WIRE.get(key, key): str(value) for key, value in given.items()}


def _disclosed(wanted: EventFilter) -> list[int] | None:
    return None if wanted.patient_id is None else [wanted.patient_id]


async def events_page(
    database: Database, actor: Actor, wanted: EventFilter, page: int, per_page: int
) -> tuple[list[EventRecord], int]:
    """Page `page` of the matching events, newest first, and how many match."""
    async with database.unit_of_work() as connection:
        found, total = await audit.page(connection, wanted, page, per_page)
        params = actor.params(detail=_detail(wanted))
        await audit.record(connection, params, "audit_view", 200, _disclosed(wanted), len(found))
    return found, total


async def export_csv(database: Database, actor: Actor, wanted: EventFilter) -> AsyncIterator[bytes]:
    """Commit the `export` event, then every matching event before it as CSV, newest first,
    a chunk at a time (the answer starts only once the event is in)."""
    async with database.unit_of_work() as connection:
        total = await audit.count(connection, wanted)
        params = actor.params(detail=_detail(wanted))
        event = await audit.record(connection, params, "export", 200, _disclosed(wanted), total)
    return _csv_chunks(database, replace(wanted, before=event))


async def _csv_chunks(database: Database, wanted: EventFilter) -> AsyncIterator[bytes]:
    yield _csv_lines([CSV_HEADER])
    async with database.reader() as connection:
        async for chunk in audit.stream(connection, wanted):
            yield _csv_lines([_csv_row(event) for event in chunk])


def _csv_row(event: EventRecord) -> tuple[object, ...]:
    values = asdict(event)
    values["at"] = event.at.isoformat()
    values["patient_ids"] = (
        "" if event.patient_ids is None else " ".join(map(str, event.patient_ids))
    )
    values["detail"] = "" if event.detail is None else json.dumps(event.detail, sort_keys=True)
    return tuple(values[column] for column in COLUMNS)


def _csv_lines(rows: list[tuple[object, ...]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()
