"""Hypothesis properties of the checks, at any latitude and across the antimeridian."""

from __future__ import annotations

from hypothesis import assume, example, given
from hypothesis import strategies as st

from geofence import GeoPoint, ViolationKind, Zone, ZoneKind, ZoneSet
from tests.geofence.conftest import AT, PROPERTY, offset, ring

lats = st.floats(-89.5, 89.5)
lons = st.floats(-180.0, 180.0)
radii = st.floats(20.0, 20_000.0)


@st.composite
def zone_shapes(draw: st.DrawFn, kind: ZoneKind) -> tuple[Zone, float, float, float, float]:
    """A circle or a convex polygon inscribed in a circle; returns the zone, its centre, a
    radius within which every point is inside the zone and one outside which none is."""
    lat, lon, radius = draw(lats), draw(lons), draw(radii)
    if draw(st.booleans()):
        return Zone.circle("z", "Zone", kind, lat, lon, radius), lat, lon, radius * 0.99, radius * 1.01
    n = draw(st.integers(5, 12))
    gaps = draw(st.lists(st.floats(0.5, 1.0), min_size=n, max_size=n))
    total = sum(gaps)
    start = draw(st.floats(0, 360))
    azimuths, acc = [], start
    for g in gaps:
        azimuths.append(acc % 360.0)
        acc += 360.0 * g / total
    assume(max(360.0 * g / total for g in gaps) <= 110.0)  # contains the disc of radius r/2
    zone = Zone.polygon("z", "Zone", kind, ring(lat, lon, radius, azimuths))
    return zone, lat, lon, radius * 0.5, radius * 1.01


@PROPERTY
@given(zone_shapes(ZoneKind.NO_FLY), st.floats(0, 1), st.floats(0, 360), st.floats(0, 360),
       st.floats(2.0, 3.0), st.floats(2.0, 3.0), st.floats(0, 500))
def test_leg_through_a_zone_between_legal_waypoints_is_always_caught(
    shape: tuple, depth: float, pass_az: float, heading: float, out_a: float, out_b: float,
    alt: float,
) -> None:
    zone, lat, lon, inner, outer = shape
    through = offset(lat, lon, pass_az, depth * inner * 0.9)
    a = offset(*through, heading, out_a * outer)  # beyond the zone's outer radius: legal
    b = offset(*through, heading + 180.0, out_b * outer)
    zones = ZoneSet([zone])
    route = [GeoPoint(*a, alt), GeoPoint(*b, alt)]
    assert not zones.check_point(route[0], at=AT) and not zones.check_point(route[1], at=AT)
    violations = zones.check_route(route, at=AT)
    assert [(v.kind, v.leg_index) for v in violations] == [(ViolationKind.INSIDE_NO_FLY, 0)]


@PROPERTY
@given(zone_shapes(ZoneKind.OPERATING_AREA),
       st.lists(st.tuples(st.floats(0, 360), st.floats(0, 0.98), st.floats(-100, 3000)),
                min_size=1, max_size=30))
def test_route_inside_an_operating_area_with_no_zones_always_passes(
    shape: tuple, waypoints: list
) -> None:
    zone, lat, lon, inner, _ = shape
    route = [GeoPoint(*offset(lat, lon, az, f * inner), alt) for az, f, alt in waypoints]
    assert ZoneSet([zone]).check_route(route, at=AT) == []


@PROPERTY
@given(st.floats(-89.9, 89.9), lons, st.floats(1.0, 100_000.0), st.floats(0, 360),
       st.sampled_from([ZoneKind.NO_FLY, ZoneKind.OPERATING_AREA]))
def test_circle_radius_is_right_to_a_tenth_of_a_percent_at_any_latitude(
    lat: float, lon: float, radius: float, azimuth: float, kind: ZoneKind
) -> None:
    zones = ZoneSet([Zone.circle("c", "Circle", kind, lat, lon, radius)])
    just_in = GeoPoint(*offset(lat, lon, azimuth, radius * 0.999), 100)
    just_out = GeoPoint(*offset(lat, lon, azimuth, radius * 1.001), 100)
    if kind is ZoneKind.NO_FLY:
        assert [v.kind for v in zones.check_point(just_in, at=AT)] == [ViolationKind.INSIDE_NO_FLY]
        assert zones.check_point(just_out, at=AT) == []
    else:
        assert zones.check_point(just_in, at=AT) == []
        assert [v.kind for v in zones.check_point(just_out, at=AT)] == [
            ViolationKind.OUTSIDE_OPERATING_AREA]


@st.composite
def zone_lists(draw: st.DrawFn) -> tuple[float, float, list[Zone]]:
    lat, lon = draw(lats), draw(lons)
    zones = [Zone.circle("area", "Area", ZoneKind.OPERATING_AREA, lat, lon, 8_000,
                         ceiling_m=draw(st.sampled_from([None, 150.0, 400.0])))]
    for i in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(list(ZoneKind)))
        floor = draw(st.sampled_from([None, 20.0, 60.0]))
        ceiling = draw(st.sampled_from([None, 120.0, 200.0]))
        if kind is ZoneKind.ALTITUDE_LIMIT and floor is None and ceiling is None:
            ceiling = 90.0
        centre = offset(lat, lon, draw(st.floats(0, 360)), draw(st.floats(0, 9_000)))
        radius = draw(st.floats(50, 1_500))
        common = {"floor_m": floor, "ceiling_m": ceiling}
        if draw(st.booleans()):
            zones.append(Zone.circle(f"z{i}", f"Zone {i}", kind, *centre, radius, **common))
        else:
            vertices = ring(*centre, radius, [0.0, 100.0, 170.0, 260.0])
            zones.append(Zone.polygon(f"z{i}", f"Zone {i}", kind, vertices, **common))
    return lat, lon, zones


SUBNORMAL_CLIMB = (  # found by hypothesis when the suite's modules fed it more constants
    (0.0, 0.0, [Zone.circle("area", "Area", ZoneKind.OPERATING_AREA, 0.0, 0.0, 8_000),
                Zone.polygon("z0", "Zone 0", ZoneKind.NO_FLY, ring(0.0, 0.0, 50, [0, 100, 170, 260]),
                             floor_m=20.0)]),
    [(0.0, 0.0, 0.0), (0.0, 0.0, 5e-324)], 0.0)


@PROPERTY
@given(zone_lists(), st.lists(st.tuples(st.floats(0, 360), st.floats(0, 10_000), st.floats(0, 300)),
                              min_size=1, max_size=25),
       st.sampled_from([0.0, 25.0]))
@example(*SUBNORMAL_CLIMB)
def test_indexed_and_naive_checks_give_identical_results(
    setup: tuple, waypoints: list, margin: float
) -> None:
    lat, lon, zones = setup
    route = [GeoPoint(*offset(lat, lon, az, d), alt) for az, d, alt in waypoints]
    indexed = ZoneSet(zones)
    naive = indexed.with_indexed(False)
    assert indexed.check_route(route, at=AT, margin_m=margin) == naive.check_route(
        route, at=AT, margin_m=margin)
    assert indexed.check_point(route[0], at=AT) == naive.check_point(route[0], at=AT)
