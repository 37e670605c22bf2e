"""WGS84 points, coordinate validation and small spherical helpers shared by the package."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod

EARTH_MEAN_RADIUS_M = 6_371_008.8
"""Mean Earth radius, used only for rough sizes (validation, extents), never for checks."""

WGS84_GEOD = Geod(ellps="WGS84")
"""Geodesic calculator on the WGS84 ellipsoid (immutable, safe to share)."""


class GeoPoint(NamedTuple):
    """A WGS84 position; ``alt_m`` is metres above mean sea level unless a function says otherwise."""

    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0


def coordinate_problem(lat_deg: float, lon_deg: float) -> str | None:
    """Say what is wrong with a latitude/longitude pair, or None when it is usable."""
    if not (math.isfinite(lat_deg) and math.isfinite(lon_deg)):
        return f"coordinate ({lat_deg}, {lon_deg}) is not a finite number"
    if abs(lat_deg) > 90.0:
        if abs(lon_deg) <= 90.0:
            return (
                f"latitude {lat_deg} is out of range [-90, 90] while longitude {lon_deg} would "
                "be a valid latitude: latitude and longitude look swapped"
            )
        return f"latitude {lat_deg} is out of range [-90, 90]"
    if abs(lon_deg) > 180.0:
        return f"longitude {lon_deg} is out of range [-180, 180]"
    return None


def unit_vectors(lats_deg: ArrayLike, lons_deg: ArrayLike) -> NDArray[np.float64]:
    """Earth-centred unit vectors (N × 3) of spherical positions."""
    lat = np.radians(np.asarray(lats_deg, dtype=float))
    lon = np.radians(np.asarray(lons_deg, dtype=float))
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1)


def spherical_centre(lats_deg: ArrayLike, lons_deg: ArrayLike) -> tuple[float, float, float]:
    """Centre of a set of positions (mean unit vector) and the largest angle to it in radians.

    Works across the antimeridian and at the poles. The angle is ``pi`` when the points have
    no meaningful centre (spread around the globe).
    """
    vectors = unit_vectors(lats_deg, lons_deg).reshape(-1, 3)
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm < 1e-9:
        return 0.0, 0.0, math.pi
    mean /= norm
    lat_c = math.degrees(math.asin(max(-1.0, min(1.0, float(mean[2])))))
    lon_c = math.degrees(math.atan2(float(mean[1]), float(mean[0]))) if abs(lat_c) < 90.0 else 0.0
    max_angle = float(np.arccos(np.clip(vectors @ mean, -1.0, 1.0)).max())
    return lat_c, lon_c, max_angle


def _tangent_basis(centre_lat_deg: float, centre_lon_deg: float) -> tuple[NDArray[np.float64], ...]:
    """Unit vectors of a centre and of east and north in its tangent plane."""
    c = unit_vectors(centre_lat_deg, centre_lon_deg)
    east = np.cross([0.0, 0.0, 1.0], c)
    if np.linalg.norm(east) < 1e-12:  # centre at a pole: any horizontal axis will do
        east = np.array([0.0, 1.0, 0.0])
    east /= np.linalg.norm(east)
    return c, east, np.cross(c, east)


def gnomonic_plane(
    lats_deg: ArrayLike, lons_deg: ArrayLike, centre_lat_deg: float, centre_lon_deg: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gnomonic plane coordinates (metres on the mean sphere) about a centre.

    Great circles map to straight lines, so a ring that crosses itself on the sphere crosses
    itself here too; used for shape validation, where a rough scale is enough. Points must lie
    within 90 degrees of the centre.
    """
    c, east, north = _tangent_basis(centre_lat_deg, centre_lon_deg)
    p = unit_vectors(lats_deg, lons_deg)
    depth = p @ c
    return (
        EARTH_MEAN_RADIUS_M * (p @ east) / depth,
        EARTH_MEAN_RADIUS_M * (p @ north) / depth,
    )


def gnomonic_inverse(
    x_m: float, y_m: float, centre_lat_deg: float, centre_lon_deg: float
) -> tuple[float, float]:
    """Latitude and longitude of a point of :func:`gnomonic_plane`."""
    c, east, north = _tangent_basis(centre_lat_deg, centre_lon_deg)
    p = c + (x_m / EARTH_MEAN_RADIUS_M) * east + (y_m / EARTH_MEAN_RADIUS_M) * north
    p /= np.linalg.norm(p)
    return math.degrees(math.asin(float(p[2]))), math.degrees(math.atan2(float(p[1]), float(p[0])))


def geodesic_circles(
    centre_lats_deg: ArrayLike, centre_lons_deg: ArrayLike, radii_m: ArrayLike, n_vertices: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Latitudes and longitudes (circles × n_vertices) of points exactly each radius from a centre.

    Points run clockwise from north (azimuths 0, 360/n, ...).
    """
    centre_lat = np.atleast_1d(np.asarray(centre_lats_deg, dtype=float))
    centre_lon = np.atleast_1d(np.asarray(centre_lons_deg, dtype=float))
    radius = np.atleast_1d(np.asarray(radii_m, dtype=float))
    k = centre_lat.size
    azimuth = np.tile(np.linspace(0.0, 360.0, n_vertices, endpoint=False), k)
    lon, lat, _ = WGS84_GEOD.fwd(
        np.repeat(centre_lon, n_vertices), np.repeat(centre_lat, n_vertices), azimuth,
        np.repeat(radius, n_vertices),
    )
    return np.asarray(lat).reshape(k, n_vertices), np.asarray(lon).reshape(k, n_vertices)


def geodesic_distance_m(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> NDArray[np.float64]:
    """Geodesic distances on the WGS84 ellipsoid, element by element."""
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(
        np.asarray(lat1_deg, float), np.asarray(lon1_deg, float),
        np.asarray(lat2_deg, float), np.asarray(lon2_deg, float),
    )
    _, _, dist = WGS84_GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist, dtype=float)
