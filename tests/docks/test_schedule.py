"""Patrol schedules in accelerated time: runs, skips with reasons, one run per slot, restarts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from docks import (
    DockInfo,
    JsonFileStore,
    MissedPolicy,
    PatrolRun,
    PatrolSchedule,
    RunStatus,
    Scheduler,
    ScheduleRefused,
    Weather,
)
from geofence import MissionItem
from tests.docks.rig import TARGET_NEAR, FleetRig, square_patrol
from tests.docks.rig import test_settings as rig_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
FACTOR = 300.0


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """A Shanghai wall time on the test day."""
    return datetime(2025, 6, 2, hour, minute, second, tzinfo=SHANGHAI)


def routes(route_id: str, dock: DockInfo) -> Sequence[MissionItem]:
    if route_id != "square":
        raise KeyError(route_id)
    return square_patrol((dock.lat_deg, dock.lon_deg), 300.0)


def patrol(cron: str | None = "*/10 * * * *", *, missed: MissedPolicy = MissedPolicy.RUN_LATEST,
           created: datetime | None = None, route: str = "square", schedule_id: str = "p1",
           once: datetime | None = None) -> PatrolSchedule:
    return PatrolSchedule(schedule_id=schedule_id, dock_id="D1", route_id=route, cron=cron,
                          at=once, missed=missed, created_at=created or at(7, 0))


@contextlib.asynccontextmanager
async def station(store: JsonFileStore, start: datetime, **rig_args: Any) -> AsyncIterator[tuple[FleetRig, Scheduler]]:
    """A one-dock station started at ``start`` (Shanghai time) with a scheduler on ``store``."""
    async with (
        FleetRig(n_docks=1, factor=FACTOR, start=start, **rig_args) as rig,
        Scheduler(rig.launcher, store, routes=routes, clock=rig.clock) as scheduler,
    ):
        yield rig, scheduler


async def runs_where(scheduler: Scheduler, predicate: Callable[[list[PatrolRun]], bool],
                     *others: Scheduler, timeout_s: float = 20.0) -> list[PatrolRun]:
    """Wait (real seconds) until the run history satisfies ``predicate``."""
    changed = asyncio.Event()
    removers = [s.add_listener(lambda _r: changed.set()) for s in (scheduler, *others)]
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                changed.clear()
                if predicate(history := await scheduler.history()):
                    return history
                await changed.wait()
    finally:
        for remove in removers:
            remove()


def statuses(history: list[PatrolRun]) -> list[tuple[str, RunStatus]]:
    return [(r.slot.astimezone(SHANGHAI).strftime("%H:%M"), r.status) for r in history]


async def test_patrols_fly_on_their_slots(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "s.json")
    async with station(store, at(7, 58)) as (_rig, scheduler):
        await scheduler.add(patrol())
        history = await runs_where(scheduler, lambda h: sum(r.status is RunStatus.COMPLETED for r in h) >= 2)
    assert statuses(history)[:2] == [("08:00", RunStatus.COMPLETED), ("08:10", RunStatus.COMPLETED)]
    assert all(r.sortie_id and "landed in dock D1" in (r.outcome or "") for r in history[:2])


async def test_a_slot_is_skipped_with_its_reason_when_the_weather_forbids(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "s.json")
    async with station(store, at(7, 59), weather=Weather(wind_speed_mps=16)) as (rig, scheduler):
        await scheduler.add(patrol())
        history = await runs_where(scheduler, lambda h: any(r.status.final for r in h))
        rig.sim(0).set_weather(Weather(wind_speed_mps=3))
        history = await runs_where(scheduler, lambda h: any(r.status is RunStatus.COMPLETED for r in h))
    first = history[0]
    assert first.status is RunStatus.SKIPPED and "wind 16.0 m/s over the 12.0 m/s limit" in first.reasons
    assert not rig.drone(0).commands or history[1].status is RunStatus.COMPLETED


@pytest.mark.parametrize(
    ("rig_args", "expected"),
    [
        ({"battery_pct": 20.0}, "the round trip needs"),
        ({"route_checker": lambda dock, items: ["crosses no-fly zone 'prison'"]},
         "route: crosses no-fly zone 'prison'"),
    ],
)
async def test_a_slot_is_skipped_with_its_reason_when_battery_or_a_zone_forbids(
    tmp_path: Path, rig_args: dict[str, Any], expected: str
) -> None:
    store = JsonFileStore(tmp_path / "s.json")
    async with station(store, at(7, 59), **rig_args) as (rig, scheduler):
        await scheduler.add(patrol())
        history = await runs_where(scheduler, lambda h: any(r.status.final for r in h))
    assert history[0].status is RunStatus.SKIPPED
    assert any(expected in reason for reason in history[0].reasons), history[0].reasons
    assert not rig.drone(0).commands


async def test_an_offline_dock_skips_the_slot(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "s.json")
    async with station(store, at(7, 59)) as (rig, scheduler):
        rig.dock(0).driver.set_online(False)  # type: ignore[attr-defined]
        await scheduler.add(patrol())
        history = await runs_where(scheduler, lambda h: any(r.status.final for r in h))
    assert history[0].status is RunStatus.SKIPPED and history[0].reasons == ["dock offline"]
    assert not rig.drone(0).commands


async def test_a_busy_drone_skips_the_slot(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "s.json")
    async with station(store, at(7, 59)) as (rig, scheduler):
        sortie = await rig.launcher.launch(*TARGET_NEAR)
        await scheduler.add(patrol())
        history = await runs_where(scheduler, lambda h: any(r.status.final for r in h))
        await sortie.recover()
    assert history[0].status is RunStatus.SKIPPED
    assert "busy: a sortie holds the dock" in history[0].reasons


async def test_unknown_route_is_skipped_and_a_one_off_flies_once(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "s.json")
    async with station(store, at(7, 59)) as (_rig, scheduler):
        await scheduler.add(patrol(route="nowhere"))
        await scheduler.add(patrol(cron=None, once=at(8, 3), schedule_id="once"))
        history = await runs_where(scheduler, lambda h: {r.schedule_id for r in h if r.status.final} == {"p1", "once"})
    # p1 comes round every 10 dock minutes (2 s here): each of its slots is skipped
    assert {tuple(r.reasons) for r in history if r.schedule_id == "p1"} == {("unknown route nowhere",)}
    assert [(r.slot, r.status) for r in history if r.schedule_id == "once"] == [(at(8, 3), RunStatus.COMPLETED)]


async def test_a_one_off_whose_time_passed_while_it_was_added_flies_late(tmp_path: Path) -> None:
    # the request was made at 07:59:58 for 07:59:59; the scheduler gets it at 08:00 (a slow
    # request, a loaded station): the slot has passed but is flown, marked late, not dropped
    store = JsonFileStore(tmp_path / "s.json")
    async with station(store, at(8, 0)) as (rig, scheduler):
        await scheduler.add(patrol(cron=None, once=at(7, 59, 59), created=at(7, 59, 58)))
        history = await runs_where(scheduler, lambda h: any(r.status.final for r in h))
    assert statuses(history) == [("07:59", RunStatus.COMPLETED)]
    assert history[0].slot == at(7, 59, 59)
    assert "flown late: its time had passed when it was added" in history[0].reasons
    assert rig.drone(0).commands.count("arm") == 1


@pytest.mark.parametrize(("once", "missed", "why"), [
    (at(7, 40), MissedPolicy.RUN_LATEST, "more than the 900 s catch-up window ago"),
    (at(7, 59), MissedPolicy.SKIP, "its missed-slot policy is skip"),
])
async def test_a_one_off_that_could_never_fly_is_refused_and_nothing_stored(
    tmp_path: Path, once: datetime, missed: MissedPolicy, why: str
) -> None:
    store = JsonFileStore(tmp_path / "s.json")
    async with station(store, at(8, 0)) as (rig, scheduler):
        await scheduler.add(patrol(schedule_id="kept"))
        with pytest.raises(ScheduleRefused, match=why) as refused:
            await scheduler.add(patrol(cron=None, once=once, missed=missed, schedule_id="late"))
        assert "the one-off time" in str(refused.value) and refused.value.dock_id == "D1"
        assert [s.schedule_id for s in await store.list_schedules()] == ["kept"]
        assert await store.get_cursor("late") is None and await scheduler.history("late") == []
        assert not rig.drone(0).commands


async def test_restart_runs_the_latest_missed_slot_and_records_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    async with station(JsonFileStore(path), at(8, 0, 30)) as (_rig, scheduler):
        await scheduler.add(patrol(cron="*/30 * * * *"))
    # the station is down from 08:00:30 to 10:03:30
    async with station(JsonFileStore(path), at(10, 3, 30)) as (_rig, scheduler):
        history = await runs_where(scheduler, lambda h: len(h) == 4 and all(r.status.final for r in h))
    assert statuses(history) == [
        ("08:30", RunStatus.MISSED), ("09:00", RunStatus.MISSED), ("09:30", RunStatus.MISSED),
        ("10:00", RunStatus.COMPLETED),
    ]
    assert "flown late: the station was not running at the slot" in history[-1].reasons


async def test_restart_records_every_missed_slot_under_skip_or_outside_the_window(tmp_path: Path) -> None:
    for policy, restart in ((MissedPolicy.SKIP, at(10, 3)), (MissedPolicy.RUN_LATEST, at(10, 20))):
        path = tmp_path / f"{policy}.json"
        store = JsonFileStore(path)
        await store.put_schedule(patrol(cron="0 * * * *", missed=policy, created=at(7, 30)))
        async with station(JsonFileStore(path), restart) as (rig, scheduler):
            history = await scheduler.history()
            assert not rig.drone(0).commands
        assert statuses(history) == [(h, RunStatus.MISSED) for h in ("08:00", "09:00", "10:00")], policy


async def test_a_run_in_flight_at_a_restart_is_closed_and_never_flown_twice(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    # the drone takes off and then hovers (no cruise speed, no transit deadline): however slowly
    # this test runs, the run is still in progress when the station stops
    in_progress = rig_settings(transit_margin_s=1e9)
    async with station(JsonFileStore(path), at(7, 59, 50), settings=in_progress) as (rig, scheduler):
        rig.drone(0).cruise_speed_mps = 0.0
        await scheduler.add(patrol(cron="0 8 * * *"))
        await runs_where(scheduler, lambda h: any(r.status is RunStatus.LAUNCHED for r in h))
    # the station stops while the drone is out; it comes back a minute later
    async with station(JsonFileStore(path), at(8, 1)) as (rig, scheduler):
        history = await scheduler.history()
        assert not rig.drone(0).commands
    assert statuses(history) == [("08:00", RunStatus.FAILED)]
    assert "station restarted while the run was in progress; not flown again" in history[0].reasons


async def test_two_schedulers_on_one_store_fly_a_slot_once(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = JsonFileStore(path)
    await store.put_schedule(patrol(cron="1 8 * * *", created=at(7, 0)))
    await store.set_cursor("p1", at(7, 59))
    async with (
        station(store, at(8, 0, 50)) as (rig, first),
        Scheduler(rig.launcher, store, routes=routes, clock=rig.clock) as second,
    ):
        history = await runs_where(first, lambda h: any(r.status.final for r in h), second)
    assert statuses(history) == [("08:01", RunStatus.COMPLETED)]
    assert rig.drone(0).commands.count("arm") == 1
    assert history[0].slot - at(8, 1) == timedelta(0)
