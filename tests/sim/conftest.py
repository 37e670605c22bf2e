"""Fixtures for simulator tests: a station on loopback and simulated vehicles sending to it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from groundstation.events import EventBus
from groundstation.mavlink import Fleet, Vehicle
from groundstation.sim import SimConfig, SimVehicle
from tests.infra import free_port
from tests.mavlink.conftest import fast_settings

TIME_FACTOR = 20.0


@dataclass
class Station:
    """The station's fleet, its bus and the UDP port it listens on."""

    fleet: Fleet
    bus: EventBus
    port: int

    def sim_config(self, **changes: object) -> SimConfig:
        """A vehicle configuration sending to this station, accelerated."""
        values: dict[str, object] = {
            "endpoints": (f"udpout:127.0.0.1:{self.port}",),
            "time_factor": TIME_FACTOR,
        }
        values.update(changes)
        return SimConfig(**values)  # type: ignore[arg-type]


def station_settings(port: int, **overrides: object):  # type: ignore[no-untyped-def]
    """Fast station settings tolerant of a loaded 2-core machine."""
    values: dict[str, object] = {
        "endpoints": [f"udpin:127.0.0.1:{port}"],
        "command_ack_timeout_s": 0.5,
        "command_retries": 3,
        "mission_ack_timeout_s": 0.5,
        "mission_retry_interval_s": 0.1,
        "mission_max_retries": 5,
        "param_timeout_s": 0.5,
        "link_lost_timeout_s": 1.0,
        "guided_arrival_timeout_s": 20.0,
    }
    values.update(overrides)
    return fast_settings(**values)


@pytest.fixture
async def station() -> AsyncIterator[Station]:
    port = free_port(socket.SOCK_DGRAM)
    bus = EventBus()
    async with Fleet(station_settings(port), bus) as fleet:
        yield Station(fleet, bus, port)


SimPair = tuple[Vehicle, SimVehicle]
MakeSim = Callable[..., Awaitable[SimPair]]


@pytest.fixture
async def make_sim(station: Station) -> AsyncIterator[MakeSim]:
    """Start a simulated vehicle towards the station; returns (station's Vehicle, SimVehicle)."""
    sims: list[SimVehicle] = []

    async def make(**changes: object) -> SimPair:
        sim = SimVehicle(station.sim_config(**changes))
        await sim.__aenter__()
        sims.append(sim)
        vehicle = await station.fleet.wait_for_vehicle(sim.system_id, timeout_s=10)
        await vehicle.wait_until(lambda s: s.position.valid and s.battery.updated_s > 0, 10)
        return vehicle, sim

    yield make
    for sim in sims:
        await sim.aclose()
