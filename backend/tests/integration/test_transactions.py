"""Every write is one transaction: a failure anywhere, even at COMMIT, leaves nothing behind,
and a write is never acknowledged (201/200) unless it was committed."""

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import URL, create_engine, text

from app.audit import event_params
from app.database import Database
from app.repositories import patients
from app.repositories.patients import PatientIDTaken
from app.schemas.patient import PatientCreate
from tests.conftest import patient

# Fails at COMMIT time, after the INSERT/UPDATE itself succeeded and returned the row.
REFUSE_AT_COMMIT = """
CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The message quotes patient data, as driver errors can: it must never reach a log.
    IF NEW.name = 'Boom' THEN
        RAISE EXCEPTION 'refused % %', NEW.name, NEW.medical_condition;
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER refuse_boom AFTER INSERT OR UPDATE ON patients
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_boom();
"""
DROP = "DROP TRIGGER refuse_boom ON patients; DROP FUNCTION refuse_boom();"


@pytest.fixture
def commit_fails_for_boom(database_url: URL) -> Iterator[None]:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(REFUSE_AT_COMMIT))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text(DROP))
        engine.dispose()


async def rows(client: httpx.AsyncClient) -> list[dict[str, object]]:
    body: list[dict[str, object]] = (await client.get("/patients")).json()
    return body


async def test_failed_commit_is_never_acknowledged(
    client: httpx.AsyncClient, commit_fails_for_boom: None
) -> None:
    response = await client.post("/patients", json=patient(name="Boom"))
    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side."}
    assert await rows(client) == []
    assert (await client.post("/patients", json=patient())).status_code == 201


async def test_failed_commit_of_an_update_keeps_the_old_record(
    client: httpx.AsyncClient, commit_fails_for_boom: None
) -> None:
    assert (await client.post("/patients", json=patient())).status_code == 201
    for method, body in (("PUT", patient(name="Boom")), ("PATCH", {"name": "Boom", "age": 9})):
        response = await client.request(method, "/patients/1", json=body)
        assert response.status_code == 500
    assert await rows(client) == [{"id": 1, **patient()}]
    # The version did not move either: the old ETag still matches.
    assert (await client.get("/patients/1")).headers["etag"] == '"1"'


NO_ONE = event_params(None, None, None, None, None)


async def test_unit_of_work_rolls_back_every_statement(
    client: httpx.AsyncClient, app: object
) -> None:
    database: Database = app.state.database  # type: ignore[attr-defined]
    first = PatientCreate.model_validate(patient(patientID="A1"))
    second = PatientCreate.model_validate(patient(patientID="a1"))  # duplicate, ignoring case
    with pytest.raises(PatientIDTaken):
        async with database.unit_of_work() as connection:
            await patients.insert(connection, first.model_dump(), NO_ONE)
            await patients.insert(connection, second.model_dump(), NO_ONE)
    assert await rows(client) == []
