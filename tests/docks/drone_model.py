"""A behavioural multirotor for dock tests: kinematics, battery, link and failsafe.

It implements ``docks.Drone`` (and the simulator's ``DockedDrone`` hooks) with real motion on
the injected clock: it climbs, cruises, circles, flies mission items, returns and lands; it
drains its battery in the air; it is heard only while powered and while its link is up; and
when the link is lost in the air it returns home on its own after ``failsafe_delay_s``. Commands
it cannot carry out raise ``DroneRefused``, as a real autopilot's NACK would.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Self

from docks._clock import Clock
from docks._drone import DronePosition, LandedState
from docks._geo import EARTH_RADIUS_M, distance_m, offset
from docks._tasks import cancel_and_wait
from geofence import MavCmd, MissionItem


class DroneRefused(RuntimeError):
    """The drone refused a command."""


@dataclass
class _Leg:
    kind: str  # climb | fly | hold | orbit | land
    lat: float = 0.0
    lon: float = 0.0
    alt: float = 0.0
    radius: float = 0.0
    hold_s: float | None = None


class ModelDrone:
    """A kinematic drone on an injected clock (use ``async with`` to run its motion)."""

    def __init__(
        self,
        drone_id: str,
        *,
        clock: Clock,
        home: tuple[float, float],
        battery_pct: float = 100.0,
        powered: bool = False,
        cruise_speed_mps: float = 15.0,
        climb_mps: float = 5.0,
        descent_mps: float = 3.0,
        drain_pct_per_s: float = 100.0 / 1800.0,
        rtl_alt_m: float = 40.0,
        failsafe_delay_s: float = 3.0,
        tick_s: float = 0.5,
    ) -> None:
        self._id = drone_id
        self.clock = clock
        self.home = home
        self.lat, self.lon = home
        self.alt = 0.0
        self.battery = battery_pct
        self.powered = powered
        self.link_up = True
        self._armed = False
        self._mode = "STABILIZE"
        self._landed = LandedState.ON_GROUND
        self.cruise_speed_mps = cruise_speed_mps
        self.climb_mps = climb_mps
        self.descent_mps = descent_mps
        self.drain_pct_per_s = drain_pct_per_s
        self.rtl_alt_m = rtl_alt_m
        self.failsafe_delay_s = failsafe_delay_s
        self.tick_s = tick_s
        self.route: list[MissionItem] = []
        self.refuse: set[str] = set()
        self.commands: list[str] = []
        self._legs: list[_Leg] = []
        self._listeners: list[Callable[[], None]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._link_lost_at: float | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._fly(), name=f"model-drone-{self._id}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await cancel_and_wait(self._task)

    # -- docks.Drone ---------------------------------------------------------------------------

    @property
    def drone_id(self) -> str:
        return self._id

    @property
    def connected(self) -> bool:
        return self.powered and self.link_up

    @property
    def position(self) -> DronePosition | None:
        return DronePosition(self.lat, self.lon, self.alt) if self.powered else None

    @property
    def armed(self) -> bool:
        return self._armed

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def battery_pct(self) -> float | None:
        return self.battery

    @property
    def landed_state(self) -> LandedState:
        return self._landed

    def add_listener(self, callback: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(callback)

        def remove() -> None:
            if callback in self._listeners:
                self._listeners.remove(callback)

        return remove

    async def arm(self) -> None:
        self._command("arm")
        if self.alt > 0 or self.battery < 20:
            raise DroneRefused("arming refused")
        self._armed = True
        self._set_mode("GUIDED")

    async def takeoff(self, alt_m: float) -> None:
        self._command("takeoff")
        if not self._armed:
            raise DroneRefused("takeoff refused: not armed")
        self._program([_Leg("climb", alt=alt_m), _Leg("hold")], "GUIDED")

    async def goto(self, lat_deg: float, lon_deg: float, alt_m: float) -> None:
        self._command("goto")
        self._need_air()
        self._program([_Leg("fly", lat_deg, lon_deg, alt_m), _Leg("hold")], "GUIDED")

    async def orbit(self, lat_deg: float, lon_deg: float, radius_m: float, alt_m: float) -> None:
        self._command("orbit")
        self._need_air()
        self._program([_Leg("orbit", lat_deg, lon_deg, alt_m, radius_m)], "CIRCLE")

    async def upload_route(self, items: Sequence[MissionItem]) -> None:
        self._command("upload_route")
        if not items:
            raise DroneRefused("empty mission")
        self.route = list(items)

    async def start_mission(self) -> None:
        self._command("start_mission")
        if not self._armed or not self.route:
            raise DroneRefused("mission refused: not armed or no mission")
        self._program(self._legs_of(self.route), "AUTO")

    async def return_to_launch(self) -> None:
        self._command("return_to_launch")
        self._need_air()
        self._rtl()

    async def land(self) -> None:
        self._command("land")
        if self.alt <= 0:
            self._touchdown()
            return
        self._program([_Leg("land")], "LAND")

    # -- simulator hooks (docks.DockedDrone) -----------------------------------------------------

    def set_powered(self, on: bool) -> None:
        self.powered = on
        self._notify()

    def charge_battery(self, delta_pct: float) -> None:
        self.battery = min(100.0, self.battery + delta_pct)

    # -- what a test does to the drone ------------------------------------------------------------

    def cut_link(self) -> None:
        """The radio link goes silent (the drone keeps flying; its failsafe takes over)."""
        self.link_up = False
        self._link_lost_at = self.clock.monotonic()
        self._notify()

    def restore_link(self) -> None:
        """The radio link comes back."""
        self.link_up = True
        self._link_lost_at = None
        self._notify()

    # -- internals ----------------------------------------------------------------------------------

    def _command(self, name: str) -> None:
        self.commands.append(name)
        if not self.connected:
            raise DroneRefused(f"{name}: no link to the drone")
        if name in self.refuse:
            raise DroneRefused(f"{name} refused")

    def _need_air(self) -> None:
        if not self._armed or self.alt <= 0:
            raise DroneRefused("not flying")

    def _set_mode(self, mode: str) -> None:
        self._mode = mode
        self._notify()

    def _program(self, legs: list[_Leg], mode: str) -> None:
        self._legs = legs
        self._mode = mode
        self._wake.set()
        self._notify()

    def _rtl(self) -> None:
        lat, lon = self.home
        alt = max(self.alt, self.rtl_alt_m)
        self._program([_Leg("climb", alt=alt), _Leg("fly", lat, lon, alt), _Leg("land")], "RTL")

    def _legs_of(self, items: Sequence[MissionItem]) -> list[_Leg]:
        legs: list[_Leg] = []
        for item in items:
            lat, lon = item.lat_deg, item.lon_deg
            if item.command == MavCmd.NAV_TAKEOFF:
                legs.append(_Leg("climb", alt=item.z))
            elif item.command == MavCmd.NAV_WAYPOINT:
                legs.append(_Leg("fly", lat, lon, item.z))
            elif item.command in (MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TIME):
                legs.append(_Leg("fly", lat, lon, item.z))
                hold_s = item.param1 if item.command == MavCmd.NAV_LOITER_TIME else None
                legs.append(_Leg("hold", hold_s=hold_s))
            elif item.command == MavCmd.NAV_LOITER_TURNS:
                legs.append(_Leg("orbit", lat, lon, item.z, abs(item.param3) or 50.0))
            elif item.command == MavCmd.NAV_RETURN_TO_LAUNCH:
                hlat, hlon = self.home
                legs += [_Leg("fly", hlat, hlon, max(self.rtl_alt_m, item.z)), _Leg("land")]
            elif item.command == MavCmd.NAV_LAND:
                if item.x or item.y:
                    legs.append(_Leg("fly", lat, lon, max(self.alt, 10.0)))
                legs.append(_Leg("land"))
        return legs

    def _notify(self) -> None:
        for callback in list(self._listeners):
            callback()

    def _touchdown(self) -> None:
        self.alt = 0.0
        self._armed = False
        self._legs = []
        self._landed = LandedState.ON_GROUND
        self._mode = "LAND" if self._mode != "RTL" else "RTL"

    async def _fly(self) -> None:
        last_s = self.clock.monotonic()
        while True:
            if not self._legs and self.alt <= 0:
                self._wake.clear()
                await self._wake.wait()
                last_s = self.clock.monotonic()
                continue
            await self.clock.sleep(self.tick_s)
            # the time that really passed on the clock: a stalled test machine never slows the
            # drone down against the station's deadlines, which run on the same clock
            now_s = self.clock.monotonic()
            self._step(now_s - last_s)
            last_s = now_s
            self._notify()

    def _step(self, dt: float) -> None:
        if self._armed:
            self.battery = max(0.0, self.battery - self.drain_pct_per_s * dt)
        lost = self._link_lost_at
        if (
            lost is not None and self.alt > 0 and self._mode != "RTL"
            and self.clock.monotonic() - lost >= self.failsafe_delay_s
        ):
            self._rtl()
        if not self._legs:
            return
        leg = self._legs[0]
        done = getattr(self, f"_leg_{leg.kind}")(leg, dt)
        if done and self._legs and self._legs[0] is leg:
            self._legs.pop(0)

    def _leg_climb(self, leg: _Leg, dt: float) -> bool:
        self._landed = LandedState.TAKING_OFF if self.alt < 2.0 else LandedState.IN_AIR
        self.alt = min(leg.alt, self.alt + self.climb_mps * dt)
        if self.alt >= leg.alt:
            self._landed = LandedState.IN_AIR
            return True
        return False

    def _leg_fly(self, leg: _Leg, dt: float) -> bool:
        self._landed = LandedState.IN_AIR
        dist = distance_m(self.lat, self.lon, leg.lat, leg.lon)
        step = self.cruise_speed_mps * dt
        if dist <= step:
            self.lat, self.lon = leg.lat, leg.lon
        else:
            north = (leg.lat - self.lat) * math.pi / 180 * EARTH_RADIUS_M
            east = (leg.lon - self.lon) * math.pi / 180 * EARTH_RADIUS_M * math.cos(
                math.radians(self.lat)
            )
            scale = step / math.hypot(north, east)
            self.lat, self.lon = offset(self.lat, self.lon, north * scale, east * scale)
        dalt = leg.alt - self.alt
        climb = self.climb_mps * dt
        self.alt += max(-climb, min(climb, dalt))
        return dist <= step and abs(leg.alt - self.alt) < 0.01

    def _leg_hold(self, leg: _Leg, dt: float) -> bool:
        if leg.hold_s is None:
            return False
        leg.hold_s -= dt
        return leg.hold_s <= 0

    def _leg_orbit(self, leg: _Leg, dt: float) -> bool:
        self._landed = LandedState.IN_AIR
        north = (self.lat - leg.lat) * math.pi / 180 * EARTH_RADIUS_M
        east = (self.lon - leg.lon) * math.pi / 180 * EARTH_RADIUS_M * math.cos(math.radians(leg.lat))
        angle = math.atan2(north, east) + self.cruise_speed_mps * 0.5 * dt / leg.radius
        self.lat, self.lon = offset(leg.lat, leg.lon, leg.radius * math.sin(angle),
                                    leg.radius * math.cos(angle))
        self.alt = leg.alt
        return False

    def _leg_land(self, leg: _Leg, dt: float) -> bool:
        self._landed = LandedState.LANDING
        self.alt = max(0.0, self.alt - self.descent_mps * dt)
        if self.alt <= 0:
            self._touchdown()
            return True
        return False
