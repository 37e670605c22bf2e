"""No-fly zones, operating areas and altitude limits: metric checks, live watch, fence items."""

from geofence._exceptions import (
    AltitudeReferenceError,
    FenceItemError,
    FormatError,
    GeofenceError,
    GeoJSONError,
    KMLError,
    PlanFileError,
    ProjectionError,
    ZoneError,
)
from geofence._fence_items import (
    fence_items_to_zones,
    return_point_from_fence_items,
    zones_to_fence_items,
)
from geofence._geo import GeoPoint
from geofence._geojson import zones_from_geojson, zones_to_geojson
from geofence._items import MavCmd, MavFrame, MissionItem, MissionType
from geofence._kml import zones_from_kml, zones_to_kml
from geofence._plan import PlanGeoFence, geofence_section_from_plan, geofence_section_to_plan
from geofence._projection import LocalProjection
from geofence._schedule import TimeWindow, WeeklySchedule
from geofence._violation import Violation, ViolationKind
from geofence._watch import AlertKind, WatchAlert, WatchResult
from geofence._zone import (
    AltitudeRef,
    CircleShape,
    PolygonShape,
    Zone,
    ZoneKind,
    ZoneSource,
    zones_near,
)
from geofence._zoneset import ZoneSet

__all__ = [
    "AlertKind",
    "AltitudeRef",
    "AltitudeReferenceError",
    "CircleShape",
    "FenceItemError",
    "FormatError",
    "GeoJSONError",
    "GeoPoint",
    "GeofenceError",
    "KMLError",
    "LocalProjection",
    "MavCmd",
    "MavFrame",
    "MissionItem",
    "MissionType",
    "PlanFileError",
    "PlanGeoFence",
    "PolygonShape",
    "ProjectionError",
    "TimeWindow",
    "Violation",
    "ViolationKind",
    "WatchAlert",
    "WatchResult",
    "WeeklySchedule",
    "Zone",
    "ZoneError",
    "ZoneKind",
    "ZoneSet",
    "ZoneSource",
    "fence_items_to_zones",
    "geofence_section_from_plan",
    "geofence_section_to_plan",
    "return_point_from_fence_items",
    "zones_from_geojson",
    "zones_from_kml",
    "zones_near",
    "zones_to_fence_items",
    "zones_to_geojson",
    "zones_to_kml",
]
