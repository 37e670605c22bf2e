"""The flight a list of mission items describes: points, holds and speeds, in metres.

Validation (distance, climb, hover, zones) and tracking (distance to go, off-path distance)
both read this one interpretation of the items. Altitudes are metres above home; an AMSL item
is converted with the launch point's ground altitude; a terrain-frame altitude (above the ground
under the item) is converted with a :class:`~missions.GroundModel` when one is given, and
otherwise taken as above home and noted.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from geofence import GeoPoint, LocalProjection, MavCmd, MissionItem
from missions import _geometry as geo
from missions import _items as it
from missions._exceptions import MissionError
from missions._ground import GroundModel
from missions._routes import Waypoint

_HOLD_AT_PLACE = frozenset({MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_TIME, 82})
_LANDING = frozenset({MavCmd.NAV_LAND, 85})
_TAKEOFF = frozenset({MavCmd.NAV_TAKEOFF, 84})
_FLOWN_THROUGH = frozenset({MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_TIME, MavCmd.NAV_LOITER_TURNS,
                            MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TO_ALT, 82})


@dataclass(frozen=True, slots=True)
class PathPoint:
    """A place the flight reaches, the item that takes it there, and what it does there."""

    item_index: int
    """Index of the item flying to this point (-1: the launch point on the ground)."""
    x_m: float
    y_m: float
    lat_deg: float
    lon_deg: float
    alt_m: float
    """Metres above home."""
    speed_mps: float | None = None
    """Ground speed set for the leg arriving here (None: the vehicle's own)."""
    hold_s: float = 0.0
    orbit_m: float = 0.0
    """Metres flown circling here (NAV_LOITER_TURNS)."""
    orbit_radius_m: float = 0.0
    orbit_turns: float = 0.0
    orbit_clockwise: bool = True
    """Direction of the orbit seen from above (NAV_LOITER_TURNS: positive radius)."""
    unlimited: bool = False
    """Holds here until told otherwise (NAV_LOITER_UNLIM)."""


@dataclass(frozen=True, slots=True)
class PathProblem:
    """An item the path cannot place; validation refuses routes that have any."""

    item_index: int
    message: str


@dataclass(frozen=True, slots=True)
class FlightPath:
    """The flight of a list of items from a launch point."""

    launch: GeoPoint
    projection: LocalProjection
    points: tuple[PathPoint, ...]
    problems: tuple[PathProblem, ...]
    notes: tuple[str, ...]

    def leg_lengths_m(self) -> list[float]:
        """3-D length of each leg (between consecutive points)."""
        p = self.points
        return [math.dist((a.x_m, a.y_m, a.alt_m), (b.x_m, b.y_m, b.alt_m))
                for a, b in itertools.pairwise(p)]

    def horizontal_m(self) -> float:
        """Horizontal metres flown, including orbits."""
        p = self.points
        return (sum(math.dist((a.x_m, a.y_m), (b.x_m, b.y_m)) for a, b in itertools.pairwise(p))
                + sum(q.orbit_m for q in p))


def relative_alt_m(item: MissionItem, launch_amsl_m: float,
                   ground_amsl_m: float | None = None) -> float | None:
    """The item's altitude above home, or None if its frame does not place it.

    ``ground_amsl_m`` is the ground's elevation under a terrain-frame item (None: unknown,
    its altitude is then taken as above home).
    """
    if item.frame in it.TERRAIN_FRAMES:
        return float(item.z) + (0.0 if ground_amsl_m is None else ground_amsl_m - launch_amsl_m)
    if item.frame in it.RELATIVE_FRAMES:
        return float(item.z)
    if item.frame in it.AMSL_FRAMES:
        return float(item.z) - launch_amsl_m
    return None


def flight_path(items: Sequence[MissionItem], launch: GeoPoint,
                projection: LocalProjection | None = None,
                ground: GroundModel | None = None) -> FlightPath:
    """Interpret items as a flight from ``launch`` (ground altitude AMSL in ``launch.alt_m``);
    ``ground`` places terrain-frame altitudes."""
    proj = projection or geo.projection_for(launch.lat_deg, launch.lon_deg)
    start = PathPoint(-1, 0.0, 0.0, launch.lat_deg, launch.lon_deg, 0.0)
    if projection is not None:
        x, y = proj.to_metres(launch.lat_deg, launch.lon_deg)
        start = PathPoint(-1, x, y, launch.lat_deg, launch.lon_deg, 0.0)
    points = [start]
    problems: list[PathProblem] = []
    notes: list[str] = []
    speed: float | None = None
    for index, item in enumerate(items):
        here = points[-1]
        command = item.command
        if command == MavCmd.DO_CHANGE_SPEED:
            if item.param2 > 0:
                speed = float(item.param2)
            continue
        if command == MavCmd.DO_JUMP:
            problems.append(PathProblem(index, f"{it.describe_item(index, item)}: jumps are not "
                                        "followed; unroll the repeats"))
            continue
        if command == MavCmd.NAV_RETURN_TO_LAUNCH:
            points.append(PathPoint(index, start.x_m, start.y_m, start.lat_deg, start.lon_deg,
                                    here.alt_m, speed))
            points.append(PathPoint(index, start.x_m, start.y_m, start.lat_deg, start.lon_deg, 0.0))
            break
        if command not in it.NAV_TO_PLACE:
            continue
        placed = it.has_place(item)
        under: float | None = None
        if item.frame in it.TERRAIN_FRAMES:
            under = _ground_under(ground, item, here, placed, index, problems, notes)
            if under is None and ground is not None:
                continue
        alt = relative_alt_m(item, launch.alt_m, under)
        if command in _TAKEOFF:
            if alt is None:
                problems.append(PathProblem(index, _frame_problem(index, item)))
                continue
            points.append(PathPoint(index, here.x_m, here.y_m, here.lat_deg, here.lon_deg, alt))
            continue
        if command in _LANDING:
            if placed:
                x, y = proj.to_metres(item.lat_deg, item.lon_deg)
                points.append(PathPoint(index, x, y, item.lat_deg, item.lon_deg, here.alt_m, speed))
                here = points[-1]
            points.append(PathPoint(index, here.x_m, here.y_m, here.lat_deg, here.lon_deg, 0.0))
            break
        if alt is None or not placed:
            problems.append(PathProblem(index, _frame_problem(index, item) if alt is None else
                                        f"{it.describe_item(index, item)} has no position"))
            continue
        try:
            x, y = proj.to_metres(item.lat_deg, item.lon_deg)
        except ValueError as exc:
            problems.append(PathProblem(index, f"{it.describe_item(index, item)}: {exc}"))
            continue
        hold = max(float(item.param1), 0.0) if command in _HOLD_AT_PLACE else 0.0
        orbit = (abs(float(item.param1)) * 2 * math.pi * abs(float(item.param3))
                 if command == MavCmd.NAV_LOITER_TURNS else 0.0)
        ok = math.isfinite(orbit)
        circles = ok and orbit > 0
        points.append(PathPoint(index, x, y, item.lat_deg, item.lon_deg, alt, speed,
                                hold if math.isfinite(hold) else 0.0, orbit if ok else 0.0,
                                abs(float(item.param3)) if circles else 0.0,
                                abs(float(item.param1)) if circles else 0.0,
                                float(item.param3) >= 0, command == MavCmd.NAV_LOITER_UNLIM))
    return FlightPath(launch, proj, tuple(points), tuple(problems), tuple(dict.fromkeys(notes)))


def _ground_under(ground: GroundModel | None, item: MissionItem, here: PathPoint, placed: bool,
                  index: int, problems: list[PathProblem], notes: list[str]) -> float | None:
    """Ground elevation under a terrain-frame item (None: no model, noted, or a problem)."""
    what = it.describe_item(index, item)
    if ground is None:
        notes.append(f"{what}: terrain-following altitude taken as above home (no ground model)")
        return None
    lat, lon = (item.lat_deg, item.lon_deg) if placed else (here.lat_deg, here.lon_deg)
    try:
        return float(ground.elevation_amsl_m(lat, lon))
    except MissionError as exc:
        problems.append(PathProblem(index, f"{what}: terrain-following altitude cannot be placed: "
                                    f"{exc}"))
        return None


_UNKNOWN_ENTRY_M = 1.0
"""A leg arriving this close to an orbit's centre has no defined entry point on the circle."""

XY = tuple[float, float]


def orbit_ends(pts: Sequence[PathPoint]) -> tuple[list[XY | None], list[XY | None]]:
    """Where the vehicle leaves each point and where it joins each orbit (None: unknown).

    A vehicle flying NAV_LOITER_TURNS goes to the point of the circle nearest to where it
    comes from, circles the given turns from there and leaves from where the turns end,
    straight to the next point. Arriving at an orbit's centre leaves its entry undefined.
    """
    departures: list[XY | None] = []
    entries: list[XY | None] = []
    for k, p in enumerate(pts):
        if p.orbit_radius_m <= 0:
            entries.append(None)
            departures.append((p.x_m, p.y_m))
            continue
        entry = _orbit_entry(p, departures[k - 1] if k > 0 else None)
        entries.append(entry)
        departures.append(None if entry is None else _orbit_exit(p, entry))
    return departures, entries


def moved(p: PathPoint, xy: XY | None) -> PathPoint:
    """The point moved to ``xy`` (unchanged for None)."""
    return p if xy is None else replace(p, x_m=xy[0], y_m=xy[1])


def _orbit_entry(p: PathPoint, came_from: XY | None) -> XY | None:
    """The point of an orbit's circle nearest to where the vehicle comes from."""
    if came_from is None:
        return None
    dx, dy = came_from[0] - p.x_m, came_from[1] - p.y_m
    d = math.hypot(dx, dy)
    if d < _UNKNOWN_ENTRY_M:
        return None
    return p.x_m + p.orbit_radius_m * dx / d, p.y_m + p.orbit_radius_m * dy / d


def _orbit_exit(p: PathPoint, entry: XY) -> XY:
    """Where the turns end: the entry turned by the orbit's turns in its direction."""
    start = math.atan2(entry[1] - p.y_m, entry[0] - p.x_m)
    swept = 2 * math.pi * p.orbit_turns * (-1.0 if p.orbit_clockwise else 1.0)
    return (p.x_m + p.orbit_radius_m * math.cos(start + swept),
            p.y_m + p.orbit_radius_m * math.sin(start + swept))


def flown_legs(pts: Sequence[PathPoint]) -> list[tuple[PathPoint, PathPoint]]:
    """Each leg as flown: from where the vehicle leaves a point (an orbit's exit) to where it
    joins the next (an orbit's entry); a point whose orbit ends are unknown stays at its centre."""
    departures, entries = orbit_ends(pts)
    return [(moved(a, start), moved(b, entry)) for a, b, start, entry in
            zip(pts, pts[1:], departures, entries[1:], strict=False)]


def _frame_problem(index: int, item: MissionItem) -> str:
    return (f"{it.describe_item(index, item)}: frame {it.frame_name(item.frame)} does not say "
            "where it is or what its altitude is measured from")


def route_waypoints(items: Sequence[MissionItem], launch: GeoPoint) -> list[Waypoint]:
    """The places a route flies through as waypoints (altitude above home, leg speed, hold),
    for exporting to GIS route formats. Take-off, landing and return legs are left out."""
    path = flight_path(items, launch)
    return [Waypoint(p.lat_deg, p.lon_deg, p.alt_m, p.speed_mps, p.hold_s)
            for p in path.points if p.item_index >= 0
            and items[p.item_index].command in _FLOWN_THROUGH]
