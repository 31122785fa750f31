"""Audit events and their seals, every version of every patient, soft delete, and the database
role the app runs as (app/models/audit.py, app/audit.py).

- `patients` gains `deleted_at`, `deleted_by`, `delete_reason`. The list indexes become partial
  (live patients only); the unique patientID index stays whole, so a deleted patient's
  patientID stays reserved. The trigger-kept count counts live patients only.
- `patient_versions` starts with the current version of every existing patient.
- `registry_runtime` (NOLOGIN) may read and write the registry's tables but only INSERT and
  SELECT audit events and seals; the app takes it at connect (`-c role=registry_runtime`,
  app/database.py). The user running migrations must be allowed to create roles.
- `audit_horizon()` runs as the owner: it waits until no transaction is still inserting audit
  events and answers the highest event id, below which no event can appear any more.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNTIME = "registry_runtime"
SLOT = "pg_backend_pid() % 16"
PARTIAL = {
    "ix_patients_patient_id_trgm": "USING gin (patient_id gin_trgm_ops)",
    "ix_patients_name_trgm": "USING gin (name gin_trgm_ops)",
    "ix_patients_condition_trgm": "USING gin (medical_condition gin_trgm_ops)",
    "ix_patients_name_key": "(registry_sort_key(name), id) INCLUDE (name)",
    "ix_patients_patient_id_key": "(registry_sort_key(patient_id), id) INCLUDE (patient_id)",
    "ix_patients_condition_key": (
        "(registry_sort_key(medical_condition), id) INCLUDE (medical_condition)"
    ),
    "ix_patients_age_id": "(age, id)",
    "ix_patients_last_visit_id": "(last_visit, id)",
}
TABLES = {
    "SELECT, INSERT, UPDATE, DELETE": (
        "patients",
        "patient_versions",
        "patient_count_slots",
        "users",
        "sessions",
        "api_tokens",
        "sign_in_failures",
    ),
    "SELECT": ("alembic_version", "deferred_indexes"),
    "SELECT, INSERT": ("audit_events", "audit_seals"),  # append-only for the app
}
SNAPSHOT = """
CREATE FUNCTION patient_snapshot(p patients) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'patientID', p.patient_id, 'name', p.name, 'age', p.age, 'gender', p.gender,
    'medicalCondition', p.medical_condition, 'lastVisit', p.last_visit)
$$
"""
# Counting live patients only (migrations 0003 and 0005 counted every row).
COUNTING = [
    f"""
    CREATE OR REPLACE FUNCTION patient_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE patient_count_slots
      SET n = n + (SELECT count(*) FROM added WHERE deleted_at IS NULL),
          generation = generation + 1
      WHERE slot = {SLOT};
      RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION patient_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE patient_count_slots
      SET n = n - (SELECT count(*) FROM removed WHERE deleted_at IS NULL),
          generation = generation + 1
      WHERE slot = {SLOT};
      RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION patient_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE patient_count_slots
      SET n = n + (SELECT count(*) FROM new_rows WHERE deleted_at IS NULL)
                - (SELECT count(*) FROM old_rows WHERE deleted_at IS NULL),
          generation = generation + 1
      WHERE slot = {SLOT};
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER patients_generation_update ON patients",
    "CREATE TRIGGER patients_generation_update AFTER UPDATE ON patients"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION patient_changed()",
]
HORIZON = """
CREATE FUNCTION audit_horizon() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  -- SHARE conflicts with the inserters' ROW EXCLUSIVE: granted once every transaction that
  -- could still add an event has ended; held only until this statement's transaction ends.
  PERFORM set_config('lock_timeout', '200ms', true);
  LOCK TABLE audit_events IN SHARE MODE;
  RETURN (SELECT coalesce(max(id), 0) FROM audit_events);
EXCEPTION WHEN lock_not_available THEN
  RETURN NULL;  -- busy: the sealer tries again later
END $$
"""
RUNTIME_ROLE = f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{RUNTIME}') THEN
    CREATE ROLE {RUNTIME} NOLOGIN;
  END IF;
  IF NOT pg_has_role(current_user, '{RUNTIME}', 'MEMBER') THEN
    GRANT {RUNTIME} TO CURRENT_USER;  -- so the app's connections may take it
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE EXCEPTION 'the database user % may not create the role {RUNTIME}', current_user
    USING HINT = 'Run the migrations once as a user with CREATEROLE (docs/deployment.md).';
END $$
"""


def upgrade() -> None:
    op.execute("LOCK TABLE patients IN SHARE ROW EXCLUSIVE MODE")
    op.execute("ALTER TABLE patients ADD COLUMN deleted_at timestamptz")
    op.execute("ALTER TABLE patients ADD COLUMN deleted_by integer")
    op.execute("ALTER TABLE patients ADD COLUMN delete_reason varchar(500)")
    op.execute(
        "ALTER TABLE patients ADD CONSTRAINT ck_patients_delete_reason_length"
        " CHECK (char_length(delete_reason) BETWEEN 1 AND 500)"
    )
    op.execute(
        "ALTER TABLE patients ADD CONSTRAINT ck_patients_delete_reason_only_deleted"
        " CHECK (delete_reason IS NULL OR deleted_at IS NOT NULL)"
    )
    for name, definition in PARTIAL.items():
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON patients {definition} WHERE deleted_at IS NULL")
    op.execute(
        "CREATE INDEX ix_patients_deleted_at ON patients (deleted_at)"
        " WHERE deleted_at IS NOT NULL"
    )
    for statement in COUNTING:
        op.execute(statement)

    op.execute(SNAPSHOT)
    op.execute("""
        CREATE TABLE patient_versions (
          patient_id integer NOT NULL,
          version integer NOT NULL,
          at timestamptz NOT NULL DEFAULT now(),
          user_id integer,
          username text,
          action text NOT NULL,
          data jsonb NOT NULL,
          CONSTRAINT pk_patient_versions PRIMARY KEY (patient_id, version),
          CONSTRAINT fk_patient_versions_patient_id_patients FOREIGN KEY (patient_id)
            REFERENCES patients (id) ON DELETE CASCADE,
          CONSTRAINT ck_patient_versions_action_known
            CHECK (action IN ('create', 'import', 'update', 'delete', 'restore'))
        )
        """)
    op.execute(
        "INSERT INTO patient_versions (patient_id, version, at, action, data)"
        " SELECT id, version, updated_at, 'import', patient_snapshot(patients) FROM patients"
    )
    op.execute("""
        CREATE TABLE audit_events (
          id bigint GENERATED ALWAYS AS IDENTITY,
          at timestamptz NOT NULL DEFAULT now(),
          user_id integer,
          username text,
          role text,
          client text,
          request_id text,
          action text NOT NULL,
          outcome smallint NOT NULL,
          patient_ids integer[],
          row_count integer,
          bulk boolean NOT NULL DEFAULT false,
          query text,
          detail jsonb,
          CONSTRAINT pk_audit_events PRIMARY KEY (id),
          CONSTRAINT ck_audit_events_action_known CHECK (action IN (
            'login', 'login_failed', 'logout', 'read', 'search', 'history', 'create', 'update',
            'delete', 'restore', 'purge', 'export', 'import', 'user_admin', 'audit_view'))
        )
        """)
    op.execute("CREATE INDEX ix_audit_events_at ON audit_events USING brin (at)")
    op.execute("CREATE INDEX ix_audit_events_patient_ids ON audit_events USING gin (patient_ids)")
    op.execute("CREATE INDEX ix_audit_events_bulk ON audit_events (id) WHERE bulk")
    op.execute("""
        CREATE TABLE audit_seals (
          block bigint NOT NULL,
          first_event bigint NOT NULL,
          last_event bigint NOT NULL,
          event_ids bigint[] NOT NULL,
          digests bytea NOT NULL,
          prev_hash bytea NOT NULL,
          hash bytea NOT NULL,
          sealed_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT pk_audit_seals PRIMARY KEY (block)
        )
        """)
    op.execute(HORIZON)

    op.execute(RUNTIME_ROLE)
    op.execute(f"GRANT USAGE ON SCHEMA public TO {RUNTIME}")
    for privileges, tables in TABLES.items():
        op.execute(f"GRANT {privileges} ON {', '.join(tables)} TO {RUNTIME}")
    op.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {RUNTIME}")
    op.execute("REVOKE ALL ON FUNCTION audit_horizon() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION audit_horizon() TO {RUNTIME}")


def downgrade() -> None:
    # The role stays: other databases of the cluster may use it.
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {RUNTIME}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {RUNTIME}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {RUNTIME}")
    op.execute("DROP FUNCTION audit_horizon()")
    op.execute("DROP TABLE audit_seals")
    op.execute("DROP TABLE audit_events")
    op.execute("DROP TABLE patient_versions")
    op.execute("DROP FUNCTION patient_snapshot(patients)")
    # Soft-deleted patients cannot be represented before this revision: they go.
    op.execute("DELETE FROM patients WHERE deleted_at IS NOT NULL")
    op.execute("DROP TRIGGER patients_generation_update ON patients")
    op.execute("""
        CREATE OR REPLACE FUNCTION patient_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE patient_count_slots SET generation = generation + 1
          WHERE slot = pg_backend_pid() % 16;
          RETURN NULL;
        END $$
        """)
    op.execute(
        "CREATE TRIGGER patients_generation_update AFTER UPDATE ON patients "
        "FOR EACH STATEMENT EXECUTE FUNCTION patient_changed()"
    )
    for function, table in (("added", "added"), ("removed", "removed")):
        sign = "+" if function == "added" else "-"
        op.execute(f"""
            CREATE OR REPLACE FUNCTION patient_count_{function}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              UPDATE patient_count_slots SET n = n {sign} (SELECT count(*) FROM {table}),
                generation = generation + 1
              WHERE slot = pg_backend_pid() % 16;
              RETURN NULL;
            END $$
            """)
    op.execute("DROP INDEX ix_patients_deleted_at")
    for name, definition in PARTIAL.items():
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON patients {definition}")
    for column in ("delete_reason", "deleted_by", "deleted_at"):
        op.execute(f"ALTER TABLE patients DROP COLUMN {column}")
