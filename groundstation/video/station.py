"""Video in the running station (a public module kept out of ``groundstation.video`` so the
video library imports without the service): a ``StationExtension`` that owns the ``VideoHub`` (recordings
under the incident attachment folder, each closed segment and stored snapshot attached to its
incident as evidence, retention swept on a timer) and the incident video router wired to the
service's role checks. (No ``from __future__ import annotations``: FastAPI evaluates the
dependency signatures, which use names local to their factory.)

    app = create_app(settings, extensions=[video_extension], routers=[incident_video_router()])

Inside the station the hub is ``station.services["video"]``; dispatch calls
``hub.attach_to_incident(stream_id, str(incident_id))`` when a drone goes overhead. Streams are
named after the vehicle (its registered name, else ``sys<system id>``): the configured ones
(``GCS_VIDEO__STREAMS``) are opened at start, and those vehicles announce in MAVLink
VIDEO_STREAM_INFORMATION (the fleet asks every new vehicle for it) as they are heard.
"""


import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, status
from fastapi import Path as PathParam
from sqlalchemy import select

from groundstation.api.deps import SessionDep, StationDep, require_role, scoped_row
from groundstation.audit import StationActor, record_audit
from groundstation.auth import Principal, org_path
from groundstation.config import VideoSettings
from groundstation.db import AttachmentKind, Incident, Role, VehicleRecord
from groundstation.events import VideoStreamAnnounced
from groundstation.incidents import (
    IncidentChanged,
    IncidentClosed,
    StoredFile,
    add_timeline_event,
    attachment_dir,
    record_attachment,
)
from groundstation.station import Station
from groundstation.video._router import _ID as ID_PATTERN
from groundstation.video._router import _PRIVATE, StreamId, video_router
from groundstation.video._exceptions import StreamNotFound, StreamUriError
from groundstation.video._service import Evidence, VideoHub
from groundstation.video._source import StreamSource
from groundstation.video._types import StreamHealth

__all__ = ["SERVICE_KEY", "attach_evidence", "follow_announcements", "get_video_hub",
           "incident_video_router", "stream_id_of", "video_extension"]

_log = logging.getLogger(__name__)
SERVICE_KEY = "video"
VIEW_ROLES = (Role.VIEWER, Role.COMMANDER, Role.PILOT, Role.ADMIN)
CAPTURE_ROLES = (Role.COMMANDER, Role.PILOT, Role.ADMIN)
_ACTOR = StationActor("video")
_KIND = {"recording": AttachmentKind.CLIP, "snapshot": AttachmentKind.SNAPSHOT}

IncidentPk = Annotated[int, PathParam(alias="incident_id", ge=1, le=2**31 - 1)]



def _sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def attach_evidence(station: Station, loop: asyncio.AbstractEventLoop, evidence: Evidence) -> None:
    """Record a video file as an attachment of its incident (runs on a video worker thread)."""
    root = attachment_dir(station.settings.data_dir)
    try:
        incident_id = int(evidence.incident_id)
        rel = evidence.path.resolve().relative_to(root)
    except ValueError:
        _log.warning("video evidence %s not attached: incident %r or folder outside %s",
                     evidence.path, evidence.incident_id, root)
        return
    size, sha = _sha256(evidence.path)
    stored = StoredFile(rel.as_posix(), size, sha)

    def write(session: object) -> object:
        incident = session.get(Incident, incident_id)  # type: ignore[attr-defined]
        if incident is None:
            raise ValueError(f"incident {incident_id} does not exist")
        _, changed = record_attachment(
            session, incident, stored, kind=_KIND[evidence.kind],  # type: ignore[arg-type]
            filename=evidence.path.name, content_type=evidence.media_type, actor=_ACTOR,
            recorded_while_open=evidence.kind == "recording")  # streams attach to open ones only
        return changed

    try:
        changed = station.db.run_sync(write)  # type: ignore[arg-type]
    except (IncidentClosed, ValueError) as exc:
        _log.warning("video evidence %s kept on disk but not attached: %s", evidence.path, exc)
        return
    loop.call_soon_threadsafe(station.publish, changed)  # type: ignore[arg-type]


_STREAM_ID = re.compile(ID_PATTERN)


def stream_id_of(station: Station, system_id: int) -> str:
    """The stream id of a vehicle: its registered name when that is a valid id, else sys<N>."""
    def lookup(session: object) -> str | None:
        row = session.scalars(  # type: ignore[attr-defined]
            select(VehicleRecord.name).where(VehicleRecord.system_id == system_id)).first()
        return str(row) if row is not None else None

    name = station.db.run_sync(lookup)  # type: ignore[arg-type]
    return name if name and _STREAM_ID.match(name) else f"sys{system_id}"


async def follow_announcements(station: Station, hub: VideoHub) -> None:
    """Open (or reopen on a new address) every stream vehicles announce; runs until cancelled."""
    configured = set(station.settings.video.streams)
    bind_host = station.settings.video.announced_bind_host
    with station.bus.subscribe(VideoStreamAnnounced) as sub:
        async for event in sub:
            assert isinstance(event, VideoStreamAnnounced)
            if not event.running:
                continue
            stream_id = await anyio.to_thread.run_sync(stream_id_of, station, event.system_id)
            if stream_id in configured:
                continue
            try:
                source = StreamSource.from_video_stream_information(
                    stream_type=event.stream_type, uri=event.uri, encoding=event.encoding,
                    bind_host=bind_host)
            except StreamUriError as exc:
                _log.warning("vehicle %d announced a video stream the station cannot open: %s",
                             event.system_id, exc)
                continue
            if stream_id in hub.stream_ids() and hub.stream(stream_id).source == source:
                continue  # the same stream announced again
            _log.info("vehicle %d announced video %s as stream %s", event.system_id,
                      source.display_uri, stream_id)
            await anyio.to_thread.run_sync(hub.add_stream, stream_id, source)


async def stop_on_close(station: Station, hub: VideoHub) -> None:
    """Take every stream off an incident when it closes (its last segment is attached)."""
    with station.bus.subscribe(IncidentChanged) as sub:
        async for event in sub:
            assert isinstance(event, IncidentChanged)
            if event.change != "closed":
                continue
            for stream_id in hub.incident_streams(str(event.incident_id)):
                await anyio.to_thread.run_sync(hub.detach_from_incident, stream_id)
                _log.info("incident %d closed: video %s no longer recorded", event.incident_id,
                          stream_id)


def _configured_sources(settings: VideoSettings) -> dict[str, StreamSource]:
    """GCS_VIDEO__STREAMS checked before anything starts: a bad entry stops the station, named."""
    sources = {}
    for stream_id, uri in settings.streams.items():
        if not _STREAM_ID.match(stream_id):
            raise StreamUriError(f"GCS_VIDEO__STREAMS: {stream_id!r} is not a valid stream id "
                                 "(letters, digits, _ . -)")
        try:
            sources[stream_id] = StreamSource(uri)
        except StreamUriError as exc:
            raise StreamUriError(f"GCS_VIDEO__STREAMS[{stream_id!r}]: {exc}") from exc
    return sources


@contextlib.asynccontextmanager
async def video_extension(station: Station) -> AsyncIterator[VideoHub]:
    """Run the station's video hub for the station's lifetime."""
    loop = asyncio.get_running_loop()
    settings = station.settings
    configured = _configured_sources(settings.video)
    recordings = settings.video.recordings_dir or attachment_dir(settings.data_dir) / "video"
    hub = VideoHub(settings.video, recordings_dir=recordings,
                   on_evidence=lambda ev: attach_evidence(station, loop, ev))
    station.services[SERVICE_KEY] = hub

    async def sweep() -> None:
        while True:
            deleted = await anyio.to_thread.run_sync(hub.sweep_retention)
            if deleted:
                _log.info("video retention: %d old segments deleted", len(deleted))
            await asyncio.sleep(settings.video.retention_check_interval_s)

    station.spawn(sweep(), "video retention")
    for stream_id, source in configured.items():
        hub.add_stream(stream_id, source)
    station.spawn(stop_on_close(station, hub), "video stops on incident close")
    if settings.video.follow_announcements:
        station.spawn(follow_announcements(station, hub), "video announcements")
    try:
        yield hub
    finally:
        station.services.pop(SERVICE_KEY, None)
        await anyio.to_thread.run_sync(hub.close)


def get_video_hub(station: StationDep) -> VideoHub:
    """The running station's video hub (503 when video is not enabled)."""
    hub = station.services.get(SERVICE_KEY)
    if not isinstance(hub, VideoHub):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "video is not enabled")
    return hub


def _incident_check(*roles: Role):  # type: ignore[no-untyped-def]
    role_dep = require_role(*roles)

    def check(incident_pk: IncidentPk, session: SessionDep,
              user: Annotated[Principal, Depends(role_dep)]) -> None:
        scoped_row(session, Incident, incident_pk, user, "incident")

    return check


def _record_assignment(session: Any, incident_pk: int, stream_id: str, user: Principal, *,
                       attach: bool) -> IncidentChanged:
    """Timeline line and audit record of putting a stream on an incident or taking it off; the
    stream's vehicle (if it is a registered one) must be in the user's organisation subtree."""
    incident = scoped_row(session, Incident, incident_pk, user, "incident")
    vehicle = session.scalars(select(VehicleRecord).where(VehicleRecord.name == stream_id)).first()
    if vehicle is not None and not user.covers(org_path(session, vehicle.org_id)):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"the drone of stream {stream_id} belongs to another organisation")
    text = f"overhead video {'from' if attach else 'ended:'} {stream_id}"
    _, changed = add_timeline_event(session, incident, kind="video" if attach else "video_end",
                                    text=text, actor=user, data={"stream_id": stream_id})
    record_audit(session, actor=user, action="video.attach" if attach else "video.detach",
                 result="ok", target_type="incident", target_id=incident.id,
                 org_id=incident.org_id, params={"stream_id": stream_id})
    return changed


def _assignment_routes(router: APIRouter) -> None:
    """PUT/DELETE .../video/streams/{stream_id}: show (and record) a drone's stream under the
    incident, or stop; commanders, pilots, admins; on the timeline and in the audit log."""
    Capturer = Annotated[Principal, Depends(require_role(*CAPTURE_ROLES))]
    Hub = Annotated[VideoHub, Depends(get_video_hub)]

    async def assign(incident_pk: int, stream_id: str, user: Principal, station: Station,
                     hub: VideoHub, *, attach: bool) -> StreamHealth:
        try:
            health = hub.health(stream_id)
        except StreamNotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
        if (hub.incident_of(stream_id) == str(incident_pk)) is attach:
            return health  # already so: nothing to record
        try:
            changed = await station.db.run(lambda s: _record_assignment(
                s, incident_pk, stream_id, user, attach=attach))
        except IncidentClosed as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
        if attach:
            await anyio.to_thread.run_sync(hub.attach_to_incident, stream_id, str(incident_pk))
        else:
            await anyio.to_thread.run_sync(hub.detach_from_incident, stream_id)
        station.publish(changed)
        return hub.health(stream_id)

    @router.put("/streams/{stream_id}", response_model=StreamHealth,
                response_model_exclude=_PRIVATE)
    async def attach_stream(incident_pk: IncidentPk, stream_id: StreamId, user: Capturer,
                            station: StationDep, hub: Hub) -> StreamHealth:
        """Show a drone's stream under the incident and record it."""
        return await assign(incident_pk, stream_id, user, station, hub, attach=True)

    @router.delete("/streams/{stream_id}", response_model=StreamHealth,
                   response_model_exclude=_PRIVATE)
    async def detach_stream(incident_pk: IncidentPk, stream_id: StreamId, user: Capturer,
                            station: StationDep, hub: Hub) -> StreamHealth:
        """Take the stream off the incident (its recording is closed and attached)."""
        if hub.incident_of(stream_id) != str(incident_pk):
            raise HTTPException(status.HTTP_404_NOT_FOUND,
                                f"video stream {stream_id!r} is not on incident {incident_pk}")
        return await assign(incident_pk, stream_id, user, station, hub, attach=False)


def incident_video_router() -> APIRouter:
    """The incident video routes with the service's roles: viewers, commanders, pilots and
    admins of the incident's organisation subtree watch; commanders, pilots, admins capture
    and put a drone's stream on the incident."""
    router = video_router(get_hub=get_video_hub, authorize_view=_incident_check(*VIEW_ROLES),
                          authorize_capture=_incident_check(*CAPTURE_ROLES))
    _assignment_routes(router)
    return router
