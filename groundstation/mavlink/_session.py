"""One open link inside the fleet: parser, encoder, signing and sequence-number bookkeeping.

:meth:`LinkSession.ingest` is the hot path after framing: it counts sequence gaps per
(system, component) stream for the packet-loss estimate and dispatches the frame by message id
to the vehicle with that system id. A HEARTBEAT from an unknown system id goes to the fleet,
which decides whether it is a new vehicle.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from groundstation.config import MavlinkSettings
from groundstation.events import EndpointStateChanged, Event
from groundstation.mavlink._codec import Encoder, FrameParser
from groundstation.mavlink._signing import SigningState
from groundstation.mavlink.links import Link

if TYPE_CHECKING:
    from groundstation.mavlink._vehicle import Vehicle

__all__ = ["LinkSession", "LinkStats"]

_log = logging.getLogger(__name__)


class FleetSink(Protocol):
    """What a session needs from the fleet."""

    vehicles: dict[int, Vehicle]

    def discover(
        self, session: LinkSession, peer: Hashable, sysid: int, compid: int, payload: bytes
    ) -> None:
        """A HEARTBEAT from a system id without a vehicle."""

    def publish(self, event: Event) -> None:
        """Publish an event on the bus."""


@dataclass(frozen=True, slots=True)
class LinkStats:
    """Counters of one link at one moment."""

    name: str
    up: bool
    signing: bool
    peers: int
    bytes_received: int
    bytes_accepted: int
    bytes_sent: int
    frames_received: int
    frames_sent: int
    frames_lost: int
    bad_crc: int
    unknown_msgid: int
    bad_length: int
    bytes_dropped: int
    bytes_rejected: int
    signature_rejected: int
    unsigned_rejected: int
    bad_signature: int
    replayed: int
    send_errors: int

    @property
    def loss_pct(self) -> float:
        """Frames lost (sequence gaps) as a percentage of frames expected."""
        expected = self.frames_received + self.frames_lost
        return 100.0 * self.frames_lost / expected if expected else 0.0


class LinkSession:
    """An open link with its codec, owned by the fleet."""

    def __init__(
        self,
        link: Link,
        link_id: int,
        fleet: FleetSink,
        settings: MavlinkSettings,
        signing_key: bytes | None = None,
    ) -> None:
        self.link = link
        self.name = link.name
        self.link_id = link_id
        self._fleet = fleet
        self._vehicles = fleet.vehicles
        self._settings = settings
        self.parser = FrameParser(self.ingest)
        self.encoder = Encoder(settings.gcs_system_id, settings.gcs_component_id)
        self.signing: SigningState | None = None
        self._last_seq: dict[int, int] = {}
        self._received: dict[int, int] = {}
        self._lost: dict[int, int] = {}
        self.frames_lost = 0
        self.set_signing(signing_key)
        link.bind(self.parser.feed_datagram if link.datagram else self.parser.feed, self._on_state)

    # -- ingest hot path ----------------------------------------------------------------------

    def ingest(
        self, sysid: int, compid: int, msgid: int, seq: int, payload: bytes, peer: Hashable
    ) -> None:
        """Account for one good frame and dispatch it to its vehicle."""
        key = (sysid << 8) | compid
        last_seq = self._last_seq
        last = last_seq.get(key)
        last_seq[key] = seq
        received = self._received
        received[key] = received.get(key, 0) + 1
        if last is not None:
            gap = (seq - last - 1) & 0xFF
            if gap and gap != 0xFF:  # 0xFF: the same frame again (duplicate), not a loss
                self._lost[key] = self._lost.get(key, 0) + gap
                self.frames_lost += gap
        vehicle = self._vehicles.get(sysid)
        if vehicle is None:
            if msgid == 0:
                self._fleet.discover(self, peer, sysid, compid, payload)
            return
        if msgid == 0:
            vehicle.on_heartbeat(self, peer, compid, payload)
        else:
            handler = vehicle.handlers.get(msgid)
            if handler is None:
                return
            handler(compid, payload)
        if vehicle._waiters:
            vehicle.check_waiters()

    def stream_counts(self, sysid: int, compid: int) -> tuple[int, int]:
        """Frames received and lost on this link from one (system, component)."""
        key = (sysid << 8) | compid
        return self._received.get(key, 0), self._lost.get(key, 0)

    # -- outgoing -----------------------------------------------------------------------------

    def send(self, msg: Any, peer: Hashable = None) -> None:
        """Encode and send a message to one peer (None: every peer of the link)."""
        self.link.send(self.encoder.encode(msg), peer)

    # -- signing ------------------------------------------------------------------------------

    @property
    def signing_key(self) -> bytes | None:
        """The key this link signs and checks with (None: no signing)."""
        return self.signing.key if self.signing is not None else None

    def set_signing(self, key: bytes | None) -> None:
        """Require and produce signatures with ``key`` on this link (None: stop)."""
        if key is None:
            self.signing = None
        elif self.signing is None or self.signing.key != key:
            previous = self.signing
            self.signing = SigningState(
                key,
                link_id=self.link_id,
                accept_unsigned_ids=frozenset(self._settings.signing_accept_unsigned_ids),
            )
            if previous is not None:
                self.signing.timestamp = max(self.signing.timestamp, previous.timestamp)
        self.parser.signing = self.signing
        self.encoder.set_signing(self.signing)

    # -- state --------------------------------------------------------------------------------

    def _on_state(self, up: bool, reason: str) -> None:
        self._fleet.publish(EndpointStateChanged(link=self.name, up=up, reason=reason))

    def stats(self) -> LinkStats:
        """Snapshot of this link's counters."""
        c = self.parser.counters
        s = self.signing
        return LinkStats(
            name=self.name,
            up=self.link.up,
            signing=s is not None,
            peers=len(self.link.peers),
            bytes_received=c.bytes_received,
            bytes_accepted=c.bytes_accepted,
            bytes_sent=self.link.bytes_sent,
            frames_received=c.frames,
            frames_sent=self.encoder.frames_sent,
            frames_lost=self.frames_lost,
            bad_crc=c.bad_crc,
            unknown_msgid=c.unknown_msgid,
            bad_length=c.bad_length,
            bytes_dropped=c.bytes_dropped,
            bytes_rejected=c.bytes_rejected,
            signature_rejected=c.signature_rejected,
            unsigned_rejected=s.unsigned_rejected if s else 0,
            bad_signature=s.bad_signature if s else 0,
            replayed=s.replayed if s else 0,
            send_errors=self.link.send_errors,
        )
