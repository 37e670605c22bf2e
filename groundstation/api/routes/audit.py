"""Audit records: query and export (CSV, JSON) within the user's organisation subtree."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel
from sqlalchemy.orm import Session

from groundstation.api.deps import StationDep, require_role
from groundstation.api.schemas import aware
from groundstation.audit import AuditFilter, audit_to_csv, audit_to_dicts, query_audit
from groundstation.auth import Principal, Role

router = APIRouter(prefix="/audit", tags=["audit"])

Auditor = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.COMMANDER))]
AwareTime = Annotated[datetime, AfterValidator(aware)]
Field64 = Annotated[str | None, Query(max_length=64)]


class AuditRecordOut(BaseModel):
    """One audit record."""

    id: int
    at: str
    actor_id: int | None
    actor: str
    actor_role: str
    org_id: int | None
    action: str
    target_type: str
    target_id: str
    params: dict[str, Any]
    result: str
    detail: str




def _filter(
    since: Annotated[AwareTime | None, Query()] = None,
    until: Annotated[AwareTime | None, Query()] = None,
    actor: Field64 = None,
    action: Field64 = None,
    action_prefix: Field64 = None,
    target_type: Field64 = None,
    target_id: Field64 = None,
    result: Field64 = None,
) -> AuditFilter:
    return AuditFilter(since=since, until=until, actor=actor, action=action,
                       action_prefix=action_prefix, target_type=target_type,
                       target_id=target_id, result=result)


@router.get("")
async def list_audit(
    user: Auditor,
    station: StationDep,
    where: Annotated[AuditFilter, Depends(_filter)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[AuditRecordOut]:
    """Audit records newest first (admins and commanders, own subtree; station-level records
    to admins of a root organisation)."""
    def read(session: Session) -> list[dict[str, Any]]:
        return audit_to_dicts(query_audit(session, scope_path=user.org_path,
                                          include_unowned=user.is_root_admin, where=where,
                                          limit=limit, offset=offset))
    return [AuditRecordOut(**row) for row in await station.db.run(read)]


@router.get("/export", response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
async def export_audit(
    user: Auditor,
    station: StationDep,
    where: Annotated[AuditFilter, Depends(_filter)],
    format: Literal["csv", "json"] = "csv",
) -> Response:
    """Audit records oldest first as a CSV or JSON download."""
    limit = station.settings.service.audit_export_limit

    def read(session: Session) -> Any:
        rows = query_audit(session, scope_path=user.org_path, include_unowned=user.is_root_admin,
                           where=where, limit=limit, newest_first=False)
        return audit_to_csv(rows) if format == "csv" else audit_to_dicts(rows)
    data = await station.db.run(read)
    disposition = {"Content-Disposition": f'attachment; filename="audit.{format}"'}
    if format == "csv":
        return Response(data, media_type="text/csv; charset=utf-8", headers=disposition)
    return JSONResponse(data, headers=disposition)
