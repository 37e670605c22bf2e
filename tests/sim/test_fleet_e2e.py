"""End to end: the station and five simulated drones on loopback fly a whole sortie each.

Each drone is taken off, flown through an uploaded mission (waypoints, a hold, a speed
change), returned, landed and disarmed; the station's event bus must show every state change
of every drone in order. Sim time runs 30 times faster than real time.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from geofence import MissionType
from groundstation.events import ArmedChanged, Event, MissionProgress, ModeChanged
from groundstation.firmware._geo import distance_m
from groundstation.mavlink import Vehicle
from groundstation.sim import Personality, SimFleet
from tests.sim.conftest import Station
from tests.sim.plans import short_route

pytestmark = pytest.mark.e2e


async def sortie(vehicle: Vehicle, home: tuple[float, float]) -> None:
    """Take off, fly the mission, come back and land (the mission ends with RTL)."""
    await vehicle.takeoff(20)
    await vehicle.wait_until(lambda s: s.position.alt_rel_m > 18, 20)
    items = short_route(home)
    await vehicle.upload_plan(MissionType.MISSION, items)
    await vehicle.start_mission()
    await vehicle.wait_until(lambda s: not s.armed, 60)


def subsequence(wanted: list[object], seen: list[object]) -> bool:
    it = iter(seen)
    return all(any(w == s for s in it) for w in wanted)


@pytest.mark.parametrize("personality", [Personality.ARDUPILOT, Personality.PX4])
async def test_five_drones_fly_a_mission_each_and_the_station_sees_everything(
    station: Station, personality: Personality
) -> None:
    base = station.sim_config(time_factor=30.0, personality=personality)
    timeline: dict[int, list[object]] = defaultdict(list)
    reached: dict[int, set[int]] = defaultdict(set)
    with station.bus.subscribe(ArmedChanged, ModeChanged, MissionProgress) as sub:
        async with SimFleet(5, base, first_system_id=11) as sims:
            vehicles = [
                await station.fleet.wait_for_vehicle(sim.system_id, timeout_s=10) for sim in sims
            ]
            for vehicle in vehicles:
                await vehicle.wait_until(lambda s: s.home.valid or s.position.valid, 10)
            homes = {sim.system_id: (sim.config.home_lat_deg, sim.config.home_lon_deg)
                     for sim in sims}  # fmt: skip
            assert len(set(homes.values())) == 5
            await asyncio.gather(*(sortie(v, homes[v.system_id]) for v in vehicles))
            for sim in sims:
                truth = sim.truth()
                assert not truth.armed and truth.on_ground
                assert distance_m(truth.lat_deg, truth.lon_deg, *homes[sim.system_id]) < 3.0
        while (event := sub.get_nowait()) is not None:
            record(event, timeline, reached)
    guided, auto = ("GUIDED", "AUTO") if personality is Personality.ARDUPILOT else (
        "AUTO.TAKEOFF", "AUTO.MISSION")
    for sysid in range(11, 16):
        seen = timeline[sysid]
        assert subsequence([guided, True, auto, False], seen), (sysid, seen)
        assert {0, 1, 3, 4, 5} <= reached[sysid], (sysid, reached[sysid])
        if personality is Personality.PX4:
            assert "AUTO.RTL" in seen  # PX4 switches mode for the mission's RTL item


def record(event: Event, timeline: dict[int, list[object]], reached: dict[int, set[int]]) -> None:
    if isinstance(event, ArmedChanged):
        timeline[event.system_id].append(event.armed)
    elif isinstance(event, ModeChanged):
        timeline[event.system_id].append(event.mode)
    elif isinstance(event, MissionProgress) and event.reached is not None:
        reached[event.system_id].add(event.reached)
