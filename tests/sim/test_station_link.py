"""The station against simulated vehicles: telemetry, parameters, plans, signing, guided actions."""

from __future__ import annotations

import math

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavCmd, MavFrame, MissionItem, MissionType
from groundstation.firmware._geo import distance_m
from groundstation.sim import YONGZHOU_HOME, Personality, SimVehicle
from tests.sim.conftest import MakeSim, Station
from tests.sim.plans import point, rally_points, short_route, square_fence

BOTH = pytest.mark.parametrize("personality", [Personality.ARDUPILOT, Personality.PX4])


@BOTH
async def test_the_station_sees_the_vehicle_as_its_autopilot_would_look(
    make_sim: MakeSim, personality: Personality
) -> None:
    vehicle, _ = await make_sim(personality=personality, battery_start_pct=87.0)
    await vehicle.wait_until(lambda s: s.gps.satellites is not None and s.attitude.updated_s > 0, 5)
    s = vehicle.state
    assert s.family == personality.value and s.vehicle_type == "QUADROTOR"
    assert s.mode == ("STABILIZE" if personality is Personality.ARDUPILOT else "AUTO.LOITER")
    assert (s.position.lat_deg, s.position.lon_deg) == pytest.approx(YONGZHOU_HOME[:2], abs=1e-6)
    assert s.position.alt_amsl_m == pytest.approx(YONGZHOU_HOME[2], abs=0.01)
    assert s.position.alt_rel_m == pytest.approx(0.0, abs=0.01)
    assert s.gps.fix_type == 3 and s.gps.satellites == 14
    assert s.battery.remaining_pct in (86, 87) and 16.0 < s.battery.voltage_v < 16.8
    assert s.system_status == "STANDBY" and not s.armed
    if personality is Personality.PX4:  # streamed; ArduPilot sends it when asked
        await vehicle.wait_until(lambda st: st.home.valid and st.landed_state != 0, 5)


@BOTH
async def test_parameters_read_all_and_set_in_each_encoding(
    make_sim: MakeSim, personality: Personality
) -> None:
    vehicle, sim = await make_sim(personality=personality)
    everything = await vehicle.params.fetch_all()
    assert everything.keys() == sim.params.values().keys()
    name = "FS_GCS_ENABLE" if personality is Personality.ARDUPILOT else "NAV_DLL_ACT"
    assert await vehicle.params.set(name, 2) == 2
    assert sim.params.get(name) == 2
    fname = "WPNAV_SPEED" if personality is Personality.ARDUPILOT else "MPC_XY_CRUISE"
    assert await vehicle.params.set(fname, 7.5 * (100 if fname == "WPNAV_SPEED" else 1)) > 0
    assert sim.autopilot.cruise_mps == pytest.approx(7.5)


@BOTH
async def test_mission_fence_and_rally_round_trip(make_sim: MakeSim, personality: Personality) -> None:
    vehicle, _ = await make_sim(personality=personality)
    plans = {
        MissionType.MISSION: short_route(),
        MissionType.FENCE: square_fence(200),
        MissionType.RALLY: rally_points(),
    }
    for mission_type, items in plans.items():
        await vehicle.upload_plan(mission_type, items)
        got = await vehicle.download_plan(mission_type)
        assert [(i.command, i.x, i.y, i.z, i.param1) for i in got] == [
            (i.command, i.x, i.y, i.z, i.param1) for i in items
        ]
        await vehicle.clear_plan(mission_type)
        assert await vehicle.download_plan(mission_type) == []


async def test_ardupilot_reports_home_as_mission_item_zero(make_sim: MakeSim) -> None:
    vehicle, sim = await make_sim()
    await vehicle.upload_plan(MissionType.MISSION, short_route())
    home = sim.plan_server.items_for_download(MissionType.MISSION)[0]
    assert (home.x, home.y) == (round(YONGZHOU_HOME[0] * 1e7), round(YONGZHOU_HOME[1] * 1e7))


async def test_px4_refuses_a_fence_that_does_not_contain_home(make_sim: MakeSim) -> None:
    from groundstation._exceptions import PlanTransferError

    vehicle, sim = await make_sim(personality=Personality.PX4)
    away = [MissionItem(command=MavCmd.NAV_FENCE_CIRCLE_INCLUSION, frame=MavFrame.GLOBAL,
                        param1=50, x=point(500, 0)[0], y=point(500, 0)[1])]  # fmt: skip
    with pytest.raises(PlanTransferError) as caught:
        await vehicle.upload_plan(MissionType.FENCE, away)
    assert caught.value.result == mavlink.MAV_MISSION_ERROR
    assert sim.plan(MissionType.FENCE) == []


async def test_bad_items_are_refused_with_the_matching_result(make_sim: MakeSim) -> None:
    from groundstation._exceptions import PlanTransferError

    vehicle, _ = await make_sim()
    bad_vertex = [MissionItem(command=MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION, param1=2,
                              frame=MavFrame.GLOBAL, x=point(1, 1)[0], y=point(1, 1)[1])] * 2
    with pytest.raises(PlanTransferError) as caught:
        await vehicle.upload_plan(MissionType.FENCE, bad_vertex)
    assert caught.value.result == mavlink.MAV_MISSION_INVALID_PARAM1
    with pytest.raises(PlanTransferError) as caught:
        await vehicle.upload_plan(MissionType.RALLY, short_route())
    assert caught.value.result == mavlink.MAV_MISSION_UNSUPPORTED


@BOTH
async def test_goto_orbit_speed_pause_and_land_through_the_station(
    make_sim: MakeSim, personality: Personality
) -> None:
    vehicle, sim = await make_sim(personality=personality)
    await vehicle.wait_until(lambda s: s.home.valid or s.position.valid, 5)
    if not vehicle.state.home.valid:
        await vehicle.command(mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_HOME_POSITION)
        await vehicle.wait_until(lambda s: s.home.valid, 5)
    await vehicle.takeoff(20)
    await vehicle.wait_until(lambda s: s.position.alt_rel_m > 19, 20)
    target = [v / 1e7 for v in point(80, 40)]
    await vehicle.set_speed(12)
    await vehicle.goto(target[0], target[1], 25)
    truth = await sim.wait_until(
        lambda t: distance_m(t.lat_deg, t.lon_deg, *target) < 1 and abs(t.alt_rel_m - 25) < 0.5, 20
    )
    await vehicle.pause()  # hold where it is
    centre = [v / 1e7 for v in point(0, 0)]
    await vehicle.orbit(centre[0], centre[1], 40, speed_mps=6, alt_m=25)
    await sim.wait_until(lambda t: abs(distance_m(t.lat_deg, t.lon_deg, *centre) - 40) < 1.5
                         and t.ground_speed_mps > 4, 30)  # fmt: skip
    assert sim.truth().mode in ("CIRCLE", "POSCTL.ORBIT")
    await vehicle.land()
    truth = await sim.wait_until(lambda t: not t.armed, 60)
    assert truth.on_ground and math.isfinite(truth.lat_deg)


async def test_signing_over_a_listening_vehicle_then_unsigned_frames_are_ignored(
    station: Station,
) -> None:
    """The vehicle listens (udpin) like a SITL; the station connects, sets up signing."""
    import socket

    async with SimVehicle(station.sim_config(endpoints=("udpin:127.0.0.1:0",))) as sim:
        port = sim.local_ports[0]
        await station.fleet.add_endpoint(f"udpout:127.0.0.1:{port}")
        vehicle = await station.fleet.wait_for_vehicle(sim.system_id, timeout_s=10)
        await vehicle.setup_signing(bytes(range(32)))
        assert sim.signing
        sim.params.set("DISARM_DELAY", 0)  # stay armed on the ground
        await vehicle.arm()  # signed commands work
        assert sim.truth().armed
        rogue = mavlink.MAVLink(None, srcSystem=255, srcComponent=190)
        frame = mavlink.MAVLink_command_long_message(
            sim.system_id, 1, mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 0, 0, 21196, 0, 0, 0, 0, 0
        ).pack(rogue)
        bad_before = sim.bad_frames
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(frame, ("127.0.0.1", port))  # an unsigned forced disarm
        await sim.wait_until(lambda t: sim.bad_frames > bad_before, 5)
        assert sim.truth().armed
        await vehicle.disarm()
        assert not sim.truth().armed
