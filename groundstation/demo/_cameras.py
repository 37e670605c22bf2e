"""Simulated cameras on the demo's simulated drones: a drone's camera streams (H.264 MPEG-TS over
loopback UDP, announced in MAVLink VIDEO_STREAM_INFORMATION) while the drone is armed, at most
``limit`` at once on this small machine. A drone that arms when every camera is busy takes the
one running longest that is not on an incident; a drone left without one says so in the log.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from groundstation.config import SimCameraSettings
from groundstation.sim import SimVehicle, SimVideoStream
from groundstation.simcam import Aircraft, GroundMap, SimCamera, TruthPoseSource

__all__ = ["DEMO_CAMERA", "DemoCameras"]

_log = logging.getLogger(__name__)

DEMO_CAMERA = SimCameraSettings(
    width_px=640, height_px=360, fps=10, keyframe_interval_frames=10, bitrate_kbps=600,
    ground_centre_lat_deg=26.42, ground_centre_lon_deg=111.625, ground_size_m=12288,
    ground_resolution_m=3.0)
"""Small and slow enough for a few cameras beside the demo on two cores; the ground image
covers the demo docks around Yongzhou."""


@dataclass
class _Running:
    camera: SimCamera
    started: float


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DemoCameras:
    """Runs the cameras; ``await run()`` until cancelled, then ``close()``."""

    def __init__(self, sims: dict[str, SimVehicle], *, limit: int,
                 on_incident: Callable[[str], bool],
                 unreported: Callable[[], Iterable[Aircraft]] = list,
                 settings: SimCameraSettings = DEMO_CAMERA) -> None:
        self.sims = sims
        self.limit = limit
        self.on_incident = on_incident
        """Whether a drone's stream is on an incident now (its camera is never taken)."""
        self.unreported = unreported
        """Drones reporting nothing (the demo's intruder), drawn by every camera seeing them."""
        self.settings = settings
        self.running: dict[str, _Running] = {}
        self._ground: GroundMap | None = None
        self._without: set[str] = set()

    async def run(self, poll_s: float = 0.5) -> None:
        """Follow the drones' armed state, starting and stopping cameras."""
        if self.limit > 0:
            self._ground = await asyncio.to_thread(GroundMap.from_settings, self.settings)
        while True:
            for drone_id, sim in self.sims.items():
                armed = sim.truth().armed
                if armed and drone_id not in self.running:
                    await self._start(drone_id)
                elif not armed and drone_id in self.running:
                    await self._stop(drone_id)
                elif not armed:
                    self._without.discard(drone_id)
            await asyncio.sleep(poll_s)

    async def close(self) -> None:
        """Stop every camera."""
        for drone_id in list(self.running):
            await self._stop(drone_id)

    async def _start(self, drone_id: str) -> None:
        if self._ground is None:
            return
        if len(self.running) >= self.limit and not await self._free_one():
            if drone_id not in self._without:
                _log.info("demo camera: %s flies without video (all %d cameras on incidents)",
                          drone_id, self.limit)
                self._without.add(drone_id)
            return
        sim = self.sims[drone_id]
        uri = f"udp://127.0.0.1:{_free_udp_port()}"
        others = [s for d, s in self.sims.items() if d != drone_id]
        poses = TruthPoseSource(sim.truth, fleet=lambda: [o.truth() for o in others
                                                          if o.truth().armed],
                                 unreported=self.unreported)
        camera = SimCamera(poses, uri, self.settings, ground=self._ground, name=drone_id)
        await asyncio.to_thread(camera.start)
        self.running[drone_id] = _Running(camera, asyncio.get_running_loop().time())
        s = self.settings
        sim.set_video_stream(SimVideoStream(uri=uri, width_px=s.width_px, height_px=s.height_px,
                                            fps=s.fps, bitrate_kbps=s.bitrate_kbps,
                                            hfov_deg=round(s.hfov_deg)))
        _log.info("demo camera: %s streams to %s", drone_id, uri)

    async def _free_one(self) -> bool:
        idle = [(r.started, d) for d, r in self.running.items() if not self.on_incident(d)]
        if not idle:
            return False
        await self._stop(min(idle)[1])
        return True

    async def _stop(self, drone_id: str) -> None:
        running = self.running.pop(drone_id)
        self.sims[drone_id].set_video_stream(None)
        await asyncio.to_thread(running.camera.stop)
