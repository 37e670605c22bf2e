"""MAVLink 2 message signing (mavlink.io/en/guide/message_signing.html) for one link.

A signed frame carries 13 extra bytes: link id (1), timestamp (6, units of 10 µs since
2015-01-01 UTC) and the first 6 bytes of SHA-256(key + header + payload + CRC + link id +
timestamp). An incoming signed frame is accepted when its signature matches and its timestamp
is newer than the last one seen on the same (link id, system, component) stream; a stream not
seen before is accepted when its timestamp is at most one minute behind ours. Unsigned frames
are rejected on a link that requires signing, except for message ids explicitly allowed.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

__all__ = ["SIGNATURE_LEN", "SigningState", "parse_key", "signing_timestamp_now"]

SIGNATURE_LEN = 13
_EPOCH_2015_S = 1420070400  # 2015-01-01T00:00:00Z
_NEW_STREAM_WINDOW = 6_000_000  # one minute in 10 µs units


def signing_timestamp_now() -> int:
    """The current signing timestamp: 10 µs units since 2015-01-01 UTC."""
    return int((time.time() - _EPOCH_2015_S) * 100_000)


def parse_key(key: bytes | str) -> bytes:
    """Accept a 32-byte key or 64 hex digits; raise ValueError otherwise."""
    if isinstance(key, str):
        try:
            key = bytes.fromhex(key.strip())
        except ValueError as exc:
            raise ValueError("signing key must be 64 hexadecimal digits") from exc
    if len(key) != 32:
        raise ValueError("signing key must be 32 bytes")
    return key


@dataclass(slots=True)
class SigningState:
    """Key, timestamps and counters of signing on one link."""

    key: bytes
    link_id: int = 0
    accept_unsigned_ids: frozenset[int] = frozenset()
    timestamp: int = field(default_factory=signing_timestamp_now)
    streams: dict[int, int] = field(default_factory=dict)
    good: int = 0
    bad_signature: int = 0
    replayed: int = 0
    unsigned_rejected: int = 0
    unsigned_accepted: int = 0

    def accept(self, frame: memoryview, signed: bool, msgid: int, sysid: int, compid: int) -> bool:
        """Check one complete frame (header to signature); count and return whether to act on it."""
        if not signed:
            if msgid in self.accept_unsigned_ids:
                self.unsigned_accepted += 1
                return True
            self.unsigned_rejected += 1
            return False
        link_id = frame[-13]
        ts = int.from_bytes(frame[-12:-6], "little")
        stream = (link_id << 16) | (sysid << 8) | compid
        last = self.streams.get(stream)
        if last is not None:
            if ts <= last:
                self.replayed += 1
                return False
        elif ts + _NEW_STREAM_WINDOW < self.timestamp:
            self.replayed += 1
            return False
        digest = hashlib.sha256(self.key)
        digest.update(frame[:-6])
        if digest.digest()[:6] != frame[-6:]:
            self.bad_signature += 1
            return False
        self.streams[stream] = ts
        self.timestamp = max(self.timestamp, ts)
        self.good += 1
        return True

    def next_timestamp(self) -> int:
        """Timestamp for the next outgoing frame: never behind the clock, always increasing."""
        ts = max(self.timestamp + 1, signing_timestamp_now())
        self.timestamp = ts
        return ts

    @property
    def rejected(self) -> int:
        """Frames rejected for signing reasons (unsigned, bad signature, old timestamp)."""
        return self.unsigned_rejected + self.bad_signature + self.replayed
