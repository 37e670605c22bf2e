"""The fleet: every link, every vehicle (one per system id), the GCS heartbeat and link watch."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Hashable, Mapping
from time import monotonic
from types import MappingProxyType, TracebackType
from typing import Any, Self

from groundstation._exceptions import LinkError
from groundstation._waiting import within
from groundstation.config import MavlinkSettings
from groundstation.events import Event, EventBus, VehicleDiscovered
from groundstation.mavlink._dialect import enum_name, mavlink
from groundstation.mavlink._session import LinkSession, LinkStats
from groundstation.mavlink._signing import parse_key
from groundstation.mavlink._vehicle import HEARTBEAT, Vehicle
from groundstation.mavlink.links import Link, create_link, parse_endpoint

__all__ = ["Fleet"]

_log = logging.getLogger(__name__)

# HEARTBEAT types that are not vehicles (ground stations, companions, payloads, ...).
_NOT_VEHICLES = frozenset(
    {
        mavlink.MAV_TYPE_GCS,
        mavlink.MAV_TYPE_ONBOARD_CONTROLLER,
        mavlink.MAV_TYPE_GIMBAL,
        mavlink.MAV_TYPE_ADSB,
        mavlink.MAV_TYPE_CAMERA,
        mavlink.MAV_TYPE_CHARGING_STATION,
        mavlink.MAV_TYPE_FLARM,
        mavlink.MAV_TYPE_SERVO,
        mavlink.MAV_TYPE_ODID,
        mavlink.MAV_TYPE_LOG,
        mavlink.MAV_TYPE_OSD,
        mavlink.MAV_TYPE_IMU,
        mavlink.MAV_TYPE_GPS,
        mavlink.MAV_TYPE_WINCH,
    }
)


class Fleet:
    """Opens the configured endpoints and keeps one :class:`Vehicle` per system id.

    Use as ``async with Fleet(settings, bus) as fleet:``. Inside, the fleet sends the GCS
    HEARTBEAT on every link at ``heartbeat_interval_s`` and checks every vehicle's links every
    ``link_check_interval_s``.
    """

    def __init__(self, settings: MavlinkSettings, bus: EventBus) -> None:
        self.settings = settings
        self.bus = bus
        self.vehicles: dict[int, Vehicle] = {}
        self._sessions: dict[str, LinkSession] = {}
        self._next_link_id = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._discovery: dict[int, list[asyncio.Future[Vehicle]]] = {}
        self._open = False
        self.ignored_heartbeats = 0

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._open:
            raise RuntimeError("fleet already open")
        self._open = True
        try:
            for endpoint in self.settings.endpoints:
                await self.add_endpoint(endpoint)
        except BaseException:
            await self.aclose()
            raise
        self.spawn(self._heartbeat_loop(), "fleet gcs heartbeat")
        self.spawn(self._link_watch_loop(), "fleet link watch")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop background work and close every link."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for session in list(self._sessions.values()):
            await session.link.aclose()
        self._sessions.clear()
        for waiters in self._discovery.values():
            for fut in waiters:
                if not fut.done():
                    fut.cancel()
        self._discovery.clear()
        self._open = False

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run a background coroutine owned by the fleet (cancelled on close; errors logged)."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.error("background task %r failed", task.get_name(), exc_info=task.exception())

    # -- endpoints ----------------------------------------------------------------------------

    async def add_endpoint(self, endpoint: str, *, signing_key: bytes | str | None = None) -> Link:
        """Open one more endpoint (``udpin:``, ``udpout:``, ``tcp:``, ``serial:``) and return its link.

        A key (32 bytes or 64 hex digits) makes the link sign everything it sends and reject
        unsigned or badly signed frames; without one, ``settings.signing_keys`` is consulted.
        """
        parsed = parse_endpoint(endpoint)
        if parsed.text in self._sessions:
            raise LinkError(f"endpoint {parsed.text!r} is already open")
        if signing_key is None and parsed.text in self.settings.signing_keys:
            signing_key = self.settings.signing_keys[parsed.text].get_secret_value()
        key = parse_key(signing_key) if signing_key is not None else None
        link = create_link(parsed, self.settings)
        session = LinkSession(link, self._next_link_id & 0xFF, self, self.settings, key)
        self._next_link_id += 1
        await link.open()
        self._sessions[parsed.text] = session
        return link

    async def remove_endpoint(self, endpoint: str) -> None:
        """Close one endpoint; vehicles heard only there will be reported lost."""
        session = self._sessions.pop(parse_endpoint(endpoint).text, None)
        if session is None:
            raise LinkError(f"endpoint {endpoint!r} is not open")
        await session.link.aclose()

    @property
    def links(self) -> Mapping[str, Link]:
        """Open links by endpoint string."""
        return MappingProxyType({name: s.link for name, s in self._sessions.items()})

    def link_stats(self) -> dict[str, LinkStats]:
        """Counters of every open link."""
        return {name: s.stats() for name, s in self._sessions.items()}

    def set_link_signing(self, endpoint: str, key: bytes | str | None) -> None:
        """Require (key) or stop requiring (None) signing on an open link."""
        session = self._sessions.get(parse_endpoint(endpoint).text)
        if session is None:
            raise LinkError(f"endpoint {endpoint!r} is not open")
        session.set_signing(parse_key(key) if key is not None else None)

    # -- vehicles -----------------------------------------------------------------------------

    def publish(self, event: Event) -> None:
        """Publish on the fleet's bus."""
        self.bus.publish(event)

    def discover(
        self, session: LinkSession, peer: Hashable, sysid: int, compid: int, payload: bytes
    ) -> None:
        """Create a vehicle for an autopilot HEARTBEAT from a new system id."""
        _custom_mode, mav_type, autopilot, _base_mode, _status = HEARTBEAT.unpack(payload)
        if (
            autopilot == mavlink.MAV_AUTOPILOT_INVALID
            or mav_type in _NOT_VEHICLES
            or sysid == self.settings.gcs_system_id
        ):
            self.ignored_heartbeats += 1
            return
        vehicle = Vehicle(
            system_id=sysid,
            component_id=compid,
            autopilot=autopilot,
            vehicle_type=mav_type,
            settings=self.settings,
            bus=self.bus,
            spawn=self.spawn,
        )
        self.vehicles[sysid] = vehicle
        _log.info(
            "vehicle %d discovered on %s (%s %s)",
            sysid,
            session.name,
            enum_name("MAV_AUTOPILOT", autopilot),
            enum_name("MAV_TYPE", mav_type),
        )
        self.bus.publish(
            VehicleDiscovered(
                system_id=sysid,
                component_id=compid,
                autopilot=vehicle.state.autopilot,
                vehicle_type=vehicle.state.vehicle_type,
                link=session.name,
            )
        )
        vehicle.on_heartbeat(session, peer, compid, payload)
        for fut in self._discovery.pop(sysid, ()):
            if not fut.done():
                fut.set_result(vehicle)
        vehicle.start_initial_requests()

    async def wait_for_vehicle(self, sysid: int, timeout_s: float) -> Vehicle:
        """Return the vehicle with a system id, waiting for its first heartbeat (TimeoutError)."""
        vehicle = self.vehicles.get(sysid)
        if vehicle is not None:
            return vehicle
        fut: asyncio.Future[Vehicle] = asyncio.get_running_loop().create_future()
        self._discovery.setdefault(sysid, []).append(fut)
        try:
            return await within(fut, timeout_s)
        finally:
            waiters = self._discovery.get(sysid)
            if waiters is not None and fut in waiters:
                waiters.remove(fut)

    # -- background loops ---------------------------------------------------------------------

    def _gcs_heartbeat(self) -> Any:
        return mavlink.MAVLink_heartbeat_message(
            mavlink.MAV_TYPE_GCS,
            mavlink.MAV_AUTOPILOT_INVALID,
            0,
            0,
            mavlink.MAV_STATE_ACTIVE,
            3,
        )

    def send_heartbeats(self) -> None:
        """Send the GCS HEARTBEAT once on every link (to every peer of a UDP listener)."""
        msg = self._gcs_heartbeat()
        for session in list(self._sessions.values()):
            try:
                session.send(msg, None)
            except (OSError, LinkError) as exc:
                _log.warning("heartbeat on %s failed: %s", session.name, exc)

    async def _heartbeat_loop(self) -> None:
        while True:
            self.send_heartbeats()
            await asyncio.sleep(self.settings.heartbeat_interval_s)

    async def _link_watch_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.link_check_interval_s)
            now = monotonic()
            for vehicle in list(self.vehicles.values()):
                vehicle.check_links(now)
