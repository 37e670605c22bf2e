"""Writing audit records: one call, inside the caller's transaction, so a change and its record
commit together (or not at all)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from groundstation.db import AuditRecord, utc_now

__all__ = ["STATION", "Actor", "StationActor", "jsonable", "record_audit"]

_MAX_TEXT = 2000


class Actor(Protocol):
    """Who did something (``groundstation.auth.Principal`` satisfies this)."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def org_id(self) -> int | None: ...


class StationActor:
    """The station itself (automatic actions, MAVLink traffic, refused anonymous requests)."""

    def __init__(self, name: str = "station") -> None:
        self.user_id: int | None = None
        self.username = name
        self.role = "system"
        self.org_id: int | None = None


STATION = StationActor()


def jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy of parameters (non-finite floats and unknown objects become text)."""
    if depth > 8:
        return str(value)[:_MAX_TEXT]
    if value is None or isinstance(value, bool | int | str):
        return value[:_MAX_TEXT] if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k)[:200]: jsonable(v, depth + 1) for k, v in list(value.items())[:200]}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, depth + 1) for v in list(value)[:500]]
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return str(value)[:_MAX_TEXT]


def record_audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    result: str,
    target_type: str = "",
    target_id: object = "",
    params: Mapping[str, Any] | None = None,
    detail: str = "",
    org_id: int | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append one audit record (who, when, what, target, parameters, result) to the session."""
    role = actor.role
    record = AuditRecord(
        at=at or utc_now(),
        actor_id=actor.user_id,
        actor=actor.username[:64],
        actor_role=getattr(role, "value", str(role))[:32],
        org_id=org_id if org_id is not None else actor.org_id,
        action=action[:64],
        target_type=target_type[:32],
        target_id=str(target_id)[:64],
        params=jsonable(dict(params or {})),
        result=result[:64],
        detail=detail[:_MAX_TEXT],
    )
    session.add(record)
    return record
