"""A change counter next to the row count, so a worker can reuse its last full-list answer.

Every INSERT, UPDATE, DELETE or TRUNCATE statement on `patients` adds 1 to one slot's
`generation` in the same transaction, so the sum over the slots only grows, and grows with
every committed write: equal sums in two snapshots mean the same committed data.
(Writes that bypass triggers, e.g. with session_replication_role = replica, would leave stale
counts and answers behind; nothing in this project does that.)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOTS = 16
SLOT = f"pg_backend_pid() % {SLOTS}"


def _functions(generation: str) -> list[str]:
    """The three counting functions of migration 0003, `generation` spliced into their SET."""
    return [
        f"""
        CREATE OR REPLACE FUNCTION patient_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE patient_count_slots SET n = n + (SELECT count(*) FROM added){generation}
          WHERE slot = {SLOT};
          RETURN NULL;
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION patient_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE patient_count_slots SET n = n - (SELECT count(*) FROM removed){generation}
          WHERE slot = {SLOT};
          RETURN NULL;
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION patient_count_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE patient_count_slots SET n = 0{generation};
          RETURN NULL;
        END $$
        """,
    ]


def upgrade() -> None:
    op.execute("ALTER TABLE patient_count_slots ADD COLUMN generation bigint NOT NULL DEFAULT 0")
    for statement in _functions(", generation = generation + 1"):
        op.execute(statement)
    op.execute(f"""
        CREATE FUNCTION patient_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE patient_count_slots SET generation = generation + 1 WHERE slot = {SLOT};
          RETURN NULL;
        END $$
        """)
    op.execute(
        "CREATE TRIGGER patients_generation_update AFTER UPDATE ON patients "
        "FOR EACH STATEMENT EXECUTE FUNCTION patient_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER patients_generation_update ON patients")
    op.execute("DROP FUNCTION patient_changed()")
    for statement in _functions(""):
        op.execute(statement)
    op.execute("ALTER TABLE patient_count_slots DROP COLUMN generation")
