"""Organisations and users (admins, within their own subtree); every change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select

from groundstation.api.deps import AdminUser, CurrentUser, SessionDep, StationDep, scoped_row
from groundstation.api.schemas import Name, ORMModel
from groundstation.audit import record_audit
from groundstation.auth import Principal, create_org, create_user, issue_api_key, org_path
from groundstation.db import Organisation, OrgKind, Role, User

router = APIRouter(tags=["users"])

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=1024)]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class OrgIn(BaseModel):
    """A new organisation under a parent the admin covers."""

    name: Name
    kind: OrgKind
    parent_id: int = Field(ge=1, le=2**31 - 1)


class OrgOut(ORMModel):
    """An organisation."""

    id: int
    name: str
    kind: str
    parent_id: int | None
    path: str


class UserIn(BaseModel):
    """A new user; service accounts (automation) may have no password and use an API key."""

    username: Username
    role: Role
    org_id: int = Field(ge=1, le=2**31 - 1)
    password: Password | None = None
    display_name: Annotated[str, StringConstraints(max_length=200)] = ""


class UserPatch(BaseModel):
    """Changes to a user (any left out stay as they are)."""

    role: Role | None = None
    active: bool | None = None
    password: Password | None = None
    display_name: Annotated[str, StringConstraints(max_length=200)] | None = None


class UserOut(ORMModel):
    """A user (never the password hash or key digest)."""

    id: int
    username: str
    display_name: str
    role: str
    org_id: int
    active: bool
    has_api_key: bool
    created_at: datetime


class ApiKeyOut(BaseModel):
    """A new API key, shown once."""

    user_id: int
    api_key: str


def _user_out(user: User) -> UserOut:
    return UserOut(id=user.id, username=user.username, display_name=user.display_name,
                   role=user.role, org_id=user.org_id, active=user.active,
                   has_api_key=user.api_key_hash is not None, created_at=user.created_at)


def _check_org(session: SessionDep, user: Principal, org_id: int) -> None:
    try:
        path = org_path(session, org_id)
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"organisation {org_id} not found") from None
    if not user.covers(path):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"organisation {org_id} is outside your organisation")


@router.get("/orgs")
def list_orgs(user: CurrentUser, session: SessionDep) -> list[OrgOut]:
    """Organisations in the user's subtree."""
    rows = session.scalars(
        select(Organisation)
        .where(user.subtree())
        .order_by(Organisation.path)
    ).all()
    return [OrgOut.model_validate(r) for r in rows]


@router.post("/orgs", status_code=201)
def add_org(body: OrgIn, admin: AdminUser, session: SessionDep) -> OrgOut:
    """Add an organisation under one the admin covers."""
    _check_org(session, admin, body.parent_id)
    org = create_org(session, body.name, body.kind, body.parent_id)
    record_audit(session, actor=admin, action="org.create", target_type="org", target_id=org.id,
                 params=body.model_dump(), result="ok", org_id=org.id)
    return OrgOut.model_validate(org)


@router.get("/users")
def list_users(admin: AdminUser, session: SessionDep) -> list[UserOut]:
    """Users of the admin's subtree."""
    rows = session.scalars(
        select(User)
        .join(Organisation, Organisation.id == User.org_id)
        .where(admin.subtree())
        .order_by(User.id)
    ).all()
    return [_user_out(u) for u in rows]


@router.post("/users", status_code=201)
def add_user(body: UserIn, admin: AdminUser, session: SessionDep, station: StationDep) -> UserOut:
    """Add a user in an organisation the admin covers."""
    _check_org(session, admin, body.org_id)
    if body.password is None and body.role is not Role.AUTOMATION:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "only automation accounts may be created without a password")
    if session.scalar(select(User.id).where(User.username == body.username)) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"username {body.username!r} is taken")
    user = create_user(session, station.passwords, username=body.username, role=body.role,
                       org_id=body.org_id, password=body.password,
                       display_name=body.display_name)
    record_audit(session, actor=admin, action="user.create", target_type="user",
                 target_id=user.id, params=body.model_dump(exclude={"password"}), result="ok",
                 org_id=body.org_id)
    return _user_out(user)


@router.get("/users/{user_id}")
def get_user(user_id: UserId, admin: AdminUser, session: SessionDep) -> UserOut:
    """One user of the admin's subtree."""
    return _user_out(scoped_row(session, User, user_id, admin, "user"))


@router.patch("/users/{user_id}")
def change_user(
    user_id: UserId, body: UserPatch, admin: AdminUser, session: SessionDep, station: StationDep
) -> UserOut:
    """Change a user's role, password, name or active flag (role/password/active changes end
    the user's current tokens)."""
    user = scoped_row(session, User, user_id, admin, "user")
    if user.id == admin.user_id and (body.role not in (None, Role.ADMIN) or body.active is False):
        raise HTTPException(status.HTTP_409_CONFLICT, "admins cannot demote or disable themselves")
    if body.role is not None:
        user.role = body.role.value
    if body.active is not None:
        user.active = body.active
    if body.password is not None:
        user.password_hash = station.passwords.hash(body.password)
    if body.display_name is not None:
        user.display_name = body.display_name
    if body.role is not None or body.active is not None or body.password is not None:
        user.token_version += 1
    record_audit(session, actor=admin, action="user.update", target_type="user",
                 target_id=user.id, result="ok", org_id=user.org_id,
                 params=body.model_dump(exclude={"password"}, exclude_none=True)
                 | {"password_changed": body.password is not None})
    return _user_out(user)


@router.post("/users/{user_id}/api-key", status_code=201)
def new_key(user_id: UserId, admin: AdminUser, session: SessionDep) -> ApiKeyOut:
    """Give a service account (role automation) a new API key; the old one stops working."""
    user = scoped_row(session, User, user_id, admin, "user")
    if user.role != Role.AUTOMATION.value:
        raise HTTPException(status.HTTP_409_CONFLICT, "API keys are only for automation accounts")
    key = issue_api_key(session, user)
    record_audit(session, actor=admin, action="user.api_key", target_type="user",
                 target_id=user.id, result="ok", org_id=user.org_id)
    return ApiKeyOut(user_id=user.id, api_key=key)
