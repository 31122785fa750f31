"""The cost of auditing reads (run.py, report.py): what its audit event costs a one-record read,
and how much the audit trail grows by per read.

Every `GET /patients/{id}` writes its event in the same statement as the read (app/audit.py);
AUDIT_READS=false, which production refuses, turns the events of reads and searches off for
this measurement only. It runs at the sign-in cost's size (accounts.SIGN_IN_SIZE).
"""

from dataclasses import dataclass

import psycopg
from sqlalchemy import URL

AUDITED, UNAUDITED = "AUDIT_READS=true", "AUDIT_READS=false"
# The target: with its audit event, a read keeps at least this share of the req/s without it.
AUDIT_MIN_SHARE = 0.8


@dataclass(frozen=True)
class AuditTables:
    """The audit trail's size at one moment: events, and bytes on disk (table, indexes, TOAST)."""

    events: int
    events_bytes: int
    seals_bytes: int


def audit_tables(database_url: URL) -> AuditTables:
    """`count(*)` of audit_events, and pg_total_relation_size of it and of audit_seals (the
    hash chain's blocks), on the size's database."""
    dsn = database_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(
            "SELECT (SELECT count(*) FROM audit_events), pg_total_relation_size('audit_events'), "
            "pg_total_relation_size('audit_seals')"
        ).fetchone()
    if row is None:
        raise RuntimeError("the audit tables' size could not be read")
    return AuditTables(int(row[0]), int(row[1]), int(row[2]))
