"""One console's live stream: fleet telemetry at the client's pace, alerts and incident changes.

Messages (JSON objects, each with ``type``)::

    {"type": "hello", "user": ..., "role": ..., "interval_s": 1.0}
    {"type": "telemetry", "at": iso, "vehicles": [telemetry_of(...), ...]}   every interval_s
    {"type": "incident", "incident_id", "org_id", "change", "status", "summary", "at"}
    {"type": "alert", "kind": "link_lost" | "link_regained" | "status_text" | "command_failed",
     "system_id", "text", "at"}
    {"type": "alert", "kind": "black_flying", "incident_id", "detection_id", "new_incident",
     "system_id", "stream_id", "lat_deg", "lon_deg", "radius_m", "text", "at"}
    {"type": "vehicle", "kind": "armed" | "mode", "system_id", ..., "at"}
    {"type": "dropped", "count": n}        events lost because this client read too slowly

The client may send ``{"type": "set_interval", "interval_s": x}`` (clamped to the minimum).
Only vehicles and incidents of the user's organisation subtree are sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation._waiting import within
from groundstation.auth import Principal
from groundstation.blackfly import BlackFlyingAlert
from groundstation.db import Organisation, VehicleRecord
from groundstation.events import (
    ArmedChanged,
    CommandCompleted,
    Event,
    LinkLost,
    LinkRegained,
    ModeChanged,
    StatusText,
)
from groundstation.incidents import IncidentChanged
from groundstation.live._telemetry import telemetry_of
from groundstation.station import Station

__all__ = ["LiveSession"]

_log = logging.getLogger(__name__)
_SCOPE_REFRESH_S = 5.0
_MAX_WAIT_S = 0.25
_ALERT_SEVERITY = 4  # STATUSTEXT severities up to MAV_SEVERITY_WARNING are alerts

Send = Callable[[str], Awaitable[None]]
Receive = Callable[[], Awaitable[str]]


class LiveSession:
    """Feeds one authenticated WebSocket client until it goes away."""

    def __init__(self, station: Station, user: Principal, interval_s: float) -> None:
        self._station = station
        self._user = user
        settings = station.settings.service
        self._min_interval_s = settings.ws_min_interval_s
        self.interval_s = max(interval_s, self._min_interval_s)
        self._sub = station.bus.subscribe(
            IncidentChanged, LinkLost, LinkRegained, StatusText, CommandCompleted,
            ArmedChanged, ModeChanged, BlackFlyingAlert, maxsize=settings.ws_queue_size)
        self._reported_drops = 0
        self._vehicle_scope: set[int] = set()
        self._org_scope: set[int] = set()
        self._scope_loaded_s = -1e9
        self._registered: set[int] = set()
        self._next_tick_s = time.monotonic()
        self._see_unregistered = user.is_root_admin

    def _load_scope(self, session: Session) -> tuple[set[int], set[int]]:
        orgs = set(session.scalars(select(Organisation.id).where(
            self._user.subtree())))
        vehicles = set(session.scalars(select(VehicleRecord.system_id).where(
            VehicleRecord.org_id.in_(orgs)))) if orgs else set()
        return orgs, vehicles

    async def _refresh_scope(self) -> None:
        now = time.monotonic()
        if now - self._scope_loaded_s >= _SCOPE_REFRESH_S:
            self._org_scope, self._vehicle_scope = await self._station.db.run(self._load_scope)
            self._scope_loaded_s = now
            self._registered = await self._station.db.run(
                lambda s: set(s.scalars(select(VehicleRecord.system_id))))

    def _sees_vehicle(self, system_id: int) -> bool:
        if system_id in self._vehicle_scope:
            return True
        return self._see_unregistered and system_id not in self._registered

    def _telemetry(self) -> dict[str, Any]:
        vehicles = [telemetry_of(v) for sysid, v in sorted(self._station.fleet.vehicles.items())
                    if self._sees_vehicle(sysid)]
        return {"type": "telemetry", "at": _now_iso(), "vehicles": vehicles}

    def _message(self, event: Event) -> dict[str, Any] | None:
        at = event.at.isoformat()
        if isinstance(event, IncidentChanged):
            if event.org_id not in self._org_scope:
                return None
            return {"type": "incident", "incident_id": event.incident_id, "org_id": event.org_id,
                    "change": event.change, "status": event.status, "summary": event.summary,
                    "at": at}
        if isinstance(event, BlackFlyingAlert):
            if event.org_id not in self._org_scope:
                return None
            return {"type": "alert", "kind": "black_flying", "incident_id": event.incident_id,
                    "detection_id": event.detection_id, "new_incident": event.new_incident,
                    "system_id": event.seen_by_system_id, "stream_id": event.stream_id,
                    "lat_deg": event.lat_deg, "lon_deg": event.lon_deg,
                    "radius_m": event.radius_m, "text": event.text, "at": at}
        system_id = getattr(event, "system_id", None)
        if system_id is None or not self._sees_vehicle(system_id):
            return None
        if isinstance(event, LinkLost):
            return {"type": "alert", "kind": "link_lost", "system_id": system_id,
                    "text": f"link {event.link} lost" + (" (comm lost)" if event.comm_lost else ""),
                    "at": at}
        if isinstance(event, LinkRegained):
            return {"type": "alert", "kind": "link_regained", "system_id": system_id,
                    "text": f"link {event.link} back", "at": at}
        if isinstance(event, StatusText):
            if event.severity > _ALERT_SEVERITY:
                return None
            return {"type": "alert", "kind": "status_text", "system_id": system_id,
                    "severity": event.severity, "text": event.text, "at": at}
        if isinstance(event, CommandCompleted):
            if event.ok:
                return None
            return {"type": "alert", "kind": "command_failed", "system_id": system_id,
                    "text": f"{event.command_name}: {event.result}", "at": at}
        if isinstance(event, ArmedChanged):
            return {"type": "vehicle", "kind": "armed", "system_id": system_id,
                    "armed": event.armed, "at": at}
        if isinstance(event, ModeChanged):
            return {"type": "vehicle", "kind": "mode", "system_id": system_id,
                    "mode": event.mode, "previous": event.previous, "at": at}
        return None

    async def run(self, send: Send, receive: Receive) -> None:
        """Stream until the client disconnects (``receive`` raises) or the station stops."""
        try:
            await self._refresh_scope()
            await send(json.dumps({"type": "hello", "user": self._user.username,
                                   "role": self._user.role.value, "interval_s": self.interval_s}))
            async with asyncio.TaskGroup() as group:
                reader = group.create_task(self._read(receive), name="ws read")
                group.create_task(self._write(send, reader), name="ws write")
        finally:
            self._sub.close()

    async def _read(self, receive: Receive) -> None:
        while True:
            text = await receive()
            try:
                message = json.loads(text)
                if message.get("type") == "set_interval":
                    self.interval_s = max(float(message["interval_s"]), self._min_interval_s)
                    self._next_tick_s = min(self._next_tick_s, time.monotonic() + self.interval_s)
            except (ValueError, TypeError, KeyError, AttributeError):
                _log.debug("ignored a malformed client message")

    async def _write(self, send: Send, reader: asyncio.Task[None]) -> None:
        self._next_tick_s = time.monotonic()
        while not reader.done():
            # wake at least every _MAX_WAIT_S so a new interval from the client takes effect
            timeout = min(_MAX_WAIT_S, max(0.0, self._next_tick_s - time.monotonic()))
            event: Event | None = None
            with contextlib.suppress(TimeoutError):
                event = await within(self._sub.get(), timeout)
            if event is not None:
                message = self._message(event)
                if message is not None:
                    await send(json.dumps(message))
            dropped = self._sub.dropped - self._reported_drops
            if dropped:
                self._reported_drops += dropped
                await send(json.dumps({"type": "dropped", "count": dropped}))
            if time.monotonic() >= self._next_tick_s:
                await self._refresh_scope()
                await send(json.dumps(self._telemetry()))
                self._next_tick_s = time.monotonic() + self.interval_s


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()
