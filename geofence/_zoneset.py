"""A fixed set of zones in one local projection: point, route and live-watch checks."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from geofence._compiled import CompiledZones
from geofence._evaluate import Findings, Legs, evaluate
from geofence._exceptions import GeofenceError
from geofence._geo import GeoPoint, coordinate_problem
from geofence._projection import LocalProjection
from geofence._schedule import require_aware
from geofence._violation import CODE, KIND_BY_CODE, Violation, ViolationKind
from geofence._watch import DEFAULT_WATCH_HORIZON_S, AlertKind, WatchAlert, WatchResult
from geofence._zone import Zone, check_unique_ids

_NOW_S = 1e-9
"""A breach starting within this fraction of a leg counts as happening at its start."""
_BAND_KINDS = (CODE[ViolationKind.INSIDE_NO_FLY], CODE[ViolationKind.ABOVE_CEILING],
               CODE[ViolationKind.BELOW_FLOOR])


class ZoneSet:
    """Zones of one area, compiled once into metric geometry and a spatial index.

    ``indexed=False`` runs exactly the same checks with a plain loop over zones instead of the
    STRtree: the baseline that benchmarks compare against (results are identical).
    Without ``projection`` one is chosen to fit the zones (:meth:`LocalProjection.for_points`);
    pass one to cover a wider area the vehicles fly in. Positions farther than the projection's
    radius are refused with :class:`ProjectionError`.
    """

    def __init__(
        self, zones: Iterable[Zone], *, indexed: bool = True,
        projection: LocalProjection | None = None,
    ) -> None:
        self._zones = tuple(zones)
        check_unique_ids(self._zones)
        self.indexed = indexed
        if projection is None and self._zones:
            lats: list[float] = []
            lons: list[float] = []
            for zone in self._zones:
                zone_lats, zone_lons = zone.all_lat_lon()
                lats += zone_lats
                lons += zone_lons
            projection = LocalProjection.for_points(lats, lons)
        self.projection = projection
        self._compiled = CompiledZones(self._zones, projection) if projection and self._zones else None
        self._by_id = {zone.id: zone for zone in self._zones}

    def __len__(self) -> int:
        return len(self._zones)

    def __iter__(self) -> Iterator[Zone]:
        return iter(self._zones)

    def __repr__(self) -> str:
        return f"ZoneSet({len(self._zones)} zones, indexed={self.indexed}, {self.projection!r})"

    @property
    def zones(self) -> tuple[Zone, ...]:
        """The zones, in the order given."""
        return self._zones

    def get(self, zone_id: str) -> Zone | None:
        """The zone with this id, if any."""
        return self._by_id.get(zone_id)

    def with_indexed(self, indexed: bool) -> ZoneSet:
        """The same zones (compiled once, shared), checked with or without the spatial index."""
        twin = object.__new__(ZoneSet)
        twin.__dict__.update(self.__dict__)
        twin.indexed = indexed
        return twin

    def active_zones(self, at: datetime | None = None) -> list[Zone]:
        """Zones that apply at ``at`` (default: now)."""
        moment = _moment(at)
        return [zone for zone in self._zones if zone.is_active(moment)]

    def check_point(
        self, point: GeoPoint | Sequence[float], *, at: datetime | None = None,
        home_amsl_m: float | None = None, margin_m: float = 0.0,
    ) -> list[Violation]:
        """Every zone a position (altitude AMSL) breaks at ``at`` (default: now)."""
        coords = _waypoints([point], what="point")
        found = self._evaluate(coords[:1], coords[:1], at, home_amsl_m, margin_m)
        return self._violations(found, legs_named=False)

    def check_route(
        self, points: Sequence[GeoPoint | Sequence[float]], *, margin_m: float = 0.0,
        at: datetime | None = None, home_amsl_m: float | None = None,
    ) -> list[Violation]:
        """Every breach along a route of waypoints (lat, lon, alt AMSL), leg by leg.

        Each straight leg climbs or descends linearly between its waypoints, so a leg that
        crosses a zone between two legal waypoints is caught. A one-waypoint route is checked
        as that point (leg 0). ``margin_m`` adds WITHIN_MARGIN reports for legs that come
        closer than that to a limit, horizontally or vertically.
        """
        coords = _waypoints(points, what="waypoint")
        starts = coords[:-1] if len(coords) > 1 else coords
        ends = coords[1:] if len(coords) > 1 else coords
        found = self._evaluate(starts, ends, at, home_amsl_m, margin_m)
        return self._violations(found, legs_named=True)

    def watch(
        self, lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike,
        v_north_mps: ArrayLike, v_east_mps: ArrayLike, v_up_mps: ArrayLike, *,
        horizon_s: float = DEFAULT_WATCH_HORIZON_S, at: datetime | None = None,
        home_amsl_m: float | ArrayLike | None = None, margin_m: float = 0.0,
    ) -> WatchResult:
        """One telemetry tick for many vehicles: who is inside, about to enter, or leaving.

        Positions are WGS84 with altitude AMSL, velocities metres per second north, east and up;
        each vehicle is assumed to keep its velocity for ``horizon_s``. ``home_amsl_m`` is one
        home altitude for all or one per vehicle (NaN where unknown). A vehicle beyond the
        projection's radius cannot be near any zone of the set; it is flagged in
        ``beyond_projection`` and reported outside the operating area (if the set has one)
        instead of failing the whole tick.
        """
        if not (math.isfinite(horizon_s) and horizon_s > 0):
            raise GeofenceError(f"horizon_s {horizon_s} must be a positive number of seconds")
        arrays = [np.atleast_1d(np.asarray(a, dtype=float)).ravel()
                  for a in (lat_deg, lon_deg, alt_m, v_north_mps, v_east_mps, v_up_mps)]
        n = arrays[0].size
        if any(a.size != n for a in arrays):
            raise GeofenceError("watch needs equally long position and velocity arrays")
        lat, lon, alt, v_n, v_e, v_u = arrays
        _check_vehicles(lat, lon, alt, v_n, v_e, v_u)
        if self._compiled is None or n == 0:
            return _quiet_result(n)
        home = _homes(home_amsl_m, n)
        x_all, y_all, accurate = self.projection.to_metres_where_accurate(lat, lon)  # type: ignore[union-attr]
        near = np.flatnonzero(accurate)
        lat, lon, alt, v_n, v_e, v_u = (a[near] for a in (lat, lon, alt, v_n, v_e, v_u))
        x0, y0 = x_all[near], y_all[near]
        east, north = self._grid_axes(lat, lon)
        dx = horizon_s * (v_e * east[0] + v_n * north[0])
        dy = horizon_s * (v_e * east[1] + v_n * north[1])
        legs = Legs.build(x0, y0, alt, x0 + dx, y0 + dy, alt + horizon_s * v_u, home[near])
        active = self._compiled.active_mask(_moment(at))
        found = evaluate(self._compiled, legs, active, margin_m, indexed=self.indexed)
        far = np.ones(n, bool)
        far[near] = False
        return self._watch_result(found, legs, near, far, arrays, horizon_s)

    # -- internals ---------------------------------------------------------------------------

    def _evaluate(
        self, starts: NDArray[np.float64], ends: NDArray[np.float64], at: datetime | None,
        home_amsl_m: float | None, margin_m: float,
    ) -> tuple[Findings, Legs] | None:
        if not (math.isfinite(margin_m) and margin_m >= 0):
            raise GeofenceError(f"margin_m {margin_m} must be a finite number >= 0")
        if home_amsl_m is not None and not math.isfinite(home_amsl_m):
            raise GeofenceError(f"home_amsl_m {home_amsl_m} is not a finite altitude")
        moment = _moment(at)
        if self._compiled is None:
            return None
        x0, y0 = self.projection.to_metres(starts[:, 0], starts[:, 1])  # type: ignore[union-attr]
        x1, y1 = self.projection.to_metres(ends[:, 0], ends[:, 1])  # type: ignore[union-attr]
        home = np.full(len(starts), math.nan if home_amsl_m is None else float(home_amsl_m))
        legs = Legs.build(x0, y0, starts[:, 2], x1, y1, ends[:, 2], home)
        active = self._compiled.active_mask(moment)
        return evaluate(self._compiled, legs, active, margin_m, indexed=self.indexed), legs

    def _places(self, found: Findings, legs: Legs) -> tuple[NDArray[np.float64], ...]:
        x, y, alt = legs.at(found.leg, found.s)
        lat, lon = self.projection.to_wgs84(x, y)  # type: ignore[union-attr]
        return lat, lon, alt

    def _violations(
        self, result: tuple[Findings, Legs] | None, *, legs_named: bool
    ) -> list[Violation]:
        if result is None or result[0].leg.size == 0:
            return []
        found, legs = result
        lat, lon, alt = self._places(found, legs)
        zones = self._zones
        along = (found.s * legs.length[found.leg]).tolist()
        kinds = [KIND_BY_CODE[k] for k in found.kind.tolist()]
        guarded = [KIND_BY_CODE[k] if k >= 0 else None for k in found.margin_kind.tolist()]
        return [
            Violation(
                zone_id=zones[z].id, zone_name=zones[z].name, kind=kind, lat_deg=la, lon_deg=lo,
                alt_m=al, distance_m=d, leg_index=leg if legs_named else None,
                along_leg_m=s_m if legs_named else None, margin_kind=g)
            for z, kind, la, lo, al, d, leg, s_m, g in zip(
                found.zone.tolist(), kinds, lat.tolist(), lon.tolist(), alt.tolist(),
                found.distance.tolist(), found.leg.tolist(), along, guarded, strict=True)
        ]

    def _grid_axes(
        self, lat: NDArray[np.float64], lon: NDArray[np.float64],
    ) -> tuple[tuple[NDArray[np.float64], NDArray[np.float64]], tuple[NDArray[np.float64], ...]]:
        """Unit vectors of true east and north at each position, in projected metres.

        Grid north of the transverse Mercator is turned from true north by the meridian
        convergence atan2(sin Δλ sin φ, cos Δλ) (the spherical formula: the ellipsoid's terms
        stay below 1e-7 rad within the projection's radius, poles included).
        """
        dl = np.radians(lon - self.projection.centre.lon_deg)  # type: ignore[union-attr]
        gamma = np.arctan2(np.sin(dl) * np.sin(np.radians(lat)), np.cos(dl))
        nx, ny = -np.sin(gamma), np.cos(gamma)
        return (ny, -nx), (nx, ny)

    def _watch_result(
        self, found: Findings, legs: Legs, near: NDArray[np.intp], far: NDArray[np.bool_],
        vehicles: list[NDArray[np.float64]], horizon_s: float,
    ) -> WatchResult:
        n = far.size
        vehicle = near[found.leg]
        time_s = found.s * horizon_s
        now = found.s <= _NOW_S
        band = np.isin(found.kind, _BAND_KINDS)
        outside = found.kind == CODE[ViolationKind.OUTSIDE_OPERATING_AREA]
        inside = np.zeros(n, bool)
        inside[vehicle[band & now]] = True
        time_to_breach = np.full(n, math.inf)
        np.minimum.at(time_to_breach, vehicle[band], np.where(now[band], 0.0, time_s[band]))
        breach_zone = np.full(n, None, dtype=object)
        first = band & (np.where(now, 0.0, time_s) == time_to_breach[vehicle])
        for row in np.flatnonzero(first)[::-1]:  # rows are sorted; keep each vehicle's first
            breach_zone[vehicle[row]] = self._zones[found.zone[row]].id
        has_areas = self._compiled is not None and self._compiled.operating_indices.size > 0
        outside_now = far & has_areas
        outside_now[vehicle[outside & now]] = True
        time_to_exit = np.where(outside_now, 0.0, math.inf)
        np.minimum.at(time_to_exit, vehicle[outside], np.where(now[outside], 0.0, time_s[outside]))
        leaving = np.isfinite(time_to_exit) & ~outside_now
        far_alerts = np.flatnonzero(far & has_areas)
        return WatchResult(
            inside, np.isfinite(time_to_breach) & ~inside, time_to_breach, breach_zone,
            outside_now, leaving, time_to_exit,
            lambda: self._alerts(found, legs, vehicle, far_alerts, vehicles, horizon_s), far)

    def _alerts(
        self, found: Findings, legs: Legs, vehicle: NDArray[np.intp], far: NDArray[np.intp],
        vehicles: list[NDArray[np.float64]], horizon_s: float,
    ) -> tuple[WatchAlert, ...]:
        alerts: list[WatchAlert] = []
        zones = self._zones
        if found.leg.size:
            lat, lon, alt = self._places(found, legs)
            alerts += [
                WatchAlert(
                    vehicle_index=int(vehicle[i]),
                    alert=_alert_kind(int(found.kind[i]), bool(found.s[i] <= _NOW_S)),
                    violation=KIND_BY_CODE[found.kind[i]], zone_id=zones[found.zone[i]].id,
                    zone_name=zones[found.zone[i]].name,
                    time_to_breach_s=0.0 if found.s[i] <= _NOW_S else float(found.s[i] * horizon_s),
                    lat_deg=float(lat[i]), lon_deg=float(lon[i]), alt_m=float(alt[i]))
                for i in range(found.leg.size)]
        if far.size:
            area = zones[int(self._compiled.operating_indices[0])]  # type: ignore[union-attr]
            alerts += [
                WatchAlert(int(v), AlertKind.OUTSIDE_OPERATING_AREA,
                           ViolationKind.OUTSIDE_OPERATING_AREA, area.id, area.name, 0.0,
                           float(vehicles[0][v]), float(vehicles[1][v]), float(vehicles[2][v]))
                for v in far]
            alerts.sort(key=lambda a: (a.vehicle_index, a.time_to_breach_s))
        return tuple(alerts)


def _alert_kind(kind_code: int, now: bool) -> AlertKind:
    kind = KIND_BY_CODE[kind_code]
    if kind is ViolationKind.WITHIN_MARGIN:
        return AlertKind.WITHIN_MARGIN
    if kind is ViolationKind.OUTSIDE_OPERATING_AREA:
        return AlertKind.OUTSIDE_OPERATING_AREA if now else AlertKind.LEAVING_OPERATING_AREA
    return AlertKind.INSIDE if now else AlertKind.ABOUT_TO_ENTER


def _quiet_result(n: int) -> WatchResult:
    no = np.zeros(n, bool)
    never = np.full(n, math.inf)
    return WatchResult(no, no.copy(), never, np.full(n, None, dtype=object), no.copy(), no.copy(),
                       never.copy(), tuple, no.copy())


def _moment(at: datetime | None) -> datetime:
    return datetime.now(UTC) if at is None else require_aware(at, "check time")


def _waypoints(points: Sequence[GeoPoint | Sequence[float]], *, what: str) -> NDArray[np.float64]:
    """An (n, 3) array of lat, lon, alt; refuses bad positions naming the waypoint."""
    try:
        coords = np.array(points, dtype=float)
    except (TypeError, ValueError):
        coords = np.empty((0, 0))
    if coords.ndim != 2 or coords.shape[1] != 3:
        for i, p in enumerate(points):  # find the culprit for the message
            if not (isinstance(p, Sequence) and len(p) == 3):
                raise GeofenceError(f"{what} {i}: {p!r} is not (lat_deg, lon_deg, alt_m)")
        if len(points) == 0:
            raise GeofenceError(f"no {what}s to check")
        raise GeofenceError(f"{what}s are not all (lat_deg, lon_deg, alt_m) numbers")
    lat, lon, alt = coords[:, 0], coords[:, 1], coords[:, 2]
    bad = ~(np.isfinite(coords).all(axis=1) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        problem = coordinate_problem(float(lat[i]), float(lon[i])) or (
            f"altitude {alt[i]} is not a finite number")
        raise GeofenceError(f"{what} {i}: {problem}")
    return coords


def _check_vehicles(*arrays: NDArray[np.float64]) -> None:
    lat, lon = arrays[0], arrays[1]
    if (np.isfinite(np.stack(arrays)).all() and (np.abs(lat) <= 90).all()
            and (np.abs(lon) <= 180).all()):
        return  # the usual tick: nothing to name
    names = ("latitude", "longitude", "altitude", "north velocity", "east velocity", "up velocity")
    for name, values in zip(names, arrays, strict=True):
        bad = ~np.isfinite(values)
        if bad.any():
            raise GeofenceError(f"vehicle {int(np.flatnonzero(bad)[0])}: {name} is not finite")
    lat, lon = arrays[0], arrays[1]
    bad = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GeofenceError(f"vehicle {i}: {coordinate_problem(float(lat[i]), float(lon[i]))}")


def _homes(home_amsl_m: float | ArrayLike | None, n: int) -> NDArray[np.float64]:
    if home_amsl_m is None:
        return np.full(n, math.nan)
    home = np.asarray(home_amsl_m, dtype=float)
    if home.ndim == 0:
        return np.full(n, float(home))
    if home.size != n:
        raise GeofenceError(f"home_amsl_m has {home.size} values for {n} vehicles")
    return home.ravel().astype(float)
