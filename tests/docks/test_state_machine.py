"""The dock state machine: every legal move recorded and announced, every illegal one refused."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from docks import (
    IDLE_STATES,
    TRANSITIONS,
    Dock,
    DockDriver,
    DockEvent,
    DockInfo,
    DockReadings,
    DockService,
    DockState,
    IllegalTransition,
    OnlineChanged,
    ReadingsChanged,
    ServiceResult,
    StateChanged,
)

LEGAL = sorted(
    ((old, new) for old, targets in TRANSITIONS.items() for new in targets),
    key=lambda p: (p[0].value, p[1].value),
)
ILLEGAL = sorted(
    (
        (old, new)
        for old, new in itertools.product(DockState, DockState)
        if new not in TRANSITIONS[old]
    ),
    key=lambda p: (p[0].value, p[1].value),
)


class ManualClock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.t_s = 0.0
        self.start = datetime(2025, 6, 1, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.t_s

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t_s)

    async def sleep(self, seconds: float) -> None:
        self.t_s += seconds

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        raise NotImplementedError

    def real_seconds(self, seconds: float) -> float:
        return seconds


class StaticDriver(DockDriver):
    """A driver whose online state and readings the test sets."""

    def __init__(self) -> None:
        super().__init__("D1")

    def report(self, *, online: bool | None = None, **fields: Any) -> None:
        if fields:
            self._readings = DockReadings(at=datetime(2025, 6, 1, tzinfo=UTC), **fields)
        if online is not None and online != self._online:
            self._online = online
            self._emit(OnlineChanged(self.dock_id, online))
        if fields:
            self._emit(ReadingsChanged(self.dock_id, self._readings))  # type: ignore[arg-type]

    async def execute(
        self, service: DockService, params: Mapping[str, Any] | None = None, *, timeout_s: float
    ) -> ServiceResult:
        return ServiceResult(service, "tid", "bid")


def make_dock() -> tuple[Dock, StaticDriver, ManualClock, list[DockEvent]]:
    driver = StaticDriver()
    clock = ManualClock()
    dock = Dock(DockInfo(dock_id="D1", lat_deg=26.42, lon_deg=111.61), driver, clock=clock)
    events: list[DockEvent] = []
    dock.add_listener(events.append)
    return dock, driver, clock, events


def put_in(dock: Dock, state: DockState) -> None:
    dock._state = state


def test_table_covers_every_state() -> None:
    assert set(TRANSITIONS) == set(DockState)
    assert all(old not in targets for old, targets in TRANSITIONS.items())


def test_every_state_reachable_from_offline_and_offline_from_every_state() -> None:
    seen, frontier = {DockState.OFFLINE}, [DockState.OFFLINE]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(DockState)
    assert all(DockState.OFFLINE in TRANSITIONS[s] for s in DockState if s is not DockState.OFFLINE)


@pytest.mark.parametrize(("old", "new"), ILLEGAL, ids=lambda s: s.value)
def test_illegal_transition_refused(old: DockState, new: DockState) -> None:
    dock, _driver, _clock, events = make_dock()
    put_in(dock, old)
    with pytest.raises(IllegalTransition) as raised:
        dock._set_state(new, "test")
    assert raised.value.old is old and raised.value.new is new
    assert f"{old.value} -> {new.value} is not allowed" in str(raised.value)
    assert dock.state is old
    assert not dock.transitions and not events


@pytest.mark.parametrize(("old", "new"), LEGAL, ids=lambda s: s.value)
def test_legal_transition_recorded_timed_and_emitted(old: DockState, new: DockState) -> None:
    dock, _driver, clock, events = make_dock()
    put_in(dock, old)
    clock.t_s = 12.5
    record = dock._set_state(new, "because")
    assert dock.state is new
    assert record.old is old and record.new is new and record.reason == "because"
    assert record.duration_s == pytest.approx(12.5)
    assert record.at == clock.start + timedelta(seconds=12.5)
    assert list(dock.transitions) == [record]
    assert events == [StateChanged("D1", record)]


def test_durations_measure_time_spent_in_each_state() -> None:
    dock, driver, clock, _events = make_dock()
    driver.report(online=True, drone_present=True, drone_battery_pct=95.0)
    assert dock.state is DockState.IDLE_READY
    clock.t_s = 30.0
    dock.begin_launch("go")
    clock.t_s = 48.0
    dock.launching("cover open")
    durations = [round(t.duration_s, 1) for t in dock.transitions]
    assert durations == [0.0, 30.0, 18.0]


def test_dock_follows_driver_online_offline_and_readings() -> None:
    dock, driver, _clock, _events = make_dock()
    assert dock.state is DockState.OFFLINE
    driver.report(online=True, drone_present=True, drone_battery_pct=40.0)
    assert dock.state is DockState.IDLE_CHARGING
    driver.report(drone_present=True, drone_battery_pct=95.0)
    assert dock.state is DockState.IDLE_READY
    driver.report(drone_present=False)
    assert dock.state is DockState.IDLE_EMPTY
    driver.report(online=False)
    assert dock.state is DockState.OFFLINE


@pytest.mark.parametrize("state", [s for s in DockState if s is not DockState.OFFLINE])
def test_emergency_stop_faults_any_online_state(state: DockState) -> None:
    dock, driver, _clock, _events = make_dock()
    driver.report(online=True, drone_present=True)
    put_in(dock, state)
    driver.report(emergency_stop=True)
    assert dock.state is DockState.FAULT


def test_busy_dock_keeps_its_state_when_readings_change() -> None:
    dock, driver, _clock, _events = make_dock()
    driver.report(online=True, drone_present=True, drone_battery_pct=95.0)
    dock.sortie = object()
    driver.report(drone_present=False)
    assert dock.state is DockState.IDLE_READY


def test_maintenance_and_settle() -> None:
    dock, driver, _clock, _events = make_dock()
    driver.report(online=True, drone_present=True, drone_battery_pct=95.0)
    dock.set_maintenance(True, "propellers")
    assert dock.state is DockState.MAINTENANCE
    with pytest.raises(IllegalTransition):
        dock.begin_launch("not now")
    dock.set_maintenance(False, "done")
    assert dock.state in IDLE_STATES


def test_transition_history_is_bounded() -> None:
    dock, driver, _clock, _events = make_dock()
    driver.report(online=True, drone_present=True, drone_battery_pct=95.0)
    for _ in range(700):
        dock.set_maintenance(True, "x")
        dock.set_maintenance(False, "y")
    assert len(dock.transitions) == dock.transitions.maxlen
