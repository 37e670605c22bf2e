"""High-level actions: what each autopilot family is sent, over real sockets."""

from __future__ import annotations

import math

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.firmware import FlightIntent, UnsupportedAction
from groundstation.mavlink import Fleet
from tests.mavlink.vehicle_side import MiniAutopilot, ParamStore

PX4 = mavlink.MAV_AUTOPILOT_PX4
C = mavlink


async def apm(fleet: Fleet, make_peer):
    peer = await make_peer(1)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    return peer, v, MiniAutopilot(peer)


async def px4(fleet: Fleet, make_peer, *, home_alt_m: float = 98.5):
    peer = await make_peer(2, autopilot=PX4)
    v = await fleet.wait_for_vehicle(2, timeout_s=2)
    peer.send(
        C.MAVLink_home_position_message(
            262000000, 1116000000, int(home_alt_m * 1000), 0, 0, 0, [1, 0, 0, 0], 0, 0, 0
        )
    )
    await v.wait_until(lambda s: s.home.valid, 2)
    return peer, v, MiniAutopilot(peer, px4=True)


async def test_ardupilot_takeoff_is_guided_arm_takeoff(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await apm(fleet, make_peer)
    await v.takeoff(30)
    assert ap.commands() == [
        C.MAV_CMD_DO_SET_MODE,
        C.MAV_CMD_COMPONENT_ARM_DISARM,
        C.MAV_CMD_NAV_TAKEOFF,
    ]
    mode, arm, takeoff = (m for _, m in ap.log)
    assert (mode.param1, mode.param2) == (C.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED, 4)
    assert (arm.param1, arm.param2) == (1, 0)
    assert takeoff.param7 == 30
    await v.wait_until(lambda s: s.armed and s.mode == "GUIDED", 2)


async def test_ardupilot_takeoff_when_armed_skips_arming(fleet: Fleet, make_peer) -> None:
    peer, v, ap = await apm(fleet, make_peer)
    peer.base_mode |= C.MAV_MODE_FLAG_SAFETY_ARMED
    await v.wait_until(lambda s: s.armed, 2)
    await v.takeoff(10)
    assert ap.commands() == [C.MAV_CMD_DO_SET_MODE, C.MAV_CMD_NAV_TAKEOFF]


async def test_px4_takeoff_uses_amsl_altitude_then_arms(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await px4(fleet, make_peer)
    await v.takeoff(30)
    assert ap.commands() == [C.MAV_CMD_NAV_TAKEOFF, C.MAV_CMD_COMPONENT_ARM_DISARM]
    takeoff = ap.log[0][1]
    assert takeoff.param7 == pytest.approx(128.5) and math.isnan(takeoff.param5)


async def test_goto_per_family(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await apm(fleet, make_peer)
    await v.goto(26.21, 111.61, 40)
    kind, m = ap.log[-1]
    assert kind == "int" and m.command == C.MAV_CMD_DO_REPOSITION
    assert (m.frame, m.x, m.y, m.z) == (C.MAV_FRAME_GLOBAL_RELATIVE_ALT, 262100000, 1116100000, 40)
    assert m.param2 == C.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE

    _peer2, v2, ap2 = await px4(fleet, make_peer)
    await v2.goto(26.21, 111.61, 40)
    kind, m = ap2.log[-1]
    assert kind == "int" and (m.frame, m.z) == (C.MAV_FRAME_GLOBAL, pytest.approx(138.5))


async def test_px4_orbit_is_do_orbit(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await px4(fleet, make_peer)
    await v.orbit(26.22, 111.62, 50, speed_mps=4, clockwise=False, alt_m=60)
    kind, m = ap.log[-1]
    assert (kind, m.command, m.param1, m.param2) == ("int", C.MAV_CMD_DO_ORBIT, -50, 4)
    assert (m.x, m.y, m.z) == (262200000, 1116200000, pytest.approx(158.5))


async def test_ardupilot_orbit_sets_circle_and_flies_to_the_centre(fleet: Fleet, make_peer) -> None:
    peer, v, ap = await apm(fleet, make_peer)
    store = ParamStore(peer, {"CIRCLE_RADIUS": (1000.0, C.MAV_PARAM_TYPE_REAL32),
                              "CIRCLE_RATE": (20.0, C.MAV_PARAM_TYPE_REAL32),
                              "CIRCLE_OPTIONS": (1.0, C.MAV_PARAM_TYPE_INT16)})  # fmt: skip

    def arrive(msg):
        peer.send(
            C.MAVLink_global_position_int_message(
                1, msg.x, msg.y, 150000, int(msg.z * 1000), 0, 0, 0, 0
            )
        )
        return C.MAV_RESULT_ACCEPTED

    ap.results[C.MAV_CMD_DO_REPOSITION] = arrive
    peer.send(
        C.MAVLink_global_position_int_message(1, 262000000, 1116000000, 150000, 30000, 0, 0, 0, 0)
    )
    await v.wait_until(lambda s: s.position.valid, 2)
    await v.orbit(26.2001, 111.6001, 40, speed_mps=4)
    assert store.values["CIRCLE_RADIUS"][0] == 4000
    assert store.values["CIRCLE_RATE"][0] == pytest.approx(math.degrees(4 / 40), rel=1e-6)
    assert store.values["CIRCLE_OPTIONS"][0] == 1 | 4
    assert ap.commands() == [C.MAV_CMD_DO_REPOSITION, C.MAV_CMD_DO_SET_MODE]
    assert ap.log[-1][1].param2 == 7  # CIRCLE
    assert ap.log[0][1].z == pytest.approx(30)  # keeps its altitude


@pytest.mark.parametrize(
    ("action", "family", "expected"),
    [
        ("land", "apm", [(C.MAV_CMD_DO_SET_MODE, 9)]),
        ("return_to_launch", "apm", [(C.MAV_CMD_DO_SET_MODE, 6)]),
        ("land", "px4", [(C.MAV_CMD_DO_SET_MODE, 4)]),
        ("return_to_launch", "px4", [(C.MAV_CMD_DO_SET_MODE, 4)]),
        ("pause", "apm", [(C.MAV_CMD_DO_PAUSE_CONTINUE, 0)]),
        ("resume", "apm", [(C.MAV_CMD_DO_PAUSE_CONTINUE, 0)]),
        ("resume", "px4", [(C.MAV_CMD_DO_SET_MODE, 4)]),
        ("start_mission", "apm", [(C.MAV_CMD_DO_SET_MODE, 4), (C.MAV_CMD_COMPONENT_ARM_DISARM, 0), (C.MAV_CMD_MISSION_START, 0)]),
        ("start_mission", "px4", [(C.MAV_CMD_DO_SET_MODE, 4), (C.MAV_CMD_COMPONENT_ARM_DISARM, 0)]),
    ],
)  # fmt: skip
async def test_mode_and_mission_actions(
    fleet: Fleet, make_peer, action: str, family: str, expected
) -> None:
    _peer, v, ap = await (apm(fleet, make_peer) if family == "apm" else px4(fleet, make_peer))
    await getattr(v, action)()
    assert [(m.command, m.param2) for _, m in ap.log] == expected


async def test_resume_and_pause_params(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await apm(fleet, make_peer)
    await v.pause()
    await v.resume()
    assert [m.param1 for _, m in ap.log] == [0, 1]
    _peer2, v2, ap2 = await px4(fleet, make_peer)
    await v2.pause()
    kind, m = ap2.log[-1]
    assert kind == "long" and m.command == C.MAV_CMD_DO_REPOSITION and math.isnan(m.param5)
    await v2.resume()
    assert (ap2.log[-1][1].param2, ap2.log[-1][1].param3) == (4, 4)  # AUTO.MISSION


async def test_ardupilot_start_mission_in_the_air_is_auto(fleet: Fleet, make_peer) -> None:
    peer, v, ap = await apm(fleet, make_peer)
    peer.base_mode |= C.MAV_MODE_FLAG_SAFETY_ARMED
    peer.system_status = C.MAV_STATE_ACTIVE
    await v.wait_until(lambda s: s.armed and s.system_status == "ACTIVE", 2)
    await v.start_mission()
    assert [(m.command, m.param2) for _, m in ap.log] == [(C.MAV_CMD_DO_SET_MODE, 3)]


async def test_speed_disarm_and_mode_names(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await apm(fleet, make_peer)
    await v.set_speed(12)
    await v.disarm(force=True)
    await v.set_mode("brake")
    await v.set_mode(FlightIntent.LOITER)
    got = [(m.command, m.param1, m.param2) for _, m in ap.log]
    assert got == [
        (C.MAV_CMD_DO_CHANGE_SPEED, 1, 12),
        (C.MAV_CMD_COMPONENT_ARM_DISARM, 0, 21196),
        (C.MAV_CMD_DO_SET_MODE, 1, 17),
        (C.MAV_CMD_DO_SET_MODE, 1, 5),
    ]


async def test_unsupported_intent_is_refused_before_sending(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await px4(fleet, make_peer)
    with pytest.raises(UnsupportedAction):
        await v.set_mode(FlightIntent.CIRCLE)
    with pytest.raises(UnsupportedAction):
        await v.set_mode("NO_SUCH_MODE")
    assert ap.log == []


async def test_px4_takeoff_without_position_is_refused(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(3, autopilot=PX4)
    v = await fleet.wait_for_vehicle(3, timeout_s=2)
    ap = MiniAutopilot(peer, px4=True)
    with pytest.raises(UnsupportedAction):
        await v.takeoff(20)
    assert ap.log == []
