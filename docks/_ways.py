"""Ways a diverting drone can take: from where it is to each place it could land.

A ``WayFinder`` is injected like the route checker, so this package knows no zone geometry:
the station passes one that plans around no-fly zones (``groundstation.dispatch``), and
``straight_ways`` is the fallback that flies straight and only reports what a line breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from docks._geo import LatLon, distance_m
from docks._preflight import LegChecker


@dataclass(frozen=True, slots=True)
class Way:
    """One way to one place: its length, the corners to pass first, what it still breaks."""

    length_m: float
    via: tuple[LatLon, ...] = ()
    """Corners (lat, lon) to fly over in order before the place (around no-fly zones)."""
    crossed: tuple[str, ...] = ()
    """Zones the way breaks, in words; empty for a clear way."""


WayFinder = Callable[[LatLon, Sequence[LatLon], float, float], Sequence[Way]]
"""(from, places, cruise altitude AMSL, home altitude AMSL) -> one ``Way`` per place, in order."""


def straight_ways(check: LegChecker | None = None) -> WayFinder:
    """Straight lines to every place, each with what ``check`` says it crosses."""

    def find(start: LatLon, places: Sequence[LatLon], alt_amsl_m: float,
             home_amsl_m: float) -> list[Way]:
        return [Way(distance_m(*start, *place), (),
                    tuple(check(start, place, alt_amsl_m, home_amsl_m)) if check else ())
                for place in places]

    return find
