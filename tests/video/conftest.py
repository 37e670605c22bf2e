"""Fixtures of the video tests: fast settings, a small ground map, simulated cameras on UDP."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from groundstation.config import SimCameraSettings, VideoSettings
from groundstation.simcam import (
    Aircraft,
    CameraPose,
    CameraView,
    GroundMap,
    SimCamera,
    StaticPoseSource,
)
from groundstation.video import VideoHub
from tests.infra import free_port, require_program

CENTRE = (26.42, 111.61)
WAIT_S = 15.0
"""Upper bound of any wait on an event in these tests (never a sleep)."""


@pytest.fixture(scope="session")
def cam_settings() -> SimCameraSettings:
    """A small, quick camera: 640×360 at 15 fps, GOP of 5 frames, small ground map."""
    return SimCameraSettings(width_px=640, height_px=360, fps=15, keyframe_interval_frames=5,
                             bitrate_kbps=800, ground_size_m=512, ground_resolution_m=1.0)


@pytest.fixture(scope="session")
def ground(cam_settings: SimCameraSettings) -> GroundMap:
    """The demo ground map (drawn once per test session)."""
    return GroundMap.from_settings(cam_settings)


@pytest.fixture
def settings(tmp_path: object) -> VideoSettings:
    """Timeouts shrunk so drops and reconnects happen within a second."""
    return VideoSettings(open_timeout_s=1.0, read_timeout_s=0.8, stall_after_s=0.4,
                         reconnect_initial_s=0.05, reconnect_max_s=0.3, reconnect_jitter=0.0,
                         health_window_s=1.0, stop_timeout_s=3.0, viewer_frame_timeout_s=0.5,
                         segment_length_s=60.0, fragment_length_s=0.3, probe_size_bytes=32768,
                         analyze_duration_s=0.3)


def nadir_view(*others: Aircraft) -> CameraView:
    """A camera 80 m above the demo centre looking straight down, heading north."""
    return CameraView(CameraPose(CENTRE[0], CENTRE[1], 80.0, 0.0, -90.0), others)


def udp_port() -> int:
    """A free UDP port on loopback."""
    return free_port(socket.SOCK_DGRAM)


@pytest.fixture
def make_camera(cam_settings: SimCameraSettings, ground: GroundMap
                ) -> Iterator[Callable[..., SimCamera]]:
    """Start simulated cameras streaming to loopback; all are stopped after the test."""
    require_program("ffmpeg")
    cameras: list[SimCamera] = []

    def make(output: str, *, view: CameraView | None = None,
             settings: SimCameraSettings | None = None) -> SimCamera:
        cam = SimCamera(StaticPoseSource(view or nadir_view()), output, settings or cam_settings,
                        ground=ground)
        cam.start()
        cameras.append(cam)
        return cam

    yield make
    for cam in cameras:
        cam.stop()


@pytest.fixture
def hub(settings: VideoSettings, tmp_path: object) -> Iterator[VideoHub]:
    """A video hub recording under the test's temporary folder."""
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    video = VideoHub(settings, recordings_dir=tmp_path / "recordings")
    yield video
    video.close()
