"""Launch overhead and readiness of a dock for dispatch, from the docks' own timings and limits.

The one-click sequence (``docks.Sortie``) runs the self-check, the cover opening and the drone's
power-on, link and route upload side by side, then arms and takes off; a charging dock first
stops charging. The overhead is the longest of the parallel steps plus the take-off.
"""

from __future__ import annotations

from docks import (
    DockPower,
    DockState,
    DoorState,
    LaunchSettings,
    SimTimings,
)
from groundstation.dispatch._model import DockSnapshot, Exclusion, Reason
from groundstation.dispatch._settings import DispatchSettings

LAUNCHABLE = frozenset({DockState.IDLE_READY, DockState.IDLE_CHARGING})


def launch_overhead_s(
    dock: DockSnapshot, *, timings: SimTimings, settings: DispatchSettings
) -> float:
    """Seconds from the click to the drone off the pad, for the dock as it is now."""
    readings = dock.readings
    door_open = readings is not None and readings.door is DoorState.OPEN
    powered = readings is not None and readings.drone_powered
    cover_s = 0.0 if door_open else timings.cover_travel_s
    drone_s = (0.0 if powered else timings.drone_boot_s) + settings.link_upload_s
    charging_s = timings.charge_switch_s if dock.state is DockState.IDLE_CHARGING else 0.0
    return charging_s + max(timings.self_check_s, cover_s, drone_s) + settings.arm_takeoff_s


def dock_exclusions(dock: DockSnapshot, launch: LaunchSettings) -> list[Exclusion]:
    """Why a dock may not launch now, battery and path aside (empty: it may)."""
    readings = dock.readings
    if not dock.online or readings is None:
        return [Exclusion(Reason.OFFLINE, "dock offline")]
    out: list[Exclusion] = []
    if dock.busy:
        out.append(Exclusion(Reason.BUSY, "a sortie holds the dock"))
    if dock.state not in LAUNCHABLE:
        out.append(Exclusion(Reason.DOCK_STATE, f"dock {dock.state.value}"))
    if dock.info.drone_id is None or not readings.drone_present:
        out.append(Exclusion(Reason.NO_DRONE, "no drone in the dock"))
    if readings.door is DoorState.FAULT:
        out.append(Exclusion(Reason.COVER_FAULT, "cover fault"))
    if readings.emergency_stop:
        out.append(Exclusion(Reason.EMERGENCY_STOP, "emergency stop pressed"))
    if readings.power is DockPower.FAILED:
        out.append(Exclusion(Reason.POWER, "dock power failed"))
    if readings.wind_speed_mps > dock.info.max_wind_mps:
        out.append(Exclusion(Reason.WIND, f"wind {readings.wind_speed_mps:.1f} m/s over the "
                                          f"{dock.info.max_wind_mps:.1f} m/s limit"))
    max_rain = min(dock.info.max_rain, launch.max_rain)
    if readings.rain > max_rain:
        out.append(Exclusion(Reason.RAIN, f"rain {readings.rain.name.lower()} over the "
                                          f"{max_rain.name.lower()} limit"))
    return out
