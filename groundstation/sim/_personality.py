"""How the simulated vehicle behaves like ArduCopter or PX4: modes, parameters, quirks.

The vehicle's logic works with behaviours (:class:`Behaviour`); a personality names and numbers
them the way its autopilot does and holds that autopilot's parameter names and defaults.
Mode numbers were checked against ArduCopter/mode.h (``Mode::Number``) and PX4's
px4_custom_mode.h (main mode in bits 16-23, sub mode in bits 24-31).

Parameters the logic reads are looked up through :meth:`Personality.setting`, which converts
each autopilot's parameter and unit into one neutral quantity (``cruise_mps``, ``rtl_alt_m``...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.sim._config import Personality, SimConfig

__all__ = ["Behaviour", "FlightMode", "ParamSpec", "PersonalityRules", "rules_for"]

_REAL32 = mavlink.MAV_PARAM_TYPE_REAL32
_INT8 = mavlink.MAV_PARAM_TYPE_INT8
_INT16 = mavlink.MAV_PARAM_TYPE_INT16
_INT32 = mavlink.MAV_PARAM_TYPE_INT32


class Behaviour(Enum):
    """What the vehicle does in a mode (the simulator has no RC: manual modes hold)."""

    MANUAL = "manual"  # no pilot: holds position and altitude
    GUIDED = "guided"  # flies to the position the station gives
    HOLD = "hold"  # holds (PX4 AUTO.LOITER also flies to a reposition target)
    TAKEOFF = "takeoff"  # PX4 AUTO.TAKEOFF: climb, then hold
    AUTO = "auto"  # flies the uploaded mission
    RTL = "rtl"
    LAND = "land"
    CIRCLE = "circle"  # ArduCopter CIRCLE: circles using CIRCLE_RADIUS / CIRCLE_RATE
    ORBIT = "orbit"  # PX4 orbit (DO_ORBIT)


@dataclass(frozen=True, slots=True)
class FlightMode:
    """One autopilot mode: name, HEARTBEAT custom_mode, behaviour, and whether arming is allowed."""

    name: str
    custom_mode: int
    behaviour: Behaviour
    armable: bool


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """A parameter: name, MAV_PARAM_TYPE and default value."""

    name: str
    param_type: int
    default: float


def _px4_mode(main: int, sub: int) -> int:
    return (main << 16) | (sub << 24)


_B = Behaviour
_COPTER_MODES = (
    FlightMode("STABILIZE", 0, _B.MANUAL, True),
    FlightMode("ACRO", 1, _B.MANUAL, True),
    FlightMode("ALT_HOLD", 2, _B.MANUAL, True),
    FlightMode("AUTO", 3, _B.AUTO, False),
    FlightMode("GUIDED", 4, _B.GUIDED, True),
    FlightMode("LOITER", 5, _B.HOLD, True),
    FlightMode("RTL", 6, _B.RTL, False),
    FlightMode("CIRCLE", 7, _B.CIRCLE, False),
    FlightMode("LAND", 9, _B.LAND, False),
    FlightMode("DRIFT", 11, _B.MANUAL, True),
    FlightMode("SPORT", 13, _B.MANUAL, True),
    FlightMode("POSHOLD", 16, _B.HOLD, True),
    FlightMode("BRAKE", 17, _B.HOLD, False),
    FlightMode("SMART_RTL", 21, _B.RTL, False),
)
_PX4_MODES = (
    FlightMode("MANUAL", _px4_mode(1, 0), _B.MANUAL, True),
    FlightMode("ALTCTL", _px4_mode(2, 0), _B.MANUAL, True),
    FlightMode("POSCTL", _px4_mode(3, 0), _B.HOLD, True),
    FlightMode("POSCTL.ORBIT", _px4_mode(3, 1), _B.ORBIT, False),
    FlightMode("AUTO.TAKEOFF", _px4_mode(4, 2), _B.TAKEOFF, True),
    FlightMode("AUTO.LOITER", _px4_mode(4, 3), _B.HOLD, True),
    FlightMode("AUTO.MISSION", _px4_mode(4, 4), _B.AUTO, True),
    FlightMode("AUTO.RTL", _px4_mode(4, 5), _B.RTL, False),
    FlightMode("AUTO.LAND", _px4_mode(4, 6), _B.LAND, False),
    FlightMode("AUTO.PRECLAND", _px4_mode(4, 9), _B.LAND, False),
    FlightMode("ACRO", _px4_mode(5, 0), _B.MANUAL, True),
    FlightMode("OFFBOARD", _px4_mode(6, 0), _B.HOLD, False),
    FlightMode("STABILIZED", _px4_mode(7, 0), _B.MANUAL, True),
)


class PersonalityRules:
    """What differs between the autopilots the simulator can play."""

    personality: Personality
    autopilot: int
    modes: tuple[FlightMode, ...]
    mission_offset: int  # items kept in front of the uploaded plan (ArduPilot: home)
    modes_for: ClassVar[dict[Behaviour, str]]  # the mode used for each behaviour
    bytewise_params: bool
    arming_refusal: int  # MAV_RESULT for a failed pre-arm check
    mode_refusal: int  # MAV_RESULT for a refused mode change
    land_disarm_delay_s: float
    home_streamed: bool  # HOME_POSITION sent without being asked
    rtl_item_switches_mode: bool  # a mission's RETURN_TO_LAUNCH item changes the mode to RTL
    takeoff_alt_amsl: bool  # NAV_TAKEOFF param7 is AMSL (PX4) rather than above home
    reposition_long_ok: bool  # DO_REPOSITION accepted as COMMAND_LONG
    legacy_first_request: bool  # asks for item 0 with MISSION_REQUEST on a fresh link (PX4)
    takeoff_needs_guided: bool  # NAV_TAKEOFF only in the guided mode, armed (ArduCopter)
    orbit_supported: bool

    def __init__(self) -> None:
        self._by_name = {m.name: m for m in self.modes}
        self._by_number = {m.custom_mode: m for m in self.modes}

    def mode(self, name: str) -> FlightMode:
        """A mode by its name."""
        return self._by_name[name]

    def mode_by_number(self, custom_mode: int) -> FlightMode | None:
        """A mode by its HEARTBEAT custom_mode."""
        return self._by_number.get(custom_mode)

    def mode_for(self, behaviour: Behaviour) -> FlightMode:
        """The mode this autopilot uses for a behaviour."""
        return self._by_name[self.modes_for[behaviour]]

    def mode_from_set_mode(self, param2: float, param3: float) -> FlightMode | None:
        """The mode a DO_SET_MODE / SET_MODE asks for (None when unknown)."""
        raise NotImplementedError

    def param_specs(self, config: SimConfig) -> list[ParamSpec]:
        """This autopilot's parameters, with defaults from the vehicle's configuration."""
        raise NotImplementedError

    def setting(self, get: Callable[[str], float], name: str) -> float:
        """A neutral setting (SI units) read from this autopilot's parameters."""
        raise NotImplementedError

    def failsafe_action(self, get: Callable[[str], float], kind: str) -> Behaviour | None:
        """What a failsafe (``gcs``, ``fence``, ``battery_low``, ``battery_critical``) does; None: only warn."""
        raise NotImplementedError

    def capabilities(self) -> int:
        """AUTOPILOT_VERSION capabilities."""
        caps = (
            mavlink.MAV_PROTOCOL_CAPABILITY_MISSION_INT
            | mavlink.MAV_PROTOCOL_CAPABILITY_COMMAND_INT
            | mavlink.MAV_PROTOCOL_CAPABILITY_MAVLINK2
            | mavlink.MAV_PROTOCOL_CAPABILITY_SET_POSITION_TARGET_GLOBAL_INT
            | mavlink.MAV_PROTOCOL_CAPABILITY_MISSION_FENCE
            | mavlink.MAV_PROTOCOL_CAPABILITY_MISSION_RALLY
        )
        if self.bytewise_params:
            return caps | mavlink.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE
        return caps | mavlink.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_C_CAST


class ArduCopterRules(PersonalityRules):
    """ArduCopter 4.x."""

    personality = Personality.ARDUPILOT
    autopilot = mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA
    modes = _COPTER_MODES
    mission_offset = 1
    modes_for: ClassVar[dict[Behaviour, str]] = {
        _B.GUIDED: "GUIDED", _B.HOLD: "LOITER", _B.TAKEOFF: "GUIDED", _B.AUTO: "AUTO",
        _B.RTL: "RTL", _B.LAND: "LAND", _B.CIRCLE: "CIRCLE", _B.ORBIT: "CIRCLE",
        _B.MANUAL: "STABILIZE",
    }  # fmt: skip
    bytewise_params = False
    arming_refusal = mavlink.MAV_RESULT_FAILED
    mode_refusal = mavlink.MAV_RESULT_FAILED
    land_disarm_delay_s = 1.0
    home_streamed = False
    rtl_item_switches_mode = False
    takeoff_alt_amsl = False
    reposition_long_ok = False
    legacy_first_request = False
    takeoff_needs_guided = True
    orbit_supported = False

    def mode_from_set_mode(self, param2: float, param3: float) -> FlightMode | None:
        """ArduPilot: the custom mode number is in param2."""
        return self.mode_by_number(int(param2))

    def param_specs(self, config: SimConfig) -> list[ParamSpec]:
        """ArduCopter parameters (speeds in cm/s, RTL altitude in cm, as ArduCopter keeps them)."""
        cap = config.battery_capacity_mah
        return [
            ParamSpec("SYSID_THISMAV", _INT16, config.system_id),
            ParamSpec("WPNAV_SPEED", _REAL32, config.cruise_speed_mps * 100),
            ParamSpec("WPNAV_SPEED_UP", _REAL32, config.climb_speed_mps * 100),
            ParamSpec("WPNAV_SPEED_DN", _REAL32, config.descent_speed_mps * 100),
            ParamSpec("WPNAV_ACCEL", _REAL32, config.accel_mps2 * 100),
            ParamSpec("WPNAV_RADIUS", _REAL32, 200.0),
            ParamSpec("LAND_SPEED", _INT16, config.land_speed_mps * 100),
            ParamSpec("RTL_ALT", _INT32, 1500),
            ParamSpec("RTL_SPEED", _INT16, 0),
            ParamSpec("RTL_LOIT_TIME", _INT32, 5000),
            ParamSpec("CIRCLE_RADIUS", _REAL32, 1000.0),
            ParamSpec("CIRCLE_RATE", _REAL32, 20.0),
            ParamSpec("CIRCLE_OPTIONS", _INT16, 1),
            ParamSpec("FENCE_ENABLE", _INT8, 0),
            ParamSpec("FENCE_TYPE", _INT8, 7),
            ParamSpec("FENCE_ACTION", _INT8, 1),
            ParamSpec("FENCE_ALT_MAX", _REAL32, 100.0),
            ParamSpec("FENCE_RADIUS", _REAL32, 300.0),
            ParamSpec("FENCE_MARGIN", _REAL32, 2.0),
            ParamSpec("FS_GCS_ENABLE", _INT8, 0),
            ParamSpec("FS_GCS_TIMEOUT", _REAL32, 5.0),
            ParamSpec("BATT_CAPACITY", _INT32, cap),
            ParamSpec("BATT_LOW_MAH", _REAL32, round(cap * 0.2)),
            ParamSpec("BATT_CRT_MAH", _REAL32, round(cap * 0.1)),
            ParamSpec("BATT_FS_LOW_ACT", _INT8, 2),
            ParamSpec("BATT_FS_CRT_ACT", _INT8, 1),
            ParamSpec("DISARM_DELAY", _INT8, 10),
            ParamSpec("RALLY_LIMIT_KM", _REAL32, 0.3),
            ParamSpec("RALLY_INCL_HOME", _INT8, 1),
            ParamSpec("ARMING_CHECK", _INT32, 1),
        ]

    def failsafe_action(self, get: Callable[[str], float], kind: str) -> Behaviour | None:
        """FS_GCS_ENABLE, FENCE_ACTION, BATT_FS_LOW_ACT / BATT_FS_CRT_ACT."""
        value = int(get({"gcs": "FS_GCS_ENABLE", "fence": "FENCE_ACTION",
                         "battery_low": "BATT_FS_LOW_ACT",
                         "battery_critical": "BATT_FS_CRT_ACT"}[kind]))
        if kind == "gcs":
            return {1: _B.RTL, 2: _B.RTL, 3: _B.RTL, 4: _B.RTL, 5: _B.LAND}.get(value)
        if kind == "fence":
            return {1: _B.RTL, 2: _B.LAND, 3: _B.RTL, 4: _B.HOLD}.get(value)
        return {1: _B.LAND, 2: _B.RTL, 3: _B.RTL, 4: _B.RTL, 5: _B.LAND}.get(value)

    def setting(self, get: Callable[[str], float], name: str) -> float:
        """Neutral settings from ArduCopter parameters."""
        cap = get("BATT_CAPACITY")
        match name:
            case "cruise_mps":
                return get("WPNAV_SPEED") / 100
            case "climb_mps":
                return get("WPNAV_SPEED_UP") / 100
            case "descent_mps":
                return get("WPNAV_SPEED_DN") / 100
            case "land_mps":
                return get("LAND_SPEED") / 100
            case "accept_radius_m":
                return max(get("WPNAV_RADIUS") / 100, 0.05)
            case "rtl_alt_m":
                return get("RTL_ALT") / 100
            case "rtl_speed_mps":
                return (get("RTL_SPEED") or get("WPNAV_SPEED")) / 100
            case "rtl_loiter_s":
                return get("RTL_LOIT_TIME") / 1000
            case "takeoff_alt_m":
                return 2.5
            case "gcs_timeout_s":
                return get("FS_GCS_TIMEOUT")
            case "battery_low_pct":
                return 100 * get("BATT_LOW_MAH") / cap if cap > 0 else 0.0
            case "battery_critical_pct":
                return 100 * get("BATT_CRT_MAH") / cap if cap > 0 else 0.0
            case "disarm_delay_s":
                return get("DISARM_DELAY")
            case "fence_enabled":
                return get("FENCE_ENABLE")
            case "fence_alt_max_m":
                return get("FENCE_ALT_MAX") if int(get("FENCE_TYPE")) & 1 else 0.0
            case "fence_radius_m":
                return get("FENCE_RADIUS") if int(get("FENCE_TYPE")) & 2 else 0.0
            case "fence_polygons":
                return float(int(get("FENCE_TYPE")) & 4 != 0)
            case "rally_limit_m":
                return get("RALLY_LIMIT_KM") * 1000
        raise KeyError(name)


class Px4Rules(PersonalityRules):
    """PX4 multicopter (1.14 - 1.16)."""

    personality = Personality.PX4
    autopilot = mavlink.MAV_AUTOPILOT_PX4
    modes = _PX4_MODES
    mission_offset = 0
    modes_for: ClassVar[dict[Behaviour, str]] = {
        _B.GUIDED: "AUTO.LOITER", _B.HOLD: "AUTO.LOITER", _B.TAKEOFF: "AUTO.TAKEOFF",
        _B.AUTO: "AUTO.MISSION", _B.RTL: "AUTO.RTL", _B.LAND: "AUTO.LAND",
        _B.CIRCLE: "POSCTL.ORBIT", _B.ORBIT: "POSCTL.ORBIT", _B.MANUAL: "POSCTL",
    }  # fmt: skip
    bytewise_params = True
    arming_refusal = mavlink.MAV_RESULT_TEMPORARILY_REJECTED
    mode_refusal = mavlink.MAV_RESULT_TEMPORARILY_REJECTED
    land_disarm_delay_s = 2.0
    home_streamed = True
    rtl_item_switches_mode = True
    takeoff_alt_amsl = True
    reposition_long_ok = True
    legacy_first_request = True
    takeoff_needs_guided = False
    orbit_supported = True

    def mode_from_set_mode(self, param2: float, param3: float) -> FlightMode | None:
        """PX4: main mode in param2, sub mode in param3."""
        return self.mode_by_number(_px4_mode(int(param2), int(param3)))

    def param_specs(self, config: SimConfig) -> list[ParamSpec]:
        """PX4 parameters (SI units; integers travel bytewise)."""
        return [
            ParamSpec("MAV_SYS_ID", _INT32, config.system_id),
            ParamSpec("MPC_XY_CRUISE", _REAL32, config.cruise_speed_mps),
            ParamSpec("MPC_XY_VEL_MAX", _REAL32, config.max_speed_mps),
            ParamSpec("MPC_Z_VEL_MAX_UP", _REAL32, config.climb_speed_mps),
            ParamSpec("MPC_Z_VEL_MAX_DN", _REAL32, config.descent_speed_mps),
            ParamSpec("MPC_LAND_SPEED", _REAL32, config.land_speed_mps),
            ParamSpec("MPC_ACC_HOR", _REAL32, config.accel_mps2),
            ParamSpec("MIS_TAKEOFF_ALT", _REAL32, 2.5),
            ParamSpec("NAV_ACC_RAD", _REAL32, 2.0),
            ParamSpec("RTL_RETURN_ALT", _REAL32, 30.0),
            ParamSpec("RTL_DESCEND_ALT", _REAL32, 10.0),
            ParamSpec("RTL_LAND_DELAY", _REAL32, 0.0),
            ParamSpec("NAV_DLL_ACT", _INT32, 0),
            ParamSpec("COM_DL_LOSS_T", _INT32, 10),
            ParamSpec("GF_ACTION", _INT32, 2),
            ParamSpec("GF_MAX_HOR_DIST", _REAL32, 0.0),
            ParamSpec("GF_MAX_VER_DIST", _REAL32, 0.0),
            ParamSpec("BAT1_CAPACITY", _REAL32, config.battery_capacity_mah),
            ParamSpec("BAT_LOW_THR", _REAL32, 0.15),
            ParamSpec("BAT_CRIT_THR", _REAL32, 0.07),
            ParamSpec("BAT_EMERGEN_THR", _REAL32, 0.05),
            ParamSpec("COM_LOW_BAT_ACT", _INT32, 3),
            ParamSpec("COM_DISARM_PRFLT", _REAL32, 10.0),
            ParamSpec("COM_DISARM_LAND", _REAL32, 2.0),
        ]

    def failsafe_action(self, get: Callable[[str], float], kind: str) -> Behaviour | None:
        """NAV_DLL_ACT, GF_ACTION, COM_LOW_BAT_ACT."""
        if kind == "gcs":
            return {1: _B.HOLD, 2: _B.RTL, 3: _B.LAND}.get(int(get("NAV_DLL_ACT")))
        if kind == "fence":
            return {2: _B.HOLD, 3: _B.RTL, 5: _B.LAND}.get(int(get("GF_ACTION")))
        action = int(get("COM_LOW_BAT_ACT"))
        if kind == "battery_low":
            return {2: _B.LAND, 3: _B.RTL}.get(action)
        return _B.LAND if action in (2, 3) else None

    def setting(self, get: Callable[[str], float], name: str) -> float:
        """Neutral settings from PX4 parameters."""
        match name:
            case "cruise_mps" | "rtl_speed_mps":
                return get("MPC_XY_CRUISE")
            case "climb_mps":
                return get("MPC_Z_VEL_MAX_UP")
            case "descent_mps":
                return get("MPC_Z_VEL_MAX_DN")
            case "land_mps":
                return get("MPC_LAND_SPEED")
            case "accept_radius_m":
                return max(get("NAV_ACC_RAD"), 0.05)
            case "rtl_alt_m":
                return get("RTL_RETURN_ALT")
            case "rtl_loiter_s":
                return get("RTL_LAND_DELAY")
            case "takeoff_alt_m":
                return get("MIS_TAKEOFF_ALT")
            case "gcs_timeout_s":
                return get("COM_DL_LOSS_T")
            case "battery_low_pct":
                return 100 * get("BAT_CRIT_THR")
            case "battery_critical_pct":
                return 100 * get("BAT_EMERGEN_THR")
            case "disarm_delay_s":
                return get("COM_DISARM_PRFLT")
            case "fence_enabled":
                return float(get("GF_ACTION") != 0)
            case "fence_alt_max_m":
                return get("GF_MAX_VER_DIST")
            case "fence_radius_m":
                return get("GF_MAX_HOR_DIST")
            case "fence_polygons":
                return 1.0
            case "rally_limit_m":
                return 0.0
        raise KeyError(name)


def rules_for(personality: Personality) -> PersonalityRules:
    """The rules of a personality."""
    if personality is Personality.PX4:
        return Px4Rules()
    return ArduCopterRules()
