"""Dependencies named once, so every handler reads the same way."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Header, Path, Query, Request
from pydantic import BeforeValidator

from app import querying
from app.api.whole_list import WholeList
from app.audit import Actor
from app.concurrency import Expected, parse_if_match
from app.config import Settings
from app.database import Database
from app.errors import Forbidden, InvalidHeader, NotSignedIn, PatientNotFound
from app.logging_config import request_id_var
from app.principal import OPEN_ACCESS, Principal, Role
from app.services import auth_service

MAX_ID = 2**31 - 1


def _ascii_digits(value: object) -> object:
    """Numbers in paths and query strings are the digits 0-9 only, as `querying` reads them:
    Pydantic's int would also take ' 5', '+5', '5_000' and '5.0'."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number written with the digits 0-9")
    return value


# An id in a path or a query string (ints in JSON bodies are JSON numbers already).
WholeNumber = Annotated[int, BeforeValidator(_ascii_digits)]
SESSION_COOKIE = "registry_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The dependencies below are `async def` although some never await: FastAPI runs a plain `def`
# dependency in its thread pool, a hand-off that cost ~20% of a single-record GET. None of them
# yields: FastAPI's exit handling of a `yield` dependency cost another ~16% (docs/benchmarks.md),
# so the services open their reader or unit of work themselves (services/patient_service.py).
# FastAPI runs each dependency once per request, however many others use it.


async def get_database(request: Request) -> Database:
    """The pool owned by the application's lifespan."""
    database: Database = request.app.state.database
    return database


async def get_settings(request: Request) -> Settings:
    """The settings the application was built with."""
    settings: Settings = request.app.state.settings
    return settings


def refuse_cross_site(request: Request, settings: Settings) -> None:
    """A cookie-authenticated change (or a sign-in) must come from this site's own pages.

    Browsers send `Origin` with every POST, PUT, PATCH and DELETE, so a cross-site form or
    script is recognised by it (SameSite=Strict on the cookie is the second line). A request
    with neither `Origin` nor `Sec-Fetch-Site` did not come from a browser page.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is None:
        if request.headers.get("sec-fetch-site") in (None, "same-origin", "none"):
            return
    elif origin in settings.cors_origins or urlsplit(origin).netloc == request.headers.get("host"):
        return
    raise Forbidden("Cross-site request refused: send it from the registry's own pages.")


async def _credentials(request: Request) -> Principal | None:
    """The user a bearer token or session cookie names; None if the request carries neither."""
    database: Database = request.app.state.database
    settings: Settings = request.app.state.settings
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotSignedIn("Send a personal token as `Authorization: Bearer <token>`.")
        return await auth_service.principal_for_token(database, token.strip())
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        refuse_cross_site(request, settings)
        return await auth_service.principal_for_session(database, settings, secret)
    return None


async def get_account(request: Request) -> Principal:
    """Any signed-in user, a pending password change included (the /auth routes)."""
    principal = await _credentials(request)
    if principal is None:
        raise NotSignedIn()
    return principal


def _usable(principal: Principal) -> Principal:
    if principal.must_change_password:
        raise Forbidden("Change your password before going on.")
    return principal


async def get_member(request: Request) -> Principal:
    """A signed-in staff member whose password needs no change (their own tokens)."""
    return _usable(await get_account(request))


async def get_staff(request: Request) -> Principal:
    """A signed-in staff member of any role with a usable password (OPEN_ACCESS: anyone)."""
    principal = await _credentials(request)
    if principal is None:
        if request.app.state.settings.open_access:
            return OPEN_ACCESS
        raise NotSignedIn()
    return _usable(principal)


StaffDep = Annotated[Principal, Depends(get_staff)]


async def get_admin(staff: StaffDep) -> Principal:
    """An admin: staff accounts, and the API documentation in production."""
    if staff.role is not Role.ADMIN:
        raise Forbidden("Only an admin may do this.")
    return staff


AdminDep = Annotated[Principal, Depends(get_admin)]


async def get_deleter(staff: StaffDep) -> Principal:
    """A role that may delete patients (not a receptionist)."""
    if not staff.role.deletes_patients:
        raise Forbidden(f"A {staff.role} may not delete patients.")
    return staff


async def get_history_reader(staff: StaffDep) -> Principal:
    """A role that may see a patient's versions (they hold the medical condition)."""
    if not staff.role.sees_conditions:
        raise Forbidden(f"A {staff.role} may not see a patient's history.")
    return staff


async def get_duplicate_reviewer(staff: StaffDep) -> Principal:
    """A role that reviews possible duplicates (not a receptionist)."""
    if not staff.role.reviews_duplicates:
        raise Forbidden(f"A {staff.role} may not review possible duplicates.")
    return staff


async def get_docs_reader(request: Request) -> None:
    """The API documentation: open in development, admins only in production."""
    if request.app.state.settings.production:
        await get_admin(await get_staff(request))


def client_address(request: Request) -> str:
    """The client's address (behind a proxy, as uvicorn's FORWARDED_ALLOW_IPS lets it see it)."""
    return request.client.host if request.client else "unknown"


async def get_patient_id(
    id: Annotated[str, Path(description="The server-assigned numeric id")],
) -> int:
    """A path id that cannot be an id here is simply not found, as in json-server."""
    if not id.isascii() or not id.isdigit() or not 1 <= int(id) <= MAX_ID:
        raise PatientNotFound()
    return int(id)


async def get_page(
    page: Annotated[str | None, Query(alias="_page")] = None,
    per_page: Annotated[str | None, Query(alias="_per_page")] = None,
) -> tuple[int, int]:
    """`_page` and `_per_page` of the admin's paged views: the page wanted and its size."""
    return querying.page_of(page, per_page)


async def get_actor(request: Request, staff: StaffDep) -> Actor:
    """The staff member behind this request as audit events name them."""
    settings: Settings = request.app.state.settings
    return Actor(staff, client_address(request), request_id_var.get(), settings.audit_reads)


async def get_admin_actor(request: Request, admin: AdminDep) -> Actor:
    """An admin, as audit events name them (restore, purge, the audit views)."""
    return await get_actor(request, admin)


async def get_whole_list(request: Request, staff: StaffDep) -> WholeList:
    """This worker's cached full-list answer for what the role may see (app/api/whole_list.py)."""
    lists: dict[frozenset[str], WholeList] = request.app.state.whole_lists
    return lists[staff.role.hidden_columns]


async def get_list_query(request: Request, staff: StaffDep) -> querying.ListQuery:
    """The json-server query string of a list request, parsed and checked for this role."""
    return querying.parse(request.query_params.multi_items(), staff.role.hidden_fields)


async def get_if_match(
    if_match: Annotated[
        str | None,
        Header(description='An ETag from GET (e.g. "3") or *; stale -> 412'),
    ] = None,
) -> Expected | None:
    """The write's precondition; none means json-server's unconditional behaviour."""
    return parse_if_match(if_match)


REGISTERED_DESPITE = "X-Registered-Despite"
MAX_REGISTERED_DESPITE = 10  # a match answers at most this many patients


async def get_registered_despite(
    registered_despite: Annotated[
        str | None,
        Header(
            alias=REGISTERED_DESPITE,
            description="Ids of the likely duplicates shown before this registration (e.g. 7,12)",
        ),
    ] = None,
) -> list[int]:
    """The matches staff were warned about and registered anyway (kept in the audit event)."""
    if registered_despite is None:
        return []
    parts = [part.strip() for part in registered_despite.split(",")]
    if len(parts) > MAX_REGISTERED_DESPITE or not all(
        part.isascii() and part.isdigit() and 1 <= int(part) <= MAX_ID for part in parts
    ):
        raise InvalidHeader(
            REGISTERED_DESPITE, f"must list up to {MAX_REGISTERED_DESPITE} patient ids, e.g. 7,12"
        )
    return sorted({int(part) for part in parts})


DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
WholeListDep = Annotated[WholeList, Depends(get_whole_list)]
AccountDep = Annotated[Principal, Depends(get_account)]
MemberDep = Annotated[Principal, Depends(get_member)]
DeleterDep = Annotated[Principal, Depends(get_deleter)]
HistoryReaderDep = Annotated[Principal, Depends(get_history_reader)]
DuplicateReviewerDep = Annotated[Principal, Depends(get_duplicate_reviewer)]
RegisteredDespiteDep = Annotated[list[int], Depends(get_registered_despite)]
ListQueryDep = Annotated[querying.ListQuery, Depends(get_list_query)]
PatientIdDep = Annotated[int, Depends(get_patient_id)]
PageDep = Annotated[tuple[int, int], Depends(get_page)]
IfMatchDep = Annotated[Expected | None, Depends(get_if_match)]
ActorDep = Annotated[Actor, Depends(get_actor)]
AdminActorDep = Annotated[Actor, Depends(get_admin_actor)]
