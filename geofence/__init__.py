"""No-fly zones, operating areas and altitude limits: metric checks, live watch, fence items."""

from geofence._items import MavCmd, MavFrame, MissionItem, MissionType

__all__ = ["MavCmd", "MavFrame", "MissionItem", "MissionType"]
