"""Autopilot families (ArduPilot, PX4, generic MAVLink): the only place their differences live.

Callers ask for intents (:class:`FlightIntent`) and actions; a :class:`FirmwarePlugin` answers
with firmware mode numbers and the :data:`Step` sequence that performs the action on that
family. ``groundstation.mavlink.Vehicle`` picks the plugin from the HEARTBEAT and runs the
steps; nothing else in the station branches on the autopilot.
"""

from groundstation.firmware._ardupilot import COPTER_MODES, ArduPilotPlugin
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
    UnsupportedAction,
    WaitUntil,
    cmd,
)
from groundstation.firmware._px4 import PX4_MODES, GenericPlugin, Px4Plugin, px4_custom_mode
from groundstation.firmware._registry import family_of, plugin_for

__all__ = [
    "COPTER_MODES",
    "PX4_MODES",
    "ArduPilotPlugin",
    "Arm",
    "AutopilotFamily",
    "Cmd",
    "FirmwarePlugin",
    "FlightIntent",
    "GenericPlugin",
    "ModeSpec",
    "ParamEncoding",
    "Px4Plugin",
    "SetMode",
    "SetParam",
    "Step",
    "UnsupportedAction",
    "WaitUntil",
    "cmd",
    "family_of",
    "plugin_for",
    "px4_custom_mode",
]
