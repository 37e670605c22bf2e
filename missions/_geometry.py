"""Route geometry in metres: offset rings, lawnmower lines, circles; camera footprints.

Everything here works in a :class:`geofence.LocalProjection` (x east, y north, metres) and
never treats degrees as metres. Builders convert at the edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.polygon import orient

from geofence import LocalProjection
from missions._exceptions import RouteError

XY = tuple[float, float]
LatLon = tuple[float, float]

MITRE_LIMIT = 2.0
"""Offset corners sharper than this (mitre length / offset) are bevelled instead."""


@dataclass(frozen=True, slots=True)
class Camera:
    """A downward camera: sensor size and focal length in millimetres (landscape: width across track)."""

    sensor_width_mm: float = 13.2
    sensor_height_mm: float = 8.8
    focal_length_mm: float = 8.8
    landscape: bool = True

    def __post_init__(self) -> None:
        for name in ("sensor_width_mm", "sensor_height_mm", "focal_length_mm"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise RouteError(f"camera {name} {value} must be a positive number")

    def footprint_m(self, alt_m: float) -> tuple[float, float]:
        """Ground footprint (across track, along track) in metres at ``alt_m`` above the ground."""
        across = alt_m * self.sensor_width_mm / self.focal_length_mm
        along = alt_m * self.sensor_height_mm / self.focal_length_mm
        return (across, along) if self.landscape else (along, across)


def projection_for(lat_deg: float, lon_deg: float) -> LocalProjection:
    """The metric projection a route around this launch point is built in."""
    return LocalProjection.for_center(lat_deg, lon_deg)


def to_xy(proj: LocalProjection, points: Sequence[LatLon]) -> list[XY]:
    """Latitude/longitude pairs as metres."""
    lat = np.array([p[0] for p in points], dtype=float)
    lon = np.array([p[1] for p in points], dtype=float)
    x, y = proj.to_metres(lat, lon)
    return list(zip(x.tolist(), y.tolist(), strict=True))


def to_latlon(proj: LocalProjection, points: Sequence[XY]) -> list[LatLon]:
    """Metres as latitude/longitude pairs."""
    if not points:
        return []
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    lat, lon = proj.to_wgs84(x, y)
    return list(zip(lat.tolist(), lon.tolist(), strict=True))


def polygon_xy(proj: LocalProjection, outline: Sequence[LatLon], what: str) -> Polygon:
    """A valid metric polygon from a WGS84 outline; refuses degenerate or self-crossing ones."""
    ring = list(outline)
    if len(ring) > 1 and tuple(ring[0]) == tuple(ring[-1]):
        ring = ring[:-1]
    if len(ring) < 3:
        raise RouteError(f"{what} needs at least 3 distinct vertices, got {len(ring)}")
    poly = Polygon(to_xy(proj, ring))
    if not poly.is_valid:
        raise RouteError(f"{what} is not a simple polygon ({shapely.is_valid_reason(poly)})")
    if poly.area < 1.0:
        raise RouteError(f"{what} encloses {poly.area:.2f} m², less than 1 m²")
    return poly


def offset_ring(poly: Polygon, offset_m: float, clockwise: bool) -> list[XY]:
    """Vertices of the polygon's outline moved ``offset_m`` outward (negative: inward).

    Edges stay parallel to the polygon's (mitred corners, bevelled past :data:`MITRE_LIMIT`);
    the ring is not closed (the first vertex is not repeated).
    """
    shape = poly if abs(offset_m) < 1e-3 else poly.buffer(  # below a millimetre: the outline
        offset_m, join_style="mitre", mitre_limit=MITRE_LIMIT)
    if shape.is_empty or shape.geom_type != "Polygon":
        raise RouteError(f"an offset of {offset_m} m leaves no single patrol ring around the polygon")
    ring = orient(shape, sign=-1.0 if clockwise else 1.0).exterior
    coords = [(float(x), float(y)) for x, y in ring.coords[:-1]]
    return coords


def start_nearest(points: list[XY], origin: XY) -> list[XY]:
    """The closed ring's vertices rotated to start at the one nearest ``origin``."""
    k = min(range(len(points)), key=lambda i: math.dist(points[i], origin))
    return points[k:] + points[:k]


def long_axis_deg(poly: Polygon) -> float:
    """Direction of the polygon's long axis: the longer side of its minimum rotated rectangle,
    in degrees counter-clockwise from east, in [0, 180)."""
    rect = shapely.minimum_rotated_rectangle(poly)
    c = list(rect.exterior.coords)
    sides = [(c[1][0] - c[0][0], c[1][1] - c[0][1]), (c[2][0] - c[1][0], c[2][1] - c[1][1])]
    dx, dy = max(sides, key=lambda s: math.hypot(*s))
    return math.degrees(math.atan2(dy, dx)) % 180.0


def _rotate(points: Sequence[XY], angle_deg: float) -> list[XY]:
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    return [(x * ca - y * sa, x * sa + y * ca) for x, y in points]


def sweep_lines(poly: Polygon, spacing_m: float, angle_deg: float) -> list[tuple[XY, XY]]:
    """Lawnmower lines over the polygon, parallel to ``angle_deg`` and ``spacing_m`` apart.

    Lines are centred across the polygon's width, so the outermost lie at most half a spacing
    inside its edges; each runs the full length of the polygon's strip of width ``spacing_m``
    around it. Directions alternate (boustrophedon). Returns (start, end) pairs in metres.
    """
    if not (math.isfinite(spacing_m) and spacing_m > 0):
        raise RouteError(f"line spacing {spacing_m} m must be positive")
    local = Polygon(_rotate(poly.exterior.coords, -angle_deg))
    minx, miny, maxx, maxy = local.bounds
    height = maxy - miny
    n = max(1, math.ceil(height / spacing_m - 1e-9))
    if n > 10_000:
        raise RouteError(f"{n} sweep lines: spacing {spacing_m:.1f} m is too fine for this area")
    first = miny + (height - (n - 1) * spacing_m) / 2.0
    lines: list[tuple[XY, XY]] = []
    for i in range(n):
        y = first + i * spacing_m
        strip = shapely.box(minx - 1.0, y - spacing_m / 2.0, maxx + 1.0, y + spacing_m / 2.0)
        part = local.intersection(strip)
        if part.is_empty:
            continue
        x0, _, x1, _ = part.bounds
        ends = [(x0, y), (x1, y)] if len(lines) % 2 == 0 else [(x1, y), (x0, y)]
        a, b = _rotate(ends, angle_deg)
        lines.append((a, b))
    return lines


def circle_points(centre: XY, radius_m: float, n: int, start_toward: XY, clockwise: bool) -> list[XY]:
    """``n`` points on a circle, the first on the side facing ``start_toward``."""
    cx, cy = centre
    start = math.atan2(start_toward[1] - cy, start_toward[0] - cx)
    if start_toward == centre:
        start = 0.0
    step = -2 * math.pi / n if clockwise else 2 * math.pi / n
    return [(cx + radius_m * math.cos(start + i * step), cy + radius_m * math.sin(start + i * step))
            for i in range(n)]


def path_length_m(points: Sequence[XY]) -> float:
    """Length of a polyline in metres."""
    return float(LineString(points).length) if len(points) > 1 else 0.0
