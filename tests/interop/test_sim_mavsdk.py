"""Interop: MAVSDK as the ground station flying the simulator.

MAVSDK (C++, ``mavsdk`` ctypes package) is an independently written MAVLink stack. Here it
connects to a :class:`~groundstation.sim.SimVehicle` over UDP on loopback exactly as it would
to ArduPilot or PX4 SITL: it reads telemetry, uploads and downloads a mission with
``mission_raw``, arms, takes off and lands. MAVSDK's blocking calls run in a worker thread so
the simulator keeps flying on the event loop.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from geofence import MavCmd, MavFrame, MissionType
from groundstation.sim import YONGZHOU_HOME, Personality, SimConfig, SimVehicle
from tests.infra import free_port, require
from tests.sim.plans import short_route

try:
    import mavsdk
    from mavsdk.plugins.action import Action
    from mavsdk.plugins.mission_raw import MissionItem, MissionRaw
    from mavsdk.plugins.telemetry import Telemetry
except ImportError:  # pragma: no cover - reported by require() below
    mavsdk = None  # type: ignore[assignment]

pytestmark = pytest.mark.interop


async def first_value(subscribe: Any, test: Any, timeout_s: float = 10.0) -> Any:
    """The first value a MAVSDK telemetry subscription delivers that passes a test."""
    loop = asyncio.get_running_loop()
    found: asyncio.Future[Any] = loop.create_future()

    def callback(value: Any, _user_data: Any) -> None:
        if test(value):
            loop.call_soon_threadsafe(lambda: found.done() or found.set_result(value))

    subscribe(callback)
    return await asyncio.wait_for(found, timeout_s)


@pytest.fixture(params=[Personality.ARDUPILOT, Personality.PX4])
async def mavsdk_and_sim(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, SimVehicle]]:
    require(mavsdk is not None, "the mavsdk package is not installed (pip install mavsdk)")
    port = free_port(socket.SOCK_DGRAM)
    config = mavsdk.Configuration.create_with_component_type(mavsdk.ComponentType.GROUND_STATION)
    gcs = mavsdk.Mavsdk(config)
    try:
        assert gcs.add_any_connection(f"udpin://127.0.0.1:{port}") == mavsdk.ConnectionResult.SUCCESS
        sim_config = SimConfig(
            endpoints=(f"udpout:127.0.0.1:{port}",), time_factor=5.0, personality=request.param,
        )  # fmt: skip
        async with SimVehicle(sim_config) as sim:
            system = await asyncio.to_thread(gcs.first_autopilot, 10.0)
            assert system is not None, "MAVSDK did not discover the simulated autopilot"
            yield system, sim
    finally:
        gcs.destroy()


def to_mavsdk(items: list[Any], offset: int) -> list[Any]:
    """Station-style items as MAVSDK mission_raw items (ArduPilot: a home item in front).

    MAVSDK wants exactly one item marked current: the first.
    """
    out = []
    if offset:
        out.append(MissionItem(0, MavFrame.GLOBAL, MavCmd.NAV_WAYPOINT, 1, 1, 0, 0, 0, 0,
                               round(YONGZHOU_HOME[0] * 1e7), round(YONGZHOU_HOME[1] * 1e7),
                               YONGZHOU_HOME[2], 0))  # fmt: skip
    for item in items:
        out.append(MissionItem(len(out), item.frame, item.command, int(not out), 1, item.param1, item.param2,
                               item.param3, item.param4, item.x, item.y, item.z, 0))  # fmt: skip
    return out


async def test_mavsdk_reads_telemetry_moves_a_mission_and_flies_the_sim(mavsdk_and_sim) -> None:
    system, sim = mavsdk_and_sim
    telemetry = Telemetry(system)
    action = Action(system)
    mission = MissionRaw(system)

    position = await first_value(telemetry.subscribe_position, lambda p: p.latitude_deg != 0)
    assert position.latitude_deg == pytest.approx(YONGZHOU_HOME[0], abs=1e-5)
    assert position.longitude_deg == pytest.approx(YONGZHOU_HOME[1], abs=1e-5)
    assert position.absolute_altitude_m == pytest.approx(YONGZHOU_HOME[2], abs=0.5)
    battery = await first_value(telemetry.subscribe_battery, lambda b: b.voltage_v > 0)
    assert battery.voltage_v > 14
    gps = await first_value(telemetry.subscribe_gps_info, lambda g: g.num_satellites > 0)
    assert gps.num_satellites >= 10

    offset = sim.rules.mission_offset
    items = to_mavsdk(short_route(), offset)
    await asyncio.to_thread(mission.upload_mission, items)
    stored = sim.plan(MissionType.MISSION)
    assert [(i.command, i.x, i.y, i.z) for i in stored[offset:]] == [
        (i.command, i.x, i.y, i.z) for i in items[offset:]
    ]
    downloaded = await asyncio.to_thread(mission.download_mission)
    assert [(i.command, i.frame, i.x, i.y, i.z) for i in downloaded[offset:]] == [
        (i.command, i.frame, i.x, i.y, i.z) for i in items[offset:]
    ]

    await asyncio.to_thread(action.set_takeoff_altitude, 12.0)
    await asyncio.to_thread(action.arm)
    await asyncio.to_thread(action.takeoff)
    await first_value(telemetry.subscribe_in_air, lambda in_air: in_air)
    await sim.wait_until(lambda t: t.alt_rel_m > 11, 20)
    await asyncio.to_thread(action.land)
    await sim.wait_until(lambda t: not t.armed and t.on_ground, 30)
    await first_value(telemetry.subscribe_armed, lambda armed: not armed)
