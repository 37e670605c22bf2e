"""The plain MAVLink mission-item record shared by missions, fences and rally points.

``geofence`` is the bottom of the import chain (groundstation → docks → missions → geofence),
so the neutral item type that ``missions`` builds, ``geofence`` builds for fences and the
station's one plan-transfer engine sends lives here. It mirrors MISSION_ITEM_INT field for
field and knows nothing about sockets or pymavlink. Numbers are MAVLink common.xml values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class MissionType(IntEnum):
    """MAV_MISSION_TYPE: which plan a transfer is about."""

    MISSION = 0
    FENCE = 1
    RALLY = 2


class MavFrame(IntEnum):
    """MAV_FRAME values used by plan items."""

    GLOBAL = 0
    MISSION = 2
    GLOBAL_RELATIVE_ALT = 3
    GLOBAL_INT = 5
    GLOBAL_RELATIVE_ALT_INT = 6
    GLOBAL_TERRAIN_ALT = 10
    GLOBAL_TERRAIN_ALT_INT = 11


class MavCmd(IntEnum):
    """MAV_CMD values that plans are built from."""

    NAV_WAYPOINT = 16
    NAV_LOITER_UNLIM = 17
    NAV_LOITER_TURNS = 18
    NAV_LOITER_TIME = 19
    NAV_RETURN_TO_LAUNCH = 20
    NAV_LAND = 21
    NAV_TAKEOFF = 22
    NAV_LOITER_TO_ALT = 31
    NAV_DELAY = 93
    CONDITION_DELAY = 112
    CONDITION_YAW = 115
    DO_JUMP = 177
    DO_CHANGE_SPEED = 178
    DO_SET_HOME = 179
    DO_LAND_START = 189
    DO_SET_ROI_LOCATION = 195
    DO_SET_ROI_NONE = 197
    DO_SET_ROI = 201
    DO_MOUNT_CONTROL = 205
    DO_SET_CAM_TRIGG_DIST = 206
    DO_GIMBAL_MANAGER_PITCHYAW = 1000
    IMAGE_START_CAPTURE = 2000
    VIDEO_START_CAPTURE = 2500
    NAV_FENCE_RETURN_POINT = 5000
    NAV_FENCE_POLYGON_VERTEX_INCLUSION = 5001
    NAV_FENCE_POLYGON_VERTEX_EXCLUSION = 5002
    NAV_FENCE_CIRCLE_INCLUSION = 5003
    NAV_FENCE_CIRCLE_EXCLUSION = 5004
    NAV_RALLY_POINT = 5100


@dataclass(frozen=True, slots=True)
class MissionItem:
    """One MISSION_ITEM_INT: ``x``/``y`` are latitude/longitude in degrees × 1e7, ``z`` metres."""

    command: int
    frame: int = MavFrame.GLOBAL_RELATIVE_ALT_INT
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    x: int = 0
    y: int = 0
    z: float = 0.0
    autocontinue: bool = True
    current: bool = False
    mission_type: MissionType = MissionType.MISSION

    @property
    def lat_deg(self) -> float:
        """Latitude in degrees."""
        return self.x / 1e7

    @property
    def lon_deg(self) -> float:
        """Longitude in degrees."""
        return self.y / 1e7
