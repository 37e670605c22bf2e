"""What each autopilot family accepts in an uploaded mission, checked item by item.

Only item validity lives here (frames, parameters, commands the family's mission mode runs);
how the station talks to each family (ArduPilot's home slot in item 0, mode numbers) belongs
to the station's firmware plugins. Sources: the MAVLink MAV_CMD reference, ArduPilot's
mission command list, PX4's mission-mode documentation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum

from geofence import MavCmd, MissionItem
from missions import _items as it


class Autopilot(StrEnum):
    """Autopilot families the station flies."""

    ARDUPILOT = "ardupilot"
    PX4 = "px4"


_COMMON = frozenset({
    MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TURNS, MavCmd.NAV_LOITER_TIME,
    MavCmd.NAV_RETURN_TO_LAUNCH, MavCmd.NAV_LAND, MavCmd.NAV_TAKEOFF, MavCmd.NAV_DELAY,
    MavCmd.DO_JUMP, MavCmd.DO_CHANGE_SPEED, MavCmd.DO_SET_ROI_LOCATION, MavCmd.DO_SET_ROI_NONE,
    MavCmd.DO_SET_ROI, MavCmd.DO_MOUNT_CONTROL, MavCmd.DO_SET_CAM_TRIGG_DIST,
    MavCmd.DO_GIMBAL_MANAGER_PITCHYAW, MavCmd.IMAGE_START_CAPTURE, MavCmd.VIDEO_START_CAPTURE,
    MavCmd.CONDITION_DELAY, MavCmd.CONDITION_YAW, MavCmd.DO_LAND_START, 82, 84, 85, 203, 214,
    2001, 2501,
})
SUPPORTED: dict[Autopilot, frozenset[int]] = {
    Autopilot.ARDUPILOT: _COMMON | {MavCmd.NAV_LOITER_TO_ALT, MavCmd.DO_SET_HOME, 183, 181, 211,
                                    94, 92},
    Autopilot.PX4: _COMMON | {MavCmd.NAV_LOITER_TO_ALT, 3000, 2000, 2500, 530, 531, 532},
}
"""Mission commands each family's mission mode executes (a conservative list)."""

MAX_ITEMS = {Autopilot.ARDUPILOT: 700, Autopilot.PX4: 2000}
"""Mission sizes that fit the smallest common flight controllers of each family."""

_YAW_PARAM4 = frozenset({MavCmd.NAV_WAYPOINT, MavCmd.NAV_TAKEOFF, MavCmd.NAV_LAND,
                         MavCmd.NAV_LOITER_UNLIM})


def family_problems(items: Sequence[MissionItem], autopilot: Autopilot) -> list[str]:
    """Why these items would be refused or misflown by a family's mission mode (empty: fine)."""
    problems: list[str] = []
    if len(items) > MAX_ITEMS[autopilot]:
        problems.append(f"{len(items)} items exceed the {MAX_ITEMS[autopilot]} a "
                        f"{autopilot.value} mission reliably holds")
    for i, item in enumerate(items):
        what = it.describe_item(i, item)
        if item.command not in SUPPORTED[autopilot]:
            problems.append(f"{what}: not run by {autopilot.value} mission mode")
            continue
        if item.command in it.NEEDS_ALTITUDE_FRAME and item.frame not in it.GLOBAL_FRAMES:
            problems.append(f"{what}: frame {it.frame_name(item.frame)} has no global position")
        params = (item.param1, item.param2, item.param3, item.param4, item.z)
        for k, value in enumerate(params):
            if math.isnan(value) and not (k == 3 and item.command in _YAW_PARAM4):
                problems.append(f"{what}: param{k + 1 if k < 4 else 7} is NaN")
            elif math.isinf(value):
                problems.append(f"{what}: param{k + 1 if k < 4 else 7} is infinite")
        problems += _command_problems(what, item, autopilot)
    return problems


def _command_problems(what: str, item: MissionItem, autopilot: Autopilot) -> list[str]:
    c = item.command
    out: list[str] = []
    if c == MavCmd.NAV_LOITER_TURNS:
        if not item.param1 > 0:
            out.append(f"{what}: turns {item.param1} must be positive")
        if item.param3 == 0:
            out.append(f"{what}: radius 0")
        if autopilot is Autopilot.ARDUPILOT and abs(item.param3) > 2550:
            out.append(f"{what}: ArduPilot stores loiter radii up to 2550 m")
        if autopilot is Autopilot.PX4:
            out.append(f"{what}: PX4 multicopters hold at the centre instead of circling; "
                       "use a waypoint ring")
    elif c == MavCmd.DO_CHANGE_SPEED:
        if item.param1 not in (0.0, 1.0, 2.0, 3.0) or not item.param2 > 0:
            out.append(f"{what}: speed type {item.param1} / speed {item.param2} m/s invalid")
    elif c in (MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_TIME) and item.param1 < 0:
        out.append(f"{what}: negative hold time {item.param1} s")
    elif c == MavCmd.DO_JUMP:
        out.append(f"{what}: DO_JUMP targets count ArduPilot's home slot and PX4's do not; "
                   "unroll the repeats")
    if c in it.NAV_TO_PLACE and c not in (MavCmd.NAV_TAKEOFF, MavCmd.NAV_LAND) and not it.has_place(item):
        out.append(f"{what}: no position")
    return out
