"""A multicopter's motion in a local frame: metres east, north and up of home.

Kinematic, not aerodynamic: the vehicle accelerates (limited) towards the velocity its current
setpoint asks for, brakes in time to stop on a target, climbs and descends at limited rates,
turns at a limited yaw rate and leans into its acceleration. Good enough for a station, a
camera overlay and timing estimates; not a flight-dynamics model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "Descend",
    "FlightModel",
    "GoTo",
    "Idle",
    "Kinematics",
    "Limits",
    "Orbit",
    "Setpoint",
]

GRAVITY_MPS2 = 9.80665
_DRAG_PER_S = 0.08  # lean that holds a steady speed against drag: a = drag × v
_VERTICAL_GAIN = 1.0
_SNAP_M = 0.05
_SNAP_MPS = 0.3
_ORBIT_ACCEL_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class Limits:
    """Speeds and rates the model is held to."""

    climb_mps: float
    descent_mps: float
    accel_mps2: float
    yaw_rate_dps: float


@dataclass(frozen=True, slots=True)
class Idle:
    """Stay where it is with motors off (on the ground), or hover in place (in the air)."""


@dataclass(frozen=True, slots=True)
class GoTo:
    """Fly to a point at a horizontal speed and stop there."""

    east_m: float
    north_m: float
    up_m: float
    speed_mps: float


@dataclass(frozen=True, slots=True)
class Orbit:
    """Circle a centre; a positive speed circles clockwise seen from above."""

    east_m: float
    north_m: float
    up_m: float
    radius_m: float
    speed_mps: float


@dataclass(frozen=True, slots=True)
class Descend:
    """Descend straight down at a rate, holding position, until touching the ground."""

    rate_mps: float


Setpoint = Idle | GoTo | Orbit | Descend


@dataclass(slots=True)
class Kinematics:
    """Where the vehicle is and how it moves (local frame, metres and degrees)."""

    east_m: float = 0.0
    north_m: float = 0.0
    up_m: float = 0.0
    v_east_mps: float = 0.0
    v_north_mps: float = 0.0
    v_up_mps: float = 0.0
    yaw_deg: float = 0.0
    roll_deg: float = 0.0
    pitch_deg: float = 0.0
    on_ground: bool = True

    @property
    def ground_speed_mps(self) -> float:
        """Horizontal speed."""
        return math.hypot(self.v_east_mps, self.v_north_mps)

    def horizontal_distance_m(self, east_m: float, north_m: float) -> float:
        """Horizontal distance to a local point."""
        return math.hypot(east_m - self.east_m, north_m - self.north_m)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _approach_speed(distance_m: float, cruise_mps: float, accel_mps2: float, dt_s: float) -> float:
    """Speed towards a target that still allows stopping on it."""
    return min(cruise_mps, math.sqrt(2.0 * accel_mps2 * distance_m), distance_m / dt_s)


class FlightModel:
    """Advances :class:`Kinematics` under a setpoint; tracks how far an orbit has turned."""

    def __init__(self, limits: Limits, kinematics: Kinematics | None = None) -> None:
        self.limits = limits
        self.k = kinematics or Kinematics()
        self.orbit_turned_deg = 0.0
        self._orbit_angle_deg: float | None = None
        self.face_point: tuple[float, float] | None = None  # region of interest (east, north)

    def reset_orbit(self) -> None:
        """Start counting orbit turns from zero."""
        self.orbit_turned_deg = 0.0
        self._orbit_angle_deg = None

    def step(self, dt_s: float, setpoint: Setpoint, *, motors_on: bool) -> None:
        """Advance by ``dt_s`` seconds (keep it small: 0.2 s or less)."""
        k = self.k
        if not motors_on or (isinstance(setpoint, Idle) and k.on_ground):
            k.v_east_mps = k.v_north_mps = k.v_up_mps = 0.0
            if k.up_m > 0.0 and not motors_on:  # motors stopped in the air: fall
                k.up_m = max(0.0, k.up_m - 5.0 * dt_s)
            k.on_ground = k.up_m <= 0.0
            k.roll_deg = k.pitch_deg = 0.0
            return
        want_e, want_n, want_u = self._desired_velocity(dt_s, setpoint)
        lim = self.limits
        dv_e = want_e - k.v_east_mps
        dv_n = want_n - k.v_north_mps
        dv = math.hypot(dv_e, dv_n)
        max_dv = lim.accel_mps2 * dt_s
        if dv > max_dv:
            dv_e *= max_dv / dv
            dv_n *= max_dv / dv
        accel_e = dv_e / dt_s
        accel_n = dv_n / dt_s
        k.v_east_mps += dv_e
        k.v_north_mps += dv_n
        dv_u = _clamp(want_u - k.v_up_mps, -2 * max_dv, 2 * max_dv)
        k.v_up_mps += dv_u
        k.east_m += k.v_east_mps * dt_s
        k.north_m += k.v_north_mps * dt_s
        k.up_m += k.v_up_mps * dt_s
        if k.up_m <= 0.0 and k.v_up_mps <= 0.0:
            k.up_m = 0.0
            k.v_up_mps = 0.0
            k.v_east_mps = k.v_north_mps = 0.0
            k.on_ground = True
        elif k.up_m > 0.1:
            k.on_ground = False
        self._snap(setpoint)
        self._turn(dt_s)
        self._lean(accel_e + _DRAG_PER_S * k.v_east_mps, accel_n + _DRAG_PER_S * k.v_north_mps)
        if isinstance(setpoint, Orbit):
            self._count_orbit(setpoint)

    def _desired_velocity(self, dt_s: float, sp: Setpoint) -> tuple[float, float, float]:
        k = self.k
        lim = self.limits
        if isinstance(sp, Descend):
            return 0.0, 0.0, -sp.rate_mps
        if isinstance(sp, Idle):
            return 0.0, 0.0, 0.0
        up_err = sp.up_m - k.up_m
        want_u = _clamp(_VERTICAL_GAIN * up_err, -lim.descent_mps, lim.climb_mps)
        if abs(up_err) < abs(want_u) * dt_s:
            want_u = up_err / dt_s
        if isinstance(sp, GoTo):
            de = sp.east_m - k.east_m
            dn = sp.north_m - k.north_m
            dist = math.hypot(de, dn)
            if dist < 1e-6:
                return 0.0, 0.0, want_u
            speed = _approach_speed(dist, sp.speed_mps, lim.accel_mps2, dt_s)
            return de / dist * speed, dn / dist * speed, want_u
        # orbit: tangential speed plus a radial correction towards the circle
        re = k.east_m - sp.east_m
        rn = k.north_m - sp.north_m
        r = math.hypot(re, rn)
        if r < 1e-3:
            re, rn, r = 0.0, 1.0, 1.0
        ue, un = re / r, rn / r
        # with x east and y north, (un, -ue) turns clockwise seen from above, (-un, ue) the other way
        sign = 1.0 if sp.speed_mps >= 0 else -1.0
        te, tn = sign * un, -sign * ue
        err = r - sp.radius_m
        radial = -math.copysign(
            _approach_speed(abs(err), abs(sp.speed_mps) * 2, lim.accel_mps2, dt_s), err
        )
        # no faster than the acceleration limit can hold on the circle (v^2 / r <= a)
        speed = min(abs(sp.speed_mps), math.sqrt(_ORBIT_ACCEL_SHARE * lim.accel_mps2 * sp.radius_m))
        tangential = speed * max(0.0, 1.0 - abs(err) / max(sp.radius_m, 1.0))
        return te * tangential + ue * radial, tn * tangential + un * radial, want_u

    def _snap(self, sp: Setpoint) -> None:
        k = self.k
        if isinstance(sp, GoTo):
            if (
                k.horizontal_distance_m(sp.east_m, sp.north_m) < _SNAP_M
                and k.ground_speed_mps < _SNAP_MPS
            ):
                k.east_m, k.north_m = sp.east_m, sp.north_m
                k.v_east_mps = k.v_north_mps = 0.0
            if abs(sp.up_m - k.up_m) < _SNAP_M and abs(k.v_up_mps) < _SNAP_MPS:
                k.up_m = sp.up_m
                k.v_up_mps = 0.0

    def _turn(self, dt_s: float) -> None:
        k = self.k
        want: float | None = None
        if self.face_point is not None:
            de = self.face_point[0] - k.east_m
            dn = self.face_point[1] - k.north_m
            if math.hypot(de, dn) > 1.0:
                want = math.degrees(math.atan2(de, dn))
        elif k.ground_speed_mps > 1.0:
            want = math.degrees(math.atan2(k.v_east_mps, k.v_north_mps))
        if want is None:
            return
        diff = (want - k.yaw_deg + 180.0) % 360.0 - 180.0
        step = self.limits.yaw_rate_dps * dt_s
        k.yaw_deg = (k.yaw_deg + _clamp(diff, -step, step)) % 360.0

    def _lean(self, accel_e: float, accel_n: float) -> None:
        k = self.k
        yaw = math.radians(k.yaw_deg)
        forward = accel_n * math.cos(yaw) + accel_e * math.sin(yaw)
        right = -accel_n * math.sin(yaw) + accel_e * math.cos(yaw)
        k.pitch_deg = -math.degrees(math.atan2(forward, GRAVITY_MPS2))
        k.roll_deg = math.degrees(math.atan2(right, GRAVITY_MPS2))

    def _count_orbit(self, sp: Orbit) -> None:
        k = self.k
        re = k.east_m - sp.east_m
        rn = k.north_m - sp.north_m
        r = math.hypot(re, rn)
        if abs(r - sp.radius_m) > max(0.2 * sp.radius_m, 3.0):
            self._orbit_angle_deg = None
            return
        angle = math.degrees(math.atan2(re, rn))
        if self._orbit_angle_deg is not None:
            delta = (angle - self._orbit_angle_deg + 180.0) % 360.0 - 180.0
            self.orbit_turned_deg += abs(delta)
        self._orbit_angle_deg = angle
