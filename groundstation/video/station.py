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
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, HTTPException, status
from fastapi import Path as PathParam
from sqlalchemy import select

from groundstation.api.deps import SessionDep, StationDep, require_role, scoped_row
from groundstation.audit import StationActor
from groundstation.auth import Principal
from groundstation.config import VideoSettings
from groundstation.db import AttachmentKind, Incident, Role, VehicleRecord
from groundstation.events import VideoStreamAnnounced
from groundstation.incidents import IncidentClosed, StoredFile, attachment_dir, record_attachment
from groundstation.station import Station
from groundstation.video._router import video_router
from groundstation.video._exceptions import StreamUriError
from groundstation.video._service import Evidence, VideoHub
from groundstation.video._source import StreamSource

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
            filename=evidence.path.name, content_type=evidence.media_type, actor=_ACTOR)
        return changed

    try:
        changed = station.db.run_sync(write)  # type: ignore[arg-type]
    except (IncidentClosed, ValueError) as exc:
        _log.warning("video evidence %s kept on disk but not attached: %s", evidence.path, exc)
        return
    loop.call_soon_threadsafe(station.publish, changed)  # type: ignore[arg-type]


_STREAM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


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


def incident_video_router() -> APIRouter:
    """The incident video routes with the service's roles: viewers, commanders, pilots and
    admins of the incident's organisation subtree watch; commanders, pilots, admins capture."""
    return video_router(get_hub=get_video_hub, authorize_view=_incident_check(*VIEW_ROLES),
                        authorize_capture=_incident_check(*CAPTURE_ROLES))
