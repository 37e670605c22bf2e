"""MAVLink framing: bytes in → checked frames out, and messages out → bytes (signed when set).

:class:`FrameParser` is the ingest hot path. It walks a buffer frame by frame (MAVLink 2 and 1),
checks the CRC with the message's CRC_EXTRA, checks the signature on links that require one and
hands good frames to a sink as ``(sysid, compid, msgid, seq, payload, peer)``; it builds no
message objects. Everything it throws away is counted in :class:`CodecCounters`, and the counts
add up: ``bytes_received == bytes_accepted + bytes_rejected + bytes_dropped + buffered``.

* bad CRC: the start byte is dropped and the scan resumes at the next byte, so a good frame
  hidden behind a false start is still found;
* unknown message id: the CRC cannot be checked; the whole frame is skipped (rejected);
* payload longer than the message allows, unknown incompatibility flags: rejected;
* unsigned or badly signed frames on a signing link: rejected and never acted on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from fastcrc.crc16 import mcrf4xx

from groundstation.mavlink._dialect import FRAME_SPECS, mavlink
from groundstation.mavlink._signing import SIGNATURE_LEN, SigningState

__all__ = ["CodecCounters", "Encoder", "FrameParser", "FrameSink"]

STX_V2 = 0xFD
STX_V1 = 0xFE
_HEADER_V2 = 10
_HEADER_V1 = 6
_STX_RE = re.compile(rb"[\xfd\xfe]")

FrameSink = Callable[[int, int, int, int, bytes, Hashable], None]


@dataclass(slots=True)
class CodecCounters:
    """Byte and frame counters of one link's parser."""

    bytes_received: int = 0
    bytes_accepted: int = 0
    bytes_rejected: int = 0
    bytes_dropped: int = 0
    frames: int = 0
    bad_crc: int = 0
    unknown_msgid: int = 0
    bad_length: int = 0
    bad_flags: int = 0
    signature_rejected: int = 0
    truncated: int = 0  # datagrams that ended inside a frame


class FrameParser:
    """Split bytes into MAVLink frames, check them and pass good ones to a sink."""

    __slots__ = ("_buf", "_sink", "counters", "signing")

    def __init__(self, sink: FrameSink, signing: SigningState | None = None) -> None:
        self._sink = sink
        self._buf = b""
        self.counters = CodecCounters()
        self.signing = signing

    @property
    def buffered(self) -> int:
        """Bytes held back waiting for the rest of a frame (stream links only)."""
        return len(self._buf)

    def feed(self, data: bytes, peer: Hashable = None) -> None:
        """Take bytes from a stream link (TCP, serial); a partial frame waits for more."""
        self.counters.bytes_received += len(data)
        buf = self._buf + data if self._buf else data
        used, _ = self._scan(buf, peer, datagram=False)
        self._buf = buf[used:]

    def feed_datagram(self, data: bytes, peer: Hashable = None) -> None:
        """Take one datagram (UDP): frames never span datagrams, leftovers are dropped.

        A start byte whose frame would run past the datagram's end is not a frame: it is
        dropped and the scan goes on after it, so junk in front of a good frame (a stray
        start marker with a large length byte) does not take the good frame with it.
        """
        self.counters.bytes_received += len(data)
        _, cut_short = self._scan(data, peer, datagram=True)
        if cut_short:
            self.counters.truncated += 1

    def _scan(self, buf: bytes, peer: Hashable, *, datagram: bool) -> tuple[int, bool]:
        """Consume whole frames from ``buf``; return the bytes used and whether a frame was cut.

        On a stream an incomplete frame stops the scan (the rest follows); in a datagram it
        is skipped byte by byte like any other false start.
        """
        n = len(buf)
        i = 0
        view = memoryview(buf)
        specs = FRAME_SPECS
        crc = mcrf4xx
        sink = self._sink
        signing = self.signing
        c = self.counters
        cut_short = False
        while i < n:
            stx = buf[i]
            if stx == STX_V2:
                if n - i >= _HEADER_V2 + 2:
                    flags = buf[i + 2]
                    if flags & 0xFE:
                        c.bad_flags += 1
                        c.bytes_dropped += 1
                        i += 1
                        continue
                    signed = flags & 1
                    body_end = i + _HEADER_V2 + buf[i + 1]
                    end = body_end + 2 + (SIGNATURE_LEN if signed else 0)
                else:
                    end = n + 1
            elif stx == STX_V1:
                signed = 0
                body_end = i + _HEADER_V1 + buf[i + 1] if n - i >= _HEADER_V1 + 2 else n
                end = body_end + 2
            else:
                match = _STX_RE.search(buf, i + 1)
                j = match.start() if match is not None else n
                c.bytes_dropped += j - i
                i = j
                continue
            if end > n:  # the frame is not all here
                if not datagram:
                    break  # the rest follows on the stream
                cut_short = True
                c.bytes_dropped += 1
                i += 1
                continue
            if stx == STX_V2:
                msgid = buf[i + 7] | (buf[i + 8] << 8) | (buf[i + 9] << 16)
                payload_start = i + _HEADER_V2
            else:
                msgid = buf[i + 5]
                payload_start = i + _HEADER_V1
            plen = body_end - payload_start
            spec = specs.get(msgid)
            if spec is None:
                c.unknown_msgid += 1
                c.bytes_rejected += end - i
                i = end
                continue
            if crc(spec[0], crc(view[i + 1 : body_end])) != (
                buf[body_end] | (buf[body_end + 1] << 8)
            ):
                c.bad_crc += 1
                c.bytes_dropped += 1
                i += 1
                continue
            if plen > spec[1]:
                c.bad_length += 1
                c.bytes_rejected += end - i
                i = end
                continue
            if stx == STX_V2:
                sysid = buf[i + 5]
                compid = buf[i + 6]
                seq = buf[i + 4]
            else:
                sysid = buf[i + 3]
                compid = buf[i + 4]
                seq = buf[i + 2]
            if signing is not None and not signing.accept(
                view[i:end], bool(signed), msgid, sysid, compid
            ):
                c.signature_rejected += 1
                c.bytes_rejected += end - i
                i = end
                continue
            c.frames += 1
            c.bytes_accepted += end - i
            sink(sysid, compid, msgid, seq, buf[payload_start:body_end], peer)
            i = end
        return i, cut_short


class Encoder:
    """Pack outgoing messages for one link: one sequence counter, signing when a key is set."""

    def __init__(self, system_id: int, component_id: int) -> None:
        self._mav = mavlink.MAVLink(None, srcSystem=system_id, srcComponent=component_id)
        self._signing: SigningState | None = None
        self.frames_sent = 0
        self.bytes_sent = 0

    def set_signing(self, signing: SigningState | None) -> None:
        """Sign every following frame with this state's key (None: stop signing)."""
        self._signing = signing
        mav_signing = self._mav.signing
        if signing is None:
            mav_signing.secret_key = None
            mav_signing.sign_outgoing = False
        else:
            mav_signing.secret_key = signing.key
            mav_signing.link_id = signing.link_id
            mav_signing.sign_outgoing = True

    def encode(self, msg: mavlink.MAVLink_message) -> bytes:
        """Pack a message into a frame (MAVLink 2) and advance the sequence number."""
        mav = self._mav
        if self._signing is not None:
            mav.signing.timestamp = self._signing.next_timestamp()
        data: bytes = msg.pack(mav)
        if self._signing is not None:
            self._signing.timestamp = mav.signing.timestamp
        mav.seq = (mav.seq + 1) & 0xFF
        self.frames_sent += 1
        self.bytes_sent += len(data)
        return data
