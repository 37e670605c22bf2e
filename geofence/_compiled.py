"""Zones turned into metric shapely geometry and flat numpy tables, built once per ZoneSet.

Every zone becomes one polygon in the set's local projection, used by the spatial index and
for the operating-area union. Circles are built from geodesic points (exact distance from the
centre at any latitude) joined by straight edges; a no-fly or altitude-limit circle is
circumscribed (its polygon covers the whole true circle) and an operating-area circle
inscribed, so the approximation, at most 0.03 % of the radius, errs on the safe side.
Circles are also kept as an exact metric centre and radius (the projection is conformal, so a
small geodesic circle stays a circle), and the altitude-band checks use that exact circle:
it lies inside the polygon, so the index never misses a circle the exact test would catch.

Each zone's altitude rules become "bands": altitude intervals that are forbidden inside its
horizontal shape. A no-fly zone forbids [floor, ceiling] (ground to sky by default); an
altitude limit or an operating area forbids (ceiling, +inf) and (-inf, floor). Operating areas
also impose the horizontal rule "inside at least one active area", handled separately.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import shapely
from numpy.typing import NDArray

from geofence._exceptions import ZoneError
from geofence._geo import geodesic_circles
from geofence._projection import LocalProjection
from geofence._violation import CODE, ViolationKind
from geofence._zone import AltitudeRef, CircleShape, PolygonShape, Zone, ZoneKind

CIRCLE_VERTICES = 128
"""Vertices of a circle's polygon: the chord sag is 1 - cos(pi/128) = 0.03 % of the radius."""
_CIRCUMSCRIBE = 1.0 / math.cos(math.pi / CIRCLE_VERTICES)
_BUFFER_QUAD_SEGS = 8
"""Margin buffers round corners with 32 segments per turn (0.5 % of the margin at worst)."""
_CACHE_LIMIT = 8
"""Distinct margins / active-area sets whose grown geometry is kept between calls."""
LIMIT_EPSILON_M = 1e-6
"""Flying exactly at a ceiling or floor is legal; only beyond it by more than this is a breach."""


class CompiledZones:
    """Metric polygons, an index and altitude-band tables of a fixed list of zones."""

    def __init__(self, zones: Sequence[Zone], projection: LocalProjection) -> None:
        self.zones = tuple(zones)
        self.projection = projection
        self.geoms = metric_polygons(self.zones, projection)
        shapely.prepare(self.geoms)
        self.circle_x, self.circle_y, self.circle_r = _metric_circles(self.zones, projection)
        self.is_circle = ~np.isnan(self.circle_r)
        kinds = [z.kind for z in self.zones]
        self.is_operating = np.array([k is ZoneKind.OPERATING_AREA for k in kinds], dtype=bool)
        self.operating_indices = np.flatnonzero(self.is_operating)
        self.scheduled_indices = np.array(
            [i for i, z in enumerate(self.zones) if z.schedule is not None], dtype=np.intp)
        self._build_bands()
        self.band_zone_indices = np.flatnonzero(self.band_count > 0)
        self.tree = shapely.STRtree(self.geoms[self.band_zone_indices])
        self._boundaries: NDArray[np.object_] | None = None
        self._buffers: dict[float, dict[int, shapely.Geometry]] = {}
        self._unions: dict[tuple[tuple[int, ...], float], shapely.Geometry | None] = {}

    def active_mask(self, at: datetime) -> NDArray[np.bool_]:
        """Which zones apply at ``at`` (only the scheduled ones are asked)."""
        mask = np.ones(len(self.zones), dtype=bool)
        for i in self.scheduled_indices:
            mask[i] = self.zones[i].is_active(at)
        return mask

    def boundaries(self) -> NDArray[np.object_]:
        """Each zone's boundary lines (computed once, on first use)."""
        if self._boundaries is None:
            self._boundaries = shapely.boundary(self.geoms)
        return self._boundaries

    def buffered(self, zone_indices: NDArray[np.intp], margin_m: float) -> NDArray[np.object_]:
        """Zone polygons grown by ``margin_m``, one per given index (cached per margin)."""
        if len(self._buffers) >= _CACHE_LIMIT and margin_m not in self._buffers:
            self._buffers.clear()
        cache = self._buffers.setdefault(margin_m, {})
        unique, inverse = np.unique(zone_indices, return_inverse=True)
        missing = [int(z) for z in unique if int(z) not in cache]
        if missing:
            grown = shapely.buffer(self.geoms[missing], margin_m, quad_segs=_BUFFER_QUAD_SEGS)
            cache.update(zip(missing, grown, strict=True))
        out = np.empty(unique.size, dtype=object)
        out[:] = [cache[int(z)] for z in unique]
        return out[inverse]

    def operating_union(
        self, active: NDArray[np.bool_], *, shrink_m: float = 0.0
    ) -> shapely.Geometry | None:
        """Union of the active operating areas (shrunk by ``shrink_m``); None if none is active."""
        indices = self.operating_indices[active[self.operating_indices]]
        if indices.size == 0:
            return None
        key = (tuple(int(i) for i in indices), shrink_m)
        if key not in self._unions:
            if len(self._unions) >= _CACHE_LIMIT:
                self._unions.clear()
            union = shapely.union_all(self.geoms[indices])
            if shrink_m > 0:
                union = shapely.buffer(union, -shrink_m, quad_segs=_BUFFER_QUAD_SEGS)
            shapely.prepare(union)
            self._unions[key] = union
        return self._unions[key]

    def _build_bands(self) -> None:
        zone_of, lo, hi, limit, home, kind = [], [], [], [], [], []
        count = np.zeros(len(self.zones), dtype=np.intp)

        def add(i: int, low: float, high: float, limit_m: float, code: int, zone: Zone) -> None:
            zone_of.append(i)
            lo.append(low)
            hi.append(high)
            limit.append(limit_m)
            home.append(zone.altitude_ref is AltitudeRef.HOME)
            kind.append(code)
            count[i] += 1

        for i, zone in enumerate(self.zones):
            floor = zone.floor_m
            ceiling = zone.ceiling_m
            if zone.kind is ZoneKind.NO_FLY:
                add(i, -math.inf if floor is None else floor, math.inf if ceiling is None else ceiling,
                    math.nan, CODE[ViolationKind.INSIDE_NO_FLY], zone)
                continue
            if ceiling is not None:
                add(i, ceiling + LIMIT_EPSILON_M, math.inf, ceiling, CODE[ViolationKind.ABOVE_CEILING], zone)
            if floor is not None:
                add(i, -math.inf, floor - LIMIT_EPSILON_M, floor, CODE[ViolationKind.BELOW_FLOOR], zone)
        self.band_zone = np.array(zone_of, dtype=np.intp)
        self.band_lo = np.array(lo, dtype=float)
        self.band_hi = np.array(hi, dtype=float)
        self.band_limit = np.array(limit, dtype=float)
        self.band_home = np.array(home, dtype=bool)
        self.band_kind = np.array(kind, dtype=np.int8)
        self.band_count = count
        self.band_start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.intp)


def metric_polygons(zones: tuple[Zone, ...], projection: LocalProjection) -> NDArray[np.object_]:
    """One metric polygon per zone, built with a single projection call."""
    lats: list[NDArray[np.float64]] = []
    lons: list[NDArray[np.float64]] = []
    ring_sizes: list[int] = []
    ring_polygon: list[int] = []
    circles = [(i, z) for i, z in enumerate(zones) if isinstance(z.shape, CircleShape)]
    circle_rings = _circle_vertices(circles)
    for i, zone in enumerate(zones):
        shape = zone.shape
        rings: list[tuple[NDArray[np.float64], NDArray[np.float64]]]
        if isinstance(shape, PolygonShape):
            rings = [(np.array([p[0] for p in r]), np.array([p[1] for p in r]))
                     for r in (shape.exterior, *shape.holes)]
        else:
            rings = [circle_rings[i]]
        for ring_lats, ring_lons in rings:
            lats.append(ring_lats)
            lons.append(ring_lons)
            ring_sizes.append(len(ring_lats))
            ring_polygon.append(i)
    if not lats:
        return np.empty(0, dtype=object)
    x, y = projection.to_metres(np.concatenate(lats), np.concatenate(lons))
    ring_index = np.repeat(np.arange(len(ring_sizes)), ring_sizes)
    rings_m = shapely.linearrings(np.column_stack([x, y]), indices=ring_index)
    geoms = shapely.polygons(rings_m, indices=np.array(ring_polygon))
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if invalid.size:
        zone = zones[int(invalid[0])]
        raise ZoneError(zone.label, "polygon is invalid in the area's metric projection: "
                        f"{shapely.is_valid_reason(geoms[invalid[0]])}")
    return np.asarray(geoms, dtype=object)


def _metric_circles(
    zones: tuple[Zone, ...], projection: LocalProjection
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Metric centre and radius of every circle zone (NaN for polygons).

    The radius is the mean projected distance of four geodesic points on the circle; an
    operating area's is reduced to fit inside its inscribed polygon.
    """
    n = len(zones)
    cx, cy, r = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    index = [i for i, z in enumerate(zones) if isinstance(z.shape, CircleShape)]
    if not index:
        return cx, cy, r
    shapes: list[CircleShape] = [zones[i].shape for i in index]  # type: ignore[misc]
    lat = np.array([s.center_lat_deg for s in shapes])
    lon = np.array([s.center_lon_deg for s in shapes])
    x, y = projection.to_metres(lat, lon)
    rim_lat, rim_lon = geodesic_circles(lat, lon, [s.radius_m for s in shapes], 4)
    rim_x, rim_y = projection.to_metres(rim_lat.ravel(), rim_lon.ravel())
    radius = np.hypot(rim_x.reshape(-1, 4) - x[:, None], rim_y.reshape(-1, 4) - y[:, None]).mean(axis=1)
    inscribed = np.array([zones[i].kind is ZoneKind.OPERATING_AREA for i in index])
    radius = np.where(inscribed, radius * math.cos(math.pi / CIRCLE_VERTICES), radius)
    cx[index], cy[index], r[index] = x, y, radius
    return cx, cy, r


def _circle_vertices(
    circles: list[tuple[int, Zone]],
) -> dict[int, tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Geodesic circle vertices of every circle zone, in one vectorised call."""
    if not circles:
        return {}
    shapes = [z.shape for _, z in circles]
    lat, lon = geodesic_circles(
        [s.center_lat_deg for s in shapes],  # type: ignore[union-attr]
        [s.center_lon_deg for s in shapes],  # type: ignore[union-attr]
        [s.radius_m * (1.0 if z.kind is ZoneKind.OPERATING_AREA else _CIRCUMSCRIBE)  # type: ignore[union-attr]
         for s, (_, z) in zip(shapes, circles, strict=True)],
        CIRCLE_VERTICES,
    )
    return {i: (lat[k], lon[k]) for k, (i, _) in enumerate(circles)}
