"""What dispatch ranks and what it answers: snapshots in, ranked candidates and rings out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from docks import DockInfo, DockReadings, DockState, DroneProfile
from groundstation.dispatch._exceptions import DispatchError


class CandidateKind(StrEnum):
    """Where a candidate drone starts from."""

    DOCK = "dock"
    AIRBORNE = "airborne"


class Reason(StrEnum):
    """Why a candidate may not be sent."""

    OFFLINE = "offline"
    LINK_LOST = "link_lost"
    BUSY = "busy"
    DOCK_STATE = "dock_state"
    NO_DRONE = "no_drone"
    COVER_FAULT = "cover_fault"
    EMERGENCY_STOP = "emergency_stop"
    POWER = "power"
    WIND = "wind"
    RAIN = "rain"
    BATTERY = "battery"
    BATTERY_UNKNOWN = "battery_unknown"
    NO_PATH = "no_path"
    LEAVES_AREA = "leaves_operating_area"
    BEYOND_MAP = "beyond_zone_map"


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One reason a candidate is excluded, as a code and in words."""

    reason: Reason
    text: str


def check_position(lat_deg: float, lon_deg: float, what: str) -> None:
    """Refuse a non-finite or out-of-range WGS84 position, naming it."""
    if not (math.isfinite(lat_deg) and math.isfinite(lon_deg)
            and abs(lat_deg) <= 90.0 and abs(lon_deg) <= 180.0):
        raise DispatchError(f"{what} position ({lat_deg}, {lon_deg}) is not a WGS84 position")


@dataclass(frozen=True, slots=True)
class Scene:
    """Where the drone is needed: WGS84 degrees and the ground altitude there (AMSL)."""

    lat_deg: float
    lon_deg: float
    ground_amsl_m: float = 0.0

    def __post_init__(self) -> None:
        check_position(self.lat_deg, self.lon_deg, "scene")
        if not math.isfinite(self.ground_amsl_m):
            raise DispatchError(f"scene ground altitude {self.ground_amsl_m} is not finite")


@dataclass(frozen=True, slots=True)
class DockSnapshot:
    """One dock as dispatch needs it: description, state, readings, and its drone's profile."""

    info: DockInfo
    state: DockState
    readings: DockReadings | None
    online: bool
    busy: bool
    profile: DroneProfile = field(default_factory=DroneProfile)


@dataclass(frozen=True, slots=True)
class AirborneSnapshot:
    """One drone in the air: where it is (altitude AMSL), its battery, and where it lands."""

    drone_id: str
    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    battery_pct: float | None
    connected: bool = True
    busy: str | None = None
    """Why it may not be retasked (e.g. already over another incident); None: free."""
    home_lat_deg: float | None = None
    home_lon_deg: float | None = None
    profile: DroneProfile = field(default_factory=DroneProfile)

    def __post_init__(self) -> None:
        check_position(self.lat_deg, self.lon_deg, f"drone {self.drone_id}")
        if not math.isfinite(self.alt_amsl_m):
            raise DispatchError(f"drone {self.drone_id} altitude {self.alt_amsl_m} is not finite")
        if (self.home_lat_deg is None) != (self.home_lon_deg is None):
            raise DispatchError(f"drone {self.drone_id}: home needs both latitude and longitude")
        if self.home_lat_deg is not None and self.home_lon_deg is not None:
            check_position(self.home_lat_deg, self.home_lon_deg, f"drone {self.drone_id} home")


@dataclass(frozen=True, slots=True)
class GroundUnit:
    """A patrol car or police platform with a location."""

    unit_id: str
    name: str
    lat_deg: float
    lon_deg: float
    available: bool = True

    def __post_init__(self) -> None:
        check_position(self.lat_deg, self.lon_deg, f"ground unit {self.unit_id}")


@dataclass(frozen=True, slots=True)
class GroundAssignment:
    """The ground unit chosen for a hand-off, with its straight distance and estimated drive."""

    unit: GroundUnit
    distance_m: float
    eta_s: float


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """One drone judged for an incident: time to scene, its path, battery, ring and exclusions.

    ``eta_s`` = ``launch_s`` (dock overhead or airborne response) + ``climb_s`` + ``cruise_s``.
    ``path`` is the horizontal path (lat, lon) from the start to the scene, around no-fly zones.
    ``ring_s`` is the smallest ring the candidate reaches in time (None if excluded or beyond).
    """

    kind: CandidateKind
    candidate_id: str
    drone_id: str | None
    dock_id: str | None
    lat_deg: float
    lon_deg: float
    eta_s: float
    launch_s: float
    climb_s: float
    cruise_s: float
    distance_m: float
    straight_m: float
    path: tuple[tuple[float, float], ...]
    detoured: bool
    battery_pct: float | None
    battery_needed_pct: float
    exclusions: tuple[Exclusion, ...]
    ring_s: float | None
    warnings: tuple[str, ...] = ()
    eta_lower_bound: bool = False
    """True when ``eta_s`` is the straight line's (a lower bound; the path was not planned)."""

    @property
    def eligible(self) -> bool:
        """True when nothing excludes this candidate."""
        return not self.exclusions


@dataclass(frozen=True, slots=True)
class DispatchPlan:
    """The ranking for one scene: eligible candidates fastest first, then the excluded ones."""

    scene: Scene
    at: datetime
    candidates: tuple[RankedCandidate, ...]
    rings: dict[float, tuple[str, ...]]
    """Each ring (seconds) -> ids of the eligible candidates reaching the scene within it."""
    ground_unit: GroundAssignment | None

    @property
    def best(self) -> RankedCandidate | None:
        """The fastest eligible candidate, if any."""
        first = self.candidates[0] if self.candidates else None
        return first if first is not None and first.eligible else None
