"""Coverage of a district: the share of its area each dock reaches within each ring, and the
fleet's union, as numbers and as GeoJSON.

A point counts as reached by a dock within a ring when the dispatch ranking would give that
dock's drone an ETA within it there: the dock's launch overhead as it is now, the climb, and the
cruise along the same zone-avoiding path, with battery for the round trip and reserve. The
district is sampled on a square grid of ``cell_m`` (cells whose centre lies inside it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon, mapping

from docks import LaunchSettings, SimTimings
from geofence import GeoPoint, LocalProjection, ZoneSet
from groundstation.dispatch._exceptions import DispatchError
from groundstation.dispatch._launch import dock_exclusions, launch_overhead_s
from groundstation.dispatch._model import DockSnapshot
from groundstation.dispatch._paths import Leg, PathPlanner
from groundstation.dispatch._settings import DispatchSettings

__all__ = ["Coverage", "district_coverage"]

MAX_CELLS = 40_000


@dataclass(frozen=True, slots=True)
class Coverage:
    """Shares (0..1) of the district per dock and ring, the fleet's union, and GeoJSON."""

    area_m2: float
    cell_m: float
    per_dock: dict[str, dict[float, float]]
    union: dict[float, float]
    geojson: dict[str, Any]


def district_coverage(
    outline: Sequence[tuple[float, float]], docks: Sequence[DockSnapshot], *, zones: ZoneSet,
    settings: DispatchSettings | None = None, launch: LaunchSettings | None = None,
    timings: SimTimings | None = None, cell_m: float = 100.0, at: datetime | None = None,
) -> Coverage:
    """Coverage of the district ``outline`` ((lat, lon) corners) by ``docks``."""
    settings = settings or DispatchSettings()
    launch = launch or LaunchSettings()
    timings = timings or SimTimings()
    moment = at or datetime.now(UTC)
    lats = np.array([p[0] for p in outline], float)
    lons = np.array([p[1] for p in outline], float)
    if len(outline) < 3:
        raise DispatchError("a district needs at least 3 corners")
    projection = LocalProjection.for_center(float(lats.mean()), float(lons.mean()))
    xs, ys = projection.to_metres(lats, lons)
    district = Polygon(np.column_stack([xs, ys]))
    if not district.is_valid or district.area <= 0:
        raise DispatchError("the district outline is not a simple polygon")
    x0, y0, x1, y1 = district.bounds
    gx, gy = np.meshgrid(np.arange(x0 + cell_m / 2, x1, cell_m), np.arange(y0 + cell_m / 2, y1, cell_m))
    if gx.size > MAX_CELLS:
        raise DispatchError(f"{gx.size} cells of {cell_m:g} m: use larger cells (at most {MAX_CELLS})")
    inside = shapely.contains_xy(district, gx.ravel(), gy.ravel())
    cx, cy = gx.ravel()[inside], gy.ravel()[inside]
    if cx.size == 0:
        raise DispatchError("the district is smaller than one cell")
    clat, clon = projection.to_wgs84(cx, cy)
    rings = settings.rings_s
    reached = {d.info.dock_id: _reached(d, clat, clon, cx, cy, projection, zones, settings, launch,
                                        timings, moment) for d in docks}
    per_dock = {k: {r: float(v[i].mean()) for i, r in enumerate(rings)} for k, v in reached.items()}
    fleet = np.zeros((len(rings), cx.size), bool)
    for v in reached.values():
        fleet |= v
    union = {r: float(fleet[i].mean()) for i, r in enumerate(rings)}
    features = [_feature(fleet[i], cx, cy, cell_m, projection, {"dock_id": None, "ring_s": r,
                                                                "share": union[r]})
                for i, r in enumerate(rings)]
    features += [_feature(v[i], cx, cy, cell_m, projection, {"dock_id": k, "ring_s": r,
                                                             "share": per_dock[k][r]})
                 for k, v in reached.items() for i, r in enumerate(rings)]
    return Coverage(float(district.area), cell_m, per_dock, union,
                    {"type": "FeatureCollection", "features": features})


def _reached(
    dock: DockSnapshot, clat: Any, clon: Any, cx: Any, cy: Any, projection: LocalProjection,
    zones: ZoneSet, settings: DispatchSettings, launch: LaunchSettings, timings: SimTimings,
    at: datetime,
) -> Any:
    """Per ring, which cells the dock's drone reaches within it."""
    out = np.zeros((len(settings.rings_s), cx.size), bool)
    if dock_exclusions(dock, launch):
        return out
    profile = dock.profile
    launch_s = launch_overhead_s(dock, timings=timings, settings=settings)
    climb_s = launch.cruise_alt_m / profile.climb_mps
    budget_m = (max(settings.rings_s) - launch_s - climb_s) * profile.cruise_speed_mps
    lat, lon = dock.info.landing_point
    dx, dy = projection.to_metres(lat, lon)
    near = np.flatnonzero(np.hypot(cx - dx, cy - dy) <= budget_m)
    if near.size == 0:
        return out
    cruise_amsl = dock.info.alt_m + launch.cruise_alt_m
    paths = PathPlanner(zones, settings).plan(
        [Leg(float(clat[i]), float(clon[i]), cruise_amsl) for i in near],
        GeoPoint(lat, lon, cruise_amsl), at=at, home_amsl_m=dock.info.alt_m)
    for i, path in zip(near, paths, strict=True):
        cruise_s = path.length_m / profile.cruise_speed_mps
        flight_s = climb_s + 2 * cruise_s + launch.hold_s + launch.cruise_alt_m / profile.descent_mps
        if path.problem is not None or profile.battery_pct_for(flight_s) + launch.reserve_pct > 100:
            continue
        eta = launch_s + climb_s + cruise_s
        out[:, i] = [eta <= r for r in settings.rings_s]
    return out


def _feature(mask: Any, cx: Any, cy: Any, cell_m: float, projection: LocalProjection,
             properties: dict[str, Any]) -> dict[str, Any]:
    """The reached cells as one (Multi)Polygon in WGS84 (lon, lat)."""
    half = cell_m / 2
    cells = shapely.box(cx[mask] - half, cy[mask] - half, cx[mask] + half, cy[mask] + half)
    shape = shapely.union_all(cells) if len(cells) else Polygon()

    def to_lonlat(coords: Any) -> Any:
        lat, lon = projection.to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    geometry = shapely.transform(shape, to_lonlat)
    return {"type": "Feature", "geometry": mapping(geometry), "properties": properties}
