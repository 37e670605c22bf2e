"""A fleet description (docks, drones, rally points, patrol routes and schedules) as data, and
``SimFleet``, which brings a described fleet up as simulated docks, in-process or over MQTT."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from docks._clock import Clock
from docks._dock import Dock
from docks._driver import DockDriver
from docks._drone import Drone
from docks._exceptions import DockError
from docks._model import AuditSink, DockInfo, RallyPoint
from docks._mqtt_agent import DockAgent
from docks._mqtt_station import DockBus
from docks._preflight import DroneProfile
from docks._schedule_model import MissedPolicy, PatrolSchedule
from docks._settings import DockSettings
from docks._sim import DockedDrone, SimTimings, SimulatedDock, Weather
from docks._sim_driver import SimDockDriver
from geofence import MavCmd, MissionItem

DEMO_FLEET = "yongzhou_fleet.json"


class DroneSpec(BaseModel):
    """A drone of the fleet: its id, MAVLink system id, type and flight profile, home dock."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    drone_id: str = Field(min_length=1, max_length=64)
    system_id: int = Field(ge=1, le=254)
    model: str = "quad"
    home_dock: str | None = None
    profile: DroneProfile = Field(default_factory=DroneProfile)


class Waypoint(BaseModel):
    """A patrol waypoint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-180, le=180)
    alt_m: float = Field(60.0, gt=0, le=500)


class PatrolSpec(BaseModel):
    """A patrol schedule of the demo fleet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schedule_id: str
    dock_id: str
    route_id: str
    cron: str
    missed: MissedPolicy = MissedPolicy.RUN_LATEST


class FleetSpec(BaseModel):
    """Docks, drones, rally points, patrol routes and schedules of a city."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    city: str
    timezone: str = "Asia/Shanghai"
    docks: list[DockInfo] = Field(min_length=1)
    drones: list[DroneSpec] = Field(default_factory=list)
    rally_points: list[RallyPoint] = Field(default_factory=list)
    routes: dict[str, list[Waypoint]] = Field(default_factory=dict)
    patrols: list[PatrolSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> FleetSpec:
        dock_ids = [d.dock_id for d in self.docks]
        drone_ids = [d.drone_id for d in self.drones]
        for what, ids in (("dock", dock_ids), ("drone", drone_ids)):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {what} ids")
        if len({d.system_id for d in self.drones}) != len(self.drones):
            raise ValueError("duplicate drone system ids")
        for dock in self.docks:
            if dock.drone_id is not None and dock.drone_id not in drone_ids:
                raise ValueError(f"dock {dock.dock_id} holds unknown drone {dock.drone_id}")
        for patrol in self.patrols:
            if patrol.dock_id not in dock_ids or patrol.route_id not in self.routes:
                raise ValueError(f"patrol {patrol.schedule_id} names an unknown dock or route")
        return self

    def profiles(self) -> dict[str, DroneProfile]:
        """Flight profile of each dock's drone, by dock id."""
        by_drone = {d.drone_id: d.profile for d in self.drones}
        return {d.dock_id: by_drone[d.drone_id] for d in self.docks if d.drone_id in by_drone}

    def route(self, route_id: str, dock: DockInfo) -> list[MissionItem]:
        """A named patrol route as mission items: take off over the dock, then the waypoints."""
        waypoints = self.routes[route_id]
        items = [MissionItem(command=MavCmd.NAV_TAKEOFF, z=waypoints[0].alt_m if waypoints else 60.0)]
        items += [
            MissionItem(command=MavCmd.NAV_WAYPOINT, x=round(w.lat_deg * 1e7),
                        y=round(w.lon_deg * 1e7), z=w.alt_m)
            for w in waypoints
        ]
        return items

    def schedules(self, created_at: datetime) -> list[PatrolSchedule]:
        """The fleet's patrols as schedules in its time zone."""
        return [
            PatrolSchedule(
                schedule_id=p.schedule_id, dock_id=p.dock_id, route_id=p.route_id, cron=p.cron,
                timezone=self.timezone, missed=p.missed, created_at=created_at,
            )
            for p in self.patrols
        ]


def load_fleet(path: str | Path | None = None) -> FleetSpec:
    """Load a fleet description (default: the demo fleet around Yongzhou)."""
    try:
        if path is None:
            text = resources.files("docks.data").joinpath(DEMO_FLEET).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return FleetSpec.model_validate(json.loads(text))
    except (OSError, ValueError, ValidationError) as exc:
        raise DockError(f"fleet description {path or DEMO_FLEET} is invalid: {exc}") from None


class SimFleet:
    """A described fleet brought up as simulated docks (use ``async with``).

    With ``settings.mqtt.hostname`` set, every dock runs a ``DockAgent`` on the broker and the
    station reaches it through one ``DockBus``; without it, docks run in-process.
    ``sim_drones`` are what the simulated docks power, charge and sense; ``station_drones`` are
    how the station flies them (the station's vehicles; by default the same objects).
    """

    def __init__(
        self,
        spec: FleetSpec,
        *,
        clock: Clock,
        sim_drones: Mapping[str, DockedDrone],
        station_drones: Mapping[str, Drone] | None = None,
        settings: DockSettings | None = None,
        weather: Weather | None = None,
        timings: SimTimings | None = None,
        audit: AuditSink | None = None,
    ) -> None:
        self.spec = spec
        self.clock = clock
        self.settings = settings or DockSettings()
        self.sim_drones = dict(sim_drones)
        self.station_drones: Mapping[str, Drone] = dict(station_drones or sim_drones)
        self.weather = weather or Weather()
        self.timings = timings or SimTimings()
        self.audit = audit
        self.docks: list[Dock] = []
        self.sims: dict[str, SimulatedDock] = {}
        self.agents: dict[str, DockAgent] = {}
        self.bus: DockBus | None = None
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Self:
        await self._stack.__aenter__()
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def _start(self) -> None:
        mqtt = self.settings.mqtt
        if mqtt.hostname is not None:
            self.bus = await self._stack.enter_async_context(DockBus(mqtt, clock=self.clock))
        for info in self.spec.docks:
            drone = self.sim_drones.get(info.drone_id) if info.drone_id else None
            sim = SimulatedDock(info, clock=self.clock, drone=drone, weather=self.weather,
                                timings=self.timings)
            self.sims[info.dock_id] = await self._stack.enter_async_context(sim)
            for other in self.sim_drones.values():
                sim.sense(other)
            driver: DockDriver
            if self.bus is not None:
                agent_settings = mqtt.model_copy(update={"client_id": f"dock-{info.dock_id}"})
                self.agents[info.dock_id] = await self._stack.enter_async_context(
                    DockAgent(sim, agent_settings)
                )
                driver = self.bus.driver(info.dock_id)
            else:
                driver = SimDockDriver(sim)
            station_drone = self.station_drones.get(info.drone_id) if info.drone_id else None
            self.docks.append(
                Dock(info, driver, clock=self.clock, settings=self.settings, drone=station_drone,
                     audit=self.audit)
            )

    async def __aexit__(self, *exc: object) -> None:
        for dock in self.docks:
            await dock.aclose()
        await self._stack.aclose()

    def rally_points(self) -> Sequence[RallyPoint]:
        """The fleet's rally points."""
        return self.spec.rally_points
