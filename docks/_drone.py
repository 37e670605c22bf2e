"""The drone as the dock library sees it: a small typed Protocol the station's vehicle satisfies.

``docks`` never parses MAVLink. It flies a drone through ``Drone``: a few read-only state
properties, a change listener (so nothing here polls), and eight async commands that raise on
refusal. The station's MAVLink vehicle satisfies it with at most a thin adapter.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol, runtime_checkable

from docks._clock import Clock
from docks._exceptions import DockTimeout
from geofence import MissionItem


class LandedState(Enum):
    """Where the drone is between ground and air (MAV_LANDED_STATE)."""

    UNKNOWN = "unknown"
    ON_GROUND = "on_ground"
    TAKING_OFF = "taking_off"
    IN_AIR = "in_air"
    LANDING = "landing"


@dataclass(frozen=True, slots=True)
class DronePosition:
    """Where the drone is: WGS84 degrees and metres above its home (take-off) point."""

    lat_deg: float
    lon_deg: float
    alt_rel_m: float


@runtime_checkable
class Drone(Protocol):
    """What the dock library needs of a drone: typed state, a change hook and eight commands."""

    @property
    def drone_id(self) -> str:
        """A stable name for the drone (the fleet's id, e.g. its serial or system id)."""
        ...

    @property
    def connected(self) -> bool:
        """True while the station hears the drone (False after the link-lost timeout)."""
        ...

    @property
    def position(self) -> DronePosition | None:
        """Latest position, or None before the first fix."""
        ...

    @property
    def armed(self) -> bool:
        """True while the motors are armed."""
        ...

    @property
    def mode(self) -> str:
        """Flight mode name as the autopilot reports it (e.g. GUIDED, AUTO, RTL)."""
        ...

    @property
    def battery_pct(self) -> float | None:
        """Remaining battery in percent, or None when unknown."""
        ...

    @property
    def landed_state(self) -> LandedState:
        """On the ground, taking off, in the air or landing."""
        ...

    def add_listener(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` after every state update; returns a function that removes it."""
        ...

    async def arm(self) -> None:
        """Arm the motors."""
        ...

    async def takeoff(self, alt_m: float) -> None:
        """Take off to ``alt_m`` above home."""
        ...

    async def goto(self, lat_deg: float, lon_deg: float, alt_m: float) -> None:
        """Fly to a point and hold there."""
        ...

    async def orbit(self, lat_deg: float, lon_deg: float, radius_m: float, alt_m: float) -> None:
        """Circle a point at ``radius_m``."""
        ...

    async def upload_route(self, items: Sequence[MissionItem]) -> None:
        """Replace the drone's mission with ``items``."""
        ...

    async def start_mission(self) -> None:
        """Fly the uploaded mission from its first item."""
        ...

    async def return_to_launch(self) -> None:
        """Fly home and land."""
        ...

    async def land(self) -> None:
        """Land where the drone is (precision landing when the autopilot has it)."""
        ...


async def wait_for_drone(
    drone: Drone,
    predicate: Callable[[Drone], bool],
    *,
    clock: Clock,
    timeout_s: float | None,
    what: str,
) -> None:
    """Return as soon as ``predicate(drone)`` holds, woken by the drone's listener (no polling)."""
    changed = asyncio.Event()
    remove = drone.add_listener(changed.set)
    try:
        async with clock.timeout(timeout_s):
            while not predicate(drone):
                await changed.wait()
                changed.clear()
    except TimeoutError:
        raise DockTimeout(f"drone {drone.drone_id}: {what} did not happen in {timeout_s} s") from None
    finally:
        remove()
