"""A simulated drone camera: renders views from a pose source at a fixed rate, stamps each
frame's capture time, and streams them as real H.264/H.265 through ffmpeg.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from groundstation.config import SimCameraSettings
from groundstation.simcam._camera import Aircraft, CameraPose, CameraView, PinholeCamera
from groundstation.simcam._encoder import FfmpegEncoder, encoder_command
from groundstation.simcam._ground import GroundMap
from groundstation.simcam._stamp import stamp_frame
from groundstation.video import VideoError

__all__ = ["OrbitPoseSource", "PoseSource", "SimCamera", "StaticPoseSource", "offset_position"]

_log = logging.getLogger(__name__)
_EARTH_RADIUS_M = 6_371_008.8


class PoseSource(Protocol):
    """Where a simulated camera is and what flies around it, asked once per frame."""

    def camera_view(self) -> CameraView:
        """The view at this moment."""
        ...


class StaticPoseSource:
    """A camera that does not move (tests, benchmarks)."""

    def __init__(self, view: CameraView) -> None:
        self.view = view

    def camera_view(self) -> CameraView:
        """The fixed view."""
        return self.view


def offset_position(lat_deg: float, lon_deg: float, east_m: float,
                    north_m: float) -> tuple[float, float]:
    """The point ``east_m``/``north_m`` metres from a position (small offsets, spherical)."""
    dlat = math.degrees(north_m / _EARTH_RADIUS_M)
    dlon = math.degrees(east_m / (_EARTH_RADIUS_M * math.cos(math.radians(lat_deg))))
    return lat_deg + dlat, lon_deg + dlon


class OrbitPoseSource:
    """A drone orbiting a point and looking at it, with other aircraft circling nearby (demo)."""

    def __init__(self, *, centre_lat_deg: float, centre_lon_deg: float, radius_m: float = 150.0,
                 alt_m: float = 100.0, speed_mps: float = 8.0,
                 others: Sequence[tuple[float, float, float, Aircraft]] = (),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.centre = (centre_lat_deg, centre_lon_deg)
        self.radius_m = radius_m
        self.alt_m = alt_m
        self.speed_mps = speed_mps
        self.others = list(others)
        """(orbit radius m, angular speed rad/s, phase rad, aircraft) circling the centre."""
        self._clock = clock
        self._t0 = clock()

    def camera_view(self) -> CameraView:
        """The drone's pose and the circling aircraft at this moment."""
        t = self._clock() - self._t0
        angle = t * self.speed_mps / self.radius_m
        lat, lon = offset_position(*self.centre, self.radius_m * math.sin(angle),
                           self.radius_m * math.cos(angle))
        heading = (math.degrees(angle) + 180.0) % 360.0  # towards the centre
        pitch = -math.degrees(math.atan2(self.alt_m, self.radius_m))
        others = []
        for radius, omega, phase, craft in self.others:
            a = phase + omega * t
            olat, olon = offset_position(*self.centre, radius * math.sin(a), radius * math.cos(a))
            others.append(Aircraft(olat, olon, craft.alt_m, craft.span_m, craft.known, craft.label))
        return CameraView(CameraPose(lat, lon, self.alt_m, heading, pitch), others)


class SimCamera:
    """Renders, stamps and encodes a pose source's view to ``output`` until stopped."""

    def __init__(self, poses: PoseSource, output: str, settings: SimCameraSettings, *,
                 ground: GroundMap | None = None, name: str = "simcam") -> None:
        self.poses = poses
        self.output = output
        self.settings = settings
        self.name = name
        self.ground = ground or GroundMap.from_settings(settings)
        self.camera = PinholeCamera(settings.width_px, settings.height_px, settings.hfov_deg)
        self.frames_sent = 0
        self.error: str | None = None
        self._paused = threading.Event()
        self._stop = threading.Event()
        self._sent = threading.Condition()
        self._thread: threading.Thread | None = None
        self._encoder: FfmpegEncoder | None = None

    @property
    def encoder_pid(self) -> int | None:
        """The ffmpeg process id while streaming."""
        return self._encoder.pid if self._encoder is not None else None

    def render(self) -> bytes:
        """One stamped frame of the current view as raw BGR bytes."""
        frame = self.camera.render(self.ground, self.poses.camera_view())
        stamp_frame(frame, time.time_ns() // 1_000_000)
        return frame.tobytes()

    def start(self) -> None:
        """Start ffmpeg and the render thread."""
        s = self.settings
        command = encoder_command(
            width_px=s.width_px, height_px=s.height_px, fps=s.fps, codec=s.codec,
            bitrate_kbps=s.bitrate_kbps, keyframe_interval_frames=s.keyframe_interval_frames,
            preset=s.encoder_preset, output=self.output)
        self._encoder = FfmpegEncoder(command, frame_bytes=s.width_px * s.height_px * 3,
                                      stop_timeout_s=s.encoder_stop_timeout_s)
        self._encoder.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"simcam-{self.name}", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Stop sending frames (the stream goes silent; ffmpeg keeps running)."""
        self._paused.set()

    def resume(self) -> None:
        """Send frames again."""
        self._paused.clear()

    def wait_frames(self, count: int, timeout_s: float) -> bool:
        """Block until ``count`` frames in total have been sent; False on timeout or error."""
        with self._sent:
            return self._sent.wait_for(lambda: self.frames_sent >= count or self.error is not None,
                                       timeout_s) and self.error is None

    def stop(self) -> None:
        """Stop rendering and ffmpeg."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.settings.encoder_stop_timeout_s + 1.0)
            self._thread = None
        if self._encoder is not None:
            self._encoder.stop()
            self._encoder = None

    def _run(self) -> None:
        period = 1.0 / self.settings.fps
        next_t = time.monotonic()
        encoder = self._encoder
        assert encoder is not None
        while not self._stop.is_set():
            if not self._paused.is_set():
                try:
                    encoder.write(self.render())
                except VideoError as exc:
                    self.error = str(exc)
                    _log.error("simulated camera %s: %s", self.name, exc)
                    with self._sent:
                        self._sent.notify_all()
                    return
                with self._sent:
                    self.frames_sent += 1
                    self._sent.notify_all()
            next_t += period
            delay = next_t - time.monotonic()
            if delay < -period:  # fell behind (busy machine): drop the backlog, keep the rate
                next_t = time.monotonic()
            elif delay > 0:
                self._stop.wait(delay)
