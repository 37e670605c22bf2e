"""MJPEG delivery (multipart/x-mixed-replace): each frame JPEG-encoded once per stream however
many browsers watch, each viewer on its own subscription so a slow one only skips frames, and a
status picture instead of silence when the stream is down.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator

import cv2
import numpy as np

from groundstation.config import VideoSettings
from groundstation.video._ingest import VideoStream
from groundstation.video._types import StreamHealth, StreamState, VideoFrame

__all__ = ["BOUNDARY", "JpegCache", "encode_jpeg", "mjpeg_parts", "status_jpeg"]

BOUNDARY = "gcsframe"
_STATUS_SIZE = (640, 360)


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """JPEG bytes of a BGR image."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


class JpegCache:
    """The newest frame of a stream as JPEG, encoded at most once per frame."""

    def __init__(self, quality: int) -> None:
        self.quality = quality
        self._lock = threading.Lock()
        self._seq = -1
        self._jpeg = b""
        self.encoded = 0

    def jpeg(self, frame: VideoFrame) -> bytes:
        """The frame as JPEG (thread-safe; call off the event loop)."""
        with self._lock:
            if frame.seq != self._seq:
                self._jpeg = encode_jpeg(frame.image, self.quality)
                self._seq = frame.seq
                self.encoded += 1
            return self._jpeg


def status_jpeg(health: StreamHealth) -> bytes:
    """A small picture saying why there is no video (shown to viewers instead of a frozen frame)."""
    w, h = _STATUS_SIZE
    image = np.full((h, w, 3), 40, np.uint8)
    title = {StreamState.CONNECTING: "CONNECTING", StreamState.RECONNECTING: "NO SIGNAL - RECONNECTING",
             StreamState.STALLED: "STREAM STALLED", StreamState.FAILED: "STREAM FAILED",
             StreamState.STOPPED: "STREAM ENDED"}.get(health.state, health.state.name)
    cv2.putText(image, title, (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (80, 180, 255), 2,
                cv2.LINE_AA)
    lines = [f"stream {health.stream_id}", f"reconnects {health.reconnects}"]
    if health.last_error:
        lines += [health.last_error[i:i + 56] for i in range(0, min(len(health.last_error), 168), 56)]
    for i, line in enumerate(lines):
        cv2.putText(image, line, (20, 130 + 30 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                    (220, 220, 220), 1, cv2.LINE_AA)
    return encode_jpeg(image, 80)


def _part(jpeg: bytes) -> bytes:
    head = (f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
            f"Content-Length: {len(jpeg)}\r\n\r\n").encode()
    return head + jpeg + b"\r\n"


async def mjpeg_parts(stream: VideoStream, cache: JpegCache, settings: VideoSettings
                      ) -> AsyncIterator[bytes]:
    """Multipart body parts for one viewer until the stream ends or the viewer leaves."""
    min_interval_s = 1.0 / settings.mjpeg_max_fps
    last_sent = -float("inf")
    with stream.hub.subscribe() as sub:
        while True:
            frame = await sub.next(timeout_s=settings.viewer_frame_timeout_s)
            if frame is None:
                health = stream.health()
                yield _part(await asyncio.to_thread(status_jpeg, health))
                if stream.hub.closed:
                    return
                continue
            now = time.monotonic()
            if now - last_sent < min_interval_s:
                continue
            last_sent = now
            yield _part(await asyncio.to_thread(cache.jpeg, frame))
