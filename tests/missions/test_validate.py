"""Validation lists every reason, names zones and items, and estimates endurance."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import missions as m
from geofence import GeoPoint, MavCmd, MavFrame, MissionItem, TimeWindow, Zone, ZoneKind, ZoneSet
from missions._items import waypoint
from tests.missions.helpers import YONGZHOU, latlon, rectangle

PRISON = Zone.circle("prison-3", "Lingling Prison", ZoneKind.NO_FLY, *latlon(400, 0), 80)
AREA = Zone.polygon("city", "Operating area", ZoneKind.OPERATING_AREA,
                    rectangle(-3000, -3000, 6000, 6000))


def line(alt: float = 50.0, *points: tuple[float, float]) -> m.Route:
    """A waypoint route through points given in metres."""
    pts = points or ((200.0, 0.0), (600.0, 0.0))
    return m.waypoint_route(YONGZHOU, [m.Waypoint(*latlon(x, y), alt) for x, y in pts])


def test_a_clear_route_passes_with_an_estimate() -> None:
    result = m.validate(line(), zones=ZoneSet([AREA]))
    assert result.ok and result.reasons == ()
    est = result.estimate
    assert est is not None
    # out 600 m and back, climb 50 m and descend 50 m
    assert est.horizontal_m == pytest.approx(1200, rel=1e-3)
    assert (est.climb_m, est.descent_m) == pytest.approx((50, 50))
    assert est.flight_time_s == pytest.approx(1200 / 10 + 50 / 3 + 50 / 2, rel=1e-3)
    result.raise_if_refused()


def test_no_fly_zone_is_named_with_the_items_and_refusal_lists_everything() -> None:
    route = line(150.0)
    result = m.validate(route, zones=ZoneSet([PRISON, AREA]))
    assert result.codes() == {m.ReasonCode.GEOFENCE, m.ReasonCode.ABOVE_CEILING}
    zone = next(r for r in result.reasons if r.code is m.ReasonCode.GEOFENCE)
    assert zone.zone_id == "prison-3" and zone.zone_name == "Lingling Prison"
    assert "Lingling Prison" in zone.message and 2 in zone.items
    with pytest.raises(m.RouteRefused) as refused:
        result.raise_if_refused()
    assert len(refused.value.reasons) == 2
    assert "Lingling Prison" in str(refused.value) and "120 m ceiling" in str(refused.value)


def test_indexed_and_plain_zone_checks_agree() -> None:
    zones = ZoneSet([PRISON, AREA])
    route = line(50.0, (200, 0), (600, 0), (600, 4000))
    a = m.validate(route, zones=zones)
    b = m.validate(route, zones=zones.with_indexed(False))
    assert a.reasons == b.reasons
    assert {r.zone_id for r in a.reasons if r.zone_id} == {"prison-3", "city"}


def test_zone_margin_is_its_own_reason() -> None:
    route = line(50.0, (200, 100), (600, 100), (600, 300))  # 20 m north of the 80 m circle
    assert m.validate(route, zones=ZoneSet([PRISON])).ok
    near = m.validate(route, zones=ZoneSet([PRISON]), limits=m.Limits(zone_margin_m=30))
    assert near.codes() == {m.ReasonCode.ZONE_MARGIN}


def test_zones_with_hours_apply_only_when_active() -> None:
    event = TimeWindow(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), datetime(2026, 11, 23, 4, 0, tzinfo=UTC))
    timed = Zone.circle("event", "Stadium event", ZoneKind.NO_FLY, *latlon(400, 0), 80,
                        schedule=event)
    during = m.validate(line(), zones=ZoneSet([timed]), at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    assert [r.zone_id for r in during.reasons] == ["event"]
    after = m.validate(line(), zones=ZoneSet([timed]), at=datetime(2026, 11, 23, 5, 0, tzinfo=UTC))
    assert after.ok


def test_minimum_altitude_and_custom_ceiling() -> None:
    result = m.validate(line(8.0), limits=m.Limits(min_alt_m=15))
    assert result.codes() == {m.ReasonCode.BELOW_MINIMUM}
    assert m.validate(line(90.0), limits=m.Limits(ceiling_m=80)).codes() == {m.ReasonCode.ABOVE_CEILING}


def test_distance_from_launch() -> None:
    result = m.validate(line(50.0, (200, 0), (0, 6000)), limits=m.Limits(max_distance_from_launch_m=5000))
    (reason,) = result.reasons
    assert reason.code is m.ReasonCode.TOO_FAR and reason.value == pytest.approx(6000, rel=1e-3)


def test_too_close_waypoints_name_both_items() -> None:
    result = m.validate(line(50.0, (200, 0), (200.3, 0), (400, 0)))
    (reason,) = result.reasons
    assert reason.code is m.ReasonCode.TOO_CLOSE and reason.items == (1, 2)


def test_endurance_counts_distance_climb_and_hover_against_the_reserve() -> None:
    profile = m.VehicleProfile(usable_battery_wh=60)
    ok = m.validate(line(), profile=profile)
    assert ok.ok
    hover = m.waypoint_route(YONGZHOU, [m.Waypoint(*latlon(200, 0), 50, hold_s=900)])
    result = m.validate(hover, profile=profile)
    assert result.codes() == {m.ReasonCode.ENDURANCE}
    assert result.estimate is not None and result.estimate.hover_s == 900
    low_battery = m.validate(line(), profile=profile, battery_pct=30)
    assert low_battery.codes() == {m.ReasonCode.ENDURANCE}
    assert "30 % battery" in low_battery.reasons[0].message


def test_unlimited_hold_reports_how_long_it_can_stay() -> None:
    route = m.overwatch_route(YONGZHOU, latlon(500, 0), alt_m=60, hold_s=math.inf)
    result = m.validate(route)
    assert result.ok and result.estimate is not None
    assert result.estimate.unlimited_hold_s is not None and result.estimate.unlimited_hold_s > 600
    assert any("holds until told" in n for n in result.notes)


def test_unplaceable_items_missing_takeoff_and_empty() -> None:
    lat, lon = latlon(100, 0)
    items = [waypoint(lat, lon, 30),
             MissionItem(MavCmd.NAV_WAYPOINT, MavFrame.MISSION, x=1, y=1, z=30),
             MissionItem(MavCmd.DO_JUMP, MavFrame.MISSION, 1, 3)]
    result = m.validate(items, launch=YONGZHOU)
    assert result.codes() == {m.ReasonCode.UNPLACEABLE, m.ReasonCode.NO_TAKEOFF}
    assert {r.items for r in result.reasons if r.code is m.ReasonCode.UNPLACEABLE} == {(1,), (2,)}
    assert m.validate([], launch=YONGZHOU).codes() == {m.ReasonCode.EMPTY}
    with pytest.raises(ValueError, match="launch"):
        m.validate(items)


def test_amsl_items_are_measured_from_the_launch_ground() -> None:
    lat, lon = latlon(100, 0)
    items = [m.waypoint_route(YONGZHOU, [m.Waypoint(lat, lon, 40)]).items[0],
             MissionItem(MavCmd.NAV_WAYPOINT, MavFrame.GLOBAL_INT, x=round(lat * 1e7),
                         y=round(lon * 1e7), z=YONGZHOU.alt_m + 130)]
    result = m.validate(items, launch=YONGZHOU)
    assert result.codes() == {m.ReasonCode.ABOVE_CEILING}
    assert result.reasons[0].value == pytest.approx(130)


@given(st.floats(100, 3000), st.floats(100, 3000), st.floats(20, 110))
@settings(max_examples=30, deadline=None)
def test_estimates_grow_with_distance_and_altitude(d1: float, d2: float, alt: float) -> None:
    near, far = sorted((d1, d2))
    a = m.validate(line(alt, (near, 0))).estimate
    b = m.validate(line(alt, (far, 0))).estimate
    c = m.validate(line(alt + 5, (far, 0))).estimate
    assert a is not None and b is not None and c is not None
    assert a.energy_wh <= b.energy_wh + 1e-9 <= c.energy_wh + 2e-9
    assert b.horizontal_m == pytest.approx(2 * far, rel=1e-3)


def test_validating_bare_items_from_another_launch_point() -> None:
    other = GeoPoint(*latlon(100, 100), 90.0)
    result = m.validate(line().items, launch=other)
    assert result.ok


@pytest.mark.parametrize(("make", "problem"), [
    (lambda: m.VehicleProfile(cruise_speed_mps=0), "cruise_speed_mps 0"),
    (lambda: m.VehicleProfile(usable_battery_wh=math.nan), "usable_battery_wh nan"),
    (lambda: m.VehicleProfile(hover_power_w=-1), "hover_power_w -1"),
    (lambda: m.Limits(ceiling_m=math.inf), "ceiling_m inf"),
    (lambda: m.Limits(min_alt_m=-5), "min_alt_m -5"),
    (lambda: m.Limits(min_alt_m=150), "not below ceiling_m"),
    (lambda: m.Limits(reserve_pct=100), "reserve_pct 100"),
    (lambda: m.Limits(ground_sample_m=0), "ground_sample_m 0"),
    (lambda: m.validate(line(), battery_pct=140), "battery_pct 140"),
])
def test_bad_profiles_limits_and_battery_levels_are_refused_by_name(make, problem: str) -> None:
    with pytest.raises(m.RouteError, match=problem):
        make()


def test_orbit_estimate_flies_to_the_circle_not_its_centre() -> None:
    route = m.orbit_route(YONGZHOU, latlon(300, 0), radius_m=50, alt_m=40, turns=2,
                          style=m.OrbitStyle.LOITER_TURNS)
    est = m.validate(route).estimate
    assert est is not None
    # 250 m to the near side of the circle, two turns, 250 m back from where they end
    assert est.horizontal_m == pytest.approx(250 + 2 * 2 * math.pi * 50 + 250, abs=0.1)
    tracker = m.MissionTracker(route)  # tracking reads the same flown legs
    assert tracker.total_m == pytest.approx(est.horizontal_m + est.climb_m + est.descent_m)
