"""Alerts: one per unauthorised target with an annotated snapshot and a clip; repeats of the
same track or the same target re-acquired nearby within the cooldown raise nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from pyproj import Geod

from tests.infra import require_program
from tests.vision.doubles import ScriptedPipeline
from vision._source import Frame
from vision._types import Box
from vision.alerts import AlertSettings, AlertStage, FrameRing, Surroundings
from vision.authorisation import Basis, OwnDrone
from vision.evidence import EvidenceError, annotated_jpeg, encode_clip
from vision.geolocation import CameraPose, locate

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
POSE = CameraPose(lat_deg=26.42, lon_deg=111.61, alt_amsl_m=300.0, yaw_deg=90.0,
                  width_px=160, height_px=128, hfov_deg=60.0)
BOX = Box(70, 50, 8, 8)
FPS = 10.0


def frame(i: int) -> np.ndarray:
    img = np.full((128, 160, 3), 90 + (i % 50), np.uint8)
    img.flags.writeable = False
    return img


def run(stage: AlertStage, pipeline: ScriptedPipeline, n: int, world: Surroundings,
        start: int = 0) -> list:
    alerts = []
    for i in range(start, start + n):
        image = frame(i)
        update = pipeline.process(Frame(i, i / FPS, image))
        alerts += stage.observe(image, update, lambda: world)
    return alerts


def test_unauthorised_track_raises_one_alert_with_snapshot_and_clip(tmp_path: Path) -> None:
    stage = AlertStage(AlertSettings(clip_s=2.0))
    pipeline = ScriptedPipeline({25: [(7, BOX)]})
    alerts = run(stage, pipeline, 60, Surroundings(at=NOW, pose=POSE))
    assert len(alerts) == 1 and stage.raised == 1
    alert = alerts[0]
    assert (alert.track_id, alert.frame_index, alert.box) == (7, 25, BOX)
    assert alert.authorisation.basis is Basis.NONE and not alert.authorisation.authorised
    assert alert.estimate is not None and alert.estimate.range_m > 0
    # 2 s of history at 10 fps: frames 5..25 inclusive
    assert len(alert.clip_frames) == 21 and alert.clip_fps == pytest.approx(FPS)
    snap = cv2.imdecode(np.frombuffer(alert.snapshot_jpeg(), np.uint8), cv2.IMREAD_COLOR)
    assert snap.shape == (128, 160, 3)
    edge = snap[int(BOX.y) - 4, int(BOX.x) + 4]  # on the drawn outline: red
    assert edge[2] > 180 and edge[0] < 120
    assert not frame(25).flags.writeable  # the frame handed in was not drawn on
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(alert.clip_mp4())
    cap = cv2.VideoCapture(str(clip))
    count = 0
    while cap.read()[0]:
        count += 1
    cap.release()
    assert count == 21


def test_the_same_track_confirmed_again_raises_nothing() -> None:
    stage = AlertStage()
    pipeline = ScriptedPipeline({2: [(7, BOX)], 5: [(7, BOX)]})
    assert len(run(stage, pipeline, 10, Surroundings(at=NOW, pose=POSE))) == 1


def test_target_reacquired_nearby_within_cooldown_is_suppressed_then_alarms_after() -> None:
    stage = AlertStage(AlertSettings(cooldown_s=10.0))
    near = Box(BOX.x + 2, BOX.y + 1, 8, 8)
    # confirmed at 0.2 s; lost, re-acquired as track 8 at 3 s and as track 9 at 12 s (each
    # within 10 s of the last sighting); track 10 at 30 s is past the cooldown
    pipeline = ScriptedPipeline({2: [(7, BOX)], 30: [(8, near)], 120: [(9, BOX)],
                                 300: [(10, BOX)]})
    alerts = run(stage, pipeline, 310, Surroundings(at=NOW, pose=POSE))
    assert [a.track_id for a in alerts] == [7, 10]
    assert stage.suppressed == 2


def test_a_second_target_elsewhere_alarms_at_once() -> None:
    stage = AlertStage(AlertSettings(reacquire_m=1.0))
    other = Box(10, 10, 8, 8)  # ~6 m away, 30 deg to the left: about 3 m from the first
    a, b = locate(POSE, BOX), locate(POSE, other)
    _, _, apart_m = Geod(ellps="WGS84").inv(a.lon_deg, a.lat_deg, b.lon_deg, b.lat_deg)
    assert apart_m > 2.0
    pipeline = ScriptedPipeline({2: [(7, BOX)], 4: [(8, other)]})
    assert [a.track_id for a in run(stage, pipeline, 6, Surroundings(at=NOW, pose=POSE))] == [7, 8]


def test_own_drone_raises_no_alert_and_the_decision_is_kept() -> None:
    where = locate(POSE, BOX)
    own = OwnDrone(drone_id="yz-03", lat_deg=where.lat_deg, lon_deg=where.lon_deg,
                   alt_amsl_m=where.alt_amsl_m)
    stage = AlertStage()
    alerts = run(stage, ScriptedPipeline({3: [(7, BOX)]}), 8,
                 Surroundings(at=NOW, pose=POSE, own_drones=[own]))
    assert alerts == [] and stage.authorised == 1
    assert stage.decisions[-1][1].matched == "yz-03"


def test_without_a_camera_pose_it_alarms_and_dedups_in_the_image() -> None:
    stage = AlertStage(AlertSettings(reacquire_px=60.0))
    pipeline = ScriptedPipeline({2: [(7, BOX)], 5: [(8, Box(BOX.x + 30, BOX.y, 8, 8))],
                                 7: [(9, Box(150, 120, 8, 8))]})
    alerts = run(stage, pipeline, 9, Surroundings(at=NOW, pose=None))
    assert [a.track_id for a in alerts] == [7, 9]
    assert alerts[0].estimate is None and "pose unknown" in alerts[0].authorisation.reason


def test_frame_ring_keeps_seconds_and_restarts_when_the_clock_goes_back() -> None:
    ring = FrameRing(seconds=1.0, max_frames=100)
    for i in range(30):
        ring.push(i / 10, frame(i))
    frames, fps = ring.clip()
    assert len(frames) == 11 and fps == pytest.approx(10.0)
    ring.push(0.05, frame(0))
    assert len(ring) == 1
    with pytest.raises(ValueError):
        FrameRing(seconds=0, max_frames=5)


def test_frame_ring_thins_fast_streams_and_shrinks_wide_frames() -> None:
    ring = FrameRing(seconds=1.0, max_frames=100, max_fps=15.0, max_width_px=80)
    for i in range(61):  # 2 s at 30 fps: every other frame kept, the last second of them
        ring.push(i / 30, frame(i))
    frames, fps = ring.clip()
    assert len(frames) == 16 and fps == pytest.approx(15.0)
    assert frames[-1].shape == (64, 80, 3)  # 160x128 scaled to 80 px wide


def test_clip_through_ffmpeg_is_h264(tmp_path: Path) -> None:
    ffmpeg = require_program("ffmpeg")
    data = encode_clip([frame(i) for i in range(5)], 10.0, ffmpeg=ffmpeg)
    assert b"ftyp" in data[:32] and b"avc1" in data


def test_clip_without_ffmpeg_uses_opencv(tmp_path: Path) -> None:
    data = encode_clip([frame(i) for i in range(5)], 10.0, ffmpeg=None)
    assert b"ftyp" in data[:32] and b"mp4v" in data


def test_bad_frames_get_a_clear_error() -> None:
    with pytest.raises(EvidenceError, match="at least one"):
        encode_clip([], 10.0)
    with pytest.raises(EvidenceError, match="differ"):
        encode_clip([frame(0), np.zeros((64, 64, 3), np.uint8)], 10.0)
    with pytest.raises(EvidenceError, match="BGR"):
        annotated_jpeg(np.zeros((10, 10), np.uint8), BOX, "x")
    with pytest.raises(EvidenceError, match="ffmpeg"):
        encode_clip([frame(0)], 10.0, ffmpeg="/nonexistent/ffmpeg")


def test_a_failing_surroundings_read_delays_the_alert_instead_of_losing_it() -> None:
    stage = AlertStage()
    pipeline = ScriptedPipeline({2: [(7, BOX)]})
    calls = []

    def flaky() -> Surroundings:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database unavailable")
        return Surroundings(at=NOW, pose=POSE)

    alerts = []
    for i in range(5):
        image = frame(i)
        update = pipeline.process(Frame(i, i / FPS, image))
        try:
            alerts += stage.observe(image, update, flaky)
        except RuntimeError:
            assert i == 2
    assert [(a.track_id, a.frame_index) for a in alerts] == [(7, 3)]
    assert len(calls) == 2  # judged once it could be, and not again
