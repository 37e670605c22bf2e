"""Fleet: vehicles by system id over shared and multiple links, GCS heartbeat, link watch."""

from __future__ import annotations

import asyncio
import socket

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation._exceptions import LinkError
from groundstation.events import EventBus, LinkLost, LinkRegained, VehicleDiscovered
from groundstation.mavlink import Fleet
from tests.infra import free_port
from tests.mavlink.conftest import fast_settings
from tests.mavlink.peer import ScriptedPeer


async def test_many_vehicles_on_one_port_are_told_apart(
    fleet: Fleet, make_peer, bus: EventBus
) -> None:
    with bus.subscribe(VehicleDiscovered) as sub:
        peers = [await make_peer(sysid) for sysid in (3, 4, 5, 6)]
        vehicles = [await fleet.wait_for_vehicle(p.sysid, timeout_s=2) for p in peers]
        for i, peer in enumerate(peers):
            peer.send(
                mavlink.MAVLink_global_position_int_message(
                    1, 260000000 + i, 1110000000, 0, i * 1000, 0, 0, 0, 0
                )
            )
        for i, vehicle in enumerate(vehicles):
            await vehicle.wait_until(lambda s: s.position.valid, 2)
            assert vehicle.state.position.alt_rel_m == i
        discovered = sorted([(await sub.get()).system_id for _ in peers])  # type: ignore[attr-defined]
    assert discovered == [3, 4, 5, 6]
    assert set(fleet.vehicles) == {3, 4, 5, 6}


async def test_vehicle_on_two_links_is_one_vehicle(bus: EventBus) -> None:
    port_a, port_b = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)
    settings = fast_settings(endpoints=[f"udpin:127.0.0.1:{port_a}", f"udpin:127.0.0.1:{port_b}"])
    radio, lte = ScriptedPeer(9), ScriptedPeer(9)
    async with Fleet(settings, bus) as fleet:
        with bus.subscribe(LinkLost, LinkRegained) as sub:
            await radio.connect(port_a)
            vehicle = await fleet.wait_for_vehicle(9, timeout_s=2)
            await lte.connect(port_b)
            await vehicle.wait_until(lambda s: len(s.link.live_links) == 2, 2)
            assert len(fleet.vehicles) == 1
            primary = vehicle.primary_link
            (radio if primary.endswith(str(port_a)) else lte).heartbeats_enabled = False
            lost = await sub.wait_for(LinkLost, timeout_s=3)
            assert lost.link == primary and not lost.comm_lost  # type: ignore[attr-defined]
            assert vehicle.primary_link != primary
            assert not vehicle.comm_lost
            radio.heartbeats_enabled = lte.heartbeats_enabled = True
            regained = await sub.wait_for(LinkRegained, timeout_s=3)
            assert regained.link == primary  # type: ignore[attr-defined]
    await radio.close()
    await lte.close()


async def test_gcs_heartbeat_reaches_every_peer(fleet: Fleet, make_peer) -> None:
    a, b = await make_peer(1), await make_peer(2)
    for peer in (a, b):
        hb = await peer.wait_for("HEARTBEAT", timeout_s=2)
        assert hb.type == mavlink.MAV_TYPE_GCS and hb.autopilot == mavlink.MAV_AUTOPILOT_INVALID
        assert hb.get_srcSystem() == 255 and hb.get_srcComponent() == 190
    await a.wait_for("HEARTBEAT", lambda m: m.get_seq() >= 2, timeout_s=2)


async def test_heartbeats_that_are_not_vehicles_are_ignored(fleet: Fleet, make_peer) -> None:
    gcs = await make_peer(
        20, autopilot=mavlink.MAV_AUTOPILOT_INVALID, vehicle_type=mavlink.MAV_TYPE_GCS
    )
    camera = await make_peer(
        21, autopilot=mavlink.MAV_AUTOPILOT_INVALID, vehicle_type=mavlink.MAV_TYPE_CAMERA
    )
    real = await make_peer(22)
    await fleet.wait_for_vehicle(22, timeout_s=2)
    await gcs.wait_for("HEARTBEAT", timeout_s=2)
    await camera.wait_for("HEARTBEAT", timeout_s=2)
    assert set(fleet.vehicles) == {22}
    assert fleet.ignored_heartbeats > 0
    del real


async def test_link_lost_then_regained(fleet: Fleet, make_peer, bus: EventBus) -> None:
    peer = await make_peer(11)
    vehicle = await fleet.wait_for_vehicle(11, timeout_s=2)
    with bus.subscribe(LinkLost, LinkRegained) as sub:
        peer.heartbeats_enabled = False
        lost = await sub.wait_for(LinkLost, timeout_s=3)
        assert lost.comm_lost and vehicle.comm_lost and vehicle.state.link.comm_lost  # type: ignore[attr-defined]
        peer.heartbeats_enabled = True
        await sub.wait_for(LinkRegained, timeout_s=3)
    assert not vehicle.comm_lost


async def test_packet_loss_from_sequence_gaps(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(12, heartbeat_interval_s=10)
    vehicle = await fleet.wait_for_vehicle(12, timeout_s=2)
    name = next(iter(fleet.link_stats()))
    before = fleet.link_stats()[name].frames_lost
    for i in range(10):
        if i % 2:
            peer.mav.seq = (peer.mav.seq + 1) % 256  # skip one sequence number: one frame "lost"
        peer.send(mavlink.MAVLink_attitude_message(i, 0, 0, 0, 0, 0, 0))
    await vehicle.wait_until(lambda s: s.attitude.time_boot_ms == 9, 2)
    stats = fleet.link_stats()[name]
    assert stats.frames_lost - before == 5
    assert 0 < stats.loss_pct < 100
    peer.send(peer.heartbeat())
    await vehicle.wait_until(lambda s: s.link.lost == 5, 2)
    assert vehicle.state.link.loss_pct == pytest.approx(100 * 5 / (5 + 12))


async def test_endpoint_added_at_run_time(fleet: Fleet) -> None:
    port = free_port(socket.SOCK_DGRAM)
    await fleet.add_endpoint(f"udpin:127.0.0.1:{port}")
    peer = ScriptedPeer(30)
    await peer.connect(port)
    try:
        vehicle = await fleet.wait_for_vehicle(30, timeout_s=2)
        assert vehicle.primary_link == f"udpin:127.0.0.1:{port}"
        with pytest.raises(LinkError):
            await fleet.add_endpoint(f"udpin:127.0.0.1:{port}")
        await fleet.remove_endpoint(f"udpin:127.0.0.1:{port}")
        assert f"udpin:127.0.0.1:{port}" not in fleet.links
    finally:
        await peer.close()


async def test_wait_for_unknown_vehicle_times_out(fleet: Fleet) -> None:
    with pytest.raises(TimeoutError):
        await fleet.wait_for_vehicle(77, timeout_s=0.05)


async def test_busy_port_is_a_link_error(bus: EventBus) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(LinkError):
            async with Fleet(fast_settings(endpoints=[f"udpin:127.0.0.1:{port}"]), bus):
                pass


@pytest.mark.parametrize(
    "endpoint",
    [
        "udp:1.2.3.4:5",
        "udpin:127.0.0.1",
        "udpin:127.0.0.1:99999",
        "tcp:host:port",
        "serial:/dev/x:abc",
        "nonsense",
    ],
)
def test_bad_endpoints_are_refused(endpoint: str) -> None:
    from groundstation.mavlink import parse_endpoint

    with pytest.raises(LinkError):
        parse_endpoint(endpoint)


async def test_udpout_link_reaches_a_listening_vehicle(bus: EventBus) -> None:
    """The station connects out to a vehicle that listens (e.g. a companion's udpin)."""
    vehicle_port = free_port(socket.SOCK_DGRAM)
    loop = asyncio.get_running_loop()
    got: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

    class Listener(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            got.put_nowait((data, addr))

    transport, _ = await loop.create_datagram_endpoint(
        Listener, local_addr=("127.0.0.1", vehicle_port)
    )
    try:
        async with Fleet(
            fast_settings(endpoints=[f"udpout:127.0.0.1:{vehicle_port}"]), bus
        ) as fleet:
            data, station_addr = await asyncio.wait_for(got.get(), 2)  # the GCS heartbeat
            rx = mavlink.MAVLink(None).parse_buffer(data)
            assert rx is not None and rx[0].get_type() == "HEARTBEAT"
            peer = ScriptedPeer(40)
            transport.sendto(peer.pack(peer.heartbeat()), station_addr)
            vehicle = await fleet.wait_for_vehicle(40, timeout_s=2)
            assert vehicle.primary_link == f"udpout:127.0.0.1:{vehicle_port}"
    finally:
        transport.close()
