"""Incidents: create, timeline, status, close, evidence files. Every function takes the caller's
session (one transaction) and writes the audit record with the change."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation.audit import Actor, jsonable, record_audit
from groundstation.db import (
    Attachment,
    AttachmentKind,
    Incident,
    IncidentEvent,
    IncidentSource,
    IncidentStatus,
    utc_now,
)
from groundstation.incidents._events import IncidentChanged

__all__ = [
    "ATTACHMENT_TYPES",
    "AttachmentTooLarge",
    "IncidentClosed",
    "NewIncident",
    "StoredFile",
    "add_timeline_event",
    "attachment_dir",
    "close_incident",
    "create_incident",
    "find_by_external_id",
    "record_attachment",
    "set_status",
    "store_upload",
]

ATTACHMENT_TYPES: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "application/json": ".json",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    "application/octet-stream": ".bin",
}
"""Content types accepted as evidence, with the extension files are stored under."""

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._\-\u4e00-\u9fff]+")


class IncidentClosed(ValueError):
    """The incident is closed; it takes no more changes."""


class AttachmentTooLarge(ValueError):
    """An upload went over the size limit."""


@dataclass(frozen=True, slots=True)
class NewIncident:
    """What an incident starts with."""

    org_id: int
    kind: str
    priority: int
    lat_deg: float
    lon_deg: float
    reported_at: datetime
    address: str = ""
    description: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    external_id: str | None = None


def _changed(incident: Incident, change: str) -> IncidentChanged:
    return IncidentChanged(incident_id=incident.id, org_id=incident.org_id, change=change,
                           status=incident.status, summary=f"{incident.kind} P{incident.priority}")


def _timeline(session: Session, incident: Incident, kind: str, text: str, actor: Actor,
              data: dict[str, Any] | None = None) -> IncidentEvent:
    event = IncidentEvent(incident_id=incident.id, at=utc_now(), kind=kind, text=text,
                          actor=actor.username, data=jsonable(data or {}))
    session.add(event)
    return event


def find_by_external_id(session: Session, source: IncidentSource, external_id: str) -> Incident | None:
    """The incident a call-taking system already sent under this id, if any."""
    return session.scalar(select(Incident).where(
        Incident.source == source.value, Incident.external_id == external_id))


def create_incident(
    session: Session, new: NewIncident, *, actor: Actor, source: IncidentSource
) -> tuple[Incident, IncidentChanged]:
    """Store a new open incident with its first timeline entry and audit record."""
    incident = Incident(
        org_id=new.org_id, kind=new.kind, priority=new.priority,
        status=IncidentStatus.OPEN.value, source=source.value, external_id=new.external_id,
        lat_deg=new.lat_deg, lon_deg=new.lon_deg, address=new.address,
        description=new.description, reporter_name=new.reporter_name,
        reporter_phone=new.reporter_phone, reported_at=new.reported_at, created_at=utc_now(),
        created_by=actor.user_id,
    )  # fmt: skip
    session.add(incident)
    session.flush()
    _timeline(session, incident, "created", f"{new.kind} reported ({source.value})", actor,
              {"lat_deg": new.lat_deg, "lon_deg": new.lon_deg, "priority": new.priority})
    record_audit(session, actor=actor, action="incident.create", target_type="incident",
                 target_id=incident.id, org_id=incident.org_id, result="ok",
                 params={"source": source.value, "kind": new.kind, "priority": new.priority,
                         "external_id": new.external_id})
    return incident, _changed(incident, "created")


def _open(incident: Incident) -> None:
    if incident.status == IncidentStatus.CLOSED.value:
        raise IncidentClosed(f"incident {incident.id} is closed")


def add_timeline_event(
    session: Session, incident: Incident, *, kind: str, text: str, actor: Actor,
    data: dict[str, Any] | None = None,
) -> tuple[IncidentEvent, IncidentChanged]:
    """Add a line to an open incident's timeline (dispatch, arrivals, notes...)."""
    _open(incident)
    event = _timeline(session, incident, kind, text, actor, data)
    session.flush()
    return event, _changed(incident, "event")


def set_status(
    session: Session, incident: Incident, status: IncidentStatus, *, actor: Actor, note: str = ""
) -> IncidentChanged:
    """Move an incident forward (open → dispatched → on_scene); ValueError when not allowed."""
    _open(incident)
    if status is IncidentStatus.CLOSED:
        raise ValueError("close an incident with close_incident (it needs a summary)")
    new = IncidentStatus(incident.status).advance(status)
    previous, incident.status = incident.status, new.value
    _timeline(session, incident, "status", note or f"{previous} → {new.value}", actor,
              {"from": previous, "to": new.value})
    record_audit(session, actor=actor, action="incident.status", target_type="incident",
                 target_id=incident.id, org_id=incident.org_id, result="ok",
                 params={"from": previous, "to": new.value})
    return _changed(incident, "status")


def close_incident(session: Session, incident: Incident, summary: str, *, actor: Actor) -> IncidentChanged:
    """Close an incident with a summary."""
    _open(incident)
    incident.status = IncidentStatus.CLOSED.value
    incident.closed_at = utc_now()
    incident.summary = summary
    _timeline(session, incident, "closed", summary, actor)
    record_audit(session, actor=actor, action="incident.close", target_type="incident",
                 target_id=incident.id, org_id=incident.org_id, result="ok",
                 params={"summary_chars": len(summary)})
    return _changed(incident, "closed")


def attachment_dir(data_dir: Path) -> Path:
    """Where evidence files are kept."""
    return (data_dir / "attachments").resolve()


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An evidence file written to disk (relative path under the attachment folder)."""

    stored_path: str
    size_bytes: int
    sha256: str


async def store_upload(
    chunks: AsyncIterator[bytes], data_dir: Path, incident_id: int, content_type: str,
    max_bytes: int,
) -> StoredFile:
    """Write an upload under a name the station chooses; refuse (and remove) past ``max_bytes``."""
    rel = f"{incident_id}/{uuid.uuid4().hex}{ATTACHMENT_TYPES[content_type]}"
    path = attachment_dir(data_dir) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        async with await anyio.open_file(path, "xb") as f:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentTooLarge(f"upload is larger than {max_bytes} bytes")
                digest.update(chunk)
                await f.write(chunk)
            await f.flush()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredFile(rel, size, digest.hexdigest())


def record_attachment(
    session: Session, incident: Incident, stored: StoredFile, *, kind: AttachmentKind,
    filename: str, content_type: str, actor: Actor, recorded_while_open: bool = False,
) -> tuple[Attachment, IncidentChanged]:
    """Attach a stored file to an open incident (timeline entry and audit record too).

    ``recorded_while_open``: the file was captured while the incident was open and is only
    finished now (a recording closed by the incident's close), so it is attached even after.
    """
    if not recorded_while_open:
        _open(incident)
    safe_name = _SAFE_NAME.sub("_", Path(filename).name)[:200] or "file"
    attachment = Attachment(
        incident_id=incident.id, kind=kind.value, filename=safe_name, content_type=content_type,
        stored_path=stored.stored_path, size_bytes=stored.size_bytes, sha256=stored.sha256,
        created_at=utc_now(), created_by=actor.username,
    )
    session.add(attachment)
    session.flush()
    _timeline(session, incident, "attachment", f"{kind.value} {safe_name}", actor,
              {"attachment_id": attachment.id, "sha256": stored.sha256})
    record_audit(session, actor=actor, action="incident.attach", target_type="incident",
                 target_id=incident.id, org_id=incident.org_id, result="ok",
                 params={"attachment_id": attachment.id, "kind": kind.value,
                         "size_bytes": stored.size_bytes, "sha256": stored.sha256})
    return attachment, _changed(incident, "attachment")
