"""The station's MAVLink Vehicle satisfies docks.Drone through the thin adapter."""

from __future__ import annotations

import asyncio
import socket

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from docks import Drone, LandedState
from groundstation.events import EventBus
from groundstation.fleetlink import VehicleDrone
from groundstation.mavlink import Fleet
from tests.docks.waiting import wait_until
from tests.infra import free_port
from tests.mavlink.conftest import fast_settings
from tests.mavlink.peer import ScriptedPeer


async def test_vehicle_reads_and_commands_through_the_drone_protocol() -> None:
    port = free_port(socket.SOCK_DGRAM)
    peer = ScriptedPeer(3)
    peer.handlers["COMMAND_LONG"] = lambda p, m: p.ack(m.command, mavlink.MAV_RESULT_ACCEPTED)
    async with Fleet(fast_settings(endpoints=[f"udpin:127.0.0.1:{port}"]), EventBus()) as fleet:
        await peer.connect(port)
        try:
            vehicle = await fleet.wait_for_vehicle(3, timeout_s=5)
            async with VehicleDrone(vehicle, name="U3") as drone:
                assert isinstance(drone, Drone) and drone.drone_id == "U3" and drone.connected
                assert drone.position is None and drone.landed_state is LandedState.ON_GROUND
                peer.send(mavlink.MAVLink_global_position_int_message(
                    1000, 264200000, 1116100000, 130000, 25000, 0, 0, 0, 0))
                peer.send(mavlink.MAVLink_extended_sys_state_message(0, mavlink.MAV_LANDED_STATE_IN_AIR))
                await wait_until(drone, lambda: drone.position is not None
                                 and drone.landed_state is LandedState.IN_AIR, timeout_s=5)
                assert drone.position is not None and drone.position.alt_rel_m == 25.0
                await drone.land()  # a mode change, acknowledged by the peer
                peer.heartbeats_enabled = False
                await wait_until(drone, lambda: not drone.connected, timeout_s=5)
        finally:
            await peer.close()


async def test_closing_in_the_same_loop_turn_as_a_telemetry_update_ends_the_adapter() -> None:
    # a flying drone's telemetry keeps resolving the adapter's wait; when the station closes
    # the adapter in the very loop turn a message resolved it, the cancellation must still win
    # (with asyncio.wait_for on Python 3.11 it was swallowed and closing waited for ever)
    port = free_port(socket.SOCK_DGRAM)
    peer = ScriptedPeer(3)
    async with Fleet(fast_settings(endpoints=[f"udpin:127.0.0.1:{port}"]), EventBus()) as fleet:
        await peer.connect(port)
        try:
            vehicle = await fleet.wait_for_vehicle(3, timeout_s=5)
            drone = VehicleDrone(vehicle, name="U3")
            await drone.__aenter__()
            async with asyncio.timeout(5):
                while not vehicle._waiters:  # the adapter is waiting for the next change
                    await asyncio.sleep(0)
            position = mavlink.MAVLink_global_position_int_message(
                1000, 264200000, 1116100000, 130000, 25000, 0, 0, 0, 0)
            position.pack(mavlink.MAVLink(None, srcSystem=3))
            # what the link does with one received frame: the handler, then the waiters
            vehicle.handlers[position.id](1, position.get_payload())
            vehicle.check_waiters()
            pump = drone._task
            assert pump is not None
            closing = asyncio.ensure_future(drone.__aexit__(None, None, None))
            # bounded: should the adapter ignore its cancellation, closing would never end
            await asyncio.wait({closing}, timeout=5)
            closed = closing.done()
            if not closed:
                closing.cancel()  # (cancels the pump again from outside: cleans up)
                await asyncio.gather(closing, return_exceptions=True)
            assert closed and pump.cancelled(), "closing hung: the adapter swallowed its cancellation"
        finally:
            await peer.close()
