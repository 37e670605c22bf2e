"""The live watch: many vehicles per tick, inside / about to enter / leaving the operating area."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geofence import AlertKind, AltitudeRef, GeofenceError, ViolationKind, Zone, ZoneKind, ZoneSet
from tests.geofence.conftest import AT, YONGZHOU, offset, square

LAT, LON = YONGZHOU


def zones() -> ZoneSet:
    return ZoneSet([
        Zone.polygon("city", "City", ZoneKind.OPERATING_AREA, square(LAT, LON, 10_000)),
        Zone.circle("prison", "Prison", ZoneKind.NO_FLY, LAT, LON, 500),
        Zone.circle("low", "Hospital", ZoneKind.ALTITUDE_LIMIT, *offset(LAT, LON, 0, 5_000), 800,
                    ceiling_m=60, altitude_ref=AltitudeRef.HOME),
    ])


def tick(zs: ZoneSet, vehicles: list[tuple], **kw: object):  # type: ignore[no-untyped-def]
    """vehicles: (east_m, north_m, alt_m, v_north, v_east, v_up) relative to the city centre."""
    lat, lon = [], []
    for east, north, *_ in vehicles:
        p = offset(LAT, LON, 90, east) if east else (LAT, LON)
        p = offset(*p, 0, north) if north else p
        lat.append(p[0])
        lon.append(p[1])
    cols = list(zip(*vehicles, strict=True))
    return zs.watch(lat, lon, cols[2], cols[3], cols[4], cols[5], at=AT, home_amsl_m=100.0, **kw)


def test_one_tick_sorts_vehicles() -> None:
    result = tick(zones(), [
        (0, 0, 120, 0, 0, 0),            # 0: hovering inside the prison zone
        (-1_500, 0, 120, 0, 50, 0),      # 1: 1000 m from the circle, 50 m/s east: 20 s
        (-3_000, 0, 120, 0, -10, 0),     # 2: flying away from it
        (0, 9_800, 120, 20, 0, 0),       # 3: 200 m from the area edge at 20 m/s: 10 s
        (0, 10_500, 120, 0, 0, 0),       # 4: outside the area
        (0, 5_000, 150, 0, 0, 2),        # 5: climbing 2 m/s under a 160 m AMSL ceiling: 5 s
    ])
    assert result.inside.tolist() == [True, False, False, False, False, False]
    assert result.entering.tolist() == [False, True, False, False, False, True]
    assert result.time_to_breach_s[1] == pytest.approx(20.0, abs=0.05)
    assert result.time_to_breach_s[5] == pytest.approx(5.0, abs=1e-3)
    assert math.isinf(result.time_to_breach_s[2])
    assert result.breach_zone_id.tolist() == ["prison", "prison", None, None, None, "low"]
    assert result.outside_operating_area.tolist() == [False, False, False, False, True, False]
    assert result.leaving_operating_area.tolist() == [False, False, False, True, False, False]
    assert result.time_to_exit_s[3] == pytest.approx(10.0, abs=0.05)
    assert result.any_alert.tolist() == [True, True, False, True, True, True]
    by_vehicle = {a.vehicle_index: a for a in result.alerts}
    assert by_vehicle[0].alert is AlertKind.INSIDE and by_vehicle[0].time_to_breach_s == 0
    assert by_vehicle[1].alert is AlertKind.ABOUT_TO_ENTER
    assert by_vehicle[1].violation is ViolationKind.INSIDE_NO_FLY
    assert by_vehicle[3].alert is AlertKind.LEAVING_OPERATING_AREA
    assert by_vehicle[4].alert is AlertKind.OUTSIDE_OPERATING_AREA
    assert by_vehicle[5].violation is ViolationKind.ABOVE_CEILING
    assert by_vehicle[5].alt_m == pytest.approx(160.0)


def test_horizon_limits_what_is_reported() -> None:
    result = tick(zones(), [(-1_500, 0, 120, 0, 50, 0)], horizon_s=10)
    assert not result.entering[0] and result.alerts == ()


def test_velocity_direction_is_true_north_east_far_from_the_centre() -> None:
    # far to the east of a zone set's centre the grid north is rotated; the watch must not be
    zs = ZoneSet([Zone.circle("far", "Far", ZoneKind.NO_FLY, *offset(LAT, LON, 90, 100_000), 200)],
                 projection=zones().projection)
    lat, lon = offset(*offset(LAT, LON, 90, 100_000), 180, 1_000)
    result = zs.watch([lat], [lon], [100], [40], [0], [0], at=AT)
    assert result.time_to_breach_s[0] == pytest.approx(20.0, abs=0.1)


def test_indexed_and_naive_watch_agree() -> None:
    rng = np.random.default_rng(7)
    zs = zones()
    n = 200
    east = rng.uniform(-12_000, 12_000, n)
    north = rng.uniform(-12_000, 12_000, n)
    lat = np.empty(n)
    lon = np.empty(n)
    for i in range(n):
        lat[i], lon[i] = offset(*offset(LAT, LON, 90, east[i]), 0, north[i])
    args = (lat, lon, rng.uniform(90, 200, n), rng.uniform(-30, 30, n), rng.uniform(-30, 30, n),
            rng.uniform(-3, 3, n))
    a = zs.watch(*args, at=AT, home_amsl_m=100.0)
    b = zs.with_indexed(False).watch(*args, at=AT, home_amsl_m=100.0)
    assert a.alerts == b.alerts and len(a.alerts) > 10
    np.testing.assert_array_equal(a.time_to_breach_s, b.time_to_breach_s)
    np.testing.assert_array_equal(a.time_to_exit_s, b.time_to_exit_s)


def test_per_vehicle_homes_and_missing_home() -> None:
    zs = zones()
    p = offset(LAT, LON, 0, 5_000)
    result = zs.watch([p[0], p[0]], [p[1], p[1]], [150, 150], [0, 0], [0, 0], [0, 0], at=AT,
                      home_amsl_m=[100.0, 80.0])
    assert result.inside.tolist() == [False, True]
    with pytest.raises(GeofenceError, match="home_amsl_m"):
        zs.watch([p[0]], [p[1]], [150], [0], [0], [0], at=AT)


def test_bad_vehicle_data_is_refused_naming_the_vehicle() -> None:
    zs = zones()
    with pytest.raises(GeofenceError, match="vehicle 1: east velocity is not finite"):
        zs.watch([LAT, LAT], [LON, LON], [100, 100], [0, 0], [0, math.nan], [0, 0], at=AT)
    with pytest.raises(GeofenceError, match="vehicle 0: latitude 111.*swapped"):
        zs.watch([LON], [LAT], [100], [0], [0], [0], at=AT)
    with pytest.raises(GeofenceError, match="equally long"):
        zs.watch([LAT], [LON, LON], [100], [0], [0], [0], at=AT)
    with pytest.raises(GeofenceError, match="horizon_s"):
        zs.watch([LAT], [LON], [100], [0], [0], [0], at=AT, horizon_s=0)


def test_empty_tick_and_empty_zone_set() -> None:
    assert zones().watch([], [], [], [], [], [], at=AT).alerts == ()
    result = ZoneSet([]).watch([LAT], [LON], [100], [0], [0], [0], at=AT)
    assert not result.any_alert[0]


def test_a_vehicle_beyond_the_projection_does_not_fail_the_tick() -> None:
    zs = zones()
    result = zs.watch([LAT, 40.0], [LON, 116.0], [120, 120], [0, 0], [0, 0], [0, 0], at=AT,
                      home_amsl_m=100.0)
    assert result.beyond_projection.tolist() == [False, True]
    assert result.inside.tolist() == [True, False]
    assert result.outside_operating_area.tolist() == [False, True]
    far = [a for a in result.alerts if a.vehicle_index == 1]
    assert [(a.alert, a.zone_id, a.lat_deg) for a in far] == [
        (AlertKind.OUTSIDE_OPERATING_AREA, "city", 40.0)]
    no_area = ZoneSet([Zone.circle("prison", "Prison", ZoneKind.NO_FLY, LAT, LON, 500)])
    quiet = no_area.watch([40.0], [116.0], [120], [0], [0], [0], at=AT)
    assert quiet.beyond_projection[0] and not quiet.any_alert[0] and quiet.alerts == ()
