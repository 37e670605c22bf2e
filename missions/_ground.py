"""Ground elevation under a route: what "metres above ground" is measured from.

The legal ceiling (120 m above ground by default) and the minimum altitude are heights above
the ground under the vehicle. Route altitudes are above home (the launch point), so checking
them needs the ground's elevation along the route. A :class:`GroundModel` gives it:

- :class:`FlatGround` (the default): the ground is level with the launch point everywhere, so
  "above ground" is "above home". Right over flat country; over hills it overstates the
  height above a valley and understates it above a ridge.
- :class:`GridGround`: elevations on a regular latitude/longitude grid (a DEM tile such as
  SRTM resampled to the area), bilinearly interpolated. Points outside the grid are refused,
  never guessed.

The service chooses the model and passes it to :func:`missions.validate`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from missions._exceptions import MissionError

__all__ = ["FlatGround", "GridGround", "GroundError", "GroundModel"]


class GroundError(MissionError):
    """A ground model cannot give the elevation asked for (outside its grid, bad data)."""


@runtime_checkable
class GroundModel(Protocol):
    """Ground elevation, metres above mean sea level, at WGS84 positions."""

    def elevation_amsl_m(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.float64]:
        """Elevation of the ground at each position (same shape as the inputs)."""
        ...

    def describe(self) -> str:
        """One line naming the model, for validation messages."""
        ...


class FlatGround:
    """Level ground at one elevation everywhere (by default: the launch point's)."""

    def __init__(self, elevation_amsl_m: float) -> None:
        if not math.isfinite(elevation_amsl_m):
            raise GroundError(f"flat ground elevation {elevation_amsl_m} is not finite")
        self.elevation = float(elevation_amsl_m)

    def elevation_amsl_m(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.float64]:
        """The one elevation, for every position."""
        shape = np.broadcast(np.asarray(lat_deg), np.asarray(lon_deg)).shape
        return np.full(shape, self.elevation)

    def describe(self) -> str:
        """One line naming the model."""
        return f"flat ground at {self.elevation:.1f} m AMSL (level with home)"


class GridGround:
    """Elevations on a regular grid: row i at ``south_lat_deg + i * step``, column j at
    ``west_lon_deg + j * step`` (degrees), interpolated bilinearly between grid posts."""

    def __init__(self, south_lat_deg: float, west_lon_deg: float, step_deg: float,
                 elevations_m: Sequence[Sequence[float]] | NDArray[np.float64], *,
                 name: str = "elevation grid") -> None:
        grid = np.asarray(elevations_m, dtype=float)
        if grid.ndim != 2 or grid.shape[0] < 2 or grid.shape[1] < 2:
            raise GroundError(f"{name}: elevations must be a 2-D grid of at least 2 × 2 posts")
        if not np.all(np.isfinite(grid)):
            row, col = np.argwhere(~np.isfinite(grid))[0]
            raise GroundError(f"{name}: post ({row}, {col}) has no elevation (NaN or void)")
        if not (math.isfinite(step_deg) and 0 < step_deg <= 1):
            raise GroundError(f"{name}: step {step_deg} must be in (0, 1] degrees")
        north = south_lat_deg + (grid.shape[0] - 1) * step_deg
        east = west_lon_deg + (grid.shape[1] - 1) * step_deg
        if not (-90 <= south_lat_deg and north <= 90 and -180 <= west_lon_deg and east <= 180):
            raise GroundError(f"{name}: grid ({south_lat_deg}..{north}, {west_lon_deg}..{east}) "
                              "is not within WGS84 latitude/longitude")
        self.name = name
        self.south, self.west, self.step = float(south_lat_deg), float(west_lon_deg), float(step_deg)
        self.north, self.east = north, east
        self.grid = grid

    def elevation_amsl_m(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.float64]:
        """Bilinear elevation at each position; refuses positions outside the grid."""
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, dtype=float),
                                       np.asarray(lon_deg, dtype=float))
        outside = ~((lat >= self.south) & (lat <= self.north)
                    & (lon >= self.west) & (lon <= self.east))
        if np.any(outside):
            k = int(np.flatnonzero(outside.ravel())[0])
            raise GroundError(
                f"({lat.ravel()[k]:.6f}, {lon.ravel()[k]:.6f}) is outside the {self.name} "
                f"({self.south:.4f}..{self.north:.4f}, {self.west:.4f}..{self.east:.4f})")
        fi = (lat - self.south) / self.step
        fj = (lon - self.west) / self.step
        i = np.clip(np.floor(fi).astype(int), 0, self.grid.shape[0] - 2)
        j = np.clip(np.floor(fj).astype(int), 0, self.grid.shape[1] - 2)
        u, v = fi - i, fj - j
        g = self.grid
        result: NDArray[np.float64] = ((1 - u) * (1 - v) * g[i, j] + (1 - u) * v * g[i, j + 1]
                                       + u * (1 - v) * g[i + 1, j] + u * v * g[i + 1, j + 1])
        return result

    def describe(self) -> str:
        """One line naming the model."""
        return f"{self.name} ({self.grid.shape[0]} × {self.grid.shape[1]} posts, {self.step:g}°)"
