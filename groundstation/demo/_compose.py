"""The demo composition: simulated docks around Yongzhou, each with a simulated MAVLink drone
linked to the station over loopback UDP, launcher, patrol scheduler and dispatch, in
accelerated time, simulated cameras on the drones in flight, and one scripted unknown drone (no
Remote ID) that shows itself to a camera holding over an incident. A station extension, after
the video and black-flying ones: ``create_app(settings, extensions=[*overhead_watch().extensions,
demo_extension(...)])``.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from docks import (
    DockInfo,
    FleetSpec,
    JsonFileStore,
    Launcher,
    ScaledClock,
    Scheduler,
    SimFleet,
    load_fleet,
    zone_checker,
)
from geofence import MissionItem
from groundstation.demo._cameras import DemoCameras
from groundstation.demo._docked import SimDockedDrone
from groundstation.demo._intruder import DemoIntruder
from groundstation.demo._routes import overwatch_items, patrol_items
from groundstation.demo._seed import DemoUser, seed_demo
from groundstation.dispatch import zone_avoiding_ways
from groundstation.operations import (
    DISPATCHER_NAME,
    SERVICE_NAME,
    Dispatcher,
    Operations,
    dock_audit_sink,
    dock_orgs,
)
from groundstation.sim import SimConfig, SimVehicle
from groundstation.station import Station, StationExtension
from groundstation.video.station import SERVICE_KEY as VIDEO_SERVICE

SCHEDULE_FILE = "patrol_schedules.json"


@dataclass(frozen=True)
class DemoConfig:
    """How the demo runs: time acceleration, the station's MAVLink UDP port, the fleet."""

    mavlink_port: int
    time_factor: float = 20.0
    vehicle_timeout_s: float = 30.0
    fleet: FleetSpec = field(default_factory=load_fleet)
    cameras: int = 2
    """Simulated cameras streaming at once (on armed drones); 0: no video."""


def announce_users(users: Sequence[DemoUser], announce: Callable[[str], None]) -> None:
    """Print the generated demo logins."""
    announce("demo users (passwords generated for this data directory):")
    for u in users:
        announce(f"  {u.username:18} {u.role:10} {u.password}  ({u.organisation})")


def demo_extension(config: DemoConfig, announce: Callable[[str], None]) -> StationExtension:
    """A station extension running the demo fleet and wiring docks, launcher, schedules, dispatch."""

    @contextlib.asynccontextmanager
    async def extension(station: Station) -> AsyncIterator[Operations]:
        fleet = config.fleet
        users = await station.db.run(lambda s: seed_demo(s, station.passwords, fleet))
        station.zones.invalidate()
        if users:
            announce_users(users, announce)
        else:
            announce("demo: records already present (users keep their passwords)")
        clock = ScaledClock(config.time_factor)
        async with contextlib.AsyncExitStack() as stack:
            docked = await _drones(station, config, stack)
            orgs = await station.db.run(dock_orgs)
            owner: dict[str, int | None] = {key: org for key, (org, _path) in orgs.items()}
            owner |= {d.drone_id: owner.get(d.dock_id) for d in fleet.docks if d.drone_id}
            audit = dock_audit_sink(station, owner.get)
            sims = await stack.enter_async_context(SimFleet(
                fleet, clock=clock, sim_drones=docked, settings=station.settings.docks,
                audit=audit))

            def check(dock: DockInfo, items: Sequence[MissionItem]) -> Sequence[str]:
                return zone_checker(station.zones.zoneset(), clock=clock)(dock, items)

            launcher = await stack.enter_async_context(Launcher(
                sims.docks, clock=clock, route_builder=overwatch_items, route_checker=check,
                way_finder=zone_avoiding_ways(station.zones.zoneset, clock.now),
                settings=station.settings.docks,
                profiles={d.dock_id: p for d, p in ((d, fleet.profiles().get(d.dock_id))
                                                     for d in fleet.docks) if p is not None},
                rally_points=fleet.rally_points, audit=audit))
            store = JsonFileStore(station.settings.data_dir / SCHEDULE_FILE)
            scheduler = await stack.enter_async_context(Scheduler(
                launcher, store, routes=lambda route_id, dock: patrol_items(fleet, route_id, dock),
                clock=clock, settings=station.settings.docks.schedule))
            if not await store.list_schedules():
                for schedule in fleet.schedules(clock.now()):
                    await scheduler.add(schedule)
            ops = Operations(
                station, {d.dock_id: d for d in sims.docks}, launcher, clock, scheduler, store,
                profiles={d.drone_id: d.profile for d in fleet.drones},
                drone_names={d.system_id: d.drone_id for d in fleet.drones},
                timings=sims.timings, ground_amsl_m=statistics.fmean(d.alt_m for d in fleet.docks))
            station.services[SERVICE_NAME] = ops
            station.services[DISPATCHER_NAME] = Dispatcher(ops)
            sims_by_id = {drone_id: d.sim for drone_id, d in docked.items()}
            on_incident = _on_incident(station)
            intruder = DemoIntruder(on_incident)
            video = station.services.get(VIDEO_SERVICE) is not None
            cameras = DemoCameras(sims_by_id, limit=config.cameras if video else 0,
                                  on_incident=on_incident, unreported=intruder.aircraft)
            tasks = [asyncio.create_task(cameras.run(), name="demo cameras"),
                     asyncio.create_task(intruder.run(sims_by_id), name="demo intruder")]
            announce(f"demo: {len(sims.docks)} docks and {len(docked)} drones up "
                     f"(time x{config.time_factor:g}, up to {config.cameras} cameras)")
            try:
                yield ops
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await cameras.close()
                station.services.pop(DISPATCHER_NAME, None)
                station.services.pop(SERVICE_NAME, None)

    return extension


def _on_incident(station: Station) -> Callable[[str], bool]:
    """Whether a drone's stream is on an incident now (the video hub says)."""
    def on_incident(drone_id: str) -> bool:
        hub = station.services.get(VIDEO_SERVICE)
        return hub is not None and hub.incident_of(drone_id) is not None

    return on_incident


async def _drones(
    station: Station, config: DemoConfig, stack: contextlib.AsyncExitStack
) -> dict[str, SimDockedDrone]:
    """Start one simulated drone per fleet drone at its dock; wrap the station's vehicles."""
    fleet = config.fleet
    home_of = {d.drone_id: d for d in fleet.docks if d.drone_id}
    sims: dict[str, SimVehicle] = {}
    for spec in fleet.drones:
        dock = home_of.get(spec.drone_id, fleet.docks[0])
        lat, lon = dock.landing_point
        profile = spec.profile
        sim_config = SimConfig(
            system_id=spec.system_id, home_lat_deg=lat, home_lon_deg=lon,
            home_alt_amsl_m=dock.alt_m, cruise_speed_mps=profile.cruise_speed_mps,
            max_speed_mps=max(15.0, profile.cruise_speed_mps), climb_speed_mps=profile.climb_mps,
            descent_speed_mps=profile.descent_mps, time_factor=config.time_factor,
            endpoints=(f"udpout:127.0.0.1:{config.mavlink_port}",), vehicle_name=spec.drone_id)
        sims[spec.drone_id] = await stack.enter_async_context(SimVehicle(sim_config))
    out: dict[str, SimDockedDrone] = {}
    for spec in fleet.drones:
        vehicle = await station.fleet.wait_for_vehicle(spec.system_id, config.vehicle_timeout_s)
        out[spec.drone_id] = await stack.enter_async_context(
            SimDockedDrone(vehicle, sims[spec.drone_id], name=spec.drone_id))
    return out
