"""The zone check of a launch route, backed by ``geofence`` (a ``RouteChecker``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from docks._clock import Clock
from docks._model import DockInfo
from docks._preflight import NAV_COMMANDS, LegChecker, RouteChecker
from geofence import GeoPoint, MavCmd, MavFrame, MissionItem, ViolationKind, ZoneSet

ABSOLUTE_FRAMES = frozenset({MavFrame.GLOBAL, MavFrame.GLOBAL_INT})


def route_points(dock: DockInfo, items: Sequence[MissionItem]) -> list[GeoPoint]:
    """The whole flight as AMSL waypoints: up from the dock, the route, and back over the dock."""
    lat, lon = dock.landing_point
    points = [GeoPoint(lat, lon, dock.alt_m)]
    alt_amsl = dock.alt_m
    for item in items:
        alt_amsl = item.z if item.frame in ABSOLUTE_FRAMES else dock.alt_m + item.z
        if item.command == MavCmd.NAV_TAKEOFF:
            points.append(GeoPoint(points[-1].lat_deg, points[-1].lon_deg, alt_amsl))
        elif item.command in NAV_COMMANDS and (item.x or item.y):
            points.append(GeoPoint(item.lat_deg, item.lon_deg, alt_amsl))
    points.append(GeoPoint(lat, lon, alt_amsl))
    return points


def leg_checker(zones: ZoneSet | Callable[[], ZoneSet], *, clock: Clock | None = None) -> LegChecker:
    """A leg checker over a zone set (or a callable giving the zones as they are now)."""

    def check(start: tuple[float, float], end: tuple[float, float], alt_amsl_m: float,
              home_amsl_m: float) -> list[str]:
        current = zones() if callable(zones) else zones
        violations = current.check_route(
            [GeoPoint(*start, alt_amsl_m), GeoPoint(*end, alt_amsl_m)],
            at=clock.now() if clock is not None else None, home_amsl_m=home_amsl_m)
        return [v.describe() for v in violations if v.kind is not ViolationKind.WITHIN_MARGIN]

    return check


def zone_checker(zones: ZoneSet, *, clock: Clock | None = None, margin_m: float = 0.0) -> RouteChecker:
    """A route checker refusing routes (out and back) that break a zone at launch time."""

    def check(dock: DockInfo, items: Sequence[MissionItem]) -> list[str]:
        violations = zones.check_route(
            route_points(dock, items), margin_m=margin_m,
            at=clock.now() if clock is not None else None, home_amsl_m=dock.alt_m,
        )
        return [v.describe() for v in violations if v.kind is not ViolationKind.WITHIN_MARGIN]

    return check
