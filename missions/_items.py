"""Mission-item vocabulary: which commands fly to a place, what their frames mean, constructors.

Items are geofence's :class:`~geofence.MissionItem` (MISSION_ITEM_INT field for field). Built
items put places in the ``_INT`` frames (``GLOBAL_RELATIVE_ALT_INT`` for altitudes above home);
plan files store the float-message frames (``GLOBAL_RELATIVE_ALT``), and readers map them back,
so the same place reads and writes the same way in every format. Parameter meanings follow the
MAVLink MAV_CMD reference; NaN means "leave as is" (yaw), as QGroundControl writes it.
"""

from __future__ import annotations

import math
from dataclasses import fields

from geofence import MavCmd, MavFrame, MissionItem
from missions._cmd_names import MAV_CMD_NAMES

NAN = math.nan

NAV_TO_PLACE = frozenset({
    MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TURNS, MavCmd.NAV_LOITER_TIME,
    MavCmd.NAV_LAND, MavCmd.NAV_TAKEOFF, MavCmd.NAV_LOITER_TO_ALT,
    82,  # NAV_SPLINE_WAYPOINT
    84, 85,  # NAV_VTOL_TAKEOFF, NAV_VTOL_LAND
    94,  # NAV_PAYLOAD_PLACE
})
"""Navigation commands whose x/y/z is a place the vehicle flies to (or lands/takes off at)."""

PLACED_NON_NAV = frozenset({
    MavCmd.DO_SET_ROI_LOCATION, MavCmd.DO_SET_ROI, 80,  # NAV_ROI
    MavCmd.DO_SET_HOME, 192,  # DO_REPOSITION
    MavCmd.NAV_RALLY_POINT, MavCmd.NAV_FENCE_RETURN_POINT,
})
"""Commands that name a place without flying the mission there."""

NEEDS_ALTITUDE_FRAME = NAV_TO_PLACE | PLACED_NON_NAV
"""Commands whose frame must say what the altitude is measured from."""

RELATIVE_FRAMES = frozenset({MavFrame.GLOBAL_RELATIVE_ALT, MavFrame.GLOBAL_RELATIVE_ALT_INT})
AMSL_FRAMES = frozenset({MavFrame.GLOBAL, MavFrame.GLOBAL_INT})
TERRAIN_FRAMES = frozenset({MavFrame.GLOBAL_TERRAIN_ALT, MavFrame.GLOBAL_TERRAIN_ALT_INT})
GLOBAL_FRAMES = RELATIVE_FRAMES | AMSL_FRAMES | TERRAIN_FRAMES

_TO_FILE_FRAME = {MavFrame.GLOBAL_INT: MavFrame.GLOBAL,
                  MavFrame.GLOBAL_RELATIVE_ALT_INT: MavFrame.GLOBAL_RELATIVE_ALT,
                  MavFrame.GLOBAL_TERRAIN_ALT_INT: MavFrame.GLOBAL_TERRAIN_ALT}
_FROM_FILE_FRAME = {v: k for k, v in _TO_FILE_FRAME.items()}

MAV_FRAME_NAMES = {0: "GLOBAL", 1: "LOCAL_NED", 2: "MISSION", 3: "GLOBAL_RELATIVE_ALT",
                   4: "LOCAL_ENU", 5: "GLOBAL_INT", 6: "GLOBAL_RELATIVE_ALT_INT",
                   7: "LOCAL_OFFSET_NED", 8: "BODY_NED", 9: "BODY_OFFSET_NED",
                   10: "GLOBAL_TERRAIN_ALT", 11: "GLOBAL_TERRAIN_ALT_INT", 12: "BODY_FRD",
                   20: "LOCAL_FRD", 21: "LOCAL_FLU"}


def command_name(command: int) -> str:
    """MAV_CMD name without prefix (``NAV_WAYPOINT``), or the number when unknown."""
    return MAV_CMD_NAMES.get(command, str(command))


def frame_name(frame: int) -> str:
    """MAV_FRAME name without prefix, or the number when unknown."""
    return MAV_FRAME_NAMES.get(frame, str(frame))


def describe_item(index: int, item: MissionItem) -> str:
    """``item 3 (NAV_WAYPOINT)``: how errors and reasons name an item."""
    return f"item {index} ({command_name(item.command)})"


def to_file_frame(frame: int) -> int:
    """The float-message frame plan files store for an item frame (``_INT`` variants mapped)."""
    return int(_TO_FILE_FRAME.get(frame, frame))  # type: ignore[call-overload]


def from_file_frame(frame: int) -> int:
    """The item frame for a frame read from a plan file (float-message frames mapped to _INT)."""
    return int(_FROM_FILE_FRAME.get(frame, frame))  # type: ignore[call-overload]


def has_place(item: MissionItem) -> bool:
    """Whether the item names a position (lat/lon not both zero) in a global frame."""
    return item.frame in GLOBAL_FRAMES and (item.x != 0 or item.y != 0)


def e7(deg: float) -> int:
    """Degrees as the integer degrees × 1e7 of MISSION_ITEM_INT."""
    return round(deg * 1e7)


def nav_item(command: int, lat_deg: float, lon_deg: float, alt_m: float, *,
             p1: float = 0.0, p2: float = 0.0, p3: float = 0.0, p4: float = NAN) -> MissionItem:
    """A command at a place, altitude above home."""
    return MissionItem(command=command, frame=MavFrame.GLOBAL_RELATIVE_ALT_INT, param1=p1,
                       param2=p2, param3=p3, param4=p4, x=e7(lat_deg), y=e7(lon_deg), z=float(alt_m))


def do_item(command: int, p1: float = 0.0, p2: float = 0.0, p3: float = 0.0,
            p4: float = 0.0) -> MissionItem:
    """A command without a place (frame MISSION)."""
    return MissionItem(command=command, frame=MavFrame.MISSION, param1=p1, param2=p2, param3=p3,
                       param4=p4)


def takeoff(lat_deg: float, lon_deg: float, alt_m: float) -> MissionItem:
    """NAV_TAKEOFF to ``alt_m`` above home at the launch point (pitch 0, yaw unchanged)."""
    return nav_item(MavCmd.NAV_TAKEOFF, lat_deg, lon_deg, alt_m)


def waypoint(lat_deg: float, lon_deg: float, alt_m: float, hold_s: float = 0.0) -> MissionItem:
    """NAV_WAYPOINT: param1 hold seconds, acceptance and pass radius default, yaw unchanged."""
    return nav_item(MavCmd.NAV_WAYPOINT, lat_deg, lon_deg, alt_m, p1=hold_s)


def change_speed(speed_mps: float) -> MissionItem:
    """DO_CHANGE_SPEED: ground speed (type 1) in m/s, throttle unchanged (-1)."""
    return do_item(MavCmd.DO_CHANGE_SPEED, 1.0, speed_mps, -1.0, 0.0)


def roi_location(lat_deg: float, lon_deg: float, alt_m: float) -> MissionItem:
    """DO_SET_ROI_LOCATION: point the vehicle and camera at a place (all gimbals: param1 0)."""
    return nav_item(MavCmd.DO_SET_ROI_LOCATION, lat_deg, lon_deg, alt_m, p4=0.0)


def roi_none() -> MissionItem:
    """DO_SET_ROI_NONE: back to the default heading and camera."""
    return do_item(MavCmd.DO_SET_ROI_NONE)


def camera_trigger_distance(distance_m: float) -> MissionItem:
    """DO_SET_CAM_TRIGG_DIST: a photo every ``distance_m`` (0 stops), trigger once now (param3)."""
    return do_item(MavCmd.DO_SET_CAM_TRIGG_DIST, distance_m, 0.0, 1.0 if distance_m > 0 else 0.0)


def loiter_time(lat_deg: float, lon_deg: float, alt_m: float, hold_s: float) -> MissionItem:
    """NAV_LOITER_TIME: hold over a place for ``hold_s`` seconds (heading not required, exit at centre)."""
    return nav_item(MavCmd.NAV_LOITER_TIME, lat_deg, lon_deg, alt_m, p1=hold_s, p4=0.0)


def loiter_unlimited(lat_deg: float, lon_deg: float, alt_m: float) -> MissionItem:
    """NAV_LOITER_UNLIM: hold over a place until told otherwise."""
    return nav_item(MavCmd.NAV_LOITER_UNLIM, lat_deg, lon_deg, alt_m)


def loiter_turns(lat_deg: float, lon_deg: float, alt_m: float, turns: float, radius_m: float,
                 clockwise: bool) -> MissionItem:
    """NAV_LOITER_TURNS: circle a place; param3 radius, negative for counter-clockwise."""
    return nav_item(MavCmd.NAV_LOITER_TURNS, lat_deg, lon_deg, alt_m, p1=turns,
                    p3=radius_m if clockwise else -radius_m, p4=0.0)


def land(lat_deg: float, lon_deg: float) -> MissionItem:
    """NAV_LAND at a place (abort altitude 0 = default, normal landing, yaw unchanged)."""
    return nav_item(MavCmd.NAV_LAND, lat_deg, lon_deg, 0.0)


def return_to_launch() -> MissionItem:
    """NAV_RETURN_TO_LAUNCH (no parameters)."""
    return do_item(MavCmd.NAV_RETURN_TO_LAUNCH)


def same_item(a: MissionItem, b: MissionItem) -> bool:
    """Equality that treats NaN parameters as equal (a NaN yaw means "unchanged")."""
    for f in fields(MissionItem):
        u, v = getattr(a, f.name), getattr(b, f.name)
        if u != v and not (isinstance(u, float) and isinstance(v, float)
                           and math.isnan(u) and math.isnan(v)):
            return False
    return True
