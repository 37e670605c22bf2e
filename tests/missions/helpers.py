"""Shared places, strategies and item checks for the missions tests."""

from __future__ import annotations

import math

from hypothesis import assume
from hypothesis import strategies as st
from shapely.geometry import Polygon

from geofence import GeoPoint, LocalProjection, MavCmd, MavFrame, MissionItem
from missions._cmd_names import MAV_CMD_NAMES

YONGZHOU = GeoPoint(26.42, 111.61, 110.0)
PROJ = LocalProjection.for_center(YONGZHOU.lat_deg, YONGZHOU.lon_deg)
POSITION_FRAMES = {MavFrame.GLOBAL_RELATIVE_ALT_INT, MavFrame.GLOBAL_RELATIVE_ALT,
                   MavFrame.GLOBAL_INT, MavFrame.GLOBAL}


def latlon(x_m: float, y_m: float) -> tuple[float, float]:
    """WGS84 of a point x metres east and y north of the launch point."""
    return PROJ.to_wgs84(x_m, y_m)


def xy(item: MissionItem) -> tuple[float, float]:
    """Metres east/north of the launch point of an item's position."""
    return PROJ.to_metres(item.lat_deg, item.lon_deg)


def outline(points_m: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """WGS84 outline of a polygon given in metres around the launch point."""
    return [latlon(x, y) for x, y in points_m]


def rectangle(x0: float, y0: float, w: float, h: float) -> list[tuple[float, float]]:
    """WGS84 rectangle w × h metres with its south-west corner at (x0, y0)."""
    return outline([(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)])


@st.composite
def convex_polygons_m(draw: st.DrawFn) -> list[tuple[float, float]]:
    """Convex polygons in metres within ~2 km of the launch point (vertices on an ellipse)."""
    n = draw(st.integers(3, 9))
    cx = draw(st.floats(-1500, 1500))
    cy = draw(st.floats(-1500, 1500))
    a = draw(st.floats(60, 600))
    b = draw(st.floats(60, 600))
    rot = draw(st.floats(0, math.pi))
    angles = sorted(draw(st.lists(st.floats(0, 2 * math.pi, exclude_max=True), min_size=n,
                                  max_size=n, unique=True)))
    pts = []
    for t in angles:
        x, y = a * math.cos(t), b * math.sin(t)
        pts.append((cx + x * math.cos(rot) - y * math.sin(rot), cy + x * math.sin(rot) + y * math.cos(rot)))
    poly = Polygon(pts)
    assume(poly.is_valid and poly.area > 2000 and min(
        math.dist(pts[i], pts[i - 1]) for i in range(n)) > 5)
    # no near-collinear vertices: every interior angle clearly below 180 degrees
    for i in range(n):
        ax, ay = pts[i - 1]
        bx, by = pts[i]
        cx2, cy2 = pts[(i + 1) % n]
        cross = (bx - ax) * (cy2 - by) - (by - ay) * (cx2 - bx)
        assume(abs(cross) > 0.05 * math.dist((ax, ay), (bx, by)) * math.dist((bx, by), (cx2, cy2)))
    return pts


def check_item_spec(item: MissionItem) -> list[str]:
    """Spec checks of one item against the MAVLink MAV_CMD reference (frames and parameters)."""
    bad: list[str] = []
    c = item.command
    if c not in MAV_CMD_NAMES:
        bad.append(f"unknown command {c}")
    placed = {MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TURNS,
              MavCmd.NAV_LOITER_TIME, MavCmd.NAV_LAND, MavCmd.NAV_TAKEOFF,
              MavCmd.DO_SET_ROI_LOCATION}
    if c in placed:
        if item.frame not in POSITION_FRAMES:
            bad.append(f"{c}: frame {item.frame}")
        if item.x == 0 and item.y == 0:
            bad.append(f"{c}: no position")
        if not (-90e7 <= item.x <= 90e7 and -180e7 <= item.y <= 180e7):
            bad.append(f"{c}: position out of range")
    else:
        if item.frame != MavFrame.MISSION:
            bad.append(f"{c}: frame {item.frame} for a command without a place")
    if c == MavCmd.NAV_WAYPOINT and not (item.param1 >= 0 and item.param2 >= 0 and item.param3 == 0):
        bad.append("waypoint params")
    if c in (MavCmd.NAV_WAYPOINT, MavCmd.NAV_TAKEOFF) and not math.isnan(item.param4):
        bad.append("yaw should be NaN (unchanged)")
    if c == MavCmd.NAV_TAKEOFF and not item.z > 0:
        bad.append("takeoff altitude")
    if c == MavCmd.NAV_LOITER_TURNS and not (item.param1 > 0 and item.param3 != 0):
        bad.append("loiter turns params")
    if c == MavCmd.NAV_LOITER_TIME and not item.param1 >= 0:
        bad.append("loiter time")
    if c == MavCmd.DO_CHANGE_SPEED and not (item.param1 == 1 and item.param2 > 0 and item.param3 == -1):
        bad.append("change speed params")
    if c == MavCmd.DO_SET_CAM_TRIGG_DIST and not item.param1 >= 0:
        bad.append("trigger distance")
    if c == MavCmd.DO_JUMP:
        bad.append("DO_JUMP in a built route")
    return bad
