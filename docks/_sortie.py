"""One sortie of a docked drone: prepare, launch, fly to the scene, hold, and come home.

The sequence, with what runs side by side (nothing waits on something it does not need)::

    click ─► PREPARING ┬─ self-check ───────────────────────────────┐
                       ├─ open cover (about 15 s) ──────────────────┤
                       └─ power drone ─► link up ─► upload route ───┴─► LAUNCHING
    LAUNCHING: arm ─► start mission (take-off item) ─► airborne ─► EN_ROUTE (cover closes behind)
    EN_ROUTE ─► on scene ─► ON_SCENE (orbit or hover) ─► recall / battery low / patrol done
    RETURNING ┬─ open the dock's cover ──────────┐
              └─ fly over the landing point ─────┴─► land ─► inside ─► close, power off, charge

Every step has a timeout and a way back:

- a step before take-off fails (self-check, cover, drone power, link, upload, arm): power the
  drone off and close the cover, the dock goes idle (or to fault) and ``LaunchAborted`` says so;
- the drone's link is lost in the air: send it nothing more, open its dock and wait for its own
  failsafe to bring it home (LINK_LOST, recorded);
- its dock cannot take it back (cover will not open, dock offline or in fault): divert to the
  nearest empty dock in range, else to the nearest rally point, else land in place.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from docks._clock import Clock
from docks._dock import Dock
from docks._drone import Drone, LandedState, wait_for_drone
from docks._exceptions import (
    DockError,
    DockTimeout,
    DroneCommandFailed,
    IllegalTransition,
    LaunchAborted,
)
from docks._geo import LatLon, distance_m
from docks._model import AuditRecord, AuditSink, DockState, DoorState, RallyPoint
from docks._preflight import NAV_COMMANDS, DroneProfile, HoldMode
from docks._settings import DockSettings
from docks._ways import Way, WayFinder, straight_ways
from geofence import MissionItem

_log = logging.getLogger("docks.sortie")
T = TypeVar("T")


class SortieState(StrEnum):
    """Where a sortie stands."""

    PREPARING = "preparing"
    LAUNCHING = "launching"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    LINK_LOST = "link_lost"
    LANDED = "landed"
    DIVERTED = "diverted"
    ABORTED = "aborted"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        """True when the sortie is over."""
        return self in (SortieState.LANDED, SortieState.DIVERTED, SortieState.ABORTED, SortieState.FAILED)


@dataclass
class StepRecord:
    """One step of a sortie: when it started and ended (dock seconds) and how it went."""

    name: str
    started_s: float
    ended_s: float | None = None
    outcome: str = "running"

    @property
    def duration_s(self) -> float | None:
        """How long the step took."""
        return None if self.ended_s is None else self.ended_s - self.started_s


@dataclass
class LaunchReport:
    """What happened on a sortie, with the times that matter to a commander."""

    sortie_id: str
    dock_id: str
    drone_id: str
    purpose: str
    clicked_at: datetime
    target: tuple[float, float] | None = None
    click_to_first_command_s: float | None = None
    click_to_airborne_s: float | None = None
    click_to_on_scene_s: float | None = None
    first_command_real_s: float | None = None
    steps: list[StepRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outcome: str = "in progress"
    landed_at: str | None = None


@dataclass(frozen=True)
class Crew:
    """What a sortie works with: the clock, settings, every dock, rally points, audit, tasks."""

    clock: Clock
    settings: DockSettings
    docks: Mapping[str, Dock]
    rally_points: Sequence[RallyPoint]
    profile_for: Callable[[Dock], DroneProfile]
    audit: AuditSink | None
    spawn: Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]]
    real_time: Callable[[], float]
    way_finder: WayFinder | None = None
    """Ways to divert places (around no-fly zones); diverts prefer a place reached without a
    breach. None: straight lines, unchecked."""


@dataclass(frozen=True)
class SortieOrder:
    """What a sortie is asked to do: its route, why, when the click was, where to hold."""

    route: Sequence[MissionItem]
    purpose: str
    click_s: float
    click_real_s: float
    target: tuple[float, float] | None = None
    hold: HoldMode | None = None
    via: tuple[tuple[float, float], ...] = ()
    """Corners of the way out around no-fly zones; the way home passes them in reverse."""


class _LinkLost(Exception):
    """The drone's link dropped while the sortie waited on it."""


class _LandedOutside(Exception):
    """The drone touched down but the dock does not see it inside."""


class Sortie:
    """A drone out of its dock: follow it with ``wait_airborne``/``wait_on_scene``, end it with
    ``recover``; the report keeps every step and the click-to-airborne and -on-scene times."""

    def __init__(
        self,
        crew: Crew,
        dock: Dock,
        drone: Drone,
        order: SortieOrder,
        *,
        sortie_id: str,
    ) -> None:
        self.crew = crew
        self.dock = dock
        self.drone = drone
        self.route = list(order.route)
        self.hold = order.hold
        self._via = order.via
        self.state = SortieState.PREPARING
        self._clock = crew.clock
        self._s = crew.settings.launch
        self._click_s = order.click_s
        self._click_real_s = order.click_real_s
        self.report = LaunchReport(
            sortie_id=sortie_id, dock_id=dock.dock_id, drone_id=drone.drone_id,
            purpose=order.purpose, clicked_at=crew.clock.now(), target=order.target,
        )
        loop = asyncio.get_running_loop()
        self._airborne: asyncio.Future[None] = loop.create_future()
        self._on_scene: asyncio.Future[None] = loop.create_future()
        self._done: asyncio.Future[LaunchReport] = loop.create_future()
        self._recall: str | None = None
        self._wakers: set[asyncio.Event] = set()
        self._removers = [drone.add_listener(self._wake)]
        self._watched: set[str] = set()
        self._close_behind: asyncio.Task[None] | None = None
        self._watch_dock(dock)

    # -- following a sortie -----------------------------------------------------------------

    @property
    def sortie_id(self) -> str:
        """The sortie's id."""
        return self.report.sortie_id

    async def wait_airborne(self) -> None:
        """Return once the drone is airborne; raise ``LaunchAborted`` if it never was."""
        await asyncio.shield(self._airborne)

    async def wait_on_scene(self) -> None:
        """Return once the drone is over the scene, or the sortie went another way (see state)."""
        await asyncio.shield(self._on_scene)

    async def finished(self) -> LaunchReport:
        """Wait for the end of the sortie and return its report."""
        return await asyncio.shield(self._done)

    async def recover(self, reason: str = "recalled") -> LaunchReport:
        """Bring the drone home (or divert it) and wait until it is stowed."""
        if self._recall is None:
            self._recall = reason
        self._wake()
        return await self.finished()

    # -- the sequence ---------------------------------------------------------------------------

    async def run(self) -> None:
        """The whole sortie (run as a task by the launcher; never raises but cancellation)."""
        try:
            try:
                await self._prepare()
                await self._take_off()
            except LaunchAborted as exc:
                self._finish(SortieState.ABORTED, f"aborted at {exc.step}: {exc.way_back}", exc)
                return
            _resolve(self._airborne)
            try:
                reason = await self._transit_and_hold()
                if reason is None:
                    await self._failsafe_return()
                else:
                    await self._recover(reason)
            except _LinkLost:
                await self._failsafe_return()
            except _LandedOutside as exc:
                self._finish(SortieState.FAILED, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must end this sortie only, never the fleet
            _log.exception("sortie %s failed", self.sortie_id)
            self._finish(SortieState.FAILED, f"failed: {exc}", exc)
        finally:
            if not self._done.done():
                self._finish(SortieState.FAILED, "stopped")

    async def _prepare(self) -> None:
        self._transition(self.dock.begin_launch, f"{self.report.purpose}: sortie {self.sortie_id}")
        results = await asyncio.gather(
            self._step("self_check", self.dock.self_check(), command=True),
            self._step("cover_open", self.dock.open_cover(), command=True),
            self._ready_drone(),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result
        failures = [r for r in results if isinstance(r, Exception)]
        if failures:
            await self._abort_on_ground(self._failed_step(), failures[0])

    async def _ready_drone(self) -> None:
        drone = self.drone
        await self._step("drone_power_on", self.dock.power_drone(True), command=True)
        await self._step(
            "drone_link",
            wait_for_drone(
                drone, lambda d: d.connected, clock=self._clock,
                timeout_s=self._s.link_up_s, what="link up",
            ),
        )
        upload = self._command("upload_route", drone.upload_route(self.route), items=len(self.route))
        await self._step("upload_route", upload, self._s.upload_s, command=True)

    async def _take_off(self) -> None:
        drone = self.drone
        if not self._transition(self.dock.launching, "cover open, drone ready"):
            await self._abort_on_ground("launching", DockError(f"dock {self.dock.state.value}"))
        self.state = SortieState.LAUNCHING
        try:
            await self._step("arm", self._command("arm", drone.arm()), self._s.arm_s, command=True)
            start = self._command("start_mission", drone.start_mission())
            await self._step("takeoff", start, self._s.arm_s, command=True)
            await self._step(
                "airborne",
                self._until(self._is_airborne, timeout_s=self._s.airborne_s, what="airborne",
                            watch_link=False),
            )
        except DockError as exc:
            if not self._is_airborne() and drone.landed_state is LandedState.ON_GROUND:
                await self._abort_on_ground(self._failed_step(), exc)
            self._note(f"take-off incomplete ({exc}) but the drone is in the air: recovering")
            self._recall = self._recall or "take-off incomplete"
        self.report.click_to_airborne_s = self._clock.monotonic() - self._click_s
        self._transition(self.dock.drone_out, "drone airborne")
        self.state = SortieState.EN_ROUTE
        self._close_behind = self.crew.spawn(
            self._close_cover_behind(), f"sortie-{self.sortie_id}-close-cover"
        )

    async def _close_cover_behind(self) -> None:
        try:
            await self._step("cover_close_behind", self.dock.close_cover(), command=True)
        except DockError as exc:  # the sortie goes on; recovery opens it again anyway
            self._note(f"cover did not close behind the drone: {exc}")

    async def _transit_and_hold(self) -> str | None:
        """Fly to the scene and hold; return why to come back (None: the link was lost)."""
        if self._recall is not None:
            return self._recall
        arrived = self._arrival_check()
        profile = self.crew.profile_for(self.dock)
        path_m = self._route_length_m()
        transit_s = profile.flight_time_s(path_m, self._s.cruise_alt_m) + self._s.transit_margin_s
        try:
            await self._step(
                "transit",
                self._until(lambda: arrived() or self._recall is not None, timeout_s=transit_s,
                            what="on scene"),
            )
        except DockTimeout as exc:
            _resolve(self._on_scene)
            return f"not on scene in time ({exc})"
        if self._recall is not None:
            _resolve(self._on_scene)
            return self._recall
        self.report.click_to_on_scene_s = self._clock.monotonic() - self._click_s
        self.state = SortieState.ON_SCENE
        _resolve(self._on_scene)
        if self.hold is None:
            return "patrol route complete"
        target = self.report.target
        if self.hold is HoldMode.ORBIT and target is not None:
            orbit = self._command(
                "orbit", self.drone.orbit(target[0], target[1], self._s.orbit_radius_m,
                                          self._s.cruise_alt_m),
            )
            try:
                await self._step("orbit", orbit, self._s.arm_s, command=True)
            except DockError as exc:
                self._note(f"orbit refused, hovering instead: {exc}")
        await self._until(lambda: self._recall is not None or self._battery_low(), timeout_s=None,
                          what="hold")
        return self._recall or "battery low"

    async def _recover(self, reason: str) -> None:
        self.state = SortieState.RETURNING
        self._note(f"recovering: {reason}")
        home = self.dock
        if self._close_behind is not None:
            await asyncio.gather(self._close_behind, return_exceptions=True)
        why = self._cannot_receive(home)
        if why is None:
            why = await self._land_in(home, tuple(reversed(self._via)))
            if why is None:
                self._finish(SortieState.LANDED, f"landed in dock {home.dock_id}")
                return
        await self._divert(why)

    async def _land_in(self, dock: Dock, via: Sequence[LatLon] = ()) -> str | None:
        """Bring the drone down inside ``dock``, first over the corners ``via``; None when it
        is in, else why it could not."""
        drone = self.drone
        if dock is not self.dock:
            dock.sortie = self
            self._watch_dock(dock)
        if dock.state is not DockState.AWAITING_RETURN and not self._transition(
            dock.await_return, f"receiving drone {drone.drone_id}"
        ):
            return f"dock {dock.dock_id} is {dock.state.value}"
        lat, lon = dock.info.landing_point
        cover = asyncio.create_task(
            self._step(f"cover_open:{dock.dock_id}", dock.open_cover(), command=True),
            name=f"sortie-{self.sortie_id}-cover-{dock.dock_id}",
        )
        try:
            await self._fly_corners(via)
            goto = self._command("goto", drone.goto(lat, lon, self._s.cruise_alt_m), lat=lat, lon=lon)
            await self._step(f"fly_to:{dock.dock_id}", goto, self._s.arm_s, command=True)
            over = self._near(lat, lon, self._s.arrival_radius_m)
            try:
                await self._step(
                    f"over:{dock.dock_id}",
                    self._until(over, timeout_s=self._leg_s(lat, lon), what=f"over dock {dock.dock_id}"),
                )
            except DockTimeout as exc:
                # slower than planned (a headwind) but still heard and still coming: keep the
                # cover open for it, up to the failsafe limit (a lost link ends this wait)
                self._note(f"{exc}; still on its way, waiting up to {self._s.failsafe_return_s:.0f} s")
                await self._step(
                    f"over_late:{dock.dock_id}",
                    self._until(over, timeout_s=self._s.failsafe_return_s,
                                what=f"over dock {dock.dock_id} (late)"),
                )
        finally:
            await asyncio.gather(cover, return_exceptions=True)
        if (stuck := cover.exception()) is not None:
            self._transition(dock.closing, f"cover would not open for landing: {stuck}")
            self._transition(dock.fault, f"cover failed while receiving a drone: {stuck}")
            if dock is not self.dock:
                dock.sortie = None
            return f"cover of dock {dock.dock_id} would not open: {stuck}"
        self._transition(dock.landing, "cover open, drone overhead")
        await self._step("land", self._command("land", drone.land()), self._s.arm_s, command=True)
        await self._step(
            f"touchdown:{dock.dock_id}",
            self._until(lambda: drone.landed_state is LandedState.ON_GROUND,
                        timeout_s=self._s.land_s, what="touchdown", watch_link=False),
        )
        try:
            await self._step(
                f"inside:{dock.dock_id}",
                self._until(lambda: _inside(dock), timeout_s=self._s.presence_confirm_s,
                            what="drone inside", watch_link=False),
            )
        except DockTimeout:
            self._transition(dock.fault, "drone landed but the dock does not see it inside")
            raise _LandedOutside(
                f"drone {drone.drone_id} touched down at dock {dock.dock_id} but not inside: "
                "a person must recover it"
            ) from None
        await self._stow(dock)
        return None

    async def _fly_corners(self, via: Sequence[LatLon]) -> None:
        """Fly over the corners of a path around no-fly zones, in order."""
        for n, (lat, lon) in enumerate(via):
            await self._fly_over(f"corner:{n}", lat, lon, self._s.corner_radius_m)

    async def _fly_over(self, place: str, lat: float, lon: float, radius_m: float) -> None:
        """Go to a point at cruise altitude and wait until within ``radius_m`` of it (steps
        ``fly_to:<place>`` and ``over:<place>``)."""
        goto = self._command("goto", self.drone.goto(lat, lon, self._s.cruise_alt_m), lat=lat, lon=lon)
        await self._step(f"fly_to:{place}", goto, self._s.arm_s, command=True)
        await self._step(
            f"over:{place}",
            self._until(self._near(lat, lon, radius_m), timeout_s=self._leg_s(lat, lon),
                        what=f"over {place}"),
        )

    async def _stow(self, dock: Dock) -> None:
        """Close the cover over the drone, power it off and charge it; the dock goes idle."""
        self._transition(dock.closing, "drone inside")
        results = await asyncio.gather(
            self._step(f"cover_close:{dock.dock_id}", dock.close_cover(), command=True),
            self._step(f"drone_power_off:{dock.dock_id}", dock.power_drone(False), command=True),
            return_exceptions=True,
        )
        problems = [str(r) for r in results if isinstance(r, Exception)]
        if not problems:
            try:
                await self._step(f"charge:{dock.dock_id}", dock.start_charging(), command=True)
            except DockError as exc:
                problems.append(str(exc))
        if dock is not self.dock:
            self.dock.drone = None
            dock.drone = self.drone
        dock.sortie = None
        self.report.landed_at = f"dock:{dock.dock_id}"
        if problems:
            self._transition(dock.fault, f"drone inside but stowing failed: {problems}")
        else:
            self._transition(dock.settle, "drone inside, charging")

    async def _divert(self, why: str) -> None:
        home = self.dock
        self._note(f"cannot land in dock {home.dock_id}: {why}; diverting")
        if home.state is DockState.DRONE_OUT:
            self._transition(home.drone_gone, "drone diverted elsewhere")
        tried: set[str] = set()
        # ways are planned again after each refusal: they start where the drone now is
        while choice := next(((d, w) for d, w in self._divert_docks() if d.dock_id not in tried),
                             None):
            dock, way = choice
            tried.add(dock.dock_id)
            refusal = await self._land_in(dock, way.via)
            if refusal is None:
                self._finish(SortieState.DIVERTED, f"diverted to dock {dock.dock_id}")
                return
            self._note(refusal)
        rally, way = self._nearest_rally()
        drone = self.drone
        if rally is not None:
            await self._fly_corners(way.via)
            await self._fly_over(f"rally:{rally.name}", rally.lat_deg, rally.lon_deg,
                                 self._s.arrival_radius_m)
        await self._step("land", self._command("land", drone.land()), self._s.arm_s, command=True)
        await self._step(
            "touchdown",
            self._until(lambda: drone.landed_state is LandedState.ON_GROUND,
                        timeout_s=self._s.land_s, what="touchdown", watch_link=False),
        )
        if home.drone is drone:
            home.drone = None
        if rally is not None:
            self.report.landed_at = f"rally:{rally.name}"
            self._finish(SortieState.DIVERTED, f"landed at rally point {rally.name}")
        else:
            self.report.landed_at = "in place"
            self._finish(SortieState.FAILED, "no dock or rally point in range: landed in place")

    async def _failsafe_return(self) -> None:
        self.state = SortieState.LINK_LOST
        pos = self.drone.position
        where = f"({pos.lat_deg:.6f}, {pos.lon_deg:.6f}, {pos.alt_rel_m:.0f} m)" if pos else "unknown"
        self._note(f"link lost near {where}; leaving the drone's own failsafe to bring it home")
        home = self.dock
        why = self._cannot_receive(home)
        if why is not None:
            self._finish(SortieState.FAILED, f"link lost and home dock unavailable ({why})")
            return
        if self._close_behind is not None:
            await asyncio.gather(self._close_behind, return_exceptions=True)
        if home.state in (DockState.DRONE_OUT, DockState.IDLE_EMPTY):
            self._transition(home.await_return, "link lost: failsafe return expected")
        try:
            await self._step(f"cover_open:{home.dock_id}", home.open_cover(), command=True)
            await self._step(
                "failsafe_return",
                self._until(lambda: _inside(home), timeout_s=self._s.failsafe_return_s,
                            what="failsafe return", watch_link=False),
            )
        except DockTimeout:
            self._transition(home.closing, "drone did not come back")
            await asyncio.gather(self._step("cover_close", home.close_cover(), command=True),
                                 return_exceptions=True)
            self._transition(home.settle, "drone did not come back")
            self._finish(SortieState.FAILED, "link lost and the drone did not come back")
            return
        except DockError as exc:
            self._transition(home.fault, f"cover failed for a failsafe return: {exc}")
            self._finish(SortieState.FAILED, f"link lost and dock cover failed: {exc}")
            return
        self._transition(home.landing, "drone back under its failsafe")
        await self._stow(home)
        self._finish(SortieState.LANDED, "returned under its own failsafe after link loss")

    # -- ways back and helpers --------------------------------------------------------------------

    async def _abort_on_ground(self, step: str, cause: BaseException) -> None:
        dock = self.dock
        self._transition(dock.closing, f"launch aborted: {step} failed")
        readings = dock.readings
        jobs: list[Awaitable[Any]] = []
        power_sent = any(s.name == "drone_power_on" for s in self.report.steps)
        if power_sent or self.drone.connected or (readings is not None and readings.drone_powered):
            jobs.append(self._step("abort:drone_power_off", dock.power_drone(False), command=True))
        if readings is None or readings.door is not DoorState.CLOSED:
            jobs.append(self._step("abort:cover_close", dock.close_cover(), command=True))
        results = await asyncio.gather(*jobs, return_exceptions=True)
        problems = [str(r) for r in results if isinstance(r, Exception)]
        readings = dock.readings
        if problems or (readings is not None and readings.door is DoorState.FAULT):
            detail = "; ".join(problems) or "cover reports a fault"
            self._transition(dock.fault, f"way back incomplete after {step}: {detail}")
            way_back = f"drone not armed; dock left in fault ({detail})"
        else:
            self._transition(dock.settle, f"launch aborted at {step}")
            way_back = "drone not armed; cover closed, drone powered off, dock idle"
        raise LaunchAborted(
            f"launch from dock {dock.dock_id} aborted at {step}: {cause}",
            dock_id=dock.dock_id, step=step, way_back=way_back, cause=cause,
        )

    async def _step(
        self, name: str, awaitable: Awaitable[T], timeout_s: float | None = None, *, command: bool = False
    ) -> T:
        record = StepRecord(name, self._clock.monotonic())
        if command and self.report.click_to_first_command_s is None:
            self.report.click_to_first_command_s = record.started_s - self._click_s
            self.report.first_command_real_s = self.crew.real_time() - self._click_real_s
        self.report.steps.append(record)
        try:
            async with self._clock.timeout(timeout_s):
                result = await awaitable
        except TimeoutError:
            record.ended_s, record.outcome = self._clock.monotonic(), "timeout"
            raise DockTimeout(f"{name} took longer than {timeout_s} s", dock_id=self.dock.dock_id) from None
        except BaseException as exc:
            record.ended_s, record.outcome = self._clock.monotonic(), f"failed: {exc}"
            raise
        record.ended_s, record.outcome = self._clock.monotonic(), "ok"
        return result

    async def _command(self, command: str, call: Awaitable[None], **params: Any) -> None:
        """A drone command with its audit record."""
        target = f"drone:{self.drone.drone_id}"
        try:
            await call
        except Exception as exc:
            self._audit(target, command, params, f"failed: {exc}")
            raise DroneCommandFailed(
                f"drone {self.drone.drone_id} {command}: {exc}", dock_id=self.dock.dock_id
            ) from exc
        self._audit(target, command, params, "ok")

    def _audit(self, target: str, command: str, params: dict[str, Any], outcome: str) -> None:
        if self.crew.audit is not None:
            self.crew.audit(AuditRecord(self._clock.now(), target, command, params, outcome))

    async def _until(
        self, predicate: Callable[[], bool], *, timeout_s: float | None, what: str, watch_link: bool = True
    ) -> None:
        """Wait until ``predicate()``, woken by the drone, watched docks and recalls (no polling)."""
        event = asyncio.Event()
        self._wakers.add(event)
        try:
            async with self._clock.timeout(timeout_s):
                while True:
                    event.clear()
                    if watch_link and not self.drone.connected:
                        raise _LinkLost(what)
                    if predicate():
                        return
                    await event.wait()
        except TimeoutError:
            raise DockTimeout(f"{what}: not within {timeout_s} s", dock_id=self.dock.dock_id) from None
        finally:
            self._wakers.discard(event)

    def _wake(self, _event: object = None) -> None:
        for event in self._wakers:
            event.set()

    def _watch_dock(self, dock: Dock) -> None:
        if dock.dock_id not in self._watched:
            self._watched.add(dock.dock_id)
            self._removers.append(dock.add_listener(self._wake))

    def _transition(self, move: Callable[[str], None], reason: str) -> bool:
        """Apply a dock phase change; if the dock has moved on its own (fault, offline), note it."""
        try:
            move(reason)
        except IllegalTransition as exc:
            self._note(f"dock state not changed: {exc}")
            return False
        return True

    def _note(self, text: str) -> None:
        elapsed = self._clock.monotonic() - self._click_s
        self.report.notes.append(f"{elapsed:.1f} s: {text}")
        _log.info("sortie %s: %s", self.sortie_id, text)

    def _finish(self, state: SortieState, outcome: str, exc: BaseException | None = None) -> None:
        if self._done.done():
            return
        self.state = state
        self.report.outcome = outcome
        self._note(outcome)
        if self.dock.sortie is self:
            self.dock.sortie = None
        for remove in self._removers:
            remove()
        for fut in (self._airborne, self._on_scene):
            if not fut.done():
                if exc is not None and fut is self._airborne:
                    fut.set_exception(exc)
                    fut.exception()
                else:
                    fut.set_result(None)
        self._done.set_result(self.report)

    def _failed_step(self) -> str:
        failed = [s.name for s in self.report.steps if s.outcome != "ok" and s.outcome != "running"]
        return failed[0] if failed else "preparing"

    def _is_airborne(self) -> bool:
        pos = self.drone.position
        return pos is not None and pos.alt_rel_m >= self._s.airborne_alt_m

    def _near(self, lat: float, lon: float, radius_m: float) -> Callable[[], bool]:
        def check() -> bool:
            pos = self.drone.position
            return pos is not None and distance_m(pos.lat_deg, pos.lon_deg, lat, lon) <= radius_m

        return check

    def _arrival_check(self) -> Callable[[], bool]:
        target = self.report.target
        if target is not None:
            return self._near(target[0], target[1], self._s.on_scene_radius_m)
        points = [(i.lat_deg, i.lon_deg) for i in self.route if i.command in NAV_COMMANDS and (i.x or i.y)]
        progress = {"next": 0}

        def patrol_done() -> bool:
            while progress["next"] < len(points):
                lat, lon = points[progress["next"]]
                if not self._near(lat, lon, self._s.on_scene_radius_m)():
                    return False
                progress["next"] += 1
            return True

        return patrol_done

    def _route_length_m(self) -> float:
        here = self.dock.info.landing_point
        total = 0.0
        for item in self.route:
            if item.command in NAV_COMMANDS and (item.x or item.y):
                total += distance_m(here[0], here[1], item.lat_deg, item.lon_deg)
                here = (item.lat_deg, item.lon_deg)
        return total

    def _leg_s(self, lat: float, lon: float) -> float:
        pos = self.drone.position
        dist = distance_m(pos.lat_deg, pos.lon_deg, lat, lon) if pos else 0.0
        profile = self.crew.profile_for(self.dock)
        return profile.flight_time_s(dist, self._s.cruise_alt_m) + self._s.transit_margin_s

    def _range_m(self, reserve_share: float) -> float:
        battery = self.drone.battery_pct or 0.0
        profile = self.crew.profile_for(self.dock)
        usable = max(0.0, battery - self._s.reserve_pct * reserve_share)
        return usable / 100.0 * profile.endurance_s * profile.cruise_speed_mps

    def _battery_low(self) -> bool:
        pos = self.drone.position
        battery = self.drone.battery_pct
        if pos is None or battery is None:
            return False
        lat, lon = self.dock.info.landing_point
        profile = self.crew.profile_for(self.dock)
        back_s = profile.flight_time_s(distance_m(pos.lat_deg, pos.lon_deg, lat, lon), pos.alt_rel_m)
        return battery <= profile.battery_pct_for(back_s) + self._s.reserve_pct

    def _cannot_receive(self, dock: Dock) -> str | None:
        if not dock.online:
            return f"dock {dock.dock_id} offline"
        if dock.state in (DockState.FAULT, DockState.MAINTENANCE, DockState.OFFLINE):
            return f"dock {dock.dock_id} in {dock.state.value}"
        if dock.sortie is not None and dock.sortie is not self:
            return f"dock {dock.dock_id} busy"
        return None

    def _divert_docks(self) -> list[tuple[Dock, Way]]:
        """Empty docks in range that can take the drone, with the way to each: reached without
        a zone breach first, then shortest way first."""
        places = [(dock, *dock.info.landing_point) for dock in self.crew.docks.values()
                  if dock is not self.dock and self._cannot_receive(dock) is None
                  and dock.state is DockState.IDLE_EMPTY]
        return self._in_divert_order(places)

    def _nearest_rally(self) -> tuple[RallyPoint | None, Way]:
        """The rally point in range to divert to (zone-free way first, then shortest), with
        its way."""
        ranked = self._in_divert_order([(r, r.lat_deg, r.lon_deg) for r in self.crew.rally_points])
        return ranked[0] if ranked else (None, Way(0.0))

    def _in_divert_order(self, places: list[tuple[T, float, float]]) -> list[tuple[T, Way]]:
        """Places whose way from here is within half the remaining range: ways that break no
        zone before the others, each group shortest first; a chosen way that does break one
        is noted."""
        pos = self.drone.position
        if pos is None or not places:
            return []
        reach_m = self._range_m(reserve_share=0.5)
        home = self.dock.info.alt_m
        here, targets = (pos.lat_deg, pos.lon_deg), [(lat, lon) for _p, lat, lon in places]
        cruise_amsl = home + self._s.cruise_alt_m
        try:
            ways = list((self.crew.way_finder or straight_ways())(here, targets, cruise_amsl, home))
            if len(ways) != len(targets):
                raise ValueError(f"{len(ways)} ways for {len(targets)} places")
        except Exception as exc:  # noqa: BLE001 - a planner fault must not keep the drone from landing
            self._note(f"way planning failed ({exc}); straight lines, zones unchecked")
            ways = list(straight_ways()(here, targets, cruise_amsl, home))
        options = sorted(
            ((bool(way.crossed), way.length_m, order, place, way)
             for order, ((place, _lat, _lon), way) in enumerate(zip(places, ways, strict=True))
             if way.length_m <= reach_m),
            key=lambda o: o[:3])
        if options and options[0][0]:
            self._note(f"no zone-free way to divert to: nearest crosses {'; '.join(options[0][4].crossed)}")
        return [(o[3], o[4]) for o in options]


def _inside(dock: Dock) -> bool:
    readings = dock.readings
    return readings is not None and readings.drone_present


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
