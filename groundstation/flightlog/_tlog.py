"""The telemetry-log (.tlog) format and MAVLink frame splitting for the recorder.

A .tlog (as MAVProxy and QGroundControl write it) is a plain sequence of records: an 8-byte
big-endian count of microseconds since the Unix epoch, then one raw MAVLink frame exactly as it
travelled. :class:`FrameSplitter` cuts received bytes into whole, CRC-checked frames; garbage
is skipped a byte at a time, as the station's own parser does.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fastcrc.crc16 import mcrf4xx

from groundstation.mavlink._dialect import FRAME_SPECS, decode

__all__ = [
    "FrameSplitter",
    "TlogRecord",
    "TlogWriter",
    "frame_source",
    "frame_target",
    "read_tlog",
]

_STAMP = struct.Struct(">Q")
_STX_V2 = 0xFD
_STX_V1 = 0xFE
_SIGNATURE_LEN = 13


@dataclass(frozen=True, slots=True)
class TlogRecord:
    """One frame of a telemetry log and when it was seen (µs since the epoch, UTC)."""

    t_us: int
    frame: bytes


def _frame_length(buf: bytes, i: int) -> int | None:
    """Total length of the frame starting at ``i`` (None: not a frame start / header incomplete)."""
    n = len(buf) - i
    stx = buf[i]
    if stx == _STX_V2:
        if n < 3:
            return None
        return 12 + buf[i + 1] + (_SIGNATURE_LEN if buf[i + 2] & 1 else 0)
    if stx == _STX_V1:
        if n < 2:
            return None
        return 8 + buf[i + 1]
    return None


def _crc_ok(frame: bytes) -> bool:
    v2 = frame[0] == _STX_V2
    header = 10 if v2 else 6
    msgid = (frame[7] | (frame[8] << 8) | (frame[9] << 16)) if v2 else frame[5]
    spec = FRAME_SPECS.get(msgid)
    if spec is None:
        return False
    body_end = header + frame[1]
    crc = mcrf4xx(spec[0], mcrf4xx(frame[1:body_end]))
    return crc == (frame[body_end] | (frame[body_end + 1] << 8))


class FrameSplitter:
    """Whole MAVLink frames out of a link's bytes (stream links keep a partial frame)."""

    def __init__(self, *, datagram: bool) -> None:
        self.datagram = datagram
        self._buf = b""
        self.skipped_bytes = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Frames completed by ``data`` (datagrams never carry a frame over)."""
        buf = self._buf + data if self._buf else data
        frames: list[bytes] = []
        i, n = 0, len(buf)
        while i < n:
            if buf[i] not in (_STX_V1, _STX_V2):
                i += 1
                self.skipped_bytes += 1
                continue
            length = _frame_length(buf, i)
            if length is None or i + length > n:
                break
            frame = buf[i : i + length]
            if _crc_ok(frame):
                frames.append(frame)
                i += length
            else:
                i += 1
                self.skipped_bytes += 1
        if self.datagram:
            self.skipped_bytes += n - i
            self._buf = b""
        else:
            self._buf = buf[i:]
        return frames


def frame_source(frame: bytes) -> int:
    """The system id that sent a frame."""
    return frame[5] if frame[0] == _STX_V2 else frame[3]


def frame_target(frame: bytes) -> int:
    """The system id a frame is addressed to (0: broadcast or not addressed)."""
    v2 = frame[0] == _STX_V2
    header = 10 if v2 else 6
    msgid = (frame[7] | (frame[8] << 8) | (frame[9] << 16)) if v2 else frame[5]
    if msgid not in FRAME_SPECS:
        return 0
    msg = decode(msgid, frame[header : header + frame[1]])
    return int(getattr(msg, "target_system", 0) or 0)


class TlogWriter:
    """Appends records to a .tlog file; :meth:`flush` pushes them to the disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO = open(path, "ab")  # noqa: SIM115 - closed by close()
        self.frames = 0
        self.size_bytes = self._file.tell()

    def write(self, t_us: int, frame: bytes) -> None:
        """Add one frame seen at ``t_us``."""
        self._file.write(_STAMP.pack(t_us))
        self._file.write(frame)
        self.frames += 1
        self.size_bytes += 8 + len(frame)

    def flush(self, *, sync: bool = False) -> None:
        """Write buffered records out (and to stable storage when ``sync``)."""
        self._file.flush()
        if sync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        """Flush to stable storage and close."""
        if not self._file.closed:
            self.flush(sync=True)
            self._file.close()


def read_tlog(path: Path) -> Iterator[TlogRecord]:
    """Records of a .tlog; a truncated or corrupt tail (a crash mid-write) ends the log."""
    data = path.read_bytes()
    i, n = 0, len(data)
    while i + 8 < n:
        (t_us,) = _STAMP.unpack_from(data, i)
        j = i + 8
        length = _frame_length(data, j)
        if length is None or j + length > n:
            return
        frame = data[j : j + length]
        if not _crc_ok(frame):
            return
        yield TlogRecord(t_us, frame)
        i = j + length
