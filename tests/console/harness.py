"""A real station on a loopback port, run in its own thread and event loop so the browser test
drives Chromium through Playwright's sync API while the station serves; it can be stopped and
started again on the same port and data directory (a station restart)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from groundstation.app import create_app
from groundstation.config import Settings, SimCameraSettings, VideoSettings
from groundstation.db import Dock, GroundUnit, GroundUnitKind, ZoneRecord
from groundstation.sim import SimConfig, SimFleet, SimVideoStream
from groundstation.simcam import GroundMap, SimCamera, TruthPoseSource
from groundstation.station import Station
from groundstation.video import VideoHub
from groundstation.video.station import SERVICE_KEY, incident_video_router, video_extension
from tests.infra import free_port
from tests.service.harness import PASSWORD, World, build_world, service_settings

__all__ = ["PASSWORD", "ConsoleStation", "console_settings"]

T = TypeVar("T")
START_TIMEOUT_S = 30.0

HOME = (26.4200, 111.6000)
NO_FLY_CENTRE = (26.4300, 111.6200)
DOCK_POSITION = (26.4150, 111.5950)


CAMERA = SimCameraSettings(width_px=480, height_px=270, fps=10, keyframe_interval_frames=5,
                           bitrate_kbps=300, ground_centre_lat_deg=HOME[0],
                           ground_centre_lon_deg=HOME[1], ground_size_m=2048,
                           ground_resolution_m=2.0)
VIDEO = VideoSettings(open_timeout_s=2.0, read_timeout_s=1.0, stall_after_s=0.5,
                      reconnect_initial_s=0.05, reconnect_max_s=0.3, reconnect_jitter=0.0,
                      viewer_frame_timeout_s=0.5, fragment_length_s=0.5, segment_length_s=2.0,
                      probe_size_bytes=32768,
                      analyze_duration_s=0.3, simcam=CAMERA)


def console_settings(data_dir: Path, **service: Any) -> Settings:
    """Service test settings with the console asking for fast telemetry, and quick video."""
    settings = service_settings(data_dir, **service)
    settings.video = VIDEO
    settings.mavlink.initial_requests = True  # the station asks drones for their video streams
    settings.console.ws_interval_s = 0.25
    settings.console.stale_after_s = 2.0
    return settings


def add_places(station: Station, world: World) -> dict[str, int]:
    """A dock, a no-fly zone and a temporary zone, and two ground units in county A."""
    org = world.orgs["county_a"]
    with station.db.session() as s:
        dock = Dock(dock_key="dock-a1", name="Dock A1", org_id=org, lat_deg=DOCK_POSITION[0],
                    lon_deg=DOCK_POSITION[1], alt_amsl_m=110.0)
        s.add(dock)
        s.add(ZoneRecord(name="Prison", org_id=org, active=True, feature={
            "type": "Feature", "properties": {"kind": "no_fly", "name": "Prison", "radius_m": 300},
            "geometry": {"type": "Point", "coordinates": [NO_FLY_CENTRE[1], NO_FLY_CENTRE[0]]}}))
        s.add(ZoneRecord(name="Parade", org_id=org, active=True, feature={
            "type": "Feature",
            "properties": {"kind": "no_fly", "name": "Parade", "schedule": {
                "type": "window", "start": "2026-01-01T08:00:00+08:00", "end": "2026-12-31T18:00:00+08:00"}},
            "geometry": {"type": "Polygon", "coordinates": [[[111.585, 26.405], [111.59, 26.405],
                                                             [111.59, 26.41], [111.585, 26.41],
                                                             [111.585, 26.405]]]}}))
        s.add(GroundUnit(name="Car 7", kind=GroundUnitKind.PATROL_CAR, org_id=org,
                         lat_deg=26.418, lon_deg=111.603, available=True))
        s.add(GroundUnit(name="Post 2", kind=GroundUnitKind.POLICE_PLATFORM, org_id=org,
                         lat_deg=26.425, lon_deg=111.595, available=True))
        s.flush()
        dock_id = dock.id
    station.zones.invalidate()
    return {"dock": dock_id}


@dataclass
class ConsoleStation:
    """A station serving the console over real uvicorn, restartable on the same port."""

    settings: Settings
    port: int = field(default_factory=free_port)
    world: World | None = None
    places: dict[str, int] = field(default_factory=dict)
    station: Station | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _stop: asyncio.Event | None = None
    _server: uvicorn.Server | None = None
    sims: SimFleet | None = None
    cameras: dict[str, tuple[SimCamera, str]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the loop thread (once) and the station in it."""
        if self._thread is None:
            ready = threading.Event()
            self._thread = threading.Thread(target=self._run_loop, args=(ready,), daemon=True,
                                            name="console station")
            self._thread.start()
            ready.wait(START_TIMEOUT_S)
        self.call(self._serve)

    def _run_loop(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    def call(self, fn: Callable[[], Awaitable[T]], timeout_s: float = START_TIMEOUT_S) -> T:
        """Run a coroutine function on the station's loop and wait for its result."""
        assert self._loop is not None
        future: Future[T] = asyncio.run_coroutine_threadsafe(_as_coro(fn), self._loop)
        return future.result(timeout_s)

    async def _serve(self) -> None:
        app = create_app(self.settings, extensions=[video_extension],
                         routers=[incident_video_router()])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                ws="websockets-sansio", lifespan="on",
                                timeout_graceful_shutdown=5)
        server = uvicorn.Server(config)
        self._server = server
        self._task = asyncio.get_running_loop().create_task(server.serve())
        async with asyncio.timeout(START_TIMEOUT_S):
            while not server.started:
                if self._task.done():
                    self._task.result()
                    raise RuntimeError("station stopped during start-up")
                await asyncio.sleep(0.02)
        self.station = app.state.station
        if self.world is None:
            station = self.station
            self.world = await asyncio.to_thread(build_world, station)
            self.places = await asyncio.to_thread(add_places, station, self.world)

    @property
    def udp_port(self) -> int:
        """The station's MAVLink udpin port."""
        return int(self.settings.mavlink.endpoints[0].rsplit(":", 1)[1])

    def start_sims(self, count: int, *, first_system_id: int, time_factor: float) -> SimFleet:
        """Simulated drones (real MAVLink over UDP) flying to the station, on its loop."""
        base = SimConfig(endpoints=(f"udpout:127.0.0.1:{self.udp_port}",), time_factor=time_factor,
                         home_lat_deg=HOME[0], home_lon_deg=HOME[1])
        fleet = SimFleet(count, base, first_system_id=first_system_id)

        async def enter() -> SimFleet:
            return await fleet.__aenter__()
        self.sims = self.call(enter)
        return fleet

    @property
    def video(self) -> VideoHub:
        """The running station's video hub."""
        assert self.station is not None
        hub: VideoHub = self.station.services[SERVICE_KEY]
        return hub

    def start_camera(self, system_id: int, stream_id: str) -> SimCamera:
        """A simulated camera on a simulated drone streaming H.264, announced by the drone in
        VIDEO_STREAM_INFORMATION; returns once the station has opened it as ``stream_id``."""
        assert self.sims is not None
        sim = next(v for v in self.sims.vehicles if v.system_id == system_id)
        uri = f"udp://127.0.0.1:{free_port(socket.SOCK_DGRAM)}"
        camera = SimCamera(TruthPoseSource(sim.truth), uri, CAMERA,
                           ground=GroundMap.from_settings(CAMERA), name=stream_id)
        camera.start()
        self.cameras[stream_id] = (camera, uri)
        sim.set_video_stream(SimVideoStream(uri=uri, width_px=CAMERA.width_px,
                                            height_px=CAMERA.height_px, fps=CAMERA.fps))

        async def opened() -> None:
            async with asyncio.timeout(START_TIMEOUT_S):
                while stream_id not in self.video.stream_ids():
                    await asyncio.sleep(0.05)
        self.call(opened)
        return camera

    def stop_server(self) -> None:
        """Stop the HTTP service and its station (the loop thread stays for a restart)."""
        async def stop() -> None:
            if self._server is not None:
                self._server.should_exit = True
                await self._task
            self._server = None
            self.station = None
        self.call(stop)

    def close(self) -> None:
        """Stop everything, the loop thread included."""
        for camera, _uri in self.cameras.values():
            camera.stop()
        self.cameras.clear()
        if self._server is not None:
            self.stop_server()
        if self.sims is not None:
            sims = self.sims
            self.sims = None

            async def leave() -> None:
                await sims.__aexit__(None, None, None)
            self.call(leave)
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(START_TIMEOUT_S)


async def _as_coro(fn: Callable[[], Awaitable[T]]) -> T:
    return await fn()
