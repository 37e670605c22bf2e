"""Validation before upload: every reason a route must not fly, and its endurance estimate.

Checks: geofence zones (via :class:`geofence.ZoneSet`, each reason naming the zone), the legal
ceiling (120 m above ground by default) and a minimum height above ground, endurance
(distance, climb and hover time at the vehicle's speeds against usable battery with a
reserve), distance from the launch point, waypoints too close together, items the station
cannot place, and (when the family is given) items that autopilot family would not fly.

Heights above ground are measured against a :class:`~missions.GroundModel` sampled along every
leg (and around every orbit), not only at the waypoints; without one the ground is taken as
level with the launch point (:class:`~missions.FlatGround`), i.e. "above ground" = "above home".
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from geofence import (
    GeofenceError,
    GeoPoint,
    LocalProjection,
    MavCmd,
    MissionItem,
    Violation,
    ViolationKind,
    ZoneSet,
)
from missions import _items as it
from missions._exceptions import RouteError, RouteRefused
from missions._families import Autopilot, family_problems
from missions._ground import FlatGround, GroundError, GroundModel
from missions._path import FlightPath, PathPoint, flight_path, flown_legs
from missions._routes import Route, route_parts

_CHECKED_NAV = frozenset({MavCmd.NAV_WAYPOINT, MavCmd.NAV_LOITER_TIME, MavCmd.NAV_LOITER_TURNS,
                          MavCmd.NAV_LOITER_UNLIM, MavCmd.NAV_LOITER_TO_ALT, 82})


class ReasonCode(StrEnum):
    """Why a route is refused."""

    GEOFENCE = "geofence"
    ZONE_MARGIN = "zone_margin"
    ABOVE_CEILING = "above_ceiling"
    BELOW_MINIMUM = "below_minimum"
    ENDURANCE = "endurance"
    TOO_FAR = "too_far_from_launch"
    TOO_CLOSE = "waypoints_too_close"
    UNPLACEABLE = "unplaceable_item"
    NO_TAKEOFF = "no_takeoff"
    EMPTY = "empty"
    GROUND_UNKNOWN = "ground_unknown"
    AUTOPILOT = "autopilot_family"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason not to fly: what, where (items, zone) and the numbers compared."""

    code: ReasonCode
    message: str
    items: tuple[int, ...] = ()
    zone_id: str | None = None
    zone_name: str | None = None
    value: float | None = None
    limit: float | None = None


@dataclass(frozen=True, slots=True)
class VehicleProfile:
    """How a vehicle flies and what its battery holds, for endurance estimates.

    The defaults describe a mid-size police quadcopter (about 4 kg with a zoom/thermal camera,
    two ~130 Wh packs): 250 Wh usable is about 43 min hovering at 350 W; forward flight at
    10 m/s takes a little less power than hovering (330 W), climbing more (500 W). Wind,
    payload and cold batteries are not modelled: measure the fleet's own figures from flight
    logs and pass them, and keep the reserve (``Limits.reserve_pct``) for what is not modelled.
    """

    cruise_speed_mps: float = 10.0
    climb_mps: float = 3.0
    descent_mps: float = 2.0
    usable_battery_wh: float = 250.0
    """Energy a full battery delivers before the autopilot's own cut-off."""
    hover_power_w: float = 350.0
    cruise_power_w: float = 330.0
    climb_power_w: float = 500.0

    def __post_init__(self) -> None:
        for name in ("cruise_speed_mps", "climb_mps", "descent_mps", "usable_battery_wh",
                     "hover_power_w", "cruise_power_w", "climb_power_w"):
            _require_positive(getattr(self, name), f"vehicle profile {name}")


@dataclass(frozen=True, slots=True)
class Limits:
    """What validation refuses; altitudes in metres above the ground under the vehicle."""

    ceiling_m: float = 120.0
    min_alt_m: float = 10.0
    ground_sample_m: float = 25.0
    """Spacing of the points along each leg where the height above ground is checked."""
    max_distance_from_launch_m: float = 8000.0
    min_waypoint_spacing_m: float = 1.0
    reserve_pct: float = 25.0
    """Share of the usable battery that must be left on landing."""
    zone_margin_m: float = 0.0
    """Clearance to keep from zone limits (0: only breaches count)."""

    def __post_init__(self) -> None:
        for name in ("ceiling_m", "max_distance_from_launch_m", "ground_sample_m"):
            _require_positive(getattr(self, name), f"limits {name}")
        for name in ("min_alt_m", "min_waypoint_spacing_m", "zone_margin_m"):
            _require_positive(getattr(self, name), f"limits {name}", allow_zero=True)
        if not self.min_alt_m < self.ceiling_m:
            raise RouteError(f"limits min_alt_m {self.min_alt_m} is not below ceiling_m "
                             f"{self.ceiling_m}")
        if not 0 <= self.reserve_pct < 100:
            raise RouteError(f"limits reserve_pct {self.reserve_pct} must be in [0, 100)")


def _require_positive(value: object, what: str, *, allow_zero: bool = False) -> None:
    ok = (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
          and (value >= 0 if allow_zero else value > 0))
    if not ok:
        raise RouteError(f"{what} {value!r} must be a {'non-negative' if allow_zero else 'positive'}"
                         " finite number")


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a route takes: metres, seconds and energy."""

    horizontal_m: float
    climb_m: float
    descent_m: float
    hover_s: float
    flight_time_s: float
    energy_wh: float
    available_wh: float
    """Energy usable before the reserve, at the battery level given."""
    max_distance_from_launch_m: float
    unlimited_hold_s: float | None = None
    """For a route holding until told (NAV_LOITER_UNLIM): seconds it can hold before the reserve."""

    @property
    def battery_used_pct(self) -> float:
        """Energy needed as a share of what is available above the reserve."""
        return 100.0 * self.energy_wh / self.available_wh if self.available_wh > 0 else math.inf


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """Every reason a route is refused (none: it may fly), notes, and its estimate."""

    reasons: tuple[Reason, ...]
    notes: tuple[str, ...]
    estimate: Estimate | None

    @property
    def ok(self) -> bool:
        """True when nothing forbids the route."""
        return not self.reasons

    def raise_if_refused(self) -> None:
        """Raise :class:`RouteRefused` listing every reason, if there is any."""
        if self.reasons:
            raise RouteRefused(self.reasons)

    def codes(self) -> set[ReasonCode]:
        """The kinds of reason found."""
        return {r.code for r in self.reasons}


def validate(route: Route | Sequence[MissionItem], *, launch: GeoPoint | None = None,
             zones: ZoneSet | None = None, profile: VehicleProfile = VehicleProfile(),
             limits: Limits = Limits(), battery_pct: float = 100.0,
             at: datetime | None = None,
             projection: LocalProjection | None = None, ground: GroundModel | None = None,
             autopilot: Autopilot | None = None) -> ValidationResult:
    """Check a route (or items from ``launch``) before upload; list every reason to refuse it.

    ``projection`` (default: the route's own, else one centred on the launch point) is the
    metric frame distances are measured in; passing a shared one saves building it.
    ``ground`` gives the ground elevation heights are measured from (default: level with the
    launch point). ``autopilot`` adds the reasons that family would not fly an item.
    """
    if not (isinstance(battery_pct, int | float) and 0 <= battery_pct <= 100):
        raise RouteError(f"battery_pct {battery_pct!r} must be between 0 and 100")
    items, launch, projection = route_parts(route, launch, projection, "validating")
    if not items:
        return ValidationResult((Reason(ReasonCode.EMPTY, "the route has no items"),), (), None)
    ground = ground or FlatGround(launch.alt_m)
    path = flight_path(items, launch, projection, ground)
    reasons: list[Reason] = [Reason(ReasonCode.UNPLACEABLE, p.message, (p.item_index,))
                             for p in path.problems]
    first_nav = next((i for i, item in enumerate(items) if item.command in it.NAV_TO_PLACE
                      or item.command == MavCmd.NAV_RETURN_TO_LAUNCH), None)
    if first_nav is None or items[first_nav].command not in (MavCmd.NAV_TAKEOFF, 84):
        reasons.append(Reason(ReasonCode.NO_TAKEOFF, "the first navigation item is not a take-off",
                              () if first_nav is None else (first_nav,)))
    reasons += _height_reasons(path, items, limits, ground)
    reasons += _spacing_reasons(path, items, limits)
    reasons += _distance_reasons(path, limits)
    if autopilot is not None:
        reasons += [Reason(ReasonCode.AUTOPILOT, f"{autopilot.value}: {problem}")
                    for problem in family_problems(items, autopilot)]
    notes = list(path.notes)
    if zones is not None and len(path.points) > 1:
        reasons += _zone_reasons(path, zones, limits, at)
    estimate = estimate_flight(path, profile, limits, battery_pct)
    if estimate.energy_wh > estimate.available_wh:
        reasons.append(Reason(
            ReasonCode.ENDURANCE,
            f"needs {estimate.energy_wh:.1f} Wh ({estimate.flight_time_s / 60:.1f} min) but only "
            f"{estimate.available_wh:.1f} Wh are usable above the {limits.reserve_pct:.0f} % "
            f"reserve at {battery_pct:.0f} % battery", (), value=estimate.energy_wh,
            limit=estimate.available_wh))
    if estimate.unlimited_hold_s is not None:
        notes.append(f"holds until told: about {estimate.unlimited_hold_s / 60:.1f} min overhead "
                     "before reaching the reserve")
    return ValidationResult(tuple(reasons), tuple(notes), estimate)


def _item_ranges(indices: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in indices[:8])
    return shown + (f" and {len(indices) - 8} more" if len(indices) > 8 else "")


def _height_reasons(path: FlightPath, items: Sequence[MissionItem], limits: Limits,
                    ground: GroundModel) -> list[Reason]:
    """Ceiling and minimum height above the ground, sampled along every leg and orbit."""
    if not (math.isfinite(limits.ground_sample_m) and limits.ground_sample_m > 0):
        raise ValueError(f"ground_sample_m {limits.ground_sample_m} must be a positive distance")
    # over level ground a straight leg's height changes linearly: its ends are its extremes
    step = math.inf if isinstance(ground, FlatGround) else limits.ground_sample_m
    item, checked, x, y, alt = _samples(path, items, step)
    lat, lon = path.projection.to_wgs84(x, y)
    try:
        under = np.asarray(ground.elevation_amsl_m(lat, lon), dtype=float)
    except GroundError as exc:
        return [Reason(ReasonCode.GROUND_UNKNOWN, f"height above ground cannot be checked: {exc}")]
    height = path.launch.alt_m + alt - under
    basis = ground.describe()
    reasons = []
    high = height > limits.ceiling_m + 1e-6
    if high.any():
        idx = tuple(dict.fromkeys(int(i) for i in item[high]))
        top = float(height[high].max())
        reasons.append(Reason(ReasonCode.ABOVE_CEILING,
                              f"item(s) {_item_ranges(idx)} fly up to {top:.1f} m above ground, "
                              f"above the {limits.ceiling_m:.0f} m ceiling ({basis})", idx,
                              value=top, limit=limits.ceiling_m))
    low = checked & (height < limits.min_alt_m - 1e-6)
    if low.any():
        idx = tuple(dict.fromkeys(int(i) for i in item[low]))
        bottom = float(height[low].min())
        reasons.append(Reason(ReasonCode.BELOW_MINIMUM,
                              f"item(s) {_item_ranges(idx)} fly down to {bottom:.1f} m above "
                              f"ground, below the {limits.min_alt_m:.0f} m minimum ({basis})",
                              idx, value=bottom, limit=limits.min_alt_m))
    return reasons


_ORBIT_SAMPLES = 16


def _samples(path: FlightPath, items: Sequence[MissionItem], step_m: float,
             ) -> tuple[NDArray[np.int_], NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64],
                        NDArray[np.float64]]:
    """Points along the flight (item flying there, minimum-height applies, x, y, alt above home).

    Every leg is sampled at most ``step_m`` apart, its end included; the minimum height
    applies to the end of a leg that arrives at a cruise item and to the whole of a leg
    between two of them (take-off climbs and landing descents are below it by nature).
    Orbits add points around their circle.
    """
    pts = path.points
    item = np.array([p.item_index for p in pts])
    cruise = np.array([p.item_index >= 0 and items[p.item_index].command in _CHECKED_NAV
                       for p in pts])
    x, y, alt = (np.array([getattr(p, f) for p in pts], dtype=float) for f in ("x_m", "y_m", "alt_m"))
    radius = np.array([p.orbit_radius_m for p in pts])
    if len(pts) < 2:
        return item, np.zeros(len(pts), bool), x, y, alt
    dx, dy, dalt = np.diff(x), np.diff(y), np.diff(alt)
    n = np.maximum(1, np.ceil(np.hypot(dx, dy) / step_m)).astype(int)
    leg = np.repeat(np.arange(n.size), n)
    s = (np.arange(leg.size) - np.repeat(np.cumsum(n) - n, n) + 1) / n[leg]
    end = leg + 1
    check = np.where(s == 1.0, cruise[end], cruise[leg] & cruise[end])
    orbit = np.flatnonzero(radius > 0)
    angle = np.tile(np.linspace(0, 2 * math.pi, _ORBIT_SAMPLES, endpoint=False), orbit.size)
    around = np.repeat(orbit, _ORBIT_SAMPLES)
    return (np.concatenate([item[end], item[around]]),
            np.concatenate([check, cruise[around]]),
            np.concatenate([x[leg] + s * dx[leg], x[around] + radius[around] * np.cos(angle)]),
            np.concatenate([y[leg] + s * dy[leg], y[around] + radius[around] * np.sin(angle)]),
            np.concatenate([alt[leg] + s * dalt[leg], alt[around]]))


def _spacing_reasons(path: FlightPath, items: Sequence[MissionItem], limits: Limits) -> list[Reason]:
    nav = [p for p in path.points if p.item_index >= 0 and items[p.item_index].command in _CHECKED_NAV]
    reasons = []
    for a, b in itertools.pairwise(nav):
        gap = math.dist((a.x_m, a.y_m, a.alt_m), (b.x_m, b.y_m, b.alt_m))
        if gap < limits.min_waypoint_spacing_m:
            reasons.append(Reason(ReasonCode.TOO_CLOSE,
                                  f"items {a.item_index} and {b.item_index} are {gap:.2f} m apart, "
                                  f"closer than {limits.min_waypoint_spacing_m:.1f} m",
                                  (a.item_index, b.item_index), value=gap,
                                  limit=limits.min_waypoint_spacing_m))
    return reasons


def _distance_reasons(path: FlightPath, limits: Limits) -> list[Reason]:
    origin = path.points[0]
    far = [(math.dist((p.x_m, p.y_m), (origin.x_m, origin.y_m)), p) for p in path.points]
    beyond = [(d, p) for d, p in far if d > limits.max_distance_from_launch_m]
    if not beyond:
        return []
    idx = tuple(dict.fromkeys(p.item_index for _, p in beyond))
    worst = max(d for d, _ in beyond)
    return [Reason(ReasonCode.TOO_FAR,
                   f"item(s) {_item_ranges(idx)} reach {worst:.0f} m from the launch point, beyond "
                   f"{limits.max_distance_from_launch_m:.0f} m", idx, value=worst,
                   limit=limits.max_distance_from_launch_m)]


def _zone_reasons(path: FlightPath, zones: ZoneSet, limits: Limits,
                  at: datetime | None) -> list[Reason]:
    home = path.launch.alt_m
    route = [(p.lat_deg, p.lon_deg, home + p.alt_m) for p in path.points]
    try:
        found = zones.check_route(route, margin_m=limits.zone_margin_m, at=at, home_amsl_m=home)
    except GeofenceError as exc:
        return [Reason(ReasonCode.GEOFENCE, f"zones cannot be checked: {exc}")]
    grouped: dict[tuple[str, ViolationKind], list[int]] = defaultdict(list)
    first: dict[tuple[str, ViolationKind], Violation] = {}
    for v in found:
        key = (v.zone_id, v.kind)
        leg = v.leg_index or 0
        grouped[key].append(path.points[min(leg + 1, len(path.points) - 1)].item_index)
        first.setdefault(key, v)
    reasons = []
    for key, item_list in grouped.items():
        v = first[key]
        idx = tuple(dict.fromkeys(item_list))
        code = ReasonCode.ZONE_MARGIN if v.kind is ViolationKind.WITHIN_MARGIN else ReasonCode.GEOFENCE
        reasons.append(Reason(code, f"zone {v.zone_name!r} ({v.zone_id}): {v.kind.value} on the "
                              f"leg(s) to item(s) {_item_ranges(idx)}", idx, v.zone_id,
                              v.zone_name, v.distance_m))
    return reasons


def leg_time_s(a: PathPoint, b: PathPoint, profile: VehicleProfile) -> float:
    """Seconds from one path point to the next: the longer of the horizontal time at the leg's
    speed and the vertical time at the climb or descent rate."""
    speed = b.speed_mps or profile.cruise_speed_mps
    dz = b.alt_m - a.alt_m
    vertical = dz / profile.climb_mps if dz > 0 else -dz / profile.descent_mps
    return max(math.dist((a.x_m, a.y_m), (b.x_m, b.y_m)) / speed, vertical)


def estimate_flight(path: FlightPath, profile: VehicleProfile = VehicleProfile(),
                    limits: Limits = Limits(), battery_pct: float = 100.0) -> Estimate:
    """Distance, climb, hover time, flight time and energy of a flight path.

    Legs run as flown (to an orbit's entry point and from where its turns end). Each takes the
    longest of its horizontal time at the leg's speed and its vertical time at the climb or
    descent rate; it draws cruise power when moving horizontally, hover power
    otherwise, plus the extra of climb over hover power for every second spent climbing.
    """
    horizontal = climb = descent = hover = time_s = energy_j = 0.0
    unlimited = False
    extra_climb_w = max(profile.climb_power_w - profile.hover_power_w, 0.0)
    pts = path.points
    for a, b in flown_legs(pts):
        d = math.dist((a.x_m, a.y_m), (b.x_m, b.y_m))
        dz = b.alt_m - a.alt_m
        speed = b.speed_mps or profile.cruise_speed_mps
        t_v = dz / profile.climb_mps if dz > 0 else -dz / profile.descent_mps
        t = leg_time_s(a, b, profile)
        power = profile.cruise_power_w if d > 0.5 else profile.hover_power_w
        energy_j += t * power + (t_v * extra_climb_w if dz > 0 else 0.0)
        horizontal += d
        climb += max(dz, 0.0)
        descent += max(-dz, 0.0)
        time_s += t
        t_hold = b.hold_s + b.orbit_m / speed
        hover += b.hold_s
        time_s += t_hold
        horizontal += b.orbit_m
        energy_j += b.hold_s * profile.hover_power_w + (b.orbit_m / speed) * profile.cruise_power_w
        unlimited = unlimited or b.unlimited
    energy_wh = energy_j / 3600.0
    available = profile.usable_battery_wh * (battery_pct - limits.reserve_pct) / 100.0
    origin = pts[0]
    farthest = max(math.dist((p.x_m, p.y_m), (origin.x_m, origin.y_m)) for p in pts)
    hold_s = (max(available - energy_wh, 0.0) * 3600.0 / profile.hover_power_w
              if unlimited else None)
    return Estimate(horizontal, climb, descent, hover, time_s, energy_wh, max(available, 0.0),
                    farthest, hold_s)
