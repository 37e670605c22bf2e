"""The station's model of one dock: its state machine over a driver, audit and events."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from docks._clock import Clock
from docks._driver import DockDriver, ServiceResult
from docks._drone import Drone
from docks._exceptions import DockError, DockUnavailable, IllegalTransition
from docks._model import (
    TRANSITIONS,
    AuditRecord,
    AuditSink,
    DockEvent,
    DockInfo,
    DockReadings,
    DockState,
    Listeners,
    OnlineChanged,
    ReadingsChanged,
    StateChanged,
    Transition,
)
from docks._services import DockService
from docks._settings import DockSettings

_log = logging.getLogger("docks")

TRANSITION_HISTORY = 1000


class Dock:
    """One dock as the station sees it: ``state`` changes only through ``_set_state``.

    The dock follows its driver on its own (offline on last-will, fault on emergency stop,
    idle charging/ready/empty from readings); the launch sequence moves it through the
    sortie states with the phase methods (``begin_launch`` ... ``settle``).
    """

    def __init__(
        self,
        info: DockInfo,
        driver: DockDriver,
        *,
        clock: Clock,
        settings: DockSettings | None = None,
        drone: Drone | None = None,
        audit: AuditSink | None = None,
    ) -> None:
        self.info = info
        self.driver = driver
        self.drone = drone
        self.settings = settings or DockSettings()
        self._clock = clock
        self._audit = audit
        self._state = DockState.OFFLINE
        self._since_s = clock.monotonic()
        self.transitions: deque[Transition] = deque(maxlen=TRANSITION_HISTORY)
        self._listeners: Listeners[DockEvent] = Listeners()
        self.sortie: object | None = None
        self._remove_driver_listener = driver.add_listener(self._on_driver_event)
        if driver.online and driver.readings is not None:
            self._follow_readings(driver.readings, "dock online")

    # -- reading the dock ------------------------------------------------------------------

    @property
    def dock_id(self) -> str:
        """The dock's id."""
        return self.info.dock_id

    @property
    def state(self) -> DockState:
        """The current state."""
        return self._state

    @property
    def readings(self) -> DockReadings | None:
        """Latest readings from the driver."""
        return self.driver.readings

    @property
    def online(self) -> bool:
        """True while the driver reaches the dock."""
        return self.driver.online

    @property
    def busy(self) -> bool:
        """True while a sortie holds this dock."""
        return self.sortie is not None

    def add_listener(self, callback: Callable[[DockEvent], None]) -> Callable[[], None]:
        """Call ``callback`` with state changes and the driver's events; returns its remover."""
        return self._listeners.add(callback)

    # -- the one transition method ----------------------------------------------------------

    def _set_state(self, new: DockState, reason: str) -> Transition:
        """Move to ``new`` if the table allows it; record, log and emit the transition."""
        old = self._state
        if new not in TRANSITIONS[old]:
            raise IllegalTransition(
                f"dock {self.dock_id}: {old.value} -> {new.value} is not allowed ({reason})",
                dock_id=self.dock_id,
                old=old,
                new=new,
            )
        now_s = self._clock.monotonic()
        record = Transition(
            dock_id=self.dock_id,
            old=old,
            new=new,
            at=self._clock.now(),
            t_s=now_s,
            duration_s=now_s - self._since_s,
            reason=reason,
        )
        self._state = new
        self._since_s = now_s
        self.transitions.append(record)
        _log.info("dock %s: %s -> %s (%s)", self.dock_id, old.value, new.value, reason)
        self._listeners.emit(StateChanged(self.dock_id, record))
        return record

    # -- phases of a sortie (each one legal move) --------------------------------------------

    def begin_launch(self, reason: str) -> None:
        """Idle -> preparing (self-check, cover, drone power)."""
        self._set_state(DockState.PREPARING, reason)

    def launching(self, reason: str) -> None:
        """Preparing -> launching (arm, take off)."""
        self._set_state(DockState.LAUNCHING, reason)

    def drone_out(self, reason: str) -> None:
        """Launching -> drone out."""
        self._set_state(DockState.DRONE_OUT, reason)

    def await_return(self, reason: str) -> None:
        """Drone out (or empty, for a diverted drone) -> awaiting return."""
        self._set_state(DockState.AWAITING_RETURN, reason)

    def landing(self, reason: str) -> None:
        """Awaiting return -> landing."""
        self._set_state(DockState.LANDING, reason)

    def closing(self, reason: str) -> None:
        """Any closing phase (after landing, abort or divert)."""
        if self._state is not DockState.CLOSING:
            self._set_state(DockState.CLOSING, reason)

    def drone_gone(self, reason: str) -> None:
        """Drone out -> idle empty (the drone landed elsewhere or is lost)."""
        self._set_state(DockState.IDLE_EMPTY, reason)

    def fault(self, reason: str) -> None:
        """Any state -> fault."""
        if self._state not in (DockState.FAULT, DockState.OFFLINE):
            self._set_state(DockState.FAULT, reason)

    def settle(self, reason: str) -> None:
        """Move to the idle state the readings call for (charging, ready or empty)."""
        readings = self.readings
        target = self.idle_state_for(readings) if readings else DockState.IDLE_EMPTY
        if target is not self._state:
            self._set_state(target, reason)

    def set_maintenance(self, on: bool, reason: str) -> None:
        """Take the dock out of service, or put it back."""
        if on:
            self._set_state(DockState.MAINTENANCE, reason)
        elif self._state is DockState.MAINTENANCE:
            self.settle(reason)

    def idle_state_for(self, readings: DockReadings) -> DockState:
        """Which idle state the readings describe."""
        if not readings.drone_present:
            return DockState.IDLE_EMPTY
        battery = readings.drone_battery_pct
        if battery is not None and battery >= self.settings.launch.ready_battery_pct:
            return DockState.IDLE_READY
        return DockState.IDLE_CHARGING

    # -- following the driver ----------------------------------------------------------------

    def _on_driver_event(self, event: DockEvent) -> None:
        if isinstance(event, OnlineChanged):
            if not event.online and self._state is not DockState.OFFLINE:
                self._set_state(DockState.OFFLINE, "dock offline")
            elif event.online and self.readings is not None:
                self._follow_readings(self.readings, "dock online")
        elif isinstance(event, ReadingsChanged):
            self._follow_readings(event.readings, "readings")
        self._listeners.emit(event)

    def _follow_readings(self, readings: DockReadings, reason: str) -> None:
        if readings.emergency_stop:
            if self._state is DockState.OFFLINE and self.driver.online:
                self._set_state(DockState.FAULT, "emergency stop pressed")
            else:
                self.fault("emergency stop pressed")
            return
        if self._state is DockState.OFFLINE and self.driver.online:
            self._set_state(self.idle_state_for(readings), reason)
        elif self._state.idle and not self.busy:
            target = self.idle_state_for(readings)
            if target is not self._state:
                self._set_state(target, reason)

    # -- services ----------------------------------------------------------------------------

    async def call(
        self,
        service: DockService,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> ServiceResult:
        """Run a service to completion, with its default timeout, leaving an audit record."""
        if not self.driver.online:
            self._record(service, params, "refused: offline", None)
            raise DockUnavailable(f"dock {self.dock_id} is offline", dock_id=self.dock_id)
        limit = timeout_s if timeout_s is not None else self.settings.services.for_service(service)
        try:
            result = await self.driver.execute(service, params, timeout_s=limit)
        except DockError as exc:
            self._record(service, params, f"failed: {exc}", exc.tid)
            raise
        self._record(service, params, "ok", result.tid)
        return result

    def _record(
        self, service: DockService, params: Mapping[str, Any] | None, outcome: str, tid: str | None
    ) -> None:
        if self._audit is not None:
            self._audit(
                AuditRecord(
                    at=self._clock.now(),
                    target=f"dock:{self.dock_id}",
                    command=service.value,
                    params=dict(params or {}),
                    outcome=outcome,
                    tid=tid,
                )
            )

    async def self_check(self) -> ServiceResult:
        """Run the dock's self-check."""
        return await self.call(DockService.SELF_CHECK)

    async def open_cover(self) -> ServiceResult:
        """Open the cover (door)."""
        return await self.call(DockService.COVER_OPEN)

    async def close_cover(self) -> ServiceResult:
        """Close the cover (door)."""
        return await self.call(DockService.COVER_CLOSE)

    async def start_charging(self) -> ServiceResult:
        """Start charging the drone."""
        return await self.call(DockService.CHARGE_OPEN)

    async def stop_charging(self) -> ServiceResult:
        """Stop charging the drone."""
        return await self.call(DockService.CHARGE_CLOSE)

    async def power_drone(self, on: bool) -> ServiceResult:
        """Power the drone in the dock on or off."""
        return await self.call(DockService.DRONE_OPEN if on else DockService.DRONE_CLOSE)

    async def reboot(self) -> ServiceResult:
        """Reboot the dock."""
        return await self.call(DockService.DEVICE_REBOOT)

    async def emergency_stop(self) -> ServiceResult:
        """Stop every moving part of the dock now."""
        return await self.call(DockService.EMERGENCY_STOP)

    async def takeoff_to_point(self, lat_deg: float, lon_deg: float, alt_m: float) -> ServiceResult:
        """Ask the dock to fly its drone to a point (docks that fly their drone themselves)."""
        params = {"target_latitude": lat_deg, "target_longitude": lon_deg, "target_height": alt_m}
        return await self.call(DockService.TAKEOFF_TO_POINT, params)

    async def return_home(self) -> ServiceResult:
        """Ask the dock to bring its drone home and land it inside."""
        return await self.call(DockService.RETURN_HOME)

    async def aclose(self) -> None:
        """Stop following the driver."""
        self._remove_driver_listener()
