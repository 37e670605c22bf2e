"""Route kinds a pilot asks for, built into mission items both autopilot families fly.

Every route starts with NAV_TAKEOFF at the launch point and ends with NAV_RETURN_TO_LAUNCH or
NAV_LAND at a named dock. Altitudes (``alt_m``) are metres above home (the launch point);
positions are WGS84 degrees. Items never include ArduPilot's home slot: the station's plan
upload adds it for that family. Laps and repeats are unrolled rather than flown with DO_JUMP,
whose target numbers differ between the families.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from geofence import GeoPoint, LocalProjection, MissionItem
from missions import _geometry as geo
from missions import _items as it
from missions._exceptions import RouteError
from missions._geometry import Camera

LatLon = tuple[float, float]

MAX_ITEMS = 5000
"""Largest route built; bigger ones are refused as a mistake in the parameters."""


class RouteKind(StrEnum):
    """What a route does."""

    WAYPOINTS = "waypoints"
    PERIMETER = "perimeter"
    LINE = "line"
    SWEEP = "sweep"
    ORBIT = "orbit"
    OVERWATCH = "overwatch"
    IMPORTED = "imported"


class EndAction(StrEnum):
    """How a route ends."""

    RTL = "rtl"
    LAND = "land"


class OrbitStyle(StrEnum):
    """How an orbit is flown: a ring of waypoints (both families circle) or NAV_LOITER_TURNS
    (ArduPilot circles; PX4 multicopters hold at the centre instead)."""

    WAYPOINT_RING = "waypoint_ring"
    LOITER_TURNS = "loiter_turns"


@dataclass(frozen=True, slots=True)
class DockPoint:
    """A named landing point (a dock or pad)."""

    name: str
    lat_deg: float
    lon_deg: float


@dataclass(frozen=True, slots=True)
class RouteEnd:
    """Return to launch (default) or land at a named dock."""

    action: EndAction = EndAction.RTL
    dock: DockPoint | None = None

    def __post_init__(self) -> None:
        if self.action is EndAction.LAND and self.dock is None:
            raise RouteError("landing at the end of a route needs the dock to land at")

    @classmethod
    def rtl(cls) -> RouteEnd:
        """Return to launch and land there."""
        return cls(EndAction.RTL)

    @classmethod
    def land_at(cls, dock: DockPoint) -> RouteEnd:
        """Fly to a dock and land on it."""
        return cls(EndAction.LAND, dock)


@dataclass(frozen=True, slots=True)
class Waypoint:
    """A place to fly to: altitude above home, optional ground speed for the leg to it, hold."""

    lat_deg: float
    lon_deg: float
    alt_m: float
    speed_mps: float | None = None
    hold_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Route:
    """A built route: its mission items and how it was made (``params``: spacing, offsets...)."""

    kind: RouteKind
    name: str
    launch: GeoPoint
    """Launch point; ``alt_m`` is the ground altitude there, metres above mean sea level."""
    items: tuple[MissionItem, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    projection: LocalProjection | None = field(default=None, compare=False, repr=False)
    """The metric projection the route was built in (reused by validation and tracking)."""


# -- checks ------------------------------------------------------------------------------------

def _positive(value: float, name: str) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise RouteError(f"{name} {value!r} must be a positive number")
    return float(value)


def _non_negative(value: float, name: str) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise RouteError(f"{name} {value!r} must be a number >= 0")
    return float(value)


def _place(lat: float, lon: float, what: str) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise RouteError(f"{what} ({lat}, {lon}) is not a WGS84 latitude/longitude")


def _launch(launch: GeoPoint, projection: LocalProjection | None) -> LocalProjection:
    _place(launch.lat_deg, launch.lon_deg, "launch point")
    if not math.isfinite(launch.alt_m):
        raise RouteError(f"launch ground altitude {launch.alt_m} is not finite")
    if projection is None:
        return geo.projection_for(launch.lat_deg, launch.lon_deg)
    if not projection.covers(launch.lat_deg, launch.lon_deg)[0]:
        raise RouteError("the launch point is outside the projection given")
    return projection


def _laps(laps: int) -> int:
    if isinstance(laps, bool) or not isinstance(laps, int) or laps < 1:
        raise RouteError(f"laps {laps!r} must be a whole number >= 1")
    return laps


def _in_projection(proj: LocalProjection, points: Sequence[LatLon], what: str,
                   indexed: bool = True) -> list[geo.XY]:
    for i, (lat, lon) in enumerate(points):
        _place(lat, lon, f"{what} {i}" if indexed else what)
    try:
        return geo.to_xy(proj, points)
    except ValueError as exc:
        raise RouteError(f"{what}: {exc}") from exc


# -- assembly ----------------------------------------------------------------------------------

def _end_items(end: RouteEnd) -> list[MissionItem]:
    if end.action is EndAction.RTL:
        return [it.return_to_launch()]
    dock = end.dock
    assert dock is not None
    _place(dock.lat_deg, dock.lon_deg, f"dock {dock.name!r}")
    return [it.land(dock.lat_deg, dock.lon_deg)]


def _assemble(kind: RouteKind, name: str, launch: GeoPoint, takeoff_alt_m: float,
              body: list[MissionItem], end: RouteEnd, speed_mps: float | None,
              params: dict[str, Any], proj: LocalProjection) -> Route:
    items = [it.takeoff(launch.lat_deg, launch.lon_deg, _positive(takeoff_alt_m, "takeoff alt_m"))]
    if speed_mps is not None:
        items.append(it.change_speed(_positive(speed_mps, "speed_mps")))
    items += body
    items += _end_items(end)
    if len(items) > MAX_ITEMS:
        raise RouteError(f"route has {len(items)} items, more than {MAX_ITEMS}: check its parameters")
    params = {**params, "end": end.action.value}
    if end.dock is not None:
        params["dock"] = end.dock.name
    return Route(kind, name or kind.value, launch, tuple(items), params, proj)


def _legs(points: Sequence[LatLon], alt_m: float) -> list[MissionItem]:
    return [it.waypoint(lat, lon, alt_m) for lat, lon in points]


# -- builders ----------------------------------------------------------------------------------

def waypoint_route(launch: GeoPoint, waypoints: Sequence[Waypoint], *,
                   takeoff_alt_m: float | None = None, speed_mps: float | None = None,
                   end: RouteEnd = RouteEnd(), name: str = "",
                   projection: LocalProjection | None = None) -> Route:
    """Fly a list of waypoints, each with its own altitude, leg speed and hold time."""
    proj = _launch(launch, projection)
    if not waypoints:
        raise RouteError("a waypoint route needs at least one waypoint")
    _in_projection(proj, [(wp.lat_deg, wp.lon_deg) for wp in waypoints], "waypoint")
    body: list[MissionItem] = []
    speed = speed_mps
    for i, wp in enumerate(waypoints):
        _place(wp.lat_deg, wp.lon_deg, f"waypoint {i}")
        _positive(wp.alt_m, f"waypoint {i} alt_m")
        _non_negative(wp.hold_s, f"waypoint {i} hold_s")
        if wp.speed_mps is not None and wp.speed_mps != speed:
            body.append(it.change_speed(_positive(wp.speed_mps, f"waypoint {i} speed_mps")))
            speed = wp.speed_mps
        body.append(it.waypoint(wp.lat_deg, wp.lon_deg, wp.alt_m, wp.hold_s))
    alt = waypoints[0].alt_m if takeoff_alt_m is None else takeoff_alt_m
    return _assemble(RouteKind.WAYPOINTS, name, launch, alt, body, end, speed_mps,
                     {"waypoints": len(waypoints)}, proj)


def perimeter_route(launch: GeoPoint, polygon: Sequence[LatLon], *, alt_m: float,
                    offset_m: float = 0.0, laps: int = 1, clockwise: bool = True,
                    speed_mps: float | None = None, end: RouteEnd = RouteEnd(),
                    name: str = "",
                    projection: LocalProjection | None = None) -> Route:
    """Patrol around a polygon ``offset_m`` outside it (negative: inside), ``laps`` times.

    The ring keeps each side parallel to the polygon's at exactly ``offset_m``; it starts at
    the corner nearest the launch point and closes back there after the last lap.
    """
    proj = _launch(launch, projection)
    _positive(alt_m, "alt_m")
    laps = _laps(laps)
    if not math.isfinite(offset_m):
        raise RouteError(f"offset_m {offset_m} must be finite")
    _in_projection(proj, polygon, "perimeter polygon point")
    poly = geo.polygon_xy(proj, polygon, "perimeter polygon")
    ring = geo.start_nearest(geo.offset_ring(poly, offset_m, clockwise), (0.0, 0.0))
    path = ring * laps + ring[:1]
    return _assemble(RouteKind.PERIMETER, name, launch, alt_m,
                     _legs(geo.to_latlon(proj, path), alt_m), end, speed_mps,
                     {"offset_m": offset_m, "laps": laps, "clockwise": clockwise,
                      "lap_length_m": geo.path_length_m(ring + ring[:1])}, proj)


def line_route(launch: GeoPoint, polyline: Sequence[LatLon], *, alt_m: float, laps: int = 1,
               speed_mps: float | None = None, end: RouteEnd = RouteEnd(),
               name: str = "",
               projection: LocalProjection | None = None) -> Route:
    """Patrol along a road or river polyline, out to its far end and back, ``laps`` times."""
    proj = _launch(launch, projection)
    _positive(alt_m, "alt_m")
    laps = _laps(laps)
    xy = _in_projection(proj, polyline, "patrol line point")
    points = [p for i, p in enumerate(polyline) if i == 0 or math.dist(xy[i], xy[i - 1]) > 0.01]
    if len(points) < 2:
        raise RouteError("a line patrol needs at least 2 distinct points")
    lap = points + points[-2::-1]
    path = lap + [p for _ in range(laps - 1) for p in lap[1:]]
    return _assemble(RouteKind.LINE, name, launch, alt_m, _legs(path, alt_m), end, speed_mps,
                     {"laps": laps, "line_length_m": geo.path_length_m(xy)}, proj)


def sweep_route(launch: GeoPoint, polygon: Sequence[LatLon], *, alt_m: float,
                camera: Camera | None = None, side_overlap_pct: float = 70.0,
                front_overlap_pct: float = 80.0, angle_deg: float | None = None,
                trigger_camera: bool = True, speed_mps: float | None = None,
                end: RouteEnd = RouteEnd(), name: str = "",
               projection: LocalProjection | None = None) -> Route:
    """Cover a polygon with lawnmower lines whose spacing gives ``side_overlap_pct`` overlap.

    Line spacing = camera footprint across track at ``alt_m`` × (1 − side overlap); lines run
    along the polygon's long axis unless ``angle_deg`` (counter-clockwise from east) is given.
    With ``trigger_camera`` a photo is taken every footprint-along-track × (1 − front overlap).
    """
    proj = _launch(launch, projection)
    _positive(alt_m, "alt_m")
    for value, what in ((side_overlap_pct, "side_overlap_pct"), (front_overlap_pct, "front_overlap_pct")):
        if not (math.isfinite(value) and 0 <= value <= 95):
            raise RouteError(f"{what} {value} must be between 0 and 95")
    _in_projection(proj, polygon, "sweep polygon point")
    poly = geo.polygon_xy(proj, polygon, "sweep polygon")
    across, along = (camera or Camera()).footprint_m(alt_m)
    spacing = across * (1 - side_overlap_pct / 100)
    trigger_m = along * (1 - front_overlap_pct / 100)
    angle = geo.long_axis_deg(poly) if angle_deg is None else float(angle_deg) % 180.0
    lines = geo.sweep_lines(poly, spacing, angle)
    body: list[MissionItem] = []
    for i, (a, b) in enumerate(lines):
        (lat_a, lon_a), (lat_b, lon_b) = geo.to_latlon(proj, [a, b])
        body.append(it.waypoint(lat_a, lon_a, alt_m))
        if i == 0 and trigger_camera:
            body.append(it.camera_trigger_distance(trigger_m))
        body.append(it.waypoint(lat_b, lon_b, alt_m))
    if trigger_camera:
        body.append(it.camera_trigger_distance(0.0))
    return _assemble(RouteKind.SWEEP, name, launch, alt_m, body, end, speed_mps,
                     {"spacing_m": spacing, "footprint_m": (across, along), "angle_deg": angle,
                      "lines": len(lines), "trigger_distance_m": trigger_m,
                      "side_overlap_pct": side_overlap_pct, "front_overlap_pct": front_overlap_pct}, proj)


def orbit_route(launch: GeoPoint, centre: LatLon, *, radius_m: float, alt_m: float,
                turns: float = 1.0, clockwise: bool = True,
                style: OrbitStyle = OrbitStyle.WAYPOINT_RING, ring_points: int = 16,
                poi_alt_m: float = 0.0, speed_mps: float | None = None,
                end: RouteEnd = RouteEnd(), name: str = "",
               projection: LocalProjection | None = None) -> Route:
    """Circle a point of interest with the camera on it (DO_SET_ROI_LOCATION), then end.

    ``WAYPOINT_RING`` flies ``ring_points`` waypoints per turn, starting on the side facing the
    launch point; ``LOITER_TURNS`` uses one NAV_LOITER_TURNS at the centre.
    """
    proj = _launch(launch, projection)
    _positive(radius_m, "radius_m")
    _positive(alt_m, "alt_m")
    _positive(turns, "turns")
    if not math.isfinite(poi_alt_m):
        raise RouteError(f"poi_alt_m {poi_alt_m} must be finite")
    (cxy,) = _in_projection(proj, [centre], "orbit centre", indexed=False)
    body = [it.roi_location(centre[0], centre[1], poi_alt_m)]
    if style is OrbitStyle.LOITER_TURNS:
        body.append(it.loiter_turns(centre[0], centre[1], alt_m, turns, radius_m, clockwise))
    else:
        if isinstance(ring_points, bool) or not isinstance(ring_points, int) or ring_points < 3:
            raise RouteError(f"ring_points {ring_points!r} must be a whole number >= 3")
        ring = geo.circle_points(cxy, radius_m, ring_points, (0.0, 0.0), clockwise)
        count = max(1, round(turns * ring_points))
        path = [ring[i % ring_points] for i in range(count + 1)]
        body += _legs(geo.to_latlon(proj, path), alt_m)
    body.append(it.roi_none())
    return _assemble(RouteKind.ORBIT, name, launch, alt_m, body, end, speed_mps,
                     {"radius_m": radius_m, "turns": turns, "clockwise": clockwise,
                      "style": style.value, "centre": centre}, proj)


def overwatch_route(launch: GeoPoint, target: LatLon, *, alt_m: float, hold_s: float = 300.0,
                    poi_alt_m: float = 0.0, speed_mps: float | None = None,
                    end: RouteEnd = RouteEnd(), name: str = "",
                    projection: LocalProjection | None = None,
                    via: Sequence[LatLon] = ()) -> Route:
    """Fly to a point with the camera on it and hold overhead for ``hold_s`` (inf: until told).

    ``via`` are corners flown on the way (a path around no-fly zones), with the camera already
    on the target, and in reverse on the way back before the end items. A finite hold is NAV_LOITER_TIME and the route then ends as asked;
    ``math.inf`` is NAV_LOITER_UNLIM, after which the end items run only when the operator
    moves the mission on.
    """
    proj = _launch(launch, projection)
    _in_projection(proj, [target], "overwatch target", indexed=False)
    _in_projection(proj, via, "overwatch corner")
    _positive(alt_m, "alt_m")
    if not (hold_s == math.inf or (math.isfinite(hold_s) and hold_s >= 0)):
        raise RouteError(f"hold_s {hold_s!r} must be >= 0 seconds or math.inf")
    if not math.isfinite(poi_alt_m):
        raise RouteError(f"poi_alt_m {poi_alt_m} must be finite")
    lat, lon = target
    hold = (it.loiter_unlimited(lat, lon, alt_m) if hold_s == math.inf
            else it.loiter_time(lat, lon, alt_m, hold_s))
    corners = [it.waypoint(c_lat, c_lon, alt_m) for c_lat, c_lon in via]
    body = [it.roi_location(lat, lon, poi_alt_m), *corners, hold, it.roi_none(), *corners[::-1]]
    return _assemble(RouteKind.OVERWATCH, name, launch, alt_m, body, end, speed_mps,
                     {"hold_s": hold_s, "target": target, "via": tuple(via)}, proj)


def route_parts(route: Route | Sequence[MissionItem], launch: GeoPoint | None,
                projection: LocalProjection | None, what: str,
                ) -> tuple[tuple[MissionItem, ...], GeoPoint, LocalProjection | None]:
    """Items, launch point and projection of a route, or of bare items with their launch."""
    if isinstance(route, Route):
        return route.items, launch or route.launch, projection or route.projection
    if launch is None:
        raise ValueError(f"{what} bare items needs the launch point")
    return tuple(route), launch, projection


def imported_route(launch: GeoPoint, items: Sequence[MissionItem], *, name: str = "",
                   projection: LocalProjection | None = None) -> Route:
    """Wrap items read from a plan file as a route (for validation and tracking)."""
    proj = _launch(launch, projection)
    return Route(RouteKind.IMPORTED, name or "imported", launch, tuple(items), {}, proj)
