"""Each route kind: geometry in metres, items per the MAVLink spec and valid for both families."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import unary_union

import missions as m
from geofence import MavCmd, MavFrame
from geofence._geo import geodesic_distance_m
from tests.missions.helpers import (
    PROJ,
    YONGZHOU,
    check_item_spec,
    convex_polygons_m,
    latlon,
    outline,
    rectangle,
    xy,
)

DOCK = m.DockPoint("dock-7", *latlon(-30.0, 10.0))
AREA = rectangle(100, 100, 800, 400)


def all_routes() -> list[m.Route]:
    """One route of every kind (and both ends)."""
    return [
        m.waypoint_route(YONGZHOU, [m.Waypoint(*latlon(50, 50), 40, 6.0, 5.0),
                                    m.Waypoint(*latlon(200, 80), 60)]),
        m.perimeter_route(YONGZHOU, AREA, alt_m=50, offset_m=25, laps=2),
        m.line_route(YONGZHOU, [latlon(0, 100), latlon(300, 250), latlon(700, 250)], alt_m=45,
                     end=m.RouteEnd.land_at(DOCK)),
        m.sweep_route(YONGZHOU, AREA, alt_m=70, speed_mps=8),
        m.orbit_route(YONGZHOU, latlon(300, 300), radius_m=60, alt_m=50, turns=1.5),
        m.orbit_route(YONGZHOU, latlon(300, 300), radius_m=60, alt_m=50,
                      style=m.OrbitStyle.LOITER_TURNS, clockwise=False),
        m.overwatch_route(YONGZHOU, latlon(400, -200), alt_m=60, hold_s=120,
                          end=m.RouteEnd.land_at(DOCK)),
        m.overwatch_route(YONGZHOU, latlon(400, -200), alt_m=60, hold_s=math.inf),
    ]


@pytest.mark.parametrize("route", all_routes(), ids=lambda r: f"{r.kind}-{r.params.get('style', '')}")
def test_every_route_takes_off_at_launch_and_ends_home_or_at_a_dock(route: m.Route) -> None:
    first, last = route.items[0], route.items[-1]
    assert first.command == MavCmd.NAV_TAKEOFF
    assert (first.lat_deg, first.lon_deg) == pytest.approx((YONGZHOU.lat_deg, YONGZHOU.lon_deg), abs=1e-7)
    if route.params["end"] == "rtl":
        assert last.command == MavCmd.NAV_RETURN_TO_LAUNCH
    else:
        assert last.command == MavCmd.NAV_LAND
        assert (last.lat_deg, last.lon_deg) == pytest.approx((DOCK.lat_deg, DOCK.lon_deg), abs=1e-7)
        assert route.params["dock"] == "dock-7"


@pytest.mark.parametrize("route", all_routes(), ids=lambda r: f"{r.kind}-{r.params.get('style', '')}")
def test_items_follow_the_spec_and_suit_both_families(route: m.Route) -> None:
    for item in route.items:
        assert check_item_spec(item) == [], item
    assert m.family_problems(route.items, m.Autopilot.ARDUPILOT) == []
    px4 = m.family_problems(route.items, m.Autopilot.PX4)
    if route.params.get("style") == "loiter_turns":
        assert len(px4) == 1 and "waypoint ring" in px4[0]
    else:
        assert px4 == []
    assert m.validate(route).ok, m.validate(route).reasons


def test_waypoint_route_sets_speed_before_the_leg_and_holds_at_the_point() -> None:
    route = m.waypoint_route(YONGZHOU, [
        m.Waypoint(*latlon(0, 100), 30, speed_mps=5, hold_s=10),
        m.Waypoint(*latlon(0, 200), 40, speed_mps=5),
        m.Waypoint(*latlon(0, 300), 50, speed_mps=12, hold_s=3)])
    cmds = [i.command for i in route.items]
    assert cmds == [MavCmd.NAV_TAKEOFF, MavCmd.DO_CHANGE_SPEED, MavCmd.NAV_WAYPOINT,
                    MavCmd.NAV_WAYPOINT, MavCmd.DO_CHANGE_SPEED, MavCmd.NAV_WAYPOINT,
                    MavCmd.NAV_RETURN_TO_LAUNCH]
    assert route.items[0].z == 30
    assert [route.items[k].param2 for k in (1, 4)] == [5, 12]
    assert [route.items[k].param1 for k in (2, 3, 5)] == [10, 0, 3]
    assert [route.items[k].z for k in (2, 3, 5)] == [30, 40, 50]
    assert all(i.frame == MavFrame.GLOBAL_RELATIVE_ALT_INT for i in route.items if i.x)


def _ring(route: m.Route) -> list[tuple[float, float]]:
    return [xy(i) for i in route.items if i.command == MavCmd.NAV_WAYPOINT]


@given(convex_polygons_m(), st.floats(0, 120), st.integers(1, 3), st.booleans())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_perimeter_keeps_exactly_the_offset_in_metres(pts: list[tuple[float, float]],
                                                      offset: float, laps: int, cw: bool) -> None:
    route = m.perimeter_route(YONGZHOU, outline(pts), alt_m=50, offset_m=offset, laps=laps,
                              clockwise=cw)
    ring = _ring(route)
    poly = Polygon(pts)
    per_lap = (len(ring) - 1) // laps
    assert len(ring) == per_lap * laps + 1 and ring[0] == pytest.approx(ring[-1], abs=0.02)
    path = LineString(ring)
    # the closest approach is the offset, and every side runs parallel at that distance
    assert path.distance(poly) == pytest.approx(offset, abs=0.05 + offset * 1e-3)
    for a, b in itertools.pairwise(ring):
        mid = Point((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        assert poly.exterior.distance(mid) >= offset - 0.05 - offset * 1e-3
    # a rectangle's corners show the mitre: each corner offset diagonally
    signed = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert (signed < 0) == cw


def test_perimeter_of_a_rectangle_is_the_rectangle_grown_by_the_offset() -> None:
    route = m.perimeter_route(YONGZHOU, rectangle(0, 0, 300, 200), alt_m=50, offset_m=30)
    ring = _ring(route)[:-1]
    xs = sorted({round(x, 1) for x, _ in ring})
    ys = sorted({round(y, 1) for _, y in ring})
    assert xs == pytest.approx([-30, 330], abs=0.1) and ys == pytest.approx([-30, 230], abs=0.1)
    assert min(math.dist(p, (0, 0)) for p in ring) == pytest.approx(math.dist(ring[0], (0, 0)))


def test_inward_offset_and_impossible_offset() -> None:
    route = m.perimeter_route(YONGZHOU, rectangle(0, 0, 300, 200), alt_m=50, offset_m=-20)
    assert Polygon(_ring(route)).area == pytest.approx(260 * 160, rel=1e-3)
    with pytest.raises(m.RouteError, match="offset"):
        m.perimeter_route(YONGZHOU, rectangle(0, 0, 300, 200), alt_m=50, offset_m=-150)


@given(convex_polygons_m(), st.floats(40, 110), st.floats(0, 85))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_sweep_covers_the_polygon_with_the_stated_overlap(pts: list[tuple[float, float]],
                                                          alt: float, overlap: float) -> None:
    camera = m.Camera(13.2, 8.8, 8.8)
    route = m.sweep_route(YONGZHOU, outline(pts), alt_m=alt, camera=camera,
                          side_overlap_pct=overlap)
    across, _along = camera.footprint_m(alt)
    spacing = route.params["spacing_m"]
    assert spacing == pytest.approx(across * (1 - overlap / 100))
    wps = _ring(route)
    lines = [(wps[k], wps[k + 1]) for k in range(0, len(wps), 2)]
    assert len(lines) == route.params["lines"]
    # lines are parallel to the long axis and neighbours are exactly one spacing apart
    axis = math.radians(route.params["angle_deg"])
    normal = (-math.sin(axis), math.cos(axis))
    offsets = [a[0] * normal[0] + a[1] * normal[1] for a, _ in lines]
    for (a, b), off in zip(lines, offsets, strict=True):
        assert b[0] * normal[0] + b[1] * normal[1] == pytest.approx(off, abs=0.05)
    gaps = [abs(q - p) for p, q in itertools.pairwise(offsets)]
    assert gaps == pytest.approx([spacing] * len(gaps), abs=0.05)
    # overlap of neighbouring swaths is the stated share of the footprint
    for gap in gaps:
        assert (across - gap) / across * 100 == pytest.approx(overlap, abs=0.1)
    # the photo swaths (footprint across, half a footprint past each end) cover the polygon
    swaths = unary_union([LineString([a, b]).buffer(across / 2, cap_style="square")
                          if math.dist(a, b) > 0.01 else Point(a).buffer(across / 2, cap_style="square")
                          for a, b in lines])
    poly = Polygon(pts)
    assert poly.difference(swaths.buffer(0.05)).area <= 1e-6 * poly.area
    # the long axis: lines are never across the short side of the bounding rectangle
    rect = Polygon([PROJ.to_metres(la, lo) for la, lo in outline(pts)]).minimum_rotated_rectangle.exterior.coords
    sides = [math.dist(rect[0], rect[1]), math.dist(rect[1], rect[2])]
    long_side = (rect[0], rect[1]) if sides[0] >= sides[1] else (rect[1], rect[2])
    long_dir = math.atan2(long_side[1][1] - long_side[0][1], long_side[1][0] - long_side[0][0])
    if max(sides) > 1.3 * min(sides):  # a roundish polygon has no long axis to speak of
        assert abs(math.sin(long_dir - axis)) < 1e-6


def test_sweep_triggers_the_camera_at_the_front_overlap_and_stops() -> None:
    route = m.sweep_route(YONGZHOU, AREA, alt_m=80, front_overlap_pct=75)
    triggers = [i for i in route.items if i.command == MavCmd.DO_SET_CAM_TRIGG_DIST]
    along = m.Camera().footprint_m(80)[1]
    assert [t.param1 for t in triggers] == pytest.approx([along * 0.25, 0.0])
    assert route.params["angle_deg"] == pytest.approx(0.0, abs=0.01)  # 800 m east-west long axis


@pytest.mark.parametrize("clockwise", [True, False])
def test_orbit_ring_is_at_the_radius_with_the_camera_on_the_centre(clockwise: bool) -> None:
    centre = latlon(300, 300)
    route = m.orbit_route(YONGZHOU, centre, radius_m=75, alt_m=50, turns=2, ring_points=12,
                          clockwise=clockwise, poi_alt_m=2)
    roi = route.items[1]
    assert roi.command == MavCmd.DO_SET_ROI_LOCATION
    assert (roi.lat_deg, roi.lon_deg, roi.z) == pytest.approx((*centre, 2), abs=1e-7)
    assert route.items[-2].command == MavCmd.DO_SET_ROI_NONE
    ring = [i for i in route.items if i.command == MavCmd.NAV_WAYPOINT]
    assert len(ring) == 2 * 12 + 1
    d = geodesic_distance_m([i.lat_deg for i in ring], [i.lon_deg for i in ring], *centre)
    assert d == pytest.approx([75] * len(ring), rel=2e-3)
    c = xy(roi)
    pts = [xy(i) for i in ring[:13]]
    turn = sum((a[0] - c[0]) * (b[1] - c[1]) - (a[1] - c[1]) * (b[0] - c[0])
               for a, b in itertools.pairwise(pts))
    assert (turn < 0) == clockwise
    # starts on the side facing the launch point
    assert math.dist(pts[0], (0, 0)) == pytest.approx(min(math.dist(p, (0, 0)) for p in pts), abs=1e-6)


def test_orbit_with_loiter_turns_signs_the_radius_by_direction() -> None:
    for cw, sign in ((True, 1), (False, -1)):
        route = m.orbit_route(YONGZHOU, latlon(100, 100), radius_m=40, alt_m=50, turns=3,
                              style=m.OrbitStyle.LOITER_TURNS, clockwise=cw)
        loiter = next(i for i in route.items if i.command == MavCmd.NAV_LOITER_TURNS)
        assert (loiter.param1, loiter.param3) == (3, sign * 40)


def test_overwatch_points_the_camera_and_holds() -> None:
    target = latlon(500, 100)
    timed = m.overwatch_route(YONGZHOU, target, alt_m=70, hold_s=90)
    cmds = [i.command for i in timed.items]
    assert cmds == [MavCmd.NAV_TAKEOFF, MavCmd.DO_SET_ROI_LOCATION, MavCmd.NAV_LOITER_TIME,
                    MavCmd.DO_SET_ROI_NONE, MavCmd.NAV_RETURN_TO_LAUNCH]
    hold = timed.items[2]
    assert (hold.lat_deg, hold.lon_deg, hold.z, hold.param1) == pytest.approx((*target, 70, 90), abs=1e-7)
    endless = m.overwatch_route(YONGZHOU, target, alt_m=70, hold_s=math.inf)
    assert endless.items[2].command == MavCmd.NAV_LOITER_UNLIM


def test_overwatch_flies_its_corners_with_the_camera_already_on_the_target() -> None:
    target, corners = latlon(800, 0), [latlon(300, 250), latlon(600, 250)]
    route = m.overwatch_route(YONGZHOU, target, alt_m=70, hold_s=math.inf, via=corners)
    cmds = [i.command for i in route.items]
    assert cmds == [MavCmd.NAV_TAKEOFF, MavCmd.DO_SET_ROI_LOCATION, MavCmd.NAV_WAYPOINT,
                    MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_UNLIM, MavCmd.DO_SET_ROI_NONE,
                    MavCmd.NAV_WAYPOINT, MavCmd.NAV_WAYPOINT, MavCmd.NAV_RETURN_TO_LAUNCH]
    flown = [v for i in route.items[2:4] + route.items[6:8] for v in (i.lat_deg, i.lon_deg, i.z)]
    way = corners + corners[::-1]  # out, and back the same way
    assert flown == pytest.approx([v for c in way for v in (*c, 70)], abs=1e-7)
    with pytest.raises(m.RouteError, match="overwatch corner 1"):
        m.overwatch_route(YONGZHOU, target, alt_m=70, via=[corners[0], (91.0, 0.0)])


def test_line_patrol_goes_out_and_back() -> None:
    line = [latlon(0, 100), latlon(300, 250), latlon(700, 250)]
    route = m.line_route(YONGZHOU, line, alt_m=45, laps=2)
    pts = [(i.lat_deg, i.lon_deg) for i in route.items if i.command == MavCmd.NAV_WAYPOINT]
    expect = line + line[-2::-1] + line[1:] + line[-2::-1]
    assert len(pts) == len(expect)
    for got, want in zip(pts, expect, strict=True):
        assert got == pytest.approx(want, abs=1e-7)


@pytest.mark.parametrize(("build", "match"), [
    (lambda: m.waypoint_route(YONGZHOU, []), "at least one"),
    (lambda: m.waypoint_route(YONGZHOU, [m.Waypoint(91, 0, 30)]), "waypoint 0"),
    (lambda: m.waypoint_route(YONGZHOU, [m.Waypoint(26.42, 111.6, -5)]), "alt_m"),
    (lambda: m.waypoint_route(YONGZHOU, [m.Waypoint(26.42, 111.6, 30, speed_mps=0)]), "speed"),
    (lambda: m.waypoint_route(YONGZHOU, [m.Waypoint(26.42, 111.6, 30, hold_s=math.nan)]), "hold"),
    (lambda: m.perimeter_route(YONGZHOU, AREA[:2], alt_m=50), "3 distinct"),
    (lambda: m.perimeter_route(YONGZHOU, AREA, alt_m=50, laps=0), "laps"),
    (lambda: m.perimeter_route(YONGZHOU, outline([(0, 0), (100, 100), (100, 0), (0, 100)]),
                               alt_m=50), "simple polygon"),
    (lambda: m.line_route(YONGZHOU, [latlon(0, 0), latlon(0, 0)], alt_m=50), "2 distinct"),
    (lambda: m.sweep_route(YONGZHOU, AREA, alt_m=50, side_overlap_pct=99), "side_overlap"),
    (lambda: m.orbit_route(YONGZHOU, latlon(0, 0), radius_m=0, alt_m=50), "radius"),
    (lambda: m.orbit_route(YONGZHOU, latlon(0, 0), radius_m=10, alt_m=50, ring_points=2), "ring_points"),
    (lambda: m.overwatch_route(YONGZHOU, latlon(0, 0), alt_m=50, hold_s=-1), "hold_s"),
    (lambda: m.RouteEnd(m.EndAction.LAND), "dock"),
    (lambda: m.waypoint_route(YONGZHOU, [m.Waypoint(-26.42, -68.0, 30)]), "km"),
])
def test_bad_parameters_are_refused_by_name(build, match: str) -> None:
    with pytest.raises(m.RouteError, match=match):
        build()
