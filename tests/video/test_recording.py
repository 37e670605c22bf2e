"""Recording while on an incident: fragmented MP4 segments that decode back, a UTC index,
drops that keep what was written, retention, snapshots, evidence reported to the service."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta

import cv2
import pytest

from groundstation.video import (
    INDEX_FILE,
    Evidence,
    NoFrameYet,
    StreamNotFound,
    StreamState,
    VideoHub,
    read_index,
    sweep_retention,
)
from tests.infra import require_program
from tests.video.conftest import WAIT_S, udp_port


def _decode_all(path) -> int:
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    assert cap.isOpened(), f"OpenCV cannot open {path}"
    count = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        assert image.shape == (360, 640, 3)
        count += 1
    cap.release()
    return count


def _ffprobe(path) -> dict:
    ffprobe = require_program("ffprobe")
    out = subprocess.run([ffprobe, "-v", "error", "-show_streams", "-show_format", "-of", "json",
                          str(path)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def _wait_frames(stream, count: int) -> None:
    with stream.hub.subscribe(from_latest=False) as sub:
        for _ in range(count):
            assert sub.get(WAIT_S) is not None


def test_recording_is_produced_indexed_playable_and_reported(make_camera, settings,
                                                            tmp_path) -> None:
    evidence: list[Evidence] = []
    hub = VideoHub(settings, recordings_dir=tmp_path / "rec", on_evidence=evidence.append)
    try:
        port = udp_port()
        stream = hub.add_stream("drone1", f"udp://127.0.0.1:{port}")
        make_camera(f"udp://127.0.0.1:{port}")
        assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
        before = datetime.now(UTC)
        recorder = hub.attach_to_incident("drone1", "42")
        assert hub.incident_streams("42") == ["drone1"]
        _wait_frames(stream, 30)  # two seconds at 15 fps
        segments = hub.detach_from_incident("drone1")
        after = datetime.now(UTC)
    finally:
        hub.close()
    assert recorder.dropped_packets == 0
    assert len(segments) == 1
    seg = segments[0]
    assert seg.complete and seg.packets > 0 and seg.codec == "h264"
    assert seg.incident_id == "42" and seg.stream_id == "drone1"
    start = datetime.fromisoformat(seg.start_utc)
    assert start.tzinfo is not None and before - timedelta(seconds=1) <= start <= after
    path = tmp_path / "rec" / "42" / "drone1" / seg.file
    frames = _decode_all(path)
    assert frames >= 10
    probe = _ffprobe(path)
    assert probe["streams"][0]["codec_name"] == "h264"
    assert "mp4" in probe["format"]["format_name"]
    assert [e.kind for e in evidence] == ["recording"]
    assert evidence[0].path == path and evidence[0].media_type == "video/mp4"


def test_drop_mid_recording_keeps_the_segment_and_starts_a_new_one(make_camera, hub) -> None:
    port = udp_port()
    stream = hub.add_stream("drone2", f"udp://127.0.0.1:{port}")
    cam = make_camera(f"udp://127.0.0.1:{port}")
    assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
    recorder = hub.attach_to_incident("drone2", "7")
    _wait_frames(stream, 15)
    cam.pause()
    assert recorder.wait_segments(1, timeout_s=WAIT_S)  # the drop closed the segment
    first = recorder.segments()
    assert len(first) == 1 and first[0].complete
    assert _decode_all(recorder.directory / first[0].file) > 0
    cam.resume()
    assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
    _wait_frames(stream, 15)
    segments = hub.detach_from_incident("drone2")
    assert len(segments) == 2
    assert all(_decode_all(recorder.directory / s.file) > 0 for s in segments)
    assert segments[0].end_utc is not None and segments[0].end_utc <= segments[1].start_utc


def test_segments_are_cut_at_the_segment_length(make_camera, settings, tmp_path) -> None:
    s = settings.model_copy(update={"segment_length_s": 0.5})
    hub = VideoHub(s, recordings_dir=tmp_path / "rec")
    try:
        port = udp_port()
        stream = hub.add_stream("d3", f"udp://127.0.0.1:{port}")
        make_camera(f"udp://127.0.0.1:{port}")
        recorder = hub.attach_to_incident("d3", "9")
        assert recorder.wait_segments(3, timeout_s=WAIT_S)
        assert stream.health().state is StreamState.LIVE
        segments = hub.detach_from_incident("d3")
    finally:
        hub.close()
    assert len(segments) >= 3
    starts = [datetime.fromisoformat(x.start_utc) for x in segments]
    assert starts == sorted(starts)
    assert [x.file for x in hub.recordings("9")] == [x.file for x in segments]


def test_a_recording_cut_off_mid_write_still_plays(make_camera, hub) -> None:
    port = udp_port()
    stream = hub.add_stream("d4", f"udp://127.0.0.1:{port}")
    make_camera(f"udp://127.0.0.1:{port}")
    recorder = hub.attach_to_incident("d4", "5")
    _wait_frames(stream, 30)
    segments = hub.detach_from_incident("d4")
    path = recorder.directory / segments[0].file
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.7)])  # the station died while writing
    assert _decode_all(path) > 0  # fragments written before the cut still decode


def test_index_survives_a_garbage_line(tmp_path) -> None:
    (tmp_path / INDEX_FILE).write_text(
        '{"file": "a.mp4", "stream_id": "s", "incident_id": "1", "codec": "h264", '
        '"width_px": 1, "height_px": 1, "start_utc": "2026-01-01T00:00:00+00:00"}\n'
        "\x00\x01 not json\n{\"unexpected\": 1}\n", encoding="utf-8")
    assert [s.file for s in read_index(tmp_path)] == ["a.mp4"]


def test_retention_deletes_old_segments_only(tmp_path) -> None:
    d = tmp_path / "1" / "s"
    d.mkdir(parents=True)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    lines = []
    for name, age_days in (("old.mp4", 40), ("new.mp4", 2)):
        (d / name).write_bytes(b"x")
        (d / f"{name}.h264.mp4").write_bytes(b"x")
        t = (now - timedelta(days=age_days)).isoformat()
        lines.append(json.dumps({"file": name, "stream_id": "s", "incident_id": "1",
                                 "codec": "hevc", "width_px": 1, "height_px": 1,
                                 "start_utc": t, "end_utc": t, "complete": True,
                                 "playback_file": f"{name}.h264.mp4"}))
    (d / INDEX_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    deleted = sweep_retention(tmp_path, retention_days=30, now_utc=now)
    assert deleted == [d / "old.mp4", d / "old.mp4.h264.mp4"]  # the browser copy goes too
    assert not (d / "old.mp4").exists() and (d / "new.mp4").exists()
    assert (d / "new.mp4.h264.mp4").exists()
    assert [s.file for s in read_index(d)] == ["new.mp4"]


def test_snapshot_on_demand(make_camera, hub) -> None:
    port = udp_port()
    stream = hub.add_stream("d5", f"udp://127.0.0.1:{port}")
    with pytest.raises(NoFrameYet):
        hub.snapshot_jpeg("d5")
    with pytest.raises(StreamNotFound):
        hub.store_snapshot("3", "d5")  # not on that incident
    make_camera(f"udp://127.0.0.1:{port}")
    _wait_frames(stream, 1)
    hub.attach_to_incident("d5", "3")
    ev = hub.store_snapshot("3", "d5")
    image = cv2.imread(str(ev.path))
    assert image is not None and image.shape == (360, 640, 3)
    assert ev.kind == "snapshot" and ev.start_utc.tzinfo is not None
    assert hub.snapshot_file("3", "d5", ev.path.name) == ev.path
    with pytest.raises(StreamNotFound):
        hub.snapshot_file("3", "d5", "../../../etc/passwd")


def test_h265_recording_gets_an_h264_copy_for_browsers(make_camera, settings, cam_settings,
                                                       tmp_path) -> None:
    hub = VideoHub(settings, recordings_dir=tmp_path / "rec")
    try:
        port = udp_port()
        stream = hub.add_stream("d6", f"udp://127.0.0.1:{port}")
        make_camera(f"udp://127.0.0.1:{port}",
                    settings=cam_settings.model_copy(update={"codec": "h265"}))
        assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
        recorder = hub.attach_to_incident("d6", "8")
        _wait_frames(stream, 30)
        hub.detach_from_incident("d6")
        assert hub.wait_browser_copies(timeout_s=60.0)
        segments = hub.recordings("8")
    finally:
        hub.close()
    assert len(segments) == 1
    seg = segments[0]
    assert seg.codec == "hevc" and seg.complete
    assert seg.playback_file == seg.file.removesuffix(".mp4") + ".h264.mp4"
    original, copy = recorder.directory / seg.file, recorder.directory / seg.playback_file
    assert _ffprobe(original)["streams"][0]["codec_name"] == "hevc"  # the evidence, untouched
    assert _decode_all(original) >= 10
    assert _ffprobe(copy)["streams"][0]["codec_name"] == "h264"
    assert _decode_all(copy) >= 10
    assert hub.recording_file("8", "d6", seg.playback_file) == copy
