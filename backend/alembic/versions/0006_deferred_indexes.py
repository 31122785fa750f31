"""Indexes a bulk import dropped are recorded in the database until rebuilt.

The importer used to recreate missing indexes from the SQLAlchemy model at every start; now it
records the exact definitions of what it drops in the same transaction as the DROP, and only
those are rebuilt (app/migration/indexes.py), so index definitions come from migrations alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deferred_indexes",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("definition", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deferred_indexes")
