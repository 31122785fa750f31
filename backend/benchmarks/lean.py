"""The lean route: `GET /patients/{id}` as lean as we can write it, served like the API.

A pooled psycopg connection in autocommit and one prepared statement that has PostgreSQL build
the JSON: no ORM, no validation, no middleware, no serialisation in Python. The yardstick for
the API's single-record read, measured at every size against the same database.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response
from psycopg_pool import AsyncConnectionPool

from app.db_admin import libpq_url
from benchmarks.wrk import CONNECTIONS

# psycopg sends %s as $1; prepare=True prepares it on a connection's first use, not its fifth.
QUERY = (
    "SELECT json_build_object('id', id, 'patientID', patient_id, 'name', name, 'age', age, "
    "'gender', gender, 'medicalCondition', medical_condition, 'lastVisit', last_visit)::text "
    "FROM patients WHERE id = %s"
)
NOT_FOUND = b'{"detail":"Patient not found"}'


def create_app() -> FastAPI:
    """One route; each worker holds a connection per wrk connection, opened before serving."""
    pool = AsyncConnectionPool(
        libpq_url(os.environ["DATABASE_URL"]),
        min_size=CONNECTIONS,
        max_size=CONNECTIONS,
        kwargs={"autocommit": True},
        open=False,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await pool.open(wait=True)
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/patients/{id}")
    async def get_patient(id: int) -> Response:
        async with pool.connection() as connection:
            cursor = await connection.execute(QUERY, (id,), prepare=True)
            row = await cursor.fetchone()
        if row is None:
            return Response(NOT_FOUND, 404, media_type="application/json")
        return Response(row[0], media_type="application/json")

    return app


if __name__ == "__main__":
    from benchmarks.processes import serve_factory

    serve_factory("benchmarks.lean:create_app")
