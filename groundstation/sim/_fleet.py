"""Many simulated vehicles on one event loop: distinct system ids, staggered homes, one clock."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

from groundstation.sim._clock import SimClock
from groundstation.sim._config import SimConfig
from groundstation.sim._exceptions import SimConfigError
from groundstation.sim._geo import LocalFrame
from groundstation.sim._vehicle import SimVehicle

__all__ = ["SimFleet", "fleet_configs"]


def fleet_configs(
    count: int,
    base: SimConfig,
    *,
    first_system_id: int = 1,
    spacing_m: float = 40.0,
    endpoints_for: Callable[[int], tuple[str, ...]] | None = None,
) -> list[SimConfig]:
    """Configurations for ``count`` vehicles: ids from ``first_system_id``, homes on a grid.

    ``endpoints_for(index)`` gives each vehicle its own endpoints (default: the base's).
    """
    if count < 1 or first_system_id + count - 1 > 255 or first_system_id < 1:
        raise SimConfigError(f"cannot make {count} vehicles from system id {first_system_id}")
    frame = LocalFrame(base.home_lat_deg, base.home_lon_deg)
    cols = math.ceil(math.sqrt(count))
    configs = []
    for i in range(count):
        east = (i % cols - (cols - 1) / 2) * spacing_m
        north = (i // cols - (cols - 1) / 2) * spacing_m
        lat, lon = frame.to_global(east, north)
        configs.append(base.with_changes(
            system_id=first_system_id + i, home_lat_deg=lat, home_lon_deg=lon,
            vehicle_name=base.vehicle_name or f"sim-{first_system_id + i}",
            endpoints=base.endpoints if endpoints_for is None else endpoints_for(i),
        ))  # fmt: skip
    return configs


class SimFleet:
    """N simulated vehicles sharing one sim clock; an async context manager."""

    def __init__(
        self,
        count: int,
        base: SimConfig | None = None,
        *,
        first_system_id: int = 1,
        spacing_m: float = 40.0,
        clock: SimClock | None = None,
        endpoints_for: Callable[[int], tuple[str, ...]] | None = None,
    ) -> None:
        base = base or SimConfig()
        self.clock = clock or SimClock(base.time_factor)
        self.frame = LocalFrame(base.home_lat_deg, base.home_lon_deg)
        self.vehicles = [
            SimVehicle(config, clock=self.clock, frame=self.frame)
            for config in fleet_configs(
                count, base, first_system_id=first_system_id, spacing_m=spacing_m,
                endpoints_for=endpoints_for,
            )
        ]
        self._stack: contextlib.AsyncExitStack | None = None

    async def __aenter__(self) -> Self:
        stack = contextlib.AsyncExitStack()
        try:
            for vehicle in self.vehicles:
                await stack.enter_async_context(vehicle)
        except BaseException:
            await stack.aclose()
            raise
        self._stack = stack
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    def __len__(self) -> int:
        return len(self.vehicles)

    def __iter__(self) -> Iterator[SimVehicle]:
        return iter(self.vehicles)

    def __getitem__(self, system_id: int) -> SimVehicle:
        """The vehicle with a system id (KeyError when none)."""
        for vehicle in self.vehicles:
            if vehicle.system_id == system_id:
                return vehicle
        raise KeyError(system_id)

    @property
    def time_factor(self) -> float:
        """Sim seconds per real second for the whole fleet."""
        return self.clock.time_factor

    @time_factor.setter
    def time_factor(self, factor: float) -> None:
        self.clock.time_factor = factor
