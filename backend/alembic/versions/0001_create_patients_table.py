"""Create the patients table with the clinic's rules as constraints.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = {
    "patient_id_length": "char_length(patient_id) BETWEEN 1 AND 50",
    "patient_id_trimmed": "patient_id !~ '^\\s|\\s$'",
    "name_length": "char_length(name) BETWEEN 1 AND 255",
    "name_not_blank": "name ~ '\\S'",
    "age_range": "age BETWEEN 1 AND 150",
    "gender_allowed": "gender IN ('Male', 'Female', 'Other')",
    "condition_length": "char_length(medical_condition) BETWEEN 1 AND 255",
    "condition_not_blank": "medical_condition ~ '\\S'",
    "last_visit_not_future": "last_visit <= (now() AT TIME ZONE 'UTC' + interval '14 hours')::date",
}
TRIGRAM = {
    "patient_id": "ix_patients_patient_id_trgm",
    "name": "ix_patients_name_trgm",
    "medical_condition": "ix_patients_condition_trgm",
}
SORTED = {"ix_patients_age_id": "age", "ix_patients_last_visit_id": "last_visit"}
SORTED_TEXT = {
    "ix_patients_name_key": "name",
    "ix_patients_patient_id_key": "patient_id",
    "ix_patients_condition_key": "medical_condition",
}

# json-server sorts text with localeCompare (case and accents ignored at first). The embedded
# PostgreSQL has no ICU, so an immutable, indexable key folds case and Latin accents instead.
ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿāăąćĉċčďēĕėęěĝğġģĥĩīĭįĵķĺļľńņňōŏőŕŗřśŝşšţťũūŭůűųŵŷźżžơưǎǐǒǔǖǘǚǜǟǡǧǩǫǭǰǵǹǻȁȃȅȇȉȋȍȏȑȓȕȗșțȟȧȩȫȭȯȱȳøđłħ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyaaaccccdeeeeegggghiiiijklllnnnooorrrssssttuuuuuuwyzzzouaiouuuuuaagkoojgnaaaeeiioorruusthaeooooyodlh"
SORT_KEY = f"""
CREATE FUNCTION registry_sort_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN translate(lower(value), '{ACCENTED}', '{PLAIN}')
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(SORT_KEY)
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("patient_id", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=6), nullable=False),
        sa.Column("medical_condition", sa.String(length=255), nullable=False),
        sa.Column("last_visit", sa.Date(), nullable=False),
        sa.Column("legacy_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        *(
            sa.CheckConstraint(sql, name=op.f(f"ck_patients_{name}"))
            for name, sql in CHECKS.items()
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    op.create_index(
        "uq_patients_patient_id_lower",
        "patients",
        [sa.literal_column("lower(patient_id)")],
        unique=True,
    )
    for column, index in TRIGRAM.items():
        op.create_index(
            index,
            "patients",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    for index, column in SORTED.items():
        op.create_index(index, "patients", [column, "id"])
    for index, column in SORTED_TEXT.items():
        op.create_index(index, "patients", [sa.text(f"registry_sort_key({column})"), "id"])
    op.create_index("ix_patients_legacy_id", "patients", ["legacy_id"])


def downgrade() -> None:
    op.drop_table("patients")
    op.execute("DROP FUNCTION registry_sort_key(text)")
