"""The zone model refuses bad definitions clearly, naming the zone and the problem."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta

import pytest

from geofence import (
    AltitudeRef,
    GeofenceError,
    PolygonShape,
    TimeWindow,
    WeeklySchedule,
    Zone,
    ZoneError,
    ZoneKind,
    ZoneSet,
)
from tests.geofence.conftest import YONGZHOU, square

LAT, LON = YONGZHOU
GOOD = square(LAT, LON, 500)


def polygon(vertices: list, holes: list = (), **kw: object) -> Zone:  # type: ignore[assignment]
    return Zone.polygon("z1", "County hall", ZoneKind.NO_FLY, vertices, holes, **kw)


def test_closing_vertex_is_dropped() -> None:
    zone = polygon([*GOOD, GOOD[0]])
    assert isinstance(zone.shape, PolygonShape)
    assert zone.shape.exterior == tuple(GOOD)


def test_self_intersecting_polygon_is_refused_with_name_and_place() -> None:
    bowtie = [GOOD[0], GOOD[2], GOOD[1], GOOD[3]]
    with pytest.raises(ZoneError, match=r"'County hall' \(id z1\).*crosses itself near \(26\.4"):
        polygon(bowtie)


@pytest.mark.parametrize("vertices", [GOOD[:2], [GOOD[0], GOOD[1], GOOD[0]], [GOOD[0]] * 4])
def test_fewer_than_three_vertices_are_refused(vertices: list) -> None:
    with pytest.raises(ZoneError, match="needs at least 3"):
        polygon(vertices)


def test_collinear_polygon_has_no_area() -> None:
    with pytest.raises(ZoneError, match="invalid|degenerate"):
        polygon([(26.0, 111.0), (26.001, 111.0), (26.002, 111.0)])


def test_swapped_lat_lon_is_named() -> None:
    swapped = [(lon, lat) for lat, lon in GOOD]
    with pytest.raises(ZoneError, match="look swapped"):
        polygon(swapped)


@pytest.mark.parametrize("bad", [(math.nan, 111.6), (26.4, math.inf), (-91.0, 200.0), (26.0, 181.0)])
def test_out_of_range_or_nan_vertex_is_refused(bad: tuple) -> None:
    with pytest.raises(ZoneError, match="outline vertex 2"):
        polygon([GOOD[0], bad, GOOD[2], GOOD[3]])


def test_vertex_that_is_not_a_pair_is_refused() -> None:
    with pytest.raises(ZoneError, match="not \\(lat, lon\\) pairs"):
        polygon([GOOD[0], (1.0, 2.0, 3.0), GOOD[2]])


def test_hole_outside_the_outline_is_refused() -> None:
    far = square(LAT + 0.1, LON, 50)
    with pytest.raises(ZoneError, match="hole lies outside"):
        polygon(GOOD, [far])


def test_huge_polygon_is_refused() -> None:
    with pytest.raises(ZoneError, match="km from its centre"):
        polygon([(20.0, 100.0), (20.0, 120.0), (30.0, 110.0)])


@pytest.mark.parametrize("radius, message", [
    (0.0, "zero, negative"), (-5.0, "zero, negative"), (math.nan, "not a finite"),
    (250_000.0, "kilometres given as metres"),
])
def test_bad_circle_radius_is_refused(radius: float, message: str) -> None:
    with pytest.raises(ZoneError, match=message):
        Zone.circle("c1", "Airport", ZoneKind.NO_FLY, LAT, LON, radius)


def test_bad_circle_centre_is_refused() -> None:
    with pytest.raises(ZoneError, match="circle centre.*swapped"):
        Zone.circle("c1", "Airport", ZoneKind.NO_FLY, LON, LAT, 100)


@pytest.mark.parametrize("kw, message", [
    ({"floor_m": 100.0, "ceiling_m": 50.0}, "not below ceiling"),
    ({"ceiling_m": math.nan}, "not a finite"),
    ({"ceiling_m": 50_000.0}, "outside"),
])
def test_bad_altitudes_are_refused(kw: dict, message: str) -> None:
    with pytest.raises(ZoneError, match=message):
        polygon(GOOD, **kw)


def test_altitude_limit_needs_a_limit() -> None:
    with pytest.raises(ZoneError, match="needs a floor, a ceiling"):
        Zone.polygon("a", "Low", ZoneKind.ALTITUDE_LIMIT, GOOD)


def test_empty_id_and_unknown_kind_are_refused() -> None:
    with pytest.raises(ZoneError, match="empty id"):
        Zone.polygon("  ", "x", ZoneKind.NO_FLY, GOOD)
    with pytest.raises(ZoneError, match="not a valid ZoneKind"):
        Zone.polygon("a", "x", "forbidden", GOOD)  # type: ignore[arg-type]


def test_duplicate_ids_are_refused_by_a_zone_set() -> None:
    a = polygon(GOOD)
    b = Zone.circle("z1", "Other", ZoneKind.NO_FLY, LAT, LON, 100)
    with pytest.raises(ZoneError, match="also used by zone 'County hall'"):
        ZoneSet([a, b])


def test_string_kinds_are_accepted_as_enums() -> None:
    zone = Zone.polygon("a", "x", "no_fly", GOOD, altitude_ref="home", floor_m=0, ceiling_m=120)  # type: ignore[arg-type]
    assert zone.kind is ZoneKind.NO_FLY and zone.altitude_ref is AltitudeRef.HOME


# -- hours -----------------------------------------------------------------------------------

def test_time_window() -> None:
    start = datetime(2024, 6, 1, 8, tzinfo=UTC)
    window = TimeWindow(start, start + timedelta(hours=4))
    assert window.is_active(start) and not window.is_active(start + timedelta(hours=4))
    with pytest.raises(GeofenceError, match="ends"):
        TimeWindow(start, start)
    with pytest.raises(GeofenceError, match="no time zone"):
        TimeWindow(datetime(2024, 6, 1), start)
    with pytest.raises(GeofenceError, match="no time zone"):
        window.is_active(datetime(2024, 6, 1, 9))


def test_weekly_schedule_in_local_time_including_overnight() -> None:
    office = WeeklySchedule(frozenset({0, 1, 2, 3, 4}), time(8), time(18))  # Asia/Shanghai
    monday_noon_cst = datetime(2024, 6, 3, 4, tzinfo=UTC)
    assert office.is_active(monday_noon_cst)
    assert not office.is_active(datetime(2024, 6, 3, 11, tzinfo=UTC))  # 19:00 local
    assert not office.is_active(datetime(2024, 6, 1, 4, tzinfo=UTC))  # Saturday
    night = WeeklySchedule(frozenset({4}), time(22), time(6))  # Friday night into Saturday
    assert night.is_active(datetime(2024, 6, 7, 15, tzinfo=UTC))  # Fri 23:00 local
    assert night.is_active(datetime(2024, 6, 7, 20, tzinfo=UTC))  # Sat 04:00 local
    assert not night.is_active(datetime(2024, 6, 8, 15, tzinfo=UTC))  # Sat 23:00 local
    bounded = WeeklySchedule(frozenset(range(7)), time(0), time(23, 59),
                             valid_until=datetime(2024, 6, 2, tzinfo=UTC))
    assert not bounded.is_active(monday_noon_cst)


@pytest.mark.parametrize("kw, message", [
    ({"weekdays": frozenset({7})}, "0..6"),
    ({"weekdays": frozenset()}, "0..6"),
    ({"end": time(8)}, "equal"),
    ({"tz": "Mars/Olympus"}, "unknown time zone"),
])
def test_bad_weekly_schedules(kw: dict, message: str) -> None:
    args = {"weekdays": frozenset({0}), "start": time(8), "end": time(9)} | kw
    with pytest.raises(GeofenceError, match=message):
        WeeklySchedule(**args)


def test_zone_refuses_a_schedule_of_the_wrong_type() -> None:
    with pytest.raises(ZoneError, match="not a TimeWindow"):
        polygon(GOOD, schedule="weekdays")


def test_zones_near_picks_one_areas_share_of_a_national_list() -> None:
    from geofence import zones_near

    beijing = Zone.circle("pek", "Capital airport", ZoneKind.NO_FLY, 40.08, 116.58, 8_000)
    local = Zone.polygon("hall", "Hall", ZoneKind.NO_FLY, GOOD)
    edge = Zone.circle("edge", "Edge", ZoneKind.NO_FLY, LAT + 0.5, LON, 3_000)  # ~55 km away
    assert zones_near([beijing, local, edge], LAT, LON, 50_000) == [local]
    assert zones_near([beijing, local, edge], LAT, LON, 53_000) == [local, edge]
    assert len(ZoneSet(zones_near([beijing, local, edge], LAT, LON, 100_000))) == 2
    with pytest.raises(GeofenceError, match="radius"):
        zones_near([local], LAT, LON, 0)
