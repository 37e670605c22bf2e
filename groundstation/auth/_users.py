"""Organisations and users: creation, lookup, authentication (sessions are the caller's)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation.auth._exceptions import NotAuthenticated
from groundstation.auth._passwords import (
    PasswordHashing,
    api_key_matches,
    new_api_key,
    parse_api_key,
)
from groundstation.auth._principal import Principal
from groundstation.auth._tokens import TokenClaims
from groundstation.db import Organisation, OrgKind, Role, User

__all__ = [
    "authenticate_api_key",
    "authenticate_password",
    "create_org",
    "create_user",
    "issue_api_key",
    "org_path",
    "principal_for_token",
    "principal_of",
]


def create_org(session: Session, name: str, kind: OrgKind, parent_id: int | None = None) -> Organisation:
    """Add an organisation under a parent (None: a root) and fill in its path."""
    parent = session.get(Organisation, parent_id) if parent_id is not None else None
    if parent_id is not None and parent is None:
        raise LookupError(f"organisation {parent_id} not found")
    org = Organisation(name=name, kind=kind.value, parent_id=parent_id, path="")
    session.add(org)
    session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    session.flush()
    return org


def org_path(session: Session, org_id: int) -> str:
    """The materialised path of an organisation (LookupError when it does not exist)."""
    path = session.scalar(select(Organisation.path).where(Organisation.id == org_id))
    if path is None:
        raise LookupError(f"organisation {org_id} not found")
    return path


def create_user(
    session: Session,
    hashing: PasswordHashing,
    *,
    username: str,
    role: Role,
    org_id: int,
    password: str | None = None,
    display_name: str = "",
) -> User:
    """Add a user (password may be None for service accounts that use API keys)."""
    org_path(session, org_id)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role.value,
        org_id=org_id,
        password_hash=hashing.hash(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return user


def issue_api_key(session: Session, user: User) -> str:
    """Give a user a new API key (replacing any old one) and return it; only its digest is kept."""
    key, prefix, digest = new_api_key()
    user.api_key_prefix = prefix
    user.api_key_hash = digest
    session.flush()
    return str(key)


def principal_of(session: Session, user: User) -> Principal:
    """The principal acting as a user."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        org_id=user.org_id,
        org_path=org_path(session, user.org_id),
    )


def authenticate_password(
    session: Session, hashing: PasswordHashing, username: str, password: str
) -> User:
    """The active user with this name and password; NotAuthenticated otherwise."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        hashing.dummy_verify(password)
        raise NotAuthenticated("wrong username or password")
    if not user.active or not hashing.verify(user.password_hash, password):
        raise NotAuthenticated("wrong username or password")
    return user


def authenticate_api_key(session: Session, key: str) -> User:
    """The active user holding an API key; NotAuthenticated otherwise."""
    prefix = parse_api_key(key)
    user = (
        session.scalar(select(User).where(User.api_key_prefix == prefix)) if prefix else None
    )
    if user is None or not user.active or not api_key_matches(key, user.api_key_hash):
        raise NotAuthenticated("invalid API key")
    return user


def principal_for_token(session: Session, claims: TokenClaims) -> Principal:
    """The principal a verified token stands for (the user must still exist and be active)."""
    user = session.get(User, claims.user_id)
    if user is None or not user.active or user.token_version != claims.token_version:
        raise NotAuthenticated("token no longer valid")
    return principal_of(session, user)
