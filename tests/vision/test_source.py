"""Frame sources: real files decode; missing, corrupt and truncated files give VideoSourceError."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision import VideoSourceError, frames_from_arrays, open_video

N_FRAMES = 40


def _write_clip(path: Path, fourcc: str) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 30.0, (64, 48))
    assert writer.isOpened()
    rng = np.random.default_rng(1)
    for _ in range(N_FRAMES):
        writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()


def test_whole_file_decodes_with_times(tmp_path: Path) -> None:
    path = tmp_path / "ok.avi"
    _write_clip(path, "MJPG")
    frames = list(open_video(path))
    assert [f.index for f in frames] == list(range(N_FRAMES))
    assert frames[1].t_s == pytest.approx(1 / 30)
    assert frames[0].image.shape == (48, 64, 3)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VideoSourceError, match="not found"):
        open_video(tmp_path / "nope.mp4")


def test_garbage_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.mp4"
    path.write_bytes(np.random.default_rng(2).integers(0, 255, 20000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoSourceError):
        list(open_video(path))


def test_truncated_file_hands_out_what_it_can_then_fails(tmp_path: Path) -> None:
    path = tmp_path / "cut.avi"
    _write_clip(path, "MJPG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    seen: list[int] = []
    with pytest.raises(VideoSourceError, match="truncated|cannot open|no frame"):
        for frame in open_video(path):
            seen.append(frame.index)
    assert len(seen) < N_FRAMES


def test_truncated_mp4_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "cut.mp4"
    _write_clip(path, "mp4v")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(VideoSourceError):
        list(open_video(path))


def test_arrays_are_wrapped_and_checked() -> None:
    frames = list(frames_from_arrays([np.zeros((4, 4), np.uint8)] * 3, fps=10.0))
    assert [f.t_s for f in frames] == pytest.approx([0.0, 0.1, 0.2])
    with pytest.raises(VideoSourceError, match="frame 1"):
        list(frames_from_arrays([np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.float32)]))
