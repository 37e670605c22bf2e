"""A simulated dock: a cover that travels in about 15 s, a charging curve, scripted weather and
injectable faults, all on an injectable (accelerated) clock, paired with a drone it can charge.

The simulator is the dock's hardware. The station reaches it either in-process
(``SimDockDriver``) or over MQTT through a ``DockAgent``, exactly as it would a real dock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol, Self, runtime_checkable

from docks._clock import Clock
from docks._drone import Drone, LandedState, wait_for_drone
from docks._geo import distance_m
from docks._model import (
    AlarmLevel,
    ChargeState,
    DockAlarm,
    DockEvent,
    DockInfo,
    DockMode,
    DockPower,
    DockReadings,
    DoorState,
    Listeners,
    NetworkQuality,
    RainLevel,
    ReadingsChanged,
)
from docks._services import DockService, ReasonCode
from docks._tasks import cancel_and_wait

_log = logging.getLogger("docks.sim")

ProgressCallback = Callable[[int, str], None]


class DockFault(Enum):
    """Faults a test or the demo can inject into a simulated dock."""

    COVER_JAM = "cover_jam"  # the cover stalls part-way and the service fails
    DRONE_POWER_FAIL = "drone_power_fail"  # the drone does not boot
    SELF_CHECK_FAIL = "self_check_fail"  # a sensor fails its self-test
    LANDING_AREA_BLOCKED = "landing_area_blocked"  # something lies on the cover or pad
    POWER_LOSS = "power_loss"  # mains lost, the dock runs on its backup battery
    NO_REPLY = "no_reply"  # the dock's agent ignores services (MQTT)
    DROP_FIRST_REPLY = "drop_first_reply"  # the agent loses its first reply to each service


@dataclass(frozen=True, slots=True)
class Weather:
    """Weather at the dock."""

    wind_speed_mps: float = 2.0
    rain: RainLevel = RainLevel.NONE
    temperature_c: float = 22.0
    humidity_pct: float = 60.0


@dataclass(frozen=True, slots=True)
class WeatherScript:
    """Weather as steps in dock seconds from the simulator's start: ``[(0, calm), (600, storm)]``."""

    steps: Sequence[tuple[float, Weather]]

    def at(self, t_s: float) -> Weather:
        """The weather in force ``t_s`` dock seconds after the start."""
        current = self.steps[0][1] if self.steps else Weather()
        for start_s, weather in self.steps:
            if start_s <= t_s:
                current = weather
        return current


@dataclass(frozen=True, slots=True)
class ChargingCurve:
    """Constant current up to ``taper_start_pct``, then a constant-voltage taper to full.

    Defaults charge 20 % -> 80 % in about 20 min and 80 % -> 95 % in about 9 min, like a dock
    charging a 4-5 Ah drone pack with active cooling.
    """

    cc_rate_pct_per_min: float = 3.0
    taper_start_pct: float = 80.0
    full_pct: float = 99.5

    def rate_pct_per_s(self, pct: float) -> float:
        """Charging rate at ``pct`` state of charge."""
        if pct >= self.full_pct:
            return 0.0
        cc = self.cc_rate_pct_per_min / 60.0
        if pct < self.taper_start_pct:
            return cc
        return cc * (100.0 - pct) / (100.0 - self.taper_start_pct)


@runtime_checkable
class DockedDrone(Drone, Protocol):
    """A drone a simulated dock can power and charge (the pairing hooks of a simulator)."""

    def set_powered(self, on: bool) -> None:
        """Switch the drone's power (a powered-off drone is not heard on its link)."""
        ...

    def charge_battery(self, delta_pct: float) -> None:
        """Add ``delta_pct`` percent to the drone's battery."""
        ...


class SimServiceError(Exception):
    """A simulated service failed with a dock reason code."""

    def __init__(self, reason: ReasonCode, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SimTimings:
    """Mechanical durations of the simulated dock, in dock seconds."""

    cover_travel_s: float = 15.0
    cover_stall_s: float = 4.0
    drone_boot_s: float = 12.0
    drone_shutdown_s: float = 4.0
    self_check_s: float = 3.0
    reboot_s: float = 60.0
    charge_switch_s: float = 1.0
    tick_s: float = 1.0
    landing_radius_m: float = 1.5


class SimulatedDock:
    """The simulated hardware of one dock. Use ``async with`` to run its physics."""

    def __init__(
        self,
        info: DockInfo,
        *,
        clock: Clock,
        drone: DockedDrone | None = None,
        drone_inside: bool = True,
        weather: Weather | WeatherScript = Weather(),
        timings: SimTimings = SimTimings(),
        curve: ChargingCurve = ChargingCurve(),
        charging: bool = True,
    ) -> None:
        self.info = info
        self.drone = drone
        self.clock = clock
        self.timings = timings
        self.curve = curve
        self.faults: set[DockFault] = set()
        self.service_counts: Counter[DockService] = Counter()
        self._listeners: Listeners[DockEvent] = Listeners()
        self._t0_s = clock.monotonic()
        self._script = weather if isinstance(weather, WeatherScript) else None
        self._weather = weather if isinstance(weather, Weather) else weather.at(0.0)
        self._cover_pos = 0.0
        self._cover_fault = False
        self._estop = False
        self._inside = drone is not None and drone_inside
        self._charging = charging and self._inside
        self._drone_switched_on = False  # the dock's own power relay to the drone in it
        self._mode = DockMode.IDLE
        self._busy: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._sensed: dict[str, Callable[[], None]] = {}
        self._on_ground: dict[str, bool] = {}

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self.drone is not None:
            self.sense(self.drone)
        self._tasks.append(
            asyncio.create_task(self._physics(), name=f"sim-dock-physics-{self.info.dock_id}")
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            await cancel_and_wait(task)
        self._tasks.clear()
        for remove in self._sensed.values():
            remove()
        self._sensed.clear()

    def sense(self, drone: DockedDrone) -> None:
        """Let the dock's sensors see ``drone`` (any drone that may land in it)."""
        if drone.drone_id not in self._sensed:
            self._on_ground[drone.drone_id] = drone.landed_state is LandedState.ON_GROUND
            self._sensed[drone.drone_id] = drone.add_listener(lambda: self._on_drone_update(drone))

    def add_listener(self, callback: Callable[[DockEvent], None]) -> Callable[[], None]:
        """Call ``callback`` with readings changes and alarms."""
        return self._listeners.add(callback)

    # -- what the dock reports -----------------------------------------------------------------

    def readings(self) -> DockReadings:
        """The dock's readings now."""
        if self._cover_fault:
            door = DoorState.FAULT
        elif self._cover_pos <= 0.0:
            door = DoorState.CLOSED
        elif self._cover_pos >= 1.0:
            door = DoorState.OPEN
        else:
            door = DoorState.HALF_OPEN
        drone = self.drone
        battery = drone.battery_pct if drone is not None else None
        charging = self._charging and self._inside and (battery or 0.0) < self.curve.full_pct
        return DockReadings(
            at=self.clock.now(),
            mode=self._mode,
            door=door,
            drone_present=self._inside,
            # the dock knows its relay is on even while the drone's radio is silent
            drone_powered=bool(
                drone is not None and self._inside and (self._drone_switched_on or drone.connected)
            ),
            drone_battery_pct=battery if self._inside else None,
            charge_state=ChargeState.CHARGING if charging else ChargeState.IDLE,
            wind_speed_mps=self._weather.wind_speed_mps,
            rain=self._weather.rain,
            temperature_c=self._weather.temperature_c,
            humidity_pct=self._weather.humidity_pct,
            power=DockPower.BACKUP_BATTERY if DockFault.POWER_LOSS in self.faults else DockPower.MAINS,
            network=NetworkQuality.GOOD,
            emergency_stop=self._estop,
            lat_deg=self.info.lat_deg,
            lon_deg=self.info.lon_deg,
        )

    def _changed(self) -> None:
        self._listeners.emit(ReadingsChanged(self.info.dock_id, self.readings()))

    def _alarm(self, code: str, level: AlarmLevel, message: str) -> None:
        _log.warning("dock %s alarm %s: %s", self.info.dock_id, code, message)
        self._listeners.emit(DockAlarm(self.info.dock_id, code, level, message, self.clock.now()))

    # -- what a test or an operator on site does ----------------------------------------------

    def inject(self, fault: DockFault) -> None:
        """Inject a fault."""
        self.faults.add(fault)
        if fault is DockFault.POWER_LOSS:
            self._alarm("dock_power_lost", AlarmLevel.WARNING, "mains lost, on backup battery")
            self._changed()

    def clear(self, fault: DockFault) -> None:
        """Clear an injected fault."""
        self.faults.discard(fault)
        if fault is DockFault.COVER_JAM:
            self._cover_fault = False
        self._changed()

    def set_weather(self, weather: Weather) -> None:
        """Set the weather now (and stop any script)."""
        self._script = None
        self._weather = weather
        self._changed()

    def press_emergency_stop(self) -> None:
        """Someone pressed the dock's emergency stop button."""
        self._estop = True
        self._alarm("emergency_stop", AlarmLevel.WARNING, "emergency stop pressed")
        self._changed()

    def release_emergency_stop(self) -> None:
        """The emergency stop was released on site."""
        self._estop = False
        self._changed()

    def place_drone(self, inside: bool) -> None:
        """Put a drone into the dock by hand (or take it out)."""
        self._inside = inside and self.drone is not None
        self._changed()

    # -- physics ---------------------------------------------------------------------------------

    async def _physics(self) -> None:
        tick_s = self.timings.tick_s
        last_s = self.clock.monotonic()
        while True:
            await self.clock.sleep(tick_s)
            now_s = self.clock.monotonic()
            dt_s, last_s = now_s - last_s, now_s
            if self._script is not None:
                self._weather = self._script.at(now_s - self._t0_s)
            drone = self.drone
            if drone is not None and self._charging and self._inside:
                pct = drone.battery_pct or 0.0
                gain = min(self.curve.full_pct - pct, self.curve.rate_pct_per_s(pct) * dt_s)
                if gain > 0:
                    drone.charge_battery(gain)
            self._changed()

    def _on_drone_update(self, drone: DockedDrone) -> None:
        on_ground = drone.landed_state is LandedState.ON_GROUND
        was_on_ground = self._on_ground.get(drone.drone_id, True)
        self._on_ground[drone.drone_id] = on_ground
        if drone is self.drone and self._inside and not on_ground:
            self._inside = False
            self._charging = False
            self._drone_switched_on = False
            self._changed()
        elif on_ground and not was_on_ground:
            self._touchdown(drone)

    def _touchdown(self, drone: DockedDrone) -> None:
        pos = drone.position
        lat, lon = self.info.landing_point
        if pos is None or distance_m(pos.lat_deg, pos.lon_deg, lat, lon) > self.timings.landing_radius_m:
            return
        if self._cover_pos >= 1.0 and not self._inside:
            self.drone = drone
            self._inside = True
            self._changed()
        else:
            self._alarm("drone_on_cover", AlarmLevel.WARNING, "drone landed on a closed cover")

    # -- services ---------------------------------------------------------------------------------

    async def run(
        self,
        service: DockService,
        params: Mapping[str, Any] | None = None,
        progress: ProgressCallback | None = None,
    ) -> dict[str, Any]:
        """Carry out ``service``; return its output or raise ``SimServiceError``."""
        handler = self._handlers().get(service)
        if handler is None:
            raise SimServiceError(ReasonCode.UNKNOWN_SERVICE, f"unknown service {service}")
        if self._estop and service is not DockService.EMERGENCY_STOP:
            raise SimServiceError(ReasonCode.EMERGENCY_STOPPED, "emergency stop is pressed")
        self.service_counts[service] += 1
        report = progress or (lambda _pct, _step: None)
        self._mode = DockMode.WORKING
        try:
            return await handler(dict(params or {}), report)
        finally:
            if not self._busy:
                self._mode = DockMode.IDLE
            self._changed()

    def _handlers(
        self,
    ) -> dict[DockService, Callable[[dict[str, Any], ProgressCallback], Awaitable[dict[str, Any]]]]:
        return {
            DockService.SELF_CHECK: self._self_check,
            DockService.COVER_OPEN: lambda p, r: self._move_cover(1.0, r),
            DockService.COVER_CLOSE: lambda p, r: self._move_cover(0.0, r),
            DockService.CHARGE_OPEN: lambda p, r: self._switch_charging(True),
            DockService.CHARGE_CLOSE: lambda p, r: self._switch_charging(False),
            DockService.DRONE_OPEN: lambda p, r: self._power_drone(True, r),
            DockService.DRONE_CLOSE: lambda p, r: self._power_drone(False, r),
            DockService.DEVICE_REBOOT: self._reboot,
            DockService.EMERGENCY_STOP: self._emergency_stop,
            DockService.TAKEOFF_TO_POINT: self._takeoff_to_point,
            DockService.RETURN_HOME: self._return_home,
        }

    @contextlib.contextmanager
    def _subsystem(self, name: str) -> Any:
        if name in self._busy or "reboot" in self._busy:
            raise SimServiceError(ReasonCode.BUSY, f"{name} is busy")
        self._busy.add(name)
        try:
            yield
        finally:
            self._busy.discard(name)

    async def _self_check(self, _params: dict[str, Any], report: ProgressCallback) -> dict[str, Any]:
        with self._subsystem("self_check"):
            await self.clock.sleep(self.timings.self_check_s)
            failed = []
            if DockFault.SELF_CHECK_FAIL in self.faults:
                failed.append("anemometer")
            if self._cover_fault:
                failed.append("cover")
            if failed:
                raise SimServiceError(ReasonCode.SELF_CHECK_FAILED, f"self-check failed: {failed}")
            return {"failed": failed, "power": self.readings().power.name.lower()}

    async def _move_cover(self, target: float, report: ProgressCallback) -> dict[str, Any]:
        with self._subsystem("cover"):
            if DockFault.LANDING_AREA_BLOCKED in self.faults:
                self._alarm("landing_area_blocked", AlarmLevel.WARNING, "object on the cover or pad")
                raise SimServiceError(ReasonCode.LANDING_AREA_BLOCKED, "landing area blocked")
            step_s = min(1.0, self.timings.cover_travel_s / 4)
            speed = 1.0 / self.timings.cover_travel_s  # of the full travel per dock second
            stall_at = 0.3 if target > self._cover_pos else 0.7
            jam = DockFault.COVER_JAM in self.faults
            last_s = self.clock.monotonic()
            while abs(self._cover_pos - target) > 1e-9:
                if self._estop:
                    raise SimServiceError(ReasonCode.EMERGENCY_STOPPED, "cover stopped by e-stop")
                if jam and abs(self._cover_pos - stall_at) < 1e-9:
                    await self.clock.sleep(self.timings.cover_stall_s)
                    self._cover_fault = True
                    self._alarm("cover_jammed", AlarmLevel.WARNING, "cover motor stalled")
                    raise SimServiceError(ReasonCode.COVER_JAMMED, "cover jammed")
                await self.clock.sleep(step_s)
                # move by the time that really passed, so a slow loop never slows the cover
                now_s = self.clock.monotonic()
                delta = min(speed * (now_s - last_s), abs(target - self._cover_pos))
                last_s = now_s
                sign = 1.0 if target > self._cover_pos else -1.0
                moved = self._cover_pos + sign * delta
                if jam and min(self._cover_pos, moved) <= stall_at <= max(self._cover_pos, moved):
                    moved = stall_at
                self._cover_pos = target if abs(moved - target) < 1e-6 else moved
                self._changed()
                report(round(100 * (self._cover_pos if target else 1 - self._cover_pos)), "moving")
            return {"cover_state": int(self.readings().door)}

    async def _switch_charging(self, on: bool) -> dict[str, Any]:
        with self._subsystem("charger"):
            if on and not self._inside:
                raise SimServiceError(ReasonCode.NO_DRONE, "no drone in the dock to charge")
            await self.clock.sleep(self.timings.charge_switch_s)
            self._charging = on
            return {}

    async def _power_drone(self, on: bool, report: ProgressCallback) -> dict[str, Any]:
        with self._subsystem("drone_power"):
            if self.drone is None or not self._inside:
                raise SimServiceError(ReasonCode.NO_DRONE, "no drone in the dock")
            duration_s = self.timings.drone_boot_s if on else self.timings.drone_shutdown_s
            await self.clock.sleep(duration_s / 2)
            report(50, "booting" if on else "shutting_down")
            await self.clock.sleep(duration_s / 2)
            if on and DockFault.DRONE_POWER_FAIL in self.faults:
                self._alarm("drone_boot_failed", AlarmLevel.WARNING, "drone did not power on")
                raise SimServiceError(ReasonCode.DRONE_POWER_FAILED, "drone did not power on")
            self.drone.set_powered(on)
            self._drone_switched_on = on
            return {}

    async def _reboot(self, _params: dict[str, Any], report: ProgressCallback) -> dict[str, Any]:
        with self._subsystem("reboot"):
            await self.clock.sleep(self.timings.reboot_s)
            return {}

    async def _emergency_stop(self, _params: dict[str, Any], _report: ProgressCallback) -> dict[str, Any]:
        self.press_emergency_stop()
        return {}

    async def _takeoff_to_point(self, params: dict[str, Any], report: ProgressCallback) -> dict[str, Any]:
        drone = self._ready_drone()
        try:
            lat = float(params["target_latitude"])
            lon = float(params["target_longitude"])
            alt = float(params["target_height"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SimServiceError(ReasonCode.BAD_PARAMS, f"bad takeoff_to_point params: {exc}") from None
        if self._cover_pos < 1.0:
            raise SimServiceError(ReasonCode.NOT_READY, "cover is not open")
        def arrived(d: Drone) -> bool:
            p = d.position
            return p is not None and distance_m(p.lat_deg, p.lon_deg, lat, lon) < 5.0

        with self._subsystem("flight"):
            try:
                await drone.arm()
                await drone.takeoff(alt)
                await wait_for_drone(drone, _airborne, clock=self.clock, timeout_s=None, what="climb")
                await drone.goto(lat, lon, alt)
                report(10, "takeoff")
                await wait_for_drone(drone, arrived, clock=self.clock, timeout_s=None, what="arrival")
            except Exception as exc:
                raise SimServiceError(ReasonCode.DRONE_COMMAND_FAILED, f"flight failed: {exc}") from exc
            return {}

    async def _return_home(self, _params: dict[str, Any], report: ProgressCallback) -> dict[str, Any]:
        drone = self.drone
        if drone is None:
            raise SimServiceError(ReasonCode.NO_DRONE, "no paired drone")
        with self._subsystem("flight"):
            try:
                await drone.return_to_launch()
            except Exception as exc:
                raise SimServiceError(ReasonCode.DRONE_COMMAND_FAILED, f"RTL refused: {exc}") from exc
            if self._cover_pos < 1.0:
                await self._move_cover(1.0, report)
            changed = asyncio.Event()
            remove = self.add_listener(lambda _e: changed.set())
            try:
                while not self._inside:
                    await changed.wait()
                    changed.clear()
            finally:
                remove()
            return {}

    def _ready_drone(self) -> DockedDrone:
        if self.drone is None or not self._inside:
            raise SimServiceError(ReasonCode.NO_DRONE, "no drone in the dock")
        if not self.drone.connected:
            raise SimServiceError(ReasonCode.NOT_READY, "drone is not powered on")
        return self.drone

    def snapshot_for_tests(self) -> dict[str, Any]:
        """Internal positions, for assertions in tests."""
        return {"cover_pos": self._cover_pos, "charging": self._charging, "inside": self._inside}


def _airborne(drone: Drone) -> bool:
    pos = drone.position
    return pos is not None and pos.alt_rel_m >= 2.0
