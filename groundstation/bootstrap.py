"""First start: an empty database gets a root organisation and an admin with a random password."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groundstation.audit import STATION, record_audit
from groundstation.auth import PasswordHashing, create_org, create_user
from groundstation.db import OrgKind, Role, User
from groundstation.station import Station

__all__ = ["ensure_first_admin", "first_admin_extension"]


def ensure_first_admin(
    session: Session, passwords: PasswordHashing, *, org_name: str = "City public security bureau",
    username: str = "admin",
) -> tuple[str, str] | None:
    """Create a root organisation and an admin when there are no users; return (name, password)."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    org = create_org(session, org_name, OrgKind.CITY_BUREAU)
    password = secrets.token_urlsafe(12)
    user = create_user(session, passwords, username=username, role=Role.ADMIN, org_id=org.id,
                       password=password, display_name="Station administrator")
    record_audit(session, actor=STATION, action="user.create", target_type="user",
                 target_id=user.id, org_id=org.id, result="ok",
                 params={"username": username, "role": "admin", "first_start": True})
    return username, password


def first_admin_extension(announce: Callable[[str], None]) -> Callable[[Station], object]:
    """A station extension that makes the first admin and announces its credentials once."""

    @asynccontextmanager
    async def extension(station: Station) -> AsyncIterator[None]:
        created = await station.db.run(lambda s: ensure_first_admin(s, station.passwords))
        if created is not None:
            announce(f"first start: admin user {created[0]!r} with password {created[1]!r} "
                     "(change it: PATCH /api/users/{id})")
        yield

    return extension
