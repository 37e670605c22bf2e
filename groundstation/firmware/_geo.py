"""Distance on the WGS84 ellipsoid (pyproj), for arrival checks in firmware sequences."""

from __future__ import annotations

from functools import cache

from pyproj import Geod

__all__ = ["distance_m"]


@cache
def _geod() -> Geod:
    return Geod(ellps="WGS84")


def distance_m(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Geodesic distance in metres between two WGS84 points."""
    _, _, dist = _geod().inv(lon1_deg, lat1_deg, lon2_deg, lat2_deg)
    return float(dist)
