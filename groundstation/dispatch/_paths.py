"""Zone-avoiding paths from many starts to one scene, checked by ``geofence`` and planned in metres.

1. every straight line start -> scene is checked in one ``ZoneSet.check_route`` call (the
   starts alternate with the scene, so each even leg is one candidate's line);
2. a blocked line is replaced by the shortest path through a visibility graph over the corners
   of the blocking zones' clearance octagons (``_octagons``);
3. all new paths are checked again in one call; a path that meets zones the line did not
   adds them to its obstacles and is planned again, up to ``max_detour_rounds``.

Zones that contain the start or the scene itself do not block (the drone must leave or enter
them anyway); they are named in the candidate's warnings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from pyproj import Geod

from geofence import GeoPoint, Violation, ViolationKind, ZoneSet
from groundstation.dispatch._model import Exclusion, Reason
from groundstation.dispatch._octagons import (
    bypass,
    corners,
    inside,
    visible_path,
    zone_supports,
)
from groundstation.dispatch._settings import DispatchSettings

FloatArray = NDArray[np.float64]

BLOCKING = frozenset({ViolationKind.INSIDE_NO_FLY, ViolationKind.ABOVE_CEILING,
                      ViolationKind.BELOW_FLOOR})
_AT_START_M = 1e-3
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class Leg:
    """One candidate's way to the scene."""

    start_lat_deg: float
    start_lon_deg: float
    start_amsl_m: float
    plan: bool = True
    """False: only the straight line is measured (the candidate is excluded anyway)."""


@dataclass(slots=True)
class PlannedPath:
    """A path to the scene: its length, its corners (lat, lon), and what went wrong."""

    length_m: float
    straight_m: float
    latlon: tuple[tuple[float, float], ...]
    checked: bool = False
    """True when the path was zone-checked (False: straight line, not checked)."""
    detoured: bool = False
    problem: Exclusion | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Work:
    """Planning state of one candidate."""

    start_xy: FloatArray
    start_amsl_m: float
    azimuth: float
    """Bearing of the start seen from the scene (orders paths so connectors stay short)."""
    exempt: set[str] = field(default_factory=set)
    obstacles: list[str] = field(default_factory=list)
    xy: FloatArray | None = None
    exact: bool = False
    flooded: set[str] = field(default_factory=set)


class PathPlanner:
    """Plans zone-avoiding paths to one scene over a zone set (metres in its projection)."""

    def __init__(self, zones: ZoneSet, settings: DispatchSettings) -> None:
        self.zones = zones
        self.settings = settings
        self._supports: dict[str, FloatArray] = {}
        self._touching: dict[str, list[str]] = {}
        """Zone id -> blocking zones crossing its clearance octagon (at the scene being planned)."""

    def plan(
        self, legs: Sequence[Leg], scene: GeoPoint, *, at: datetime, home_amsl_m: float
    ) -> list[PlannedPath]:
        """One path per leg, to ``scene`` (altitude AMSL at cruise), zones as they are ``at``."""
        starts = np.array([[g.start_lat_deg, g.start_lon_deg] for g in legs], float).reshape(-1, 2)
        straight = _geodesic_m(starts, scene)
        results = [PlannedPath(float(d), float(d), ((g.start_lat_deg, g.start_lon_deg),
                                                     (scene.lat_deg, scene.lon_deg)))
                   for d, g in zip(straight, legs, strict=True)]
        projection = self.zones.projection
        if projection is None or len(self.zones) == 0 or not legs:
            return results
        x, y, covered = projection.to_metres_where_accurate(starts[:, 0], starts[:, 1])
        sx, sy, scene_ok = projection.to_metres_where_accurate(scene.lat_deg, scene.lon_deg)
        beyond = Exclusion(Reason.BEYOND_MAP, "outside the area the zone map covers")
        if not scene_ok[0]:
            for r in results:
                r.problem = beyond
            return results
        end = np.array([sx[0], sy[0]])
        self._touching.clear()  # found at this scene's altitude and time
        scene_exempt = {v.zone_id for v in self.zones.check_point(
            scene, at=at, home_amsl_m=home_amsl_m) if v.kind in BLOCKING}
        work: dict[int, _Work] = {}
        for i in range(len(legs)):
            if not legs[i].plan:
                continue
            if not covered[i]:
                results[i].problem = beyond
                continue
            work[i] = _Work(np.array([x[i], y[i]]), legs[i].start_amsl_m,
                            math.atan2(y[i] - end[1], x[i] - end[0]), set(scene_exempt))
            work[i].xy = np.stack([work[i].start_xy, end])
            length = float(np.hypot(*(end - work[i].start_xy)))
            results[i].length_m = length
            if scene_exempt:
                results[i].warnings.append(f"scene inside zone(s) {', '.join(sorted(scene_exempt))}")
        pending = self._check(work, list(work), results, scene, at, home_amsl_m, first=True)
        for _ in range(self.settings.max_detour_rounds):
            if not pending:
                break
            self._flood(work, pending, scene, at, home_amsl_m)
            for i in pending:
                self._detour(work[i], end, results[i])
            planned = [i for i in pending if results[i].problem is None]
            pending = self._check(work, planned, results, scene, at, home_amsl_m, first=False)
        for i, item in work.items():
            results[i].checked = True
            if item.xy is not None and results[i].detoured:
                lat, lon = projection.to_wgs84(item.xy[1:-1, 0], item.xy[1:-1, 1])
                results[i].latlon = (results[i].latlon[0],
                                     *zip(lat.tolist(), lon.tolist(), strict=True),
                                     results[i].latlon[-1])
        for i in pending:
            results[i].problem = Exclusion(
                Reason.NO_PATH, f"no zone-free path found in {self.settings.max_detour_rounds} "
                f"detour rounds (zones {', '.join(work[i].obstacles[:5])})")
        return results

    # -- checking -----------------------------------------------------------------------------

    def _check(
        self, work: dict[int, _Work], which: list[int], results: list[PlannedPath],
        scene: GeoPoint, at: datetime, home_amsl_m: float, *, first: bool,
    ) -> list[int]:
        """Check the current paths of ``which`` in one call; return those that must be re-planned.

        Paths are cut into pieces (short legs keep the zone index's envelopes small) and
        chained through the scene: every other path is flown backwards, so only every second
        path needs a connector leg (ignored) to the next one's start.
        """
        if not which:
            return []
        projection = self.zones.projection
        assert projection is not None
        xs: list[FloatArray] = []
        alts: list[FloatArray] = []
        owner: list[int] = []
        ends_at_start: dict[int, tuple[int, bool]] = {}
        for n, i in enumerate(sorted(which, key=lambda k: work[k].azimuth)):
            xy, alt = self._pieces(work[i], scene.alt_m)
            reverse = n % 2 == 1
            if reverse:
                xy, alt = xy[::-1], alt[::-1]
            if xs and not reverse:
                owner.append(-1)  # connector from the previous path's start
            first_leg = len(owner)
            owner += [i] * (len(xy) - 1)
            ends_at_start[i] = (len(owner) - 1, True) if reverse else (first_leg, False)
            if xs and reverse:
                xy, alt = xy[1:], alt[1:]  # the scene is already the previous point
            xs.append(xy)
            alts.append(alt)
        xy_all = np.concatenate(xs)
        lat, lon = projection.to_wgs84(xy_all[:, 0], xy_all[:, 1])
        points = list(zip(lat.tolist(), lon.tolist(), np.concatenate(alts).tolist(), strict=True))
        # a straight line only has to be legal; a detour is also checked for its clearance, so
        # zones it passes too closely are learnt before they are hit
        violations = self.zones.check_route(points, at=at, home_amsl_m=home_amsl_m,
                                            margin_m=0.0 if first else self.settings.clearance_m)
        found: dict[int, set[str]] = {}
        near: dict[int, set[str]] = {}
        owned = [(owner[v.leg_index], v) for v in violations
                 if v.leg_index is not None and owner[v.leg_index] >= 0]
        if first:  # before anything is judged: a zone met on later pieces too is still exempt
            starting = sorted({(i, v.zone_id) for i, v in owned if v.kind in BLOCKING
                               and v.zone_id not in work[i].exempt
                               and _at_start(v, ends_at_start[i], xy_all)})
            for i, zone_id in starting:  # in zone order, whichever way the path was checked
                work[i].exempt.add(zone_id)
                results[i].warnings.append(f"starts inside zone {zone_id}")
        for i, v in owned:
            if v.kind is ViolationKind.WITHIN_MARGIN:
                if v.margin_kind in BLOCKING and v.zone_id not in work[i].exempt:
                    near.setdefault(i, set()).add(v.zone_id)
            elif v.kind is ViolationKind.OUTSIDE_OPERATING_AREA:
                results[i].problem = Exclusion(
                    Reason.LEAVES_AREA, f"path leaves the operating area {v.zone_name!r}")
            elif v.kind in BLOCKING and v.zone_id not in work[i].exempt:
                found.setdefault(i, set()).add(v.zone_id)
        again = []
        for i in sorted(set(found) | set(near)):
            zone_ids = found.get(i, set())
            if results[i].problem is not None:
                continue
            new = sorted((zone_ids | near.get(i, set())) - set(work[i].obstacles))
            if not zone_ids and not new:
                continue  # legal, and only near zones it already keeps clear of
            if not new and work[i].exact:
                results[i].problem = Exclusion(
                    Reason.NO_PATH, f"no path clear of zone(s) {', '.join(sorted(zone_ids))}")
                continue
            work[i].exact = not new  # the quick bypass met a known zone: plan exactly
            work[i].obstacles += new
            again.append(i)
        return again

    def _flood(
        self, work: dict[int, _Work], which: list[int], scene: GeoPoint, at: datetime,
        home_amsl_m: float,
    ) -> None:
        """Add every zone reaching into the clearance octagon of a known obstacle, transitively.

        A wall of zones is learnt whole instead of one zone per re-plan. Which zones touch an
        obstacle's clearance is the same for every candidate, so it is found once per zone
        (``_touching``, one route check per layer over the octagons of zones not asked yet)
        and each candidate then takes the touching zones it is not exempt from.
        """
        for _ in range(self.settings.max_flood_layers):
            fresh = {i: [z for z in work[i].obstacles if z not in work[i].flooded] for i in which}
            if not any(fresh.values()):
                return
            self._find_touching([z for zs in fresh.values() for z in zs], scene, at, home_amsl_m)
            for i, zone_ids in fresh.items():
                item = work[i]
                item.flooded.update(zone_ids)
                for z in zone_ids:
                    item.obstacles += [t for t in self._touching[z]
                                       if t not in item.exempt and t not in item.obstacles]

    def _find_touching(
        self, zone_ids: Sequence[str], scene: GeoPoint, at: datetime, home_amsl_m: float
    ) -> None:
        """Learn which blocking zones cross the clearance octagon of each zone not asked yet.

        The octagons' outlines are checked as one route at the scene's altitude (the connector
        legs between them are ignored).
        """
        new = list(dict.fromkeys(z for z in zone_ids if z not in self._touching))
        if not new:
            return
        projection = self.zones.projection
        assert projection is not None
        self._learn(new)
        grown = np.stack([self._supports[z] for z in new]) + self.settings.clearance_m
        rings = [np.concatenate([outline, outline[:1]]) for outline in corners(grown)]
        owner = [k // 9 if k % 9 < 8 else -1 for k in range(9 * len(new) - 1)]
        xy = np.concatenate(rings)
        lat, lon = projection.to_wgs84(xy[:, 0], xy[:, 1])
        points = [(la, lo, scene.alt_m) for la, lo in zip(lat.tolist(), lon.tolist(), strict=True)]
        for z in new:
            self._touching[z] = []
        for v in self.zones.check_route(points, at=at, home_amsl_m=home_amsl_m):
            k = owner[v.leg_index] if v.leg_index is not None else -1
            if k >= 0 and v.kind in BLOCKING and v.zone_id not in self._touching[new[k]]:
                self._touching[new[k]].append(v.zone_id)

    def _pieces(self, item: _Work, end_amsl_m: float) -> tuple[FloatArray, FloatArray]:
        """The item's path cut into legs of at most ``check_piece_m``, with AMSL altitudes."""
        xy = item.xy
        assert xy is not None
        step = np.hypot(*np.diff(xy, axis=0).T)
        counts = np.maximum(1, np.ceil(step / self.settings.check_piece_m).astype(int))
        frac = np.concatenate([np.arange(c) / c for c in counts] + [np.array([0.0])])
        seg = np.concatenate([np.full(c, k) for k, c in enumerate(counts)] + [[len(step) - 1]])
        frac[-1] = 1.0
        pts = xy[seg] + frac[:, None] * (xy[seg + 1] - xy[seg])
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
        share = along / along[-1] if along[-1] > 0 else np.zeros_like(along)
        return pts, item.start_amsl_m + share * (end_amsl_m - item.start_amsl_m)

    # -- planning -----------------------------------------------------------------------------

    def _detour(self, item: _Work, end: FloatArray, result: PlannedPath) -> None:
        """A path around the item's obstacles: the quick bypass, or the exact visibility graph."""
        self._learn(item.obstacles)  # the last flood layer's finds are not learnt yet
        supports = np.stack([self._supports[z] for z in item.obstacles])
        grown = supports + self.settings.clearance_m
        outline = corners(grown + self.settings.node_offset_m)
        if item.exact:
            path = self._visibility_path(item.start_xy, end, grown, outline)
        else:
            path = bypass(item.start_xy, end, outline)
        if path is None:
            result.problem = Exclusion(
                Reason.NO_PATH, f"zones {', '.join(item.obstacles[:5])} close every way to the scene")
            return
        item.xy = path
        result.detoured = True
        result.length_m = float(np.sum(np.hypot(*np.diff(path, axis=0).T)))

    @staticmethod
    def _visibility_path(
        start: FloatArray, end: FloatArray, grown: FloatArray, outline: FloatArray
    ) -> FloatArray | None:
        """Shortest path through the visibility graph of the octagons' corners."""
        nodes = np.concatenate([start[None, :], end[None, :], outline.reshape(-1, 2)])
        in_obstacle = inside(nodes, grown)
        keep = np.ones(len(nodes), dtype=bool)
        keep[2:] = ~np.any(in_obstacle[2:], axis=1)
        nodes, in_obstacle = nodes[keep], in_obstacle[keep]
        route = visible_path(nodes, grown, corners(grown), in_obstacle, 0, 1)
        return None if route is None else nodes[route]

    def _learn(self, zone_ids: Sequence[str]) -> None:
        """Compute (once) the octagon supports of zones newly met."""
        new = sorted({z for z in zone_ids if z not in self._supports})
        if not new:
            return
        projection = self.zones.projection
        assert projection is not None
        found = [self.zones.get(z) for z in new]
        table = zone_supports([z for z in found if z is not None], projection)
        self._supports.update(zip(new, table, strict=True))


def _at_start(v: Violation, start: tuple[int, bool], xy: FloatArray) -> bool:
    """True when a breach on a candidate's first piece covers the candidate's start point.

    ``xy`` are the checked points in the zone set's projection (the zone check measures along
    its legs in the same metres), so both directions use the same tolerance.
    """
    start_leg, backwards = start
    if v.leg_index != start_leg or v.along_leg_m is None:
        return False
    if not backwards:
        return v.along_leg_m <= _AT_START_M
    piece_m = float(np.hypot(*(xy[start_leg + 1] - xy[start_leg])))
    return v.along_leg_m + v.distance_m >= piece_m - _AT_START_M  # backwards: the leg's end


def _geodesic_m(starts: FloatArray, scene: GeoPoint) -> FloatArray:
    """Geodesic distance of each start (lat, lon rows) to the scene."""
    if starts.size == 0:
        return np.empty(0)
    n = len(starts)
    _, _, dist = _GEOD.inv(starts[:, 1], starts[:, 0], np.full(n, scene.lon_deg),
                           np.full(n, scene.lat_deg))
    return np.asarray(dist, dtype=float)
