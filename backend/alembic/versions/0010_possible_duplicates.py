"""Possible duplicates: folded and phonetic name keys with their indexes, the queue of patients
still to check, the probable pairs found, the pairs staff marked distinct, and merging
(app/matching.py holds the scoring rule; app/services/duplicate_service.py the use cases).

- `registry_name_plain(name)`: the name's words folded as the sort key folds them (case, Latin
  accents), apostrophes and dots dropped ("O'Brien" is "obrien"), split at blanks and other
  punctuation; `registry_name_key` sorts them, so word order does not count;
  `registry_name_sound` is their double-metaphone codes, sorted. SQL-standard bodies: their
  references are bound when created, so they work under any search_path (a restore runs with
  an empty one).
- `patients.name_key` (stored, generated) is what names are scored on and what the trigram
  index of `name_similar=` covers. `patients.name_keys` (stored, generated, GIN-indexed) holds
  the keys a possible duplicate shares with it: the sorted name, its sound ("~JN SM0"), and the
  name as written with each letter in turn deleted. So one index lookup of selective keys finds
  the names with the same words, the same sounds, or one edit apart (a letter changed,
  dropped, added, or two swapped): both sides hold the name with that letter deleted.
- `duplicate_queue` gets every patient inserted, or updated in a field that matching reads, by
  statement-level triggers (one INSERT per statement, as the counting triggers); the
  background check empties it into `duplicate_pairs`.
- `patients.merged_into` points from a merged (deleted) record to the one kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNTIME = "registry_runtime"
PLAIN = """
CREATE FUNCTION registry_name_plain(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN array_to_string(ARRAY(
  SELECT word FROM regexp_split_to_table(
    regexp_replace(registry_sort_key(value), '[''\u2019.]', '', 'g'), '[[:space:][:punct:]]+'
  ) AS word
  WHERE word <> ''), ' ')
"""
KEY = """
CREATE FUNCTION registry_name_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN array_to_string(ARRAY(
  SELECT word FROM unnest(string_to_array(registry_name_plain(value), ' ')) AS word
  ORDER BY word COLLATE "C"), ' ')
"""
SOUND = """
CREATE FUNCTION registry_name_sound(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN array_to_string(ARRAY(
  SELECT code FROM unnest(string_to_array(registry_name_plain(value), ' ')) AS word,
    dmetaphone(word) AS code
  WHERE code <> '' ORDER BY code COLLATE "C"), ' ')
"""
# Names one edit apart (a letter changed, dropped, added, or two swapped) share a key: the
# name, or the name with one letter deleted (from 4 letters on, so that keys stay selective).
KEYS = """
CREATE FUNCTION registry_name_keys(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ARRAY(
  SELECT DISTINCT key COLLATE "C" FROM (
    SELECT registry_name_key(value) AS key
    UNION ALL SELECT '~' || registry_name_sound(value)
    UNION ALL SELECT plain FROM registry_name_plain(value) AS plain
    UNION ALL SELECT overlay(plain PLACING '' FROM position FOR 1)
      FROM registry_name_plain(value) AS plain, generate_series(1, length(plain)) AS position
      WHERE length(plain) >= 4
  ) AS keys
  WHERE key NOT IN ('', '~') ORDER BY 1)
"""
QUEUE_ADDED = """
CREATE FUNCTION patients_to_check_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO duplicate_queue (patient_id) SELECT id FROM added WHERE deleted_at IS NULL
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$
"""
QUEUE_CHANGED = """
CREATE FUNCTION patients_to_check_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO duplicate_queue (patient_id)
  SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE n.deleted_at IS NULL
    AND (n.name, n.age, n.gender, n.patient_id, o.deleted_at IS NULL)
        IS DISTINCT FROM (o.name, o.age, o.gender, o.patient_id, true)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$
"""
# The actions allowed before this revision, written out: a migration must not change when the
# model's lists (app/models/audit.py) do.
VERSION_ACTIONS = ("create", "import", "update", "delete", "restore")
AUDIT_ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "read",
    "search",
    "history",
    "create",
    "update",
    "delete",
    "restore",
    "purge",
    "export",
    "import",
    "user_admin",
    "audit_view",
)
NEW_ACTIONS = ("merge", "mark_distinct")


def _actions(table: str, constraint: str, actions: Sequence[str], validity: str = "") -> None:
    listed = ", ".join(f"'{action}'" for action in actions)
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {constraint} CHECK (action IN ({listed})){validity}"
    )


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    for function in (PLAIN, KEY, SOUND, KEYS):
        op.execute(function)
    op.execute(
        "ALTER TABLE patients"
        " ADD COLUMN name_key text GENERATED ALWAYS AS (registry_name_key(name)) STORED,"
        " ADD COLUMN name_keys text[] GENERATED ALWAYS AS (registry_name_keys(name)) STORED,"
        " ADD COLUMN merged_into integer"
        " CONSTRAINT fk_patients_merged_into_patients REFERENCES patients (id) ON DELETE SET NULL,"
        " ADD CONSTRAINT ck_patients_merged_only_deleted"
        " CHECK (merged_into IS NULL OR deleted_at IS NOT NULL)"
    )
    op.execute(
        "CREATE INDEX ix_patients_name_key_trgm ON patients USING gin (name_key gin_trgm_ops)"
        " WHERE deleted_at IS NULL"
    )
    op.execute(
        "CREATE INDEX ix_patients_name_keys ON patients USING gin (name_keys)"
        " WHERE deleted_at IS NULL"
    )
    op.execute("""
        CREATE TABLE duplicate_queue (
          patient_id integer NOT NULL,
          CONSTRAINT pk_duplicate_queue PRIMARY KEY (patient_id)
        )
        """)
    op.execute(
        "INSERT INTO duplicate_queue (patient_id) SELECT id FROM patients WHERE deleted_at IS NULL"
    )
    op.execute("""
        CREATE TABLE duplicate_pairs (
          a integer NOT NULL,
          b integer NOT NULL,
          score double precision NOT NULL,
          grade text NOT NULL,
          reasons text[] NOT NULL,
          found_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT pk_duplicate_pairs PRIMARY KEY (a, b),
          CONSTRAINT ck_duplicate_pairs_ordered CHECK (a < b),
          CONSTRAINT ck_duplicate_pairs_grade_known CHECK (grade IN ('probable', 'certain')),
          CONSTRAINT fk_duplicate_pairs_a_patients FOREIGN KEY (a)
            REFERENCES patients (id) ON DELETE CASCADE,
          CONSTRAINT fk_duplicate_pairs_b_patients FOREIGN KEY (b)
            REFERENCES patients (id) ON DELETE CASCADE
        )
        """)
    op.execute("CREATE INDEX ix_duplicate_pairs_score ON duplicate_pairs (score DESC, a, b)")
    op.execute("CREATE INDEX ix_duplicate_pairs_b ON duplicate_pairs (b)")
    op.execute("""
        CREATE TABLE distinct_patients (
          a integer NOT NULL,
          b integer NOT NULL,
          marked_by integer,
          marked_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT pk_distinct_patients PRIMARY KEY (a, b),
          CONSTRAINT ck_distinct_patients_ordered CHECK (a < b),
          CONSTRAINT fk_distinct_patients_a_patients FOREIGN KEY (a)
            REFERENCES patients (id) ON DELETE CASCADE,
          CONSTRAINT fk_distinct_patients_b_patients FOREIGN KEY (b)
            REFERENCES patients (id) ON DELETE CASCADE
        )
        """)
    op.execute("CREATE INDEX ix_distinct_patients_b ON distinct_patients (b)")
    op.execute(QUEUE_ADDED)
    op.execute(QUEUE_CHANGED)
    op.execute(
        "CREATE TRIGGER patients_to_check_insert AFTER INSERT ON patients"
        " REFERENCING NEW TABLE AS added FOR EACH STATEMENT"
        " EXECUTE FUNCTION patients_to_check_added()"
    )
    op.execute(
        "CREATE TRIGGER patients_to_check_update AFTER UPDATE ON patients"
        " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
        " EXECUTE FUNCTION patients_to_check_changed()"
    )
    _actions("patient_versions", "ck_patient_versions_action_known", (*VERSION_ACTIONS, "merge"))
    _actions("audit_events", "ck_audit_events_action_known", (*AUDIT_ACTIONS, *NEW_ACTIONS))
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON duplicate_queue, duplicate_pairs,"
        f" distinct_patients TO {RUNTIME}"
    )


def downgrade() -> None:
    # A merged record stays deleted, without its pointer: its merge becomes a deletion. Audit
    # events are never changed, so the old rule holds for new events only (NOT VALID).
    op.execute("UPDATE patient_versions SET action = 'delete' WHERE action = 'merge'")
    _actions("patient_versions", "ck_patient_versions_action_known", VERSION_ACTIONS)
    _actions("audit_events", "ck_audit_events_action_known", AUDIT_ACTIONS, " NOT VALID")
    op.execute("DROP TRIGGER patients_to_check_update ON patients")
    op.execute("DROP TRIGGER patients_to_check_insert ON patients")
    op.execute("DROP FUNCTION patients_to_check_changed()")
    op.execute("DROP FUNCTION patients_to_check_added()")
    op.execute("DROP TABLE distinct_patients")
    op.execute("DROP TABLE duplicate_pairs")
    op.execute("DROP TABLE duplicate_queue")
    op.execute("DROP INDEX ix_patients_name_keys")
    op.execute("DROP INDEX ix_patients_name_key_trgm")
    op.execute(
        "ALTER TABLE patients DROP COLUMN merged_into, DROP COLUMN name_keys,"
        " DROP COLUMN name_key"
    )
    for function in (
        "registry_name_keys",
        "registry_name_sound",
        "registry_name_key",
        "registry_name_plain",
    ):
        op.execute(f"DROP FUNCTION {function}(text)")
