"""Overhead video from drones to commanders: ingest (PyAV/FFmpeg, reconnecting, one decode per
stream), frame fan-out that never stalls on a slow viewer, MJPEG delivery to browsers, recording
in browser-playable fragmented MP4 segments with a UTC index, snapshots, and the HTTP router.
"""

from groundstation.video._exceptions import (
    NoFrameYet,
    RecordingError,
    StreamNotFound,
    StreamOpenError,
    StreamUriError,
    VideoError,
)
from groundstation.video._hub import FrameHub, FrameSubscription
from groundstation.video._ingest import (
    CodecParams,
    EncodedPacket,
    PacketSink,
    VideoStream,
    backoff_delay_s,
)
from groundstation.video._mjpeg import BOUNDARY, JpegCache, mjpeg_parts, status_jpeg
from groundstation.video._recorder import (
    INDEX_FILE,
    SegmentInfo,
    SegmentRecorder,
    read_index,
    sweep_retention,
)
from groundstation.video._router import video_router
from groundstation.video._service import Evidence, VideoHub
from groundstation.video._source import StreamSource, VideoEncoding, VideoStreamType, redact_uri
from groundstation.video._types import StreamHealth, StreamState, VideoFrame

__all__ = [
    "BOUNDARY",
    "INDEX_FILE",
    "CodecParams",
    "EncodedPacket",
    "Evidence",
    "FrameHub",
    "FrameSubscription",
    "JpegCache",
    "NoFrameYet",
    "PacketSink",
    "RecordingError",
    "SegmentInfo",
    "SegmentRecorder",
    "StreamHealth",
    "StreamNotFound",
    "StreamOpenError",
    "StreamSource",
    "StreamState",
    "StreamUriError",
    "VideoEncoding",
    "VideoError",
    "VideoFrame",
    "VideoHub",
    "VideoStream",
    "VideoStreamType",
    "backoff_delay_s",
    "mjpeg_parts",
    "read_index",
    "redact_uri",
    "status_jpeg",
    "sweep_retention",
    "video_router",
]
