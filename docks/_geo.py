"""Great-circle distances for choosing a dock and judging arrival (WGS84 degrees in, metres out).

Zone and route geometry belong to ``geofence``; this is only the spherical distance the dock
chooser and the arrival checks need, kept here so ``docks`` runs before ``geofence`` is wired.
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8

LatLon = tuple[float, float]
"""A WGS84 point as (latitude, longitude) in degrees."""


def distance_m(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dp = p2 - p1
    dl = math.radians(lon2_deg - lon1_deg)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def offset(lat_deg: float, lon_deg: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point ``north_m``/``east_m`` metres from a point (small offsets)."""
    dlat = math.degrees(north_m / EARTH_RADIUS_M)
    dlon = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(lat_deg))))
    return lat_deg + dlat, lon_deg + dlon
