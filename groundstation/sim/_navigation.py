"""Navigation tasks that take more than one setpoint: return to launch, landing, missions.

Each task turns the vehicle's situation into the next :data:`~groundstation.sim._flight.Setpoint`
and says when it is done. They read the vehicle through the small :class:`NavContext` protocol.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum
from typing import Protocol

from geofence import MavCmd, MissionItem
from groundstation.sim._flight import Descend, GoTo, Idle, Kinematics, Orbit, Setpoint

__all__ = ["Landing", "MissionRunner", "NavContext", "Return", "landing_rate"]

_FAST_DESCENT_ABOVE_M = 10.0
_ROI_MODE_LOCATION = 3  # MAV_ROI_LOCATION
_MAX_DO_ITEMS_PER_STEP = 64


class NavContext(Protocol):
    """What navigation tasks need from the vehicle."""

    k: Kinematics

    def setting(self, name: str) -> float:
        """A neutral setting read from parameters (``cruise_mps``, ``rtl_alt_m``...)."""
        ...

    def now_s(self) -> float:
        """Sim time."""
        ...

    @property
    def cruise_mps(self) -> float:
        """Horizontal speed for navigation (DO_CHANGE_SPEED overrides the parameter)."""
        ...

    def set_cruise(self, speed_mps: float) -> None:
        """Change the navigation speed."""
        ...

    def return_point(self) -> tuple[float, float, float]:
        """Where RTL goes: nearest rally point or home (east, north, up m)."""
        ...

    def item_point(self, item: MissionItem) -> tuple[float, float, float]:
        """A mission item's position in the local frame (0, 0 means the current position)."""
        ...

    def set_roi(self, point: tuple[float, float, float] | None) -> None:
        """Point the nose and camera at a location (None: stop)."""
        ...

    def set_gimbal_pitch(self, pitch_deg: float) -> None:
        """Tilt the camera."""
        ...

    def reset_orbit(self) -> None:
        """Start counting orbit turns from zero."""
        ...

    def orbit_turned_deg(self) -> float:
        """Degrees turned since the last reset."""
        ...


def landing_rate(ctx: NavContext) -> float:
    """Descent rate while landing: faster high up, LAND_SPEED near the ground."""
    if ctx.k.up_m > _FAST_DESCENT_ABOVE_M:
        return ctx.setting("descent_mps")
    return ctx.setting("land_mps")


def _hold(k: Kinematics, speed_mps: float) -> Setpoint:
    if k.on_ground:
        return Idle()
    return GoTo(k.east_m, k.north_m, k.up_m, speed_mps)


class Landing:
    """Descend where the vehicle is until it touches the ground."""

    def __init__(self, ctx: NavContext) -> None:
        self._ctx = ctx

    @property
    def done(self) -> bool:
        """Touched down."""
        return self._ctx.k.on_ground

    def setpoint(self) -> Setpoint:
        """Straight down."""
        if self.done:
            return Idle()
        return Descend(landing_rate(self._ctx))


class ReturnPhase(Enum):
    """Where a return to launch is."""

    CLIMB = "climb"
    RETURN = "return"
    LOITER = "loiter"
    DESCEND = "descend"
    LANDED = "landed"


class Return:
    """Climb to the return altitude, fly to the rally point or home, wait, land."""

    def __init__(self, ctx: NavContext) -> None:
        self._ctx = ctx
        k = ctx.k
        self.dest = ctx.return_point()
        self._climb_xy = (k.east_m, k.north_m)
        rtl_alt = ctx.setting("rtl_alt_m")
        near = k.horizontal_distance_m(self.dest[0], self.dest[1]) < ctx.setting("accept_radius_m")
        self.cruise_up_m = max(k.up_m, rtl_alt, self.dest[2]) if not near else k.up_m
        self.phase = ReturnPhase.DESCEND if k.on_ground else ReturnPhase.CLIMB
        self._loiter_until_s = 0.0

    @property
    def done(self) -> bool:
        """Landed at the destination."""
        return self.phase is ReturnPhase.LANDED

    @property
    def landing(self) -> bool:
        """In the final descent."""
        return self.phase is ReturnPhase.DESCEND

    def setpoint(self) -> Setpoint:
        """The next setpoint, moving through the phases as each completes."""
        ctx = self._ctx
        k = ctx.k
        speed = ctx.setting("rtl_speed_mps")
        if self.phase is ReturnPhase.CLIMB:
            if k.up_m >= self.cruise_up_m - 0.5:
                self.phase = ReturnPhase.RETURN
            else:
                return GoTo(self._climb_xy[0], self._climb_xy[1], self.cruise_up_m, speed)
        if self.phase is ReturnPhase.RETURN:
            east, north, _ = self.dest
            if k.horizontal_distance_m(east, north) <= ctx.setting("accept_radius_m") and (
                k.ground_speed_mps < 0.5
            ):
                self.phase = ReturnPhase.LOITER
                self._loiter_until_s = ctx.now_s() + ctx.setting("rtl_loiter_s")
            else:
                return GoTo(east, north, self.cruise_up_m, speed)
        if self.phase is ReturnPhase.LOITER:
            if ctx.now_s() >= self._loiter_until_s:
                self.phase = ReturnPhase.DESCEND
            else:
                return GoTo(self.dest[0], self.dest[1], self.cruise_up_m, speed)
        if self.phase is ReturnPhase.DESCEND:
            if k.on_ground:
                self.phase = ReturnPhase.LANDED
            else:
                return Descend(landing_rate(ctx))
        return Idle()


class MissionRunner:
    """Flies the stored mission item by item (vehicle numbering: ArduPilot's item 0 is home)."""

    def __init__(
        self,
        ctx: NavContext,
        items: list[MissionItem],
        first: int,
        *,
        rtl_switches_mode: bool,
        on_current: Callable[[int], None],
        on_reached: Callable[[int], None],
        on_rtl: Callable[[], None],
    ) -> None:
        self._ctx = ctx
        self.items = items
        self.first = first
        self.current = first
        self._rtl_switches_mode = rtl_switches_mode
        self._on_current = on_current
        self._on_reached = on_reached
        self._on_rtl = on_rtl
        self._started = False
        self._arrived = False
        self._hold_until_s = 0.0
        self._target: tuple[float, float, float] | None = None
        self._task: Return | Landing | None = None
        self._climb_first: float | None = None
        self._jumps: dict[int, int] = {}
        self.paused = False
        self.finished = first >= len(items)
        self.landed = False

    @property
    def landing(self) -> bool:
        """In a final descent (LAND item or the mission's return)."""
        task = self._task
        if isinstance(task, Return):
            return task.landing
        return isinstance(task, Landing)

    def set_current(self, seq: int) -> None:
        """Continue from another item (DO_SET_MISSION_CURRENT)."""
        self.current = max(self.first, min(seq, len(self.items)))
        self.finished = self.current >= len(self.items)
        self._started = False
        self._on_current(self.current)

    def setpoint(self) -> Setpoint:
        """The next setpoint; runs DO items and advances past completed NAV items."""
        ctx = self._ctx
        k = ctx.k
        if self.paused or self.finished:
            return _hold(k, ctx.cruise_mps)
        for _ in range(_MAX_DO_ITEMS_PER_STEP):
            if self.current >= len(self.items):
                self.finished = True
                return _hold(k, ctx.cruise_mps)
            item = self.items[self.current]
            if not self._started:
                self._started = True
                if not self._start(item):
                    continue  # a DO item: done at once (it moved current itself)
                if self.finished:
                    return _hold(k, ctx.cruise_mps)
            sp = self._nav(item)
            if sp is not None:
                return sp
            self._on_reached(self.current)
            self._advance(self.current + 1)
            if self.finished:
                return _hold(k, ctx.cruise_mps)
        return _hold(k, ctx.cruise_mps)

    def _advance(self, seq: int) -> None:
        self.current = seq
        self._started = False
        self._task = None
        self._target = None
        self._arrived = False
        if seq >= len(self.items):
            self.finished = True
        else:
            self._on_current(seq)

    def _start(self, item: MissionItem) -> bool:
        """Begin an item; False for DO items, which are carried out at once."""
        ctx = self._ctx
        cmd = item.command
        if cmd == MavCmd.DO_CHANGE_SPEED:
            if item.param2 > 0:
                ctx.set_cruise(item.param2)
        elif cmd in (MavCmd.DO_SET_ROI_LOCATION, MavCmd.DO_SET_ROI):
            if cmd == MavCmd.DO_SET_ROI and int(item.param1) != _ROI_MODE_LOCATION:
                ctx.set_roi(None)
            else:
                ctx.set_roi(ctx.item_point(item))
        elif cmd == MavCmd.DO_SET_ROI_NONE:
            ctx.set_roi(None)
        elif cmd in (MavCmd.DO_GIMBAL_MANAGER_PITCHYAW, MavCmd.DO_MOUNT_CONTROL):
            ctx.set_gimbal_pitch(item.param1)
        elif cmd == MavCmd.DO_JUMP:
            done = self._jumps.get(self.current, 0)
            repeat = int(item.param2)
            if repeat < 0 or done < repeat:
                self._jumps[self.current] = done + 1
                self._advance(int(item.param1))
                return False
        elif _is_nav(cmd):
            self._prepare_nav(item)
            return True
        self._advance(self.current + 1)
        return False

    def _prepare_nav(self, item: MissionItem) -> None:
        ctx = self._ctx
        k = ctx.k
        cmd = item.command
        self._arrived = False
        self._climb_first = None
        if cmd == MavCmd.NAV_TAKEOFF:
            self._target = (k.east_m, k.north_m, ctx.item_point(item)[2])
        elif cmd == MavCmd.NAV_RETURN_TO_LAUNCH:
            if self._rtl_switches_mode:  # PX4 hands over to its RTL mode: the mission is done
                self._on_reached(self.current)
                self.finished = True
                self._on_rtl()
                return
            self._task = Return(ctx)
        elif cmd in (MavCmd.CONDITION_DELAY, MavCmd.NAV_DELAY):
            self._target = (k.east_m, k.north_m, k.up_m)
            self._hold_until_s = ctx.now_s() + max(item.param1, 0.0)
            self._arrived = True
        else:
            point = ctx.item_point(item)
            if cmd == MavCmd.NAV_LAND:
                point = (point[0], point[1], k.up_m)
            self._target = point
            if k.on_ground:  # PX4 takes off into a mission that has no takeoff item
                self._climb_first = max(point[2], ctx.setting("takeoff_alt_m"))
            if cmd == MavCmd.NAV_LOITER_TURNS:
                ctx.reset_orbit()

    def _nav(self, item: MissionItem) -> Setpoint | None:
        """The setpoint for a NAV item, or None when it is complete."""
        ctx = self._ctx
        k = ctx.k
        cmd = item.command
        speed = ctx.cruise_mps
        if self._task is not None:
            if self._task.done:
                self.landed = True
                return None
            return self._task.setpoint()
        target = self._target
        assert target is not None
        if self._climb_first is not None:
            if k.up_m < self._climb_first - 0.5:
                return GoTo(k.east_m, k.north_m, self._climb_first, speed)
            self._climb_first = None
        if cmd == MavCmd.NAV_TAKEOFF:
            if k.up_m >= target[2] - 0.5:
                return None
            return GoTo(target[0], target[1], target[2], speed)
        if cmd in (MavCmd.CONDITION_DELAY, MavCmd.NAV_DELAY):
            return None if ctx.now_s() >= self._hold_until_s else _hold(k, speed)
        radius = ctx.setting("accept_radius_m")
        if cmd == MavCmd.NAV_LOITER_TURNS and not self._arrived:
            # the vehicle flies to the nearest point of the circle (not its centre), as
            # ArduCopter's circle does, and counts its turns from there
            edge = _circle_edge(k, target, _loiter_radius(item))
            if math.hypot(k.horizontal_distance_m(*edge), k.up_m - target[2]) > radius:
                return GoTo(edge[0], edge[1], target[2], speed)
            self._arrived = True
        if not self._arrived:
            dist = math.hypot(k.horizontal_distance_m(target[0], target[1]), k.up_m - target[2])
            if dist <= radius:
                self._arrived = True
                if cmd == MavCmd.NAV_LAND:
                    self._task = Landing(ctx)
                    return self._task.setpoint()
                hold_s = item.param1 if cmd in (MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_TIME) else 0
                self._hold_until_s = ctx.now_s() + max(hold_s, 0.0)
            else:
                return GoTo(target[0], target[1], target[2], speed)
        if cmd == MavCmd.NAV_LOITER_UNLIM:
            return GoTo(target[0], target[1], target[2], speed)
        if cmd == MavCmd.NAV_LOITER_TURNS:
            turns = max(item.param1, 0.0)
            if ctx.orbit_turned_deg() >= 360.0 * turns:
                return None
            direction = -1.0 if item.param3 < 0 else 1.0
            return Orbit(target[0], target[1], target[2], _loiter_radius(item), direction * speed)
        if ctx.now_s() < self._hold_until_s:
            return GoTo(target[0], target[1], target[2], speed)
        return None


def _loiter_radius(item: MissionItem) -> float:
    """A NAV_LOITER_TURNS radius (param3, signed by direction; 0: the 10 m default)."""
    return abs(item.param3) or 10.0


def _circle_edge(k: Kinematics, centre: tuple[float, float, float], radius_m: float,
                 ) -> tuple[float, float]:
    """The point of a circle nearest to the vehicle (ahead of its nose when at the centre)."""
    dx, dy = k.east_m - centre[0], k.north_m - centre[1]
    d = math.hypot(dx, dy)
    if d < 0.5:
        yaw = math.radians(k.yaw_deg)
        dx, dy, d = math.sin(yaw), math.cos(yaw), 1.0
    return centre[0] + radius_m * dx / d, centre[1] + radius_m * dy / d


_NAV_COMMANDS = frozenset({
    MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TURNS,
    MavCmd.NAV_LOITER_TIME, MavCmd.NAV_RETURN_TO_LAUNCH, MavCmd.NAV_LAND, MavCmd.NAV_TAKEOFF,
    MavCmd.NAV_LOITER_TO_ALT, MavCmd.NAV_DELAY, MavCmd.CONDITION_DELAY,
})  # fmt: skip


def _is_nav(command: int) -> bool:
    return command in _NAV_COMMANDS
