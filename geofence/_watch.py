"""What one live-watch tick reports for many vehicles at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from geofence._violation import ViolationKind

DEFAULT_WATCH_HORIZON_S = 30.0
"""How far ahead a tick looks along each vehicle's velocity unless told otherwise."""


class AlertKind(StrEnum):
    """What a live-watch alert is about."""

    INSIDE = "inside"
    """Breaking a zone now (inside a no-fly zone, above a ceiling, below a floor)."""
    ABOUT_TO_ENTER = "about_to_enter"
    """Will break a zone within the horizon if it keeps its velocity."""
    OUTSIDE_OPERATING_AREA = "outside_operating_area"
    LEAVING_OPERATING_AREA = "leaving_operating_area"
    """Inside an operating area now, outside every one within the horizon."""
    WITHIN_MARGIN = "within_margin"


@dataclass(frozen=True, slots=True)
class WatchAlert:
    """One vehicle's breach of one zone within the horizon, where it happens (AMSL)."""

    vehicle_index: int
    alert: AlertKind
    violation: ViolationKind
    zone_id: str
    zone_name: str
    time_to_breach_s: float
    lat_deg: float
    lon_deg: float
    alt_m: float


@dataclass(frozen=True)
class WatchResult:
    """Per-vehicle arrays (index = the vehicle's position in the input arrays) and all alerts.

    ``time_to_breach_s`` is 0 for a vehicle breaching a zone now and ``inf`` when no zone is
    reached within the horizon; ``breach_zone_id`` names the first zone reached (or None).
    ``time_to_exit_s`` likewise for leaving the operating area (0 when already outside).
    ``alerts`` (every vehicle-zone breach within the horizon, by vehicle and time) is built on
    first use, so a tick that only reads the arrays does not pay for it.
    """

    inside: NDArray[np.bool_]
    entering: NDArray[np.bool_]
    time_to_breach_s: NDArray[np.float64]
    breach_zone_id: NDArray[np.object_]
    outside_operating_area: NDArray[np.bool_]
    leaving_operating_area: NDArray[np.bool_]
    time_to_exit_s: NDArray[np.float64]
    _make_alerts: Callable[[], tuple[WatchAlert, ...]] = field(repr=False, compare=False)
    beyond_projection: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    """Vehicles too far from the zone set's area to project: near no zone, not checked further."""

    @cached_property
    def alerts(self) -> tuple[WatchAlert, ...]:
        """Every breach of every vehicle within the horizon, sorted by vehicle then time."""
        return self._make_alerts()

    @property
    def any_alert(self) -> NDArray[np.bool_]:
        """Vehicles with anything to report."""
        return self.inside | self.entering | self.outside_operating_area | self.leaving_operating_area
