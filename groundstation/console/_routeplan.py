"""Routes drawn on the console: build them with ``missions``, check them against the station's
zones and the drone's battery, and upload them to the drone (pilot, admin; audited)."""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from geofence import GeofenceError, GeoPoint, MissionType
from groundstation._exceptions import SafetyRefusal
from groundstation.api.deps import CurrentUser, StationDep, scoped_row
from groundstation.audit import record_audit
from groundstation.auth import Principal, Role
from groundstation.db import VehicleRecord
from groundstation.mavlink import Vehicle
from groundstation.station import Station
from missions import (
    Route,
    RouteError,
    ValidationResult,
    VehicleProfile,
    Waypoint,
    line_route,
    perimeter_route,
    sweep_route,
    validate,
    waypoint_route,
)

__all__ = ["RouteCheck", "RouteDraft", "routeplan_router"]

VehicleId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Point = tuple[Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)],
              Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]]
PLANNERS = (Role.PILOT, Role.ADMIN, Role.COMMANDER)
UPLOADERS = (Role.PILOT, Role.ADMIN)


class RouteDraft(BaseModel):
    """A route as drawn: clicked points, what they mean, and the altitude above home."""

    shape: Literal["waypoints", "polygon", "polyline"]
    pattern: Literal["sweep", "perimeter"] | None = None
    alt_m: float = Field(gt=0, le=1000, allow_inf_nan=False)
    points: list[Point] = Field(min_length=1, max_length=500)


class RouteCheck(BaseModel):
    """The validation result shown before upload."""

    ok: bool
    reasons: list[str]
    notes: list[str]
    items: int
    length_m: float | None
    duration_s: float | None
    path: list[tuple[int, float, float]] = Field(description="[item index, lat, lon] of each place")


def build_route(draft: RouteDraft, launch: GeoPoint) -> Route:
    """The mission the drawing describes, flown from ``launch`` (RouteError if it cannot be)."""
    points = [(lat, lon) for lat, lon in draft.points]
    if draft.shape == "waypoints":
        return waypoint_route(launch, [Waypoint(lat, lon, draft.alt_m) for lat, lon in points],
                              takeoff_alt_m=draft.alt_m)
    if draft.shape == "polyline":
        return line_route(launch, points, alt_m=draft.alt_m)
    if len(points) < 3:
        raise RouteError("an area needs at least 3 points")
    if draft.pattern == "perimeter":
        return perimeter_route(launch, points, alt_m=draft.alt_m)
    return sweep_route(launch, points, alt_m=draft.alt_m)


def _launch(vehicle: Vehicle) -> GeoPoint:
    s = vehicle.state
    if s.home.valid:
        return GeoPoint(s.home.lat_deg, s.home.lon_deg, s.home.alt_amsl_m)
    if math.isfinite(s.position.lat_deg) and math.isfinite(s.position.lon_deg):
        alt = s.position.alt_amsl_m if math.isfinite(s.position.alt_amsl_m) else 0.0
        return GeoPoint(s.position.lat_deg, s.position.lon_deg, alt)
    raise SafetyRefusal("vehicle position unknown", reasons=["no home or position yet"])


async def _check(station: Station, user: Principal, vehicle_id: int, draft: RouteDraft,
                 roles: tuple[Role, ...]) -> tuple[VehicleRecord, Vehicle, Route | None, RouteCheck]:
    user.check_role(*roles)
    row = await station.db.run(lambda s: scoped_row(s, VehicleRecord, vehicle_id, user, "vehicle"))
    vehicle = station.fleet.vehicles.get(row.system_id)
    if vehicle is None:
        raise SafetyRefusal(f"vehicle {vehicle_id} is not connected",
                            reasons=["vehicle offline: no live link"])
    launch = _launch(vehicle)
    try:
        route = build_route(draft, launch)
    except (RouteError, GeofenceError) as exc:
        return row, vehicle, None, RouteCheck(ok=False, reasons=[str(exc)], notes=[], items=0,
                                              length_m=None, duration_s=None, path=[])
    zones = await asyncio.to_thread(station.zones.zoneset)
    battery = vehicle.state.battery.remaining_pct
    result: ValidationResult = validate(
        route, zones=zones, profile=VehicleProfile(cruise_speed_mps=row.cruise_speed_mps),
        battery_pct=min(float(battery), 100.0) if battery is not None else 100.0)
    est = result.estimate
    path = [(n, i.x / 1e7, i.y / 1e7) for n, i in enumerate(route.items) if i.x or i.y]
    return row, vehicle, route, RouteCheck(
        ok=result.ok, reasons=[r.message for r in result.reasons], notes=list(result.notes),
        items=len(route.items), length_m=est.horizontal_m if est else None,
        duration_s=est.flight_time_s if est else None, path=path)


def routeplan_router() -> APIRouter:
    """``/vehicles/{id}/route/validate`` and ``/vehicles/{id}/route/upload``."""
    router = APIRouter(prefix="/vehicles", tags=["routes"])

    @router.post("/{vehicle_id}/route/validate")
    async def check_route(vehicle_id: VehicleId, body: RouteDraft, user: CurrentUser,
                          station: StationDep) -> RouteCheck:
        """Build the drawn route for this drone and list every reason it may not fly."""
        return (await _check(station, user, vehicle_id, body, PLANNERS))[3]

    @router.post("/{vehicle_id}/route/upload")
    async def upload_route(vehicle_id: VehicleId, body: RouteDraft, user: CurrentUser,
                           station: StationDep) -> RouteCheck:
        """Validate again and replace the drone's mission with the route (pilot, admin)."""
        row, vehicle, route, check = await _check(station, user, vehicle_id, body, UPLOADERS)

        def audit(result: str) -> None:
            def write(session: Session) -> None:
                record_audit(session, actor=user, action="vehicle.mission_upload",
                             target_type="vehicle", target_id=row.id, org_id=row.org_id,
                             result=result, params={"system_id": row.system_id,
                                                    "shape": body.shape, "items": check.items})
            station.db.run_sync(write)

        if route is None or not check.ok:
            await asyncio.to_thread(audit, "REFUSED_VALIDATION")
            raise SafetyRefusal("route refused", reasons=check.reasons)
        try:
            await vehicle.upload_plan(MissionType.MISSION, route.items)
        except Exception as exc:
            await asyncio.to_thread(audit, f"FAILED: {exc}")
            raise
        await asyncio.to_thread(audit, "ACCEPTED")
        return check

    return router
