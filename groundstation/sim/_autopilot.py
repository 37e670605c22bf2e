"""The simulated autopilot: modes, arming, guided flight, missions, RTL and LAND, failsafes.

One :meth:`Autopilot.update` call advances the vehicle by a small step of sim time: battery
drain, failsafe checks (GCS link, battery, fence), the setpoint of the current mode, the
flight model, then take-off completion, touchdown and automatic disarming. Commands arrive
through :mod:`groundstation.sim._commands`, which calls the methods here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavCmd, MavFrame, MissionItem, MissionType
from groundstation.sim._clock import SimClock
from groundstation.sim._config import SimConfig
from groundstation.sim._fence import Fence
from groundstation.sim._flight import FlightModel, GoTo, Idle, Kinematics, Limits, Orbit, Setpoint
from groundstation.sim._geo import LocalFrame
from groundstation.sim._navigation import Landing, MissionRunner, Return
from groundstation.sim._params import ParamStore
from groundstation.sim._personality import Behaviour, FlightMode, PersonalityRules
from groundstation.sim._plans import PlanStore

__all__ = ["Autopilot", "Refusal"]

_ACCEPTED = mavlink.MAV_RESULT_ACCEPTED
_RELATIVE_FRAMES = {MavFrame.GLOBAL_RELATIVE_ALT, MavFrame.GLOBAL_RELATIVE_ALT_INT,
                    MavFrame.GLOBAL_TERRAIN_ALT, MavFrame.GLOBAL_TERRAIN_ALT_INT}  # fmt: skip
_CIRCLE_INIT_AT_CENTER = 4
_CELL_FULL_V = 4.2
_CELL_EMPTY_V = 3.3
_SEVERITY_CRITICAL = mavlink.MAV_SEVERITY_CRITICAL
_SEVERITY_WARNING = mavlink.MAV_SEVERITY_WARNING
_SEVERITY_INFO = mavlink.MAV_SEVERITY_INFO

TextSink = Callable[[int, str], None]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused request: the MAV_RESULT and the STATUSTEXT the autopilot sends with it."""

    result: int
    text: str = ""


class Autopilot:
    """The vehicle's brain and body in its local frame (see the module docstring)."""

    def __init__(
        self,
        config: SimConfig,
        rules: PersonalityRules,
        clock: SimClock,
        params: ParamStore,
        plans: PlanStore,
        text: TextSink,
        frame: LocalFrame | None = None,
    ) -> None:
        self.config = config
        self.rules = rules
        self.clock = clock
        self.params = params
        self.plans = plans
        self._text = text
        self.frame = frame or LocalFrame(config.home_lat_deg, config.home_lon_deg)
        self.ground_amsl_m = config.home_alt_amsl_m  # flat terrain at home's altitude
        home_east, home_north = self.frame.to_local(config.home_lat_deg, config.home_lon_deg)
        self.flight = FlightModel(
            Limits(config.climb_speed_mps, config.descent_speed_mps, config.accel_mps2,
                   config.yaw_rate_dps),
            Kinematics(east_m=home_east, north_m=home_north,
                       yaw_deg=config.home_heading_deg % 360.0),
        )  # fmt: skip
        self.k = self.flight.k
        self.home = (home_east, home_north, 0.0)  # east, north, up of home in the local frame
        self.boot_s = clock.now_s()
        self.mode: FlightMode = rules.mode_for(
            Behaviour.HOLD if rules.personality == "px4" else Behaviour.MANUAL
        )
        self.armed = False
        self.used_mah = config.battery_capacity_mah * (1 - config.battery_start_pct / 100)
        self.current_a = 0.0
        self.target: tuple[float, float, float] | None = None
        self.taking_off = False
        self.task: Return | Landing | None = None
        self.mission: MissionRunner | None = None
        self.mission_current = rules.mission_offset
        self.orbit: Orbit | None = None
        self.cruise_override_mps: float | None = None
        self.roi: tuple[float, float, float] | None = None
        self.gimbal_pitch_deg = 0.0
        self.last_gcs_heartbeat_s: float | None = None
        self.gcs_failsafe = False
        self.battery_failsafe = 0  # 0 none, 1 low, 2 critical
        self.fence_breached = False
        self.fence = Fence([], self.frame.to_local)
        self._touchdown_s: float | None = None
        self._ground_since_s: float | None = None
        self.on_state_change: list[Callable[[], None]] = []
        self.on_mission_current: Callable[[int], None] = lambda seq: None
        self.on_item_reached: Callable[[int], None] = lambda seq: None

    # -- settings and geometry -----------------------------------------------------------------

    def setting(self, name: str) -> float:
        """A neutral setting (SI units) from the personality's parameters."""
        return self.rules.setting(self.params.get, name)

    def now_s(self) -> float:
        """Sim time."""
        return self.clock.now_s()

    @property
    def cruise_mps(self) -> float:
        """Navigation speed: DO_CHANGE_SPEED's value or the cruise parameter."""
        if self.cruise_override_mps is not None:
            return self.cruise_override_mps
        return self.setting("cruise_mps")

    def set_cruise(self, speed_mps: float) -> None:
        """Change the navigation speed (DO_CHANGE_SPEED)."""
        self.cruise_override_mps = min(max(speed_mps, 0.1), self.config.max_speed_mps)

    @property
    def home_amsl_m(self) -> float:
        """Home altitude above mean sea level."""
        return self.ground_amsl_m + self.home[2]

    @property
    def remaining_pct(self) -> float:
        """Battery remaining, percent."""
        cap = self.config.battery_capacity_mah
        return max(0.0, min(100.0, 100.0 * (1 - self.used_mah / cap)))

    @property
    def voltage_v(self) -> float:
        """Battery voltage (linear between empty and full cells, sagging under load)."""
        cell = _CELL_EMPTY_V + (_CELL_FULL_V - _CELL_EMPTY_V) * self.remaining_pct / 100
        return max(0.0, cell * self.config.battery_cells - 0.01 * self.current_a)

    def local_of(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """Local east/north of a WGS84 point."""
        return self.frame.to_local(lat_deg, lon_deg)

    def up_of(self, alt: float, frame: int) -> float:
        """Local height of an altitude given in a MAV_FRAME (AMSL or above home)."""
        if frame in _RELATIVE_FRAMES:
            return alt + self.home[2]
        return alt - self.ground_amsl_m

    def item_point(self, item: MissionItem) -> tuple[float, float, float]:
        """A mission item's local position; 0,0 means where the vehicle is."""
        k = self.k
        if item.frame == MavFrame.MISSION:
            return k.east_m, k.north_m, k.up_m
        if item.x == 0 and item.y == 0:
            east, north = k.east_m, k.north_m
        else:
            east, north = self.local_of(item.lat_deg, item.lon_deg)
        up = self.up_of(item.z, item.frame) if item.z or item.command != MavCmd.NAV_LAND else 0.0
        return east, north, up

    def return_point(self) -> tuple[float, float, float]:
        """Nearest rally point (within the rally limit) or home."""
        k = self.k
        best = self.home
        best_d = math.hypot(k.east_m - best[0], k.north_m - best[1])
        limit = self.setting("rally_limit_m")
        for item in self.plans.get(MissionType.RALLY):
            east, north = self.local_of(item.lat_deg, item.lon_deg)
            d = math.hypot(k.east_m - east, k.north_m - north)
            if d < best_d or (limit > 0 and best_d > limit and d < best_d):
                best, best_d = (east, north, self.up_of(item.z, item.frame)), d
        return best

    def set_roi(self, point: tuple[float, float, float] | None) -> None:
        """Face (and tilt the camera at) a point; None stops."""
        self.roi = point
        self.flight.face_point = None if point is None else (point[0], point[1])

    def set_gimbal_pitch(self, pitch_deg: float) -> None:
        """Tilt the camera (degrees, negative down)."""
        self.gimbal_pitch_deg = max(-90.0, min(30.0, pitch_deg))

    def reset_orbit(self) -> None:
        """Start counting orbit turns."""
        self.flight.reset_orbit()

    def orbit_turned_deg(self) -> float:
        """Degrees turned since the orbit counter was reset."""
        return self.flight.orbit_turned_deg

    # -- state reports ------------------------------------------------------------------------

    @property
    def flying(self) -> bool:
        """Armed and off the ground."""
        return self.armed and not self.k.on_ground

    @property
    def landed_state(self) -> int:
        """MAV_LANDED_STATE."""
        if self.k.on_ground and not (self.armed and self.taking_off):
            return mavlink.MAV_LANDED_STATE_ON_GROUND
        if self.taking_off:
            return mavlink.MAV_LANDED_STATE_TAKEOFF
        if self._landing():
            return mavlink.MAV_LANDED_STATE_LANDING
        return mavlink.MAV_LANDED_STATE_IN_AIR

    @property
    def system_status(self) -> int:
        """MAV_STATE."""
        if not self.armed:
            return mavlink.MAV_STATE_STANDBY
        if self.gcs_failsafe or self.battery_failsafe or self.fence_breached:
            return mavlink.MAV_STATE_CRITICAL
        return mavlink.MAV_STATE_ACTIVE

    def _landing(self) -> bool:
        task = self.task
        if isinstance(task, Landing):
            return not task.done
        if isinstance(task, Return):
            return task.landing
        return self.mode.behaviour is Behaviour.AUTO and self.mission is not None and (
            self.mission.landing
        )

    def _changed(self) -> None:
        for callback in self.on_state_change:
            callback()

    def text(self, severity: int, text: str) -> None:
        """Send a STATUSTEXT."""
        self._text(severity, text)

    # -- arming -------------------------------------------------------------------------------

    def gps_ok(self) -> bool:
        """Whether the GPS has a 3D fix yet (after the boot delay)."""
        return self.clock.now_s() - self.boot_s >= self.config.boot_delay_s

    def prearm_problem(self) -> str | None:
        """Why the vehicle may not arm now, or None."""
        if not self.gps_ok():
            return "Need 3D Fix"
        if not self.mode.armable:
            return f"Mode {self.mode.name} not armable"
        low = self.setting("battery_low_pct")
        if low > 0 and self.remaining_pct <= low:
            return f"Battery low ({self.remaining_pct:.0f}%)"
        if self.setting("fence_enabled"):
            if self.setting("fence_polygons") and not self.fence.has_zones and (
                self.rules.personality == "ardupilot"
            ):
                return "Fence enabled, need fence"
            if self._fence_breach() is not None:
                return "Vehicle outside fence"
        return None

    def arm(self, force: bool) -> Refusal:
        """Arm (``force`` skips the pre-arm checks)."""
        if self.armed:
            return Refusal(_ACCEPTED)
        if not force:
            problem = self.prearm_problem()
            if problem is not None:
                prefix = "PreArm: " if self.rules.personality == "ardupilot" else "Arming denied: "
                return Refusal(self.rules.arming_refusal, prefix + problem)
        self.armed = True
        self._touchdown_s = None
        self._ground_since_s = self.now_s()
        if self.mode.behaviour is Behaviour.TAKEOFF:
            self._begin_takeoff(self._pending_takeoff_up())
        self.text(_SEVERITY_INFO, "Arming motors" if self.rules.personality == "ardupilot"
                  else "Armed by external command")  # fmt: skip
        self._changed()
        return Refusal(_ACCEPTED)

    def disarm(self, force: bool, reason: str = "") -> Refusal:
        """Disarm; in flight only when forced."""
        if not self.armed:
            return Refusal(_ACCEPTED)
        if self.flying and not force:
            return Refusal(mavlink.MAV_RESULT_FAILED, "Disarm: vehicle in flight")
        self.armed = False
        self.taking_off = False
        self._touchdown_s = None
        self._ground_since_s = None
        self.text(_SEVERITY_INFO, f"Disarming motors{': ' + reason if reason else ''}")
        self._changed()
        return Refusal(_ACCEPTED)

    # -- modes --------------------------------------------------------------------------------

    def set_mode(self, mode: FlightMode, *, failsafe: bool = False) -> Refusal:
        """Switch mode when the new mode can start now."""
        problem = self._mode_problem(mode) if not failsafe else None
        if problem is not None:
            return Refusal(self.rules.mode_refusal, problem)
        self._enter(mode)
        return Refusal(_ACCEPTED)

    def _mode_problem(self, mode: FlightMode) -> str | None:
        b = mode.behaviour
        if b is Behaviour.AUTO:
            items = self.plans.get(MissionType.MISSION)
            first = self.rules.mission_offset
            if len(items) <= first:
                return "Mission empty" if self.rules.personality == "ardupilot" else (
                    "Switching to Mission is currently not possible")
            if (self.armed and self.k.on_ground and self.rules.personality == "ardupilot"
                    and not _starts_with_takeoff(items, self.mission_current)):  # fmt: skip
                return "Auto: Missing Takeoff Cmd"
        if b in (Behaviour.RTL, Behaviour.LAND, Behaviour.GUIDED, Behaviour.AUTO,
                 Behaviour.CIRCLE, Behaviour.ORBIT) and not self.gps_ok():  # fmt: skip
            return "Flight mode change failed: requires position"
        return None

    def _enter(self, mode: FlightMode) -> None:
        previous = self.mode
        self.mode = mode
        b = mode.behaviour
        k = self.k
        self.task = None
        self.orbit = None
        if previous.behaviour is Behaviour.AUTO and self.mission is not None:
            self.mission.paused = False
        if b in (Behaviour.MANUAL, Behaviour.GUIDED, Behaviour.HOLD):
            self.target = None if k.on_ground else (k.east_m, k.north_m, k.up_m)
            if b is not Behaviour.GUIDED or previous.behaviour is not Behaviour.TAKEOFF:
                self.taking_off = self.taking_off and b is Behaviour.GUIDED
        elif b is Behaviour.TAKEOFF:
            if self.armed:
                self._begin_takeoff(self._pending_takeoff_up())
        elif b is Behaviour.AUTO:
            self._start_mission(resume=True)
        elif b is Behaviour.RTL:
            self.task = Return(self)
        elif b is Behaviour.LAND:
            self.task = Landing(self)
        elif b is Behaviour.CIRCLE:
            self.orbit = self._circle_setpoint()
            self.reset_orbit()
        if b is not Behaviour.AUTO:
            self.set_roi(None) if b in (Behaviour.RTL, Behaviour.LAND) else None
        self.text(_SEVERITY_INFO, f"Mode {mode.name}")
        self._changed()

    def _circle_setpoint(self) -> Orbit:
        k = self.k
        radius = self.params.get("CIRCLE_RADIUS") / 100 if "CIRCLE_RADIUS" in self.params else 10.0
        rate_dps = self.params.get("CIRCLE_RATE") if "CIRCLE_RATE" in self.params else 20.0
        options = int(self.params.get("CIRCLE_OPTIONS")) if "CIRCLE_OPTIONS" in self.params else 0
        if options & _CIRCLE_INIT_AT_CENTER:
            east, north = k.east_m, k.north_m
        else:
            yaw = math.radians(k.yaw_deg)
            east, north = k.east_m + radius * math.sin(yaw), k.north_m + radius * math.cos(yaw)
        speed = min(math.radians(abs(rate_dps)) * max(radius, 0.1), self.config.max_speed_mps)
        return Orbit(east, north, k.up_m, radius, speed if rate_dps >= 0 else -speed)

    # -- guided actions -----------------------------------------------------------------------

    def _pending_takeoff_up(self) -> float:
        if self.target is not None and self.target[2] > self.k.up_m:
            return self.target[2]
        return self.home[2] + self.setting("takeoff_alt_m")

    def _begin_takeoff(self, up_m: float) -> None:
        k = self.k
        self.target = (k.east_m, k.north_m, up_m)
        self.taking_off = True
        self._ground_since_s = None

    def takeoff(self, alt: float, frame_amsl: bool) -> Refusal:
        """NAV_TAKEOFF: ArduCopter needs GUIDED and armed; PX4 switches to AUTO.TAKEOFF."""
        if not math.isfinite(alt):
            up = self.home[2] + self.setting("takeoff_alt_m")
        else:
            up = alt - self.ground_amsl_m if frame_amsl else alt + self.home[2]
        if self.rules.takeoff_needs_guided:
            if self.mode.behaviour is not Behaviour.GUIDED:
                return Refusal(mavlink.MAV_RESULT_FAILED, "Takeoff: mode is not GUIDED")
            if not self.armed:
                return Refusal(mavlink.MAV_RESULT_FAILED, "Takeoff: not armed")
            if not self.k.on_ground:
                return Refusal(mavlink.MAV_RESULT_FAILED, "Takeoff: already flying")
            self._begin_takeoff(max(up, self.k.up_m + 1.0))
            self._changed()
            return Refusal(_ACCEPTED)
        refusal = self.set_mode(self.rules.mode_for(Behaviour.TAKEOFF))
        if refusal.result != _ACCEPTED:
            return refusal
        k = self.k
        self.target = (k.east_m, k.north_m, max(up, k.up_m + 1.0))
        if self.armed:
            self._begin_takeoff(self.target[2])
        return Refusal(_ACCEPTED)

    def reposition(
        self, east_m: float | None, north_m: float | None, up_m: float | None, change_mode: bool,
        speed_mps: float | None = None,
    ) -> Refusal:
        """Fly to a point and hold there (GUIDED / AUTO.LOITER)."""
        guided = self.rules.mode_for(Behaviour.GUIDED)
        if self.mode.name != guided.name:
            if not change_mode:
                return Refusal(mavlink.MAV_RESULT_DENIED, "Reposition: not in guided mode")
            refusal = self.set_mode(guided)
            if refusal.result != _ACCEPTED:
                return refusal
        k = self.k
        self.target = (
            k.east_m if east_m is None else east_m,
            k.north_m if north_m is None else north_m,
            k.up_m if up_m is None else up_m,
        )
        if speed_mps is not None and speed_mps > 0:
            self.set_cruise(speed_mps)
        return Refusal(_ACCEPTED)

    def guided_target(self, east_m: float, north_m: float, up_m: float) -> bool:
        """SET_POSITION_TARGET_*: only obeyed in the guided mode."""
        if self.mode.behaviour is not Behaviour.GUIDED and self.mode.name != "OFFBOARD":
            return False
        self.target = (east_m, north_m, up_m)
        return True

    def start_orbit(
        self, east_m: float, north_m: float, up_m: float, radius_m: float, speed_mps: float
    ) -> Refusal:
        """PX4 DO_ORBIT: circle a point (negative radius: counter-clockwise)."""
        if not self.flying:
            return Refusal(mavlink.MAV_RESULT_DENIED, "Orbit: not in air")
        refusal = self.set_mode(self.rules.mode_for(Behaviour.ORBIT))
        if refusal.result != _ACCEPTED:
            return refusal
        speed = abs(speed_mps) if math.isfinite(speed_mps) and speed_mps else 1.0
        self.orbit = Orbit(east_m, north_m, up_m, abs(radius_m), speed if radius_m > 0 else -speed)
        self.reset_orbit()
        return Refusal(_ACCEPTED)

    def pause(self) -> Refusal:
        """Hold where the vehicle is (AUTO keeps its place in the mission)."""
        b = self.mode.behaviour
        if b is Behaviour.AUTO and self.mission is not None:
            if self.rules.personality == "px4":
                return self.set_mode(self.rules.mode_for(Behaviour.HOLD))
            self.mission.paused = True
            return Refusal(_ACCEPTED)
        if b in (Behaviour.GUIDED, Behaviour.HOLD):
            k = self.k
            if not k.on_ground:
                self.target = (k.east_m, k.north_m, k.up_m)
            return Refusal(_ACCEPTED)
        return Refusal(mavlink.MAV_RESULT_FAILED, "Pause: not in AUTO or GUIDED")

    def resume(self) -> Refusal:
        """Continue the mission after a pause."""
        if self.mode.behaviour is Behaviour.AUTO and self.mission is not None:
            self.mission.paused = False
            return Refusal(_ACCEPTED)
        if self.mission is not None and not self.mission.finished:
            return self.set_mode(self.rules.mode_for(Behaviour.AUTO))
        return Refusal(mavlink.MAV_RESULT_FAILED, "Continue: nothing to continue")

    def mission_start(self, first: int) -> Refusal:
        """MISSION_START: AUTO from the first item (or ``first`` when given)."""
        self.mission_current = first if first > 0 else self.rules.mission_offset
        self.mission = None
        refusal = self.set_mode(self.rules.mode_for(Behaviour.AUTO))
        return refusal

    def set_mission_current(self, seq: int) -> bool:
        """Continue the mission from item ``seq`` (vehicle numbering)."""
        items = self.plans.get(MissionType.MISSION)
        if not 0 <= seq < max(len(items), 1):
            return False
        seq = max(seq, self.rules.mission_offset)
        self.mission_current = seq
        if self.mission is not None:
            self.mission.set_current(seq)
        else:
            self.on_mission_current(seq)
        return True

    def set_home(self, east_m: float, north_m: float, up_m: float) -> None:
        """Move home."""
        self.home = (east_m, north_m, up_m)

    def gcs_heartbeat(self) -> None:
        """A ground station's HEARTBEAT arrived."""
        self.last_gcs_heartbeat_s = self.now_s()
        if self.gcs_failsafe:
            self.gcs_failsafe = False
            self.text(_SEVERITY_INFO, "GCS Failsafe Cleared")
            self._changed()

    def set_battery(self, remaining_pct: float) -> None:
        """Set the charge left (fault injection); failsafes may trigger on the next step."""
        cap = self.config.battery_capacity_mah
        self.used_mah = cap * (1 - max(0.0, min(100.0, remaining_pct)) / 100)
        if remaining_pct > self.setting("battery_low_pct"):
            self.battery_failsafe = 0

    # -- plans --------------------------------------------------------------------------------

    def on_plan_stored(self, mission_type: MissionType) -> None:
        """A plan upload or clear completed."""
        if mission_type == MissionType.FENCE:
            self.fence = Fence(self.plans.get(MissionType.FENCE), self.local_of)
            self.fence_breached = False
        elif mission_type == MissionType.MISSION:
            self.mission_current = self.rules.mission_offset
            if self.mode.behaviour is Behaviour.AUTO and self.flying:
                self._start_mission(resume=False)
            else:
                self.mission = None
            self.on_mission_current(self.mission_current)

    def check_plan(self, mission_type: MissionType, items: list[MissionItem]) -> tuple[int, str] | None:
        """Whole-plan checks at the end of an upload (PX4: the fence must contain home)."""
        from groundstation.sim._plans import check_fence_polygons

        if mission_type == MissionType.FENCE:
            if not check_fence_polygons(items):
                return mavlink.MAV_MISSION_INVALID, "Fence polygon vertex count mismatch"
            if self.rules.personality == "px4":
                fence = Fence(items, self.local_of)
                if fence.check(self.home[0], self.home[1], 0.0) is not None:
                    self.text(_SEVERITY_CRITICAL, "Geofence invalid, doesn't contain Home position")
                    return mavlink.MAV_MISSION_ERROR, "fence does not contain home"
        return None

    def _start_mission(self, *, resume: bool) -> None:
        items = self.plans.get(MissionType.MISSION)
        mission = self.mission
        if resume and mission is not None and not mission.finished and mission.items is items:
            mission.paused = False
            return
        first = self.mission_current
        if mission is not None and mission.finished:
            first = self.rules.mission_offset
        self.mission = MissionRunner(
            self, items, max(first, self.rules.mission_offset),
            rtl_switches_mode=self.rules.rtl_item_switches_mode,
            on_current=self._mission_current_changed, on_reached=self.on_item_reached,
            on_rtl=self._mission_rtl,
        )  # fmt: skip
        self._mission_current_changed(self.mission.current)

    def _mission_current_changed(self, seq: int) -> None:
        self.mission_current = seq
        self.on_mission_current(seq)

    def _mission_rtl(self) -> None:
        self._enter(self.rules.mode_for(Behaviour.RTL))

    # -- the step -----------------------------------------------------------------------------

    def update(self, dt_s: float) -> None:
        """Advance the vehicle by ``dt_s`` sim seconds."""
        now = self.now_s()
        self._drain(dt_s)
        self._failsafes(now)
        setpoint = self._setpoint()
        self.flight.step(dt_s, setpoint, motors_on=self.armed)
        self._after_step(now)

    def _drain(self, dt_s: float) -> None:
        cfg = self.config
        if self.armed:
            load = 1.0 + 0.02 * self.k.ground_speed_mps ** 1.5 if not self.k.on_ground else 0.15
            self.current_a = cfg.hover_current_a * load
        else:
            self.current_a = cfg.idle_current_a
        self.used_mah = min(cfg.battery_capacity_mah, self.used_mah + self.current_a * dt_s / 3.6)

    def _setpoint(self) -> Setpoint:
        k = self.k
        if not self.armed:
            return Idle()
        b = self.mode.behaviour
        if b is Behaviour.AUTO and self.mission is not None:
            return self.mission.setpoint()
        if self.task is not None:
            return self.task.setpoint()
        if self.orbit is not None:
            return Idle() if k.on_ground else self.orbit
        if k.on_ground and not self.taking_off:
            return Idle()
        if self.target is None:
            self.target = (k.east_m, k.north_m, k.up_m)
        east, north, up = self.target
        return GoTo(east, north, up, self.cruise_mps)

    def _after_step(self, now: float) -> None:
        k = self.k
        if self.taking_off and self.target is not None and k.up_m >= self.target[2] - 0.5:
            self.taking_off = False
            if self.mode.behaviour is Behaviour.TAKEOFF:
                self._enter(self.rules.mode_for(Behaviour.HOLD))
            self._changed()
        if not self.armed:
            return
        done_landing = (
            (self.task is not None and self.task.done)
            or (self.mode.behaviour is Behaviour.AUTO and self.mission is not None
                and self.mission.landed)
        )  # fmt: skip
        if done_landing and k.on_ground:
            if self._touchdown_s is None:
                self._touchdown_s = now
                self.text(_SEVERITY_INFO, "Landed")
                self._changed()
            if now - self._touchdown_s >= self.rules.land_disarm_delay_s:
                self.disarm(force=True, reason="landed")
            return
        if k.on_ground and not self.taking_off:
            if self._ground_since_s is None:
                self._ground_since_s = now
            delay = self.setting("disarm_delay_s")
            if delay > 0 and now - self._ground_since_s >= delay:
                self.disarm(force=True, reason="auto disarm")
        else:
            self._ground_since_s = None

    # -- failsafes ----------------------------------------------------------------------------

    def _failsafe(self, kind: str, message: str) -> None:
        action = self.rules.failsafe_action(self.params.get, kind)
        self.text(_SEVERITY_CRITICAL, message)
        if action is None or not self.flying:
            self._changed()
            return
        current = self.mode.behaviour
        if current is Behaviour.LAND or (current is Behaviour.RTL and action is not Behaviour.LAND):
            self._changed()
            return
        self._enter(self.rules.mode_for(action))

    def _failsafes(self, now: float) -> None:
        if not self.armed:
            return
        last = self.last_gcs_heartbeat_s
        timeout = self.setting("gcs_timeout_s")
        if (
            not self.gcs_failsafe
            and last is not None
            and self.flying
            and self.rules.failsafe_action(self.params.get, "gcs") is not None
            and now - last > timeout
        ):
            self.gcs_failsafe = True
            self._failsafe("gcs", "GCS Failsafe")
        pct = self.remaining_pct
        critical = self.setting("battery_critical_pct")
        low = self.setting("battery_low_pct")
        if self.battery_failsafe < 2 and critical > 0 and pct <= critical:
            self.battery_failsafe = 2
            self._failsafe("battery_critical", f"Battery critical: {pct:.0f}%")
        elif self.battery_failsafe < 1 and low > 0 and pct <= low:
            self.battery_failsafe = 1
            self._failsafe("battery_low", f"Battery low: {pct:.0f}%")
        if self.setting("fence_enabled") and self.flying:
            breach = self._fence_breach()
            if breach is not None and not self.fence_breached:
                self.fence_breached = True
                self._failsafe("fence", f"Fence breach: {breach.reason}")
            elif breach is None and self.fence_breached:
                self.fence_breached = False
                self._changed()

    def _fence_breach(self):  # type: ignore[no-untyped-def]
        k = self.k
        return self.fence.check(
            k.east_m, k.north_m, k.up_m - self.home[2],
            alt_max_m=self.setting("fence_alt_max_m"), radius_m=self.setting("fence_radius_m"),
            home=(self.home[0], self.home[1]), zones=bool(self.setting("fence_polygons")),
        )  # fmt: skip


def _starts_with_takeoff(items: list[MissionItem], first: int) -> bool:
    for item in items[first:]:
        if item.command == MavCmd.NAV_TAKEOFF:
            return True
        if item.command in (MavCmd.NAV_WAYPOINT, MavCmd.NAV_LAND, MavCmd.NAV_LOITER_TIME,
                            MavCmd.NAV_LOITER_TURNS, MavCmd.NAV_LOITER_UNLIM,
                            MavCmd.NAV_RETURN_TO_LAUNCH):  # fmt: skip
            return False
    return False
