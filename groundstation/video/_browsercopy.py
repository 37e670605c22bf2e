"""An H.264 copy of a recorded segment for browsers that cannot play the drone's own codec
(H.265: neither Debian's Chromium nor Firefox decode it), made by FFmpeg after the segment
closes and kept beside it; the original stays the evidence.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

from groundstation.video._exceptions import RecordingError
from groundstation.video._recorder import SegmentInfo, append_index

__all__ = ["browser_copy_name", "make_browser_copy"]


def browser_copy_name(file: str) -> str:
    """File name of a segment's browser copy."""
    return f"{Path(file).stem}.h264.mp4"


def make_browser_copy(directory: Path, info: SegmentInfo, *, timeout_s: float) -> SegmentInfo:
    """Transcode the segment to H.264 MP4 (fast start), list it in the index; RecordingError."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RecordingError("ffmpeg is not installed: no browser copy of " + info.file)
    name = browser_copy_name(info.file)
    part = directory / f"{name}.part"
    try:
        subprocess.run(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
             "-i", str(directory / info.file), "-map", "0:v:0", "-c:v", "libx264",
             "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
             "-f", "mp4", str(part)],
            check=True, capture_output=True, timeout=timeout_s)
    except subprocess.CalledProcessError as exc:
        part.unlink(missing_ok=True)
        detail = exc.stderr.decode("utf-8", errors="replace").strip()[-300:]
        raise RecordingError(f"browser copy of {info.file} failed: {detail}") from exc
    except subprocess.TimeoutExpired as exc:
        part.unlink(missing_ok=True)
        raise RecordingError(f"browser copy of {info.file} took over {timeout_s:g} s") from exc
    os.replace(part, directory / name)
    copied = dataclasses.replace(info, playback_file=name)
    append_index(directory, copied)
    return copied
