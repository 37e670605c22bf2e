"""Faults on the wire and from vehicles: none crashes the station, each is reported."""

from __future__ import annotations

import random

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavCmd, MissionItem, MissionType
from groundstation._exceptions import CommandRejected
from groundstation.events import CommandCompleted, EventBus, LinkLost, LinkRegained
from groundstation.mavlink import Fleet
from tests.mavlink.vehicle_side import MiniAutopilot, MissionServer

KEY = bytes(range(100, 132))


def stats(fleet: Fleet):
    return next(iter(fleet.link_stats().values()))


async def test_garbage_and_truncated_frames_are_counted(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(1, heartbeat_interval_s=10)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    rng = random.Random(3)
    good = peer.pack(mavlink.MAVLink_attitude_message(1, 0.1, 0.2, 0.3, 0, 0, 0))
    broken = bytearray(peer.pack(mavlink.MAVLink_attitude_message(2, 0.1, 0.2, 0.3, 0, 0, 0)))
    broken[14] ^= 0x55
    peer.send_raw(bytes(rng.randrange(256) for _ in range(500)))  # noise
    peer.send_raw(bytes(broken))  # bad CRC
    peer.send_raw(good[:-4])  # truncated datagram
    peer.send_raw(b"\x07\xfe\xf0" + good)  # junk with a false start in front of a good frame
    await v.wait_until(lambda s: s.attitude.time_boot_ms == 1, 2)
    st = stats(fleet)
    assert st.bad_crc >= 1 and st.bytes_dropped + st.bytes_rejected >= 500
    assert st.bytes_received == st.bytes_accepted + st.bytes_rejected + st.bytes_dropped
    peer.send(mavlink.MAVLink_attitude_message(3, 0, 0, 0, 0, 0, 0))
    await v.wait_until(lambda s: s.attitude.time_boot_ms == 3, 2)  # still working


async def test_heartbeats_stop_then_resume(fleet: Fleet, make_peer, bus: EventBus) -> None:
    peer = await make_peer(2)
    v = await fleet.wait_for_vehicle(2, timeout_s=2)
    with bus.subscribe(LinkLost, LinkRegained) as sub:
        peer.heartbeats_enabled = False
        lost = await sub.wait_for(LinkLost, timeout_s=3)
        assert lost.comm_lost  # type: ignore[attr-defined]
        peer.heartbeats_enabled = True
        await sub.wait_for(LinkRegained, timeout_s=3)
    assert not v.comm_lost and v.state.link.live_links


async def test_denied_command_is_reported(fleet: Fleet, make_peer, bus: EventBus) -> None:
    peer = await make_peer(3)
    v = await fleet.wait_for_vehicle(3, timeout_s=2)
    ap = MiniAutopilot(peer)
    ap.results[mavlink.MAV_CMD_COMPONENT_ARM_DISARM] = lambda m: mavlink.MAV_RESULT_DENIED
    with bus.subscribe(CommandCompleted) as sub:
        with pytest.raises(CommandRejected):
            await v.arm()
        assert (await sub.wait_for(CommandCompleted, timeout_s=1)).result == "DENIED"  # type: ignore[attr-defined]
    assert not v.state.armed


async def test_mission_upload_with_dropped_requests(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(4, autopilot=mavlink.MAV_AUTOPILOT_PX4)
    v = await fleet.wait_for_vehicle(4, timeout_s=2)
    server = MissionServer(peer, drop_requests={1, 2, 4})
    items = [
        MissionItem(command=MavCmd.NAV_WAYPOINT, x=262000000 + i, y=1116000000, z=30)
        for i in range(6)
    ]
    await v.upload_plan(MissionType.MISSION, items)
    assert [m.seq for m in server.plans[0]] == list(range(6))


async def test_unsigned_messages_on_a_signed_link_are_never_acted_on(
    bus: EventBus, udp_port: int, make_peer
) -> None:
    from tests.mavlink.conftest import fast_settings

    settings = fast_settings(endpoints=[])
    async with Fleet(settings, bus) as fleet:
        await fleet.add_endpoint(f"udpin:127.0.0.1:{udp_port}", signing_key=KEY)
        signed = await make_peer(5)
        signed.enable_signing(KEY)
        v = await fleet.wait_for_vehicle(5, timeout_s=2)
        intruder = await make_peer(5, heartbeat_interval_s=10)  # same system id, no key
        armed_hb = intruder.heartbeat()
        armed_hb.base_mode |= mavlink.MAV_MODE_FLAG_SAFETY_ARMED
        intruder.send(armed_hb)
        intruder.send(mavlink.MAVLink_global_position_int_message(1, 1, 1, 1, 1, 0, 0, 0, 0))
        stranger = await make_peer(6)  # unsigned vehicle: never becomes a vehicle
        signed.send(mavlink.MAVLink_attitude_message(77, 0, 0, 0, 0, 0, 0))
        await v.wait_until(lambda s: s.attitude.time_boot_ms == 77, 2)
        await stranger.wait_for("HEARTBEAT", timeout_s=2)
        st = stats(fleet)
        assert st.signing and st.unsigned_rejected >= 3
        assert not v.state.armed and not v.state.position.valid
        assert 6 not in fleet.vehicles
        gcs_hb = await signed.wait_for("HEARTBEAT", timeout_s=2)  # station signs what it sends
        assert gcs_hb.get_signed()
