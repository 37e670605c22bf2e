"""Rank every dock-based and airborne drone for one scene by estimated time to scene."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
from pyproj import Geod

from docks import LaunchSettings, SimTimings
from geofence import GeoPoint, ZoneSet
from groundstation.dispatch._exceptions import DispatchError
from groundstation.dispatch._launch import dock_exclusions, launch_overhead_s
from groundstation.dispatch._model import (
    AirborneSnapshot,
    CandidateKind,
    DispatchPlan,
    DockSnapshot,
    Exclusion,
    GroundAssignment,
    GroundUnit,
    RankedCandidate,
    Reason,
    Scene,
)
from groundstation.dispatch._paths import Leg, PathPlanner, PlannedPath
from groundstation.dispatch._settings import DispatchSettings

_GEOD = Geod(ellps="WGS84")
NOT_CHECKED = "straight line, not zone-checked (excluded for other reasons)"
BOUNDED = ("ETA from the straight line (a lower bound): beyond the outermost ring and slower "
           "than the best, so its path was not planned")


def rank_candidates(
    scene: Scene,
    docks: Sequence[DockSnapshot],
    airborne: Sequence[AirborneSnapshot],
    *,
    zones: ZoneSet,
    settings: DispatchSettings | None = None,
    launch: LaunchSettings | None = None,
    timings: SimTimings | None = None,
    ground_units: Iterable[GroundUnit] = (),
    at: datetime | None = None,
    complete: bool = False,
) -> DispatchPlan:
    """Every candidate with its time to scene, path, battery need, ring and exclusions, best first.

    Dock drones: launch overhead (dock state, cover, drone power) + climb to the cruise altitude
    + cruise along a zone-avoiding path; battery for the way out, ``launch.hold_s`` overhead and
    the way back with ``launch.reserve_pct`` in reserve; the dock's wind and rain limits.
    Airborne drones: a response allowance + the altitude change + the same cruise; their way
    back ends at their home (or where they are, when no home is known).

    Paths are planned best-first: a candidate whose straight-line ETA (a lower bound) is beyond
    the outermost ring and slower than the best planned ETA can be neither the best nor in a
    ring, so it keeps that bound, flagged ``eta_lower_bound``, unless ``complete`` (sending a
    named candidate needs its real path).
    """
    settings = settings or DispatchSettings()
    launch = launch or LaunchSettings()
    timings = timings or SimTimings()
    moment = datetime.now(UTC) if at is None else at
    if moment.tzinfo is None:
        raise DispatchError("dispatch time must be timezone-aware")
    cruise_amsl_m = scene.ground_amsl_m + launch.cruise_alt_m
    legs = [Leg(*d.info.landing_point, d.info.alt_m + launch.cruise_alt_m) for d in docks]
    legs += [Leg(a.lat_deg, a.lon_deg, a.alt_amsl_m) for a in airborne]
    planner = PathPlanner(zones, settings)
    target = GeoPoint(scene.lat_deg, scene.lon_deg, cruise_amsl_m)

    def judged(paths: list[PlannedPath]) -> list[RankedCandidate]:
        out = [_dock_candidate(d, p, settings, launch, timings)
               for d, p in zip(docks, paths[:len(docks)], strict=True)]
        out += [_airborne_candidate(a, p, scene, cruise_amsl_m, settings, launch)
                for a, p in zip(airborne, paths[len(docks):], strict=True)]
        return out

    # a detour only lengthens the way, so the straight line's ETA is a lower bound: candidates
    # excluded on it stay excluded, and a candidate whose bound is beyond the outermost ring and
    # slower than the best planned ETA can neither be sent first nor enter a ring; it keeps
    # its bound (flagged) unless ``complete`` asks for every path
    paths = planner.plan([replace(g, plan=False) for g in legs], target, at=moment,
                         home_amsl_m=scene.ground_amsl_m)
    bounds = ranked = judged(paths)
    outer = settings.rings_s[-1]
    waiting = {i for i, c in enumerate(bounds) if c.eligible}
    todo = {i for i in waiting if complete or bounds[i].eta_s <= outer}
    best = math.inf  # the best planned ETA so far
    while waiting:
        todo = todo or {i for i in waiting if bounds[i].eta_s <= best}  # ties too: id order
        if not todo:
            break
        found = planner.plan([replace(g, plan=i in todo) for i, g in enumerate(legs)], target,
                             at=moment, home_amsl_m=scene.ground_amsl_m)
        for i in todo:
            paths[i] = found[i]
        waiting -= todo
        todo = set()
        ranked = judged(paths)
        best = min((c.eta_s for i, c in enumerate(ranked) if c.eligible and i not in waiting),
                   default=math.inf)
    ranked = [_bounded(c) if i in waiting else c for i, c in enumerate(ranked)]
    ranked = [_with_ring(c, settings.rings_s) for c in ranked]
    ranked.sort(key=lambda c: (not c.eligible, c.eta_s, c.candidate_id))
    rings = {ring: tuple(c.candidate_id for c in ranked if c.ring_s is not None and c.ring_s <= ring)
             for ring in settings.rings_s}
    return DispatchPlan(scene, moment, tuple(ranked), rings,
                        nearest_ground_unit(scene, ground_units, settings))


def nearest_ground_unit(
    scene: Scene, units: Iterable[GroundUnit], settings: DispatchSettings | None = None
) -> GroundAssignment | None:
    """The available ground unit nearest the scene, with a rough drive time; None if none."""
    settings = settings or DispatchSettings()
    free = [u for u in units if u.available]
    if not free:
        return None
    lats = np.array([u.lat_deg for u in free])
    lons = np.array([u.lon_deg for u in free])
    _, _, dist = _GEOD.inv(lons, lats, np.full(len(free), scene.lon_deg),
                           np.full(len(free), scene.lat_deg))
    best = int(np.argmin(dist))
    distance_m = float(np.asarray(dist)[best])
    return GroundAssignment(free[best], distance_m,
                            distance_m * settings.ground_road_factor / settings.ground_speed_mps)


def _dock_candidate(
    dock: DockSnapshot, path: PlannedPath, settings: DispatchSettings, launch: LaunchSettings,
    timings: SimTimings,
) -> RankedCandidate:
    profile = dock.profile
    exclusions = dock_exclusions(dock, launch)
    cruise_s = path.length_m / profile.cruise_speed_mps
    climb_s = launch.cruise_alt_m / profile.climb_mps
    flight_s = climb_s + 2 * cruise_s + launch.hold_s + launch.cruise_alt_m / profile.descent_mps
    needed = profile.battery_pct_for(flight_s) + launch.reserve_pct
    battery = dock.readings.drone_battery_pct if dock.readings is not None else None
    exclusions += _battery_exclusions(battery, needed, launch, exclusions)
    if path.problem is not None:
        exclusions.append(path.problem)
    launch_s = launch_overhead_s(dock, timings=timings, settings=settings)
    lat, lon = dock.info.landing_point
    return RankedCandidate(
        kind=CandidateKind.DOCK, candidate_id=dock.info.dock_id, drone_id=dock.info.drone_id,
        dock_id=dock.info.dock_id, lat_deg=lat, lon_deg=lon,
        eta_s=launch_s + climb_s + cruise_s, launch_s=launch_s, climb_s=climb_s, cruise_s=cruise_s,
        distance_m=path.length_m, straight_m=path.straight_m, path=path.latlon,
        detoured=path.detoured, battery_pct=battery, battery_needed_pct=needed,
        exclusions=tuple(exclusions), ring_s=None, warnings=_warnings(path))


def _airborne_candidate(
    drone: AirborneSnapshot, path: PlannedPath, scene: Scene, cruise_amsl_m: float,
    settings: DispatchSettings, launch: LaunchSettings,
) -> RankedCandidate:
    profile = drone.profile
    exclusions: list[Exclusion] = []
    if not drone.connected:
        exclusions.append(Exclusion(Reason.LINK_LOST, "link lost"))
    if drone.busy:
        exclusions.append(Exclusion(Reason.BUSY, drone.busy))
    rise_m = cruise_amsl_m - drone.alt_amsl_m
    climb_s = rise_m / profile.climb_mps if rise_m >= 0 else -rise_m / profile.descent_mps
    cruise_s = path.length_m / profile.cruise_speed_mps
    home = (drone.home_lat_deg, drone.home_lon_deg)
    if home[0] is None or home[1] is None:
        home = (drone.lat_deg, drone.lon_deg)
    _, _, back_m = _GEOD.inv(home[1], home[0], scene.lon_deg, scene.lat_deg)
    detour_ratio = path.length_m / path.straight_m if path.straight_m > 0 else 1.0
    back_s = float(back_m) * detour_ratio / profile.cruise_speed_mps
    flight_s = climb_s + cruise_s + launch.hold_s + back_s + launch.cruise_alt_m / profile.descent_mps
    needed = profile.battery_pct_for(flight_s) + launch.reserve_pct
    exclusions += _battery_exclusions(drone.battery_pct, needed, launch, exclusions)
    if path.problem is not None:
        exclusions.append(path.problem)
    launch_s = settings.airborne_response_s
    return RankedCandidate(
        kind=CandidateKind.AIRBORNE, candidate_id=drone.drone_id, drone_id=drone.drone_id,
        dock_id=None, lat_deg=drone.lat_deg, lon_deg=drone.lon_deg,
        eta_s=launch_s + climb_s + cruise_s, launch_s=launch_s, climb_s=climb_s, cruise_s=cruise_s,
        distance_m=path.length_m, straight_m=path.straight_m, path=path.latlon,
        detoured=path.detoured, battery_pct=drone.battery_pct, battery_needed_pct=needed,
        exclusions=tuple(exclusions), ring_s=None, warnings=_warnings(path))


def _bounded(candidate: RankedCandidate) -> RankedCandidate:
    """A candidate whose path was not planned: its straight-line ETA flagged as a lower bound."""
    return replace(candidate, eta_lower_bound=True,
                   warnings=tuple(BOUNDED if w == NOT_CHECKED else w for w in candidate.warnings))


def _warnings(path: PlannedPath) -> tuple[str, ...]:
    if path.checked:
        return tuple(path.warnings)
    return (*path.warnings, NOT_CHECKED)


def _battery_exclusions(
    battery: float | None, needed: float, launch: LaunchSettings, already: list[Exclusion]
) -> list[Exclusion]:
    if battery is None:
        silent = {Reason.OFFLINE, Reason.NO_DRONE, Reason.LINK_LOST}
        if any(e.reason in silent for e in already):
            return []
        return [Exclusion(Reason.BATTERY_UNKNOWN, "drone battery unknown")]
    if not math.isfinite(battery) or battery < needed:
        return [Exclusion(Reason.BATTERY, f"battery {battery:.0f}% below the {needed:.0f}% the "
                                          f"round trip needs ({launch.reserve_pct:.0f}% reserve)")]
    return []


def _with_ring(candidate: RankedCandidate, rings_s: Sequence[float]) -> RankedCandidate:
    if not candidate.eligible:
        return candidate
    ring = next((r for r in rings_s if candidate.eta_s <= r), None)
    if ring is None:
        return candidate
    return replace(candidate, ring_s=ring)
