"""Fault injection through the simulator, seen by the station: commands, plans, the link.

Every scripted fault must end as the station's documented outcome (an error naming the
result, a retry that succeeds, a timeout) and never crash either side.
"""

from __future__ import annotations

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MissionType
from groundstation._exceptions import CommandRejected, CommandTimeout, PlanTransferError
from groundstation.events import CommandCompleted, LinkLost, LinkRegained, StatusText
from groundstation.sim import CommandFault, PlanFault
from tests.sim.conftest import MakeSim, Station
from tests.sim.plans import rally_points, short_route, square_fence

TAKEOFF = mavlink.MAV_CMD_NAV_TAKEOFF


@pytest.mark.parametrize(
    ("fault", "result"),
    [
        (CommandFault.DENY, mavlink.MAV_RESULT_DENIED),
        (CommandFault.FAIL, mavlink.MAV_RESULT_FAILED),
        (CommandFault.UNSUPPORTED, mavlink.MAV_RESULT_UNSUPPORTED),
        (CommandFault.TEMPORARILY_REJECTED, mavlink.MAV_RESULT_TEMPORARILY_REJECTED),
    ],
)
async def test_a_refused_command_becomes_command_rejected(
    station: Station, make_sim: MakeSim, fault: CommandFault, result: int
) -> None:
    vehicle, sim = await make_sim()
    sim.faults.script_command(TAKEOFF, fault)
    with station.bus.subscribe(CommandCompleted) as sub:
        with pytest.raises(CommandRejected) as caught:
            await vehicle.takeoff(20)
        assert caught.value.result == result
        done = await sub.wait_for(CommandCompleted, lambda e: e.command == TAKEOFF, timeout_s=2)
        assert not done.ok
    assert sim.truth().on_ground  # nothing happened on the vehicle
    sim.faults.clear_command(TAKEOFF)
    await vehicle.takeoff(10)  # and the vehicle still works
    await vehicle.wait_until(lambda s: s.position.alt_rel_m > 9, 10)


async def test_an_unanswered_command_times_out(make_sim: MakeSim) -> None:
    vehicle, sim = await make_sim()
    sim.faults.script_command(TAKEOFF, CommandFault.NO_ANSWER)
    with pytest.raises(CommandTimeout):
        await vehicle.takeoff(20)
    attempts = [c for c, _ in sim.commands.received if c == TAKEOFF]
    assert len(attempts) == 4  # first try and three retries


async def test_a_command_answered_only_on_the_second_attempt_succeeds(
    station: Station, make_sim: MakeSim
) -> None:
    vehicle, sim = await make_sim()
    sim.faults.script_command(TAKEOFF, CommandFault.SECOND_ATTEMPT)
    with station.bus.subscribe(CommandCompleted) as sub:
        await vehicle.takeoff(15)
        done = await sub.wait_for(CommandCompleted, lambda e: e.command == TAKEOFF, timeout_s=2)
    assert done.ok and done.attempts == 2
    confirmations = [conf for c, conf in sim.commands.received if c == TAKEOFF]
    assert confirmations == [0, 1]
    await vehicle.wait_until(lambda s: s.position.alt_rel_m > 14, 10)


async def test_in_progress_then_done(make_sim: MakeSim) -> None:
    vehicle, sim = await make_sim()
    sim.faults.script_command(TAKEOFF, CommandFault.IN_PROGRESS)
    sim.faults.in_progress_s = 2.0  # sim seconds
    await vehicle.takeoff(15)
    await vehicle.wait_until(lambda s: s.position.alt_rel_m > 14, 10)


async def test_arming_refused_with_the_reason_in_a_status_text(
    station: Station, make_sim: MakeSim
) -> None:
    vehicle, sim = await make_sim(boot_delay_s=3600.0)
    with station.bus.subscribe(StatusText) as sub:
        with pytest.raises(CommandRejected) as caught:
            await vehicle.arm()
        assert caught.value.result == mavlink.MAV_RESULT_FAILED
        text = await sub.wait_for(StatusText, lambda e: "PreArm" in e.text, timeout_s=2)
    assert "3D Fix" in text.text
    assert not sim.truth().armed


@pytest.mark.parametrize("mission_type", [MissionType.MISSION, MissionType.FENCE])
@pytest.mark.parametrize(
    "fault", [PlanFault.DROP_REQUEST, PlanFault.WRONG_SEQUENCE, PlanFault.NO_RESPONSE]
)
async def test_uploads_survive_lost_and_confused_requests(
    make_sim: MakeSim, fault: PlanFault, mission_type: MissionType
) -> None:
    vehicle, sim = await make_sim()
    items = short_route() if mission_type == MissionType.MISSION else square_fence(100)
    sim.faults.script_plan(fault, seq=2, mission_type=mission_type)
    await vehicle.upload_plan(mission_type, items)
    stored = sim.plan(mission_type)
    offset = 1 if mission_type == MissionType.MISSION else 0
    assert [(i.command, i.x, i.y, i.z) for i in stored[offset:]] == [
        (i.command, i.x, i.y, i.z) for i in items
    ]


async def test_an_error_ack_fails_the_upload_and_keeps_the_old_plan(make_sim: MakeSim) -> None:
    vehicle, sim = await make_sim()
    await vehicle.upload_plan(MissionType.FENCE, square_fence(100))
    sim.faults.script_plan(PlanFault.ERROR_ACK, seq=1)
    with pytest.raises(PlanTransferError) as caught:
        await vehicle.upload_plan(MissionType.FENCE, square_fence(200))
    assert caught.value.result == mavlink.MAV_MISSION_ERROR
    assert [i.x for i in sim.plan(MissionType.FENCE)] == [i.x for i in square_fence(100)]


async def test_a_missing_final_ack_is_reported_not_hung_on(make_sim: MakeSim) -> None:
    vehicle, sim = await make_sim()
    sim.faults.script_plan(PlanFault.NO_FINAL_ACK, times=None)
    with pytest.raises(PlanTransferError):
        await vehicle.upload_plan(MissionType.RALLY, rally_points())


@pytest.mark.parametrize("fault", [PlanFault.DROP_ITEM, PlanFault.WRONG_SEQUENCE])
async def test_downloads_survive_lost_and_wrong_items(make_sim: MakeSim, fault: PlanFault) -> None:
    vehicle, sim = await make_sim()
    items = short_route()
    await vehicle.upload_plan(MissionType.MISSION, items)
    sim.faults.script_plan(fault, seq=3)
    got = await vehicle.download_plan(MissionType.MISSION)
    assert [(i.command, i.x, i.y) for i in got] == [(i.command, i.x, i.y) for i in items]


async def test_link_lost_then_regained(station: Station, make_sim: MakeSim) -> None:
    vehicle, sim = await make_sim()
    with station.bus.subscribe(LinkLost, LinkRegained) as sub:
        sim.set_link(sending=False, receiving=False)
        lost = await sub.wait_for(LinkLost, timeout_s=5)
        assert lost.system_id == sim.system_id and lost.comm_lost
        assert vehicle.comm_lost
        sim.set_link()
        regained = await sub.wait_for(LinkRegained, timeout_s=5)
    assert regained.system_id == sim.system_id
    await vehicle.takeoff(10)  # commands work again
    await vehicle.wait_until(lambda s: s.position.alt_rel_m > 9, 10)
