"""The vehicle's fence: uploaded polygons and circles, in its local metric frame (shapely).

A breach is being outside an inclusion zone (all must contain the vehicle, as ArduPilot
intersects them), inside an exclusion zone, above the altitude limit or farther from home than
the radius limit (when those parameters are set).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shapely

from geofence import MavCmd, MissionItem

__all__ = ["Fence", "FenceBreach"]

_INCLUSION = {MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION, MavCmd.NAV_FENCE_CIRCLE_INCLUSION}


@dataclass(frozen=True, slots=True)
class FenceBreach:
    """Why the vehicle is outside its fence."""

    reason: str  # "inclusion", "exclusion", "altitude", "radius"


class Fence:
    """Zones from fence items, checked against local positions."""

    def __init__(
        self, items: Sequence[MissionItem], to_local: Callable[[float, float], tuple[float, float]]
    ) -> None:
        self.inclusions: list[shapely.Geometry] = []
        self.exclusions: list[shapely.Geometry] = []
        self.return_point: tuple[float, float] | None = None
        i = 0
        while i < len(items):
            item = items[i]
            cmd = item.command
            if cmd in (MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
                       MavCmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION):  # fmt: skip
                n = max(int(item.param1), 1)
                ring = [to_local(v.lat_deg, v.lon_deg) for v in items[i : i + n]]
                zone = shapely.Polygon(ring) if len(ring) >= 3 else None
                i += n
            elif cmd in (MavCmd.NAV_FENCE_CIRCLE_INCLUSION, MavCmd.NAV_FENCE_CIRCLE_EXCLUSION):
                zone = shapely.Point(to_local(item.lat_deg, item.lon_deg)).buffer(
                    item.param1, quad_segs=32
                )
                i += 1
            else:
                if cmd == MavCmd.NAV_FENCE_RETURN_POINT:
                    self.return_point = to_local(item.lat_deg, item.lon_deg)
                i += 1
                continue
            if zone is None:
                continue
            shapely.prepare(zone)
            (self.inclusions if cmd in _INCLUSION else self.exclusions).append(zone)

    @property
    def has_zones(self) -> bool:
        """Whether any polygon or circle was loaded."""
        return bool(self.inclusions or self.exclusions)

    def check(
        self,
        east_m: float,
        north_m: float,
        up_m: float,
        *,
        alt_max_m: float = 0.0,
        radius_m: float = 0.0,
        home: tuple[float, float] = (0.0, 0.0),
        zones: bool = True,
    ) -> FenceBreach | None:
        """The breach at a position, or None when inside."""
        if alt_max_m > 0 and up_m > alt_max_m:
            return FenceBreach("altitude")
        if radius_m > 0 and math.hypot(east_m - home[0], north_m - home[1]) > radius_m:
            return FenceBreach("radius")
        if zones:
            for zone in self.inclusions:
                if not shapely.contains_xy(zone, east_m, north_m):
                    return FenceBreach("inclusion")
            for zone in self.exclusions:
                if shapely.contains_xy(zone, east_m, north_m):
                    return FenceBreach("exclusion")
        return None
