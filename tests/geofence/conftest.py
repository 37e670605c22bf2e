"""Shared builders for the geofence tests: zones around Yongzhou and geodesic offsets."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import settings

from geofence._geo import WGS84_GEOD

PROPERTY = settings(deadline=None, max_examples=60, derandomize=True)
"""Settings of every geofence property test: deterministic, no deadline (first calls warm
pyproj and GEOS). Applied per test, so other packages' hypothesis settings are untouched."""

YONGZHOU = (26.42, 111.61)
AT = datetime(2024, 6, 3, 4, 0, tzinfo=UTC)  # a Monday, 12:00 in Asia/Shanghai


def offset(lat: float, lon: float, azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, lon) along the geodesic at ``azimuth_deg``."""
    lon2, lat2, _ = WGS84_GEOD.fwd(lon, lat, azimuth_deg, distance_m)
    return float(lat2), float(lon2)


def ring(lat: float, lon: float, radius_m: float, azimuths: list[float]) -> list[tuple[float, float]]:
    """Polygon vertices at ``radius_m`` from a centre at the given azimuths."""
    return [offset(lat, lon, a, radius_m) for a in azimuths]


def square(lat: float, lon: float, half_m: float) -> list[tuple[float, float]]:
    """An axis-aligned square (north-up) of half-side ``half_m`` metres."""
    return ring(lat, lon, half_m * np.sqrt(2.0), [45.0, 135.0, 225.0, 315.0])


@pytest.fixture
def at() -> datetime:
    """A fixed check time."""
    return AT
