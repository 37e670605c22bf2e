"""The thin adapter from the station's MAVLink ``Vehicle`` to ``docks.Drone``.

Everything maps one to one except two things the Vehicle does not offer as such:

- a change listener: the Vehicle re-checks ``wait_until`` tests on every message, so one task
  per adapter waits for "the state changed" and calls the listeners (re-armed each time, with a
  ``quiet_s`` ceiling so a link that goes silent is still noticed as ``comm_lost``);
- names: ``drone_id`` is the fleet's name for the system id.

It lives in ``groundstation`` (``docks`` must not import the station); the station wraps each
dock's vehicle in one when it composes docks with the fleet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Self

from docks import DronePosition, LandedState, cancel_and_wait
from geofence import MissionItem, MissionType
from groundstation.mavlink import Vehicle, VehicleState

LANDED = {1: LandedState.ON_GROUND, 2: LandedState.IN_AIR, 3: LandedState.TAKING_OFF, 4: LandedState.LANDING}


def _marker(vehicle: Vehicle) -> tuple[object, ...]:
    s = vehicle.state
    return (s.position.updated_s, s.armed, s.mode, s.landed_state, s.battery.updated_s, vehicle.comm_lost)


class VehicleDrone:
    """A ``docks.Drone`` over a ``groundstation.mavlink.Vehicle``. Use ``async with``."""

    def __init__(self, vehicle: Vehicle, *, name: str | None = None, quiet_s: float = 1.0) -> None:
        self.vehicle = vehicle
        self._name = name or f"sysid-{vehicle.system_id}"
        self._quiet_s = quiet_s
        self._listeners: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._pump(), name=f"vehicle-drone-{self._name}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)  # re-cancels a task that swallowed its cancellation

    async def _pump(self) -> None:
        while True:
            before = _marker(self.vehicle)

            def changed(_state: VehicleState, before: tuple[object, ...] = before) -> bool:
                return _marker(self.vehicle) != before

            try:
                await self.vehicle.wait_until(changed, self._quiet_s)
            except TimeoutError:
                if _marker(self.vehicle) == before:
                    continue
            for callback in list(self._listeners):
                callback()

    @property
    def drone_id(self) -> str:
        """The fleet's name for the vehicle."""
        return self._name

    @property
    def connected(self) -> bool:
        """True until the link-lost timeout passes without a heartbeat."""
        return not self.vehicle.comm_lost

    @property
    def position(self) -> DronePosition | None:
        """Latest valid position (altitude above home), or None."""
        p = self.vehicle.state.position
        return DronePosition(p.lat_deg, p.lon_deg, p.alt_rel_m) if p.valid else None

    @property
    def armed(self) -> bool:
        """True while the motors are armed."""
        return self.vehicle.state.armed

    @property
    def mode(self) -> str:
        """The autopilot's flight mode name."""
        return self.vehicle.state.mode

    @property
    def battery_pct(self) -> float | None:
        """Remaining battery in percent, or None when unknown."""
        remaining = self.vehicle.state.battery.remaining_pct
        return None if remaining is None else float(remaining)

    @property
    def landed_state(self) -> LandedState:
        """Landed state from EXTENDED_SYS_STATE, else from whether it flies."""
        known = LANDED.get(self.vehicle.state.landed_state)
        if known is not None:
            return known
        return LandedState.IN_AIR if self.vehicle.flying else LandedState.ON_GROUND

    def add_listener(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` after every state change; returns its remover."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    async def arm(self) -> None:
        """Arm the motors."""
        await self.vehicle.arm()

    async def takeoff(self, alt_m: float) -> None:
        """Take off to ``alt_m`` above home."""
        await self.vehicle.takeoff(alt_m)

    async def goto(self, lat_deg: float, lon_deg: float, alt_m: float) -> None:
        """Fly to a point and hold there."""
        await self.vehicle.goto(lat_deg, lon_deg, alt_m)

    async def orbit(self, lat_deg: float, lon_deg: float, radius_m: float, alt_m: float) -> None:
        """Circle a point at ``radius_m``."""
        await self.vehicle.orbit(lat_deg, lon_deg, radius_m, alt_m=alt_m)

    async def upload_route(self, items: Sequence[MissionItem]) -> None:
        """Replace the vehicle's mission with ``items``."""
        await self.vehicle.upload_plan(MissionType.MISSION, items)

    async def start_mission(self) -> None:
        """Fly the uploaded mission."""
        await self.vehicle.start_mission()

    async def return_to_launch(self) -> None:
        """Fly home and land."""
        await self.vehicle.return_to_launch()

    async def land(self) -> None:
        """Land where the vehicle is."""
        await self.vehicle.land()
