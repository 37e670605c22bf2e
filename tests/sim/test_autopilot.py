"""The simulated autopilot's logic on a hand-driven clock: arming, modes, RTL, failsafes, missions."""

from __future__ import annotations

import math

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavCmd, MavFrame, MissionItem, MissionType
from groundstation.firmware._geo import distance_m
from groundstation.sim import YONGZHOU_HOME
from tests.sim.bench import Bench
from tests.sim.plans import point, projection, rally_points, square_fence

M = mavlink
OK = M.MAV_RESULT_ACCEPTED
ARM = M.MAV_CMD_COMPONENT_ARM_DISARM
HOME = YONGZHOU_HOME[:2]


def local(truth) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    return projection(*HOME).to_metres(truth.lat_deg, truth.lon_deg)


# -- arming ------------------------------------------------------------------------------------


def test_arming_waits_for_a_gps_fix_and_says_why() -> None:
    bench = Bench(boot_delay_s=30.0)
    assert bench.command(ARM, 1) == M.MAV_RESULT_FAILED
    assert "PreArm: Need 3D Fix" in bench.texts()
    bench.run(31)
    assert bench.command(ARM, 1) == OK and bench.truth.armed


def test_force_arming_skips_the_checks() -> None:
    bench = Bench(boot_delay_s=30.0)
    assert bench.command(ARM, 1, 21196) == OK


@pytest.mark.parametrize("mode", ["RTL", "LAND", "AUTO", "CIRCLE"])
def test_ardupilot_refuses_to_arm_in_modes_that_do_not_allow_it(mode: str) -> None:
    bench = Bench()
    bench.store(MissionType.MISSION, [MissionItem(command=MavCmd.NAV_WAYPOINT)] * 2)
    bench.vehicle.autopilot.set_mode(bench.vehicle.rules.mode(mode), failsafe=True)
    assert bench.command(ARM, 1) == M.MAV_RESULT_FAILED
    assert any("not armable" in t for t in bench.texts())


def test_arming_refused_on_a_low_battery() -> None:
    bench = Bench()
    bench.vehicle.set_battery(15)
    assert bench.command(ARM, 1) == M.MAV_RESULT_FAILED
    assert any("Battery low" in t for t in bench.texts())


def test_an_enabled_fence_must_be_loaded_on_ardupilot_and_contain_the_vehicle() -> None:
    bench = Bench()
    bench.set_param("FENCE_ENABLE", 1)
    assert bench.command(ARM, 1) == M.MAV_RESULT_FAILED
    assert any("need fence" in t for t in bench.texts())
    far = [  # a fence 1 km east that does not contain the vehicle
        MissionItem(command=i.command, frame=i.frame, param1=i.param1, x=i.x,
                    y=point(1000, 0)[1] + (i.y - point(0, 0)[1]))
        for i in square_fence(50)
    ]  # fmt: skip
    bench.store(MissionType.FENCE, far)
    assert bench.command(ARM, 1) == M.MAV_RESULT_FAILED
    bench.store(MissionType.FENCE, square_fence(50))
    assert bench.command(ARM, 1) == OK


def test_px4_refuses_arming_with_temporarily_rejected() -> None:
    bench = Bench(personality="px4", boot_delay_s=10.0)
    assert bench.command(ARM, 1) == M.MAV_RESULT_TEMPORARILY_REJECTED
    assert any(t.startswith("Arming denied") for t in bench.texts())


def test_an_armed_vehicle_left_on_the_ground_disarms_itself() -> None:
    bench = Bench()
    bench.set_mode("GUIDED")
    bench.command(ARM, 1)
    elapsed = bench.run(30, lambda t: not t.armed)
    assert 9.5 < elapsed < 11.5  # DISARM_DELAY 10 s


# -- take-off, guided flight, modes -----------------------------------------------------------


def test_ardupilot_takeoff_needs_guided_and_armed() -> None:
    bench = Bench()
    takeoff = M.MAV_CMD_NAV_TAKEOFF
    assert bench.command(takeoff, 0, 0, 0, 0, 0, 0, 20) == M.MAV_RESULT_FAILED  # STABILIZE
    bench.set_mode("GUIDED")
    assert bench.command(takeoff, 0, 0, 0, 0, 0, 0, 20) == M.MAV_RESULT_FAILED  # disarmed
    bench.command(ARM, 1)
    assert bench.command(takeoff, 0, 0, 0, 0, 0, 0, 20) == OK
    bench.run(1)
    assert bench.truth.landed_state == M.MAV_LANDED_STATE_TAKEOFF
    bench.run(30, lambda t: t.alt_rel_m > 19.5)
    bench.run(1)
    assert bench.truth.landed_state == M.MAV_LANDED_STATE_IN_AIR


def test_px4_takeoff_switches_to_takeoff_mode_then_holds() -> None:
    bench = Bench(personality="px4")
    bench.takeoff(15)
    bench.run(5, lambda t: t.mode == "AUTO.LOITER")
    assert bench.truth.alt_rel_m == pytest.approx(15, abs=0.6)


def test_reposition_flies_there_and_holds() -> None:
    bench = Bench()
    bench.takeoff(20)
    x, y = point(100, 50)
    assert bench.command_int(M.MAV_CMD_DO_REPOSITION, MavFrame.GLOBAL_RELATIVE_ALT_INT, -1, 1,
                             x=x, y=y, z=30) == OK  # fmt: skip
    bench.run(60, lambda t: math.dist(local(t), (100, 50)) < 0.5 and abs(t.alt_rel_m - 30) < 0.5)
    bench.run(10)
    assert math.dist(local(bench.truth), (100, 50)) < 0.1
    assert bench.truth.ground_speed_mps < 0.1 and bench.truth.alt_rel_m == pytest.approx(30, abs=0.1)


def test_ardupilot_reposition_rules() -> None:
    bench = Bench()
    assert bench.command(M.MAV_CMD_DO_REPOSITION, -1, 1, 0, 0, 26.42, 111.61, 20) == (
        M.MAV_RESULT_UNSUPPORTED)  # only as COMMAND_INT
    x, y = point(10, 10)
    assert bench.command_int(M.MAV_CMD_DO_REPOSITION, MavFrame.GLOBAL_RELATIVE_ALT_INT, -1, 0,
                             x=x, y=y, z=20) == M.MAV_RESULT_DENIED  # not GUIDED, no CHANGE_MODE
    assert bench.command_int(M.MAV_CMD_DO_REPOSITION, MavFrame.GLOBAL_RELATIVE_ALT_INT, -1, 1,
                             x=x, y=y, z=20) == OK  # fmt: skip
    assert bench.truth.mode == "GUIDED"


def test_change_speed_sets_the_cruise_speed() -> None:
    bench = Bench()
    bench.takeoff(20)
    assert bench.command(M.MAV_CMD_DO_CHANGE_SPEED, 1, 4.0, -1) == OK
    x, y = point(300, 0)
    bench.command_int(M.MAV_CMD_DO_REPOSITION, MavFrame.GLOBAL_RELATIVE_ALT_INT, -1, 1, x=x, y=y,
                      z=20)  # fmt: skip
    bench.run(40)
    assert bench.truth.ground_speed_mps == pytest.approx(4.0, abs=0.05)


def test_circle_mode_circles_at_the_configured_radius() -> None:
    bench = Bench()
    bench.takeoff(20)
    bench.set_param("CIRCLE_RADIUS", 3000)  # cm
    bench.set_param("CIRCLE_OPTIONS", 4)  # centre on the vehicle
    assert bench.set_mode("CIRCLE") == OK
    bench.run(60)
    radii = []
    for _ in range(20):
        bench.run(1)
        radii.append(math.dist(local(bench.truth), (0.0, 0.0)))
    assert min(radii) == pytest.approx(30, abs=1.5) and max(radii) == pytest.approx(30, abs=1.5)


def test_px4_orbit_command_circles_the_point() -> None:
    bench = Bench(personality="px4")
    bench.takeoff(20)
    x, y = point(50, 0)
    amsl = YONGZHOU_HOME[2] + 20
    assert bench.command_int(M.MAV_CMD_DO_ORBIT, MavFrame.GLOBAL, 25, 5, 0, 0, x=x, y=y,
                             z=amsl) == OK  # fmt: skip
    assert bench.truth.mode == "POSCTL.ORBIT"
    bench.run(40)
    for _ in range(10):
        bench.run(1.5)
        assert math.dist(local(bench.truth), (50.0, 0.0)) == pytest.approx(25, abs=1.5)
        assert bench.truth.ground_speed_mps == pytest.approx(5, abs=0.7)


def test_unknown_commands_are_unsupported() -> None:
    assert Bench().command(M.MAV_CMD_DO_PARACHUTE, 1) == M.MAV_RESULT_UNSUPPORTED


# -- return, land, failsafes ------------------------------------------------------------------


def fly_out(bench: Bench, east_m: float, north_m: float, alt_m: float = 10.0) -> None:
    bench.takeoff(alt_m)
    x, y = point(east_m, north_m)
    bench.command_int(M.MAV_CMD_DO_REPOSITION, MavFrame.GLOBAL_RELATIVE_ALT_INT, -1, 1, x=x, y=y,
                      z=alt_m)  # fmt: skip
    bench.run(120, lambda t: math.dist(local(t), (east_m, north_m)) < 1)


def test_rtl_climbs_returns_lands_and_disarms() -> None:
    bench = Bench()
    fly_out(bench, 200, 0, alt_m=8)
    assert bench.set_mode("RTL") == OK
    peak = 0.0
    while bench.truth.armed:
        bench.run(0.5)
        peak = max(peak, bench.truth.alt_rel_m)
        assert bench.truth.t_s < 300
    assert peak == pytest.approx(15, abs=0.6)  # RTL_ALT 1500 cm
    assert math.dist(local(bench.truth), (0, 0)) < 1.0
    assert bench.truth.on_ground and bench.truth.mode == "RTL"


def test_rtl_goes_to_the_nearest_rally_point() -> None:
    bench = Bench()
    bench.store(MissionType.RALLY, rally_points())
    fly_out(bench, 200, 180)
    bench.set_mode("RTL")
    bench.run(300, lambda t: not t.armed)
    assert math.dist(local(bench.truth), (150, 150)) < 1.0


def test_land_descends_and_disarms_where_it_is() -> None:
    bench = Bench(personality="px4")
    fly_out(bench, 40, 40)
    assert bench.set_mode("AUTO.LAND") == OK
    bench.run(120, lambda t: not t.armed)
    assert math.dist(local(bench.truth), (40, 40)) < 1.0


def test_low_battery_returns_and_critical_battery_lands() -> None:
    bench = Bench()
    fly_out(bench, 100, 0)
    bench.vehicle.set_battery(19)  # below BATT_LOW_MAH (20 % of capacity)
    bench.run(1)
    assert bench.truth.mode == "RTL" and bench.truth.failsafe
    assert any("Battery low" in t for t in bench.texts())
    bench.vehicle.set_battery(9)
    bench.run(1)
    assert bench.truth.mode == "LAND"


def test_lost_gcs_heartbeats_trigger_rtl_when_enabled() -> None:
    bench = Bench()
    bench.set_param("FS_GCS_ENABLE", 1)
    heartbeat = M.MAVLink_heartbeat_message(M.MAV_TYPE_GCS, M.MAV_AUTOPILOT_INVALID, 0, 0, 0, 3)
    bench.receive(heartbeat)
    bench.takeoff(10)
    bench.run(30, lambda t: t.mode == "RTL")
    assert bench.truth.t_s > 5  # FS_GCS_TIMEOUT after the last heartbeat
    assert "GCS Failsafe" in bench.texts()
    bench.receive(M.MAVLink_heartbeat_message(M.MAV_TYPE_GCS, M.MAV_AUTOPILOT_INVALID, 0, 0, 0, 3))
    assert "GCS Failsafe Cleared" in bench.texts()
    assert bench.truth.mode == "RTL"  # the failsafe's action is not undone


def test_gcs_failsafe_is_off_by_default() -> None:
    bench = Bench()
    bench.receive(M.MAVLink_heartbeat_message(M.MAV_TYPE_GCS, M.MAV_AUTOPILOT_INVALID, 0, 0, 0, 3))
    fly_out(bench, 30, 0)
    assert bench.truth.mode == "GUIDED"


@pytest.mark.parametrize("personality", ["ardupilot", "px4"])
def test_leaving_the_fence_triggers_its_action(personality: str) -> None:
    bench = Bench(personality=personality)
    bench.set_param("FENCE_ENABLE" if personality == "ardupilot" else "GF_ACTION", 1 if
                    personality == "ardupilot" else 3)  # fmt: skip
    bench.store(MissionType.FENCE, square_fence(60))
    bench.takeoff(10)
    x, y = point(200, 0)
    bench.command_int(M.MAV_CMD_DO_REPOSITION, MavFrame.GLOBAL_RELATIVE_ALT_INT, -1, 1, x=x, y=y,
                      z=10)  # fmt: skip
    bench.run(60, lambda t: "RTL" in t.mode)
    assert 60 <= local(bench.truth)[0] < 75
    bench.run(200, lambda t: not t.armed)
    assert math.dist(local(bench.truth), (0, 0)) < 1.0


def test_an_exclusion_circle_is_a_breach_too() -> None:
    bench = Bench()
    bench.set_param("FENCE_ENABLE", 1)
    x, y = point(100, 0)
    bench.store(MissionType.FENCE, [MissionItem(command=MavCmd.NAV_FENCE_CIRCLE_EXCLUSION,
                                                frame=MavFrame.GLOBAL, param1=30, x=x, y=y)])
    fly_out_to = point(200, 0)
    bench.takeoff(10)
    bench.command_int(M.MAV_CMD_DO_REPOSITION, MavFrame.GLOBAL_RELATIVE_ALT_INT, -1, 1,
                      x=fly_out_to[0], y=fly_out_to[1], z=10)  # fmt: skip
    bench.run(60, lambda t: t.mode == "RTL")
    assert 65 < local(bench.truth)[0] < 80


# -- missions ---------------------------------------------------------------------------------


def mission(*items: MissionItem, personality: str = "ardupilot") -> list[MissionItem]:
    home = [MissionItem(command=MavCmd.NAV_WAYPOINT, frame=MavFrame.GLOBAL)] if (
        personality == "ardupilot") else []
    return home + list(items)


def wp(east: float, north: float, alt: float = 20.0, **kw: float) -> MissionItem:
    x, y = point(east, north)
    return MissionItem(command=MavCmd.NAV_WAYPOINT, x=x, y=y, z=alt, **kw)


def reached(bench: Bench) -> list[int]:
    return [m.seq for m in bench.sent if m.get_type() == "MISSION_ITEM_REACHED"]


def test_auto_from_the_ground_needs_a_takeoff_item_on_ardupilot() -> None:
    bench = Bench()
    bench.store(MissionType.MISSION, mission(wp(50, 0)))
    bench.set_mode("GUIDED")
    bench.command(ARM, 1)
    assert bench.command(M.MAV_CMD_MISSION_START) == M.MAV_RESULT_FAILED
    assert "Auto: Missing Takeoff Cmd" in bench.texts()


def test_a_mission_with_holds_loiters_a_speed_change_and_a_landing() -> None:
    bench = Bench()
    items = mission(
        MissionItem(command=MavCmd.NAV_TAKEOFF, z=15),
        wp(50, 0, 15),
        MissionItem(command=MavCmd.DO_CHANGE_SPEED, frame=MavFrame.MISSION, param2=5),
        MissionItem(command=MavCmd.NAV_LOITER_TIME, x=point(50, 50)[0], y=point(50, 50)[1], z=15,
                    param1=20),
        MissionItem(command=MavCmd.NAV_LOITER_TURNS, x=point(0, 50)[0], y=point(0, 50)[1], z=15,
                    param1=2, param3=15),
        MissionItem(command=MavCmd.NAV_LAND, frame=MavFrame.GLOBAL_RELATIVE_ALT),
    )  # fmt: skip
    bench.store(MissionType.MISSION, items)
    bench.set_mode("GUIDED")
    bench.command(ARM, 1)
    assert bench.command(M.MAV_CMD_MISSION_START) == OK
    assert bench.truth.mode == "AUTO"
    bench.run(60, lambda t: 2 in reached(bench))  # the waypoint
    t_wp = bench.truth.t_s
    bench.run(60, lambda t: 4 in reached(bench))  # loiter 20 s 50 m further on
    assert bench.truth.t_s - t_wp >= 20 + 50 / 5
    assert bench.truth.ground_speed_mps <= 5.05  # the changed speed
    t_loiter = bench.truth.t_s
    bench.run(200, lambda t: 5 in reached(bench))  # two turns of a 15 m circle at 5 m/s
    assert bench.truth.t_s - t_loiter > 2 * 2 * math.pi * 15 / 5
    bench.run(120, lambda t: not t.armed)
    assert reached(bench) == [1, 2, 4, 5, 6]
    assert math.dist(local(bench.truth), (0, 50)) < 16


def test_pause_and_continue_in_auto() -> None:
    bench = Bench()
    bench.store(MissionType.MISSION, mission(MissionItem(command=MavCmd.NAV_TAKEOFF, z=10),
                                             wp(300, 0, 10)))  # fmt: skip
    bench.set_mode("GUIDED")
    bench.command(ARM, 1)
    bench.command(M.MAV_CMD_MISSION_START)
    bench.run(60, lambda t: local(t)[0] > 50)
    assert bench.command(M.MAV_CMD_DO_PAUSE_CONTINUE, 0) == OK
    bench.run(10)
    held = local(bench.truth)[0]
    bench.run(10)
    assert local(bench.truth)[0] == pytest.approx(held, abs=0.2)
    assert bench.command(M.MAV_CMD_DO_PAUSE_CONTINUE, 1) == OK
    bench.run(60, lambda t: local(t)[0] > 290)


def test_mission_current_and_reached_are_reported() -> None:
    bench = Bench(personality="px4")
    bench.store(MissionType.MISSION, mission(wp(30, 0), wp(30, 30), personality="px4"))
    assert bench.set_mode("AUTO.MISSION") == OK
    bench.command(ARM, 1)  # PX4 takes off into a mission without a takeoff item
    bench.run(120, lambda t: 1 in reached(bench))
    currents = [m.seq for m in bench.sent if m.get_type() == "MISSION_CURRENT"]
    assert 0 in currents and 1 in currents
    assert distance_m(bench.truth.lat_deg, bench.truth.lon_deg,
                      *[v / 1e7 for v in point(30, 30)]) < 2.5  # fmt: skip
