"""Which dock may launch: readiness, weather, battery for the round trip, zones, busy drones.

Routes come from an injected ``RouteBuilder`` (the overwatch route builder of ``missions``)
and are checked by an injected ``RouteChecker`` (``geofence``'s zone check), so this module
knows neither; it only measures, estimates and explains every refusal in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from docks._dock import Dock
from docks._geo import distance_m
from docks._model import DockInfo, DockPower, DockState
from docks._settings import LaunchSettings
from geofence import MavCmd, MissionItem

NAV_COMMANDS = frozenset(
    {
        MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TURNS,
        MavCmd.NAV_LOITER_TIME, MavCmd.NAV_LAND, MavCmd.NAV_LOITER_TO_ALT,
    }
)


class HoldMode(StrEnum):
    """What the drone does over the scene."""

    HOVER = "hover"
    ORBIT = "orbit"


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """What a route builder is asked for: from a dock to a point, at an altitude, then hold."""

    dock: DockInfo
    target_lat_deg: float
    target_lon_deg: float
    alt_m: float
    hold: HoldMode
    orbit_radius_m: float
    via: tuple[tuple[float, float], ...] = ()
    """Corners (lat, lon) to fly through on the way, in order: a path around no-fly zones."""


RouteBuilder = Callable[[RouteRequest], Sequence[MissionItem]]
"""Builds the overwatch route (``missions``); the first item should be a NAV_TAKEOFF."""

RouteChecker = Callable[[DockInfo, Sequence[MissionItem]], Sequence[str]]
"""Checks a dock's route against the zones (``zone_checker`` wraps ``geofence``); returns the
violations in words, empty when clear."""

LegChecker = Callable[[tuple[float, float], tuple[float, float], float, float], Sequence[str]]
"""Checks one straight leg (lat, lon) -> (lat, lon) flown at an altitude AMSL, given the home
altitude AMSL, against the zones (``leg_checker`` wraps ``geofence``); violations in words."""


class DroneProfile(BaseModel):
    """How a drone type flies, for time and battery estimates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = "quad"
    cruise_speed_mps: float = Field(15.0, gt=0)
    climb_mps: float = Field(5.0, gt=0)
    descent_mps: float = Field(3.0, gt=0)
    endurance_s: float = Field(1800.0, gt=0, description="flight time on a full battery")

    def flight_time_s(self, path_m: float, alt_m: float) -> float:
        """Climb, cruise ``path_m`` and descend."""
        return alt_m / self.climb_mps + path_m / self.cruise_speed_mps + alt_m / self.descent_mps

    def battery_pct_for(self, flight_s: float) -> float:
        """Battery percent used by ``flight_s`` of flight."""
        return 100.0 * flight_s / self.endurance_s


@dataclass(frozen=True, slots=True)
class Candidate:
    """One dock judged for a launch: the estimate, its route, and why not (if not)."""

    dock_id: str
    distance_m: float
    eta_s: float
    battery_pct: float | None
    battery_needed_pct: float
    route: tuple[MissionItem, ...]
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing forbids this dock."""
        return not self.reasons


def route_path_m(start: tuple[float, float], items: Sequence[MissionItem]) -> tuple[float, tuple[float, float]]:
    """Horizontal length of a route from ``start`` through its navigation items, and its end."""
    here = start
    total = 0.0
    for item in items:
        if item.command in NAV_COMMANDS and (item.x or item.y):
            point = (item.lat_deg, item.lon_deg)
            total += distance_m(here[0], here[1], point[0], point[1])
            here = point
    return total, here


def readiness_reasons(dock: Dock, settings: LaunchSettings) -> list[str]:
    """Why a dock cannot launch now, leaving battery and route aside (empty: it can)."""
    reasons: list[str] = []
    readings = dock.readings
    if not dock.online or readings is None:
        return ["dock offline"]
    if dock.busy:
        reasons.append("busy: a sortie holds the dock")
    if dock.state not in (DockState.IDLE_READY, DockState.IDLE_CHARGING):
        reasons.append(f"dock {dock.state.value}")
    if dock.drone is None or not readings.drone_present:
        reasons.append("no drone in the dock")
    if readings.emergency_stop:
        reasons.append("emergency stop pressed")
    if readings.power is DockPower.FAILED:
        reasons.append("dock power failed")
    max_wind = dock.info.max_wind_mps
    if readings.wind_speed_mps > max_wind:
        reasons.append(f"wind {readings.wind_speed_mps:.1f} m/s over the {max_wind:.1f} m/s limit")
    max_rain = min(dock.info.max_rain, settings.max_rain)
    if readings.rain > max_rain:
        reasons.append(f"rain {readings.rain.name.lower()} over the {max_rain.name.lower()} limit")
    return reasons


def judge(
    dock: Dock,
    route: Sequence[MissionItem],
    *,
    profile: DroneProfile,
    settings: LaunchSettings,
    checker: RouteChecker | None,
    hold_s: float,
) -> Candidate:
    """Judge one dock for one route: readiness, weather, battery for the round trip, then zones.

    A dock already refused for another reason is not zone-checked (its reasons say why not).
    """
    start = dock.info.landing_point
    out_m, end = route_path_m(start, route)
    back_m = distance_m(end[0], end[1], start[0], start[1])
    alt_m = settings.cruise_alt_m
    flight_s = profile.flight_time_s(out_m + back_m, alt_m) + hold_s
    needed = profile.battery_pct_for(flight_s) + settings.reserve_pct
    reasons = readiness_reasons(dock, settings)
    readings = dock.readings
    battery = readings.drone_battery_pct if readings is not None else None
    if battery is None:
        if "no drone in the dock" not in reasons and "dock offline" not in reasons:
            reasons.append("drone battery unknown")
    elif battery < needed:
        reasons.append(
            f"battery {battery:.0f}% below the {needed:.0f}% the round trip needs "
            f"({settings.reserve_pct:.0f}% reserve)"
        )
    if checker is not None and not reasons:  # the zone check is the costly one: only if it matters
        reasons += [f"route: {v}" for v in checker(dock.info, route)]
    eta_s = settings.expected_launch_s + alt_m / profile.climb_mps + out_m / profile.cruise_speed_mps
    return Candidate(
        dock_id=dock.dock_id,
        distance_m=out_m,
        eta_s=eta_s,
        battery_pct=battery,
        battery_needed_pct=needed,
        route=tuple(route),
        reasons=tuple(reasons),
    )


def rank(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Docks that may launch first, fastest first; then the refused ones."""
    return sorted(candidates, key=lambda c: (not c.ok, c.eta_s))
