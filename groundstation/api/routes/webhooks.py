"""The call-taking (110) system's webhook: HMAC-signed incidents, idempotent on the call id."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, ValidationError
from sqlalchemy.orm import Session

from groundstation.api.deps import StationDep
from groundstation.api.routes.incidents import IncidentOut, Kind, Short, Text
from groundstation.api.schemas import Latitude, Longitude, Problem, aware
from groundstation.audit import StationActor, record_audit
from groundstation.auth import org_path
from groundstation.db import IncidentSource, utc_now
from groundstation.incidents import (
    IncidentChanged,
    NewIncident,
    create_incident,
    find_by_external_id,
    verify_webhook,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_MAX_BODY = 64 * 1024
_CALLER = StationActor("call-taking")


class CallTakingIncident(BaseModel):
    """An incident as the call-taking system sends it."""

    call_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    org_id: int = Field(ge=1, le=2**31 - 1)
    kind: Kind
    priority: int = Field(ge=1, le=5)
    lat_deg: Latitude
    lon_deg: Longitude
    address: Text = ""
    description: Text = ""
    reporter_name: Short = ""
    reporter_phone: Annotated[str, StringConstraints(max_length=64)] = ""
    reported_at: Annotated[datetime, AfterValidator(aware)] | None = None


@router.post(
    "/call-taking",
    status_code=201,
    responses={200: {"model": IncidentOut, "description": "already received (same call_id)"},
               401: {"model": Problem, "description": "missing, stale or bad signature"},
               403: {"model": Problem, "description": "webhook not configured"}},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": CallTakingIncident.model_json_schema()}}}},
)
async def call_taking(request: Request, response: Response, station: StationDep) -> IncidentOut:
    """Receive an incident; headers ``X-GCS-Timestamp`` and ``X-GCS-Signature: sha256=<hex>``
    (HMAC-SHA256 of ``<timestamp>.<body>`` with the shared secret)."""
    secret = station.settings.service.webhook_secret
    body = await request.body()
    client = request.client.host if request.client else ""
    reason = "webhook not configured" if secret is None else (
        "body too large" if len(body) > _MAX_BODY else verify_webhook(
            secret.get_secret_value(), request.headers.get("x-gcs-timestamp"),
            request.headers.get("x-gcs-signature"), body,
            max_skew_s=station.settings.service.webhook_max_skew_s))
    if reason is not None:
        def refuse(session: Session) -> None:
            record_audit(session, actor=_CALLER, action="webhook.call_taking", result="refused",
                         detail=reason, params={"client": client, "bytes": len(body)})
        await station.db.run(refuse)
        code = status.HTTP_403_FORBIDDEN if secret is None else status.HTTP_401_UNAUTHORIZED
        raise HTTPException(code, reason)
    try:
        call = CallTakingIncident.model_validate_json(body)
    except ValidationError as exc:
        problems = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
                    for e in exc.errors(include_url=False, include_context=False,
                                        include_input=False)]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems) from None

    def write(session: Session) -> tuple[IncidentOut, IncidentChanged | None]:
        existing = find_by_external_id(session, IncidentSource.CALL_TAKING, call.call_id)
        if existing is not None:
            return IncidentOut.model_validate(existing), None
        try:
            org_path(session, call.org_id)
        except LookupError:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                f"organisation {call.org_id} not found") from None
        new = NewIncident(org_id=call.org_id, kind=call.kind, priority=call.priority,
                          lat_deg=call.lat_deg, lon_deg=call.lon_deg,
                          reported_at=call.reported_at or utc_now(), address=call.address,
                          description=call.description, reporter_name=call.reporter_name,
                          reporter_phone=call.reporter_phone, external_id=call.call_id)
        incident, changed = create_incident(session, new, actor=_CALLER,
                                            source=IncidentSource.CALL_TAKING)
        return IncidentOut.model_validate(incident), changed

    out, changed = await station.db.run(write)
    if changed is None:
        response.status_code = status.HTTP_200_OK
    else:
        station.publish(changed)
    return out
