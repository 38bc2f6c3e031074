"""Sign-in for people (cookie + CSRF) and systems (bearer tokens); user administration."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from huiyin.auth import absences, service, signin
from huiyin.auth.models import AuthToken, User
from huiyin.auth.passwords import check_password
from huiyin.auth.refs import directory
from huiyin.auth.schemas import (
    AbsenceIn,
    AbsencePublic,
    AbsencesPublic,
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenPublic,
    HandlerPublic,
    HandlersPublic,
    LoginPublic,
    SignInPublic,
    SignInsPublic,
    TokenPublic,
    TokenRequest,
    UserCreate,
    UserPublic,
    UsersPublic,
    UserUpdate,
)
from huiyin.clock import now
from huiyin.core import xlsx
from huiyin.core.actor import SignedIn
from huiyin.core.deps import AdminUser, CurrentUser, SessionDep, SettingsDep, require_roles
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import PathId
from huiyin.db import Database
from huiyin.errors import Invalid, NotFound
from huiyin.org.service import check_unit_ref

router = APIRouter(tags=["auth"])


def _attempt(request: Request, body: TokenRequest, kind: str) -> signin.Attempt:
    client = request.client.host if request.client else ""
    return signin.Attempt(username=body.username, password=body.password, address=client, kind=kind)


@router.post("/auth/token", operation_id="auth-token", responses={429: {"description": "locked out for a while"}})
async def issue_token(body: TokenRequest, request: Request, settings: SettingsDep) -> TokenPublic:
    """A bearer access token for a system (throttled and audited as a person's sign-in: ``auth.signin``)."""
    db: Database = request.app.state.db
    rules = settings.auth
    _, issued = await signin.sign_in(db, rules, _attempt(request, body, "access"), hours=rules.access_token_hours)
    return TokenPublic(access_token=issued.secret, expires_at=issued.token.expires_at)


@router.post("/auth/login", operation_id="auth-login", responses={429: {"description": "locked out for a while"}})
async def login(body: TokenRequest, request: Request, response: Response, settings: SettingsDep) -> LoginPublic:
    """A person's sign-in: a session cookie and a CSRF token. Wrong passwords are counted per account and per
    address and lock them out for a while (429 with ``Retry-After``); every attempt is audited."""
    db: Database = request.app.state.db
    attempt = _attempt(request, body, "session")
    user, issued = await signin.sign_in(db, settings.auth, attempt, hours=settings.auth.session_hours)
    max_age = settings.auth.session_hours * 3600
    secure = settings.auth.cookie_secure or request.url.scheme == "https"  # behind a proxy: --proxy-headers
    response.set_cookie(
        settings.auth.cookie_name,
        issued.secret,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        settings.auth.csrf_cookie_name,
        issued.csrf or "",
        max_age=max_age,
        httponly=False,
        samesite="lax",
        secure=secure,
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
    locked = signin.locked_accounts(session)
    items = [UserPublic.model_validate(u).model_copy(update={"locked_until": locked.get(u.username)}) for u in users]
    return UsersPublic(items=items, total=len(users))


@router.get("/auth/sign-ins", operation_id="auth-sign_ins")
async def sign_ins(
    session: SessionDep,
    _: AdminUser,
    username: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Literal["success", "failure", "locked", "unlocked"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SignInsPublic:
    """Sign-in attempts, newest first (the audit: who, from where, how it ended)."""
    rows = signin.sign_ins(session, username=username, outcome=outcome, limit=limit)
    return SignInsPublic(items=[SignInPublic.model_validate(r) for r in rows], total=len(rows))


@router.post("/users/{user_id}/unlock", status_code=204, operation_id="auth-unlock_user")
async def unlock_user(user_id: PathId, session: SessionDep, admin: AdminUser) -> None:
    """Lets a locked-out account sign in again at once (audited)."""
    signin.do_unlock(session, _get_user(session, user_id), admin.id)


def _get_user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist", code="auth.no_user")
    return user


@router.post("/users", status_code=201, operation_id="auth-create_user")
def create_user(body: UserCreate, session: SessionDep, settings: SettingsDep, _: AdminUser) -> UserPublic:
    check_password(body.password, body.username, min_length=settings.auth.password_min_length)
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
def update_user(
    user_id: PathId, body: UserUpdate, session: SessionDep, settings: SettingsDep, _: AdminUser
) -> UserPublic:
    user = _get_user(session, user_id)
    if body.password is not None:
        check_password(body.password, user.username, min_length=settings.auth.password_min_length)
    fields = body.model_dump(exclude_unset=True)
    if fields.get("unit_id") is not None:
        check_unit_ref(session, fields["unit_id"])
    roles = [r.value for r in body.roles] if body.roles is not None else user.roles
    unit_id = fields.get("unit_id", user.unit_id)
    if Role.unit_handler in roles and unit_id is None:
        raise Invalid("a unit handler must belong to a unit", code="auth.handler_needs_unit", field="unit_id")
    if body.roles is not None:
        service.do_set_roles(session, user, roles)
    if body.password is not None:
        service.do_set_password(session, user, body.password)
    if "backup_id" in fields:
        absences.check_backup(session, user, fields["backup_id"])
    for key in ("full_name", "phone", "email", "is_active", "unit_id", "backup_id"):
        if key in fields and (fields[key] is not None or key in ("phone", "email", "unit_id", "backup_id")):
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
        raise Invalid(f"user {body.user_id} does not exist", code="auth.no_user", field="user_id")
    issued = service.do_issue_token(session, user, "api", hours=None, name=body.name)
    return ApiTokenIssued(**ApiTokenPublic.model_validate(issued.token).model_dump(), token=issued.secret)


@router.delete("/api-tokens/{token_id}", status_code=204, operation_id="auth-revoke_api_token")
async def revoke_api_token(token_id: PathId, session: SessionDep, _: AdminUser) -> None:
    tok = session.get(AuthToken, token_id)
    if tok is None or tok.kind != "api":
        raise NotFound(f"API token {token_id} does not exist", code="auth.no_api_token")
    service.do_revoke(session, tok)


AbsenceUser = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.admin, Role.unit_handler))]


def _absence(session: SessionDep, a: object) -> AbsencePublic:
    d = directory(session)
    view = AbsencePublic.model_validate(a)
    person = d.users.get(view.user_id)
    backup = d.users.get(person.backup_id) if person and person.backup_id else None
    at = now()
    return view.model_copy(
        update={
            "username": person.username if person else None,
            "name": (person.full_name or person.username) if person else None,
            "backup_id": backup.id if backup else None,
            "backup_username": backup.username if backup else None,
            "backup_name": (backup.full_name or backup.username) if backup else None,
            "current": view.starts_at <= at < view.ends_at,
        }
    )


@router.get("/absences", operation_id="auth-list_absences")
async def list_absences(session: SessionDep, user: AbsenceUser) -> AbsencesPublic:
    """Absences now and planned (AB角), soonest first: all of them for a manager or admin; a unit handler's
    own and those of the handlers they back up."""
    mine = None
    if not user.has(*absences.KEEPERS):
        d = directory(session)
        mine = [user.id, *(p.id for p in d.users.values() if p.backup_id == user.id)]
    rows = absences.absences(session, at=now(), user_ids=mine)
    return AbsencesPublic(items=[_absence(session, a) for a in rows])


REASON_NAMES = {"leave": "休假", "training": "培训", "business": "公出", "other": "其他"}


@router.get(
    "/absences/export",
    operation_id="auth-absences_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same absences as an Excel workbook"}},
)
async def absences_export(session: SessionDep, settings: SettingsDep, user: AbsenceUser) -> Response:
    """``GET /absences`` as an .xlsx workbook (Excel, WPS): who is away, when, why, and who stands in."""
    items = (await list_absences(session, user)).items
    tz = settings.timezone
    columns = [
        xlsx.Column("姓名", 12),
        xlsx.Column("开始", 18),
        xlsx.Column("结束", 18),
        xlsx.Column("事由", 8),
        xlsx.Column("代班人", 12),
        xlsx.Column("状态", 8),
        xlsx.Column("备注", 30),
    ]
    rows = [
        [
            a.name or a.username or str(a.user_id),
            xlsx.local_time(a.starts_at, tz),
            xlsx.local_time(a.ends_at, tz),
            REASON_NAMES.get(a.reason, a.reason),
            a.backup_name or "（无）",
            "请假中" if a.current else "计划",
            a.note,
        ]
        for a in items
    ]
    data = xlsx.workbook(
        "请假代班",
        "请假与代班（AB角）",
        columns,
        rows,
        notes=["请假期间，派给其单位的工单与催办通知同时送达代班人；无代班人时只送单位其他处理人。"],
    )
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment("请假代班.xlsx"))


@router.get("/unit-handlers", operation_id="auth-unit_handlers")
async def unit_handlers(session: SessionDep, _: AbsenceUser) -> HandlersPublic:
    """Every active unit handler with their unit and backup (AB角), by unit: whom an absence is for and who
    stands in, for the managers who keep absences (the user list itself is the admin's)."""
    d = directory(session)
    people = sorted(d.by_role.get("unit_handler", ()), key=lambda p: (p.unit_id or 0, p.id))
    return HandlersPublic(
        items=[
            HandlerPublic(
                id=p.id,
                username=p.username,
                name=p.full_name or p.username,
                unit_id=p.unit_id,
                backup_id=p.backup_id,
                away=d.is_absent(p.id),
            )
            for p in people
        ]
    )


@router.post("/absences", status_code=201, operation_id="auth-add_absence")
async def add_absence(body: AbsenceIn, session: SessionDep, user: AbsenceUser) -> AbsencePublic:
    """Marks a user away (休假, 培训 …): while away, a unit handler's dispatches and notifications go to their
    backup. A manager or admin marks anyone; a unit handler marks themselves."""
    at = now()
    plan = absences.check_absence(session, user, body.user_id, body.starts_at, body.ends_at, at)
    absence = absences.do_add_absence(
        session, user, plan.user, plan.starts_at, body.ends_at, body.reason, body.note, at
    )
    return _absence(session, absence)


@router.post("/absences/{absence_id}/end", operation_id="auth-end_absence")
async def end_absence(absence_id: PathId, session: SessionDep, user: AbsenceUser) -> AbsencePublic:
    """Back early: the absence ends now."""
    absence = absences.get_absence(session, absence_id)
    return _absence(session, absences.do_end_absence(session, user, absence, now()))
