"""Typed records of the video part: decoded frames, stream states and stream health."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

__all__ = ["StreamHealth", "StreamState", "VideoFrame"]


class StreamState(enum.Enum):
    """Where an ingest is in its life.

        IDLE ──start──▶ CONNECTING ──first frame──▶ LIVE
                          │   ▲                      │ read timeout / end / error
                 open fail│   │backoff over          ▼
                          ▼   └────────────── RECONNECTING ──max_reconnects──▶ FAILED
        any ──stop──▶ STOPPED

    STALLED is never stored: health reports it for a LIVE stream whose last frame is older
    than ``stall_after_s`` (packets stopped or only corrupt data arrives).
    """

    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    STOPPED = "stopped"

    def can_become(self, new: StreamState) -> bool:
        """True when the machine allows ``self -> new``."""
        return new in _ALLOWED[self]


_ALLOWED: dict[StreamState, frozenset[StreamState]] = {
    StreamState.IDLE: frozenset({StreamState.CONNECTING, StreamState.STOPPED}),
    StreamState.CONNECTING: frozenset(
        {StreamState.LIVE, StreamState.RECONNECTING, StreamState.FAILED, StreamState.STOPPED}),
    StreamState.LIVE: frozenset({StreamState.RECONNECTING, StreamState.STOPPED}),
    StreamState.STALLED: frozenset(),
    StreamState.RECONNECTING: frozenset(
        {StreamState.CONNECTING, StreamState.FAILED, StreamState.STOPPED}),
    StreamState.FAILED: frozenset({StreamState.STOPPED}),
    StreamState.STOPPED: frozenset(),
}


@dataclass(frozen=True, slots=True, eq=False)
class VideoFrame:
    """One decoded frame as every subscriber of a stream sees it (the image is read-only)."""

    stream_id: str
    seq: int
    """1, 2, 3... per stream, across reconnects; a gap seen by a subscriber is a dropped frame."""
    image: NDArray[np.uint8]
    """BGR, height × width × 3, not writeable (copy before drawing on it)."""
    pts_s: float | None
    """Presentation time in the stream's own clock, when the stream carries one."""
    received_utc: datetime
    """When the station had the frame decoded (aware UTC): aligns video with telemetry."""
    received_mono_s: float
    """``time.monotonic()`` at the same moment."""
    keyframe: bool

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class StreamHealth:
    """How a stream is doing right now."""

    stream_id: str
    uri: str
    """The stream's address with any password removed."""
    state: StreamState
    state_since_utc: datetime
    codec: str | None
    width_px: int | None
    height_px: int | None
    fps: float
    """Frames decoded per second over the health window."""
    bitrate_bps: float
    """Encoded bits received per second over the health window."""
    last_frame_age_s: float | None
    """Seconds since the last decoded frame; None before the first."""
    frames_decoded: int
    packets_corrupt: int
    """Packets the decoder rejected (counted, skipped)."""
    reconnects: int
    subscribers: int
    last_error: str | None
