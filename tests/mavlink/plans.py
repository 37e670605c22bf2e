"""Plans the MAVLink tests upload: a patrol route, a fence, rally points (near Yongzhou)."""

from __future__ import annotations

from dataclasses import replace

from geofence import MavCmd, MavFrame, MissionItem, MissionType


def route(n: int = 5) -> list[MissionItem]:
    """Take off, ``n - 3`` waypoints, a speed change, return to launch (``n`` items)."""
    items = [MissionItem(command=MavCmd.NAV_TAKEOFF, z=20)]
    for i in range(n - 3):
        items.append(
            MissionItem(
                command=MavCmd.NAV_WAYPOINT,
                x=262512345 + i * 1000,
                y=1116012345 + i * 500,
                z=40,
                param1=2.0,
            )
        )
    items.append(
        MissionItem(
            command=MavCmd.DO_CHANGE_SPEED, frame=MavFrame.MISSION, param1=1, param2=8, param3=-1
        )
    )
    items.append(MissionItem(command=MavCmd.NAV_RETURN_TO_LAUNCH, frame=MavFrame.MISSION))
    return items


def fence() -> list[MissionItem]:
    """An inclusion square with an exclusion circle inside."""
    corners = [
        (262400000, 1115900000),
        (262600000, 1115900000),
        (262600000, 1116100000),
        (262400000, 1116100000),
    ]
    items = [
        MissionItem(
            command=MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            frame=MavFrame.GLOBAL,
            param1=4,
            x=x,
            y=y,
        )
        for x, y in corners
    ]
    items.append(
        MissionItem(
            command=MavCmd.NAV_FENCE_CIRCLE_EXCLUSION,
            frame=MavFrame.GLOBAL,
            param1=80,
            x=262500000,
            y=1116000000,
        )
    )
    return items


def rally() -> list[MissionItem]:
    """One rally point."""
    return [MissionItem(command=MavCmd.NAV_RALLY_POINT, x=262010000, y=1116010000, z=25)]


def typed(items: list[MissionItem], mission_type: MissionType) -> list[MissionItem]:
    """The items as they come back from a vehicle: tagged with their plan type."""
    return [replace(item, mission_type=mission_type) for item in items]
