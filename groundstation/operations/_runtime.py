"""The station's docks at work: live docks, the one-click launcher, patrol schedules and dispatch.

One ``Operations`` object per station (``station.services["operations"]``), made by the
extension that composes the docks (the demo, or a deployment's dock bus). The API reaches it
only through ``operations_of(station)``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread

from docks import (
    AuditRecord,
    Clock,
    Dock,
    DroneProfile,
    HoldMode,
    Launcher,
    Scheduler,
    ScheduleStore,
    SimTimings,
)
from geofence import ViolationKind
from groundstation.audit import STATION, record_audit
from groundstation.dispatch import (
    AirborneSnapshot,
    DispatchPlan,
    DispatchSettings,
    DockSnapshot,
    GroundUnit,
    Scene,
    rank_candidates,
)
from groundstation.mavlink import Vehicle
from groundstation.station import Station

_log = logging.getLogger(__name__)

SERVICE_NAME = "operations"


@dataclass
class Operations:
    """Docks, launcher, scheduler and fleet names of one station, and dispatch over them."""

    station: Station
    docks: Mapping[str, Dock]
    launcher: Launcher
    clock: Clock
    scheduler: Scheduler | None = None
    schedule_store: ScheduleStore | None = None
    profiles: Mapping[str, DroneProfile] = field(default_factory=dict)
    """Flight profile by drone id (dock drones and free-flying ones)."""
    drone_names: Mapping[int, str] = field(default_factory=dict)
    """Drone id by MAVLink system id."""
    timings: SimTimings = field(default_factory=SimTimings)
    dispatch: DispatchSettings = field(default_factory=DispatchSettings)
    ground_amsl_m: float = 0.0
    """Ground altitude assumed at a scene (AMSL) when nothing better is known."""

    def dock(self, dock_id: str) -> Dock:
        """A dock by id (KeyError when unknown)."""
        return self.docks[dock_id]

    def drone_name(self, vehicle: Vehicle) -> str:
        """The fleet's name of a vehicle."""
        return self.drone_names.get(vehicle.system_id, f"sysid-{vehicle.system_id}")

    def dock_snapshots(self) -> list[DockSnapshot]:
        """Every dock as dispatch needs it, now."""
        default = DroneProfile()
        return [
            DockSnapshot(d.info, d.state, d.readings, d.online, d.busy,
                         self.profiles.get(d.info.drone_id or "", default))
            for d in self.docks.values()
        ]

    def sortie_drones(self) -> set[str]:
        """Drone ids flying a dock sortie now (a dock holds them)."""
        return {d.info.drone_id for d in self.docks.values() if d.busy and d.info.drone_id}

    def airborne_snapshots(self, *, busy: Mapping[str, str] | None = None) -> list[AirborneSnapshot]:
        """Every flying vehicle with a position that no dock sortie holds."""
        held = self.sortie_drones()
        busy = busy or {}
        out = []
        default = DroneProfile()
        for vehicle in list(self.station.fleet.vehicles.values()):
            name = self.drone_name(vehicle)
            state = vehicle.state
            p = state.position
            if name in held or not vehicle.flying or not (math.isfinite(p.lat_deg)
                                                          and math.isfinite(p.lon_deg)):
                continue
            home = state.home
            has_home = math.isfinite(home.lat_deg) and math.isfinite(home.lon_deg)
            alt = p.alt_amsl_m if math.isfinite(p.alt_amsl_m) else self.ground_amsl_m + (
                p.alt_rel_m if math.isfinite(p.alt_rel_m) else 0.0)
            battery = state.battery.remaining_pct
            out.append(AirborneSnapshot(
                name, p.lat_deg, p.lon_deg, alt, None if battery is None else float(battery),
                connected=not vehicle.comm_lost, busy=busy.get(name),
                home_lat_deg=home.lat_deg if has_home else None,
                home_lon_deg=home.lon_deg if has_home else None,
                profile=self.profiles.get(name, default)))
        return out

    def vehicle_named(self, drone_id: str) -> Vehicle | None:
        """The station's vehicle of a drone id."""
        for vehicle in self.station.fleet.vehicles.values():
            if self.drone_name(vehicle) == drone_id:
                return vehicle
        return None

    async def plan(
        self, lat_deg: float, lon_deg: float, ground_units: Iterable[GroundUnit] = (),
        *, busy: Mapping[str, str] | None = None, complete: bool = False,
    ) -> DispatchPlan:
        """Rank every dock and airborne drone for a scene (zones as stored now); ``complete``
        plans every eligible candidate's path (see ``rank_candidates``)."""
        scene = Scene(lat_deg, lon_deg, self.ground_amsl_m)
        docks, airborne = self.dock_snapshots(), self.airborne_snapshots(busy=busy)
        units = list(ground_units)
        zones = await anyio.to_thread.run_sync(self.station.zones.zoneset)
        return await anyio.to_thread.run_sync(lambda: rank_candidates(
            scene, docks, airborne, zones=zones, settings=self.dispatch,
            launch=self.launcher.settings.launch, timings=self.timings, ground_units=units,
            at=self.clock.now(), complete=complete))

    async def orbit_conflicts(self, lat_deg: float, lon_deg: float) -> list[str]:
        """No-fly zones an orbit over a scene (the launch orbit radius, at cruise altitude) would
        enter, in words; zones the scene itself lies in are left out (the ranking warns of them)."""
        zones = await anyio.to_thread.run_sync(self.station.zones.zoneset)
        launch = self.launcher.settings.launch
        centre = (lat_deg, lon_deg, self.ground_amsl_m + launch.cruise_alt_m)
        at = self.clock.now()

        def check() -> list[str]:
            # a zone the centre lies in is a breach, not a margin finding: it is left out here
            found = zones.check_point(centre, at=at, home_amsl_m=self.ground_amsl_m,
                                      margin_m=launch.orbit_radius_m)
            return [v.describe() for v in found if v.kind is ViolationKind.WITHIN_MARGIN
                    and v.margin_kind is ViolationKind.INSIDE_NO_FLY]
        return await anyio.to_thread.run_sync(check)

    async def send_airborne(self, drone_id: str, lat_deg: float, lon_deg: float,
                            hold: HoldMode) -> None:
        """Send a flying drone to hold over a scene (goto, or orbit at the launch radius)."""
        vehicle = self.vehicle_named(drone_id)
        if vehicle is None:
            raise KeyError(drone_id)
        launch = self.launcher.settings.launch
        if hold is HoldMode.ORBIT:
            await vehicle.orbit(lat_deg, lon_deg, launch.orbit_radius_m, alt_m=launch.cruise_alt_m)
        else:
            await vehicle.goto(lat_deg, lon_deg, launch.cruise_alt_m)


def operations_of(station: Station) -> Operations | None:
    """The station's operations, when an extension composed docks."""
    found = station.services.get(SERVICE_NAME)
    return found if isinstance(found, Operations) else None


def dock_audit_sink(station: Station, org_of: Callable[[str], int | None]) -> Callable[[AuditRecord], None]:
    """A ``docks`` audit sink writing every dock and drone command to the station's audit log.

    ``docks`` names targets ``kind:id`` (``dock:YZ-D01``, ``drone:YZ-U01``); ``org_of`` gives the
    owning organisation of an id (None: unowned, visible to the root organisation only).
    """

    def sink(record: AuditRecord) -> None:
        params: dict[str, Any] = dict(record.params)
        if record.tid:
            params["tid"] = record.tid
        kind, _, target_id = record.target.rpartition(":")
        kind = kind or "dock"

        def write(session: Any) -> None:
            record_audit(session, actor=STATION, action=f"{kind}.{record.command}",
                         target_type=kind, target_id=target_id, params=params,
                         result=record.outcome, org_id=org_of(target_id), at=record.at)

        station.spawn(station.db.run(write), f"audit {record.command} {record.target}")

    return sink
