"""Flights and their telemetry logs: list, download the .tlog, replay it into the station."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from groundstation.api.deps import CurrentUser, StationDep, require_role
from groundstation.api.schemas import ORMModel, Problem
from groundstation.audit import record_audit
from groundstation.auth import Principal, Role
from groundstation.db import Flight, Organisation, VehicleRecord
from groundstation.flightlog import replay_tlog
from groundstation.mavlink import parse_endpoint

_log = logging.getLogger(__name__)
router = APIRouter(prefix="/flights", tags=["flights"])

FlightId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Replayer = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.PILOT))]


class FlightOut(ORMModel):
    """A flight (arm → disarm) and its log."""

    id: int
    system_id: int
    vehicle_id: int | None
    incident_id: int | None
    started_at: datetime
    ended_at: datetime | None
    end_reason: str
    frames: int
    size_bytes: int


class ReplayIn(BaseModel):
    """Play the log into one of the station's own UDP listening endpoints."""

    speed: float = Field(1.0, ge=0, le=100, allow_inf_nan=False, description="0: as fast as possible")
    endpoint: str | None = Field(None, max_length=100,
                                 description="a udpin: endpoint of the station (default: first)")


class ReplayStarted(BaseModel):
    """A replay has started."""

    flight_id: int
    endpoint: str
    speed: float


def _visible(user: Principal) -> ColumnElement[bool]:
    in_subtree = Flight.vehicle_id.in_(
        select(VehicleRecord.id).join(Organisation, Organisation.id == VehicleRecord.org_id)
        .where(user.subtree()))
    return or_(in_subtree, and_(Flight.vehicle_id.is_(None), _root_clause(user)))


def _root_clause(user: Principal) -> ColumnElement[bool]:
    return Flight.id.is_not(None) if user.is_root_admin else false()


def _get(session: Session, flight_id: int, user: Principal) -> Flight:
    row = session.scalar(select(Flight).where(Flight.id == flight_id, _visible(user)))
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"flight {flight_id} not found")
    return row


@router.get("")
async def list_flights(
    user: CurrentUser, station: StationDep,
    system_id: Annotated[int | None, Query(ge=0, le=255)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[FlightOut]:
    """Flights of vehicles in the user's subtree, newest first."""
    def read(session: Session) -> list[FlightOut]:
        stmt = select(Flight).where(_visible(user))
        if system_id is not None:
            stmt = stmt.where(Flight.system_id == system_id)
        rows = session.scalars(stmt.order_by(Flight.id.desc()).offset(offset).limit(limit))
        return [FlightOut.model_validate(r) for r in rows]
    return await station.db.run(read)


@router.get("/{flight_id}")
async def get_flight(flight_id: FlightId, user: CurrentUser, station: StationDep) -> FlightOut:
    """One flight."""
    return await station.db.run(lambda s: FlightOut.model_validate(_get(s, flight_id, user)))


@router.get("/{flight_id}/tlog", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}}},
                       404: {"model": Problem}})
async def download_tlog(flight_id: FlightId, user: CurrentUser, station: StationDep) -> FileResponse:
    """The flight's MAVLink telemetry log (.tlog: 8-byte big-endian µs timestamp + frame)."""
    flight = await station.db.run(lambda s: _get(s, flight_id, user))
    station.recorder.flush(flight.system_id)
    path = station.recorder.path_of(flight)
    if path is None or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "log file missing")
    return FileResponse(path, media_type="application/octet-stream",
                        filename=f"flight-{flight.id}-sys{flight.system_id}.tlog")


@router.post("/{flight_id}/replay", status_code=202,
             responses={409: {"model": Problem}, 422: {"model": Problem}})
async def replay(flight_id: FlightId, body: ReplayIn, user: Replayer, station: StationDep) -> ReplayStarted:
    """Replay the log into the station over one of its UDP listening endpoints (admin, pilot);
    refused while a vehicle with the same system id is live."""
    flight = await station.db.run(lambda s: _get(s, flight_id, user))
    own = [name for name in station.fleet.links if name.startswith("udpin:")]
    endpoint = body.endpoint or (own[0] if own else None)
    if endpoint is None or endpoint not in own:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"endpoint must be one of the station's udpin endpoints: {own}")
    live = station.fleet.vehicles.get(flight.system_id)
    if live is not None and not live.comm_lost:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"vehicle {flight.system_id} is live; replay would mix with it")
    path = station.recorder.path_of(flight)
    if path is None or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "log file missing")
    parsed = parse_endpoint(endpoint)
    host = "127.0.0.1" if parsed.host in ("0.0.0.0", "") else parsed.host

    def audit(session: Session) -> None:
        record_audit(session, actor=user, action="flight.replay", target_type="flight",
                     target_id=flight.id, result="started",
                     params={"endpoint": endpoint, "speed": body.speed})
    await station.db.run(audit)
    station.spawn(_replay(path, host, parsed.port, body.speed,
                          station.settings.mavlink.gcs_system_id), f"replay flight {flight.id}")
    return ReplayStarted(flight_id=flight.id, endpoint=endpoint, speed=body.speed)


async def _replay(path: FsPath, host: str, port: int, speed: float, gcs_id: int) -> None:
    result = await replay_tlog(path, host, port, speed=speed, skip_system_ids=frozenset({gcs_id}))
    _log.info("replayed %s: %d frames", path.name, result.frames_sent)
