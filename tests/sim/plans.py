"""Plans near the simulated vehicles' default home (Yongzhou): short enough to fly in seconds."""

from __future__ import annotations

from functools import cache

from geofence import LocalProjection, MavCmd, MavFrame, MissionItem
from groundstation.sim import YONGZHOU_HOME


@cache
def projection(lat_deg: float, lon_deg: float) -> LocalProjection:
    """The metric projection around a home (cached: building one takes milliseconds)."""
    return LocalProjection.for_center(lat_deg, lon_deg)


def point(east_m: float, north_m: float, home: tuple[float, float] = YONGZHOU_HOME[:2]) -> tuple[int, int]:
    """Degrees × 1e7 of a point ``east_m`` / ``north_m`` from a home."""
    lat, lon = projection(*home).to_wgs84(east_m, north_m)
    return round(lat * 1e7), round(lon * 1e7)


def short_route(home: tuple[float, float] = YONGZHOU_HOME[:2], alt_m: float = 20.0) -> list[MissionItem]:
    """Take off, three waypoints 60-80 m out (one with a hold), a speed change, return to launch."""
    items = [MissionItem(command=MavCmd.NAV_TAKEOFF, z=alt_m)]
    for i, (east, north) in enumerate(((60.0, 0.0), (60.0, 60.0), (0.0, 60.0))):
        x, y = point(east, north, home)
        items.append(
            MissionItem(command=MavCmd.NAV_WAYPOINT, x=x, y=y, z=alt_m, param1=2.0 if i == 1 else 0)
        )
        if i == 0:
            items.append(MissionItem(
                command=MavCmd.DO_CHANGE_SPEED, frame=MavFrame.MISSION, param1=1, param2=8, param3=-1
            ))
    items.append(MissionItem(command=MavCmd.NAV_RETURN_TO_LAUNCH, frame=MavFrame.MISSION))
    return items


def square_fence(half_m: float, home: tuple[float, float] = YONGZHOU_HOME[:2]) -> list[MissionItem]:
    """An inclusion square of side ``2 * half_m`` centred on home."""
    corners = [(-half_m, -half_m), (half_m, -half_m), (half_m, half_m), (-half_m, half_m)]
    items = []
    for east, north in corners:
        x, y = point(east, north, home)
        items.append(MissionItem(command=MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
                                 frame=MavFrame.GLOBAL, param1=4, x=x, y=y))  # fmt: skip
    return items


def rally_points(home: tuple[float, float] = YONGZHOU_HOME[:2]) -> list[MissionItem]:
    """Two rally points, 150 m north-east and 150 m south-west of home, 25 m up."""
    items = []
    for east, north in ((150.0, 150.0), (-150.0, -150.0)):
        x, y = point(east, north, home)
        items.append(MissionItem(command=MavCmd.NAV_RALLY_POINT, x=x, y=y, z=25))
    return items
