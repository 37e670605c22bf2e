"""The zone model: no-fly zones, operating areas and altitude limits, with their shape and hours.

A zone's shape is stored as it was defined (WGS84 vertices, or a centre and a radius in metres)
and checked when the zone is built: at least three distinct vertices, finite in-range
coordinates, no self-intersection, holes inside the outline, a sane radius. A bad zone is
refused with its name, id and the problem, never repaired.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import numpy as np
import shapely

from geofence._exceptions import GeofenceError, ZoneError
from geofence._geo import (
    EARTH_MEAN_RADIUS_M,
    coordinate_problem,
    geodesic_distance_m,
    gnomonic_inverse,
    gnomonic_plane,
    spherical_centre,
)
from geofence._projection import DEFAULT_MAX_RADIUS_M
from geofence._schedule import Schedule, TimeWindow, WeeklySchedule

MIN_CIRCLE_RADIUS_M = 1.0
MAX_CIRCLE_RADIUS_M = 100_000.0
"""Largest circle accepted: a bigger "circle" is almost certainly a unit mistake (km vs m)."""
MIN_POLYGON_AREA_M2 = 1.0
ALTITUDE_RANGE_M = (-1_000.0, 20_000.0)
"""Floors and ceilings outside this band are refused as typing errors."""

LatLon = tuple[float, float]


class ZoneKind(StrEnum):
    """What a zone means for a vehicle."""

    NO_FLY = "no_fly"
    """Exclusion: forbidden inside, between floor (default: ground) and ceiling (default: none)."""
    OPERATING_AREA = "operating_area"
    """Inclusion: a vehicle must be inside one active operating area; its floor and ceiling
    (if any) bound the altitude inside it."""
    ALTITUDE_LIMIT = "altitude_limit"
    """Inside the zone the altitude must stay between floor and ceiling; no horizontal limit."""


class AltitudeRef(StrEnum):
    """What a zone's floor and ceiling are measured from."""

    AMSL = "amsl"
    """Metres above mean sea level."""
    HOME = "home"
    """Metres above the vehicle's home (take-off point); the station has no terrain model, so
    "above ground" limits are expressed and checked against home."""


class ZoneSource(StrEnum):
    """Where a zone came from."""

    MANUAL = "manual"
    IMPORTED_FILE = "imported_file"
    OFFICIAL_LIST = "official_list"
    VEHICLE = "vehicle"
    """Read back from an autopilot's fence storage."""


@dataclass(frozen=True, slots=True)
class PolygonShape:
    """A polygon in WGS84: an outline and optional holes, each a ring of (lat_deg, lon_deg).

    Edges run the short way round, so a zone may straddle the antimeridian. A closing vertex
    equal to the first is accepted and dropped.
    """

    exterior: tuple[LatLon, ...]
    holes: tuple[tuple[LatLon, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class CircleShape:
    """A circle: every point within ``radius_m`` (geodesic metres) of the centre."""

    center_lat_deg: float
    center_lon_deg: float
    radius_m: float


Shape = PolygonShape | CircleShape


@dataclass(frozen=True, slots=True)
class Zone:
    """One zone: a stable id, a name, a kind, a shape, altitude limits, hours and a source."""

    id: str
    name: str
    kind: ZoneKind
    shape: Shape
    floor_m: float | None = None
    ceiling_m: float | None = None
    altitude_ref: AltitudeRef = AltitudeRef.AMSL
    schedule: Schedule | None = None
    source: ZoneSource = ZoneSource.MANUAL
    source_detail: str = ""
    _validated: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ZoneError(f"{self.name!r}", "has an empty id")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ZoneError(f"(id {self.id})", "has an empty name")
        label = self.label
        try:
            object.__setattr__(self, "kind", ZoneKind(self.kind))
            object.__setattr__(self, "altitude_ref", AltitudeRef(self.altitude_ref))
            object.__setattr__(self, "source", ZoneSource(self.source))
        except ValueError as exc:
            raise ZoneError(label, str(exc)) from None
        if self.schedule is not None and not isinstance(self.schedule, TimeWindow | WeeklySchedule):
            raise ZoneError(label, f"schedule {self.schedule!r} is not a TimeWindow or WeeklySchedule")
        self._check_altitudes(label)
        if isinstance(self.shape, PolygonShape):
            object.__setattr__(self, "shape", _normalised_polygon(self.shape, label))
        elif isinstance(self.shape, CircleShape):
            _check_circle(self.shape, label)
        else:
            raise ZoneError(label, f"shape {self.shape!r} is not a PolygonShape or CircleShape")
        object.__setattr__(self, "_validated", True)

    @property
    def label(self) -> str:
        """The zone's name and id, as used in error messages."""
        return f"{self.name!r} (id {self.id})"

    @classmethod
    def polygon(
        cls, id: str, name: str, kind: ZoneKind, exterior: Iterable[Sequence[float]],
        holes: Iterable[Iterable[Sequence[float]]] = (), **kwargs: object,
    ) -> Zone:
        """A polygon zone from (lat_deg, lon_deg) vertices; other fields as keywords."""
        try:
            shape = PolygonShape(
                tuple(_lat_lon(v) for v in exterior),
                tuple(tuple(_lat_lon(v) for v in ring) for ring in holes),
            )
        except (TypeError, ValueError) as exc:
            raise ZoneError(f"{name!r} (id {id})", f"vertices are not (lat, lon) pairs: {exc}") from None
        return cls(id=id, name=name, kind=kind, shape=shape, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def circle(
        cls, id: str, name: str, kind: ZoneKind, center_lat_deg: float, center_lon_deg: float,
        radius_m: float, **kwargs: object,
    ) -> Zone:
        """A circle zone from a centre and a radius in metres; other fields as keywords."""
        shape = CircleShape(float(center_lat_deg), float(center_lon_deg), float(radius_m))
        return cls(id=id, name=name, kind=kind, shape=shape, **kwargs)  # type: ignore[arg-type]

    def is_active(self, at: datetime) -> bool:
        """True when the zone applies at ``at`` (always, for a zone without hours)."""
        return self.schedule is None or self.schedule.is_active(at)

    def all_lat_lon(self) -> tuple[list[float], list[float]]:
        """Every defining latitude and longitude (vertices, or a circle's centre)."""
        if isinstance(self.shape, CircleShape):
            return [self.shape.center_lat_deg], [self.shape.center_lon_deg]
        rings = (self.shape.exterior, *self.shape.holes)
        return [p[0] for r in rings for p in r], [p[1] for r in rings for p in r]

    def _check_altitudes(self, label: str) -> None:
        low, high = ALTITUDE_RANGE_M
        for value, what in ((self.floor_m, "floor"), (self.ceiling_m, "ceiling")):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ZoneError(label, f"{what} {value!r} is not a finite number of metres")
            if not low <= value <= high:
                raise ZoneError(label, f"{what} {value} m is outside [{low:.0f}, {high:.0f}] m")
        if self.floor_m is not None and self.ceiling_m is not None and self.floor_m >= self.ceiling_m:
            raise ZoneError(label, f"floor {self.floor_m} m is not below ceiling {self.ceiling_m} m")
        if self.kind is ZoneKind.ALTITUDE_LIMIT and self.floor_m is None and self.ceiling_m is None:
            raise ZoneError(label, "an altitude-limit zone needs a floor, a ceiling or both")


def _lat_lon(vertex: Sequence[float]) -> LatLon:
    if len(vertex) != 2:
        raise ValueError(f"vertex {tuple(vertex)!r} does not have exactly two numbers")
    return float(vertex[0]), float(vertex[1])


def _check_circle(shape: CircleShape, label: str) -> None:
    problem = coordinate_problem(shape.center_lat_deg, shape.center_lon_deg)
    if problem:
        raise ZoneError(label, f"circle centre: {problem}")
    radius = shape.radius_m
    if not math.isfinite(radius):
        raise ZoneError(label, f"circle radius {radius} is not a finite number of metres")
    if radius < MIN_CIRCLE_RADIUS_M:
        raise ZoneError(label, f"circle radius {radius} m is zero, negative or below {MIN_CIRCLE_RADIUS_M} m")
    if radius > MAX_CIRCLE_RADIUS_M:
        raise ZoneError(
            label, f"circle radius {radius} m exceeds {MAX_CIRCLE_RADIUS_M / 1000:.0f} km "
            "(kilometres given as metres?)")


def _normalised_polygon(shape: PolygonShape, label: str) -> PolygonShape:
    """Check a polygon and drop closing vertices; refuse anything else that is wrong."""
    rings = [_open_ring(shape.exterior, label, "outline")]
    rings += [_open_ring(h, label, f"hole {i + 1}") for i, h in enumerate(shape.holes)]
    lats = np.array([p[0] for r in rings for p in r])
    lons = np.array([p[1] for r in rings for p in r])
    lat_c, lon_c, max_angle = spherical_centre(lats, lons)
    if max_angle * EARTH_MEAN_RADIUS_M > DEFAULT_MAX_RADIUS_M:
        raise ZoneError(
            label, f"polygon reaches {max_angle * EARTH_MEAN_RADIUS_M / 1000:.0f} km from its "
            f"centre; zones larger than {DEFAULT_MAX_RADIUS_M / 1000:.0f} km in radius are refused")
    x, y = gnomonic_plane(lats, lons, lat_c, lon_c)
    planar, start = [], 0
    for ring in rings:
        planar.append(np.column_stack([x[start:start + len(ring)], y[start:start + len(ring)]]))
        start += len(ring)
    polygon = shapely.Polygon(planar[0], planar[1:])
    reason = shapely.is_valid_reason(polygon)
    if reason != "Valid Geometry":
        raise ZoneError(label, _explain_invalid(reason, lat_c, lon_c))
    if polygon.area < MIN_POLYGON_AREA_M2:
        raise ZoneError(label, f"polygon area {polygon.area:.3g} m² is zero or degenerate")
    return PolygonShape(rings[0], tuple(rings[1:]))


def _open_ring(ring: tuple[LatLon, ...], label: str, what: str) -> tuple[LatLon, ...]:
    for i, (lat, lon) in enumerate(ring):
        problem = coordinate_problem(lat, lon)
        if problem:
            raise ZoneError(label, f"{what} vertex {i + 1}: {problem}")
    points = list(ring)
    if len(points) >= 2 and points[0] == points[-1]:
        points.pop()
    if len(set(points)) < 3:
        raise ZoneError(label, f"{what} has {len(set(points))} distinct vertices; a polygon needs at least 3")
    return tuple(points)


def _explain_invalid(reason: str, lat_c: float, lon_c: float) -> str:
    """Turn GEOS's reason (with gnomonic-plane coordinates) into text with lat/lon."""
    match = re.match(r"(.*)\[\s*([-0-9.eE+]+)\s+([-0-9.eE+]+)\s*\]", reason)
    if not match:
        return f"polygon is invalid: {reason}"
    what, x, y = match.group(1).strip(), float(match.group(2)), float(match.group(3))
    lat, lon = gnomonic_inverse(x, y, lat_c, lon_c)
    text = {"Self-intersection": "outline or hole crosses itself",
            "Ring Self-intersection": "a ring touches itself",
            "Hole lies outside shell": "a hole lies outside the outline",
            "Interior is disconnected": "holes cut the polygon into pieces",
            "Nested holes": "a hole lies inside another hole",
            "Too few points": "too few points"}.get(what, what)
    return f"polygon is invalid: {text} near ({lat:.6f}, {lon:.6f})"


def check_unique_ids(zones: Iterable[Zone]) -> None:
    """Refuse two zones with one id: ids must identify zones in violations and storage."""
    seen: dict[str, Zone] = {}
    for zone in zones:
        if not isinstance(zone, Zone):
            raise GeofenceError(f"{zone!r} is not a Zone")
        if zone.id in seen:
            raise ZoneError(zone.label, f"id is also used by zone {seen[zone.id].name!r}")
        seen[zone.id] = zone


def zones_near(zones: Iterable[Zone], lat_deg: float, lon_deg: float, radius_m: float) -> list[Zone]:
    """The zones any part of which lies within ``radius_m`` of a position (e.g. one area's share
    of a national list, small enough for one :class:`ZoneSet`)."""
    problem = coordinate_problem(lat_deg, lon_deg)
    if problem:
        raise GeofenceError(f"zones_near centre: {problem}")
    if not (math.isfinite(radius_m) and radius_m > 0):
        raise GeofenceError(f"zones_near radius {radius_m} must be a positive number of metres")
    chosen = []
    for zone in zones:
        if isinstance(zone.shape, CircleShape):
            lat_c, lon_c = zone.shape.center_lat_deg, zone.shape.center_lon_deg
            reach = zone.shape.radius_m
        else:
            lats, lons = zone.all_lat_lon()
            lat_c, lon_c, angle = spherical_centre(lats, lons)
            reach = angle * EARTH_MEAN_RADIUS_M * 1.01  # mean sphere: allow for the ellipsoid
        if float(geodesic_distance_m(lat_deg, lon_deg, lat_c, lon_c)) - reach <= radius_m:
            chosen.append(zone)
    return chosen
