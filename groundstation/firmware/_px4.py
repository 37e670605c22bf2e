"""PX4: main/sub custom modes, AMSL altitudes in commands, native orbit.

Sources: px4_custom_mode.h (main mode in bits 16-23, sub mode in bits 24-31), PX4's MAVLink
command handling, QGroundControl's PX4FirmwarePlugin (takeoff = NAV_TAKEOFF with an AMSL
altitude then arm; goto = DO_REPOSITION with CHANGE_MODE; pause = DO_REPOSITION with no
position, which holds; mission start = AUTO.MISSION then arm).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavFrame
from groundstation.firmware._base import (
    NAN,
    Arm,
    AutopilotFamily,
    FirmwarePlugin,
    FlightIntent,
    ModeSpec,
    ParamEncoding,
    SetMode,
    Step,
    cmd,
    home_alt_amsl_m,
    reposition,
)

if TYPE_CHECKING:
    from groundstation.mavlink._telemetry import VehicleState

__all__ = ["PX4_MODES", "Px4Plugin", "px4_custom_mode"]

# (main, sub) -> name
PX4_MODES: dict[tuple[int, int], str] = {
    (1, 0): "MANUAL",
    (2, 0): "ALTCTL",
    (3, 0): "POSCTL",
    (3, 1): "POSCTL.ORBIT",
    (4, 1): "AUTO.READY",
    (4, 2): "AUTO.TAKEOFF",
    (4, 3): "AUTO.LOITER",
    (4, 4): "AUTO.MISSION",
    (4, 5): "AUTO.RTL",
    (4, 6): "AUTO.LAND",
    (4, 8): "AUTO.FOLLOW_TARGET",
    (4, 9): "AUTO.PRECLAND",
    (4, 10): "AUTO.VTOL_TAKEOFF",
    (5, 0): "ACRO",
    (6, 0): "OFFBOARD",
    (7, 0): "STABILIZED",
}


def px4_custom_mode(main: int, sub: int) -> int:
    """HEARTBEAT custom_mode of a PX4 main/sub mode pair."""
    return (main << 16) | (sub << 24)


class Px4Plugin(FirmwarePlugin):
    """PX4 multicopter."""

    family = AutopilotFamily.PX4
    param_encoding = ParamEncoding.BYTEWISE
    intents = MappingProxyType(
        {
            FlightIntent.GUIDED: "AUTO.LOITER",
            FlightIntent.AUTO: "AUTO.MISSION",
            FlightIntent.RTL: "AUTO.RTL",
            FlightIntent.LAND: "AUTO.LAND",
            FlightIntent.LOITER: "AUTO.LOITER",
            FlightIntent.TAKEOFF: "AUTO.TAKEOFF",
            FlightIntent.MANUAL: "MANUAL",
            FlightIntent.STABILIZE: "STABILIZED",
            FlightIntent.ALT_HOLD: "ALTCTL",
            FlightIntent.POSITION: "POSCTL",
        }
    )

    def mode_specs(self) -> list[ModeSpec]:
        """PX4 modes; DO_SET_MODE takes the main mode in param2 and the sub mode in param3."""
        flag = mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
        return [
            ModeSpec(name, px4_custom_mode(main, sub), (flag, main, sub))
            for (main, sub), name in PX4_MODES.items()
        ]

    def mode_name(self, base_mode: int, custom_mode: int) -> str:
        """Mode name from the HEARTBEAT's custom_mode."""
        if not base_mode & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
            return "UNKNOWN"
        main = (custom_mode >> 16) & 0xFF
        sub = (custom_mode >> 24) & 0xFF
        name = PX4_MODES.get((main, sub)) or PX4_MODES.get((main, 0))
        return name if name is not None else f"MODE_{main}.{sub}"

    def takeoff(self, alt_m: float, state: VehicleState) -> list[Step]:
        """NAV_TAKEOFF to an AMSL altitude (switches to AUTO.TAKEOFF), then arm."""
        amsl = home_alt_amsl_m(state) + alt_m
        return [cmd(mavlink.MAV_CMD_NAV_TAKEOFF, -1, 0, 0, NAN, NAN, NAN, amsl), Arm()]

    def goto(self, lat_deg: float, lon_deg: float, alt_m: float, state: VehicleState) -> list[Step]:
        """DO_REPOSITION (COMMAND_INT, AMSL altitude) with CHANGE_MODE."""
        return [reposition(lat_deg, lon_deg, home_alt_amsl_m(state) + alt_m)]

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
        """MAV_CMD_DO_ORBIT (COMMAND_INT); a negative radius circles counter-clockwise."""
        amsl = home_alt_amsl_m(state) + alt_m if alt_m is not None else NAN
        return [
            cmd(
                mavlink.MAV_CMD_DO_ORBIT,
                radius_m if clockwise else -radius_m,
                speed_mps,
                mavlink.ORBIT_YAW_BEHAVIOUR_HOLD_FRONT_TO_CIRCLE_CENTER,
                0,
                lat_deg,
                lon_deg,
                amsl,
                use_int=True,
                frame=MavFrame.GLOBAL,
            )
        ]

    def start_mission(self, state: VehicleState) -> list[Step]:
        """AUTO.MISSION, then arm (a grounded vehicle takes off into the mission)."""
        return [SetMode(FlightIntent.AUTO), Arm()]

    def pause(self, state: VehicleState) -> list[Step]:
        """DO_REPOSITION with no position: hold where the vehicle is (AUTO.LOITER)."""
        return [reposition(NAN, NAN, NAN, use_int=False)]

    def resume(self, state: VehicleState) -> list[Step]:
        """Back to AUTO.MISSION, which continues from the current item."""
        return [SetMode(FlightIntent.AUTO)]


class GenericPlugin(Px4Plugin):
    """An autopilot that reports MAV_AUTOPILOT_GENERIC (e.g. MAVSDK's server components).

    Such peers follow the common command set and, in MAVSDK's case, PX4's mode encoding.
    """

    family = AutopilotFamily.GENERIC
