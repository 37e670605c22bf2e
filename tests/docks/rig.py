"""A test fleet: simulated docks with behavioural drones, in-process or through a real broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self

from docks import (
    AuditRecord,
    Dock,
    DockAgent,
    DockBus,
    DockInfo,
    DockSettings,
    Launcher,
    MqttSettings,
    RallyPoint,
    RouteChecker,
    RouteRequest,
    ScaledClock,
    SimDockDriver,
    SimulatedDock,
    Weather,
)
from docks._geo import offset
from geofence import MavCmd, MissionItem
from tests.docks.drone_model import ModelDrone
from tests.mqtt_broker import MosquittoBroker

YONGZHOU = (26.42, 111.61)


def item(command: int, lat: float = 0.0, lon: float = 0.0, alt: float = 0.0, **params: float) -> MissionItem:
    """A mission item at a point."""
    return MissionItem(command=command, x=round(lat * 1e7), y=round(lon * 1e7), z=alt, **params)


def overwatch_route(req: RouteRequest) -> list[MissionItem]:
    """Take off, fly to the point, loiter over it (a stand-in for missions' builder)."""
    lat, lon = req.target_lat_deg, req.target_lon_deg
    return [
        item(MavCmd.NAV_TAKEOFF, alt=req.alt_m),
        item(MavCmd.NAV_WAYPOINT, lat, lon, req.alt_m),
        item(MavCmd.NAV_LOITER_UNLIM, lat, lon, req.alt_m),
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
    for key, value in launch.items():
        setattr(settings.launch, key, value)
    return settings


@dataclass
class DockRig:
    """One simulated dock with its drone, driver and station-side model."""

    info: DockInfo
    drone: ModelDrone | None
    sim: SimulatedDock
    dock: Dock
    agent: DockAgent | None = None


@dataclass
class FleetRig:
    """Several docks around Yongzhou, each with a drone, a launcher over them, an audit log."""

    n_docks: int = 2
    factor: float = 50.0
    broker: MosquittoBroker | None = None
    prefix: str = ""
    battery_pct: float = 95.0
    empty: Sequence[int] = ()
    spacing_m: float = 1500.0
    weather: Weather = field(default_factory=Weather)
    settings: DockSettings = field(default_factory=test_settings)
    rally_points: Sequence[RallyPoint] = ()
    route_checker: RouteChecker | None = None
    rigs: list[DockRig] = field(default_factory=list)
    audit: list[AuditRecord] = field(default_factory=list)

    async def __aenter__(self) -> Self:
        self.clock = ScaledClock(self.factor)
        self._stack = contextlib.AsyncExitStack()
        await self._stack.__aenter__()
        bus = None
        if self.broker is not None:
            mqtt = self.settings.mqtt
            mqtt.hostname, mqtt.port, mqtt.topic_prefix = self.broker.host, self.broker.port, self.prefix
            bus = await self._stack.enter_async_context(DockBus(mqtt, clock=self.clock))
            self.bus = bus
        drones: list[ModelDrone] = []
        for i in range(self.n_docks):
            lat, lon = offset(*YONGZHOU, 0.0, i * self.spacing_m)
            info = DockInfo(dock_id=f"D{i + 1}", name=f"dock {i + 1}", lat_deg=lat, lon_deg=lon,
                            drone_id=f"U{i + 1}")
            drone = None
            if i not in self.empty:
                drone = ModelDrone(f"U{i + 1}", clock=self.clock, home=(lat, lon),
                                   battery_pct=self.battery_pct)
                await self._stack.enter_async_context(drone)
                drones.append(drone)
            sim = SimulatedDock(info, clock=self.clock, drone=drone, weather=self.weather)
            await self._stack.enter_async_context(sim)
            agent = None
            if bus is not None:
                agent = await self._stack.enter_async_context(DockAgent(sim, self._agent_settings(i)))
                driver = bus.driver(info.dock_id)
            else:
                driver = SimDockDriver(sim)
            dock = Dock(info, driver, clock=self.clock, settings=self.settings, drone=drone,
                        audit=self.audit.append)
            self.rigs.append(DockRig(info, drone, sim, dock, agent))
        for rig in self.rigs:
            for drone in drones:
                rig.sim.sense(drone)
        self.launcher = await self._stack.enter_async_context(
            Launcher(
                [r.dock for r in self.rigs], clock=self.clock, route_builder=overwatch_route,
                route_checker=self.route_checker, settings=self.settings,
                rally_points=self.rally_points, audit=self.audit.append,
            )
        )
        await self.wait_settled()
        return self

    def _agent_settings(self, i: int) -> MqttSettings:
        return self.settings.mqtt.model_copy(update={"client_id": f"dock-agent-{i}"})

    async def wait_settled(self, timeout_s: float = 10.0) -> None:
        """Wait (real seconds) until every dock left OFFLINE."""
        async with asyncio.timeout(timeout_s):
            for rig in self.rigs:
                await wait_state(rig.dock, lambda d: d.state.idle)

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.__aexit__(None, None, None)

    def __getitem__(self, i: int) -> DockRig:
        return self.rigs[i]


async def wait_state(dock: Dock, predicate, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Wait (real seconds) until ``predicate(dock)``, woken by the dock's events."""
    changed = asyncio.Event()
    remove = dock.add_listener(lambda _e: changed.set())
    try:
        async with asyncio.timeout(timeout_s):
            while not predicate(dock):
                changed.clear()
                await changed.wait()
    finally:
        remove()
