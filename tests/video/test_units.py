"""Logic without streams: the frame hub, stream addresses, time stamps, camera geometry,
backoff and the exported names."""

from __future__ import annotations

import asyncio
import math
import random
import threading
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundstation import simcam, video
from groundstation.config import SimCameraSettings, VideoSettings
from groundstation.simcam import (
    Aircraft,
    CameraPose,
    CameraView,
    PinholeCamera,
    read_stamp,
    stamp_frame,
)
from groundstation.video import (
    FrameHub,
    StreamSource,
    StreamState,
    StreamUriError,
    VideoEncoding,
    VideoFrame,
    backoff_delay_s,
    redact_uri,
)
from groundstation.video._source import redact_text
from tests.video.conftest import CENTRE, nadir_view


def _frame(seq: int) -> VideoFrame:
    image = np.zeros((4, 4, 3), np.uint8)
    return VideoFrame(stream_id="s", seq=seq, image=image, pts_s=None,
                      received_utc=datetime.now(UTC), received_mono_s=0.0, keyframe=True)


# -- frame hub -----------------------------------------------------------------------------------

def test_slow_subscriber_skips_and_counts_instead_of_blocking() -> None:
    hub = FrameHub("s")
    slow, fast = hub.subscribe(), hub.subscribe()
    for seq in range(1, 101):
        hub.publish(_frame(seq))  # never waits, nobody reads the slow one
        assert fast.poll().seq == seq
    assert slow.poll().seq == 100 and slow.poll() is None
    hub.publish(_frame(101))
    hub.publish(_frame(105))
    assert slow.poll().seq == 105 and slow.dropped == 99 + 4
    assert fast.dropped == 0 and fast.received == 100


def test_thread_subscriber_wakes_on_publish_and_on_close() -> None:
    hub = FrameHub("s")
    sub = hub.subscribe()
    got: list[object] = []
    t = threading.Thread(target=lambda: got.append(sub.get(10)))
    t.start()
    hub.publish(_frame(1))
    t.join(10)
    assert got[0].seq == 1
    t = threading.Thread(target=lambda: got.append(sub.get(10)))
    t.start()
    hub.close()
    t.join(10)
    assert got[1] is None and not t.is_alive()


async def test_async_subscriber_waits_times_out_and_ends() -> None:
    hub = FrameHub("s")
    with hub.subscribe() as sub:
        assert await sub.next(timeout_s=0.01) is None
        waiter = asyncio.create_task(sub.next(timeout_s=10))
        await asyncio.sleep(0)
        threading.Thread(target=hub.publish, args=(_frame(1),)).start()
        assert (await waiter).seq == 1
        assert hub.subscriber_count == 1
        waiter = asyncio.create_task(sub.next(timeout_s=10))
        await asyncio.sleep(0)
        hub.close()
        assert await waiter is None
    assert hub.subscriber_count == 0


def test_from_latest_false_skips_the_current_frame() -> None:
    hub = FrameHub("s")
    hub.publish(_frame(1))
    assert hub.subscribe(from_latest=False).poll() is None
    assert hub.subscribe().poll().seq == 1


# -- stream sources --------------------------------------------------------------------------------

def test_video_stream_information_mapping() -> None:
    rtsp = StreamSource.from_video_stream_information(stream_type=0, uri="rtsp://10.0.0.5:8554/live",
                                                      encoding=1)
    assert rtsp.scheme == "rtsp" and rtsp.encoding is VideoEncoding.H264
    url, fmt, opts = rtsp.open_target()
    assert opts["rtsp_transport"] == "tcp" and opts["fflags"] == "nobuffer" and fmt is None
    ts = StreamSource.from_video_stream_information(stream_type=3, uri="5600\x00\x00")
    assert ts.uri == "udp://0.0.0.0:5600"
    assert ts.open_target()[1] == "mpegts"
    rtp = StreamSource.from_video_stream_information(stream_type=1, uri="5600", encoding=2)
    url, fmt, opts = rtp.open_target()
    assert fmt == "sdp" and url.startswith("data:application/sdp;base64,")
    import base64

    sdp = base64.b64decode(url.split(",", 1)[1]).decode()
    assert "m=video 5600 RTP/AVP 96" in sdp and "H265/90000" in sdp
    with pytest.raises(StreamUriError):
        StreamSource.from_video_stream_information(stream_type=9, uri="x")
    with pytest.raises(StreamUriError):
        StreamSource.from_video_stream_information(stream_type=0, uri="\x00")


@pytest.mark.parametrize("uri", ["http://x/a.mp4", "file:///etc/passwd", "udp://host",
                                 "rtp://h:notaport", "", "rtsp://[::1"])
def test_unusable_uris_are_refused(uri: str) -> None:
    with pytest.raises(StreamUriError):
        StreamSource(uri)


@given(user=st.text("abcdefghij_-", min_size=1, max_size=8),
       password=st.text("ABCDEFGHIJ0123456789!$", min_size=4, max_size=12),
       port=st.integers(1, 65535))
@settings(max_examples=60, deadline=None)
def test_passwords_never_survive_redaction(user: str, password: str, port: int) -> None:
    uri = f"rtsp://{user}:{password}@192.0.2.7:{port}/live"
    assert password not in redact_uri(uri)
    assert password not in redact_text(f"cannot open '{uri}': Connection refused")
    assert StreamSource(uri).display_uri == f"rtsp://***@192.0.2.7:{port}/live"


# -- time stamps -----------------------------------------------------------------------------------

@given(t_ms=st.integers(0, (1 << 44) - 1), width=st.sampled_from([640, 1280, 1920]))
@settings(max_examples=60, deadline=None)
def test_stamp_round_trip(t_ms: int, width: int) -> None:
    image = np.full((width * 9 // 16, width, 3), 128, np.uint8)
    stamp_frame(image, t_ms)
    assert read_stamp(image) == t_ms


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_no_stamp_in_noise_or_blank_images(seed: int) -> None:
    rng = np.random.default_rng(seed)
    assert read_stamp(rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)) is None
    assert read_stamp(np.zeros((360, 640, 3), np.uint8)) is None
    assert read_stamp(np.zeros((10, 10), np.uint8)) is None


# -- camera geometry -------------------------------------------------------------------------------

def test_point_below_a_nadir_camera_projects_to_the_centre() -> None:
    cam = PinholeCamera(1280, 720, 70.0)
    rot = cam.rotation(0.0, -90.0)
    u, v, depth = cam.project(np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.0, 100.0]), rot)
    assert (u, v) == pytest.approx((640, 360)) and depth == pytest.approx(100.0)
    # north is up in the picture, east is right
    u, v, _ = cam.project(np.array([0.0, 10.0, 0.0]), np.array([0.0, 0.0, 100.0]), rot)
    assert v < 360 and u == pytest.approx(640)
    u, v, _ = cam.project(np.array([10.0, 0.0, 0.0]), np.array([0.0, 0.0, 100.0]), rot)
    assert u > 640


@given(heading=st.floats(0, 360), pitch=st.floats(-90, 30), dist=st.floats(5, 500))
@settings(max_examples=80, deadline=None)
def test_a_point_straight_ahead_projects_to_the_centre(heading: float, pitch: float,
                                                       dist: float) -> None:
    cam = PinholeCamera(640, 360, 60.0)
    rot = cam.rotation(heading, pitch)
    h, p = math.radians(heading), math.radians(pitch)
    ahead = dist * np.array([math.cos(p) * math.sin(h), math.cos(p) * math.cos(h), math.sin(p)])
    c = np.array([3.0, -4.0, 120.0])
    u, v, depth = cam.project(c + ahead, c, rot)
    assert u == pytest.approx(320, abs=1e-6) and v == pytest.approx(180, abs=1e-6)
    assert depth == pytest.approx(dist)
    assert cam.project(c - ahead, c, rot) is None  # behind the camera


def test_ground_map_is_georeferenced_and_deterministic(ground) -> None:
    x, y = ground.to_pixel(*CENTRE)
    assert (x, y) == pytest.approx((ground.size_px / 2, ground.size_px / 2), abs=0.01)
    _x2, y2 = ground.to_pixel(CENTRE[0] + 0.001, CENTRE[1])  # ~111 m north
    assert y2 < y and abs((y - y2) * ground.resolution_m - 110.9) < 1.0
    again = simcam.GroundMap.from_settings(SimCameraSettings(ground_size_m=512,
                                                             ground_resolution_m=1.0))
    assert np.array_equal(again.image, ground.image)


def test_aircraft_drawn_only_when_in_view(ground) -> None:
    cam = PinholeCamera(640, 360, 70.0)
    empty = cam.render(ground, nadir_view())
    below = Aircraft(CENTRE[0], CENTRE[1], 40.0, span_m=0.8, known=False)  # under the camera
    drawn = cam.render(ground, nadir_view(below))
    changed = np.argwhere(np.any(drawn != empty, axis=2))
    assert changed.size > 0
    cy, cx = changed.mean(axis=0)
    assert abs(cx - 320) < 10 and abs(cy - 180) < 10
    far = Aircraft(CENTRE[0] + 0.01, CENTRE[1], 40.0, known=False)  # 1.1 km north
    assert np.array_equal(cam.render(ground, nadir_view(far)), empty)


def test_horizon_view_shows_sky_above_and_ground_below(ground) -> None:
    cam = PinholeCamera(640, 360, 70.0)
    image = cam.render(ground, CameraView(CameraPose(*CENTRE, 100.0, 90.0, -10.0)))
    top, bottom = image[5:20].mean(axis=(0, 1)), image[-20:].mean(axis=(0, 1))
    assert top[0] > top[1] > top[2]  # blue-ish sky (BGR)
    assert not np.allclose(top, bottom, atol=10)


# -- backoff, states, exports ----------------------------------------------------------------------

def test_backoff_grows_and_is_capped() -> None:
    s = VideoSettings(reconnect_initial_s=0.5, reconnect_factor=2, reconnect_max_s=4,
                      reconnect_jitter=0.1)
    rng = random.Random(3)
    delays = [backoff_delay_s(n, s, rng) for n in range(1, 8)]
    assert 0.5 <= delays[0] <= 0.55 and 1.0 <= delays[1] <= 1.1
    assert all(4.0 <= d <= 4.4 for d in delays[3:])


def test_state_machine_edges() -> None:
    assert StreamState.IDLE.can_become(StreamState.CONNECTING)
    assert StreamState.LIVE.can_become(StreamState.RECONNECTING)
    assert not StreamState.STOPPED.can_become(StreamState.LIVE)
    assert not StreamState.LIVE.can_become(StreamState.STALLED)  # derived, never stored
    assert not StreamState.FAILED.can_become(StreamState.LIVE)


@pytest.mark.parametrize("module", [video, simcam])
def test_exports(module: object) -> None:
    public = {n for n in dir(module) if not n.startswith("_")}
    import inspect

    defined = {n for n in public if not inspect.ismodule(getattr(module, n))}
    assert set(module.__all__) == defined


def test_truth_pose_source_converts_the_simulators_altitudes(ground) -> None:
    from dataclasses import dataclass

    from groundstation.simcam import TruthPoseSource

    @dataclass
    class Truth:  # the attributes groundstation.sim's TruthState has
        lat_deg: float
        lon_deg: float
        alt_amsl_m: float
        alt_rel_m: float
        heading_deg: float
        gimbal_pitch_deg: float

    me = Truth(CENTRE[0], CENTRE[1], 180.0, 80.0, 0.0, -90.0)  # ground at 100 m AMSL
    intruder = Truth(CENTRE[0], CENTRE[1], 140.0, 40.0, 0.0, 0.0)  # 40 m below the camera
    source = TruthPoseSource(lambda: me, seen=lambda: [intruder])
    view = source.camera_view()
    assert view.pose.alt_m == 80.0 and view.pose.gimbal_pitch_deg == -90.0
    assert [(a.alt_m, a.known) for a in view.others] == [(40.0, False)]
    cam = PinholeCamera(640, 360, 70.0)
    assert not np.array_equal(cam.render(ground, view), cam.render(ground, nadir_view()))
