"""Writing validated patients with PostgreSQL's bulk path, one transaction per batch.

COPY into a session-local staging table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING.
A batch is all or nothing, and a patientID already present is never written twice, so a run
killed at any point leaves whole batches behind and running the file again completes it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from app.errors import FieldProblem
from app.migration.records import Rejected, Valid
from app.schemas.patient import BROUGHT

# The columns of the fields a record brings, then its legacy id; `encode` writes them in this order.
COLUMNS = (*BROUGHT.values(), "legacy_id")

CREATE_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS migration_staging (
    position bigint NOT NULL,
    patient_id text NOT NULL,
    name text NOT NULL,
    age integer NOT NULL,
    gender text NOT NULL,
    medical_condition text NOT NULL,
    last_visit date NOT NULL,
    legacy_id text
) ON COMMIT DELETE ROWS
"""
COPY_STAGING = sql.SQL("COPY migration_staging (position, {}) FROM STDIN").format(
    sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
)
# File order decides which of two records with one patientID wins, and ids follow file order.
# Each new patient's first version ("import") is written by the same statement.
INSERT_STAGED = sql.SQL("""
    WITH added AS (
        INSERT INTO patients ({columns})
        SELECT {columns} FROM migration_staging s {where}
        ORDER BY position
        ON CONFLICT (lower(patient_id)) DO NOTHING
        RETURNING id, patient_id, version, patient_snapshot(patients) AS snapshot
    ), versioned AS (
        INSERT INTO patient_versions (patient_id, version, action, data)
        SELECT id, version, 'import', snapshot FROM added
    )
    SELECT id, patient_id FROM added
    """)
# Into a table that had rows, records whose patientID is taken are filtered out before they reach
# the identity column, so a re-run spends no ids. Into an empty table only repeats within the
# file can conflict (each spends one id); the probe is skipped there as it costs ~10% of a load.
NOT_TAKEN = sql.SQL(
    "WHERE NOT EXISTS (SELECT FROM patients p WHERE lower(p.patient_id) = lower(s.patient_id))"
)
HOLDERS = """
SELECT s.position, p.id, p.legacy_id
FROM unnest(%s::bigint[]) AS k(position)
JOIN migration_staging s USING (position)
JOIN patients p ON lower(p.patient_id) = lower(s.patient_id)
"""

ALREADY_IMPORTED = "already imported: same patientID and legacy id"
REPEATED_IN_FILE = "patientID repeats an earlier record of this file"
TAKEN = "patientID already used by another patient in the database"
VANISHED = "patientID was taken by a patient deleted during the import: run the file again"


@dataclass
class BatchResult:
    """Per record of a batch: the new id, or the id of the patient already holding the
    patientID with the reason it was skipped, or a reject the database itself refused."""

    inserted: list[tuple[Valid, int]] = field(default_factory=list)
    skipped: list[tuple[Valid, int, str]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


class PatientWriter:
    """One psycopg connection owning the staging table."""

    def __init__(self, conninfo: str) -> None:
        self.connection = psycopg.connect(conninfo, autocommit=True)
        self.connection.execute(CREATE_STAGING)
        # Rows with a higher id than today's last one were written by this run.
        row = self.connection.execute("SELECT coalesce(max(id), 0) FROM patients").fetchone()
        self.watermark: int = row[0] if row else 0
        self.insert = INSERT_STAGED.format(
            columns=sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
            where=NOT_TAKEN if self.watermark else sql.SQL(""),
        )

    def close(self) -> None:
        """Close the connection (the staging table goes with it)."""
        self.connection.close()

    def write(self, batch: Sequence[Valid], payload: bytes | None = None) -> BatchResult:
        """Write one batch in its own transaction; `payload` is `encode(batch)`, made by the
        caller's thread. If the database refuses the batch (a rule it enforces that validation
        somehow let through, text it cannot store), retry record by record so only the offending
        record is rejected, with the constraint's name as the reason."""
        try:
            with self.connection.transaction():
                return self._write(batch, payload or encode(batch))
        except (psycopg.errors.IntegrityError, psycopg.errors.DataError):
            if len(batch) == 1:
                raise
        result = BatchResult()
        for valid in batch:
            try:
                with self.connection.transaction():
                    single = self._write([valid], encode([valid]))
            except (psycopg.errors.IntegrityError, psycopg.errors.DataError) as error:
                rule = error.diag.constraint_name or "a value it cannot store"
                reason = FieldProblem("record", f"refused by the database ({rule})")
                result.rejected.append(Rejected(valid.position, _as_record(valid), [reason]))
                continue
            result.inserted += single.inserted
            result.skipped += single.skipped
        return result

    def _write(self, batch: Sequence[Valid], payload: bytes) -> BatchResult:
        with self.connection.cursor() as cursor:
            with cursor.copy(COPY_STAGING) as copy:
                copy.write(payload)
            cursor.execute(self.insert)
            new_ids = dict((patient_id, id_) for id_, patient_id in cursor.fetchall())
            result = BatchResult()
            missed: dict[int, Valid] = {}
            for valid in batch:
                new_id = new_ids.pop(valid.patient.patient_id, None)
                if new_id is None:
                    missed[valid.position] = valid
                else:
                    result.inserted.append((valid, new_id))
            if missed:
                cursor.execute(HOLDERS, (list(missed),))
                for position, holder_id, holder_legacy in cursor.fetchall():
                    valid = missed.pop(position)
                    result.skipped.append(
                        (valid, holder_id, self._reason(valid, holder_id, holder_legacy))
                    )
            # Conflicted, yet no holder now: a concurrent session deleted it meanwhile.
            result.skipped += [(valid, 0, VANISHED) for valid in missed.values()]
            return result

    def _reason(self, valid: Valid, holder_id: int, holder_legacy: str | None) -> str:
        if holder_id > self.watermark:
            return REPEATED_IN_FILE
        if holder_legacy == valid.legacy_id:
            return ALREADY_IMPORTED
        return TAKEN


# COPY's text format: these four characters are the only ones a value must escape.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def encode(batch: Sequence[Valid]) -> bytes:
    """The batch as COPY text rows. Plain Python string work, so the reading thread does it
    and the writer thread spends its time waiting on PostgreSQL without holding the GIL."""
    lines = []
    for valid in batch:
        p = valid.patient
        legacy = "\\N" if valid.legacy_id is None else valid.legacy_id.translate(_ESCAPES)
        lines.append(
            f"{valid.position}\t{p.patient_id.translate(_ESCAPES)}\t{p.name.translate(_ESCAPES)}"
            f"\t{p.age}\t{p.gender}\t{p.medical_condition.translate(_ESCAPES)}"
            f"\t{p.last_visit.isoformat()}\t{legacy}\n"
        )
    # surrogatepass: a lone surrogate from JSON reaches PostgreSQL, which refuses that record.
    return "".join(lines).encode("utf-8", "surrogatepass")


def _as_record(valid: Valid) -> dict[str, Any]:
    """The record as json-server had it (validated form), for the rejects file."""
    record: dict[str, Any] = {"id": valid.legacy_id} if valid.legacy_id is not None else {}
    record.update(valid.patient.model_dump(mode="json", by_alias=True))
    return record
