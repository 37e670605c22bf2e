"""What every autopilot family provides, and the neutral steps its actions are made of.

A firmware plugin turns the station's intents ("take off to 30 m", "orbit this point") into a
list of :data:`Step` values: MAV_CMDs, mode changes, arming, parameter writes and waits on the
vehicle's state. The vehicle executes the steps with its one command engine, so no plugin
touches a socket, and the steps themselves can be checked in unit tests. This package is the
only place in the station that knows how ArduPilot and PX4 differ.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavCmd, MavFrame, MissionItem, MissionType
from groundstation._exceptions import CommandError

if TYPE_CHECKING:
    from groundstation.mavlink._telemetry import VehicleState

__all__ = [
    "Arm",
    "AutopilotFamily",
    "Cmd",
    "FirmwarePlugin",
    "FlightIntent",
    "ModeSpec",
    "ParamEncoding",
    "SetMode",
    "SetParam",
    "Step",
    "UnsupportedAction",
    "WaitUntil",
]

NAN = math.nan
ARM_FORCE_MAGIC = 21196  # MAV_CMD_COMPONENT_ARM_DISARM param2 that skips pre-arm checks


class UnsupportedAction(CommandError):
    """The vehicle's firmware has no way to do what was asked (or lacks the state to do it)."""


class AutopilotFamily(StrEnum):
    """Flight-stack families the station knows the quirks of."""

    ARDUPILOT = "ardupilot"
    PX4 = "px4"
    GENERIC = "generic"


class FlightIntent(StrEnum):
    """What a caller wants the vehicle to do, independent of the firmware's mode numbers."""

    GUIDED = "GUIDED"  # fly to positions the station sends
    AUTO = "AUTO"  # fly the uploaded mission
    RTL = "RTL"
    LAND = "LAND"
    LOITER = "LOITER"  # hold position
    TAKEOFF = "TAKEOFF"
    MANUAL = "MANUAL"
    STABILIZE = "STABILIZE"
    ALT_HOLD = "ALT_HOLD"
    POSITION = "POSITION"
    CIRCLE = "CIRCLE"
    BRAKE = "BRAKE"


class ParamEncoding(Enum):
    """How integer parameters travel in PARAM_VALUE/PARAM_SET's float field."""

    C_CAST = "c_cast"  # the integer converted to a float (ArduPilot)
    BYTEWISE = "bytewise"  # the integer's bytes reinterpreted as a float (PX4, MAVSDK)


@dataclass(frozen=True, slots=True)
class ModeSpec:
    """One firmware flight mode: its name and the DO_SET_MODE parameters that select it."""

    name: str
    custom_mode: int
    set_params: tuple[float, float, float]  # DO_SET_MODE param1..3


@dataclass(frozen=True, slots=True)
class Cmd:
    """A MAV_CMD: seven params; with ``use_int`` param5/6 are degrees sent as COMMAND_INT x/y."""

    command: int
    params: tuple[float, float, float, float, float, float, float]
    use_int: bool = False
    frame: int = MavFrame.GLOBAL

    @property
    def name(self) -> str:
        """The MAV_CMD name without its prefix."""
        entry = mavlink.enums["MAV_CMD"].get(self.command)
        return entry.name.removeprefix("MAV_CMD_") if entry is not None else str(self.command)


@dataclass(frozen=True, slots=True)
class SetMode:
    """Change flight mode (an intent, or one of the firmware's own mode names)."""

    mode: FlightIntent | str


@dataclass(frozen=True, slots=True)
class Arm:
    """Arm the vehicle unless it already is."""

    force: bool = False


@dataclass(frozen=True, slots=True)
class SetParam:
    """Write a parameter (and verify it); with ``or_bits`` the value is OR-ed into the current one."""

    name: str
    value: float
    or_bits: bool = False


@dataclass(frozen=True, slots=True)
class WaitUntil:
    """Wait (bounded by the guided-arrival timeout) until the vehicle's state satisfies a test."""

    test: Callable[[VehicleState], bool]
    description: str


Step = Cmd | SetMode | Arm | SetParam | WaitUntil


def cmd(command: int, *params: float, use_int: bool = False, frame: int = MavFrame.GLOBAL) -> Cmd:
    """Build a :class:`Cmd`, padding the parameters to seven with zeros."""
    if len(params) > 7:
        raise ValueError("a MAV_CMD has seven parameters")
    padded = tuple(float(p) for p in params) + (0.0,) * (7 - len(params))
    return Cmd(command, padded, use_int, frame)  # type: ignore[arg-type]


def reposition(
    lat_deg: float,
    lon_deg: float,
    alt: float,
    *,
    frame: int = MavFrame.GLOBAL,
    use_int: bool = True,
) -> Cmd:
    """MAV_CMD_DO_REPOSITION at the default speed, switching to the guided mode if needed.

    NaN coordinates mean "where the vehicle is" (sent as COMMAND_LONG, which can carry NaN).
    """
    return cmd(
        mavlink.MAV_CMD_DO_REPOSITION,
        -1,
        mavlink.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE,
        0,
        NAN,
        lat_deg,
        lon_deg,
        alt,
        use_int=use_int,
        frame=frame,
    )


def home_alt_amsl_m(state: VehicleState) -> float:
    """Home altitude above mean sea level, from HOME_POSITION or derived from the position."""
    if state.home.valid:
        return state.home.alt_amsl_m
    pos = state.position
    if pos.valid:
        return pos.alt_amsl_m - pos.alt_rel_m
    raise UnsupportedAction("home altitude unknown: no HOME_POSITION and no position yet")


class FirmwarePlugin(ABC):
    """The quirks of one autopilot family."""

    family: AutopilotFamily
    param_encoding: ParamEncoding
    intents: Mapping[FlightIntent, str]  # intent -> mode name

    def __init__(self) -> None:
        self._by_name = {spec.name: spec for spec in self.mode_specs()}

    # -- modes ------------------------------------------------------------------------------

    @abstractmethod
    def mode_specs(self) -> list[ModeSpec]:
        """Every flight mode of this family."""

    @abstractmethod
    def mode_name(self, base_mode: int, custom_mode: int) -> str:
        """The name of the mode a HEARTBEAT reports."""

    def mode(self, mode: FlightIntent | str) -> ModeSpec:
        """The mode that satisfies an intent, or a mode by its firmware name."""
        if isinstance(mode, FlightIntent):
            name = self.intents.get(mode)
            if name is None:
                raise UnsupportedAction(f"{self.family} has no mode for {mode.value}")
        else:
            name = mode.upper()
            if name in FlightIntent.__members__ and name not in self._by_name:
                return self.mode(FlightIntent(name))
        spec = self._by_name.get(name)
        if spec is None:
            raise UnsupportedAction(f"{self.family} has no mode {name!r}")
        return spec

    def set_mode_cmd(self, spec: ModeSpec) -> Cmd:
        """The MAV_CMD_DO_SET_MODE that selects a mode."""
        return cmd(mavlink.MAV_CMD_DO_SET_MODE, *spec.set_params)

    # -- vehicle facts ----------------------------------------------------------------------

    def is_flying(self, state: VehicleState) -> bool:
        """Whether the vehicle is in the air (EXTENDED_SYS_STATE when known)."""
        landed = state.landed_state
        if landed:
            return landed in (
                mavlink.MAV_LANDED_STATE_IN_AIR,
                mavlink.MAV_LANDED_STATE_TAKEOFF,
                mavlink.MAV_LANDED_STATE_LANDING,
            )
        return state.armed and state.position.valid and state.position.alt_rel_m > 1.0

    def plan_offset(self, mission_type: MissionType) -> int:
        """Items the firmware keeps in front of the station's plan (ArduPilot's home)."""
        return 0

    def home_item(self, state: VehicleState) -> MissionItem | None:
        """The item to upload in front of a mission, when the firmware reserves one."""
        return None

    def initial_requests(self, home_interval_s: float) -> list[Cmd]:
        """Commands sent once to a newly discovered vehicle (best effort)."""
        return [
            cmd(mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_AUTOPILOT_VERSION),
            cmd(mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_HOME_POSITION),
            # param2 0: every stream; a vehicle without a camera answers UNSUPPORTED
            cmd(mavlink.MAV_CMD_REQUEST_MESSAGE, mavlink.MAVLINK_MSG_ID_VIDEO_STREAM_INFORMATION, 0),
        ]

    # -- actions ----------------------------------------------------------------------------

    def arm(self, force: bool) -> list[Step]:
        """Arm (force skips pre-arm checks)."""
        return [cmd(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1, ARM_FORCE_MAGIC if force else 0)]

    def disarm(self, force: bool) -> list[Step]:
        """Disarm (force disarms even in flight)."""
        return [cmd(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 0, ARM_FORCE_MAGIC if force else 0)]

    def land(self, state: VehicleState) -> list[Step]:
        """Land where the vehicle is."""
        return [SetMode(FlightIntent.LAND)]

    def return_to_launch(self, state: VehicleState) -> list[Step]:
        """Fly home and land."""
        return [SetMode(FlightIntent.RTL)]

    def set_speed(self, speed_mps: float) -> list[Step]:
        """Change the horizontal ground speed."""
        return [cmd(mavlink.MAV_CMD_DO_CHANGE_SPEED, 1, speed_mps, -1, 0)]

    @abstractmethod
    def takeoff(self, alt_m: float, state: VehicleState) -> list[Step]:
        """Arm if needed and climb to ``alt_m`` above home."""

    @abstractmethod
    def goto(self, lat_deg: float, lon_deg: float, alt_m: float, state: VehicleState) -> list[Step]:
        """Fly to a point, ``alt_m`` above home, and hold there."""

    @abstractmethod
    def orbit(
        self,
        lat_deg: float,
        lon_deg: float,
        radius_m: float,
        speed_mps: float,
        clockwise: bool,
        alt_m: float | None,
        arrival_radius_m: float,
        state: VehicleState,
    ) -> list[Step]:
        """Circle a point (at ``alt_m`` above home, or the current altitude)."""

    @abstractmethod
    def start_mission(self, state: VehicleState) -> list[Step]:
        """Start the uploaded mission from the ground or from the air."""

    @abstractmethod
    def pause(self, state: VehicleState) -> list[Step]:
        """Stop and hold position."""

    @abstractmethod
    def resume(self, state: VehicleState) -> list[Step]:
        """Continue the mission after a pause."""


def waypoint(lat_deg: float, lon_deg: float, alt_m: float, frame: int) -> MissionItem:
    """A plain NAV_WAYPOINT item (used for ArduPilot's home slot)."""
    return MissionItem(
        command=MavCmd.NAV_WAYPOINT,
        frame=frame,
        x=round(lat_deg * 1e7),
        y=round(lon_deg * 1e7),
        z=alt_m,
    )
