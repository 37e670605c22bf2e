"""Zone-avoiding paths: detours that geofence confirms clear, exemptions, closed ways, the map."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geofence import GeoPoint, Zone, ZoneKind, ZoneSet
from groundstation.dispatch import DispatchSettings, Leg, PathPlanner, Reason
from groundstation.dispatch._octagons import AXES, blocked_edges, bypass, corners
from tests.dispatch.helpers import AT, PROJECTION, offset

CRUISE_AMSL = 160.0
SCENE = GeoPoint(*offset(0, 0), CRUISE_AMSL)


def plan(zones: list[Zone], starts: list[tuple[float, float]], **kwargs):  # type: ignore[no-untyped-def]
    zone_set = ZoneSet(zones, projection=PROJECTION, indexed=kwargs.pop("indexed", True))
    planner = PathPlanner(zone_set, DispatchSettings(**kwargs))
    legs = [Leg(*offset(n, e), CRUISE_AMSL) for n, e in starts]
    return zone_set, planner.plan(legs, SCENE, at=AT, home_amsl_m=100.0)


def clear(zone_set: ZoneSet, latlon) -> bool:  # type: ignore[no-untyped-def]
    points = [(lat, lon, CRUISE_AMSL) for lat, lon in latlon]
    return not [v for v in zone_set.check_route(points, at=AT, home_amsl_m=100.0)
                if v.kind.value != "within_margin"]


def circle(zone_id: str, north_m: float, east_m: float, radius_m: float, **kw) -> Zone:  # type: ignore[no-untyped-def]
    return Zone.circle(zone_id, zone_id, ZoneKind.NO_FLY, *offset(north_m, east_m), radius_m, **kw)


def test_a_clear_line_stays_straight() -> None:
    _, (path,) = plan([circle("aside", 1000, 800, 100)], [(2000, 0)])
    assert not path.detoured and path.problem is None and path.checked
    assert path.length_m == pytest.approx(2000, rel=1e-3)
    assert len(path.latlon) == 2


def test_a_blocked_line_goes_around_with_clearance() -> None:
    zones, (path,) = plan([circle("school", 1000, 0, 200)], [(2000, 0)], clearance_m=25.0)
    assert path.detoured and path.problem is None
    assert clear(zones, path.latlon)
    assert 2000 < path.length_m < 2000 + 2 * 260
    x, y = PROJECTION.to_metres(np.array([p[0] for p in path.latlon]),
                                np.array([p[1] for p in path.latlon]))
    line = shapely.LineString(np.column_stack([x, y]))
    assert line.distance(shapely.Point(0, 1000)) >= 200 + 25 - 1


def test_zones_met_only_by_the_detour_are_learnt() -> None:
    zones = [circle("first", 1000, 0, 200), circle("beside", 1000, 330, 120),
             circle("other", 1000, -330, 120)]
    zone_set, (path,) = plan(zones, [(2000, 0)])
    assert path.problem is None and clear(zone_set, path.latlon)


@pytest.mark.parametrize("layers", [1, 2, 12])
def test_a_wall_of_zones_is_passed_at_its_end(layers: int) -> None:
    # with few flood layers the wall is learnt over several re-plans instead of at once
    wall = [circle(f"w{i}", 1000, e, 120) for i, e in enumerate(range(-1200, 1201, 200))]
    zone_set, (path,) = plan(wall, [(2000, 300)], max_flood_layers=layers)
    assert path.problem is None and clear(zone_set, path.latlon)
    assert path.length_m > 2 * math.hypot(1000, 1200)  # around the end of the wall


def test_a_scene_ringed_by_zones_has_no_path() -> None:
    ring = Zone.polygon(
        "ring", "ring", ZoneKind.NO_FLY,
        [offset(n, e) for n, e in ((-800, -800), (-800, 800), (800, 800), (800, -800))],
        holes=[[offset(n, e) for n, e in ((-400, -400), (-400, 400), (400, 400), (400, -400))]])
    _, (path,) = plan([ring], [(2000, 0)])
    assert path.problem is not None and path.problem.reason is Reason.NO_PATH


def test_a_start_or_scene_inside_a_zone_is_a_warning_not_a_block() -> None:
    _, (from_inside, plain) = plan([circle("base", 2000, 0, 300), circle("site", 0, 0, 150)],
                                       [(2000, 0), (0, 2000)])
    assert from_inside.problem is None and plain.problem is None
    assert any("base" in w for w in from_inside.warnings)
    assert all(any("site" in w for w in p.warnings) for p in (from_inside, plain))
    assert not any("base" in w for w in plain.warnings)


def test_leaving_the_operating_area_excludes() -> None:
    area = Zone.polygon("city", "city", ZoneKind.OPERATING_AREA,
                        [offset(n, e) for n, e in ((-3000, -3000), (-3000, 3000), (1500, 3000),
                                                   (1500, -3000))])
    _, (inside, outside) = plan([area], [(1000, 0), (2500, 0)])
    assert inside.problem is None
    assert outside.problem is not None and outside.problem.reason is Reason.LEAVES_AREA


def test_beyond_the_zone_map_is_excluded() -> None:
    zone_set = ZoneSet([circle("z", 0, 0, 50)], projection=PROJECTION)
    (path,) = PathPlanner(zone_set, DispatchSettings()).plan(
        [Leg(30.0, 111.61, 200.0)], SCENE, at=AT, home_amsl_m=100.0)
    assert path.problem is not None and path.problem.reason is Reason.BEYOND_MAP


def test_a_zone_only_active_later_does_not_block() -> None:
    from datetime import timedelta

    from geofence import TimeWindow

    later = TimeWindow(AT + timedelta(hours=2), AT + timedelta(hours=4))
    _, (path,) = plan([circle("event", 1000, 0, 200, schedule=later)], [(2000, 0)])
    assert not path.detoured and path.problem is None


def test_a_start_inside_a_long_zone_is_exempt_wherever_its_path_sits_in_the_check() -> None:
    # the zone covers the first 600 m of each path, cut into 200 m pieces; paths are checked
    # chained through the scene, every other one backwards, so one of them meets the zone on
    # later pieces before the piece at its start
    zones = [circle("event", 2000, 0, 700), circle("stadium", -2000, 0, 700)]
    _, paths = plan(zones, [(2400, 0), (-2400, 0)], check_piece_m=200.0)
    for path in paths:
        assert path.problem is None and not path.detoured
        assert path.length_m == pytest.approx(2400, rel=1e-3)
        assert len(path.warnings) == 1 and "starts inside zone" in path.warnings[0]


# -- properties ---------------------------------------------------------------------------------

zone_strategy = st.lists(
    st.tuples(st.floats(-2500, 2500), st.floats(-2500, 2500), st.floats(30, 300)),
    min_size=1, max_size=12)
start_strategy = st.lists(st.tuples(st.floats(-3000, 3000), st.floats(-3000, 3000)),
                          min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone_strategy, start_strategy)
def test_every_planned_path_is_clear_and_no_shorter_than_the_line(specs, starts) -> None:  # type: ignore[no-untyped-def]
    zones = [circle(f"z{i}", n, e, r) for i, (n, e, r) in enumerate(specs)]
    zone_set, paths = plan(zones, starts)
    _, naive = plan(zones, starts, indexed=False)
    scene_zones = {v.zone_id for v in zone_set.check_point(SCENE, at=AT, home_amsl_m=100.0)}
    for path, twin in zip(paths, naive, strict=True):
        assert path.length_m >= path.straight_m * (1 - 1e-3) - 1e-3
        assert (path.problem, path.length_m) == (twin.problem, twin.length_m)
        if path.problem is None:
            start = (*path.latlon[0], CRUISE_AMSL)
            exempt = scene_zones | {v.zone_id for v in zone_set.check_point(
                start, at=AT, home_amsl_m=100.0)}
            found = {v.zone_id for v in zone_set.check_route(
                [(la, lo, CRUISE_AMSL) for la, lo in path.latlon], at=AT, home_amsl_m=100.0)}
            assert found <= exempt


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zone_strategy, start_strategy)
@example([(30.0, 2.0, 30.0), (30.0, 1.0, 30.0)], [(0.0, 0.0), (1.0, 0.0)])  # two start zones
def test_a_path_planned_with_others_is_the_path_planned_alone(specs, starts) -> None:  # type: ignore[no-untyped-def]
    zones = [circle(f"z{i}", n, e, r) for i, (n, e, r) in enumerate(specs)]
    _, together = plan(zones, starts, check_piece_m=400.0)
    for start, path in zip(starts, together, strict=True):
        _, (alone,) = plan(zones, [start], check_piece_m=400.0)
        assert (path.problem, path.detoured, path.warnings) == (alone.problem, alone.detoured,
                                                                alone.warnings)
        assert path.length_m == pytest.approx(alone.length_m, rel=1e-9)


octagon = st.lists(st.floats(10, 400), min_size=8, max_size=8)
point = st.tuples(st.floats(-600, 600), st.floats(-600, 600))


@settings(max_examples=200, deadline=None)
@given(octagon, point, point)
def test_blocked_edges_agree_with_shapely(radii, p, q) -> None:  # type: ignore[no-untyped-def]
    supports = np.array([radii])
    outline = corners(supports)
    polygon = shapely.Polygon(outline[0])
    points = np.array([p, q], dtype=float)
    if polygon.is_empty or not polygon.is_valid:
        return
    inside_p = [polygon.contains(shapely.Point(*x)) for x in points]
    ignore = np.array([[a] for a in inside_p])
    blocked = blocked_edges(points, supports, outline, ignore)[0, 1]
    segment = shapely.LineString(points)
    crosses = segment.intersection(polygon).length > 1e-3 and not any(inside_p)
    if p != q and not any(inside_p):
        dist = polygon.exterior.distance(segment)
        if dist > 1e-3 or crosses:
            assert blocked == crosses


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(-900, 900), st.floats(-300, 300), st.floats(10, 150)),
                min_size=1, max_size=8))
def test_bypass_misses_every_octagon(specs) -> None:  # type: ignore[no-untyped-def]
    centres = np.array([[e, n] for n, e, _ in specs])
    supports = centres @ AXES.T + np.array([r for _, _, r in specs])[:, None]
    start, end = np.array([0.0, -1500.0]), np.array([0.0, 1500.0])
    path = bypass(start, end, corners(supports + 1.0))
    line = shapely.LineString(path)
    for outline in corners(supports):
        assert line.intersection(shapely.Polygon(outline)).length < 1e-6
