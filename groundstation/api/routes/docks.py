"""Live docks (``/api/operations/docks``; registrations are ``/api/docks``): state and readings; maintenance mode and manual cover for maintenance (audited)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import BaseModel

from docks import Dock, DockError, DockState
from groundstation.api.deps import CurrentUser, StationDep, require_role
from groundstation.audit import record_audit
from groundstation.auth import Principal, Role
from groundstation.operations import Operations, dock_orgs, operations_of
from groundstation.station import Station

router = APIRouter(prefix="/operations/docks", tags=["operations"])

DockId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Operator = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.PILOT))]


class TransitionOut(BaseModel):
    """A recorded state change."""

    old: str
    new: str
    at: datetime
    reason: str


class DockOut(BaseModel):
    """A dock's description and live state."""

    dock_id: str
    name: str
    model: str
    lat_deg: float
    lon_deg: float
    drone_id: str | None
    state: str
    online: bool
    busy: bool
    max_wind_mps: float
    readings: dict[str, Any] | None
    transitions: list[TransitionOut] = []


class MaintenanceIn(BaseModel):
    """Take the dock out of service (on) or back (off)."""

    on: bool


class CoverIn(BaseModel):
    """Open or close the cover by hand (the dock must be in maintenance)."""

    action: Literal["open", "close"]


def _ops(station: Station) -> Operations:
    ops = operations_of(station)
    if ops is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no docks on this station")
    return ops


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.name.lower()
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def dock_out(dock: Dock, *, history: int = 0) -> DockOut:
    """API form of a live dock."""
    readings = dock.readings
    info = dock.info
    return DockOut(
        dock_id=info.dock_id, name=info.name, model=info.model, lat_deg=info.lat_deg,
        lon_deg=info.lon_deg, drone_id=info.drone_id, state=dock.state.value, online=dock.online,
        busy=dock.busy, max_wind_mps=info.max_wind_mps,
        readings=None if readings is None else {
            k: _plain(v) for k, v in dataclasses.asdict(readings).items()},
        transitions=[TransitionOut(old=t.old.value, new=t.new.value, at=t.at, reason=t.reason)
                     for t in list(dock.transitions)[-history:]] if history else [])


async def visible_docks(station: Station, user: Principal) -> dict[str, int | None]:
    """Dock id -> organisation id of the docks the user may see (unregistered: admins only)."""
    orgs = await station.db.run(dock_orgs)
    ops = _ops(station)
    out: dict[str, int | None] = {}
    for dock_id in ops.docks:
        owner = orgs.get(dock_id)
        if owner is None:
            if user.role is Role.ADMIN:
                out[dock_id] = None
        elif user.covers(owner[1]):
            out[dock_id] = owner[0]
    return out


async def live_dock(station: Station, dock_id: str, user: Principal) -> tuple[Dock, int | None]:
    ops = _ops(station)
    if dock_id not in ops.docks:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"dock {dock_id} not found")
    visible = await visible_docks(station, user)
    if dock_id not in visible:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"dock {dock_id} belongs to another organisation")
    return ops.docks[dock_id], visible[dock_id]


@router.get("")
async def list_live_docks(user: CurrentUser, station: StationDep) -> list[DockOut]:
    """The docks of the user's organisation subtree with their live state."""
    visible = await visible_docks(station, user)
    return [dock_out(d) for k, d in _ops(station).docks.items() if k in visible]


@router.get("/{dock_id}")
async def get_live_dock(dock_id: DockId, user: CurrentUser, station: StationDep) -> DockOut:
    """One dock with its readings and its last state changes."""
    dock, _ = await live_dock(station, dock_id, user)
    return dock_out(dock, history=50)


@router.get("/{dock_id}/readings")
async def readings(dock_id: DockId, user: CurrentUser, station: StationDep) -> dict[str, Any]:
    """The dock's latest readings (wind, rain, cover, drone, battery, power...)."""
    dock, _ = await live_dock(station, dock_id, user)
    return dock_out(dock).readings or {}


async def _audited(station: Station, user: Principal, org_id: int | None, dock_id: str,
                   action: str, params: dict[str, Any], result: str) -> None:
    await station.db.run(lambda s: record_audit(
        s, actor=user, action=action, target_type="dock", target_id=dock_id, params=params,
        result=result, org_id=org_id))


@router.post("/{dock_id}/maintenance")
async def maintenance(dock_id: DockId, body: MaintenanceIn, user: Operator,
                      station: StationDep) -> DockOut:
    """Take a dock out of service for maintenance, or put it back (admin, pilot)."""
    dock, org_id = await live_dock(station, dock_id, user)
    try:
        if body.on and dock.busy:
            raise DockError(f"dock {dock_id} is flying a sortie")
        dock.set_maintenance(body.on, f"maintenance {'on' if body.on else 'off'} by {user.username}")
    except DockError as exc:
        await _audited(station, user, org_id, dock_id, "dock.maintenance", {"on": body.on},
                       f"refused: {exc}")
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    await _audited(station, user, org_id, dock_id, "dock.maintenance", {"on": body.on}, "ok")
    return dock_out(dock)


@router.post("/{dock_id}/cover")
async def cover(dock_id: DockId, body: CoverIn, user: Operator, station: StationDep) -> DockOut:
    """Open or close a dock's cover by hand; only in maintenance (admin, pilot)."""
    dock, org_id = await live_dock(station, dock_id, user)
    params = {"action": body.action}
    if dock.state is not DockState.MAINTENANCE:
        await _audited(station, user, org_id, dock_id, "dock.cover", params,
                       f"refused: dock {dock.state.value}, not in maintenance")
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"dock {dock_id} is {dock.state.value}: put it in maintenance first")
    try:
        result = await (dock.open_cover() if body.action == "open" else dock.close_cover())
    except DockError as exc:
        await _audited(station, user, org_id, dock_id, "dock.cover", params, f"failed: {exc}")
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"dock {dock_id}: {exc}") from None
    await _audited(station, user, org_id, dock_id, "dock.cover", params,
                   f"ok (tid {result.tid})")
    return dock_out(dock)
