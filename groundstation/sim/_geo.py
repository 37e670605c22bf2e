"""The simulator's local frame: metres east and north of an origin, and back to WGS84.

A transverse Mercator centred on the origin, the same projection ``geofence.LocalProjection``
uses, called through pyproj directly because the simulator converts scalars many times a
second (a fleet shares one frame).
"""

from __future__ import annotations

from functools import cache

from pyproj import Transformer

__all__ = ["LocalFrame"]


@cache
def _transformers(lat_deg: float, lon_deg: float) -> tuple[Transformer, Transformer]:
    crs = (
        f"+proj=tmerc +lat_0={lat_deg!r} +lon_0={lon_deg!r} +k=1 +x_0=0 +y_0=0 "
        "+datum=WGS84 +units=m +no_defs"
    )
    return (
        Transformer.from_crs("EPSG:4326", crs, always_xy=True),
        Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
    )


class LocalFrame:
    """WGS84 degrees <-> metres east (x) and north (y) of an origin."""

    def __init__(self, lat_deg: float, lon_deg: float) -> None:
        self.origin_lat_deg = float(lat_deg)
        self.origin_lon_deg = float(lon_deg)
        self._forward, self._inverse = _transformers(self.origin_lat_deg, self.origin_lon_deg)

    def to_local(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """Metres east and north of the origin."""
        east, north = self._forward.transform(lon_deg, lat_deg)
        return float(east), float(north)

    def to_global(self, east_m: float, north_m: float) -> tuple[float, float]:
        """Latitude and longitude in degrees of a local point."""
        lon, lat = self._inverse.transform(east_m, north_m)
        return float(lat), float(lon)
