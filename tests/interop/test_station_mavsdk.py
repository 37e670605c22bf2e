"""Interop: the station against MAVSDK's server plugins playing the vehicle.

MAVSDK (C++, via the ``mavsdk`` ctypes package) is an independently written MAVLink stack:
its ``mission_raw_server`` stores missions and fences uploaded with the mission protocol, its
``param_server`` serves parameters, its ``action_server`` answers arming and mode commands and
its ``telemetry_server`` streams position, battery and GPS. The station talks to it over UDP
on loopback exactly as it would to an autopilot.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from geofence import MissionType
from groundstation.events import EventBus
from groundstation.mavlink import Fleet, Vehicle
from tests.infra import free_port, require
from tests.mavlink.conftest import fast_settings
from tests.mavlink.plans import fence, route

try:
    import mavsdk
    from mavsdk.plugins.action_server import ActionServer, AllowableFlightModes, FlightMode
    from mavsdk.plugins.mission_raw_server import MissionRawServer
    from mavsdk.plugins.param_server import ParamServer
    from mavsdk.plugins.telemetry_server import (
        Battery,
        FixType,
        GpsInfo,
        Heading,
        Position,
        RawGps,
        TelemetryServer,
        VelocityNed,
    )
except ImportError:  # pragma: no cover - reported by require() below
    mavsdk = None  # type: ignore[assignment]

pytestmark = pytest.mark.interop


class MavsdkVehicle:
    """A MAVSDK instance configured as an autopilot, sending to the station's UDP port."""

    def __init__(self, station_port: int) -> None:
        config = mavsdk.Configuration.create_with_component_type(mavsdk.ComponentType.AUTOPILOT)
        self.mavsdk = mavsdk.Mavsdk(config)
        result = self.mavsdk.add_any_connection(f"udpout://127.0.0.1:{station_port}")
        assert result == mavsdk.ConnectionResult.SUCCESS, result
        self.component = self.mavsdk.server_component()
        self.system_id = config.system_id

    def destroy(self) -> None:
        self.mavsdk.destroy()


@pytest.fixture
async def station() -> AsyncIterator[tuple[Fleet, int]]:
    require(mavsdk is not None, "the mavsdk package is not installed (pip install mavsdk)")
    port = free_port(socket.SOCK_DGRAM)
    settings = fast_settings(
        endpoints=[f"udpin:127.0.0.1:{port}"],
        command_ack_timeout_s=1.0,
        mission_ack_timeout_s=1.0,
        mission_retry_interval_s=0.5,
        param_timeout_s=1.0,
    )
    async with Fleet(settings, EventBus()) as fleet:
        yield fleet, port


@pytest.fixture
async def vehicle_pair(station: tuple[Fleet, int]) -> AsyncIterator[tuple[Vehicle, MavsdkVehicle]]:
    fleet, port = station
    peer = MavsdkVehicle(port)
    try:
        vehicle = await fleet.wait_for_vehicle(peer.system_id, timeout_s=10)
        yield vehicle, peer
    finally:
        peer.destroy()


def to_queue(queue: asyncio.Queue[Any]) -> Any:
    """A MAVSDK callback (called on MAVSDK's thread) that puts its payload on an asyncio queue."""
    loop = asyncio.get_running_loop()

    def callback(result: Any, payload: Any, *_: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (result, payload))

    return callback


async def next_of(queue: asyncio.Queue[Any]) -> Any:
    """The next (result, payload) a MAVSDK callback delivered (bounded wait)."""
    return await asyncio.wait_for(queue.get(), 5)


def wire_fields(item: Any) -> tuple[Any, ...]:
    """The fields a MAVSDK MissionItem and a station MissionItem have in common."""
    return (
        item.command,
        item.frame,
        item.param1,
        item.param2,
        item.param3,
        item.param4,
        item.x,
        item.y,
        item.z,
    )


async def test_mission_and_fence_round_trip_through_mission_raw_server(vehicle_pair) -> None:
    vehicle, peer = vehicle_pair
    server = MissionRawServer(peer.component)
    incoming: asyncio.Queue[Any] = asyncio.Queue()
    server.subscribe_incoming_mission(to_queue(incoming))

    for mission_type, items in ((MissionType.MISSION, route()), (MissionType.FENCE, fence())):
        assert await vehicle.upload_plan(mission_type, items) == len(items)
        result, plan = await next_of(incoming)
        assert result.name == "SUCCESS"
        got = plan.mission_items
        assert [wire_fields(i) for i in got] == [wire_fields(i) for i in items]
        assert {i.mission_type for i in got} == {int(mission_type)}
        assert [i.seq for i in got] == list(range(len(items)))
        downloaded = await vehicle.download_plan(mission_type)
        assert [wire_fields(i) for i in downloaded] == [wire_fields(i) for i in items]
        assert all(d.mission_type == mission_type for d in downloaded)


async def test_parameters_against_param_server(vehicle_pair) -> None:
    vehicle, peer = vehicle_pair
    server = ParamServer(peer.component)
    server.provide_param_int("MPC_XY_VEL_MAX_I", 12)
    server.provide_param_int("NAV_DLL_ACT", -1)
    server.provide_param_float("MPC_XY_CRUISE", 5.5)
    server.provide_param_float("RTL_RETURN_ALT", 30.0)
    assert await vehicle.params.get("MPC_XY_CRUISE") == 5.5
    assert await vehicle.params.get("NAV_DLL_ACT") == -1
    everything = await vehicle.params.fetch_all()
    assert everything == {
        "MPC_XY_VEL_MAX_I": 12,
        "NAV_DLL_ACT": -1,
        "MPC_XY_CRUISE": 5.5,
        "RTL_RETURN_ALT": 30.0,
    }
    assert await vehicle.params.set("RTL_RETURN_ALT", 45.0) == 45.0
    assert server.retrieve_param_float("RTL_RETURN_ALT") == 45.0
    assert await vehicle.params.set("NAV_DLL_ACT", 2) == 2
    assert server.retrieve_param_int("NAV_DLL_ACT") == 2


async def test_arming_and_modes_against_action_server(vehicle_pair) -> None:
    vehicle, peer = vehicle_pair
    server = ActionServer(peer.component)
    arm_requests: asyncio.Queue[Any] = asyncio.Queue()
    mode_requests: asyncio.Queue[Any] = asyncio.Queue()
    server.subscribe_arm_disarm(to_queue(arm_requests))
    server.subscribe_flight_mode_change(to_queue(mode_requests))
    server.set_armable(True, True)
    server.set_disarmable(True, True)
    server.set_allowable_flight_modes(
        AllowableFlightModes(True, True, True, True, True, True, True)
    )
    await vehicle.arm()
    _, request = await next_of(arm_requests)
    assert request.arm and not request.force
    await vehicle.wait_until(lambda s: s.armed, 5)
    await vehicle.set_mode("AUTO.MISSION")
    assert (await next_of(mode_requests))[1] == FlightMode.MISSION
    await vehicle.wait_until(lambda s: s.mode == "AUTO.MISSION", 5)
    await vehicle.disarm(force=True)
    _, request = await next_of(arm_requests)
    assert not request.arm and request.force
    await vehicle.wait_until(lambda s: not s.armed, 5)


async def test_telemetry_from_telemetry_server(vehicle_pair) -> None:
    vehicle, peer = vehicle_pair
    server = TelemetryServer(peer.component)
    server.publish_home(Position(26.25, 111.6, 120.0, 0.0))
    server.publish_position(
        Position(26.2512, 111.6034, 150.5, 30.5), VelocityNed(1.0, -2.0, 0.5), Heading(87.0)
    )
    server.publish_battery(Battery(15.9, 0.64))  # MAVSDK 4.1 takes a fraction here
    server.publish_raw_gps(
        RawGps(0, 26.2512, 111.6034, 150.0, 0.8, 1.2, 3.0, 87.0, 150.0, 0.5, 0.5, 0.5, 0.5, 87.0),
        GpsInfo(14, FixType.FIX_3D),
    )
    await vehicle.wait_until(
        lambda s: (
            s.position.valid
            and s.home.valid
            and s.gps.satellites == 14
            and s.battery.remaining_pct is not None
        ),
        5,
    )
    s = vehicle.state
    assert (s.position.lat_deg, s.position.lon_deg) == pytest.approx((26.2512, 111.6034))
    assert (s.position.alt_amsl_m, s.position.alt_rel_m) == pytest.approx((150.5, 30.5))
    assert (s.velocity.north_mps, s.velocity.east_mps, s.velocity.down_mps) == pytest.approx(
        (1.0, -2.0, 0.5)
    )
    assert s.heading_deg == pytest.approx(87.0)
    # MAVSDK 4.1's telemetry_server puts 0 in HOME_POSITION.altitude whatever it is given.
    assert (s.home.lat_deg, s.home.lon_deg) == pytest.approx((26.25, 111.6))
    assert s.gps.fix_type == 3
    assert s.battery.remaining_pct in (63, 64)  # MAVSDK truncates 0.64 * 100
    assert s.battery.voltage_v == pytest.approx(15.9, abs=0.002)


async def test_takeoff_land_and_return_against_action_server(vehicle_pair) -> None:
    vehicle, peer = vehicle_pair
    action = ActionServer(peer.component)
    telemetry = TelemetryServer(peer.component)
    takeoffs: asyncio.Queue[Any] = asyncio.Queue()
    modes: asyncio.Queue[Any] = asyncio.Queue()
    action.subscribe_takeoff(to_queue(takeoffs))
    action.subscribe_flight_mode_change(to_queue(modes))
    action.set_allow_takeoff(True)
    action.set_armable(True, True)
    action.set_allowable_flight_modes(
        AllowableFlightModes(True, True, True, True, True, True, True)
    )
    telemetry.publish_home(Position(26.25, 111.6, 0.0, 0.0))
    await vehicle.wait_until(lambda s: s.home.valid, 5)
    await vehicle.takeoff(20)  # PX4-style on a generic autopilot: NAV_TAKEOFF (AMSL), then arm
    assert (await next_of(takeoffs))[1]
    await vehicle.wait_until(lambda s: s.armed, 5)
    await vehicle.land()
    assert (await next_of(modes))[1] == FlightMode.LAND
    await vehicle.return_to_launch()
    assert (await next_of(modes))[1] == FlightMode.RETURN_TO_LAUNCH
