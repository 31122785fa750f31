"""`/auth`: sign in and out, who am I, my password, my personal API tokens."""

from fastapi import APIRouter, Request, Response, status

from app.api.deps import (
    SESSION_COOKIE,
    AccountDep,
    DatabaseDep,
    MemberDep,
    SettingsDep,
    WholeNumber,
    client_address,
    refuse_cross_site,
)
from app.config import Settings
from app.logging_config import request_id_var
from app.principal import Role
from app.repositories.accounts import TokenRecord
from app.schemas.auth import Me, PasswordChange, SignInBody, TokenCreate, TokenCreated, TokenRead
from app.schemas.errors import ErrorBody
from app.services import auth_service

router = APIRouter(prefix="/auth", tags=["auth"])


def _me(username: str, role: Role | str, must_change: bool, settings: Settings) -> Me:
    return Me(
        username=username,
        role=Role(role),
        must_change_password=must_change,
        idle_timeout_seconds=settings.session_idle_timeout_s,
    )


@router.post("/login", response_model=Me)
async def sign_in(
    body: SignInBody,
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    response: Response,
) -> Me:
    """Open a browser session (an HttpOnly, SameSite=Strict cookie); 401 for an unknown user
    and a wrong password alike; 429 with Retry-After after repeated failures."""
    refuse_cross_site(request, settings)
    signed = await auth_service.sign_in(
        database,
        settings,
        body.username,
        body.password,
        client_address(request),
        request_id_var.get(),
    )
    response.set_cookie(
        SESSION_COOKIE,
        signed.session_secret,
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="strict",
        secure=settings.production,
    )
    user = signed.user
    return _me(user.username, user.role, user.must_change_password, settings)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(
    request: Request, database: DatabaseDep, settings: SettingsDep, response: Response
) -> None:
    """End this browser session at once, on every app process (no session: nothing to do)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        refuse_cross_site(request, settings)
        await auth_service.sign_out(database, secret, client_address(request), request_id_var.get())
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=settings.production
    )


@router.get("/me", response_model=Me)
async def who_am_i(account: AccountDep, settings: SettingsDep) -> Me:
    """The signed-in user, and whether they must change their password before going on."""
    return _me(account.username, account.role, account.must_change_password, settings)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(account: AccountDep, body: PasswordChange, database: DatabaseDep) -> None:
    """Change my own password (the current one is asked again); my other sessions end."""
    await auth_service.change_password(database, account, body.current_password, body.new_password)


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(member: MemberDep, body: TokenCreate, database: DatabaseDep) -> TokenCreated:
    """A personal API token for `Authorization: Bearer`; its secret is in this answer only."""
    token, secret = await auth_service.create_token(
        database, member, body.name, body.expires_in_days
    )
    return TokenCreated(
        id=token.id,
        name=token.name,
        created_at=token.created_at,
        expires_at=token.expires_at,
        token=secret,
    )


@router.get("/tokens", response_model=list[TokenRead])
async def list_tokens(member: MemberDep, database: DatabaseDep) -> list[TokenRecord]:
    """My unexpired tokens, newest first (names and dates, never the secrets)."""
    return await auth_service.list_tokens(database, member)


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"model": ErrorBody, "description": "None of my tokens has this id"}},
)
async def revoke_token(member: MemberDep, token_id: WholeNumber, database: DatabaseDep) -> None:
    """Revoke one of my tokens; it stops working at once."""
    await auth_service.revoke_token(database, member, token_id)
