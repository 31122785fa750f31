"""The full list (`GET /patients` and nothing else), rendered once per committed state.

It is the answer front ends ask for most and the largest one: reading and rendering 10,000
patients costs ~30 ms of a worker's CPU, reusing the bytes ~0.3 ms (docs/benchmarks.md). Each
worker keeps the last rendering with the generation it was read at (a trigger-kept number that
grows with every committed write, migration 0005); a request reads the generation first (one
small statement) and reuses the bytes while nothing was written since. The bytes come from the
same response model as every other answer (`PATIENTS`); a test holds them equal to the uncached
path's (tests/integration/test_list_answers.py). Roles that may not see a field have a rendering
of their own without it (`api.views`).
"""

import asyncio
from contextlib import aclosing

from fastapi import Response
from pydantic import TypeAdapter

from app.audit import BULK_ROWS, Actor
from app.database import Database
from app.schemas.patient import PatientRead
from app.services import patient_service

PATIENTS = TypeAdapter(list[PatientRead])


class WholeList:
    """This worker's last full-list answer and the generation it was read at."""

    def __init__(self, hidden: frozenset[str] = frozenset()) -> None:
        self.hidden = set(hidden)  # columns left out (a role that may not see them)
        self.generation = -1
        self.body = b"[]"
        self.total = 0
        self.ids: list[int] = []  # of the rows in `body`, for its audit event; empty over BULK_ROWS
        # One request renders while the others wait for its answer: 16 clients missing the
        # cache together would otherwise hold 16 copies of every row at once.
        self.rendering = asyncio.Lock()

    async def response(self, database: Database, actor: Actor) -> Response:
        """The full list, from the cache unless a write committed since it was rendered, once
        its audit event (naming the ids of exactly these rows) is written.

        The generation is read before the rows, so a rendering is never older than the
        generation it is filed under.
        """
        generation = await patient_service.list_generation(database)
        if generation > self.generation:
            async with self.rendering:
                if generation > self.generation:  # not rendered while this request waited
                    await self._render(database, generation)
        body, total, ids = self.body, self.total, self.ids  # one rendering, whatever happens next
        await patient_service.whole_list_shown(database, actor, ids, total)
        headers = {"X-Total-Count": str(total)}
        return Response(body, headers=headers, media_type="application/json")

    async def _render(self, database: Database, generation: int) -> None:
        parts: list[bytes] = []
        ids: list[int] = []
        total = 0
        # aclosing: a cancelled render (the client went away) returns the connection at once.
        async with aclosing(patient_service.stream_all(database)) as chunks:
            async for chunk in chunks:
                total += len(chunk)
                if total <= BULK_ROWS:
                    ids += (row.id for row in chunk)
                rows = PATIENTS.validate_python(chunk)
                array = PATIENTS.dump_json(rows, by_alias=True, exclude={"__all__": self.hidden})
                parts.append(array[1:-1])  # without its brackets
        self.body, self.total = b"[" + b",".join(parts) + b"]", total
        self.ids = ids if total <= BULK_ROWS else []
        self.generation = generation
