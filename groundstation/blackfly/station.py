"""The black-flying stage in the running station: the ``StationExtension`` that owns the
:class:`BlackflyService` (and follows the fleet's Remote ID / ADS-B traffic), and the routes to
start, stop and list stream watches, role-checked and audited.

    app = create_app(settings, extensions=[video_extension, blackfly_extension(factory)],
                     routers=[incident_video_router(), blackfly_router()])

or, as ``groundstation serve`` and ``groundstation demo`` do, ``overhead_watch()``.

Inside the station the service is ``station.services["blackfly"]``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation.api.deps import StationDep, require_role
from groundstation.api.schemas import Latitude, Longitude
from groundstation.audit import record_audit
from groundstation.auth import Principal, org_path
from groundstation.blackfly._service import BlackflyService, NoPipeline, PipelineFactory
from groundstation.blackfly._settings import BlackflySettings, CameraMount, WatchSpec
from groundstation.blackfly._watcher import WatcherStats
from groundstation.db import Role, VehicleRecord
from groundstation.station import Station, StationExtension
from groundstation.video import StreamNotFound
from groundstation.video.station import incident_video_router, video_extension
from vision import DronePipeline
from vision.alerts import FramePipeline

__all__ = [
    "SERVICE_KEY",
    "Composition",
    "blackfly_extension",
    "blackfly_router",
    "drone_pipeline",
    "get_blackfly",
    "overhead_watch",
]

SERVICE_KEY = "blackfly"
VIEW_ROLES = (Role.VIEWER, Role.COMMANDER, Role.PILOT, Role.ADMIN)
WATCH_ROLES = (Role.COMMANDER, Role.ADMIN)


def drone_pipeline(_spec: WatchSpec) -> FramePipeline:
    """The station's detector for one stream: ``vision.DronePipeline`` with its committed
    classifier (visible or thermal, chosen on the first frame)."""
    return DronePipeline()


def blackfly_extension(pipeline_factory: PipelineFactory | None = drone_pipeline,
                       settings: BlackflySettings | None = None) -> StationExtension:
    """An extension running the black-flying stage with detectors from ``pipeline_factory``."""

    @contextlib.asynccontextmanager
    async def extension(station: Station) -> AsyncIterator[BlackflyService]:
        service = BlackflyService(station, asyncio.get_running_loop(), pipeline_factory, settings)
        station.services[SERVICE_KEY] = service
        station.spawn(service.follow_traffic(), "blackfly traffic")
        station.spawn(service.follow_streams(), "blackfly streams")
        try:
            yield service
        finally:
            station.services.pop(SERVICE_KEY, None)
            await anyio.to_thread.run_sync(service.close)

    return extension


@dataclass(frozen=True, slots=True)
class Composition:
    """Extensions and routers to hand to ``create_app`` together."""

    extensions: Sequence[StationExtension]
    routers: Sequence[APIRouter]


def overhead_watch(pipeline_factory: PipelineFactory | None = drone_pipeline) -> Composition:
    """Drone video (streams vehicles announce or configured, delivery, recordings on incidents)
    and the black-flying watch over those streams: the part ``serve`` and ``demo`` share."""
    return Composition((video_extension, blackfly_extension(pipeline_factory)),
                       (incident_video_router(), blackfly_router()))


def get_blackfly(station: StationDep) -> BlackflyService:
    """The running station's black-flying stage (503 when it is not enabled)."""
    service = station.services.get(SERVICE_KEY)
    if not isinstance(service, BlackflyService):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "black-flying watch not enabled")
    return service


BlackflyDep = Annotated[BlackflyService, Depends(get_blackfly)]
Viewer = Annotated[Principal, Depends(require_role(*VIEW_ROLES))]
Watcher = Annotated[Principal, Depends(require_role(*WATCH_ROLES))]
StreamId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Angle = Annotated[float, Field(ge=-360, le=360, allow_inf_nan=False)]


class MountIn(BaseModel):
    """The camera: field of view, gimbal angles, and for a fixed camera where it stands."""

    hfov_deg: float = Field(60.0, ge=1, le=170, allow_inf_nan=False)
    gimbal_pitch_deg: Angle = 0.0
    gimbal_yaw_deg: Angle = 0.0
    attitude_sigma_deg: float = Field(1.0, ge=0, le=30, allow_inf_nan=False)
    lat_deg: Latitude | None = None
    lon_deg: Longitude | None = None
    alt_amsl_m: float | None = Field(None, ge=-500, le=9000, allow_inf_nan=False)
    yaw_deg: Angle = 0.0


class WatchIn(BaseModel):
    """Watch a video stream of an organisation for unauthorised drones. The camera's pose comes
    from the drone ``camera_system_id`` (default: the registered vehicle named like the
    stream), or from ``mount`` for a fixed camera."""

    org_id: int = Field(ge=1, le=2**31 - 1)
    camera_system_id: int | None = Field(None, ge=1, le=255)
    mount: MountIn = Field(default_factory=MountIn)


def blackfly_router() -> APIRouter:
    """Routes under ``/api/blackfly``: list watches (viewers and up), start and stop them
    (commanders and admins of the stream's organisation; audited)."""
    router = APIRouter(prefix="/blackfly", tags=["blackfly"])

    @router.get("/watches")
    async def list_watches(user: Viewer, service: BlackflyDep,
                           station: StationDep) -> list[WatcherStats]:
        stats = service.stats()

        def visible(session: Session) -> list[WatcherStats]:
            return [s for s in stats if user.covers(org_path(session, s.org_id))]

        return await station.db.run(visible)

    @router.put("/watches/{stream_id}")
    async def start_watch(stream_id: StreamId, body: WatchIn, user: Watcher,
                          service: BlackflyDep, station: StationDep) -> WatcherStats:
        try:
            mount = CameraMount(**body.mount.model_dump())
        except ValueError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None

        def check_and_audit(session: Session, result: str) -> int | None:
            """Check the organisation; the camera's drone (named or the stream's namesake)."""
            try:
                path = org_path(session, body.org_id)
            except LookupError:
                raise HTTPException(status.HTTP_404_NOT_FOUND,
                                    f"organisation {body.org_id} not found") from None
            if not user.covers(path):
                raise HTTPException(status.HTTP_403_FORBIDDEN, "organisation outside yours")
            if result:
                record_audit(session, actor=user, action="blackfly.watch", target_type="stream",
                             target_id=stream_id, org_id=body.org_id,
                             params=body.model_dump(), result=result)
            if body.camera_system_id is not None:
                return body.camera_system_id
            return session.scalar(select(VehicleRecord.system_id).where(
                VehicleRecord.name == stream_id))

        camera = await station.db.run(lambda s: check_and_audit(s, ""))
        spec = WatchSpec(stream_id=stream_id, org_id=body.org_id, camera_system_id=camera,
                         mount=mount)
        try:
            watcher = await anyio.to_thread.run_sync(service.watch_stream, spec)
        except StreamNotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
        except NoPipeline as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
        await station.db.run(lambda s: check_and_audit(s, "ok"))
        return watcher.stats()

    @router.delete("/watches/{stream_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def stop_watch(stream_id: StreamId, user: Watcher, service: BlackflyDep,
                         station: StationDep) -> None:
        watched = {s.stream_id: s for s in service.stats()}
        if stream_id not in watched:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"stream {stream_id!r} is not watched")
        org_id = watched[stream_id].org_id

        def check_and_audit(session: Session) -> None:
            if not user.covers(org_path(session, org_id)):
                raise HTTPException(status.HTTP_403_FORBIDDEN, "organisation outside yours")
            record_audit(session, actor=user, action="blackfly.unwatch", target_type="stream",
                         target_id=stream_id, org_id=org_id, result="ok")

        await station.db.run(check_and_audit)
        await anyio.to_thread.run_sync(lambda: service.unwatch(stream_id, declined=True))

    return router

