"""What one simulated vehicle is: identity, personality, home, performance, battery, rates."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum

from groundstation.sim._exceptions import SimConfigError

__all__ = ["YONGZHOU_HOME", "Personality", "SimConfig"]

YONGZHOU_HOME = (26.4200, 111.6100, 110.0)
"""Default home (lat, lon, alt AMSL m): Yongzhou city, Hunan."""


class Personality(StrEnum):
    """Which autopilot the vehicle behaves like."""

    ARDUPILOT = "ardupilot"
    PX4 = "px4"


@dataclass(frozen=True, slots=True, kw_only=True)
class SimConfig:
    """Configuration of one simulated vehicle (speeds are defaults its parameters start from)."""

    system_id: int = 1
    component_id: int = 1
    personality: Personality = Personality.ARDUPILOT
    home_lat_deg: float = YONGZHOU_HOME[0]
    home_lon_deg: float = YONGZHOU_HOME[1]
    home_alt_amsl_m: float = YONGZHOU_HOME[2]
    home_heading_deg: float = 0.0
    # performance
    cruise_speed_mps: float = 10.0
    max_speed_mps: float = 15.0
    climb_speed_mps: float = 2.5
    descent_speed_mps: float = 1.5
    land_speed_mps: float = 0.5
    accel_mps2: float = 3.0
    yaw_rate_dps: float = 90.0
    # battery
    battery_capacity_mah: float = 5000.0
    battery_cells: int = 4
    hover_current_a: float = 18.0
    idle_current_a: float = 0.6
    battery_start_pct: float = 100.0
    # timing
    time_factor: float = 1.0
    tick_interval_s: float = 0.05  # real seconds between physics/telemetry ticks
    max_step_s: float = 0.2  # largest physics step in sim seconds
    boot_delay_s: float = 0.0  # sim seconds before GPS fix / arming checks can pass
    telemetry_hz: dict[str, float] = field(default_factory=dict)  # overrides of stream rates
    mission_item_timeout_s: float = 2.0  # vehicle re-requests a missing item after this (sim s)
    mission_transfer_retries: int = 5
    # links
    endpoints: tuple[str, ...] = ("udpout:127.0.0.1:14550",)
    signing_key: bytes | None = None
    vehicle_name: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.system_id <= 255:
            raise SimConfigError(f"system_id {self.system_id} not in 1..255")
        if not (-90 <= self.home_lat_deg <= 90 and -180 <= self.home_lon_deg <= 180):
            raise SimConfigError(f"home ({self.home_lat_deg}, {self.home_lon_deg}) out of range")
        for name in ("cruise_speed_mps", "max_speed_mps", "climb_speed_mps", "descent_speed_mps",
                     "land_speed_mps", "accel_mps2", "battery_capacity_mah", "time_factor",
                     "tick_interval_s", "max_step_s", "yaw_rate_dps"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise SimConfigError(f"{name} must be a positive number, got {value!r}")
        if not 0 <= self.battery_start_pct <= 100:
            raise SimConfigError("battery_start_pct must be within 0..100")
        if self.signing_key is not None and len(self.signing_key) != 32:
            raise SimConfigError("signing_key must be 32 bytes")
        object.__setattr__(self, "personality", Personality(self.personality))

    def with_changes(self, **changes: object) -> SimConfig:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]
