"""HTTP routes of incident video: live MJPEG, health, snapshots, recordings.

(No ``from __future__ import annotations`` here: FastAPI must evaluate the route signatures,
which use aliases local to ``video_router``.)

The app includes it once, injecting how to reach the ``VideoHub`` and who may watch:

    app.include_router(video_router(get_hub=hub_dep, authorize_view=incident_viewer,
                                    authorize_capture=incident_officer), prefix="/api")

``authorize_view`` and ``authorize_capture`` are ordinary FastAPI dependencies; they may declare
the ``incident_id`` path parameter and raise 401/403. Every route has one of them: there is no
unauthenticated video.
"""


from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import FileResponse, Response, StreamingResponse
from pydantic import BaseModel

from groundstation.video._exceptions import NoFrameYet, StreamNotFound
from groundstation.video._mjpeg import BOUNDARY, mjpeg_parts
from groundstation.video._recorder import SegmentInfo
from groundstation.video._service import VideoHub
from groundstation.video._types import StreamHealth

__all__ = ["video_router"]

_PRIVATE = {"uri"}
"""Health fields viewers do not get (the drone's address)."""

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
IncidentId = Annotated[str, Path(pattern=_ID)]
StreamId = Annotated[str, Path(pattern=_ID)]


class SegmentOut(BaseModel):
    """One recorded segment."""

    stream_id: str
    file: str
    url: str
    start_utc: str
    end_utc: str | None
    complete: bool
    bytes: int
    codec: str
    play_url: str | None
    """What a browser plays: the segment itself (H.264), or its H.264 copy once made."""


class SnapshotOut(BaseModel):
    """A stored snapshot."""

    stream_id: str
    file: str
    url: str
    taken_utc: str


def _play_url(seg: SegmentInfo) -> str | None:
    if seg.playback_file:
        return f"recordings/{seg.stream_id}/{seg.playback_file}"
    return f"recordings/{seg.stream_id}/{seg.file}" if seg.codec == "h264" else None


@contextmanager
def _http_errors() -> Iterator[None]:
    """Video errors as HTTP answers: unknown or off-incident 404, no frame yet 503."""
    try:
        yield
    except StreamNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    except NoFrameYet as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from None


def video_router(*, get_hub: Callable[..., VideoHub], authorize_view: Callable[..., Any],
                 authorize_capture: Callable[..., Any] | None = None) -> APIRouter:
    """The incident video routes, with hub access and the role checks injected."""
    router = APIRouter(prefix="/incidents/{incident_id}/video", tags=["video"])
    Hub = Annotated[VideoHub, Depends(get_hub)]
    view = [Depends(authorize_view)]
    capture = [Depends(authorize_capture or authorize_view)]

    @router.get("/streams", dependencies=view, response_model=list[StreamHealth],
                response_model_exclude={"__all__": _PRIVATE})
    def list_streams(incident_id: IncidentId, hub: Hub) -> list[StreamHealth]:
        """Streams on the incident with their health."""
        out = []
        for stream_id in hub.incident_streams(incident_id):
            try:
                out.append(hub.health(stream_id))
            except StreamNotFound:  # removed meanwhile
                continue
        return out

    @router.get("/streams/{stream_id}/health", dependencies=view, response_model=StreamHealth,
                response_model_exclude=_PRIVATE)
    def stream_health(incident_id: IncidentId, stream_id: StreamId, hub: Hub) -> StreamHealth:
        """One stream's health."""
        with _http_errors():
            return hub.stream_for_incident(incident_id, stream_id).health()

    @router.get("/streams/{stream_id}/mjpeg", dependencies=view,
                response_class=StreamingResponse)
    def live_mjpeg(incident_id: IncidentId, stream_id: StreamId, hub: Hub) -> StreamingResponse:
        """The live picture as multipart JPEG (an <img> shows it); status pictures when down."""
        with _http_errors():
            stream = hub.stream_for_incident(incident_id, stream_id)
            cache = hub.jpeg_cache(stream_id)
        return StreamingResponse(
            mjpeg_parts(stream, cache, hub.settings),
            media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @router.get("/streams/{stream_id}/frame.jpg", dependencies=view)
    def latest_frame(incident_id: IncidentId, stream_id: StreamId, hub: Hub) -> Response:
        """The newest frame as one JPEG (not stored)."""
        with _http_errors():
            hub.stream_for_incident(incident_id, stream_id)
            jpeg = hub.snapshot_jpeg(stream_id)
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @router.post("/streams/{stream_id}/snapshots", dependencies=capture,
                 status_code=status.HTTP_201_CREATED, response_model=SnapshotOut)
    def take_snapshot(incident_id: IncidentId, stream_id: StreamId, hub: Hub) -> SnapshotOut:
        """Store the newest frame as evidence of the incident."""
        with _http_errors():
            ev = hub.store_snapshot(incident_id, stream_id)
        return SnapshotOut(stream_id=stream_id, file=ev.path.name,
                           url=f"snapshots/{stream_id}/{ev.path.name}",
                           taken_utc=ev.start_utc.isoformat())

    @router.get("/{kind}/{stream_id}/{file}", dependencies=view)
    def get_file(incident_id: IncidentId, kind: Literal["snapshots", "recordings"],
                 stream_id: StreamId, file: str, hub: Hub) -> FileResponse:
        """A stored snapshot (JPEG) or recorded segment (MP4; range requests, so a <video>
        can seek)."""
        with _http_errors():
            if kind == "snapshots":
                return FileResponse(hub.snapshot_file(incident_id, stream_id, file),
                                    media_type="image/jpeg")
            return FileResponse(hub.recording_file(incident_id, stream_id, file),
                                media_type="video/mp4")

    @router.get("/recordings", dependencies=view, response_model=list[SegmentOut])
    def list_recordings(incident_id: IncidentId, hub: Hub) -> list[SegmentOut]:
        """Recorded segments of the incident, oldest first, with UTC start and end."""
        with _http_errors():
            segments = hub.recordings(incident_id)
        return [SegmentOut(stream_id=s.stream_id, file=s.file,
                           url=f"recordings/{s.stream_id}/{s.file}", start_utc=s.start_utc,
                           end_utc=s.end_utc, complete=s.complete, bytes=s.bytes, codec=s.codec,
                           play_url=_play_url(s))
                for s in segments]

    return router
