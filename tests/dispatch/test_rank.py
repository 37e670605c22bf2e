"""Ranking: launch overhead by dock state, exclusions, battery, rings, ground units, bad input."""

from __future__ import annotations

import math
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docks import DockState, DoorState, LaunchSettings, RainLevel, SimTimings
from geofence import Zone, ZoneKind, ZoneSet
from groundstation.dispatch import (
    AirborneSnapshot,
    CandidateKind,
    DispatchError,
    DispatchSettings,
    GroundUnit,
    Reason,
    Scene,
    launch_overhead_s,
    nearest_ground_unit,
    rank_candidates,
)
from tests.dispatch.helpers import AT, PROJECTION, dock, drone, offset

NO_ZONES = ZoneSet([], projection=PROJECTION)
SCENE = Scene(*offset(0, 0), 100.0)


def rank(docks=(), drones=(), **kwargs):  # type: ignore[no-untyped-def]
    kwargs.setdefault("zones", NO_ZONES)
    return rank_candidates(SCENE, list(docks), list(drones), at=AT, **kwargs)


def reasons(plan, candidate_id):  # type: ignore[no-untyped-def]
    return {e.reason for c in plan.candidates if c.candidate_id == candidate_id for e in c.exclusions}


def test_launch_overhead_follows_dock_state() -> None:
    timings, settings = SimTimings(), DispatchSettings()
    ready = launch_overhead_s(dock("a", 0, 0), timings=timings, settings=settings)
    charging = launch_overhead_s(dock("a", 0, 0, state=DockState.IDLE_CHARGING), timings=timings,
                                 settings=settings)
    opened = launch_overhead_s(dock("a", 0, 0, door=DoorState.OPEN), timings=timings,
                               settings=settings)
    powered = launch_overhead_s(dock("a", 0, 0, door=DoorState.OPEN, powered=True),
                                timings=timings, settings=settings)
    assert charging == pytest.approx(ready + timings.charge_switch_s)
    # the cover (15 s) and the drone's boot + link (12 + 6 s) run side by side
    assert ready == pytest.approx(max(timings.cover_travel_s, timings.drone_boot_s
                                      + settings.link_upload_s) + settings.arm_takeoff_s)
    assert opened == ready  # the drone's boot is the longer branch
    assert powered < opened


def test_eta_is_launch_plus_climb_plus_cruise_and_nearest_first() -> None:
    plan = rank([dock("near", 900, 0), dock("far", 0, -2400)])
    near, far = plan.candidates
    assert (near.candidate_id, far.candidate_id) == ("near", "far")
    assert near.eta_s == pytest.approx(near.launch_s + near.climb_s + near.cruise_s)
    assert near.climb_s == pytest.approx(LaunchSettings().cruise_alt_m / 6.0)
    assert near.distance_m == pytest.approx(900, rel=0.01)
    assert near.cruise_s == pytest.approx(near.distance_m / 15.0)
    assert plan.best is near and near.kind is CandidateKind.DOCK


def test_rings_hold_the_eligible_candidates_in_time() -> None:
    plan = rank([dock("d1", 300, 0), dock("d2", 1800, 0), dock("d3", 3300, 0), dock("d4", 9000, 0)])
    by_id = {c.candidate_id: c for c in plan.candidates}
    for c in plan.candidates:
        if c.ring_s is not None:
            assert c.eta_s <= c.ring_s
            smaller = [r for r in plan.rings if r < c.ring_s]
            assert all(c.eta_s > r for r in smaller)
    assert plan.rings[60.0] == ("d1",)  # 26 s launch + 10 s climb + 20 s cruise
    assert set(plan.rings[180.0]) <= set(plan.rings[300.0])
    assert by_id["d4"].ring_s is None and not by_id["d4"].eligible  # 9 km: battery too
    assert all(by_id[i].ring_s is not None for i in plan.rings[300.0])


@pytest.mark.parametrize(
    ("snapshot", "reason"),
    [
        (dock("x", 500, 0, online=False), Reason.OFFLINE),
        (dock("x", 500, 0, busy=True), Reason.BUSY),
        (dock("x", 500, 0, state=DockState.MAINTENANCE), Reason.DOCK_STATE),
        (dock("x", 500, 0, present=False), Reason.NO_DRONE),
        (dock("x", 500, 0, door=DoorState.FAULT), Reason.COVER_FAULT),
        (dock("x", 500, 0, wind_mps=14.0), Reason.WIND),
        (dock("x", 500, 0, rain=RainLevel.HEAVY), Reason.RAIN),
        (dock("x", 500, 0, battery=40.0), Reason.BATTERY),
        (dock("x", 500, 0, battery=None), Reason.BATTERY_UNKNOWN),
    ],
)
def test_each_dock_exclusion_is_named(snapshot, reason) -> None:  # type: ignore[no-untyped-def]
    plan = rank([snapshot, dock("ok", 2000, 0)])
    assert reason in reasons(plan, "x")
    assert plan.candidates[0].candidate_id == "ok"  # eligible ones first, whatever their ETA
    excluded = plan.candidates[1]
    assert excluded.ring_s is None and excluded.exclusions[0].text


def test_offline_dock_gets_one_reason_not_a_battery_one() -> None:
    plan = rank([dock("x", 500, 0, online=False, battery=None)])
    assert reasons(plan, "x") == {Reason.OFFLINE}


def test_battery_needs_the_round_trip_with_reserve() -> None:
    launch = LaunchSettings(hold_s=0.0, reserve_pct=25.0)
    plan = rank([dock("d", 3000, 0, battery=100.0)], launch=launch)
    c = plan.candidates[0]
    flight_s = 60 / 6.0 + 2 * c.distance_m / 15.0 + 60 / 3.0
    assert c.battery_needed_pct == pytest.approx(100 * flight_s / 2100 + 25.0)
    tight = rank([dock("d", 3000, 0, battery=c.battery_needed_pct - 0.5)], launch=launch)
    assert Reason.BATTERY in reasons(tight, "d")


def test_airborne_drones_respond_without_launch_and_change_altitude() -> None:
    plan = rank([dock("d", 1000, 0)], [drone("high", 0, 1000, alt_amsl_m=260.0),
                                      drone("low", 0, -1000, alt_amsl_m=120.0)])
    by_id = {c.candidate_id: c for c in plan.candidates}
    high, low = by_id["high"], by_id["low"]
    assert high.kind is CandidateKind.AIRBORNE and high.launch_s == DispatchSettings().airborne_response_s
    assert high.climb_s == pytest.approx((260 - 160) / 3.0)  # descends at 3 m/s
    assert low.climb_s == pytest.approx((160 - 120) / 6.0)  # climbs at 6 m/s
    assert plan.best is not None and plan.best.kind is CandidateKind.AIRBORNE


@pytest.mark.parametrize(
    ("snapshot", "reason"),
    [
        (drone("a", 500, 0, connected=False), Reason.LINK_LOST),
        (drone("a", 500, 0, busy="over incident 7"), Reason.BUSY),
        (drone("a", 500, 0, battery=30.0), Reason.BATTERY),
        (drone("a", 500, 0, battery=None), Reason.BATTERY_UNKNOWN),
    ],
)
def test_each_airborne_exclusion_is_named(snapshot, reason) -> None:  # type: ignore[no-untyped-def]
    assert reason in reasons(rank([], [snapshot]), "a")


def test_nearest_available_ground_unit() -> None:
    units = [GroundUnit("far", "far", *offset(3000, 0)),
             GroundUnit("busy", "busy", *offset(100, 0), available=False),
             GroundUnit("near", "near", *offset(0, 800))]
    choice = nearest_ground_unit(SCENE, units)
    assert choice is not None and choice.unit.unit_id == "near"
    assert choice.distance_m == pytest.approx(800, rel=0.01)
    settings = DispatchSettings()
    assert choice.eta_s == pytest.approx(800 * settings.ground_road_factor / settings.ground_speed_mps,
                                         rel=0.01)
    assert nearest_ground_unit(SCENE, [units[1]]) is None
    assert rank(ground_units=units).ground_unit == choice


def test_nothing_to_rank_is_an_empty_plan() -> None:
    plan = rank()
    assert plan.candidates == () and plan.best is None and plan.ground_unit is None


@pytest.mark.parametrize("bad", [(math.nan, 111.0), (26.0, 200.0), (111.0, 26.0)])
def test_bad_positions_are_refused(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DispatchError):
        Scene(*bad)
    with pytest.raises(DispatchError):
        AirborneSnapshot("x", *bad, 100.0, 50.0)
    with pytest.raises(DispatchError):
        GroundUnit("x", "x", *bad)


def test_naive_time_and_bad_rings_are_refused() -> None:
    with pytest.raises(DispatchError):
        rank_candidates(SCENE, [], [], zones=NO_ZONES, at=datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        DispatchSettings(rings_s=(180.0, 60.0))


def test_zone_free_rank_matches_without_a_zone_set_projection() -> None:
    empty = ZoneSet([])
    zone = Zone.circle("far", "far away", ZoneKind.NO_FLY, *offset(20_000, 20_000), 100.0)
    a = rank([dock("d", 1000, 0)], zones=empty).candidates[0]
    b = rank([dock("d", 1000, 0)], zones=ZoneSet([zone], projection=PROJECTION)).candidates[0]
    assert a.distance_m == pytest.approx(b.distance_m, rel=1e-3) and not b.detoured


# -- properties ---------------------------------------------------------------------------------

dock_strategy = st.builds(
    lambda i, n, e, battery, wind, state: dock(f"d{i}", n, e, battery=battery, wind_mps=wind,
                                                state=state),
    st.integers(0, 10**6), st.floats(-6000, 6000), st.floats(-6000, 6000), st.floats(0, 100),
    st.floats(0, 15), st.sampled_from([DockState.IDLE_READY, DockState.IDLE_CHARGING,
                                       DockState.DRONE_OUT, DockState.OFFLINE]))
drone_strategy = st.builds(
    lambda i, n, e, alt, battery: drone(f"u{i}", n, e, alt_amsl_m=alt, battery=battery),
    st.integers(0, 10**6), st.floats(-6000, 6000), st.floats(-6000, 6000), st.floats(100, 400),
    st.floats(0, 100))


@settings(max_examples=60, deadline=None)
@given(st.lists(dock_strategy, max_size=8, unique_by=lambda d: d.info.dock_id),
       st.lists(drone_strategy, max_size=8, unique_by=lambda d: d.drone_id))
def test_ranking_is_ordered_and_rings_are_consistent(docks, drones) -> None:  # type: ignore[no-untyped-def]
    plan = rank(docks, drones)
    assert len(plan.candidates) == len(docks) + len(drones)
    eligible = [c for c in plan.candidates if c.eligible]
    assert list(plan.candidates[:len(eligible)]) == eligible  # eligible first
    assert [c.eta_s for c in eligible] == sorted(c.eta_s for c in eligible)
    for c in plan.candidates:
        assert c.eta_s == pytest.approx(c.launch_s + c.climb_s + c.cruise_s)
        assert c.climb_s >= 0 and c.distance_m >= c.straight_m * (1 - 1e-3) - 1e-3
        if c.ring_s is not None:
            assert c.eligible and c.eta_s <= c.ring_s
        if c.eligible and c.battery_pct is not None:
            assert c.battery_pct >= c.battery_needed_pct
    for ring, ids in plan.rings.items():
        assert set(ids) == {c.candidate_id for c in eligible if c.eta_s <= ring}


zone_strategy = st.lists(st.builds(
    lambda i, n, e, r: Zone.circle(f"z{i}", f"z{i}", ZoneKind.NO_FLY, *offset(n, e), r),
    st.integers(0, 10**6), st.floats(-5000, 5000), st.floats(-5000, 5000), st.floats(50, 600)),
    max_size=10, unique_by=lambda z: z.id)


@settings(max_examples=30, deadline=None)
@given(st.lists(dock_strategy, max_size=6, unique_by=lambda d: d.info.dock_id),
       st.lists(drone_strategy, max_size=6, unique_by=lambda d: d.drone_id), zone_strategy)
def test_paths_not_planned_change_neither_the_best_nor_the_rings(docks, drones, zones) -> None:  # type: ignore[no-untyped-def]
    zone_set = ZoneSet(zones, projection=PROJECTION)
    quick, full = rank(docks, drones, zones=zone_set), rank(docks, drones, zones=zone_set,
                                                            complete=True)
    assert quick.best == full.best and quick.rings == full.rings
    assert not any(c.eta_lower_bound for c in full.candidates)
    outer = max(quick.rings)
    best_eta = full.best.eta_s if full.best is not None else math.inf
    planned = {c.candidate_id: c for c in full.candidates}
    for c in quick.candidates:
        twin = planned[c.candidate_id]
        if c.eta_lower_bound:
            assert c.eligible and c.ring_s is None and c.eta_s > outer and c.eta_s >= best_eta
            assert c.eta_s <= twin.eta_s * (1 + 1e-9) and len(c.path) == 2
        else:
            assert c == twin


def test_a_far_candidate_keeps_its_straight_line_bound_unless_complete() -> None:
    wall = ZoneSet([Zone.circle("wall", "wall", ZoneKind.NO_FLY, *offset(2500, 0), 400.0)],
                   projection=PROJECTION)
    near, far = dock("near", 1000, 0), dock("far", 5000, 0)  # the wall lies between far and scene
    quick = rank([near, far], zones=wall)
    bounded = next(c for c in quick.candidates if c.candidate_id == "far")
    assert quick.best is not None and quick.best.candidate_id == "near"
    assert bounded.eta_lower_bound and not bounded.detoured and len(bounded.path) == 2
    assert any("lower bound" in w for w in bounded.warnings)
    planned = next(c for c in rank([near, far], zones=wall, complete=True).candidates
                   if c.candidate_id == "far")
    assert planned.detoured and not planned.eta_lower_bound and planned.eta_s > bounded.eta_s
