"""Dependencies named once, so every handler reads the same way."""

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from app import querying
from app.api.whole_list import WholeList
from app.concurrency import Expected, parse_if_match
from app.database import Database
from app.errors import PatientNotFound

MAX_ID = 2**31 - 1

# The dependencies below are `async def` although they never await: FastAPI runs a plain `def`
# dependency in its thread pool, a hand-off that cost ~20% of a single-record GET. None of them
# yields: FastAPI's exit handling of a `yield` dependency cost another ~16% (docs/benchmarks.md),
# so the services open their reader or unit of work themselves (services/patient_service.py).


async def get_database(request: Request) -> Database:
    """The pool owned by the application's lifespan."""
    database: Database = request.app.state.database
    return database


async def get_whole_list(request: Request) -> WholeList:
    """This worker's cached full-list answer (app/api/whole_list.py)."""
    whole_list: WholeList = request.app.state.whole_list
    return whole_list


async def get_patient_id(
    id: Annotated[str, Path(description="The server-assigned numeric id")],
) -> int:
    """A path id that cannot be an id here is simply not found, as in json-server."""
    if not id.isascii() or not id.isdigit() or not 1 <= int(id) <= MAX_ID:
        raise PatientNotFound()
    return int(id)


async def get_list_query(request: Request) -> querying.ListQuery:
    """The json-server query string of a list request, parsed and checked."""
    return querying.parse(request.query_params.multi_items())


async def get_if_match(
    if_match: Annotated[
        str | None,
        Header(description='An ETag from GET (e.g. "3") or *; stale -> 412'),
    ] = None,
) -> Expected | None:
    """The write's precondition; none means json-server's unconditional behaviour."""
    return parse_if_match(if_match)


DatabaseDep = Annotated[Database, Depends(get_database)]
WholeListDep = Annotated[WholeList, Depends(get_whole_list)]
ListQueryDep = Annotated[querying.ListQuery, Depends(get_list_query)]
PatientIdDep = Annotated[int, Depends(get_patient_id)]
IfMatchDep = Annotated[Expected | None, Depends(get_if_match)]
