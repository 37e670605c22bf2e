"""A test fleet: simulated docks with behavioural drones, in-process or through a real broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Self

from docks import (
    AuditRecord,
    Dock,
    DockInfo,
    DockSettings,
    DroneSpec,
    FleetSpec,
    Launcher,
    RallyPoint,
    RouteChecker,
    RouteRequest,
    ScaledClock,
    SimFleet,
    SimulatedDock,
    WayFinder,
    Weather,
)
from docks._geo import offset
from geofence import MavCmd, MissionItem
from tests.docks.drone_model import ModelDrone
from tests.docks.waiting import wait_until
from tests.mqtt_broker import MosquittoBroker

YONGZHOU = (26.42, 111.61)
TARGET_NEAR = offset(*YONGZHOU, 800.0, 200.0)


def item(command: int, lat: float = 0.0, lon: float = 0.0, alt: float = 0.0, **params: float) -> MissionItem:
    """A mission item at a point."""
    return MissionItem(command=command, x=round(lat * 1e7), y=round(lon * 1e7), z=alt, **params)


def overwatch_route(req: RouteRequest) -> list[MissionItem]:
    """Take off, fly to the point, loiter over it (a stand-in for missions' builder)."""
    lat, lon = req.target_lat_deg, req.target_lon_deg
    return [
        item(MavCmd.NAV_TAKEOFF, alt=req.alt_m),
        *(item(MavCmd.NAV_WAYPOINT, c_lat, c_lon, req.alt_m) for c_lat, c_lon in req.via),
        item(MavCmd.NAV_WAYPOINT, lat, lon, req.alt_m),
        item(MavCmd.NAV_LOITER_UNLIM, lat, lon, req.alt_m),
        *(item(MavCmd.NAV_WAYPOINT, c_lat, c_lon, req.alt_m) for c_lat, c_lon in req.via[::-1]),
    ]


def square_patrol(centre: tuple[float, float], side_m: float, alt_m: float = 60.0) -> list[MissionItem]:
    """A square patrol route around a point."""
    h = side_m / 2
    corners = [offset(*centre, n, e) for n, e in ((h, h), (h, -h), (-h, -h), (-h, h))]
    return [item(MavCmd.NAV_TAKEOFF, alt=alt_m)] + [
        item(MavCmd.NAV_WAYPOINT, lat, lon, alt_m) for lat, lon in corners
    ]


def test_settings(**launch: float) -> DockSettings:
    """Settings with short real-time network waits."""
    settings = DockSettings()
    settings.mqtt.reply_timeout_s = 1.0
    settings.mqtt.event_reply_timeout_s = 0.5
    settings.mqtt.keepalive_s = 2
    settings.mqtt.osd_silence_s = 120.0  # dock seconds: a loaded test machine stalls for ~0.1 s
    # at x200 such a stall is 20 dock seconds, more than a 15 s charge-switch limit: completion
    # limits get ten times the room here (their expiry is tested with a dock that never answers)
    settings.services = settings.services.model_copy(
        update={k: v * 10 for k, v in settings.services.model_dump().items()})
    for key, value in launch.items():
        setattr(settings.launch, key, value)
    return settings


@dataclass
class FleetRig:
    """Docks in a row east of Yongzhou, a behavioural drone in each (unless ``empty``), a
    launcher over them and an audit log; in-process, or through ``broker`` when given."""

    n_docks: int = 2
    factor: float = 200.0
    start: datetime | None = None
    broker: MosquittoBroker | None = None
    prefix: str = ""
    battery_pct: float = 95.0
    empty: Sequence[int] = ()
    spacing_m: float = 1500.0
    weather: Weather = field(default_factory=Weather)
    settings: DockSettings = field(default_factory=test_settings)
    rally_points: Sequence[RallyPoint] = ()
    route_checker: RouteChecker | None = None
    way_finder: WayFinder | None = None
    audit: list[AuditRecord] = field(default_factory=list)

    def spec(self) -> FleetSpec:
        """The rig's fleet as data."""
        docks = []
        for i in range(self.n_docks):
            lat, lon = offset(*YONGZHOU, 0.0, i * self.spacing_m)
            docks.append(DockInfo(dock_id=f"D{i + 1}", name=f"dock {i + 1}", lat_deg=lat,
                                  lon_deg=lon, drone_id=None if i in self.empty else f"U{i + 1}"))
        drones = [DroneSpec(drone_id=d.drone_id, system_id=i + 1)
                  for i, d in enumerate(docks) if d.drone_id]
        return FleetSpec(city="test", docks=docks, drones=drones, rally_points=list(self.rally_points))

    async def __aenter__(self) -> Self:
        self.clock = ScaledClock(self.factor, start=self.start)
        self._stack = contextlib.AsyncExitStack()
        await self._stack.__aenter__()
        if self.broker is not None:
            mqtt = self.settings.mqtt
            mqtt.hostname, mqtt.port, mqtt.topic_prefix = self.broker.host, self.broker.port, self.prefix
        spec = self.spec()
        self.drones: dict[str, ModelDrone] = {}
        for info in spec.docks:
            if info.drone_id:
                drone = ModelDrone(info.drone_id, clock=self.clock, home=info.landing_point,
                                   battery_pct=self.battery_pct)
                self.drones[info.drone_id] = await self._stack.enter_async_context(drone)
        self.fleet = await self._stack.enter_async_context(
            SimFleet(spec, clock=self.clock, sim_drones=self.drones, settings=self.settings,
                     weather=self.weather, audit=self.audit.append)
        )
        self.docks = self.fleet.docks
        self.launcher = await self._stack.enter_async_context(
            Launcher(self.docks, clock=self.clock, route_builder=overwatch_route,
                     route_checker=self.route_checker, way_finder=self.way_finder,
                     settings=self.settings,
                     rally_points=self.rally_points, audit=self.audit.append)
        )
        await self.wait_settled()
        return self

    async def wait_settled(self, timeout_s: float = 10.0) -> None:
        """Wait (real seconds) until every dock left OFFLINE."""
        async with asyncio.timeout(timeout_s):
            for dock in self.docks:
                await wait_state(dock, lambda d: d.state.idle)

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.__aexit__(None, None, None)

    def dock(self, i: int) -> Dock:
        """Dock number ``i`` (0-based)."""
        return self.docks[i]

    def sim(self, i: int) -> SimulatedDock:
        """The simulator behind dock ``i``."""
        return self.fleet.sims[self.docks[i].dock_id]

    def drone(self, i: int) -> ModelDrone:
        """The drone of dock ``i``."""
        return self.drones[f"U{i + 1}"]


async def wait_state(dock: Dock, predicate: Callable[[Dock], bool], timeout_s: float = 10.0) -> None:
    """Wait (real seconds) until ``predicate(dock)``."""
    await wait_until(dock, lambda: predicate(dock), timeout_s)
