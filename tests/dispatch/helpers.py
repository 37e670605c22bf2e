"""Small factories for dispatch tests: docks, readings and drones around one town."""

from __future__ import annotations

from datetime import UTC, datetime

from docks import DockInfo, DockReadings, DockState, DoorState, DroneProfile, RainLevel
from geofence import LocalProjection
from groundstation.dispatch import AirborneSnapshot, DockSnapshot

AT = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
CENTRE = (26.42, 111.61)
PROJECTION = LocalProjection.for_center(*CENTRE)
PROFILE = DroneProfile(cruise_speed_mps=15.0, climb_mps=6.0, descent_mps=3.0, endurance_s=2100.0)


def offset(north_m: float, east_m: float) -> tuple[float, float]:
    """The position ``north_m``/``east_m`` metres from the test centre."""
    lat, lon = PROJECTION.to_wgs84(east_m, north_m)
    return lat, lon


def dock(
    dock_id: str, north_m: float, east_m: float, *, state: DockState = DockState.IDLE_READY,
    battery: float | None = 100.0, door: DoorState = DoorState.CLOSED, wind_mps: float = 2.0,
    rain: RainLevel = RainLevel.NONE, online: bool = True, busy: bool = False,
    powered: bool = False, present: bool = True,
) -> DockSnapshot:
    """A dock snapshot at an offset from the centre."""
    lat, lon = offset(north_m, east_m)
    info = DockInfo(dock_id=dock_id, lat_deg=lat, lon_deg=lon, alt_m=100.0,
                    drone_id=f"{dock_id}-U")
    readings = DockReadings(at=AT, door=door, drone_present=present, drone_powered=powered,
                            drone_battery_pct=battery, wind_speed_mps=wind_mps, rain=rain)
    return DockSnapshot(info, state, readings, online, busy, PROFILE)


def drone(
    drone_id: str, north_m: float, east_m: float, *, alt_amsl_m: float = 160.0,
    battery: float | None = 90.0, connected: bool = True, busy: str | None = None,
) -> AirborneSnapshot:
    """An airborne drone at an offset from the centre, homed at the centre."""
    lat, lon = offset(north_m, east_m)
    return AirborneSnapshot(drone_id, lat, lon, alt_amsl_m, battery, connected, busy,
                            CENTRE[0], CENTRE[1], PROFILE)
