"""The station's own checks before a command goes to a vehicle: link, battery, zones."""

from __future__ import annotations

import math

from geofence import GeofenceError, Violation, ViolationKind, ZoneSet
from groundstation.control._specs import CommandSpec, Target
from groundstation.mavlink import Vehicle

__all__ = ["safety_reasons"]



def _blocks(v: Violation) -> bool:
    """Every breach blocks; a margin warning only when it guards a no-fly zone."""
    return v.kind is not ViolationKind.WITHIN_MARGIN or v.margin_kind is ViolationKind.INSIDE_NO_FLY


def _battery_reasons(vehicle: Vehicle, min_pct: float) -> list[str]:
    remaining = vehicle.state.battery.remaining_pct
    if remaining is not None and remaining < min_pct:
        return [f"battery {remaining}% is below the {min_pct:g}% needed for this command"]
    return []


def _home_amsl(vehicle: Vehicle) -> float | None:
    alt = vehicle.state.home.alt_amsl_m
    return alt if math.isfinite(alt) else None


def _zone_reasons(zones: ZoneSet, points: list[tuple[float, float, float]], margin_m: float,
                  home_amsl_m: float | None) -> list[str]:
    if not len(zones):
        return []
    try:
        if len(points) == 1:
            found = zones.check_point(points[0], margin_m=margin_m, home_amsl_m=home_amsl_m)
        else:
            found = zones.check_route(points, margin_m=margin_m, home_amsl_m=home_amsl_m)
    except GeofenceError as exc:
        return [f"cannot check zones there: {exc}"]
    return [v.describe() for v in found if _blocks(v)]


def _amsl(vehicle: Vehicle, alt_m: float | None) -> float:
    home = _home_amsl(vehicle) or 0.0
    if alt_m is not None:
        return home + alt_m
    current = vehicle.state.position.alt_amsl_m
    return current if math.isfinite(current) else home


def safety_reasons(
    spec: CommandSpec,
    body: object,
    vehicle: Vehicle,
    zones: ZoneSet,
    *,
    min_battery_pct: float,
    margin_m: float,
) -> list[str]:
    """Why the station refuses to send this command now (empty: it may go)."""
    reasons: list[str] = []
    if spec.needs_battery:
        reasons += _battery_reasons(vehicle, min_battery_pct)
    pos = vehicle.state.position
    here_known = math.isfinite(pos.lat_deg) and math.isfinite(pos.lon_deg)
    home = _home_amsl(vehicle)
    if spec.climbs_here and here_known:
        alt = getattr(body, "alt_m", None)
        reasons += _zone_reasons(zones, [(pos.lat_deg, pos.lon_deg, _amsl(vehicle, alt))],
                                 margin_m, home)
    if spec.target is not None:
        target: Target = spec.target(body)
        alt = _amsl(vehicle, target.alt_m)
        centre = (target.lat_deg, target.lon_deg, alt)
        reasons += _zone_reasons(zones, [centre], margin_m + target.radius_m, home)
        if here_known and not reasons:
            start = (pos.lat_deg, pos.lon_deg, _amsl(vehicle, None))
            reasons += _zone_reasons(zones, [start, centre], margin_m, home)
    return reasons
