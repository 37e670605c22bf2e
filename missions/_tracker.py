"""Execution tracking maths: where a flying mission is, what is left, and what happened.

A pure class fed by the station: progress values (current item, last item reached, as
indices into the uploaded items) and position snapshots, plus the operator's actions. It
never talks to a vehicle. Phases::

    PLANNED --uploaded--> UPLOADED --started--> RUNNING <--paused/resumed--> PAUSED
                             |                    |  \\--finished--> FINISHED
                             +------- aborted ----+------------------> ABORTED
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geofence import GeoPoint, LocalProjection, MissionItem
from missions._exceptions import TrackingError
from missions._ground import GroundModel
from missions._path import XY, PathPoint, flight_path, flown_legs, moved, orbit_ends
from missions._routes import Route, route_parts
from missions._validate import VehicleProfile, leg_time_s

ARRIVAL_RADIUS_M = 3.0
"""Horizontally within this distance of the first point of a return or landing, the vehicle
is on the descent (its altitude there is the vehicle's own choice, e.g. ArduPilot's RTL_ALT)."""


ON_ORBIT_M = 5.0
"""Within this distance of an orbit's circle the vehicle is circling, not still flying to it."""


class MissionPhase(StrEnum):
    """Where a tracked mission is in its life."""

    PLANNED = "planned"
    UPLOADED = "uploaded"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    ABORTED = "aborted"


class MissionEventKind(StrEnum):
    """Entries of a mission's event log."""

    UPLOADED = "uploaded"
    STARTED = "started"
    ITEM_REACHED = "item_reached"
    PAUSED = "paused"
    RESUMED = "resumed"
    FINISHED = "finished"
    ABORTED = "aborted"


_TRANSITIONS: dict[MissionEventKind, tuple[frozenset[MissionPhase], MissionPhase]] = {
    MissionEventKind.UPLOADED: (frozenset({MissionPhase.PLANNED, MissionPhase.UPLOADED}),
                                MissionPhase.UPLOADED),
    MissionEventKind.STARTED: (frozenset({MissionPhase.UPLOADED}), MissionPhase.RUNNING),
    MissionEventKind.PAUSED: (frozenset({MissionPhase.RUNNING}), MissionPhase.PAUSED),
    MissionEventKind.RESUMED: (frozenset({MissionPhase.PAUSED}), MissionPhase.RUNNING),
    MissionEventKind.FINISHED: (frozenset({MissionPhase.RUNNING, MissionPhase.PAUSED}),
                                MissionPhase.FINISHED),
    MissionEventKind.ABORTED: (frozenset({MissionPhase.PLANNED, MissionPhase.UPLOADED,
                                          MissionPhase.RUNNING, MissionPhase.PAUSED}),
                               MissionPhase.ABORTED),
}


@dataclass(frozen=True, slots=True)
class MissionEvent:
    """One entry of the mission's log (aware UTC time)."""

    kind: MissionEventKind
    at: datetime
    item: int | None = None
    detail: str = ""

    def describe(self) -> str:
        """One line of human text."""
        item = f" item {self.item}" if self.item is not None else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.at.isoformat(timespec='seconds')} {self.kind.value}{item}{detail}"


@dataclass(frozen=True, slots=True)
class Progress:
    """A mission's progress at one moment."""

    phase: MissionPhase
    current_item: int
    legs_done: int
    legs_total: int
    percent: float
    distance_to_go_m: float
    time_to_go_s: float
    cross_track_m: float | None
    """Horizontal metres off the planned leg (None: position unknown)."""


class MissionTracker:
    """Follows one mission: progress, distance and time to go, off-path distance, event log."""

    def __init__(self, route: Route | Sequence[MissionItem], *, launch: GeoPoint | None = None,
                 profile: VehicleProfile | None = None,
                 projection: LocalProjection | None = None,
                 ground: GroundModel | None = None) -> None:
        items, launch, projection = route_parts(route, launch, projection, "tracking")
        self.items = items
        self.profile = profile or VehicleProfile()
        self.path = flight_path(self.items, launch, projection, ground)
        pts = self.path.points
        departures, entries = orbit_ends(pts)
        self._aim = [moved(p, entry) for p, entry in zip(pts, entries, strict=True)]
        """Where each point is flown to: an orbit's entry point on its circle, else the point."""
        flown = flown_legs(pts)
        self._legs = [leg_time_s(a, b, self.profile) for a, b in flown]
        self._lengths = [math.dist((a.x_m, a.y_m, a.alt_m), (b.x_m, b.y_m, b.alt_m))
                         for a, b in flown]
        self._corridors = _corridors(pts, departures, entries)
        self.total_m = sum(self._lengths) + sum(p.orbit_m for p in pts)
        self._last_nav_item = pts[-1].item_index if len(pts) > 1 else -1
        self.phase = MissionPhase.PLANNED
        self._events: list[MissionEvent] = []
        self._reached: set[int] = set()
        self._current = -1
        self._target = 1 if len(pts) > 1 else 0
        self._where: tuple[float, float, float] | None = None
        self._progress = self._compute()

    # -- events ----------------------------------------------------------------------------

    @property
    def events(self) -> tuple[MissionEvent, ...]:
        """The event log, oldest first."""
        return tuple(self._events)

    @property
    def progress(self) -> Progress:
        """Progress as of the last update."""
        return self._progress

    def _record(self, kind: MissionEventKind, at: datetime | None, item: int | None = None,
                detail: str = "") -> None:
        """The one place phases change: check the transition, log it, recompute progress."""
        allowed, to = _TRANSITIONS.get(kind, (None, None))
        if allowed is not None and to is not None:
            if self.phase not in allowed:
                raise TrackingError(f"mission cannot be {kind.value} while {self.phase.value}")
            self.phase = to
        self._events.append(MissionEvent(kind, _utc(at), item, detail))
        self._progress = self._compute()

    def uploaded(self, at: datetime | None = None) -> None:
        """The items were uploaded to the vehicle."""
        self._record(MissionEventKind.UPLOADED, at, detail=f"{len(self.items)} items")

    def started(self, at: datetime | None = None) -> None:
        """The vehicle started the mission."""
        self._record(MissionEventKind.STARTED, at)

    def paused(self, at: datetime | None = None) -> None:
        """The mission was paused (the vehicle holds)."""
        self._record(MissionEventKind.PAUSED, at, self._current if self._current >= 0 else None)

    def resumed(self, at: datetime | None = None) -> None:
        """The paused mission continues."""
        self._record(MissionEventKind.RESUMED, at, self._current if self._current >= 0 else None)

    def aborted(self, reason: str, at: datetime | None = None) -> None:
        """The mission was given up (return commanded, comm lost, battery...), with the reason."""
        if not reason:
            raise TrackingError("an abort needs a reason")
        self._record(MissionEventKind.ABORTED, at, self._current if self._current >= 0 else None,
                     reason)

    def finished(self, at: datetime | None = None) -> None:
        """The mission is complete."""
        self._record(MissionEventKind.FINISHED, at)

    # -- progress --------------------------------------------------------------------------

    def update(self, *, current: int, reached: int | None = None, lat_deg: float = math.nan,
               lon_deg: float = math.nan, alt_m: float = math.nan, complete: bool = False,
               landed: bool = False, at: datetime | None = None) -> Progress:
        """Take one progress report (item indices into the uploaded items) and position.

        ``alt_m`` is above home. ``complete`` (the vehicle says its mission is complete) or
        ``landed`` after the last item became current finishes the mission. A vehicle that
        moves through an uploaded mission without a ``started`` call is marked started.
        """
        if self.phase in (MissionPhase.FINISHED, MissionPhase.ABORTED, MissionPhase.PLANNED):
            return self._progress
        moving = current > 0 or reached is not None and reached >= 0
        if self.phase is MissionPhase.UPLOADED:
            if not moving:
                return self._progress
            self._record(MissionEventKind.STARTED, at, detail="seen in progress reports")
        if math.isfinite(lat_deg) and math.isfinite(lon_deg):
            x, y = self.path.projection.to_metres(lat_deg, lon_deg)
            self._where = (x, y, alt_m if math.isfinite(alt_m) else math.nan)
        if 0 <= current < len(self.items):
            self._current = max(self._current, current) if current >= self._current else current
        if reached is not None and 0 <= reached < len(self.items) and reached not in self._reached:
            for earlier in self._nav_items_before(reached):
                self._reached.add(earlier)
            self._reached.add(reached)
            self._record(MissionEventKind.ITEM_REACHED, at, reached)
        self._advance_target()
        done = (complete or reached == self._last_nav_item
                or (landed and self._current >= self._last_nav_item >= 0))
        if done:
            self._target = len(self.path.points) - 1
            self._record(MissionEventKind.FINISHED, at,
                         detail="vehicle reports the mission complete" if complete else "")
        else:
            self._progress = self._compute()
        return self._progress

    def update_from_state(self, state: Any, at: datetime | None = None) -> Progress:
        """Take a vehicle-state snapshot (``mission.current``/``reached``/``state``,
        ``position.lat_deg``/``lon_deg``/``alt_rel_m``, ``armed``)."""
        mission, position = state.mission, state.position
        return self.update(current=mission.current, reached=mission.reached,
                           lat_deg=position.lat_deg, lon_deg=position.lon_deg,
                           alt_m=position.alt_rel_m,
                           complete=str(mission.state).upper().endswith("COMPLETE"),
                           landed=not state.armed and self._current >= 0, at=at)

    def _nav_items_before(self, item: int) -> list[int]:
        return [p.item_index for p in self.path.points[1:] if 0 <= p.item_index < item
                and p.item_index not in self._reached]

    def _advance_target(self) -> None:
        pts = self.path.points
        t = next((k for k in range(1, len(pts)) if pts[k].item_index >= self._current), len(pts) - 1)
        # an item with several points (return, landing): move on once at the first of them
        while (t + 1 < len(pts) and pts[t + 1].item_index == pts[t].item_index
               and self._where is not None
               and math.dist(self._where[:2], (pts[t].x_m, pts[t].y_m)) < ARRIVAL_RADIUS_M):
            t += 1
        self._target = max(t, 1) if len(pts) > 1 else 0

    def _compute(self) -> Progress:
        pts = self.path.points
        legs_total = len(pts) - 1
        if self.phase is MissionPhase.FINISHED or legs_total <= 0:
            return Progress(self.phase, self._current, legs_total, legs_total, 100.0, 0.0, 0.0,
                            self._cross_track(len(pts) - 1))
        t = self._target
        target = self._aim[t]
        rest = range(t, legs_total)  # legs after the target leg (leg k ends at point k + 1)
        to_target_m = self._lengths[t - 1]
        to_target_s = self._legs[t - 1]
        if self._where is not None and self._current >= 0:
            here = PathPoint(-1, self._where[0], self._where[1], 0, 0,
                             self._where[2] if math.isfinite(self._where[2]) else target.alt_m,
                             target.speed_mps)
            to_target_m = math.dist((here.x_m, here.y_m, here.alt_m),
                                    (target.x_m, target.y_m, target.alt_m))
            to_target_s = leg_time_s(here, target, self.profile)
            centre = pts[t]
            if centre.orbit_radius_m > 0 and abs(math.dist(self._where[:2], (
                    centre.x_m, centre.y_m)) - centre.orbit_radius_m) < ON_ORBIT_M:
                to_target_m = to_target_s = 0.0  # circling: the orbit itself is still to go
        elif self._current < 0:
            rest = range(t - 1, legs_total)
            to_target_m = to_target_s = 0.0
        speed = self.profile.cruise_speed_mps
        go_m = to_target_m + sum(self._lengths[k] for k in rest) + sum(
            p.orbit_m for p in pts[t:])
        go_s = to_target_s + sum(self._legs[k] for k in rest) + sum(
            p.hold_s + p.orbit_m / (p.speed_mps or speed) for p in pts[t:])
        percent = 100.0 * (1.0 - go_m / self.total_m) if self.total_m > 0 else 0.0
        return Progress(self.phase, self._current, t - 1 if self._current >= 0 else 0, legs_total,
                        min(max(percent, 0.0), 100.0), go_m, go_s, self._cross_track(t))

    def _cross_track(self, t: int) -> float | None:
        if self._where is None or t <= 0:
            return None
        pts = self.path.points
        x, y = self._where[0], self._where[1]
        # progress reports lag the vehicle, and vehicles cut corners: around a waypoint the
        # path is the leg before it as much as the leg after it
        here = Point(x, y)
        return float(min(self._corridors[k - 1].distance(here)
                         for k in (t - 1, t, t + 1) if 1 <= k < len(pts)))


def _corridors(pts: Sequence[PathPoint], departure: Sequence[XY | None],
               entries: Sequence[XY | None]) -> list[BaseGeometry]:
    """Where a vehicle may be on each leg (leg k joins points k and k + 1).

    A plain leg is its segment. The legs around an orbit are the segment to its entry point,
    the circle itself (not its inside) and the segment from its exit point (see
    :func:`~missions._path.orbit_ends`); with the entry unknown the whole disc is allowed.
    """
    corridors: list[BaseGeometry] = []
    for k in range(1, len(pts)):
        a, b = pts[k - 1], pts[k]
        start = departure[k - 1]
        end = entries[k] if b.orbit_radius_m > 0 else (b.x_m, b.y_m)
        parts: list[BaseGeometry] = [_circle(p) for p in (a, b) if p.orbit_radius_m > 0]
        if start is None or end is None:  # undefined entry or exit: any line via the disc
            discs = [Point(p.x_m, p.y_m).buffer(p.orbit_radius_m, quad_segs=16)
                     if p.orbit_radius_m > 0 else Point(p.x_m, p.y_m) for p in (a, b)]
            parts.append(discs[0].union(discs[1]).convex_hull)
        else:
            parts.append(LineString([start, end]) if start != end else Point(start))
        corridors.append(unary_union(parts))
    return corridors


def _circle(p: PathPoint) -> BaseGeometry:
    return Point(p.x_m, p.y_m).buffer(p.orbit_radius_m, quad_segs=32).exterior


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None:
        raise TrackingError("event times must be timezone-aware")
    return at.astimezone(UTC)
