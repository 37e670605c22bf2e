"""Frame sources: a video file or stream URI decoded by OpenCV's FFmpeg backend, or arrays.

Every source yields :class:`Frame` records. A source that cannot be opened, yields no frame,
or stops well before the length its container announces raises :class:`VideoSourceError`
(after handing out the frames it could decode), so a caller never gets a silent short clip.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

__all__ = ["Frame", "VideoSource", "VideoSourceError", "frames_from_arrays", "open_video"]

DEFAULT_FPS = 30.0
"""Frame rate assumed when a source does not announce one."""
TRUNCATION_TOLERANCE_FRAMES = 2
"""A file may decode this many frames fewer than its header says before it counts as cut."""


class VideoSourceError(Exception):
    """The video cannot be opened or decoded (missing, corrupt, truncated, unreachable)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame: 0-based index, time in seconds, and the BGR or grey image."""

    index: int
    t_s: float
    image: np.ndarray


def _is_stream(uri: str) -> bool:
    return "://" in uri


class VideoSource:
    """Frames of a file or stream URI, decoded with ``cv2.CAP_FFMPEG``.

    Use as an iterator (optionally in a ``with`` block, which releases the decoder).
    Opening and reading of streams are bounded by timeouts so a dead stream cannot hang.
    """

    def __init__(self, uri: str | Path, *, open_timeout_s: float = 5.0,
                 read_timeout_s: float = 5.0) -> None:
        self.uri = str(uri)
        if not _is_stream(self.uri) and not Path(self.uri).is_file():
            raise VideoSourceError(f"video file not found: {self.uri}")
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(open_timeout_s * 1000),
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(read_timeout_s * 1000)]
        self._cap = cv2.VideoCapture(self.uri, cv2.CAP_FFMPEG, params)
        if not self._cap.isOpened():
            self._cap.release()
            raise VideoSourceError(f"cannot open video {self.uri!r} (corrupt, unsupported "
                                   "or unreachable)")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 1000.0 else DEFAULT_FPS
        count = self._cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.announced_frames = int(count) if count > 0 and not _is_stream(self.uri) else None

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        try:
            while True:
                ok, image = self._cap.read()
                if not ok or image is None:
                    break
                yield Frame(index, index / self.fps, image)
                index += 1
        finally:
            self.close()
        if index == 0:
            raise VideoSourceError(f"no frame could be decoded from {self.uri!r}")
        expected = self.announced_frames
        if expected is not None and index < expected - TRUNCATION_TOLERANCE_FRAMES:
            raise VideoSourceError(
                f"video {self.uri!r} is truncated or corrupt: decoded {index} of {expected} frames")

    def close(self) -> None:
        """Release the decoder (idempotent)."""
        self._cap.release()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_video(uri: str | Path, **timeouts: float) -> VideoSource:
    """Open a video file or stream URI (``rtsp://``, ``udp://``...) through FFmpeg."""
    return VideoSource(uri, **timeouts)


def frames_from_arrays(images: Iterable[np.ndarray], fps: float = DEFAULT_FPS) -> Iterator[Frame]:
    """Wrap images handed in by the caller (BGR or grey uint8) as frames at ``fps``."""
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    for index, image in enumerate(images):
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
            raise VideoSourceError(f"frame {index} is not a uint8 image array")
        yield Frame(index, index / fps, image)
