"""The geofence package's exception tree.

    GeofenceError                 base of every error geofence raises on purpose (a ValueError)
    ├── ProjectionError           no local metric projection is accurate for these points
    ├── ZoneError                 a zone definition is invalid (names the zone and the problem)
    ├── AltitudeReferenceError    a check needs the home altitude it was not given
    ├── FenceItemError            MAVLink fence items cannot be built or read
    └── FormatError               an import file is malformed (names file part and problem)
        ├── GeoJSONError
        ├── KMLError
        └── PlanFileError         a QGroundControl plan geoFence section

Nothing here is ever repaired silently: a polygon that self-intersects, a swapped lat/lon pair
or an unknown element is refused with the zone's name and the problem, because a quiet "fix"
could change what is forbidden.
"""

from __future__ import annotations


class GeofenceError(ValueError):
    """Base class of every error the geofence package raises on purpose."""


class ProjectionError(GeofenceError):
    """No local metric projection is accurate for the given points."""


class ZoneError(GeofenceError):
    """A zone definition is invalid; the message names the zone and the problem."""

    def __init__(self, zone: str, problem: str) -> None:
        super().__init__(f"zone {zone}: {problem}")
        self.zone = zone
        self.problem = problem


class AltitudeReferenceError(GeofenceError):
    """A zone's limit is relative to home but the check was given no home altitude."""


class FenceItemError(GeofenceError):
    """Zones cannot be expressed as MAVLink fence items, or fence items are malformed."""


class FormatError(GeofenceError):
    """An imported zone file is malformed."""


class GeoJSONError(FormatError):
    """A GeoJSON document is malformed or not RFC 7946 (lon/lat, WGS84)."""


class KMLError(FormatError):
    """A KML document is malformed or holds an element this reader does not understand."""


class PlanFileError(FormatError):
    """A QGroundControl plan-file geoFence section is malformed."""
