"""The vehicle's local frame: metres east and north of its boot position, and back to WGS84."""

from __future__ import annotations

from geofence import LocalProjection

__all__ = ["LocalFrame"]


class LocalFrame:
    """Transverse Mercator centred on a point (``geofence.LocalProjection``)."""

    def __init__(self, lat_deg: float, lon_deg: float, ground_amsl_m: float) -> None:
        self._projection = LocalProjection.for_center(lat_deg, lon_deg)
        self.origin_lat_deg = lat_deg
        self.origin_lon_deg = lon_deg
        self.ground_amsl_m = ground_amsl_m  # flat terrain at this altitude

    def to_local(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """Metres east and north of the origin."""
        return self._projection.to_metres(lat_deg, lon_deg)

    def to_global(self, east_m: float, north_m: float) -> tuple[float, float]:
        """Latitude and longitude in degrees of a local point."""
        return self._projection.to_wgs84(east_m, north_m)
