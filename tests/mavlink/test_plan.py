"""Plan transfers (mission, fence, rally) against a vehicle-side mission server, with faults."""

from __future__ import annotations

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MissionType
from groundstation._exceptions import PlanTransferError
from groundstation.events import EventBus, MissionProgress, PlanTransferDone, PlanTransferFailed
from groundstation.mavlink import Fleet
from tests.mavlink.plans import fence, rally, route, typed
from tests.mavlink.vehicle_side import MissionServer

PX4 = mavlink.MAV_AUTOPILOT_PX4


async def setup(fleet: Fleet, make_peer, sysid: int = 1, **kw: object):
    peer = await make_peer(sysid, **kw)
    vehicle = await fleet.wait_for_vehicle(sysid, timeout_s=2)
    return peer, vehicle, MissionServer(peer)


@pytest.mark.parametrize(
    ("mission_type", "items"),
    [(MissionType.MISSION, route()), (MissionType.FENCE, fence()), (MissionType.RALLY, rally())],
)
async def test_px4_upload_download_clear_each_type(
    fleet: Fleet, make_peer, bus: EventBus, mission_type, items
) -> None:
    _peer, v, server = await setup(fleet, make_peer, autopilot=PX4)
    with bus.subscribe(PlanTransferDone) as sub:
        assert await v.upload_plan(mission_type, items) == len(items)
        assert len(server.plans[mission_type]) == len(items)
        assert typed(items, mission_type) == await v.download_plan(mission_type)
        await v.clear_plan(mission_type)
        assert server.plans[mission_type] == []
        assert await v.download_plan(mission_type) == []
        ops = [(await sub.get()).operation for _ in range(4)]  # type: ignore[attr-defined]
    assert ops == ["upload", "download", "clear", "download"]
    assert server.acks_from_station[-1].type == mavlink.MAV_MISSION_ACCEPTED


async def test_ardupilot_mission_has_home_at_item_zero(fleet: Fleet, make_peer) -> None:
    peer, v, server = await setup(fleet, make_peer)
    peer.send(
        mavlink.MAVLink_home_position_message(
            262000000, 1116000000, 98500, 0, 0, 0, [1, 0, 0, 0], 0, 0, 0
        )
    )
    await v.wait_until(lambda s: s.home.valid, 2)
    items = route()
    await v.upload_plan(MissionType.MISSION, items)
    wire = server.plans[0]
    assert len(wire) == len(items) + 1
    assert (wire[0].seq, wire[0].command, wire[0].x, wire[0].z) == (
        0,
        16,
        262000000,
        pytest.approx(98.5),
    )
    assert typed(items, MissionType.MISSION) == await v.download_plan(MissionType.MISSION)
    await v.upload_plan(MissionType.FENCE, fence())
    assert len(server.plans[1]) == len(fence())  # no home item in fences


async def test_px4_legacy_first_request_and_duplicates(fleet: Fleet, make_peer) -> None:
    peer, v, server = await setup(fleet, make_peer, autopilot=PX4)
    server.legacy_first_request = True
    server.duplicate_requests = True
    await v.upload_plan(MissionType.MISSION, route(6))
    assert len(server.plans[0]) == 6
    assert any(m.get_type() == "MISSION_ITEM_INT" and m.seq == 0 for m in peer.received)


async def test_upload_survives_dropped_requests(fleet: Fleet, make_peer) -> None:
    peer, v, server = await setup(fleet, make_peer, autopilot=PX4)
    server.drop_requests = {0, 2, 3}
    await v.upload_plan(MissionType.MISSION, route(5))
    assert len(server.plans[0]) == 5
    counts = [m for m in peer.received if m.get_type() == "MISSION_COUNT"]
    assert len(counts) == 2  # the lost first request made the station resend the count


async def test_vehicle_error_ack_is_a_clear_error(fleet: Fleet, make_peer, bus: EventBus) -> None:
    _peer, v, server = await setup(fleet, make_peer, autopilot=PX4)
    server.error_at = 2
    with bus.subscribe(PlanTransferFailed) as sub:
        with pytest.raises(PlanTransferError) as info:
            await v.upload_plan(MissionType.FENCE, fence())
        failed = await sub.wait_for(PlanTransferFailed, timeout_s=1)
    assert info.value.result == mavlink.MAV_MISSION_NO_SPACE
    assert "NO_SPACE" in str(info.value)
    assert (
        failed.result == "NO_SPACE"
        and failed.operation == "upload"
        and failed.mission_type == "FENCE"
    )  # type: ignore[attr-defined]


async def test_silent_vehicle_times_out_and_is_told_cancelled(fleet: Fleet, make_peer) -> None:
    peer, v, server = await setup(fleet, make_peer, autopilot=PX4)
    server.silent = True
    with pytest.raises(PlanTransferError) as info:
        await v.upload_plan(MissionType.MISSION, route())
    assert info.value.result is None
    counts = [m for m in peer.received if m.get_type() == "MISSION_COUNT"]
    assert len(counts) == fleet.settings.mission_max_retries + 1
    await peer.wait_for(
        "MISSION_ACK", lambda m: m.type == mavlink.MAV_MISSION_OPERATION_CANCELLED, timeout_s=1
    )
    with pytest.raises(PlanTransferError):
        await v.download_plan(MissionType.MISSION)


async def test_download_re_requests_lost_items_and_takes_float_items(
    fleet: Fleet, make_peer
) -> None:
    peer, v, server = await setup(fleet, make_peer, autopilot=PX4)
    items = route(5)
    await v.upload_plan(MissionType.MISSION, items)
    server.lose_items = {1, 3}
    server.reply_with_float_items = True
    got = await v.download_plan(MissionType.MISSION)
    assert [i.command for i in got] == [i.command for i in items]
    for a, b in zip(got, items, strict=True):  # MISSION_ITEM carries float32 degrees (~1 m)
        assert abs(a.x - b.x) < 100 and abs(a.y - b.y) < 100
    requests = [m.seq for m in peer.received if m.get_type() == "MISSION_REQUEST_INT"]
    assert requests.count(1) == 2 and requests.count(3) == 2


async def test_vehicle_asking_for_an_item_out_of_range_fails(fleet: Fleet, make_peer) -> None:
    peer, v, _server = await setup(fleet, make_peer, autopilot=PX4)
    peer.handlers["MISSION_COUNT"] = lambda p, m: p.send(
        mavlink.MAVLink_mission_request_int_message(255, 190, 9, 0)
    )
    with pytest.raises(PlanTransferError) as info:
        await v.upload_plan(MissionType.MISSION, route(3))
    assert info.value.result == mavlink.MAV_MISSION_INVALID_SEQUENCE


async def test_early_accept_is_an_error(fleet: Fleet, make_peer) -> None:
    peer, v, _server = await setup(fleet, make_peer, autopilot=PX4)
    peer.handlers["MISSION_COUNT"] = lambda p, m: p.send(
        mavlink.MAVLink_mission_ack_message(255, 190, 0, 0)
    )
    with pytest.raises(PlanTransferError):
        await v.upload_plan(MissionType.MISSION, route(3))


async def test_empty_upload(fleet: Fleet, make_peer) -> None:
    _peer, v, _server = await setup(fleet, make_peer, autopilot=PX4)
    assert await v.upload_plan(MissionType.RALLY, []) == 0


async def test_mission_progress_with_ardupilot_offset(
    fleet: Fleet, make_peer, bus: EventBus
) -> None:
    peer, v, _server = await setup(fleet, make_peer)
    with bus.subscribe(MissionProgress) as sub:
        peer.send(mavlink.MAVLink_mission_current_message(2, 5, 3, 0))
        current = await sub.wait_for(MissionProgress, timeout_s=2)
        peer.send(mavlink.MAVLink_mission_item_reached_message(1))
        reached = await sub.wait_for(MissionProgress, timeout_s=2)
    assert (current.current, current.total) == (1, 4)  # type: ignore[attr-defined]
    assert reached.reached == 0  # type: ignore[attr-defined]
    assert v.state.mission.state == "ACTIVE"
