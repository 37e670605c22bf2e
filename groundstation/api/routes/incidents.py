"""Incidents: create, list, timeline, status, close, evidence files, HTML report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation.api.deps import CurrentUser, StationDep, require_role, scoped_row
from groundstation.api.schemas import Latitude, Longitude, ORMModel, aware
from groundstation.auth import Principal, Role, org_path
from groundstation.db import (
    Attachment,
    AttachmentKind,
    Detection,
    Incident,
    IncidentSource,
    IncidentStatus,
    Organisation,
    utc_now,
)
from groundstation.incidents import (
    ATTACHMENT_TYPES,
    AttachmentTooLarge,
    IncidentChanged,
    IncidentClosed,
    NewIncident,
    add_timeline_event,
    attachment_dir,
    close_incident,
    create_incident,
    record_attachment,
    render_report,
    set_status,
    store_upload,
)
from groundstation.station import Station

router = APIRouter(prefix="/incidents", tags=["incidents"])

IncidentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Short = Annotated[str, StringConstraints(max_length=200)]
Kind = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
AwareTime = Annotated[datetime, AfterValidator(aware)]

Reporter = Annotated[Principal, Depends(require_role(
    Role.COMMANDER, Role.ADMIN, Role.PILOT, Role.AUTOMATION))]
Closer = Annotated[Principal, Depends(require_role(Role.COMMANDER, Role.ADMIN))]


class IncidentIn(BaseModel):
    """A new incident (organisation defaults to the user's own)."""

    kind: Kind
    priority: int = Field(ge=1, le=5, description="1 most urgent")
    lat_deg: Latitude
    lon_deg: Longitude
    address: Text = ""
    description: Text = ""
    reporter_name: Short = ""
    reporter_phone: Annotated[str, StringConstraints(max_length=64)] = ""
    reported_at: AwareTime | None = None
    org_id: int | None = Field(None, ge=1, le=2**31 - 1)


class IncidentOut(ORMModel):
    """An incident."""

    id: int
    org_id: int
    kind: str
    priority: int
    status: str
    source: str
    external_id: str | None
    lat_deg: float
    lon_deg: float
    address: str
    description: str
    reporter_name: str
    reported_at: datetime
    created_at: datetime
    closed_at: datetime | None
    summary: str


class TimelineEventOut(ORMModel):
    """A line of the timeline."""

    id: int
    at: datetime
    kind: str
    text: str
    actor: str
    data: dict[str, Any]


class AttachmentOut(ORMModel):
    """Evidence metadata (the file itself: GET .../attachments/{id}/file)."""

    id: int
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime
    created_by: str


class IncidentDetail(IncidentOut):
    """An incident with its timeline and evidence."""

    events: list[TimelineEventOut]
    attachments: list[AttachmentOut]


class TimelineIn(BaseModel):
    """A timeline entry (note, dispatch, arrival...); ``data`` may carry lat_deg/lon_deg."""

    kind: Kind
    text: Text = ""
    data: dict[str, Any] = Field(default_factory=dict, max_length=50)


class StatusIn(BaseModel):
    """Move the incident forward."""

    status: IncidentStatus
    note: Text = ""


class CloseIn(BaseModel):
    """Close with a summary."""

    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]


def _get(session: Session, incident_id: int, user: Principal) -> Incident:
    return scoped_row(session, Incident, incident_id, user, "incident")


async def _change(station: Station, fn: Any) -> Any:
    """Run a change in its own transaction, then publish its IncidentChanged event."""
    try:
        result, changed = await station.db.run(fn)
    except IncidentClosed as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    if isinstance(changed, IncidentChanged):
        station.publish(changed)
    return result


@router.post("", status_code=201)
async def create(body: IncidentIn, user: Reporter, station: StationDep) -> IncidentOut:
    """Open an incident (commander, admin, pilot, automation)."""
    def write(session: Session) -> tuple[IncidentOut, IncidentChanged]:
        org_id = body.org_id or user.org_id
        if body.org_id is not None:
            try:
                path = org_path(session, org_id)
            except LookupError:
                raise HTTPException(status.HTTP_404_NOT_FOUND, f"organisation {org_id} not found") from None
            if not user.covers(path):
                raise HTTPException(status.HTTP_403_FORBIDDEN, "organisation outside yours")
        new = NewIncident(org_id=org_id, kind=body.kind, priority=body.priority,
                          lat_deg=body.lat_deg, lon_deg=body.lon_deg,
                          reported_at=body.reported_at or utc_now(), address=body.address,
                          description=body.description, reporter_name=body.reporter_name,
                          reporter_phone=body.reporter_phone)
        incident, changed = create_incident(session, new, actor=user, source=IncidentSource.API)
        return IncidentOut.model_validate(incident), changed
    out: IncidentOut = await _change(station, write)
    return out


@router.get("")
async def list_incidents(
    user: CurrentUser,
    station: StationDep,
    status_is: Annotated[IncidentStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[IncidentOut]:
    """Incidents of the user's subtree, newest first."""
    def read(session: Session) -> list[IncidentOut]:
        stmt = (select(Incident).join(Organisation, Organisation.id == Incident.org_id)
                .where(user.subtree()))
        if status_is is not None:
            stmt = stmt.where(Incident.status == status_is.value)
        rows = session.scalars(stmt.order_by(Incident.id.desc()).offset(offset).limit(limit))
        return [IncidentOut.model_validate(r) for r in rows]
    return await station.db.run(read)


@router.get("/{incident_id}")
async def get_incident(incident_id: IncidentId, user: CurrentUser, station: StationDep) -> IncidentDetail:
    """An incident with its timeline and evidence."""
    return await station.db.run(
        lambda s: IncidentDetail.model_validate(_get(s, incident_id, user)))


@router.post("/{incident_id}/events", status_code=201)
async def add_event(
    incident_id: IncidentId, body: TimelineIn, user: Reporter, station: StationDep
) -> TimelineEventOut:
    """Add a timeline entry."""
    def write(session: Session) -> tuple[TimelineEventOut, IncidentChanged]:
        event, changed = add_timeline_event(session, _get(session, incident_id, user),
                                            kind=body.kind, text=body.text, actor=user,
                                            data=body.data)
        return TimelineEventOut.model_validate(event), changed
    out: TimelineEventOut = await _change(station, write)
    return out


@router.post("/{incident_id}/status")
async def change_status(
    incident_id: IncidentId, body: StatusIn, user: Reporter, station: StationDep
) -> IncidentOut:
    """Move an incident forward: open → dispatched → on_scene (close with /close)."""
    def write(session: Session) -> tuple[IncidentOut, IncidentChanged]:
        incident = _get(session, incident_id, user)
        changed = set_status(session, incident, body.status, actor=user, note=body.note)
        return IncidentOut.model_validate(incident), changed
    out: IncidentOut = await _change(station, write)
    return out


@router.post("/{incident_id}/close")
async def close(incident_id: IncidentId, body: CloseIn, user: Closer, station: StationDep) -> IncidentOut:
    """Close an incident with a summary (commander, admin)."""
    def write(session: Session) -> tuple[IncidentOut, IncidentChanged]:
        incident = _get(session, incident_id, user)
        changed = close_incident(session, incident, body.summary, actor=user)
        return IncidentOut.model_validate(incident), changed
    out: IncidentOut = await _change(station, write)
    return out


@router.post(
    "/{incident_id}/attachments",
    status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": {
        t: {"schema": {"type": "string", "format": "binary"}} for t in ATTACHMENT_TYPES}}},
)
async def upload(
    incident_id: IncidentId,
    request: Request,
    user: Reporter,
    station: StationDep,
    kind: AttachmentKind = AttachmentKind.SNAPSHOT,
    filename: Annotated[str, Query(min_length=1, max_length=255)] = "evidence",
) -> AttachmentOut:
    """Attach evidence: the request body is the file, its Content-Type one of the accepted types."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ATTACHMENT_TYPES:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            f"content type must be one of: {', '.join(ATTACHMENT_TYPES)}")
    await station.db.run(lambda s: _get(s, incident_id, user))
    try:
        stored = await store_upload(request.stream(), station.settings.data_dir, incident_id,
                                    content_type, station.settings.service.max_upload_bytes)
    except AttachmentTooLarge as exc:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(exc)) from None

    def write(session: Session) -> tuple[AttachmentOut, IncidentChanged]:
        attachment, changed = record_attachment(
            session, _get(session, incident_id, user), stored, kind=kind, filename=filename,
            content_type=content_type, actor=user)
        return AttachmentOut.model_validate(attachment), changed
    try:
        out: AttachmentOut = await _change(station, write)
    except BaseException:
        (attachment_dir(station.settings.data_dir) / stored.stored_path).unlink(missing_ok=True)
        raise
    return out


@router.get("/{incident_id}/attachments/{attachment_id}/file", response_class=FileResponse)
async def download(
    incident_id: IncidentId, attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    user: CurrentUser, station: StationDep,
) -> FileResponse:
    """The evidence file (always as a download, never rendered inline)."""
    def read(session: Session) -> Attachment:
        _get(session, incident_id, user)
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.incident_id != incident_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "attachment not found")
        return attachment
    attachment = await station.db.run(read)
    root = attachment_dir(station.settings.data_dir)
    path = (root / attachment.stored_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "attachment file missing")
    return FileResponse(path, media_type=attachment.content_type, filename=attachment.filename,
                        content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff"})


@router.get("/{incident_id}/report", response_class=HTMLResponse)
async def report(incident_id: IncidentId, user: CurrentUser, station: StationDep) -> HTMLResponse:
    """The incident report: facts, map, timeline and evidence in one HTML page."""
    def build(session: Session) -> str:
        incident = _get(session, incident_id, user)
        detections = session.scalars(select(Detection).where(
            Detection.incident_id == incident.id).order_by(Detection.at)).all()
        org = session.get(Organisation, incident.org_id)
        return render_report(incident, incident.events, incident.attachments, detections,
                             attachment_root=attachment_dir(station.settings.data_dir),
                             timezone=station.settings.display_timezone,
                             organisation=org.name if org else "")
    html = await station.db.run(build)
    return HTMLResponse(html, headers={"X-Content-Type-Options": "nosniff"})
