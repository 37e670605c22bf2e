"""Records each flight (arm → disarm) of each vehicle as a .tlog and a ``Flight`` row.

The recorder taps every link of the fleet (bytes in and out), cuts the bytes into frames and
appends a vehicle's frames to its open flight log: frames it sent, and frames the station sent
to it or to everyone. Logs are flushed every ``tlog_flush_interval_s`` and synced when a flight
ends, so a station killed mid-flight keeps everything but the last moments; at the next start
:meth:`FlightRecorder.recover` closes such flights as ``interrupted``. A vehicle still armed
when the station comes back starts a new flight (its first HEARTBEAT reports it armed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation._waiting import within
from groundstation.config import Settings
from groundstation.db import Database, Flight, VehicleRecord, utc_now
from groundstation.events import ArmedChanged, EventBus
from groundstation.flightlog._tlog import (
    FrameSplitter,
    TlogWriter,
    frame_source,
    frame_target,
    read_tlog,
)
from groundstation.mavlink import Fleet
from groundstation.mavlink.links import Link

__all__ = ["FlightRecorder", "flight_log_dir"]

_log = logging.getLogger(__name__)
_LOG_DIR = "flightlogs"


def flight_log_dir(settings: Settings) -> Path:
    """The folder holding every flight log."""
    return (settings.data_dir / _LOG_DIR).resolve()


@dataclass(slots=True)
class _OpenFlight:
    flight_id: int
    writer: TlogWriter


class FlightRecorder:
    """Taps the fleet's links and keeps one open .tlog per armed vehicle."""

    def __init__(self, settings: Settings, db: Database, bus: EventBus) -> None:
        self._settings = settings
        self._db = db
        self._sub = bus.subscribe(ArmedChanged, maxsize=10000)
        self._open: dict[int, _OpenFlight] = {}
        self._tapped: set[str] = set()
        self.root = flight_log_dir(settings)

    # -- link taps ----------------------------------------------------------------------------

    def attach(self, fleet: Fleet) -> None:
        """Tap every link the fleet has open now (call again after adding endpoints)."""
        for name, link in fleet.links.items():
            if name not in self._tapped:
                self.attach_link(link)
                self._tapped.add(name)

    def attach_link(self, link: Link) -> None:
        """Record the frames that pass through one link, both ways."""
        incoming = FrameSplitter(datagram=link.datagram)
        receive: Callable[[bytes, Hashable], None] = link.on_receive
        send: Callable[[bytes, Hashable], None] = link.send

        def tapped_receive(data: bytes, peer: Hashable) -> None:
            if self._open:
                self._record_incoming(incoming.feed(data))
            elif not link.datagram:
                incoming.feed(data)
            receive(data, peer)

        def tapped_send(data: bytes, peer: Hashable = None) -> None:
            send(data, peer)
            if self._open:
                self._record_outgoing(data)

        link.on_receive = tapped_receive
        link.send = tapped_send  # type: ignore[method-assign]

    def _record_incoming(self, frames: list[bytes]) -> None:
        t_us = time.time_ns() // 1000
        for frame in frames:
            flight = self._open.get(frame_source(frame))
            if flight is not None:
                flight.writer.write(t_us, frame)

    def _record_outgoing(self, data: bytes) -> None:
        t_us = time.time_ns() // 1000
        for frame in FrameSplitter(datagram=True).feed(data):
            target = frame_target(frame)
            if target == 0:
                for flight in self._open.values():
                    flight.writer.write(t_us, frame)
            elif (flight := self._open.get(target)) is not None:
                flight.writer.write(t_us, frame)

    # -- flights ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Open and close flights on arm/disarm; flush logs periodically."""
        interval = self._settings.service.tlog_flush_interval_s
        try:
            while True:
                try:
                    event = await within(self._sub.get(), interval)
                except TimeoutError:
                    event = None
                if isinstance(event, ArmedChanged):
                    if event.armed:
                        await self._start(event.system_id, event.at)
                    else:
                        await self._finish(event.system_id, "disarmed")
                for flight in self._open.values():
                    flight.writer.flush()
        finally:
            self._sub.close()

    async def _start(self, system_id: int, at: datetime) -> None:
        if system_id in self._open:
            return
        stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")

        def create(session: Session) -> tuple[int, str]:
            vehicle_id = session.scalar(
                select(VehicleRecord.id).where(VehicleRecord.system_id == system_id)
            )
            flight = Flight(system_id=system_id, vehicle_id=vehicle_id, started_at=at,
                            tlog_path="")
            session.add(flight)
            session.flush()
            flight.tlog_path = f"{system_id}/{stamp}-{flight.id}.tlog"
            return flight.id, flight.tlog_path

        flight_id, rel = await self._db.run(create)
        self._open[system_id] = _OpenFlight(flight_id, TlogWriter(self.root / rel))
        _log.info("flight %d of vehicle %d started (%s)", flight_id, system_id, rel)

    async def _finish(self, system_id: int, reason: str) -> None:
        flight = self._open.pop(system_id, None)
        if flight is not None:
            flight.writer.close()
            await self._db.run(lambda s: self._store_end(s, flight, reason))

    @staticmethod
    def _store_end(session: Session, flight: _OpenFlight, reason: str) -> None:
        row = session.get(Flight, flight.flight_id)
        if row is not None:
            row.ended_at = utc_now()
            row.end_reason = reason
            row.frames = flight.writer.frames
            row.size_bytes = flight.writer.size_bytes

    def flush(self, system_id: int) -> None:
        """Push a vehicle's open log to the disk now (before it is downloaded)."""
        flight = self._open.get(system_id)
        if flight is not None:
            flight.writer.flush()

    def open_flights(self) -> dict[int, int]:
        """Flight id being recorded per system id."""
        return {sysid: f.flight_id for sysid, f in self._open.items()}

    def close_all(self, reason: str = "station_stopped") -> None:
        """Close every open log and flight (at shutdown; blocking)."""
        for system_id in list(self._open):
            flight = self._open.pop(system_id)
            flight.writer.close()
            self._db.run_sync(lambda s, f=flight: self._store_end(s, f, reason))

    async def recover(self) -> int:
        """Close flights a previous run left open (killed mid-flight); return how many."""
        return await self._db.run(self._recover)

    def _recover(self, session: Session) -> int:
        rows = session.scalars(select(Flight).where(Flight.ended_at.is_(None))).all()
        for row in rows:
            path = self.path_of(row)
            frames, size, last = 0, 0, row.started_at
            if path is not None and path.is_file():
                size = path.stat().st_size
                for record in read_tlog(path):
                    frames += 1
                    last = datetime.fromtimestamp(record.t_us / 1e6, UTC)
            row.ended_at = max(last, row.started_at)
            row.end_reason = "interrupted"
            row.frames = frames
            row.size_bytes = size
        return len(rows)

    def path_of(self, flight: Any) -> Path | None:
        """The log file of a flight row, or None when its stored path leaves the log folder."""
        path = (self.root / str(flight.tlog_path)).resolve()
        return path if path.is_relative_to(self.root) else None
