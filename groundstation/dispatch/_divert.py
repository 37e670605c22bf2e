"""Ways for a diverting dock drone, around no-fly zones: the station's ``docks.WayFinder``.

A drone that cannot land in its own dock picks another dock or a rally point. Every place is
planned with the dispatch ``PathPlanner`` (the places are its starts, the drone's position
its scene, as the coverage map does for cells), then each path is turned round to run from
the drone. A place with no zone-free path keeps the straight line, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from docks import LatLon, Way, WayFinder
from geofence import GeoPoint, ZoneSet
from groundstation.dispatch._paths import Leg, PathPlanner, PlannedPath
from groundstation.dispatch._settings import DispatchSettings


def zone_avoiding_ways(zones: Callable[[], ZoneSet], now: Callable[[], datetime],
                       settings: DispatchSettings | None = None) -> WayFinder:
    """A way finder over the zones as they are at ``now()`` (aware time, the docks' clock)."""
    settings = settings or DispatchSettings()

    def find(start: LatLon, places: Sequence[LatLon], alt_amsl_m: float,
             home_amsl_m: float) -> list[Way]:
        if not places:
            return []
        paths = PathPlanner(zones(), settings).plan(
            [Leg(lat, lon, alt_amsl_m) for lat, lon in places],
            GeoPoint(*start, alt_amsl_m), at=now(), home_amsl_m=home_amsl_m)
        return [_from_drone(path) for path in paths]

    return find


def _from_drone(path: PlannedPath) -> Way:
    """The planned path (place -> drone) as a way from the drone to the place."""
    if path.problem is not None:
        return Way(path.straight_m, (), (path.problem.text,))
    return Way(path.length_m, tuple(reversed(path.latlon[1:-1])))
