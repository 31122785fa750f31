"""No test can wait forever: a lock held elsewhere fails the waiting statement within seconds,
naming what holds it, and every test has a time limit besides."""

import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import URL, Engine, text

from tests.db import LOCK_TIMEOUT, STATEMENT_TIMEOUT, LockWaitTimeout, empty_tables, libpq


async def test_a_cleanup_blocked_by_an_open_transaction_fails_in_seconds_naming_it(
    database_url: URL, clean_db: None
) -> None:
    """What hung CI for 90 minutes: a task that stopped inside its transaction, holding a lock
    the next test's TRUNCATE needs."""
    async with await psycopg.AsyncConnection.connect(libpq(database_url)) as holder:
        await holder.execute("SELECT count(*) FROM audit_seals")  # now idle in transaction
        started = time.monotonic()
        with pytest.raises(LockWaitTimeout) as raised:
            await empty_tables(database_url)
        waited = time.monotonic() - started
    assert waited < 20, waited  # LOCK_TIMEOUT is 5 s; the point is seconds, not minutes
    assert "waited over 5s for a lock" in str(raised.value)
    assert "idle in transaction: SELECT count(*) FROM audit_seals" in str(raised.value)


def test_every_connection_of_a_test_gives_up_waiting(owner: Engine) -> None:
    with owner.connect() as connection:
        shown = [
            connection.execute(text(f"SHOW {name}")).scalar()
            for name in ("lock_timeout", "statement_timeout")
        ]
    assert shown == [LOCK_TIMEOUT, STATEMENT_TIMEOUT]


async def test_the_apps_own_connections_give_up_waiting_for_a_lock(app: Any) -> None:
    async with app.state.database.reader() as connection:
        row = await (await connection.execute("SHOW lock_timeout")).fetchone()
    assert row == ("5s",)


def test_every_test_has_a_time_limit(pytestconfig: pytest.Config) -> None:
    assert 0 < float(pytestconfig.getini("timeout")) <= 300
