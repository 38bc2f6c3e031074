"""Sign-in for people (cookie + CSRF) and systems (bearer tokens); user administration."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select

from huiyin.auth import service
from huiyin.auth.models import AuthToken, User
from huiyin.auth.schemas import (
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenPublic,
    LoginPublic,
    TokenPublic,
    TokenRequest,
    UserCreate,
    UserPublic,
    UsersPublic,
    UserUpdate,
)
from huiyin.core.deps import AdminUser, CurrentUser, SessionDep, SettingsDep
from huiyin.core.roles import Role
from huiyin.core.schemas import PathId
from huiyin.errors import Invalid, NotFound
from huiyin.org.service import check_unit_ref

router = APIRouter(tags=["auth"])


@router.post("/auth/token", operation_id="auth-token")
def issue_token(body: TokenRequest, session: SessionDep, settings: SettingsDep) -> TokenPublic:
    user = service.check_login(session, body.username, body.password)
    issued = service.do_issue_token(session, user, "access", hours=settings.auth.access_token_hours)
    return TokenPublic(access_token=issued.secret, expires_at=issued.token.expires_at)


@router.post("/auth/login", operation_id="auth-login")
def login(body: TokenRequest, response: Response, session: SessionDep, settings: SettingsDep) -> LoginPublic:
    user = service.check_login(session, body.username, body.password)
    issued = service.do_issue_token(session, user, "session", hours=settings.auth.session_hours)
    max_age = settings.auth.session_hours * 3600
    response.set_cookie(
        settings.auth.cookie_name,
        issued.secret,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.auth.cookie_secure,
        path="/",
    )
    response.set_cookie(
        settings.auth.csrf_cookie_name,
        issued.csrf or "",
        max_age=max_age,
        httponly=False,
        samesite="lax",
        secure=settings.auth.cookie_secure,
        path="/",
    )
    return LoginPublic(user=UserPublic.model_validate(user), csrf_token=issued.csrf or "")


@router.post("/auth/logout", status_code=204, operation_id="auth-logout")
async def logout(response: Response, session: SessionDep, settings: SettingsDep, user: CurrentUser) -> None:
    service.do_revoke_by_id(session, user.token_id)
    response.delete_cookie(settings.auth.cookie_name, path="/")
    response.delete_cookie(settings.auth.csrf_cookie_name, path="/")


@router.get("/me", operation_id="auth-me")
async def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.get("/users", operation_id="auth-list_users")
async def list_users(session: SessionDep, _: AdminUser, role: Role | None = None) -> UsersPublic:
    stmt = select(User).order_by(User.username)
    if role is not None:
        stmt = stmt.where(User.role_rows.any(role=role.value))
    users = session.scalars(stmt).all()
    return UsersPublic(items=[UserPublic.model_validate(u) for u in users], total=len(users))


def _get_user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


@router.post("/users", status_code=201, operation_id="auth-create_user")
def create_user(body: UserCreate, session: SessionDep, _: AdminUser) -> UserPublic:
    unit = check_unit_ref(session, body.unit_id) if body.unit_id is not None else None
    roles = [r.value for r in body.roles]
    service.check_new_user(session, body.username, roles, unit.code if unit else None)
    user = service.do_create_user(
        session,
        body.username,
        body.password,
        roles,
        unit=unit,
        full_name=body.full_name,
        phone=body.phone,
        email=body.email,
    )
    return UserPublic.model_validate(user)


@router.patch("/users/{user_id}", operation_id="auth-update_user")
def update_user(user_id: PathId, body: UserUpdate, session: SessionDep, _: AdminUser) -> UserPublic:
    user = _get_user(session, user_id)
    fields = body.model_dump(exclude_unset=True)
    if fields.get("unit_id") is not None:
        check_unit_ref(session, fields["unit_id"])
    roles = [r.value for r in body.roles] if body.roles is not None else user.roles
    unit_id = fields.get("unit_id", user.unit_id)
    if Role.unit_handler in roles and unit_id is None:
        raise Invalid("a unit handler must belong to a unit")
    if body.roles is not None:
        service.do_set_roles(session, user, roles)
    if body.password is not None:
        service.do_set_password(session, user, body.password)
    for key in ("full_name", "phone", "email", "is_active", "unit_id"):
        if key in fields and (fields[key] is not None or key in ("phone", "email", "unit_id")):
            setattr(user, key, fields[key])
    session.flush()
    return UserPublic.model_validate(user)


@router.get("/api-tokens", operation_id="auth-list_api_tokens")
async def list_api_tokens(session: SessionDep, _: AdminUser) -> list[ApiTokenPublic]:
    toks = session.scalars(select(AuthToken).where(AuthToken.kind == "api").order_by(AuthToken.id))
    return [ApiTokenPublic.model_validate(t) for t in toks]


@router.post("/api-tokens", status_code=201, operation_id="auth-create_api_token")
async def create_api_token(body: ApiTokenCreate, session: SessionDep, _: AdminUser) -> ApiTokenIssued:
    user = _get_user(session, body.user_id) if session.get(User, body.user_id) else None
    if user is None:
        raise Invalid(f"user {body.user_id} does not exist")
    issued = service.do_issue_token(session, user, "api", hours=None, name=body.name)
    return ApiTokenIssued(**ApiTokenPublic.model_validate(issued.token).model_dump(), token=issued.secret)


@router.delete("/api-tokens/{token_id}", status_code=204, operation_id="auth-revoke_api_token")
async def revoke_api_token(token_id: PathId, session: SessionDep, _: AdminUser) -> None:
    tok = session.get(AuthToken, token_id)
    if tok is None or tok.kind != "api":
        raise NotFound(f"API token {token_id} does not exist")
    service.do_revoke(session, tok)
