"""`/users`: staff accounts, for admins. Accounts are never deleted, only disabled."""

from fastapi import APIRouter, status

from app.api.deps import AdminActorDep, AdminDep, DatabaseDep, WholeNumber
from app.repositories.accounts import UserRecord
from app.schemas.auth import UserCreate, UserPatch, UserRead
from app.schemas.errors import ErrorBody
from app.services import user_service

router = APIRouter(prefix="/users", tags=["staff accounts"])


@router.get("", response_model=list[UserRead])
async def list_users(_: AdminDep, database: DatabaseDep) -> list[UserRecord]:
    """Every account, disabled ones included, in the order they were created."""
    return await user_service.list_users(database)


@router.post(
    "",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorBody, "description": "Username taken (ignoring case)"}},
)
async def create_user(actor: AdminActorDep, body: UserCreate, database: DatabaseDep) -> UserRecord:
    """A new account with a temporary password, to be changed at its first sign-in."""
    return await user_service.create_user(
        database, body.username, body.role, body.password, must_change=True, actor=actor
    )


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    responses={
        404: {"model": ErrorBody, "description": "No such account"},
        409: {"model": ErrorBody, "description": "It would leave no active admin"},
    },
)
async def update_user(
    actor: AdminActorDep, user_id: WholeNumber, body: UserPatch, database: DatabaseDep
) -> UserRecord:
    """Change role, disable or enable, or set a new temporary password (sessions end)."""
    return await user_service.update_user(
        database, user_id, body.role, body.disabled, body.password, actor
    )
