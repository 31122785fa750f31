"""Add `patients.version`, the optimistic-concurrency counter behind ETag / If-Match.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "patients",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.create_check_constraint(op.f("ck_patients_version_positive"), "patients", "version >= 1")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_patients_version_positive"), "patients", type_="check")
    op.drop_column("patients", "version")
