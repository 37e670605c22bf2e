"""Ingest of real encoded streams from the simulated camera: decode, health, drops, bad input."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest

from groundstation.config import SimCameraSettings, VideoSettings
from groundstation.simcam import read_stamp
from groundstation.video import StreamSource, StreamState, VideoStream
from tests.infra import require_program
from tests.video.conftest import WAIT_S, udp_port
from tests.video.rtsp_server import rtsp_server


def _stream(settings: VideoSettings, uri: str, **source: object) -> VideoStream:
    stream = VideoStream("cam1", StreamSource(uri, **source), settings)  # type: ignore[arg-type]
    stream.start()
    return stream


def test_simulated_camera_stream_is_decoded_with_health(make_camera, settings) -> None:
    port = udp_port()
    stream = _stream(settings, f"udp://127.0.0.1:{port}")
    try:
        make_camera(f"udp://127.0.0.1:{port}")
        with stream.hub.subscribe() as sub:
            frames = [sub.get(WAIT_S) for _ in range(10)]
        assert all(f is not None for f in frames)
        last = frames[-1]
        assert last is not None and last.image.shape == (360, 640, 3)
        assert not last.image.flags.writeable
        assert read_stamp(np.asarray(last.image)) is not None  # the camera's clock survived H.264
        seqs = [f.seq for f in frames if f is not None]
        assert seqs == sorted(seqs)
        health = stream.health()
        assert health.state is StreamState.LIVE
        assert health.codec == "h264"
        assert (health.width_px, health.height_px) == (640, 360)
        assert health.fps > 0 and health.bitrate_bps > 0
        assert health.last_frame_age_s is not None and health.frames_decoded >= 10
    finally:
        stream.stop()
    assert stream.state is StreamState.STOPPED
    assert stream.hub.closed


def test_h265_over_rtp_is_decoded(make_camera, settings, cam_settings) -> None:
    port = udp_port()
    stream = _stream(settings, f"rtp://127.0.0.1:{port}", encoding=2)
    try:
        make_camera(f"rtp://127.0.0.1:{port}",
                    settings=cam_settings.model_copy(update={"codec": "h265"}))
        with stream.hub.subscribe() as sub:
            assert sub.get(WAIT_S) is not None
        assert stream.health().codec == "hevc"
    finally:
        stream.stop()


def test_dropped_stream_reports_and_reconnects(make_camera, settings) -> None:
    port = udp_port()
    stream = _stream(settings, f"udp://127.0.0.1:{port}")
    try:
        cam = make_camera(f"udp://127.0.0.1:{port}")
        assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
        cam.pause()  # the drone's video link goes silent
        assert stream.wait_for_state(StreamState.RECONNECTING, StreamState.CONNECTING,
                                     timeout_s=WAIT_S)
        assert stream.health().state in {StreamState.RECONNECTING, StreamState.CONNECTING}
        assert stream.health().reconnects >= 1
        cam.resume()
        assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
        with stream.hub.subscribe(from_latest=False) as sub:
            assert sub.get(WAIT_S) is not None  # frames flow again on the same hub
    finally:
        stream.stop()


def test_stream_that_never_opens_gives_a_clear_status(settings) -> None:
    s = settings.model_copy(update={"open_timeout_s": 0.3, "read_timeout_s": 0.3,
                                    "max_reconnects": 2})
    stream = _stream(s, f"udp://127.0.0.1:{udp_port()}")  # nobody sends
    try:
        assert stream.wait_for_state(StreamState.FAILED, timeout_s=WAIT_S)
        health = stream.health()
        assert health.state is StreamState.FAILED
        assert health.last_error and "cannot open" in health.last_error
        assert health.frames_decoded == 0 and health.last_frame_age_s is None
    finally:
        stream.stop()


def test_rtsp_server_absent_is_a_clear_error(settings) -> None:
    require_program("ffmpeg")
    from tests.infra import free_port

    s = settings.model_copy(update={"open_timeout_s": 0.5, "max_reconnects": 1})
    stream = _stream(s, f"rtsp://pilot:secret@127.0.0.1:{free_port()}/live")
    try:
        assert stream.wait_for_state(StreamState.FAILED, timeout_s=WAIT_S)
        health = stream.health()
        assert "secret" not in health.uri and "secret" not in (health.last_error or "")
        assert health.last_error
    finally:
        stream.stop()


def _send(port: int, payload: bytes, chunk: int = 1316) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(0, len(payload), chunk):
            s.sendto(payload[i:i + chunk], ("127.0.0.1", port))


@pytest.fixture(scope="module")
def ts_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Two seconds of real H.264 in MPEG-TS."""
    import subprocess

    ffmpeg = require_program("ffmpeg")
    path = tmp_path_factory.mktemp("clip") / "clip.ts"
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=320x240:rate=25", "-t", "2", "-c:v", "libx264", "-g", "5",
                    "-bf", "0", "-f", "mpegts", str(path)], check=True)
    return path.read_bytes()


def test_garbage_then_corrupt_then_real_data(settings, ts_clip, make_camera) -> None:
    port = udp_port()
    stream = _stream(settings, f"udp://127.0.0.1:{port}")
    rng = np.random.default_rng(1)
    try:
        # garbage bytes: no crash, never LIVE, the error is reported
        deadline = time.monotonic() + 2.0
        while stream.health().last_error is None and time.monotonic() < deadline:
            _send(port, rng.integers(0, 256, 20_000, dtype=np.uint8).tobytes())
            stream.wait_for_state(StreamState.RECONNECTING, timeout_s=0.05)
        assert stream.health().frames_decoded == 0
        # TS whose payload bytes are corrupted (sync bytes kept): counted, skipped
        damaged = bytearray(ts_clip)
        for pos in rng.integers(0, len(damaged), 3000):
            if pos % 188 > 4:
                damaged[pos] ^= 0xFF
        # a real stream afterwards is decoded: the ingest survived
        make_camera(f"udp://127.0.0.1:{port}")
        _send(port, bytes(damaged))
        assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
        with stream.hub.subscribe() as sub:
            assert sub.get(WAIT_S) is not None
    finally:
        stream.stop()


def test_truncated_stream_keeps_frames_and_reports_the_drop(settings, ts_clip) -> None:
    require_program("ffmpeg")
    port = udp_port()
    stream = _stream(settings, f"udp://127.0.0.1:{port}")
    try:
        with stream.hub.subscribe(from_latest=False) as sub:
            half = ts_clip[: len(ts_clip) // 2 // 188 * 188 + 100]  # cut mid-packet
            for _ in range(3):  # UDP: repeat so the probe sees enough
                _send(port, half)
                if stream.wait_for_state(StreamState.LIVE, timeout_s=1.0):
                    break
            assert sub.get(WAIT_S) is not None
        assert stream.wait_for_state(StreamState.RECONNECTING, StreamState.CONNECTING,
                                     timeout_s=WAIT_S)
        health = stream.health()
        assert health.frames_decoded > 0
        assert health.last_error
    finally:
        stream.stop()


def test_announced_stream_information_is_opened(make_camera, settings, hub) -> None:
    port = udp_port()
    stream = hub.add_announced_stream("drone7", stream_type=3, uri=str(port), encoding=1,
                                      bind_host="127.0.0.1")
    make_camera(f"udp://127.0.0.1:{port}")
    assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)


def test_settings_defaults_are_sane() -> None:
    s = VideoSettings()
    assert s.reconnect_initial_s < s.reconnect_max_s
    assert SimCameraSettings().width_px == 1280


def test_h264_over_rtsp_is_decoded_and_survives_a_reconnect(make_camera, settings) -> None:
    with rtsp_server() as server:
        make_camera(server.camera_output)
        stream = _stream(settings, server.url)  # interleaved RTP over the RTSP TCP connection
        try:
            with stream.hub.subscribe() as sub:
                frames = [sub.get(WAIT_S) for _ in range(5)]
            assert all(f is not None for f in frames)
            assert read_stamp(np.asarray(frames[-1].image)) is not None
            health = stream.health()
            assert health.codec == "h264" and health.state is StreamState.LIVE
            server.drop_clients()  # the drone's server cuts the session
            assert stream.wait_for_state(StreamState.RECONNECTING, StreamState.CONNECTING,
                                         timeout_s=WAIT_S)
            assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
            assert server.connections >= 2 and stream.health().reconnects >= 1
            with stream.hub.subscribe() as sub:
                assert sub.get(WAIT_S) is not None
        finally:
            stream.stop()
