"""The one cache of sign-in: which user a session or token secret belongs to, per process.

Checking a credential in PostgreSQL on every request cost ~30% of a one-record read
(docs/benchmarks.md, "Sign-in cost"): a second statement for PostgreSQL and for the worker.
This cache answers repeated requests with the same credential from memory, and stays correct
because PostgreSQL tells every process when credentials change:

- triggers (migration 0008) send `NOTIFY registry_credentials` whenever an account is updated
  (role, disabled, password) or a session or token is deleted (sign-out, revocation, a
  password change ending other sessions), whoever does it (this app, another process, the
  command line);
- each process LISTENs on a connection of its own and, before every cache hit, reads what has
  arrived on it without waiting (libpq's PQconsumeInput), so a change committed before a
  request reaches the process is seen by that request; any notification empties the cache;
- a change made here answers only once this process's listener has received its notification
  (`revoking`): PostgreSQL signals every listener at the same commit, so by then the other
  processes have it too, or are about to (the delivery took up to ~4 ms here, measured with an
  immediate poll after each of 2,000 commits; 9% needed more than none);
- without a working listener nothing is cached (every request asks PostgreSQL), and an entry
  is trusted for at most `max_age_s` (a session's is its touch interval, so idle timeouts and
  last-seen times stay exact to that interval, as without the cache).

A lookup racing a change cannot store a stale answer: entries carry the generation they were
read at, and a notification moves the generation on.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from psycopg import AsyncConnection, OperationalError

CHANNEL = "registry_credentials"
RETRY_AFTER_S = 5.0
SETTLE_WITHIN_S = 0.5  # the longest a revocation waits for its notification

logger = logging.getLogger(__name__)

T = TypeVar("T")


class CredentialCache(Generic[T]):
    """Secret digest -> what PostgreSQL said about it, while nothing has changed."""

    def __init__(self, url: str, connect_timeout: int) -> None:
        self.url = url
        self.connect_timeout = connect_timeout
        self.entries: dict[bytes, tuple[float, T]] = {}  # key -> (when stored, answer)
        self.generation = 0
        self.listener: AsyncConnection[tuple[object, ...]] | None = None
        self.connecting: asyncio.Task[None] | None = None
        self.last_attempt = float("-inf")

    def get(self, key: bytes, max_age_s: float) -> T | None:
        """The cached answer for `key`, if it is still known to be right."""
        if not self._caught_up():
            return None
        entry = self.entries.get(key)
        if entry is None or time.monotonic() - entry[0] >= max_age_s:
            return None
        return entry[1]

    def put(self, key: bytes, value: T, generation: int) -> None:
        """Remember `value`, read from PostgreSQL when the generation was `generation`."""
        if self._caught_up() and generation == self.generation:
            self.entries[key] = (time.monotonic(), value)

    @asynccontextmanager
    async def revoking(self) -> AsyncIterator[None]:
        """Around a change of credentials (commit inside): on exit, wait until the change's
        notification has arrived, so this process forgets at once and the others as surely."""
        generation = self.generation
        yield
        deadline = time.monotonic() + SETTLE_WITHIN_S
        while self._caught_up() and self.generation == generation:
            if time.monotonic() >= deadline:
                logger.warning(
                    "a credential change was not announced within %.1f s", SETTLE_WITHIN_S
                )
                self._forget()
                return
            await asyncio.sleep(0.001)

    def _caught_up(self) -> bool:
        """Read every notification that has arrived (never waiting); False while there is no
        listener, in which case nothing is cached."""
        if self.listener is None or self.listener.closed:
            self._reconnect_soon()
            return False
        pgconn = self.listener.pgconn
        try:
            pgconn.consume_input()
        except OperationalError:
            self._forget("the credential listener lost its connection")
            return False
        if pgconn.notifies() is not None:
            while pgconn.notifies() is not None:
                pass
            self._forget()
        return True

    def _forget(self, reason: str | None = None) -> None:
        self.entries.clear()
        self.generation += 1
        if reason is not None and self.listener is not None:
            logger.warning("%s: caching no credentials until it is back", reason)
            self.listener.pgconn.finish()
            self.listener = None

    def _reconnect_soon(self) -> None:
        now = time.monotonic()
        if self.connecting is None and now - self.last_attempt >= RETRY_AFTER_S:
            self.last_attempt = now
            self.connecting = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        try:
            listener = await AsyncConnection.connect(
                self.url, autocommit=True, connect_timeout=self.connect_timeout
            )
            await listener.execute(f"LISTEN {CHANNEL}".encode())
        except OperationalError:
            pass  # the database is away; tried again on a later request
        else:
            self._forget()  # whatever changed while nobody listened
            self.listener = listener
        finally:
            self.connecting = None

    async def open(self) -> None:
        """Start listening (in the background: the app starts whatever the database does)."""
        self._reconnect_soon()

    async def close(self) -> None:
        """Stop listening."""
        if self.connecting is not None:
            self.connecting.cancel()
        if self.listener is not None:
            await self.listener.close()
