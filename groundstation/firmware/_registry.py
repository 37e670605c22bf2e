"""Pick the firmware plugin for a HEARTBEAT's autopilot field."""

from __future__ import annotations

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.firmware._ardupilot import ArduPilotPlugin
from groundstation.firmware._base import AutopilotFamily, FirmwarePlugin
from groundstation.firmware._px4 import GenericPlugin, Px4Plugin

__all__ = ["family_of", "plugin_for"]


def family_of(autopilot: int) -> AutopilotFamily:
    """The family of a MAV_AUTOPILOT value."""
    if autopilot == mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA:
        return AutopilotFamily.ARDUPILOT
    if autopilot == mavlink.MAV_AUTOPILOT_PX4:
        return AutopilotFamily.PX4
    return AutopilotFamily.GENERIC


def plugin_for(autopilot: int) -> FirmwarePlugin:
    """A new plugin instance for a MAV_AUTOPILOT value."""
    family = family_of(autopilot)
    if family is AutopilotFamily.ARDUPILOT:
        return ArduPilotPlugin()
    if family is AutopilotFamily.PX4:
        return Px4Plugin()
    return GenericPlugin()
