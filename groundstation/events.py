"""The station's one event bus and the typed events published on it.

Producers (the MAVLink fleet, later docks, dispatch and vision) call :meth:`EventBus.publish`,
which never blocks and never raises: every subscriber owns a bounded queue, and when a slow
subscriber's queue is full its oldest event is dropped and counted, so ingest keeps going.

    bus = EventBus()
    with bus.subscribe(ArmedChanged, ModeChanged) as sub:
        async for event in sub:
            ...

Events are frozen dataclasses with the UTC time they happened (``at``). Command events carry the
command's parameters and result so the service can write audit records from them.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

__all__ = [
    "ArmedChanged",
    "CommandCompleted",
    "CommandSent",
    "EndpointStateChanged",
    "Event",
    "EventBus",
    "LinkLost",
    "LinkRegained",
    "MissionProgress",
    "ModeChanged",
    "PlanTransferDone",
    "PlanTransferFailed",
    "StatusText",
    "Subscription",
    "SystemStatusChanged",
    "VehicleDiscovered",
    "VideoStreamAnnounced",
]

_log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event: when it happened (aware UTC)."""

    at: datetime = field(default_factory=_utc_now)


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleDiscovered(Event):
    """The first HEARTBEAT from an autopilot with a system id not seen before."""

    system_id: int
    component_id: int
    autopilot: str
    vehicle_type: str
    link: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkLost(Event):
    """No HEARTBEAT from a vehicle on one link within the link-lost timeout."""

    system_id: int
    link: str
    comm_lost: bool  # True when the vehicle has no live link left


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkRegained(Event):
    """A HEARTBEAT arrived again on a link that had been lost."""

    system_id: int
    link: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointStateChanged(Event):
    """A transport (TCP connection, serial device) went up or down."""

    link: str
    up: bool
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArmedChanged(Event):
    """The vehicle armed or disarmed."""

    system_id: int
    armed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ModeChanged(Event):
    """The vehicle's flight mode changed (names are the firmware's own)."""

    system_id: int
    mode: str
    previous: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemStatusChanged(Event):
    """HEARTBEAT system_status changed (MAV_STATE name without prefix, e.g. ``ACTIVE``)."""

    system_id: int
    status: str
    previous: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusText(Event):
    """A STATUSTEXT (reassembled when it came in chunks)."""

    system_id: int
    severity: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MissionProgress(Event):
    """Mission progress: current item and last item reached, as indices into the uploaded plan."""

    system_id: int
    current: int
    total: int
    reached: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandSent(Event):
    """A MAV_CMD went out to a vehicle (first attempt)."""

    system_id: int
    command: int
    command_name: str
    params: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandCompleted(Event):
    """A MAV_CMD finished: ``result`` is the MAV_RESULT name or ``TIMEOUT`` / ``COMM_LOST``."""

    system_id: int
    command: int
    command_name: str
    params: tuple[float, ...]
    result: str
    result_param2: int = 0
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """Whether the vehicle accepted the command."""
        return self.result == "ACCEPTED"


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoStreamAnnounced(Event):
    """A vehicle described a camera stream (MAVLink VIDEO_STREAM_INFORMATION)."""

    system_id: int
    component_id: int
    stream_number: int
    stream_type: int
    """MAVLink VIDEO_STREAM_TYPE: 0 RTSP, 1 RTP/UDP, 2 TCP MPEG, 3 MPEG-TS."""
    encoding: int
    """MAVLink VIDEO_STREAM_ENCODING: 0 unknown, 1 H.264, 2 H.265."""
    uri: str
    name: str
    running: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanTransferDone(Event):
    """A mission, fence or rally upload, download or clear succeeded."""

    system_id: int
    mission_type: str
    operation: str  # upload, download, clear
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanTransferFailed(Event):
    """A mission, fence or rally transfer failed (``result`` is the MAV_MISSION_RESULT name)."""

    system_id: int
    mission_type: str
    operation: str
    result: str
    message: str


class Subscription:
    """One subscriber's bounded queue of events; iterate it or call :meth:`get`."""

    def __init__(self, bus: EventBus, types: tuple[type[Event], ...], maxsize: int) -> None:
        self._bus = bus
        self.types = types
        self.maxsize = maxsize
        self._queue: collections.deque[Event] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self.dropped = 0
        self.closed = False

    def _offer(self, event: Event) -> None:
        if self.types and not isinstance(event, self.types):
            return
        if len(self._queue) >= self.maxsize:
            self._queue.popleft()
            self.dropped += 1
            self._bus.dropped += 1
        self._queue.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def get_nowait(self) -> Event | None:
        """Return the oldest queued event, or None when the queue is empty."""
        return self._queue.popleft() if self._queue else None

    def pending(self) -> int:
        """How many events are waiting in the queue."""
        return len(self._queue)

    async def get(self) -> Event:
        """Wait for and return the next event."""
        while not self._queue:
            if self.closed:
                raise EOFError("subscription closed")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._queue.popleft()

    async def wait_for(
        self, event_type: type[Event], predicate: object = None, *, timeout_s: float
    ) -> Event:
        """Wait (bounded) for the next event of a type that satisfies an optional predicate."""
        async with asyncio.timeout(timeout_s):
            while True:
                event = await self.get()
                if isinstance(event, event_type) and (
                    predicate is None or predicate(event)  # type: ignore[operator]
                ):
                    return event

    def close(self) -> None:
        """Stop receiving events and wake a pending :meth:`get`."""
        if not self.closed:
            self.closed = True
            self._bus._remove(self)
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            try:
                yield await self.get()
            except EOFError:
                return


class EventBus:
    """Fan-out of typed events to bounded subscriber queues; publishing never blocks."""

    def __init__(self, *, default_maxsize: int = 1000) -> None:
        self.default_maxsize = default_maxsize
        self._subscriptions: list[Subscription] = []
        self.published = 0
        self.dropped = 0

    def subscribe(self, *types: type[Event], maxsize: int | None = None) -> Subscription:
        """Open a subscription to the given event types (all events when none are given)."""
        size = self.default_maxsize if maxsize is None else maxsize
        if size < 1:
            raise ValueError("maxsize must be at least 1")
        sub = Subscription(self, types, size)
        self._subscriptions.append(sub)
        return sub

    def publish(self, event: Event) -> None:
        """Offer an event to every subscriber; a full queue drops its oldest event."""
        self.published += 1
        for sub in self._subscriptions:
            sub._offer(event)

    @property
    def subscriber_count(self) -> int:
        """How many subscriptions are open."""
        return len(self._subscriptions)

    def _remove(self, sub: Subscription) -> None:
        try:
            self._subscriptions.remove(sub)
        except ValueError:
            _log.debug("subscription already removed")
