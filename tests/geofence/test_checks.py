"""Point and route checks: every kind of violation, hours, home altitudes and clearance margins."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from geofence import (
    AltitudeRef,
    AltitudeReferenceError,
    GeofenceError,
    GeoPoint,
    LocalProjection,
    ProjectionError,
    TimeWindow,
    ViolationKind,
    WeeklySchedule,
    Zone,
    ZoneKind,
    ZoneSet,
)
from tests.geofence.conftest import AT, YONGZHOU, offset, square

LAT, LON = YONGZHOU
K = ViolationKind


def city() -> Zone:
    return Zone.polygon("city", "Lengshuitan", ZoneKind.OPERATING_AREA, square(LAT, LON, 10_000))


def prison(**kw: object) -> Zone:
    return Zone.circle("prison", "Prison", ZoneKind.NO_FLY, LAT, LON, 500, **kw)


def at_m(east_m: float, north_m: float, alt_m: float = 100.0) -> GeoPoint:
    """A point east/north of the city centre (approximately, through two geodesic steps)."""
    lat, lon = offset(LAT, LON, 90.0, east_m) if east_m else (LAT, LON)
    lat, lon = offset(lat, lon, 0.0, north_m) if north_m else (lat, lon)
    return GeoPoint(lat, lon, alt_m)


def kinds(violations: list) -> list[tuple[str, ViolationKind]]:
    return [(v.zone_id, v.kind) for v in violations]


# -- points ----------------------------------------------------------------------------------

def test_inside_a_no_fly_circle_with_its_depth() -> None:
    zones = ZoneSet([city(), prison()])
    [v] = zones.check_point(at_m(300, 0), at=AT)
    assert (v.zone_id, v.zone_name, v.kind) == ("prison", "Prison", K.INSIDE_NO_FLY)
    assert v.distance_m == pytest.approx(200, abs=0.5)
    assert v.leg_index is None and v.along_leg_m is None
    assert (v.lat_deg, v.lon_deg, v.alt_m) == pytest.approx(tuple(at_m(300, 0)))


def test_legal_point_has_no_violation() -> None:
    assert ZoneSet([city(), prison()]).check_point(at_m(600, 0), at=AT) == []


def test_outside_the_operating_area_reports_the_distance_to_it() -> None:
    [v] = ZoneSet([city(), prison()]).check_point(at_m(0, 10_250), at=AT)
    assert (v.zone_id, v.kind) == ("city", K.OUTSIDE_OPERATING_AREA)
    assert v.distance_m == pytest.approx(250, abs=1)


def test_no_fly_band_only_applies_between_floor_and_ceiling() -> None:
    zones = ZoneSet([prison(floor_m=50, ceiling_m=300)])
    assert zones.check_point(at_m(0, 0, 40), at=AT) == []
    assert kinds(zones.check_point(at_m(0, 0, 50), at=AT)) == [("prison", K.INSIDE_NO_FLY)]
    assert zones.check_point(at_m(0, 0, 301), at=AT) == []


def test_operating_area_ceiling_and_floor() -> None:
    area = Zone.polygon("city", "City", ZoneKind.OPERATING_AREA, square(LAT, LON, 10_000),
                        floor_m=60, ceiling_m=300)
    zones = ZoneSet([area])
    [high] = zones.check_point(at_m(0, 0, 350), at=AT)
    assert high.kind is K.ABOVE_CEILING and high.distance_m == pytest.approx(50)
    [low] = zones.check_point(at_m(0, 0, 40), at=AT)
    assert low.kind is K.BELOW_FLOOR and low.distance_m == pytest.approx(20)
    assert zones.check_point(at_m(0, 0, 300), at=AT) == []  # exactly at the ceiling is legal


def test_altitude_limit_relative_to_home() -> None:
    limit = Zone.circle("low", "Hospital", ZoneKind.ALTITUDE_LIMIT, LAT, LON, 1_000,
                        ceiling_m=60, altitude_ref=AltitudeRef.HOME)
    zones = ZoneSet([limit])
    assert zones.check_point(at_m(0, 0, 150), at=AT, home_amsl_m=100) == []
    [v] = zones.check_point(at_m(0, 0, 170), at=AT, home_amsl_m=100)
    assert v.kind is K.ABOVE_CEILING and v.distance_m == pytest.approx(10)
    assert zones.check_point(at_m(0, 2_000, 500), at=AT) == []  # outside: no home needed
    with pytest.raises(AltitudeReferenceError, match="'Hospital'.*home_amsl_m"):
        zones.check_point(at_m(0, 0, 170), at=AT)


def test_zone_with_hours_applies_only_then() -> None:
    event = TimeWindow(AT, AT + timedelta(hours=3))
    zones = ZoneSet([prison(schedule=event)])
    assert kinds(zones.check_point(at_m(0, 0), at=AT + timedelta(hours=1))) == [("prison", K.INSIDE_NO_FLY)]
    assert zones.check_point(at_m(0, 0), at=AT - timedelta(minutes=1)) == []
    assert zones.check_point(at_m(0, 0), at=AT + timedelta(hours=3)) == []
    with pytest.raises(GeofenceError, match="no time zone"):
        zones.check_point(at_m(0, 0), at=datetime(2024, 6, 3, 12))


def test_operating_area_with_hours_leaves_nowhere_to_fly_outside_them() -> None:
    office = WeeklySchedule(frozenset(range(5)), time(8), time(18))
    zones = ZoneSet([Zone.polygon("city", "City", ZoneKind.OPERATING_AREA,
                                  square(LAT, LON, 10_000), schedule=office)])
    assert zones.check_point(at_m(0, 0), at=AT) == []  # Monday noon
    night = datetime(2024, 6, 3, 14, tzinfo=UTC)  # 22:00 local
    [v] = zones.check_point(at_m(0, 0), at=night)
    assert v.kind is K.OUTSIDE_OPERATING_AREA and v.zone_id == "city" and v.distance_m == 0


def test_operating_areas_are_a_union() -> None:
    east = Zone.polygon("east", "East", ZoneKind.OPERATING_AREA, square(LAT, LON + 0.05, 3_000))
    west = Zone.polygon("west", "West", ZoneKind.OPERATING_AREA, square(LAT, LON - 0.05, 3_000))
    zones = ZoneSet([east, west])
    assert zones.check_point(GeoPoint(LAT, LON + 0.05, 100), at=AT) == []
    assert zones.check_point(GeoPoint(LAT, LON - 0.05, 100), at=AT) == []
    [v] = zones.check_point(GeoPoint(LAT, LON + 0.01, 100), at=AT)
    assert v.zone_id == "east" and v.kind is K.OUTSIDE_OPERATING_AREA


def test_polygon_hole_is_allowed_airspace() -> None:
    donut = Zone.polygon("d", "Donut", ZoneKind.NO_FLY, square(LAT, LON, 2_000),
                         [square(LAT, LON, 500)])
    zones = ZoneSet([donut])
    assert zones.check_point(at_m(0, 0), at=AT) == []
    assert kinds(zones.check_point(at_m(1_000, 0), at=AT)) == [("d", K.INSIDE_NO_FLY)]


def test_point_margin() -> None:
    zones = ZoneSet([prison()])
    [v] = zones.check_point(at_m(520, 0), at=AT, margin_m=50)
    assert v.kind is K.WITHIN_MARGIN and v.margin_kind is K.INSIDE_NO_FLY
    assert v.distance_m == pytest.approx(20, abs=0.5)


def test_bad_points_are_refused() -> None:
    zones = ZoneSet([prison()])
    with pytest.raises(GeofenceError, match="look swapped"):
        zones.check_point(GeoPoint(LON, LAT, 10))
    with pytest.raises(GeofenceError, match="altitude nan"):
        zones.check_point(GeoPoint(LAT, LON, float("nan")))
    with pytest.raises(ProjectionError):
        zones.check_point(GeoPoint(LAT + 5, LON, 10), at=AT)


def test_empty_zone_set_allows_everything() -> None:
    assert ZoneSet([]).check_route([at_m(0, 0), at_m(100, 0)], at=AT) == []


# -- routes ----------------------------------------------------------------------------------

def test_leg_between_legal_waypoints_through_a_no_fly_zone_is_caught() -> None:
    zones = ZoneSet([city(), prison()])
    route = [at_m(-2_000, 0), at_m(2_000, 0), at_m(2_000, 2_000)]
    assert all(not zones.check_point(p, at=AT) for p in route)
    [v] = zones.check_route(route, at=AT)
    assert (v.zone_id, v.kind, v.leg_index) == ("prison", K.INSIDE_NO_FLY, 0)
    assert v.along_leg_m == pytest.approx(1_500, abs=2)
    assert v.distance_m == pytest.approx(1_000, abs=2)  # metres of the leg inside


def test_climb_through_a_ceiling_is_located_on_the_leg() -> None:
    limit = Zone.polygon("low", "Low", ZoneKind.ALTITUDE_LIMIT, square(LAT, LON, 5_000), ceiling_m=120)
    zones = ZoneSet([limit])
    [v] = zones.check_route([at_m(-2_000, 0, 100), at_m(2_000, 0, 140)], at=AT)
    assert v.kind is K.ABOVE_CEILING and v.leg_index == 0
    assert v.alt_m == pytest.approx(120, abs=0.01)
    assert v.along_leg_m == pytest.approx(2_000, abs=2)
    assert v.distance_m == pytest.approx(2_000, abs=2)


def test_high_leg_over_a_low_no_fly_zone_passes() -> None:
    zones = ZoneSet([prison(ceiling_m=120)])
    assert zones.check_route([at_m(-2_000, 0, 150), at_m(2_000, 0, 150)], at=AT) == []
    # descending into the band over the zone is caught where the altitude meets the ceiling
    [v] = zones.check_route([at_m(-2_000, 0, 150), at_m(2_000, 0, 90)], at=AT)
    assert v.kind is K.INSIDE_NO_FLY and v.alt_m == pytest.approx(120, abs=0.01)


def test_vertical_leg_is_checked_as_a_point() -> None:
    zones = ZoneSet([Zone.polygon("low", "Low", ZoneKind.ALTITUDE_LIMIT, square(LAT, LON, 500),
                                  ceiling_m=120)])
    [v] = zones.check_route([at_m(0, 0, 50), at_m(0, 0, 150)], at=AT)
    assert v.kind is K.ABOVE_CEILING and v.distance_m == pytest.approx(30)
    assert v.alt_m == pytest.approx(120, abs=0.01)


def test_leaving_and_reentering_the_operating_area() -> None:
    zones = ZoneSet([city()])
    out, back = zones.check_route([at_m(0, 9_000), at_m(0, 11_000), at_m(0, 9_000)], at=AT)
    assert (out.kind, out.leg_index, back.leg_index) == (K.OUTSIDE_OPERATING_AREA, 0, 1)
    assert out.distance_m == pytest.approx(1_000, abs=2)
    assert out.along_leg_m == pytest.approx(1_000, abs=2) and back.along_leg_m == 0


def test_route_margin_reports_near_misses_only() -> None:
    zones = ZoneSet([city(), prison()])
    near = [at_m(-2_000, 530), at_m(2_000, 530)]
    assert zones.check_route(near, at=AT) == []
    [v] = zones.check_route(near, at=AT, margin_m=50)
    assert v.kind is K.WITHIN_MARGIN and v.margin_kind is K.INSIDE_NO_FLY
    assert v.distance_m == pytest.approx(30, abs=1)
    [over] = ZoneSet([prison(ceiling_m=100)]).check_route(
        [at_m(-2_000, 0, 120), at_m(2_000, 0, 120)], at=AT, margin_m=30)
    assert over.kind is K.WITHIN_MARGIN and over.distance_m == pytest.approx(20)
    [edge] = zones.check_route([at_m(0, 9_980), at_m(100, 9_980)], at=AT, margin_m=50)
    assert edge.margin_kind is K.OUTSIDE_OPERATING_AREA and edge.distance_m == pytest.approx(20, abs=1)


def test_route_errors_name_the_waypoint() -> None:
    zones = ZoneSet([prison()])
    with pytest.raises(GeofenceError, match="waypoint 1: latitude 111"):
        zones.check_route([at_m(0, 0), GeoPoint(LON, LAT, 50)])
    with pytest.raises(GeofenceError, match="waypoint 0: .* is not \\(lat_deg"):
        zones.check_route([(LAT, LON)])  # type: ignore[list-item]
    with pytest.raises(GeofenceError, match="no waypoints"):
        zones.check_route([])
    with pytest.raises(GeofenceError, match="margin_m"):
        zones.check_route([at_m(0, 0)], margin_m=-1)


def test_one_waypoint_route_is_a_point() -> None:
    [v] = ZoneSet([prison()]).check_route([at_m(0, 0)], at=AT)
    assert v.leg_index == 0 and v.kind is K.INSIDE_NO_FLY


def test_given_projection_covers_a_wider_area() -> None:
    projection = LocalProjection.for_center(LAT, LON + 1.0)
    zones = ZoneSet([prison()], projection=projection)
    assert kinds(zones.check_point(at_m(0, 0), at=AT)) == [("prison", K.INSIDE_NO_FLY)]
    assert zones.check_point(GeoPoint(LAT, LON + 1.5, 10), at=AT) == []


# -- the ends of the map ---------------------------------------------------------------------

def test_zone_straddling_the_antimeridian() -> None:
    island = Zone.polygon("fiji", "Taveuni strait", ZoneKind.NO_FLY,
                          [(-16.9, 179.95), (-16.9, -179.95), (-17.0, -179.95), (-17.0, 179.95)])
    zones = ZoneSet([island])
    assert kinds(zones.check_point(GeoPoint(-16.95, 180.0, 50), at=AT)) == [("fiji", K.INSIDE_NO_FLY)]
    assert kinds(zones.check_point(GeoPoint(-16.95, -179.99, 50), at=AT)) == [("fiji", K.INSIDE_NO_FLY)]
    assert zones.check_point(GeoPoint(-16.95, 179.9, 50), at=AT) == []
    [v] = zones.check_route([GeoPoint(-16.95, 179.9, 50), GeoPoint(-16.95, -179.9, 50)], at=AT)
    assert v.kind is K.INSIDE_NO_FLY and v.along_leg_m == pytest.approx(5_325, rel=0.01)
    assert v.lon_deg == pytest.approx(179.95, abs=1e-6)


def test_zone_around_the_north_pole() -> None:
    ring = [(89.9, lon) for lon in (-180.0, -90.0, 0.0, 90.0)]
    cap = Zone.polygon("pole", "Pole", ZoneKind.NO_FLY, ring)
    zones = ZoneSet([cap])
    assert kinds(zones.check_point(GeoPoint(90.0, 0.0, 10), at=AT)) == [("pole", K.INSIDE_NO_FLY)]
    assert kinds(zones.check_point(GeoPoint(89.95, 135.0, 10), at=AT)) == [("pole", K.INSIDE_NO_FLY)]
    assert zones.check_point(GeoPoint(89.8, 45.0, 10), at=AT) == []
    [v] = zones.check_route([GeoPoint(89.8, 0.0, 10), GeoPoint(89.8, 180.0, 10)], at=AT)
    assert v.kind is K.INSIDE_NO_FLY  # the leg crosses the pole, through the zone
    circle = ZoneSet([Zone.circle("c", "C", ZoneKind.NO_FLY, 89.99, 60.0, 5_000)])
    assert circle.check_point(GeoPoint(90.0, 0.0, 10), at=AT)
