"""Evidence of an alert: the frame as a JPEG with the target's box drawn, and a short clip.

Clips are H.264 MP4 (browser-playable, ``+faststart``) encoded by the ``ffmpeg`` program when
it is installed, else MPEG-4 Part 2 through OpenCV's VideoWriter (plays in VLC and most
desktop players, not in every browser). Frames are BGR, height x width x 3, all one size.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from vision._types import Box

__all__ = ["EvidenceError", "annotated_jpeg", "encode_clip"]

Image = NDArray[np.uint8]
_RED = (40, 40, 255)
_FFMPEG_TIMEOUT_S = 60.0


class EvidenceError(RuntimeError):
    """A snapshot or clip could not be made from the frames given."""


def _check_frame(image: Image) -> None:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or min(image.shape) < 2:
        raise EvidenceError(f"frames must be BGR uint8 HxWx3, got {image.dtype} {image.shape}")


def annotated_jpeg(image: Image, box: Box, caption: str, *, quality: int = 90) -> bytes:
    """The frame (left untouched) as a JPEG with ``box`` outlined and ``caption`` above it."""
    _check_frame(image)
    canvas = image.copy()
    h, w = canvas.shape[:2]
    pad = 4
    x0, y0 = max(0, int(box.x) - pad), max(0, int(box.y) - pad)
    x1, y1 = min(w - 1, int(box.x + box.w) + pad), min(h - 1, int(box.y + box.h) + pad)
    cv2.rectangle(canvas, (x0, y0), (x1, y1), _RED, 2)
    scale = max(0.4, w / 1600)
    (tw, th), base = cv2.getTextSize(caption, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    ty = y0 - 6 if y0 - th - base - 6 >= 0 else min(h - base - 2, y1 + th + 6)
    tx = min(max(0, x0), max(0, w - tw - 2))
    cv2.rectangle(canvas, (tx, ty - th - 2), (tx + tw + 2, ty + base), (0, 0, 0), -1)
    cv2.putText(canvas, caption, (tx + 1, ty), cv2.FONT_HERSHEY_SIMPLEX, scale, _RED, 1,
                cv2.LINE_AA)
    ok, buf = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise EvidenceError("JPEG encoding failed")
    return bytes(buf.tobytes())


def encode_clip(frames: Sequence[Image], fps: float, *, ffmpeg: str | None = "auto") -> bytes:
    """The frames as MP4 bytes; ``ffmpeg`` is a program path, "auto" (PATH) or None (OpenCV)."""
    if not frames:
        raise EvidenceError("a clip needs at least one frame")
    for image in frames:
        _check_frame(image)
    shape = frames[0].shape
    if any(f.shape != shape for f in frames):
        raise EvidenceError("clip frames differ in size")
    if not (0.5 <= fps <= 240.0):
        raise EvidenceError(f"clip rate {fps} fps out of range")
    program = shutil.which("ffmpeg") if ffmpeg == "auto" else ffmpeg
    with tempfile.TemporaryDirectory(prefix="vision-clip-") as tmp:
        out = Path(tmp) / "clip.mp4"
        if program:
            _ffmpeg_h264(program, frames, fps, out)
        else:
            _opencv_mp4v(frames, fps, out)
        data = out.read_bytes() if out.is_file() else b""
    if not data:
        raise EvidenceError("the clip encoder wrote nothing")
    return data


def _ffmpeg_h264(program: str, frames: Sequence[Image], fps: float, out: Path) -> None:
    h, w = frames[0].shape[:2]
    even_w, even_h = w - w % 2, h - h % 2  # yuv420p needs even sizes
    cmd = [program, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
           "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{w}x{h}", "-r", f"{fps:.3f}", "-i", "-",
           "-vf", f"crop={even_w}:{even_h}:0:0", "-c:v", "libx264", "-preset", "veryfast",
           "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)]
    data = b"".join(np.ascontiguousarray(f).tobytes() for f in frames)
    try:
        done = subprocess.run(cmd, input=data, capture_output=True, timeout=_FFMPEG_TIMEOUT_S,
                              check=False, env={**os.environ, "AV_LOG_FORCE_NOCOLOR": "1"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EvidenceError(f"ffmpeg could not encode the clip: {exc}") from exc
    if done.returncode != 0:
        raise EvidenceError(f"ffmpeg failed ({done.returncode}): "
                            f"{done.stderr.decode(errors='replace')[-300:]}")


def _opencv_mp4v(frames: Sequence[Image], fps: float, out: Path) -> None:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), float(fps), (w, h))
    if not writer.isOpened():
        raise EvidenceError("OpenCV has no MPEG-4 encoder")
    try:
        for image in frames:
            writer.write(image)
    finally:
        writer.release()
