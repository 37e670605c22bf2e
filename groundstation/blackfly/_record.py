"""An alert on the record: evidence files, a detection row, the incident it belongs to (an open
one nearby, or a new "black-flying drone" incident), the nearest ground unit proposed on its
timeline, and the audit record. One database transaction; files written under the station's
attachment folder are removed again if the transaction fails."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Geod
from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation.audit import StationActor, record_audit
from groundstation.blackfly._events import BlackFlyingAlert
from groundstation.blackfly._settings import BlackflySettings, WatchSpec
from groundstation.db import (
    AttachmentKind,
    Detection,
    GroundUnit,
    Incident,
    IncidentEvent,
    IncidentSource,
    IncidentStatus,
    Organisation,
    utc_now,
)
from groundstation.dispatch import GroundUnit as UnitSnapshot
from groundstation.dispatch import Scene, nearest_ground_unit
from groundstation.events import Event
from groundstation.incidents import (
    ATTACHMENT_TYPES,
    NewIncident,
    StoredFile,
    add_timeline_event,
    attachment_dir,
    create_incident,
    record_attachment,
)
from vision.alerts import Alert

__all__ = ["ACTOR", "Evidence", "Fallback", "RecordedAlert", "record_alert"]

ACTOR = StationActor("blackfly")
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class Evidence:
    """The encoded evidence of one alert (the clip is None when it could not be encoded)."""

    snapshot_jpeg: bytes
    clip_mp4: bytes | None
    clip_problem: str = ""


@dataclass(frozen=True, slots=True)
class RecordedAlert:
    """What was stored, and the events to publish once the transaction has committed."""

    detection_id: int
    incident_id: int
    new_incident: bool
    events: tuple[Event, ...]


def _org_subtree(session: Session, org_id: int) -> list[int]:
    org = session.get(Organisation, org_id)
    if org is None:
        raise LookupError(f"organisation {org_id} not found")
    return list(session.scalars(select(Organisation.id).where(
        Organisation.path.startswith(org.path, autoescape=True))))


@dataclass(frozen=True, slots=True)
class Fallback:
    """Where to put an alert whose drone could not be located."""

    camera_at: tuple[float, float] | None = None
    """The camera's last known position (a fixed mount, or its drone's last fix)."""
    stream_incident_id: int | None = None
    """The incident the stream is attached to, if any."""


def _incident_for(
    session: Session, spec: WatchSpec, alert: Alert, orgs: list[int], fallback: Fallback,
    radius_m: float,
) -> tuple[Incident | None, tuple[float, float]]:
    """The open incident to join (or None: open one at the place returned). The stream's own
    open incident comes first: whoever put the drone on it is working that scene, whichever
    organisation it belongs to."""
    on_stream = None
    if fallback.stream_incident_id is not None:
        on_stream = session.get(Incident, fallback.stream_incident_id)
        if on_stream is not None and on_stream.status == IncidentStatus.CLOSED.value:
            on_stream = None
    if alert.estimate is not None:
        where = (alert.estimate.lat_deg, alert.estimate.lon_deg)
        if on_stream is not None and _distance_m(on_stream, *where) <= radius_m:
            return on_stream, where
    elif on_stream is not None:
        return on_stream, (on_stream.lat_deg, on_stream.lon_deg)
    elif fallback.camera_at is None:
        raise ValueError(f"stream {spec.stream_id}: neither the drone nor the camera has a "
                         "position, and the stream is on no open incident")
    else:
        where = fallback.camera_at
    return _nearest_open_incident(session, orgs, *where, radius_m), where


def _distance_m(incident: Incident, lat: float, lon: float) -> float:
    return float(_GEOD.inv(incident.lon_deg, incident.lat_deg, lon, lat)[2])


def _nearest_open_incident(session: Session, orgs: list[int], lat: float, lon: float,
                           radius_m: float) -> Incident | None:
    rows = list(session.scalars(select(Incident).where(
        Incident.org_id.in_(orgs), Incident.status != IncidentStatus.CLOSED.value)))
    if not rows:
        return None
    _, _, dist = _GEOD.inv([r.lon_deg for r in rows], [r.lat_deg for r in rows],
                           [lon] * len(rows), [lat] * len(rows))
    best = int(np.argmin(dist))
    return rows[best] if float(np.asarray(dist)[best]) <= radius_m else None


def _store_file(root: Path, incident_id: int, data: bytes, content_type: str) -> StoredFile:
    rel = f"{incident_id}/{uuid.uuid4().hex}{ATTACHMENT_TYPES[content_type]}"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as fh:
        fh.write(data)
    return StoredFile(rel, len(data), hashlib.sha256(data).hexdigest())


def _details(spec: WatchSpec, alert: Alert, evidence: Evidence) -> dict[str, Any]:
    e = alert.estimate
    return {
        "stream_id": spec.stream_id, "frame_index": alert.frame_index,
        "box": {k: round(float(getattr(alert.box, k)), 2) for k in ("x", "y", "w", "h")},
        "authorisation": {"basis": alert.authorisation.basis.value,
                          "reason": alert.authorisation.reason,
                          "matched": alert.authorisation.matched},
        "estimate": None if e is None else {
            "azimuth_deg": round(e.bearing.azimuth_deg, 2),
            "elevation_deg": round(e.bearing.elevation_deg, 2), "range_m": round(e.range_m, 1),
            "alt_amsl_m": round(e.alt_amsl_m, 1), "radius_m": round(e.radius_m, 1),
            "along_m": round(e.along_m, 1), "across_m": round(e.across_m, 1)},
        "zones": [{"zone_id": z.zone_id, "name": z.zone_name, "kind": z.kind.value,
                   "certain": z.certain} for z in alert.zones],
        "clip_problem": evidence.clip_problem,
    }  # fmt: skip


def _summary(alert: Alert) -> str:
    zones = "; ".join(z.describe() for z in alert.zones)
    where = ("position unknown" if alert.estimate is None else
             f"~{alert.estimate.range_m:.0f} m from the camera, ±{alert.estimate.radius_m:.0f} m")
    return (f"unauthorised drone (track {alert.track_id}, p={alert.drone_probability:.2f}), "
            f"{where}; {alert.authorisation.reason}" + (f"; {zones}" if zones else ""))


def record_alert(session: Session, spec: WatchSpec, alert: Alert, evidence: Evidence, *,
                 data_dir: Path, settings: BlackflySettings,
                 fallback: Fallback = Fallback()) -> RecordedAlert:
    """Store one alert with its evidence on the right incident (see the module docstring):
    the stream's open incident when the drone is within the attach radius of it, else the open
    incident nearest the drone, else a new one there; a drone not located goes on the stream's
    open incident, else is placed at the camera (ValueError without either)."""
    orgs = _org_subtree(session, spec.org_id)
    events: list[Event] = []
    incident, (lat, lon) = _incident_for(session, spec, alert, orgs, fallback,
                                         settings.attach_radius_m)
    new = incident is None
    text = _summary(alert)
    if incident is None:
        incident, changed = create_incident(session, NewIncident(
            org_id=spec.org_id, kind=settings.incident_kind,
            priority=(settings.no_fly_priority if any(z.certain for z in alert.zones)
                      else settings.incident_priority),
            lat_deg=lat, lon_deg=lon, reported_at=alert.at, description=text,
            reporter_name=f"video {spec.stream_id}"), actor=ACTOR, source=IncidentSource.DETECTION)
        events.append(changed)
    root = attachment_dir(data_dir)
    written: list[Path] = []
    try:
        files = [(AttachmentKind.SNAPSHOT, "image/jpeg", evidence.snapshot_jpeg)]
        if evidence.clip_mp4 is not None:
            files.append((AttachmentKind.CLIP, "video/mp4", evidence.clip_mp4))
        attachments = []
        for kind, content_type, data in files:
            stored = _store_file(root, incident.id, data, content_type)
            written.append(root / stored.stored_path)
            name = f"track{alert.track_id}{ATTACHMENT_TYPES[content_type]}"
            row, changed = record_attachment(session, incident, stored, kind=kind, filename=name,
                                             content_type=content_type, actor=ACTOR)
            attachments.append(row.id)
            events.append(changed)
        details = _details(spec, alert, evidence) | {"attachment_ids": attachments}
        detection = Detection(
            org_id=spec.org_id, incident_id=incident.id, seen_by_system_id=spec.camera_system_id,
            at=alert.at, track_id=f"{spec.stream_id}:{alert.track_id}", label="drone",
            confidence=float(alert.drone_probability), authorised=False,
            lat_deg=None if alert.estimate is None else alert.estimate.lat_deg,
            lon_deg=None if alert.estimate is None else alert.estimate.lon_deg, data=details)
        session.add(detection)
        session.flush()
        _, changed = add_timeline_event(session, incident, kind="detection", text=text,
                                        actor=ACTOR, data={"detection_id": detection.id,
                                                           "attachment_ids": attachments})
        events.append(changed)
        events += _propose_ground_unit(session, incident, orgs)
        record_audit(session, actor=ACTOR, action="detection.alert", target_type="detection",
                     target_id=detection.id, org_id=spec.org_id, result="ok",
                     params={"incident_id": incident.id, "new_incident": new,
                             "stream_id": spec.stream_id, "track_id": alert.track_id,
                             "reason": alert.authorisation.reason})
        session.flush()
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    e = alert.estimate
    events.append(BlackFlyingAlert(
        incident_id=incident.id, org_id=spec.org_id, detection_id=detection.id,
        new_incident=new, stream_id=spec.stream_id, seen_by_system_id=spec.camera_system_id,
        lat_deg=None if e is None else e.lat_deg, lon_deg=None if e is None else e.lon_deg,
        radius_m=None if e is None else e.radius_m, text=text, at=utc_now()))
    return RecordedAlert(detection.id, incident.id, new, tuple(events))


_UNIT_KINDS = ("ground_unit_proposed", "handoff")


def _propose_ground_unit(session: Session, incident: Incident, orgs: list[int]) -> list[Event]:
    """Name the nearest available ground unit on the timeline, once per incident."""
    if session.scalar(select(IncidentEvent.id).where(
            IncidentEvent.incident_id == incident.id, IncidentEvent.kind.in_(_UNIT_KINDS))):
        return []
    rows = session.scalars(select(GroundUnit).where(GroundUnit.org_id.in_(orgs)))
    units = [UnitSnapshot(str(r.id), r.name, r.lat_deg, r.lon_deg, r.available) for r in rows]
    choice = nearest_ground_unit(Scene(incident.lat_deg, incident.lon_deg), units)
    if choice is None:
        _, changed = add_timeline_event(session, incident, kind="ground_unit_proposed",
                                        text="no ground unit available to propose", actor=ACTOR)
        return [changed]
    data = {"unit_id": int(choice.unit.unit_id), "unit": choice.unit.name,
            "distance_m": round(choice.distance_m), "eta_s": round(choice.eta_s)}
    _, changed = add_timeline_event(
        session, incident, kind="ground_unit_proposed",
        text=f"nearest ground unit: {choice.unit.name}, {choice.distance_m:.0f} m, "
             f"~{choice.eta_s / 60:.0f} min (hand off to send it)", actor=ACTOR, data=data)
    return [changed]
