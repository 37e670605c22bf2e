"""Real H.264/H.265 encoding of rendered frames with Debian's ffmpeg: raw BGR on stdin, a live
stream out (MPEG-TS over UDP, RTP/UDP, or RTSP pushed to a server) with low-delay settings.
"""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import urlsplit

from groundstation.video import VideoError

__all__ = ["FfmpegEncoder", "encoder_command"]

_CODECS = {"h264": "libx264", "h265": "libx265"}


def encoder_command(*, width_px: int, height_px: int, fps: float, codec: str, bitrate_kbps: int,
                    keyframe_interval_frames: int, preset: str, output: str,
                    ffmpeg: str = "ffmpeg") -> list[str]:
    """The ffmpeg command line that encodes raw BGR frames from stdin to ``output``."""
    if codec not in _CODECS:
        raise VideoError(f"simulated camera codec must be one of {sorted(_CODECS)}, not {codec!r}")
    scheme = urlsplit(output).scheme.lower()
    if scheme == "udp":
        sep = "&" if "?" in output else "?"
        out = ["-f", "mpegts", "-muxdelay", "0", "-muxpreload", "0", f"{output}{sep}pkt_size=1316"]
    elif scheme == "rtp":
        out = ["-f", "rtp", output]
    elif scheme in {"rtsp", "rtsps"}:
        out = ["-f", "rtsp", "-rtsp_transport", "tcp", output]
    else:
        raise VideoError(f"simulated camera output must be udp://, rtp:// or rtsp://, not {output!r}")
    kbps = int(bitrate_kbps)
    enc = ["-c:v", _CODECS[codec], "-preset", preset, "-tune", "zerolatency",
           "-g", str(keyframe_interval_frames), "-bf", "0", "-pix_fmt", "yuv420p",
           "-b:v", f"{kbps}k", "-maxrate", f"{kbps}k", "-bufsize", f"{max(1, kbps // 2)}k"]
    if codec == "h264":
        enc += ["-x264-params", "repeat-headers=1:sliced-threads=0:threads=1"]
    else:
        enc += ["-x265-params", "repeat-headers=1:log-level=error:frame-threads=1:pools=1"]
    return [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width_px}x{height_px}",
            "-framerate", f"{fps:g}", "-i", "pipe:0", *enc, "-flush_packets", "1", *out]


class FfmpegEncoder:
    """One ffmpeg process fed frame by frame."""

    def __init__(self, command: list[str], *, frame_bytes: int, stop_timeout_s: float) -> None:
        if shutil.which(command[0]) is None:
            raise VideoError(f"program {command[0]!r} not found: install Debian's ffmpeg")
        self.command = command
        self.frame_bytes = frame_bytes
        self.stop_timeout_s = stop_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The ffmpeg process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start ffmpeg."""
        self._proc = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def write(self, frame: bytes | memoryview) -> None:
        """Send one raw frame; raises VideoError when ffmpeg has gone."""
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise VideoError("encoder not started")
        if len(frame) != self.frame_bytes:
            raise VideoError(f"frame is {len(frame)} bytes, expected {self.frame_bytes}")
        try:
            proc.stdin.write(frame)
            proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise VideoError(f"ffmpeg encoder exited: {self._stderr_tail()}") from exc

    def _stderr_tail(self) -> str:
        proc = self._proc
        if proc is None or proc.stderr is None or proc.poll() is None:
            return "(still running)"
        return proc.stderr.read().decode(errors="replace")[-400:].strip() or f"code {proc.returncode}"

    def stop(self) -> None:
        """Close stdin and wait for ffmpeg; kill it after ``stop_timeout_s``."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
