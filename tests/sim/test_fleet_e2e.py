"""End to end: the station and five simulated drones on loopback fly a whole sortie each.

Each drone is taken off, flown through an uploaded mission (waypoints, a hold, a speed
change), returned, landed and disarmed; the station's event bus must show every state change
of every drone in order: every change of armed state, flight mode and system status that the
drone put in its HEARTBEATs (read from what the simulator sent), and every mission item reached.
Sim time runs 30 times faster than real time.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest

from geofence import MissionType
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.events import (
    ArmedChanged,
    Event,
    MissionProgress,
    ModeChanged,
    SystemStatusChanged,
)
from groundstation.firmware._geo import distance_m
from groundstation.mavlink import Vehicle
from groundstation.sim import Personality, SimFleet, SimVehicle
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


Timeline = list[tuple[str, object]]
STATION_DEFAULTS: Timeline = [("armed", False), ("mode", "UNKNOWN"), ("status", "UNINIT")]


class SentStates:
    """Every change of armed state, mode and system status a simulated drone put on the wire."""

    def __init__(self, sim: SimVehicle) -> None:
        self.rules = sim.rules
        self.last = dict(STATION_DEFAULTS)
        self.changes: Timeline = []
        sim.taps.append(self._tap)

    def _tap(self, msg: object) -> None:
        if msg.get_type() != "HEARTBEAT":  # type: ignore[attr-defined]
            return
        mode = self.rules.mode_by_number(msg.custom_mode)  # type: ignore[attr-defined]
        values = {
            "armed": bool(msg.base_mode & mavlink.MAV_MODE_FLAG_SAFETY_ARMED),  # type: ignore[attr-defined]
            "mode": mode.name if mode is not None else "?",
            "status": mavlink.enums["MAV_STATE"][msg.system_status].name.removeprefix("MAV_STATE_"),  # type: ignore[attr-defined]
        }
        for kind, value in values.items():
            if self.last[kind] != value:
                self.last[kind] = value
                self.changes.append((kind, value))


@pytest.mark.parametrize("personality", [Personality.ARDUPILOT, Personality.PX4])
async def test_five_drones_fly_a_mission_each_and_the_station_sees_everything(
    station: Station, personality: Personality
) -> None:
    base = station.sim_config(time_factor=30.0, personality=personality)
    timeline: dict[int, Timeline] = defaultdict(list)
    reached: dict[int, set[int]] = defaultdict(set)
    sent: dict[int, SentStates] = {}
    with station.bus.subscribe(ArmedChanged, ModeChanged, SystemStatusChanged, MissionProgress,
                               maxsize=100_000) as sub:  # fmt: skip
        fleet = SimFleet(5, base, first_system_id=11)
        for sim in fleet:  # listening before the first heartbeat goes out
            sent[sim.system_id] = SentStates(sim)
        async with fleet as sims:
            vehicles = [
                await station.fleet.wait_for_vehicle(sim.system_id, timeout_s=10) for sim in sims
            ]
            for vehicle in vehicles:
                await vehicle.wait_until(lambda s: s.home.valid or s.position.valid, 10)
            homes = {sim.system_id: (sim.config.home_lat_deg, sim.config.home_lon_deg)
                     for sim in sims}  # fmt: skip
            assert len(set(homes.values())) == 5
            await asyncio.gather(*(sortie(v, homes[v.system_id]) for v in vehicles))
            for sim, vehicle in zip(sims, vehicles, strict=True):
                truth = sim.truth()
                assert not truth.armed and truth.on_ground
                assert distance_m(truth.lat_deg, truth.lon_deg, *homes[sim.system_id]) < 3.0
                await vehicle.wait_until(lambda s: s.position.alt_rel_m < 1.0, 5)
                seen = vehicle.state  # the station's own picture agrees with the vehicle
                assert not seen.armed and seen.mode == sent[sim.system_id].last["mode"]
                assert distance_m(seen.position.lat_deg, seen.position.lon_deg,
                                  *homes[sim.system_id]) < 3.0  # fmt: skip
        lost = sum(s.frames_lost for s in station.fleet.link_stats().values())
        assert sub.dropped == 0
        while (event := sub.get_nowait()) is not None:
            record(event, timeline, reached)
    guided, auto = ("GUIDED", "AUTO") if personality is Personality.ARDUPILOT else (
        "AUTO.TAKEOFF", "AUTO.MISSION")
    for sysid in range(11, 16):
        seen_changes, sent_changes = timeline[sysid], sent[sysid].changes
        if lost == 0:  # the station missed nothing on the wire, so it must have seen it all
            assert seen_changes == sent_changes, (sysid, seen_changes, sent_changes)
        else:  # a lost frame may hide a short-lived state, never invent or reorder one
            assert subsequence(seen_changes, sent_changes), (sysid, lost)
        milestones = [("mode", guided), ("armed", True), ("status", "ACTIVE"), ("mode", auto),
                      ("armed", False), ("status", "STANDBY")]  # fmt: skip
        assert subsequence(milestones, seen_changes), (sysid, seen_changes)
        assert {0, 1, 3, 4, 5} <= reached[sysid], (sysid, reached[sysid])
        if personality is Personality.PX4:
            assert ("mode", "AUTO.RTL") in seen_changes  # PX4 switches mode for the mission's RTL item


def record(event: Event, timeline: dict[int, Timeline], reached: dict[int, set[int]]) -> None:
    if isinstance(event, ArmedChanged):
        timeline[event.system_id].append(("armed", event.armed))
    elif isinstance(event, ModeChanged):
        timeline[event.system_id].append(("mode", event.mode))
    elif isinstance(event, SystemStatusChanged):
        timeline[event.system_id].append(("status", event.status))
    elif isinstance(event, MissionProgress) and event.reached is not None:
        reached[event.system_id].add(event.reached)
