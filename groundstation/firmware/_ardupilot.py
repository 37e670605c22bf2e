"""ArduPilot (ArduCopter): custom-mode numbers, home as mission item 0, guided actions.

Sources: ArduCopter/mode.h (mode numbers), GCS_MAVLink_Copter (COMMAND_INT handling of
DO_REPOSITION, DO_PAUSE_CONTINUE, NAV_TAKEOFF in GUIDED), AC_Circle (CIRCLE mode centre),
QGroundControl's APMFirmwarePlugin (takeoff = GUIDED, arm, NAV_TAKEOFF with a relative
altitude; start mission from the ground = GUIDED, arm, MISSION_START).
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import TYPE_CHECKING

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavFrame, MissionItem, MissionType
from groundstation.firmware._base import (
    Arm,
    AutopilotFamily,
    Cmd,
    FirmwarePlugin,
    FlightIntent,
    ModeSpec,
    ParamEncoding,
    SetMode,
    SetParam,
    Step,
    WaitUntil,
    cmd,
    reposition,
    waypoint,
)
from groundstation.firmware._geo import distance_m

if TYPE_CHECKING:
    from groundstation.mavlink._telemetry import VehicleState

__all__ = ["COPTER_MODES", "ArduPilotPlugin"]

COPTER_MODES: dict[int, str] = {
    0: "STABILIZE",
    1: "ACRO",
    2: "ALT_HOLD",
    3: "AUTO",
    4: "GUIDED",
    5: "LOITER",
    6: "RTL",
    7: "CIRCLE",
    9: "LAND",
    11: "DRIFT",
    13: "SPORT",
    14: "FLIP",
    15: "AUTOTUNE",
    16: "POSHOLD",
    17: "BRAKE",
    18: "THROW",
    19: "AVOID_ADSB",
    20: "GUIDED_NOGPS",
    21: "SMART_RTL",
    22: "FLOWHOLD",
    23: "FOLLOW",
    24: "ZIGZAG",
    25: "SYSTEMID",
    26: "AUTOROTATE",
    27: "AUTO_RTL",
    28: "TURTLE",
}

CIRCLE_OPTION_INIT_AT_CENTER = 4  # CIRCLE_OPTIONS bit 2: circle around the stopping point
CIRCLE_RATE_MAX_DPS = 90.0


class ArduPilotPlugin(FirmwarePlugin):
    """ArduCopter."""

    family = AutopilotFamily.ARDUPILOT
    param_encoding = ParamEncoding.C_CAST
    intents = MappingProxyType(
        {
            FlightIntent.GUIDED: "GUIDED",
            FlightIntent.AUTO: "AUTO",
            FlightIntent.RTL: "RTL",
            FlightIntent.LAND: "LAND",
            FlightIntent.LOITER: "LOITER",
            FlightIntent.TAKEOFF: "GUIDED",
            FlightIntent.MANUAL: "STABILIZE",
            FlightIntent.STABILIZE: "STABILIZE",
            FlightIntent.ALT_HOLD: "ALT_HOLD",
            FlightIntent.POSITION: "POSHOLD",
            FlightIntent.CIRCLE: "CIRCLE",
            FlightIntent.BRAKE: "BRAKE",
        }
    )

    def mode_specs(self) -> list[ModeSpec]:
        """ArduCopter's custom modes; DO_SET_MODE takes the number in param2."""
        flag = mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
        return [ModeSpec(name, number, (flag, number, 0)) for number, name in COPTER_MODES.items()]

    def mode_name(self, base_mode: int, custom_mode: int) -> str:
        """Mode name from the HEARTBEAT's custom_mode."""
        if not base_mode & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
            return "UNKNOWN"
        return COPTER_MODES.get(custom_mode, f"MODE_{custom_mode}")

    def is_flying(self, state: VehicleState) -> bool:
        """Armed with an active system status, unless EXTENDED_SYS_STATE says otherwise."""
        if state.landed_state:
            return super().is_flying(state)
        return state.armed and state.system_status in ("ACTIVE", "CRITICAL", "EMERGENCY")

    def plan_offset(self, mission_type: MissionType) -> int:
        """ArduPilot keeps home as item 0 of the mission (not of fences or rally points)."""
        return 1 if mission_type == MissionType.MISSION else 0

    def home_item(self, state: VehicleState) -> MissionItem:
        """Item 0 of an uploaded mission: home (zeros when unknown; the vehicle keeps its own)."""
        home = state.home
        if home.valid:
            return waypoint(home.lat_deg, home.lon_deg, home.alt_amsl_m, MavFrame.GLOBAL)
        return waypoint(0.0, 0.0, 0.0, MavFrame.GLOBAL)

    def initial_requests(self, home_interval_s: float) -> list[Cmd]:
        """Also ask for HOME_POSITION and EXTENDED_SYS_STATE streams, which ArduPilot does not send unasked."""
        interval_us = home_interval_s * 1e6
        return super().initial_requests(home_interval_s) + [
            cmd(
                mavlink.MAV_CMD_SET_MESSAGE_INTERVAL,
                mavlink.MAVLINK_MSG_ID_HOME_POSITION,
                interval_us,
            ),
            cmd(
                mavlink.MAV_CMD_SET_MESSAGE_INTERVAL,
                mavlink.MAVLINK_MSG_ID_EXTENDED_SYS_STATE,
                interval_us,
            ),
        ]

    def takeoff(self, alt_m: float, state: VehicleState) -> list[Step]:
        """GUIDED, arm, then NAV_TAKEOFF with the altitude relative to home in param7."""
        return [
            SetMode(FlightIntent.GUIDED),
            Arm(),
            cmd(mavlink.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, alt_m),
        ]

    def _reposition(self, lat_deg: float, lon_deg: float, alt_m: float) -> Step:
        # ArduCopter takes DO_REPOSITION only as COMMAND_INT; the altitude is above home.
        return reposition(lat_deg, lon_deg, alt_m, frame=MavFrame.GLOBAL_RELATIVE_ALT)

    def goto(self, lat_deg: float, lon_deg: float, alt_m: float, state: VehicleState) -> list[Step]:
        """DO_REPOSITION (COMMAND_INT, relative altitude)."""
        return [self._reposition(lat_deg, lon_deg, alt_m)]

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
        """CIRCLE mode around the point: set radius/rate, fly to the centre, then CIRCLE.

        ArduCopter has no MAV_CMD_DO_ORBIT; CIRCLE centres on the stopping point when
        CIRCLE_OPTIONS has INIT_AT_CENTER, so the vehicle first repositions to the centre.
        """
        rate_dps = min(math.degrees(speed_mps / radius_m), CIRCLE_RATE_MAX_DPS)
        if not clockwise:
            rate_dps = -rate_dps
        target_alt_m = alt_m if alt_m is not None else state.position.alt_rel_m

        def at_centre(s: VehicleState) -> bool:
            pos = s.position
            return pos.valid and distance_m(pos.lat_deg, pos.lon_deg, lat_deg, lon_deg) <= (
                arrival_radius_m
            )

        return [
            SetParam("CIRCLE_RADIUS", round(radius_m * 100.0)),
            SetParam("CIRCLE_RATE", rate_dps),
            SetParam("CIRCLE_OPTIONS", CIRCLE_OPTION_INIT_AT_CENTER, or_bits=True),
            self._reposition(lat_deg, lon_deg, target_alt_m),
            WaitUntil(at_centre, "reach the orbit centre"),
            SetMode(FlightIntent.CIRCLE),
        ]

    def start_mission(self, state: VehicleState) -> list[Step]:
        """In the air: AUTO. On the ground: GUIDED, arm, MISSION_START."""
        if self.is_flying(state):
            return [SetMode(FlightIntent.AUTO)]
        return [SetMode(FlightIntent.GUIDED), Arm(), cmd(mavlink.MAV_CMD_MISSION_START)]

    def pause(self, state: VehicleState) -> list[Step]:
        """DO_PAUSE_CONTINUE 0 (holds in AUTO and GUIDED)."""
        return [cmd(mavlink.MAV_CMD_DO_PAUSE_CONTINUE, 0)]

    def resume(self, state: VehicleState) -> list[Step]:
        """DO_PAUSE_CONTINUE 1."""
        return [cmd(mavlink.MAV_CMD_DO_PAUSE_CONTINUE, 1)]
