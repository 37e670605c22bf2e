"""A local metric projection chosen per area (transverse Mercator centred on the area).

Geometry code works in metres in one of these and reports results back in WGS84. The
projection is the exact (Poder/Engsager) transverse Mercator with scale 1 on a central
meridian through the area's centre. Its distance error grows with the square of the distance
from that meridian: within the default 200 km radius it stays under 0.05 %, so points farther
than the radius are refused rather than answered inaccurately. Being transverse it has no
trouble at the poles, and a centre near ±180° handles points on both sides of the antimeridian.
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

from geofence._exceptions import ProjectionError
from geofence._geo import EARTH_MEAN_RADIUS_M, GeoPoint, spherical_centre

DEFAULT_MAX_RADIUS_M = 200_000.0
"""Largest distance from the centre at which the projection is used (scale error < 0.05 %)."""

_RADIUS_SLACK = 1.01
"""Projected distances exceed true ones by the scale factor; allow for it when checking."""

FloatOrArray = float | NDArray[np.float64]


class LocalProjection:
    """Transverse Mercator centred on an area: WGS84 degrees <-> metres east (x) and north (y)."""

    def __init__(
        self, centre_lat_deg: float, centre_lon_deg: float, *,
        max_radius_m: float = DEFAULT_MAX_RADIUS_M,
    ) -> None:
        if not (math.isfinite(centre_lat_deg) and math.isfinite(centre_lon_deg)):
            raise ProjectionError(f"projection centre ({centre_lat_deg}, {centre_lon_deg}) is not finite")
        if abs(centre_lat_deg) > 90.0 or abs(centre_lon_deg) > 180.0:
            raise ProjectionError(
                f"projection centre ({centre_lat_deg}, {centre_lon_deg}) is out of range")
        if not (0.0 < max_radius_m <= 1_000_000.0):
            raise ProjectionError(
                f"max_radius_m {max_radius_m} must be in (0, 1000 km]: transverse Mercator "
                "errors pass 0.6 % beyond that")
        self.centre = GeoPoint(float(centre_lat_deg), float(centre_lon_deg), 0.0)
        self.max_radius_m = float(max_radius_m)
        self.crs = (
            f"+proj=tmerc +lat_0={centre_lat_deg!r} +lon_0={centre_lon_deg!r} +k=1 +x_0=0 +y_0=0 "
            "+datum=WGS84 +units=m +no_defs"
        )
        self._forward = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._inverse = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)

    def __repr__(self) -> str:
        return (f"LocalProjection(centre=({self.centre.lat_deg:.6f}, {self.centre.lon_deg:.6f}), "
                f"max_radius_m={self.max_radius_m:.0f})")

    @classmethod
    def for_center(
        cls, lat_deg: float, lon_deg: float, *, max_radius_m: float = DEFAULT_MAX_RADIUS_M
    ) -> LocalProjection:
        """Projection centred on one position."""
        return cls(lat_deg, lon_deg, max_radius_m=max_radius_m)

    @classmethod
    def for_points(
        cls, lats_deg: ArrayLike, lons_deg: ArrayLike, *,
        max_radius_m: float = DEFAULT_MAX_RADIUS_M,
    ) -> LocalProjection:
        """Projection centred on a set of positions; refuses a set too spread out to be accurate."""
        lats = np.asarray(lats_deg, dtype=float).ravel()
        lons = np.asarray(lons_deg, dtype=float).ravel()
        if lats.size == 0 or lats.shape != lons.shape:
            raise ProjectionError("for_points needs equally long, non-empty latitude and longitude lists")
        _check_wgs84(lats, lons)
        lat_c, lon_c, max_angle = spherical_centre(lats, lons)
        spread_m = max_angle * EARTH_MEAN_RADIUS_M
        if spread_m > max_radius_m:
            raise ProjectionError(
                f"points reach {spread_m / 1000:.0f} km from their centre ({lat_c:.4f}, "
                f"{lon_c:.4f}); one local projection is accurate only within "
                f"{max_radius_m / 1000:.0f} km: split the area")
        return cls(lat_c, lon_c, max_radius_m=max_radius_m)

    @overload
    def to_metres(self, lat_deg: float, lon_deg: float) -> tuple[float, float]: ...
    @overload
    def to_metres(
        self, lat_deg: ArrayLike, lon_deg: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...

    def to_metres(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[FloatOrArray, FloatOrArray]:
        """Metres east and north of the centre; refuses points beyond the accurate radius."""
        scalar = np.ndim(lat_deg) == 0 and np.ndim(lon_deg) == 0
        lats = np.asarray(lat_deg, dtype=float)
        lons = np.asarray(lon_deg, dtype=float)
        _check_wgs84(lats, lons)
        x, y = self._forward.transform(lons, lats)
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        self._check_radius(x, y)
        if scalar:
            return float(x), float(y)
        return x, y

    @overload
    def to_wgs84(self, x_m: float, y_m: float) -> tuple[float, float]: ...
    @overload
    def to_wgs84(
        self, x_m: ArrayLike, y_m: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...

    def to_wgs84(self, x_m: ArrayLike, y_m: ArrayLike) -> tuple[FloatOrArray, FloatOrArray]:
        """Latitude and longitude in degrees of local metric coordinates."""
        scalar = np.ndim(x_m) == 0 and np.ndim(y_m) == 0
        x = np.asarray(x_m, dtype=float)
        y = np.asarray(y_m, dtype=float)
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ProjectionError("metric coordinates contain NaN or infinity")
        self._check_radius(x, y)
        lons, lats = self._inverse.transform(x, y)
        if scalar:
            return float(lats), float(lons)
        return np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)

    def covers(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        """Which positions lie within the accurate radius (False for NaN or out-of-range ones)."""
        return self.to_metres_where_accurate(lat_deg, lon_deg)[2]

    def to_metres_where_accurate(
        self, lat_deg: ArrayLike, lon_deg: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
        """Metres east and north, and which of them are accurate (within the radius, valid).

        Unlike :meth:`to_metres` this never raises: use the mask to drop the rest.
        """
        lats = np.atleast_1d(np.asarray(lat_deg, dtype=float))
        lons = np.atleast_1d(np.asarray(lon_deg, dtype=float))
        valid = np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
        x, y = self._forward.transform(np.where(valid, lons, 0.0), np.where(valid, lats, 0.0))
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        with np.errstate(invalid="ignore"):
            accurate: NDArray[np.bool_] = valid & (np.hypot(x, y) <= self.max_radius_m)
        return x, y, accurate

    def _check_radius(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> None:
        limit = self.max_radius_m * _RADIUS_SLACK
        distance = np.hypot(x, y)
        if distance.size and not np.all(distance <= limit):
            worst = float(np.nanmax(np.where(np.isfinite(distance), distance, np.inf)))
            raise ProjectionError(
                f"a point lies {worst / 1000:.0f} km from the projection centre "
                f"({self.centre.lat_deg:.4f}, {self.centre.lon_deg:.4f}); this projection is "
                f"accurate only within {self.max_radius_m / 1000:.0f} km")


def _check_wgs84(lats: NDArray[np.float64], lons: NDArray[np.float64]) -> None:
    """Refuse NaN and out-of-range coordinates before they reach pyproj (which returns inf)."""
    bad = ~(np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) <= 90.0) & (np.abs(lons) <= 180.0))
    if np.any(bad):
        index = int(np.flatnonzero(bad.ravel())[0])
        raise ProjectionError(
            f"coordinate #{index} ({lats.ravel()[index]}, {lons.ravel()[index]}) is NaN or out of "
            "range (latitude [-90, 90], longitude [-180, 180])")
