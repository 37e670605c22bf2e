"""TCP and serial links: a vehicle over each, reconnection, and framing across chunks."""

from __future__ import annotations

import asyncio
import os
import socket

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.events import EndpointStateChanged, EventBus
from groundstation.mavlink import Fleet
from tests.infra import free_port
from tests.mavlink.conftest import fast_settings
from tests.mavlink.peer import ScriptedPeer


async def test_vehicle_over_tcp_with_reconnect(bus: EventBus) -> None:
    port = free_port(socket.SOCK_STREAM)
    connections: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await connections.put((reader, writer))

    server = await asyncio.start_server(accept, "127.0.0.1", port)
    peer = ScriptedPeer(5)
    settings = fast_settings(endpoints=[f"tcp:127.0.0.1:{port}"], tcp_reconnect_interval_s=0.05)
    try:
        async with Fleet(settings, bus) as fleet:
            with bus.subscribe(EndpointStateChanged) as sub:
                reader, writer = await asyncio.wait_for(connections.get(), 2)
                frame = peer.pack(peer.heartbeat())
                writer.write(frame[:5])  # a frame split across TCP segments
                await writer.drain()
                writer.write(
                    frame[5:] + peer.pack(mavlink.MAVLink_attitude_message(3, 0.1, 0, 0, 0, 0, 0))
                )
                await writer.drain()
                vehicle = await fleet.wait_for_vehicle(5, timeout_s=2)
                await vehicle.wait_until(lambda s: s.attitude.time_boot_ms == 3, 2)
                data = await asyncio.wait_for(reader.read(1024), 2)  # the GCS heartbeat
                assert mavlink.MAVLink(None).parse_buffer(data)[0].get_type() == "HEARTBEAT"  # type: ignore[index]
                writer.close()
                down = await sub.wait_for(EndpointStateChanged, lambda e: not e.up, timeout_s=2)
                assert down.link == f"tcp:127.0.0.1:{port}"  # type: ignore[attr-defined]
                _reader2, writer2 = await asyncio.wait_for(connections.get(), 2)
                await sub.wait_for(EndpointStateChanged, lambda e: e.up, timeout_s=2)
                writer2.write(peer.pack(mavlink.MAVLink_attitude_message(4, 0.1, 0, 0, 0, 0, 0)))
                await writer2.drain()
                await vehicle.wait_until(lambda s: s.attitude.time_boot_ms == 4, 2)
                writer2.close()
    finally:
        server.close()
        await server.wait_closed()


async def test_vehicle_over_serial_pty(bus: EventBus) -> None:
    master, slave = os.openpty()
    path = os.ttyname(slave)
    loop = asyncio.get_running_loop()
    received = bytearray()
    got_data = asyncio.Event()

    def readable() -> None:
        try:
            received.extend(os.read(master, 4096))
        except OSError:
            return
        got_data.set()

    os.set_blocking(master, False)
    loop.add_reader(master, readable)
    peer = ScriptedPeer(8)
    try:
        async with Fleet(fast_settings(endpoints=[f"serial:{path}:57600"]), bus) as fleet:
            while True:  # the station's heartbeat arrives over the pty
                await asyncio.wait_for(got_data.wait(), 2)
                got_data.clear()
                msgs = mavlink.MAVLink(None).parse_buffer(bytes(received)) or []
                if any(m.get_type() == "HEARTBEAT" for m in msgs):
                    break
            stream = peer.pack(peer.heartbeat()) + peer.pack(
                mavlink.MAVLink_global_position_int_message(
                    9, 262000000, 1116000000, 100000, 5000, 0, 0, 0, 0
                )
            )
            for i in range(0, len(stream), 7):  # trickle like a slow radio
                os.write(master, stream[i : i + 7])
            vehicle = await fleet.wait_for_vehicle(8, timeout_s=2)
            await vehicle.wait_until(lambda s: s.position.time_boot_ms == 9, 2)
            assert vehicle.primary_link == f"serial:{path}:57600"
            assert fleet.link_stats()[f"serial:{path}:57600"].bad_crc == 0
    finally:
        loop.remove_reader(master)
        os.close(master)
        os.close(slave)


async def test_missing_serial_device_is_retried_not_fatal(bus: EventBus) -> None:
    settings = fast_settings(
        endpoints=["serial:/dev/does-not-exist:57600"], serial_reopen_interval_s=0.05
    )
    with bus.subscribe(EndpointStateChanged) as sub:
        async with Fleet(settings, bus) as fleet:
            assert not fleet.links["serial:/dev/does-not-exist:57600"].up
            event = await sub.wait_for(EndpointStateChanged, timeout_s=2)
    assert "open failed" in event.reason  # type: ignore[attr-defined]
