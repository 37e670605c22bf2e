"""Patrol schedules run on time: each slot is claimed once in the store, then flown or skipped.

The scheduler sleeps until the next slot (no polling), claims it (so it can never fire twice,
even across restarts), asks the launcher to fly the route, and records the run: launched and
completed, skipped with the reasons (weather, battery, zone, busy drone, offline dock), or
failed. On start it deals with what happened while the station was down: runs left in
progress are closed as interrupted (never flown again) and each missed slot is recorded or,
under ``RUN_LATEST``, the latest one still inside the catch-up window is flown late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Self

from docks._clock import Clock
from docks._exceptions import LaunchAborted, LaunchRefused, ScheduleRefused
from docks._launch import Launcher
from docks._model import DockInfo, Listeners
from docks._schedule_model import MissedPolicy, PatrolSchedule
from docks._settings import ScheduleSettings
from docks._sortie import SortieState
from docks._store import PatrolRun, RunStatus, ScheduleStore
from docks._tasks import TaskOwner
from geofence import MissionItem

_log = logging.getLogger("docks.schedule")

RouteProvider = Callable[[str, DockInfo], Sequence[MissionItem]]
"""Gives the mission items of a named patrol route for a dock; raises KeyError if unknown."""

MAX_CATCH_UP = 10_000


class Scheduler:
    """Runs every enabled schedule in the store. Use ``async with``."""

    def __init__(
        self,
        launcher: Launcher,
        store: ScheduleStore,
        *,
        routes: RouteProvider,
        clock: Clock,
        settings: ScheduleSettings | None = None,
    ) -> None:
        self.launcher = launcher
        self.store = store
        self.routes = routes
        self.clock = clock
        self.settings = settings or ScheduleSettings()
        self._changed = asyncio.Event()
        self._listeners: Listeners[PatrolRun] = Listeners()
        self._tasks = TaskOwner("scheduler")

    async def __aenter__(self) -> Self:
        await self._close_interrupted()
        await self._tasks.start()
        await self._catch_up()
        self._tasks.spawn(self._loop(), "patrol-scheduler")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._tasks.aclose()

    def add_listener(self, callback: Callable[[PatrolRun], None]) -> Callable[[], None]:
        """Call ``callback`` with every run record written; returns its remover."""
        return self._listeners.add(callback)

    async def add(self, schedule: PatrolSchedule) -> None:
        """Add or replace a schedule; its slots count from now on.

        A one-off time that has already passed (an operator a little late, or a request that took
        a while to arrive) is flown at once, marked late, under ``RUN_LATEST`` when it is inside
        the catch-up window; otherwise the schedule is refused with ``ScheduleRefused`` and
        nothing is stored. It is never accepted only to be silently not flown.
        """
        now = self.clock.now()
        cursor = await self.store.get_cursor(schedule.schedule_id)
        start = cursor if cursor is not None else max(now, schedule.created_at)
        overdue = schedule.enabled and schedule.at is not None and schedule.at <= start
        if overdue:
            self._check_overdue(schedule, now)
        if cursor is None:
            await self.store.set_cursor(schedule.schedule_id, start)
        await self.store.put_schedule(schedule)
        if overdue:
            assert schedule.at is not None
            await self._claim_and_fly(schedule, schedule.at,
                                      late="flown late: its time had passed when it was added")
        self._changed.set()

    def _check_overdue(self, schedule: PatrolSchedule, now: datetime) -> None:
        """Refuse a one-off whose time has passed, unless it may still be flown late."""
        assert schedule.at is not None
        late_s = (now - schedule.at).total_seconds()
        window_s = self.settings.catch_up_window_s
        if schedule.missed is not MissedPolicy.RUN_LATEST or late_s > window_s:
            why = ("its missed-slot policy is skip" if schedule.missed is not MissedPolicy.RUN_LATEST
                   else f"more than the {window_s:g} s catch-up window ago")
            raise ScheduleRefused(
                f"schedule {schedule.schedule_id}: the one-off time {schedule.at.isoformat()} "
                f"passed {late_s:.0f} s ago (station time {now.isoformat()}) and {why}",
                dock_id=schedule.dock_id)

    async def remove(self, schedule_id: str) -> None:
        """Remove a schedule; its history stays."""
        await self.store.delete_schedule(schedule_id)
        self._changed.set()

    async def history(self, schedule_id: str | None = None) -> list[PatrolRun]:
        """Every run recorded, oldest first."""
        return await self.store.list_runs(schedule_id)

    # -- restart ---------------------------------------------------------------------------------

    async def _close_interrupted(self) -> None:
        for run in await self.store.list_runs():
            if not run.status.final:
                run.status = RunStatus.FAILED
                run.reasons.append("station restarted while the run was in progress; not flown again")
                run.finished_at = self.clock.now()
                await self._write(run)

    async def _catch_up(self) -> None:
        now = self.clock.now()
        window_s = self.settings.catch_up_window_s
        for schedule in await self.store.list_schedules():
            if not schedule.enabled:
                continue
            cursor = await self.store.get_cursor(schedule.schedule_id) or schedule.created_at
            missed: list[datetime] = []
            for slot in schedule.slots_after(cursor):
                if slot > now or len(missed) >= MAX_CATCH_UP:
                    break
                missed.append(slot)
            if not missed:
                continue
            latest = missed[-1]
            run_latest = (
                schedule.missed is MissedPolicy.RUN_LATEST
                and (now - latest).total_seconds() <= window_s
            )
            for slot in missed if not run_latest else missed[:-1]:
                run = self._new_run(schedule, slot, RunStatus.MISSED)
                run.reasons.append("the station was not running at this slot")
                if await self.store.claim_slot(run):
                    self._listeners.emit(run)
            if run_latest:
                await self._claim_and_fly(
                    schedule, latest, late="flown late: the station was not running at the slot")
            await self.store.set_cursor(schedule.schedule_id, latest)

    # -- running ------------------------------------------------------------------------------------

    async def _loop(self) -> None:
        while True:
            self._changed.clear()
            now = self.clock.now()
            next_due: datetime | None = None
            for schedule in await self.store.list_schedules():
                if not schedule.enabled:
                    continue
                cursor = await self.store.get_cursor(schedule.schedule_id) or schedule.created_at
                for slot in schedule.slots_after(cursor):
                    if slot > now:
                        next_due = slot if next_due is None else min(next_due, slot)
                        break
                    await self._claim_and_fly(schedule, slot)
            delay_s = None if next_due is None else (next_due - self.clock.now()).total_seconds()
            with contextlib.suppress(TimeoutError):
                async with self.clock.timeout(delay_s):
                    await self._changed.wait()

    async def _claim_and_fly(self, schedule: PatrolSchedule, slot: datetime, *,
                             late: str | None = None) -> None:
        """Claim the slot (once, even across schedulers and restarts) and fly it; ``late`` says
        why it is flown after its time."""
        run = self._new_run(schedule, slot, RunStatus.CLAIMED)
        claimed = await self.store.claim_slot(run)
        await self.store.set_cursor(schedule.schedule_id, slot)
        if not claimed:
            _log.info("slot %s of %s already has a run; not flown again", slot, schedule.schedule_id)
            return
        if late:
            run.reasons.append(late)
        self._tasks.spawn(self._fly(schedule, run), f"patrol-{run.run_id}")

    async def _fly(self, schedule: PatrolSchedule, run: PatrolRun) -> None:
        try:
            await self._fly_run(schedule, run)
        except Exception as exc:  # noqa: BLE001 - one run's failure must not stop the scheduler
            _log.exception("patrol run %s failed", run.run_id)
            if not run.status.final:
                with contextlib.suppress(Exception):
                    await self._end(run, RunStatus.FAILED, f"internal error: {exc}")

    async def _fly_run(self, schedule: PatrolSchedule, run: PatrolRun) -> None:
        dock = self.launcher.docks.get(schedule.dock_id)
        if dock is None:
            await self._end(run, RunStatus.SKIPPED, f"unknown dock {schedule.dock_id}")
            return
        try:
            route = self.routes(schedule.route_id, dock.info)
        except KeyError:
            await self._end(run, RunStatus.SKIPPED, f"unknown route {schedule.route_id}")
            return
        try:
            sortie = await self.launcher.launch_route(
                schedule.dock_id, route, purpose=f"patrol {schedule.schedule_id}"
            )
        except LaunchRefused as exc:
            await self._end(run, RunStatus.SKIPPED, *exc.reasons.get(schedule.dock_id, [str(exc)]))
            return
        except LaunchAborted as exc:
            await self._end(run, RunStatus.FAILED, str(exc), f"way back: {exc.way_back}")
            return
        run.status = RunStatus.LAUNCHED
        run.sortie_id = sortie.sortie_id
        await self._write(run)
        report = await sortie.finished()
        run.outcome = report.outcome
        flown = sortie.state in (SortieState.LANDED, SortieState.DIVERTED)
        await self._end(run, RunStatus.COMPLETED if flown else RunStatus.FAILED)

    async def _end(self, run: PatrolRun, status: RunStatus, *reasons: str) -> None:
        run.status = status
        run.reasons.extend(reasons)
        run.finished_at = self.clock.now()
        await self._write(run)

    async def _write(self, run: PatrolRun) -> None:
        await self.store.update_run(run)
        self._listeners.emit(run.model_copy())

    def _new_run(self, schedule: PatrolSchedule, slot: datetime, status: RunStatus) -> PatrolRun:
        return PatrolRun(
            schedule_id=schedule.schedule_id, slot=slot, dock_id=schedule.dock_id,
            route_id=schedule.route_id, status=status, decided_at=self.clock.now(),
        )
