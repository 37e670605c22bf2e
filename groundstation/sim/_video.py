"""The video stream a simulated drone announces: MAVLink VIDEO_STREAM_INFORMATION, sent when a
stream is set and whenever the ground station asks (REQUEST_MESSAGE 269)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.sim._exceptions import SimConfigError

__all__ = ["SimVideoStream"]

_URI_BYTES = 160
_NAME_BYTES = 32


@dataclass(frozen=True, slots=True, kw_only=True)
class SimVideoStream:
    """Where the drone's camera streams, as a real vehicle would describe it."""

    uri: str
    """e.g. ``udp://127.0.0.1:5600`` (the station opens it as given)."""
    stream_type: int = mavlink.VIDEO_STREAM_TYPE_MPEG_TS
    encoding: int = mavlink.VIDEO_STREAM_ENCODING_H264
    width_px: int = 1280
    height_px: int = 720
    fps: float = 30.0
    bitrate_kbps: int = 2500
    hfov_deg: int = 70
    name: str = "camera"

    def __post_init__(self) -> None:
        if not self.uri or len(self.uri.encode()) > _URI_BYTES:
            raise SimConfigError(f"video uri must be 1..{_URI_BYTES} bytes, got {self.uri!r}")
        if len(self.name.encode()) > _NAME_BYTES:
            raise SimConfigError(f"video stream name longer than {_NAME_BYTES} bytes")

    def message(self) -> Any:
        """VIDEO_STREAM_INFORMATION for stream 1 of 1, running."""
        return mavlink.MAVLink_video_stream_information_message(
            1, 1, self.stream_type, mavlink.VIDEO_STREAM_STATUS_FLAGS_RUNNING, self.fps,
            self.width_px, self.height_px, self.bitrate_kbps, 0, self.hfov_deg,
            self.name.encode(), self.uri.encode(), self.encoding)
