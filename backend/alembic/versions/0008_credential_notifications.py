"""Credential changes are announced: NOTIFY registry_credentials when an account is updated
or a session or API token is deleted, so every app process empties its credential cache
(app/credential_cache.py) before it answers its next request.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Statement-level: one notification per statement, whatever the number of rows; PostgreSQL
# delivers it at commit (never for a rolled-back change) and folds repeats in a transaction.
# A session's last-seen UPDATE is not announced: it changes no one's rights.
TRIGGERS = {
    "users_changed": ("users", "UPDATE OR DELETE"),
    "sessions_ended": ("sessions", "DELETE"),
    "api_tokens_changed": ("api_tokens", "UPDATE OR DELETE"),
}


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION registry_credentials_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('registry_credentials', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """)
    for name, (table, events) in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} AFTER {events} ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION registry_credentials_changed()"
        )


def downgrade() -> None:
    for name, (table, _) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION registry_credentials_changed()")
