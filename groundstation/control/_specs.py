"""The vehicle commands the API offers: each one's body, the call it makes, and its checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from groundstation.mavlink import Vehicle

__all__ = ["COMMANDS", "CommandSpec", "Target"]

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
AltAboveHome = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False, description="m above home")]
Speed = Annotated[float, Field(gt=0, le=40, allow_inf_nan=False)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoBody(_Body):
    """This command takes no parameters."""


class ArmBody(_Body):
    """Arm or disarm; ``force`` skips the autopilot's checks (emergency only)."""

    force: bool = False


class TakeoffBody(_Body):
    """Arm if needed and climb to ``alt_m`` above home."""

    alt_m: AltAboveHome


class GotoBody(_Body):
    """Fly to a point and hold there."""

    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: AltAboveHome


class OrbitBody(_Body):
    """Circle a point (at ``alt_m`` above home, or the current altitude)."""

    lat_deg: Latitude
    lon_deg: Longitude
    radius_m: float = Field(ge=5, le=2000, allow_inf_nan=False)
    speed_mps: Speed = 5.0
    clockwise: bool = True
    alt_m: AltAboveHome | None = None


class SpeedBody(_Body):
    """Change the horizontal ground speed."""

    speed_mps: Speed


@dataclass(frozen=True, slots=True)
class Target:
    """Where a command sends the vehicle (for zone checks): centre, altitude, keep-out radius."""

    lat_deg: float
    lon_deg: float
    alt_m: float | None
    radius_m: float = 0.0


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One API command."""

    name: str
    summary: str
    body: type[BaseModel]
    call: Callable[[Vehicle, Any], Awaitable[None]]
    needs_battery: bool = False
    target: Callable[[Any], Target] | None = None
    climbs_here: bool = False  # takeoff: the current position at alt_m must be clear


def _goto_target(b: GotoBody) -> Target:
    return Target(b.lat_deg, b.lon_deg, b.alt_m)


def _orbit_target(b: OrbitBody) -> Target:
    return Target(b.lat_deg, b.lon_deg, b.alt_m, b.radius_m)


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec("arm", "Arm the motors", ArmBody, lambda v, b: v.arm(b.force),
                    needs_battery=True),
        CommandSpec("disarm", "Disarm the motors", ArmBody, lambda v, b: v.disarm(b.force)),
        CommandSpec("takeoff", "Take off to an altitude", TakeoffBody,
                    lambda v, b: v.takeoff(b.alt_m), needs_battery=True, climbs_here=True),
        CommandSpec("goto", "Fly to a point and hold", GotoBody,
                    lambda v, b: v.goto(b.lat_deg, b.lon_deg, b.alt_m), needs_battery=True,
                    target=_goto_target),
        CommandSpec("orbit", "Circle a point", OrbitBody,
                    lambda v, b: v.orbit(b.lat_deg, b.lon_deg, b.radius_m, speed_mps=b.speed_mps,
                                         clockwise=b.clockwise, alt_m=b.alt_m),
                    needs_battery=True, target=_orbit_target),
        CommandSpec("hold", "Stop and hold position", NoBody, lambda v, b: v.pause()),
        CommandSpec("resume", "Continue the mission", NoBody, lambda v, b: v.resume(),
                    needs_battery=True),
        CommandSpec("start_mission", "Start the uploaded mission", NoBody,
                    lambda v, b: v.start_mission(), needs_battery=True),
        CommandSpec("set_speed", "Change ground speed", SpeedBody,
                    lambda v, b: v.set_speed(b.speed_mps)),
        CommandSpec("rtl", "Return home and land", NoBody, lambda v, b: v.return_to_launch()),
        CommandSpec("land", "Land where it is", NoBody, lambda v, b: v.land()),
    )
}  # fmt: skip
