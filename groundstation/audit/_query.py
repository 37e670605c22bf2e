"""Reading audit records within a user's organisation subtree, and exporting them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, or_, select, true
from sqlalchemy.orm import Session

from groundstation.db import AuditRecord, Organisation

__all__ = ["AUDIT_FIELDS", "AuditFilter", "audit_to_csv", "audit_to_dicts", "query_audit"]

AUDIT_FIELDS = (
    "id", "at", "actor_id", "actor", "actor_role", "org_id", "action",
    "target_type", "target_id", "params", "result", "detail",
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Optional conditions on audit records (all must hold)."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None
    action_prefix: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    result: str | None = None


def _scoped(stmt: Select[Any], scope_path: str, include_unowned: bool) -> Select[Any]:
    in_subtree = AuditRecord.org_id.in_(
        select(Organisation.id).where(Organisation.path.startswith(scope_path, autoescape=True))
    )
    unowned = and_(AuditRecord.org_id.is_(None), true() if include_unowned else false())
    return stmt.where(or_(in_subtree, unowned))


def query_audit(
    session: Session,
    *,
    scope_path: str,
    include_unowned: bool,
    where: AuditFilter = AuditFilter(),
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = True,
) -> Sequence[AuditRecord]:
    """Audit records in an organisation subtree matching a filter, newest first by default.

    ``include_unowned`` adds station-level records with no organisation (for root admins).
    """
    stmt = _scoped(select(AuditRecord), scope_path, include_unowned)
    conditions = [
        (where.since, lambda v: AuditRecord.at >= v),
        (where.until, lambda v: AuditRecord.at < v),
        (where.actor, lambda v: AuditRecord.actor == v),
        (where.action, lambda v: AuditRecord.action == v),
        (where.action_prefix, lambda v: AuditRecord.action.startswith(v, autoescape=True)),
        (where.target_type, lambda v: AuditRecord.target_type == v),
        (where.target_id, lambda v: AuditRecord.target_id == v),
        (where.result, lambda v: AuditRecord.result == v),
    ]
    for value, condition in conditions:
        if value is not None:
            stmt = stmt.where(condition(value))
    order = AuditRecord.id.desc() if newest_first else AuditRecord.id.asc()
    return session.scalars(stmt.order_by(order).offset(offset).limit(limit)).all()


def audit_to_dicts(records: Iterable[AuditRecord]) -> list[dict[str, Any]]:
    """Records as plain dicts (times in ISO 8601 UTC)."""
    out = []
    for r in records:
        row = {name: getattr(r, name) for name in AUDIT_FIELDS}
        row["at"] = r.at.isoformat()
        out.append(row)
    return out


def _csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in exported text."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def audit_to_csv(records: Iterable[AuditRecord]) -> str:
    """Records as CSV with a header row (parameters as JSON text)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(AUDIT_FIELDS)
    for row in audit_to_dicts(records):
        writer.writerow([_csv_cell(row[name]) for name in AUDIT_FIELDS])
    return buf.getvalue()
