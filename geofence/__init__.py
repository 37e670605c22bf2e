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
from geofence._items import MavCmd, MavFrame, MissionItem, MissionType
from geofence._projection import LocalProjection
from geofence._schedule import TimeWindow, WeeklySchedule
from geofence._violation import Violation, ViolationKind
from geofence._watch import AlertKind, WatchAlert, WatchResult
from geofence._zone import AltitudeRef, CircleShape, PolygonShape, Zone, ZoneKind, ZoneSource
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
    "return_point_from_fence_items",
    "zones_to_fence_items",
]
