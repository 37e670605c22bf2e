"""Command protocol: acks, retries with confirmation, IN_PROGRESS, refusals, timeouts, events."""

from __future__ import annotations

import asyncio

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation._exceptions import CommandRejected, CommandTimeout, CommLost
from groundstation.events import CommandCompleted, CommandSent, EventBus, LinkLost
from groundstation.mavlink import Fleet
from tests.mavlink.vehicle_side import MiniAutopilot

ARM = mavlink.MAV_CMD_COMPONENT_ARM_DISARM


async def connected(fleet: Fleet, make_peer, sysid: int = 1, **kw: object):
    peer = await make_peer(sysid, **kw)
    vehicle = await fleet.wait_for_vehicle(sysid, timeout_s=2)
    return peer, vehicle, MiniAutopilot(peer, px4=kw.get("autopilot") == mavlink.MAV_AUTOPILOT_PX4)


async def test_accepted_command_publishes_audit_events(
    fleet: Fleet, make_peer, bus: EventBus
) -> None:
    _peer, v, _ap = await connected(fleet, make_peer)
    with bus.subscribe(CommandSent, CommandCompleted) as sub:
        await v.arm()
        sent = await sub.wait_for(CommandSent, timeout_s=1)
        done = await sub.wait_for(CommandCompleted, timeout_s=1)
    assert (sent.system_id, sent.command, sent.command_name) == (1, ARM, "COMPONENT_ARM_DISARM")  # type: ignore[attr-defined]
    assert sent.params == (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # type: ignore[attr-defined]
    assert done.ok and done.result == "ACCEPTED" and done.attempts == 1  # type: ignore[attr-defined]
    await v.wait_until(lambda s: s.armed, 2)


async def test_lost_commands_are_resent_with_confirmation_incremented(
    fleet: Fleet, make_peer
) -> None:
    _peer, v, ap = await connected(fleet, make_peer)
    seen: list[int] = []

    def drop_twice(msg):
        seen.append(msg.confirmation)
        return None if len(seen) < 3 else mavlink.MAV_RESULT_ACCEPTED

    ap.results[ARM] = drop_twice
    await v.arm()
    assert seen == [0, 1, 2]


async def test_in_progress_then_accepted(fleet: Fleet, make_peer, bus: EventBus) -> None:
    peer, v, ap = await connected(fleet, make_peer)
    loop = asyncio.get_running_loop()

    def slow(msg):
        peer.ack(msg.command, mavlink.MAV_RESULT_IN_PROGRESS, progress=10)
        loop.call_later(
            0.3, lambda: peer.ack(msg.command, mavlink.MAV_RESULT_IN_PROGRESS, progress=60)
        )
        loop.call_later(0.6, peer.ack, msg.command, mavlink.MAV_RESULT_ACCEPTED)

    ap.results[mavlink.MAV_CMD_DO_SET_MODE] = slow
    with bus.subscribe(CommandCompleted) as sub:
        await v.set_mode("LOITER")  # longer than the ack timeout: IN_PROGRESS keeps it alive
        done = await sub.wait_for(CommandCompleted, timeout_s=1)
    assert done.result == "ACCEPTED" and done.attempts == 1  # type: ignore[attr-defined]
    assert [m.command for _, m in ap.log] == [mavlink.MAV_CMD_DO_SET_MODE]


@pytest.mark.parametrize(
    "result", [mavlink.MAV_RESULT_DENIED, mavlink.MAV_RESULT_TEMPORARILY_REJECTED,
               mavlink.MAV_RESULT_UNSUPPORTED, mavlink.MAV_RESULT_FAILED]
)  # fmt: skip
async def test_refusals_are_clear_errors(
    fleet: Fleet, make_peer, bus: EventBus, result: int
) -> None:
    peer, v, ap = await connected(fleet, make_peer)

    def refuse(msg):
        peer.ack(msg.command, result, result_param2=42)

    ap.results[ARM] = refuse
    with bus.subscribe(CommandCompleted) as sub:
        with pytest.raises(CommandRejected) as info:
            await v.arm()
        done = await sub.wait_for(CommandCompleted, timeout_s=1)
    assert (
        info.value.result == result and info.value.result_param2 == 42 and info.value.command == ARM
    )
    assert "COMPONENT_ARM_DISARM" in str(info.value)
    assert done.result == mavlink.enums["MAV_RESULT"][result].name.removeprefix("MAV_RESULT_")  # type: ignore[attr-defined]
    assert done.result_param2 == 42 and not done.ok  # type: ignore[attr-defined]


async def test_no_answer_is_a_timeout_after_all_retries(
    fleet: Fleet, make_peer, bus: EventBus
) -> None:
    _peer, v, ap = await connected(fleet, make_peer)
    ap.results[ARM] = lambda msg: None
    with bus.subscribe(CommandCompleted) as sub:
        with pytest.raises(CommandTimeout):
            await v.arm()
        done = await sub.wait_for(CommandCompleted, timeout_s=1)
    retries = fleet.settings.command_retries
    assert ap.commands().count(ARM) == retries + 1
    assert done.result == "TIMEOUT" and done.attempts == retries + 1  # type: ignore[attr-defined]


async def test_command_int_only_falls_back_once(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await connected(fleet, make_peer)
    ap.results[mavlink.MAV_CMD_DO_CHANGE_SPEED] = lambda m: (
        mavlink.MAV_RESULT_COMMAND_INT_ONLY
        if m.get_type() == "COMMAND_LONG"
        else mavlink.MAV_RESULT_ACCEPTED
    )
    await v.set_speed(7.0)
    assert [kind for kind, _ in ap.log] == ["long", "int"]
    assert ap.log[1][1].param2 == 7.0


async def test_acks_for_another_gcs_are_ignored(fleet: Fleet, make_peer) -> None:
    peer, v, ap = await connected(fleet, make_peer)

    def other_gcs_first(msg):
        if msg.confirmation == 0:
            peer.send(
                mavlink.MAVLink_command_ack_message(
                    msg.command, mavlink.MAV_RESULT_DENIED, 0, 0, 254, 190
                )
            )
            return None
        return mavlink.MAV_RESULT_ACCEPTED

    ap.results[ARM] = other_gcs_first
    await v.arm()  # the DENIED for system 254 must not count
    assert ap.commands().count(ARM) == 2


async def test_same_command_twice_is_serialised(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await connected(fleet, make_peer)
    await asyncio.gather(v.arm(), v.arm(force=True))
    assert [m.param2 for _, m in ap.log if m.command == ARM] in ([0, 21196], [21196, 0])


async def test_command_without_link_raises_comm_lost(
    fleet: Fleet, make_peer, bus: EventBus
) -> None:
    peer, v, _ap = await connected(fleet, make_peer)
    with bus.subscribe(LinkLost) as sub:
        peer.heartbeats_enabled = False
        await sub.wait_for(LinkLost, timeout_s=3)
    with pytest.raises(CommLost):
        await v.arm()


async def test_raw_command_with_target_component(fleet: Fleet, make_peer) -> None:
    _peer, v, ap = await connected(fleet, make_peer)
    ack = await v.command(mavlink.MAV_CMD_REQUEST_MESSAGE, 148)
    assert ack.result_name == "ACCEPTED"
    assert ap.log[-1][1].param1 == 148 and ap.log[-1][1].target_component == 1
