"""One-click launch to a point, and route launches for patrols, over a fleet of docks."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Self

from docks._clock import Clock
from docks._dock import Dock
from docks._exceptions import LaunchRefused
from docks._model import AuditSink, RallyPoint
from docks._preflight import (
    Candidate,
    DroneProfile,
    HoldMode,
    RouteBuilder,
    RouteChecker,
    RouteRequest,
    judge,
    rank,
)
from docks._settings import DockSettings
from docks._sortie import Crew, Sortie, SortieOrder
from docks._tasks import TaskOwner
from docks._ways import WayFinder
from geofence import MissionItem

SORTIE_HISTORY = 500


class Launcher:
    """Chooses docks and flies sorties from them. Use ``async with``; it owns the sortie tasks.

    ``launch(lat, lon)`` is the one click: it ranks every dock (ready, charged for the round
    trip with reserve, weather within limits, route clear of zones), starts the sequence on
    the best and returns the ``Sortie`` once the drone is over the scene (or the sortie went
    another way). ``launch_route`` flies a patrol route from a given dock and comes home by
    itself at its end.
    """

    def __init__(
        self,
        docks: Iterable[Dock],
        *,
        clock: Clock,
        route_builder: RouteBuilder,
        route_checker: RouteChecker | None = None,
        way_finder: WayFinder | None = None,
        settings: DockSettings | None = None,
        profiles: Mapping[str, DroneProfile] | None = None,
        rally_points: Sequence[RallyPoint] = (),
        audit: AuditSink | None = None,
    ) -> None:
        self.docks: dict[str, Dock] = {d.dock_id: d for d in docks}
        self.clock = clock
        self.settings = settings or DockSettings()
        self.route_builder = route_builder
        self.route_checker = route_checker
        self.way_finder = way_finder
        self.profiles = dict(profiles or {})
        self.default_profile = DroneProfile()
        self.rally_points = list(rally_points)
        self.audit = audit
        self.sorties: list[Sortie] = []
        self._ids = itertools.count(1)
        self._tasks = TaskOwner("launcher")

    async def __aenter__(self) -> Self:
        await self._tasks.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._tasks.aclose()

    def profile_for(self, dock: Dock) -> DroneProfile:
        """The flight profile of a dock's drone."""
        return self.profiles.get(dock.dock_id, self.default_profile)

    # -- choosing ---------------------------------------------------------------------------

    def evaluate(
        self,
        lat_deg: float,
        lon_deg: float,
        *,
        hold: HoldMode = HoldMode.ORBIT,
        hold_s: float | None = None,
        dock_ids: Iterable[str] | None = None,
        via: Sequence[tuple[float, float]] = (),
    ) -> list[Candidate]:
        """Every dock judged for a launch to a point, the best first.

        ``via``: corners to fly on the way (a zone-avoiding path planned from one dock, so only
        with exactly that dock in ``dock_ids``).
        """
        launch = self.settings.launch
        wanted = set(dock_ids) if dock_ids is not None else None
        if via and (wanted is None or len(wanted) != 1):
            raise ValueError("corners on the way belong to one dock's path: name that dock")
        candidates = []
        for dock in self.docks.values():
            if wanted is not None and dock.dock_id not in wanted:
                continue
            request = RouteRequest(
                dock=dock.info, target_lat_deg=lat_deg, target_lon_deg=lon_deg,
                alt_m=launch.cruise_alt_m, hold=hold, orbit_radius_m=launch.orbit_radius_m,
                via=tuple(via),
            )
            candidates.append(
                judge(
                    dock, self.route_builder(request), profile=self.profile_for(dock),
                    settings=launch, checker=self.route_checker,
                    hold_s=launch.hold_s if hold_s is None else hold_s,
                )
            )
        return rank(candidates)

    # -- flying -------------------------------------------------------------------------------

    async def launch(
        self,
        lat_deg: float,
        lon_deg: float,
        *,
        hold: HoldMode = HoldMode.ORBIT,
        dock_id: str | None = None,
        purpose: str = "one-click",
        via: Sequence[tuple[float, float]] = (),
    ) -> Sortie:
        """One click: launch the best dock to a point; return once the drone is on scene.

        ``via``: corners of that dock's path around no-fly zones (needs ``dock_id``); the route
        with them is zone-checked like any other.
        """
        click_s, click_real_s = self.clock.monotonic(), time.perf_counter()
        candidates = self.evaluate(
            lat_deg, lon_deg, hold=hold, dock_ids=None if dock_id is None else [dock_id], via=via
        )
        best = next((c for c in candidates if c.ok), None)
        if best is None:
            raise LaunchRefused(
                f"no dock may launch to ({lat_deg:.6f}, {lon_deg:.6f})",
                reasons={c.dock_id: list(c.reasons) for c in candidates},
            )
        order = SortieOrder(best.route, purpose, click_s, click_real_s, (lat_deg, lon_deg), hold,
                            tuple(via))
        sortie = self._start(self.docks[best.dock_id], order)
        await sortie.wait_airborne()
        await sortie.wait_on_scene()
        return sortie

    async def launch_route(
        self, dock_id: str, route: Sequence[MissionItem], *, purpose: str = "patrol"
    ) -> Sortie:
        """Fly ``route`` from a dock (a patrol); return once airborne. It comes home at the end."""
        click_s, click_real_s = self.clock.monotonic(), time.perf_counter()
        dock = self.docks[dock_id]
        candidate = judge(
            dock, route, profile=self.profile_for(dock), settings=self.settings.launch,
            checker=self.route_checker, hold_s=0.0,
        )
        if not candidate.ok:
            raise LaunchRefused(
                f"dock {dock_id} may not fly this route", reasons={dock_id: list(candidate.reasons)}
            )
        sortie = self._start(dock, SortieOrder(candidate.route, purpose, click_s, click_real_s))
        await sortie.wait_airborne()
        return sortie

    def _start(self, dock: Dock, order: SortieOrder) -> Sortie:
        assert dock.drone is not None  # judge() refused docks without a drone
        crew = Crew(
            clock=self.clock, settings=self.settings, docks=self.docks,
            rally_points=self.rally_points, profile_for=self.profile_for, audit=self.audit,
            spawn=self._tasks.spawn, real_time=time.perf_counter, way_finder=self.way_finder,
        )
        sortie = Sortie(crew, dock, dock.drone, order, sortie_id=f"{dock.dock_id}-{next(self._ids)}")
        self._tasks.spawn(sortie.run(), f"sortie-{sortie.sortie_id}")
        dock.sortie = sortie
        self.sorties.append(sortie)
        del self.sorties[:-SORTIE_HISTORY]
        return sortie
