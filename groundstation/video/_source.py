"""Where a drone's video comes from: a URI (configured or from MAVLink VIDEO_STREAM_INFORMATION)
turned into what FFmpeg needs to open it with little delay.

Supported: ``rtsp://`` / ``rtsps://`` (interleaved over TCP by default), ``udp://`` (MPEG-TS over
UDP), ``rtp://`` (RTP/UDP: H.264 or H.265 with payload type 96, described to FFmpeg by an SDP
passed inline), ``srt://`` and ``tcp://`` (MPEG-TS). Passwords in URIs never reach logs: use
``StreamSource.display_uri``.
"""

from __future__ import annotations

import base64
import enum
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from groundstation.video._exceptions import StreamUriError

__all__ = ["StreamSource", "VideoEncoding", "VideoStreamType", "redact_text", "redact_uri"]


class VideoStreamType(enum.IntEnum):
    """MAVLink VIDEO_STREAM_TYPE."""

    RTSP = 0
    RTPUDP = 1
    TCP_MPEG = 2
    MPEG_TS = 3


class VideoEncoding(enum.IntEnum):
    """MAVLink VIDEO_STREAM_ENCODING."""

    UNKNOWN = 0
    H264 = 1
    H265 = 2


_SCHEMES = {"rtsp", "rtsps", "udp", "rtp", "srt", "tcp"}
_RTP_PAYLOAD_TYPE = 96


_CREDENTIALS = re.compile(r"(?<=//)[^/@\s'\"]+@")


def redact_text(text: str) -> str:
    """``text`` (an error message) with credentials in any URI inside it replaced by ``***``."""
    return _CREDENTIALS.sub("***@", text)


def redact_uri(uri: str) -> str:
    """The URI with any user name and password replaced by ``***``."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparseable uri>"
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True, slots=True)
class StreamSource:
    """One video stream address and the demuxer options that open it."""

    uri: str
    encoding: VideoEncoding = VideoEncoding.UNKNOWN
    rtsp_transport: str = "tcp"
    options: dict[str, str] = field(default_factory=dict)
    """Extra FFmpeg demuxer/protocol options (they override the defaults)."""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "encoding", VideoEncoding(self.encoding))
        except ValueError as exc:
            raise StreamUriError(f"unknown video encoding {self.encoding!r}") from exc
        try:
            parts = urlsplit(self.uri)
            port = parts.port
        except ValueError as exc:
            raise StreamUriError(f"not a stream URI: {redact_uri(self.uri)!r}: {exc}") from exc
        if parts.scheme.lower() not in _SCHEMES:
            raise StreamUriError(
                f"unsupported stream scheme {parts.scheme!r} in {redact_uri(self.uri)!r}; "
                f"expected one of {sorted(_SCHEMES)}")
        if parts.scheme.lower() in {"udp", "rtp"} and not port:
            raise StreamUriError(f"{redact_uri(self.uri)!r} has no port")
        if self.rtsp_transport not in {"tcp", "udp"}:
            raise StreamUriError(f"rtsp_transport must be tcp or udp, not {self.rtsp_transport!r}")

    @property
    def scheme(self) -> str:
        """The URI scheme in lower case."""
        return urlsplit(self.uri).scheme.lower()

    @property
    def display_uri(self) -> str:
        """The URI without credentials, for health records and logs."""
        return redact_uri(self.uri)

    @classmethod
    def from_video_stream_information(
        cls, *, stream_type: int, uri: str, encoding: int = 0, bind_host: str = "0.0.0.0",
    ) -> StreamSource:
        """The source a vehicle announces in VIDEO_STREAM_INFORMATION (type, uri, encoding)."""
        try:
            kind = VideoStreamType(stream_type)
        except ValueError as exc:
            raise StreamUriError(f"unknown VIDEO_STREAM_TYPE {stream_type}") from exc
        try:
            enc = VideoEncoding(encoding)
        except ValueError:
            enc = VideoEncoding.UNKNOWN
        text = uri.strip().rstrip("\x00")
        if not text:
            raise StreamUriError("VIDEO_STREAM_INFORMATION carries an empty uri")
        if kind in (VideoStreamType.RTPUDP, VideoStreamType.MPEG_TS) and text.isdigit():
            # "the URI gives the port number"
            scheme = "rtp" if kind is VideoStreamType.RTPUDP else "udp"
            text = f"{scheme}://{bind_host}:{int(text)}"
        elif kind is VideoStreamType.TCP_MPEG and "://" not in text:
            text = f"tcp://{text}"
        return cls(uri=text, encoding=enc)

    def open_target(self) -> tuple[str, str | None, dict[str, str]]:
        """(file or URL, forced format or None, options) to hand to FFmpeg's avformat_open_input."""
        low_latency = {"fflags": "nobuffer", "flags": "low_delay"}
        scheme = self.scheme
        if scheme in {"rtsp", "rtsps"}:
            opts = {**low_latency, "rtsp_transport": self.rtsp_transport}
            return self.uri, None, {**opts, **self.options}
        if scheme == "rtp":
            return self._sdp_data_uri(), "sdp", {
                **low_latency, "protocol_whitelist": "data,udp,rtp", "reorder_queue_size": "0",
                **self.options}
        if scheme == "udp":
            sep = "&" if "?" in self.uri else "?"
            url = f"{self.uri}{sep}overrun_nonfatal=1&fifo_size=278876"
            return url, "mpegts", {**low_latency, **self.options}
        return self.uri, "mpegts" if scheme in {"tcp", "srt"} else None, {
            **low_latency, **self.options}

    def _sdp_data_uri(self) -> str:
        parts = urlsplit(self.uri)
        host = parts.hostname or "0.0.0.0"
        codec = "H265" if self.encoding is VideoEncoding.H265 else "H264"
        sdp = (
            "v=0\r\n"
            f"o=- 0 0 IN IP4 {host}\r\n"
            "s=drone video\r\n"
            f"c=IN IP4 {host}\r\n"
            "t=0 0\r\n"
            f"m=video {parts.port} RTP/AVP {_RTP_PAYLOAD_TYPE}\r\n"
            f"a=rtpmap:{_RTP_PAYLOAD_TYPE} {codec}/90000\r\n"
        )
        return "data:application/sdp;base64," + base64.b64encode(sdp.encode()).decode()
