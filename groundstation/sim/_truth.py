"""A read-only snapshot of where the simulated vehicle really is (for cameras and tests)."""

from __future__ import annotations

from dataclasses import dataclass

from groundstation.sim._autopilot import Autopilot

__all__ = ["TruthState", "truth_of"]


@dataclass(frozen=True, slots=True)
class TruthState:
    """The vehicle's true state at sim time ``t_s`` (angles in degrees, NED velocities)."""

    system_id: int
    t_s: float
    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    alt_rel_m: float  # above home
    north_mps: float
    east_mps: float
    down_mps: float
    ground_speed_mps: float
    roll_deg: float
    pitch_deg: float
    yaw_deg: float
    heading_deg: float
    gimbal_pitch_deg: float  # camera tilt, negative looks down
    armed: bool
    mode: str
    on_ground: bool
    landed_state: int  # MAV_LANDED_STATE
    battery_pct: float
    battery_v: float
    home_lat_deg: float
    home_lon_deg: float
    home_alt_amsl_m: float
    mission_current: int  # vehicle numbering (ArduPilot's home is item 0)
    failsafe: bool


def truth_of(system_id: int, ap: Autopilot) -> TruthState:
    """Snapshot an autopilot's state."""
    k = ap.k
    lat, lon = ap.frame.to_global(k.east_m, k.north_m)
    home_lat, home_lon = ap.frame.to_global(ap.home[0], ap.home[1])
    return TruthState(
        system_id=system_id,
        t_s=ap.now_s(),
        lat_deg=lat,
        lon_deg=lon,
        alt_amsl_m=ap.ground_amsl_m + k.up_m,
        alt_rel_m=k.up_m - ap.home[2],
        north_mps=k.v_north_mps,
        east_mps=k.v_east_mps,
        down_mps=-k.v_up_mps,
        ground_speed_mps=k.ground_speed_mps,
        roll_deg=k.roll_deg,
        pitch_deg=k.pitch_deg,
        yaw_deg=k.yaw_deg,
        heading_deg=k.yaw_deg,
        gimbal_pitch_deg=ap.gimbal_pitch_deg,
        armed=ap.armed,
        mode=ap.mode.name,
        on_ground=k.on_ground,
        landed_state=ap.landed_state,
        battery_pct=ap.remaining_pct,
        battery_v=ap.voltage_v,
        home_lat_deg=home_lat,
        home_lon_deg=home_lon,
        home_alt_amsl_m=ap.home_amsl_m,
        mission_current=ap.mission_current,
        failsafe=bool(ap.gcs_failsafe or ap.battery_failsafe or ap.fence_breached),
    )
