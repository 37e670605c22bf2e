"""One-click launch and recovery in accelerated time (in-process docks, behavioural drones)."""

from __future__ import annotations

import itertools

import pytest

from docks import (
    DockFault,
    DockState,
    HoldMode,
    LaunchAborted,
    LaunchRefused,
    RainLevel,
    RallyPoint,
    SortieState,
    Weather,
    leg_checker,
    straight_ways,
    zone_checker,
)
from docks._geo import distance_m, offset
from geofence import CircleShape, Zone, ZoneKind, ZoneSet
from groundstation.dispatch import zone_avoiding_ways
from tests.docks.rig import YONGZHOU, FleetRig, square_patrol, wait_state

TARGET = offset(*YONGZHOU, 1200.0, 300.0)  # about 1.2 km north of dock D1


def step(report, name: str):  # type: ignore[no-untyped-def]
    return next(s for s in report.steps if s.name == name)


async def test_one_click_launch_and_recovery() -> None:
    async with FleetRig(n_docks=2) as rig:
        sortie = await rig.launcher.launch(*TARGET)
        report = sortie.report
        assert sortie.state is SortieState.ON_SCENE and report.dock_id == "D1"
        pos = rig.drone(0).position
        assert pos is not None and distance_m(pos.lat_deg, pos.lon_deg, *TARGET) <= 100
        assert rig.drone(0).mode == "CIRCLE"
        assert 0 <= report.click_to_first_command_s < report.click_to_airborne_s < report.click_to_on_scene_s
        # the station overlaps what can overlap: the drone boots (12 s) while the cover opens
        # (15 s) and takes its route as soon as it is heard; only arming waits for both
        cover, power, upload, arm = (step(report, n) for n in ("cover_open", "drone_power_on", "upload_route", "arm"))
        assert power.started_s < cover.ended_s and cover.started_s < power.ended_s
        assert arm.started_s >= cover.ended_s and arm.started_s >= upload.ended_s
        assert step(report, "self_check").started_s < cover.ended_s
        final = await sortie.recover()
        assert sortie.state is SortieState.LANDED and final.landed_at == "dock:D1"
        dock = rig.dock(0)
        assert dock.state is DockState.IDLE_CHARGING and not dock.busy, (
            [(t.new.value, t.reason) for t in dock.transitions], final.notes)
        assert [t.new for t in dock.transitions][1:] == [
            DockState.PREPARING, DockState.LAUNCHING, DockState.DRONE_OUT, DockState.AWAITING_RETURN,
            DockState.LANDING, DockState.CLOSING, DockState.IDLE_CHARGING,
        ]
        assert rig.sim(0).snapshot_for_tests()["charging"] and not rig.drone(0).connected
        commands = {(a.target, a.command) for a in rig.audit}
        assert ("dock:D1", "cover_open") in commands and ("drone:U1", "arm") in commands
        assert all(a.outcome == "ok" for a in rig.audit)


async def test_hover_hold_and_patrol_route() -> None:
    async with FleetRig(n_docks=1) as rig:
        sortie = await rig.launcher.launch(*TARGET, hold=HoldMode.HOVER)
        assert rig.drone(0).mode == "AUTO"
        await sortie.recover()
        await wait_state(rig.dock(0), lambda d: d.state.idle)
        patrol = await rig.launcher.launch_route("D1", square_patrol(YONGZHOU, 600.0), purpose="patrol")
        report = await patrol.finished()
        assert patrol.state is SortieState.LANDED and "landed in dock D1" in report.outcome
        assert report.click_to_on_scene_s is not None  # the end of the route


async def test_the_nearest_ready_dock_is_chosen() -> None:
    async with FleetRig(n_docks=3) as rig:
        near_d3 = offset(*YONGZHOU, 500.0, 3000.0)
        ranked = rig.launcher.evaluate(*near_d3)
        assert [c.dock_id for c in ranked] == ["D3", "D2", "D1"] and all(c.ok for c in ranked)


@pytest.mark.parametrize(
    ("rig_args", "expected"),
    [
        ({"weather": Weather(wind_speed_mps=15.0)}, "wind 15.0 m/s over the 12.0 m/s limit"),
        ({"weather": Weather(rain=RainLevel.HEAVY)}, "rain heavy over the light limit"),
        ({"battery_pct": 35.0}, "battery 35% below"),
        ({"route_checker": lambda dock, items: ["crosses no-fly zone 'airport'"]}, "route: crosses no-fly zone 'airport'"),
    ],
)
async def test_launch_refused_with_reasons(rig_args: dict, expected: str) -> None:  # type: ignore[type-arg]
    async with FleetRig(n_docks=1, **rig_args) as rig:
        with pytest.raises(LaunchRefused) as raised:
            await rig.launcher.launch(*TARGET)
        assert any(expected in r for r in raised.value.reasons["D1"])
        assert rig.dock(0).state.idle and not rig.drone(0).commands


async def test_a_busy_dock_is_passed_over_then_refused() -> None:
    async with FleetRig(n_docks=2) as rig:
        first = await rig.launcher.launch(*TARGET)
        second = await rig.launcher.launch(*TARGET)
        assert (first.report.dock_id, second.report.dock_id) == ("D1", "D2")
        with pytest.raises(LaunchRefused) as raised:
            await rig.launcher.launch(*TARGET)
        assert "busy: a sortie holds the dock" in raised.value.reasons["D1"]
        await first.recover()
        await second.recover()


async def test_offline_and_faulted_docks_are_refused() -> None:
    async with FleetRig(n_docks=2) as rig:
        rig.dock(0).driver.set_online(False)  # type: ignore[attr-defined]
        rig.sim(1).press_emergency_stop()
        with pytest.raises(LaunchRefused) as raised:
            await rig.launcher.launch(*TARGET)
        assert raised.value.reasons["D1"] == ["dock offline"]
        assert "dock fault" in raised.value.reasons["D2"]


async def test_cover_that_will_not_open_aborts_before_arming() -> None:
    async with FleetRig(n_docks=1) as rig:
        rig.sim(0).inject(DockFault.COVER_JAM)
        with pytest.raises(LaunchAborted) as raised:
            await rig.launcher.launch(*TARGET)
        assert raised.value.step == "cover_open"
        assert "arm" not in rig.drone(0).commands and not rig.drone(0).armed
        assert not rig.drone(0).connected  # powered off again
        assert rig.dock(0).state is DockState.FAULT  # the cover is jammed: people must look
        assert "dock left in fault" in raised.value.way_back
        assert rig.launcher.sorties[-1].state is SortieState.ABORTED


@pytest.mark.parametrize(
    ("fault", "failed_step"),
    [(DockFault.SELF_CHECK_FAIL, "self_check"), (DockFault.DRONE_POWER_FAIL, "drone_power_on")],
)
async def test_preparation_failures_abort_with_the_dock_closed(fault: DockFault, failed_step: str) -> None:
    async with FleetRig(n_docks=1) as rig:
        rig.sim(0).inject(fault)
        with pytest.raises(LaunchAborted) as raised:
            await rig.launcher.launch(*TARGET)
        assert raised.value.step == failed_step
        assert "cover closed, drone powered off, dock idle" in raised.value.way_back
        assert rig.dock(0).state.idle and rig.sim(0).snapshot_for_tests()["cover_pos"] == 0.0
        assert not rig.drone(0).armed and not rig.drone(0).connected


async def test_arming_refused_aborts_on_the_ground() -> None:
    async with FleetRig(n_docks=1) as rig:
        rig.drone(0).refuse.add("arm")
        with pytest.raises(LaunchAborted) as raised:
            await rig.launcher.launch(*TARGET)
        assert raised.value.step == "arm" and rig.dock(0).state.idle
        assert rig.drone(0).landed_state.value == "on_ground"
        assert any(a.command == "arm" and a.outcome.startswith("failed") for a in rig.audit)


async def test_link_lost_mid_flight_leaves_the_failsafe_to_bring_it_home() -> None:
    async with FleetRig(n_docks=1) as rig:
        sortie = await rig.launcher.launch(*TARGET)
        drone = rig.drone(0)
        sent_before = list(drone.commands)
        drone.cut_link()
        report = await sortie.finished()
        assert sortie.state is SortieState.LANDED
        assert "returned under its own failsafe" in report.outcome
        assert any("link lost near" in n for n in report.notes)
        assert drone.commands == sent_before  # nothing sent to a drone we cannot hear
        assert drone.mode == "RTL" and rig.sim(0).readings().drone_present
        assert rig.dock(0).state.idle


async def test_a_drone_that_cannot_land_in_its_dock_diverts_to_an_empty_dock() -> None:
    async with FleetRig(n_docks=2, empty=[1]) as rig:
        sortie = await rig.launcher.launch(*TARGET)
        rig.sim(0).inject(DockFault.LANDING_AREA_BLOCKED)
        report = await sortie.recover()
        assert sortie.state is SortieState.DIVERTED and report.landed_at == "dock:D2"
        assert rig.dock(0).state is DockState.FAULT
        assert rig.dock(1).drone is rig.drone(0) and rig.dock(0).drone is None
        assert rig.sim(1).readings().drone_present
        assert rig.dock(1).state is DockState.IDLE_CHARGING or rig.dock(1).state is DockState.IDLE_READY


async def test_a_divert_dock_whose_cover_jams_is_passed_over_for_the_next() -> None:
    async with FleetRig(n_docks=3, empty=[1, 2]) as rig:
        sortie = await rig.launcher.launch(*TARGET)
        rig.sim(0).inject(DockFault.LANDING_AREA_BLOCKED)
        rig.sim(1).inject(DockFault.COVER_JAM)
        report = await sortie.recover()
        assert sortie.state is SortieState.DIVERTED and report.landed_at == "dock:D3"
        assert any("D2" in n and "would not open" in n for n in report.notes), report.notes
        assert rig.dock(2).drone is rig.drone(0) and rig.sim(2).readings().drone_present


async def test_with_no_dock_free_it_lands_at_the_nearest_rally_point() -> None:
    rally = RallyPoint(name="R1", lat_deg=YONGZHOU[0] + 0.004, lon_deg=YONGZHOU[1])
    async with FleetRig(n_docks=1, rally_points=[rally]) as rig:
        sortie = await rig.launcher.launch(*TARGET)
        rig.dock(0).driver.set_online(False)  # type: ignore[attr-defined]
        report = await sortie.recover()
        assert sortie.state is SortieState.DIVERTED and report.landed_at == "rally:R1"
        pos = rig.drone(0).position
        assert pos is not None and distance_m(pos.lat_deg, pos.lon_deg, rally.lat_deg, rally.lon_deg) < 5
        assert rig.drone(0).landed_state.value == "on_ground"


@pytest.mark.parametrize("far_blocked", [False, True])
async def test_a_divert_prefers_a_rally_point_reached_without_crossing_a_no_fly_zone(
    far_blocked: bool,
) -> None:
    near = RallyPoint(name="R-near", lat_deg=YONGZHOU[0] + 0.004, lon_deg=YONGZHOU[1])
    far_lat, far_lon = offset(*TARGET, 0.0, 1200.0)
    far = RallyPoint(name="R-far", lat_deg=far_lat, lon_deg=far_lon)
    between = [Zone.circle("jail", "Jail", ZoneKind.NO_FLY,
                           *offset(*TARGET, -400.0, -150.0), 100.0)]
    if far_blocked:
        between.append(Zone.circle("depot", "Depot", ZoneKind.NO_FLY,
                                   *offset(*TARGET, 0.0, 600.0), 100.0))
    async with FleetRig(n_docks=1, rally_points=[near, far],
                        way_finder=straight_ways(leg_checker(ZoneSet(between)))) as rig:
        sortie = await rig.launcher.launch(*TARGET)
        rig.dock(0).driver.set_online(False)  # type: ignore[attr-defined]
        report = await sortie.recover()
    assert sortie.state is SortieState.DIVERTED
    if far_blocked:  # no clear way anywhere: the nearest, with the crossing on record
        assert report.landed_at == "rally:R-near"
        assert any("no zone-free way" in n and "Jail" in n for n in report.notes), report.notes
    else:
        assert report.landed_at == "rally:R-far"


async def test_a_divert_with_no_straight_clear_way_flies_around_the_no_fly_zone() -> None:
    # both rally points' straight lines cross a zone; the station's way finder plans around
    near = RallyPoint(name="R-near", lat_deg=YONGZHOU[0] + 0.004, lon_deg=YONGZHOU[1])
    far = RallyPoint(name="R-far", lat_deg=offset(*TARGET, 0.0, 1200.0)[0],
                     lon_deg=offset(*TARGET, 0.0, 1200.0)[1])
    zones = ZoneSet([
        Zone.circle("jail", "Jail", ZoneKind.NO_FLY, *offset(*TARGET, -400.0, -150.0), 100.0),
        Zone.circle("depot", "Depot", ZoneKind.NO_FLY, *offset(*TARGET, 0.0, 600.0), 100.0),
    ])
    async with FleetRig(n_docks=1, rally_points=[near, far]) as rig:
        rig.launcher.way_finder = zone_avoiding_ways(lambda: zones, rig.clock.now)
        sortie = await rig.launcher.launch(*TARGET)
        rig.dock(0).driver.set_online(False)  # type: ignore[attr-defined]
        start = rig.drone(0).position
        sent = len(rig.audit)
        report = await sortie.recover()
        alt = rig.dock(0).info.alt_m + rig.settings.launch.cruise_alt_m
        home_alt = rig.dock(0).info.alt_m
    assert sortie.state is SortieState.DIVERTED and report.landed_at == "rally:R-near"
    assert not any("no zone-free way" in n for n in report.notes), report.notes
    assert start is not None
    flown = [(start.lat_deg, start.lon_deg)] + [
        (r.params["lat"], r.params["lon"]) for r in rig.audit[sent:] if r.command == "goto"]
    assert len(flown) >= 3, flown  # at least one corner before the rally point
    check = leg_checker(zones)
    crossings = [c for a, b in itertools.pairwise(flown) for c in check(a, b, alt, home_alt)]
    assert crossings == []
    assert check(flown[0], flown[-1], alt, home_alt)  # the straight line would have crossed


async def test_a_way_finder_that_fails_still_lets_the_drone_divert() -> None:
    rally = RallyPoint(name="R1", lat_deg=YONGZHOU[0] + 0.004, lon_deg=YONGZHOU[1])

    def broken(*_args: object) -> list[object]:
        raise RuntimeError("zone map unreadable")

    async with FleetRig(n_docks=1, rally_points=[rally]) as rig:
        rig.launcher.way_finder = broken  # type: ignore[assignment]
        sortie = await rig.launcher.launch(*TARGET)
        rig.dock(0).driver.set_online(False)  # type: ignore[attr-defined]
        report = await sortie.recover()
    assert sortie.state is SortieState.DIVERTED and report.landed_at == "rally:R1"
    assert any("way planning failed (zone map unreadable)" in n for n in report.notes), report.notes


async def test_low_battery_over_the_scene_brings_the_drone_home() -> None:
    async with FleetRig(n_docks=1, battery_pct=60.0) as rig:
        rig.settings.launch.hold_s = 0.0
        sortie = await rig.launcher.launch(*TARGET)
        rig.drone(0).battery = 30.0
        report = await sortie.finished()
        assert sortie.state is SortieState.LANDED
        assert any("recovering: battery low" in n for n in report.notes)


async def test_a_real_no_fly_zone_on_the_route_refuses_that_dock_and_another_is_chosen() -> None:
    # a no-fly circle straddling the line from D1 to the target, clear of D2's line
    mid = offset(*YONGZHOU, 600.0, 150.0)
    zones = ZoneSet([Zone(id="nf1", name="prison", kind=ZoneKind.NO_FLY,
                          shape=CircleShape(mid[0], mid[1], 150.0))])
    target = offset(*YONGZHOU, 1200.0, 300.0)
    async with FleetRig(n_docks=2, spacing_m=1500.0) as rig:
        rig.launcher.route_checker = zone_checker(zones, clock=rig.clock)
        ranked = rig.launcher.evaluate(*target)
        by_id = {c.dock_id: c for c in ranked}
        assert any("inside_no_fly zone 'prison'" in r for r in by_id["D1"].reasons)
        assert by_id["D2"].ok
        sortie = await rig.launcher.launch(*target)
        assert sortie.report.dock_id == "D2"
        await sortie.recover()


async def test_a_drone_never_heard_after_power_on_times_out_and_aborts_on_the_ground() -> None:
    async with FleetRig(n_docks=1) as rig:
        rig.drone(0).link_up = False  # it boots, but its radio stays silent
        with pytest.raises(LaunchAborted) as raised:
            await rig.launcher.launch(*TARGET)
        assert raised.value.step == "drone_link"
        sortie = rig.launcher.sorties[-1]
        assert "link up did not happen in 30.0 s" in step(sortie.report, "drone_link").outcome
        assert "cover closed, drone powered off, dock idle" in raised.value.way_back
        assert rig.dock(0).state.idle and not rig.drone(0).powered and not rig.drone(0).armed
        assert "arm" not in rig.drone(0).commands


async def test_a_drone_not_on_scene_in_time_is_called_back_to_its_dock() -> None:
    async with FleetRig(n_docks=1) as rig:
        rig.settings.launch.transit_margin_s = 5.0
        rig.drone(0).cruise_speed_mps = 3.0  # a strong wind: a fifth of the planned speed
        sortie = await rig.launcher.launch(*TARGET)  # returns when the transit deadline passes
        assert sortie.state is SortieState.RETURNING
        report = await sortie.finished()
        assert "on scene: not within" in step(report, "transit").outcome
        # slow on the way home too: past the planned leg time the station keeps waiting for it
        assert step(report, "over_late:D1").outcome == "ok"
        assert any("still on its way" in n for n in report.notes)
        assert report.click_to_on_scene_s is None
        assert sortie.state is SortieState.LANDED and report.landed_at == "dock:D1"
        assert "orbit" not in rig.drone(0).commands
        assert rig.dock(0).state.idle
