"""--verify: every valid record of the file against its database row, field by field.

Streams like the import: one lookup per batch, so memory stays constant. A record is matched to
the row holding its patientID (ignoring case); if that row came from another record (another
legacy id) the import skipped this one as a duplicate, as its report said: counted, not compared.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from app.migration.importer import Outputs, batches, validated
from app.migration.progress import progress
from app.migration.records import Valid
from app.migration.report import Difference, Report, VerifyReport
from app.migration.source import Source
from app.schemas.patient import BROUGHT

# Wire name -> column of the fields a record brings, in the order differences are listed.
COMPARED = BROUGHT
LOOKUP = sql.SQL("""
SELECT k.n, {columns}, p.legacy_id
FROM unnest(%s::text[]) WITH ORDINALITY AS k(patient_id, n)
LEFT JOIN patients p ON lower(p.patient_id) = lower(k.patient_id)
""").format(columns=sql.SQL(", ").join(sql.Identifier("p", c) for c in COMPARED.values()))


def run_verify(path: Path, conninfo: str, batch_size: int, quiet: bool = False) -> VerifyReport:
    """Compare the file with the database; writes nothing."""
    source = Source(path)
    result = VerifyReport()
    scratch = Report()  # the reading pass counts rejects; the import already reported them
    with (
        psycopg.connect(conninfo, autocommit=True) as connection,
        progress("verify", source.info.total, quiet) as bar,
    ):
        outputs = Outputs()
        read = 0
        for batch in batches(validated(source, scratch, outputs), batch_size):
            _compare(connection, batch, result)
            bar.advance(scratch.read - read)
            read = scratch.read
    return result


def _compare(
    connection: psycopg.Connection[tuple[Any, ...]], batch: Sequence[Valid], result: VerifyReport
) -> None:
    rows = connection.execute(LOOKUP, ([v.patient.patient_id for v in batch],)).fetchall()
    for n, *row in rows:
        valid = batch[n - 1]
        result.compared += 1
        if row[0] is None:
            result.differences.append(Difference(valid.position, valid.legacy_id, ["missing"]))
            continue
        stored = dict(zip([*COMPARED.values(), "legacy_id"], row, strict=True))
        if stored.pop("legacy_id") != valid.legacy_id:
            # Another record holds this patientID: the import skipped this one, as reported.
            result.compared -= 1
            result.duplicates += 1
            continue
        wanted = valid.patient.model_dump()
        different = [wire for wire, column in COMPARED.items() if stored[column] != wanted[column]]
        if different:
            result.differences.append(Difference(valid.position, valid.legacy_id, different))
        else:
            result.matched += 1
