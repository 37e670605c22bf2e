"""The demo fleet data, the public names, and the import rule (no station, no MAVLink)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import types
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import docks
from docks import (
    DockError,
    JsonFileStore,
    Launcher,
    PatrolRun,
    RunStatus,
    ScaledClock,
    Scheduler,
    SimFleet,
    load_fleet,
)
from docks._geo import distance_m
from geofence import MavCmd
from tests.docks.drone_model import ModelDrone
from tests.docks.rig import overwatch_route
from tests.docks.waiting import wait_until
from tests.infra import REPO_ROOT

YONGZHOU = (26.42, 111.61)


def test_demo_fleet_is_around_yongzhou_with_drones_routes_and_patrols() -> None:
    fleet = load_fleet()
    assert len(fleet.docks) >= 6
    for dock in fleet.docks:
        assert distance_m(dock.lat_deg, dock.lon_deg, *YONGZHOU) < 10_000
        assert dock.drone_id is not None
    profiles = fleet.profiles()
    assert set(profiles) == {d.dock_id for d in fleet.docks}
    schedules = fleet.schedules(datetime(2025, 6, 1, tzinfo=UTC))
    assert len(schedules) == len(fleet.patrols) and all(s.timezone == "Asia/Shanghai" for s in schedules)
    for patrol in fleet.patrols:
        dock = next(d for d in fleet.docks if d.dock_id == patrol.dock_id)
        items = fleet.route(patrol.route_id, dock)
        assert items[0].command == MavCmd.NAV_TAKEOFF and len(items) >= 3
    assert fleet.rally_points


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["docks"].append(dict(d["docks"][0])),
        lambda d: d["docks"][0].update(drone_id="nobody"),
        lambda d: d["drones"][1].update(system_id=d["drones"][0]["system_id"]),
        lambda d: d["patrols"][0].update(route_id="missing"),
        lambda d: d["docks"][0].update(lat_deg=123.0),
        lambda d: d.update(docks=[]),
    ],
)
def test_bad_fleet_files_are_refused(tmp_path: Path, mutate) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((REPO_ROOT / "docks" / "data" / "yongzhou_fleet.json").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(DockError, match="invalid"):
        load_fleet(path)


def test_missing_fleet_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DockError, match="invalid"):
        load_fleet(tmp_path / "nope.json")


def test_public_names_are_exported() -> None:
    public = {
        n for n in dir(docks) if not n.startswith("_") and not isinstance(getattr(docks, n), types.ModuleType)
    }
    assert set(docks.__all__) == public


def test_docks_imports_neither_the_station_nor_mavlink() -> None:
    code = (
        "import sys, docks; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('groundstation', 'pymavlink', 'missions')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_station_settings_nest_the_dock_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from groundstation.config import Settings

    monkeypatch.setenv("GCS_DOCKS__MQTT__HOSTNAME", "127.0.0.1")
    monkeypatch.setenv("GCS_DOCKS__LAUNCH__RESERVE_PCT", "30")
    settings = Settings()
    assert settings.docks.mqtt.hostname == "127.0.0.1"
    assert settings.docks.launch.reserve_pct == 30.0
    assert settings.docks.schedule.timezone == "Asia/Shanghai"


async def test_the_demo_fleet_flies_its_patrols_in_accelerated_time(tmp_path: Path) -> None:
    fleet = load_fleet()
    shanghai = ZoneInfo("Asia/Shanghai")
    clock = ScaledClock(300, start=datetime(2025, 6, 2, 7, 59, tzinfo=shanghai))
    profiles = fleet.profiles()
    drones = {
        d.drone_id: ModelDrone(d.drone_id, clock=clock, home=d.landing_point, tick_s=1.0,
                               cruise_speed_mps=profiles[d.dock_id].cruise_speed_mps)
        for d in fleet.docks if d.drone_id
    }
    async with contextlib.AsyncExitStack() as stack:
        for drone in drones.values():
            await stack.enter_async_context(drone)
        sims = await stack.enter_async_context(SimFleet(fleet, clock=clock, sim_drones=drones))
        await wait_until(sims.docks[0], lambda: all(d.state.idle for d in sims.docks))
        launcher = await stack.enter_async_context(
            Launcher(sims.docks, clock=clock, route_builder=overwatch_route,
                     profiles=fleet.profiles(), rally_points=fleet.rally_points)
        )
        store = JsonFileStore(tmp_path / "patrols.json")
        for schedule in fleet.schedules(clock.now()):
            await store.put_schedule(schedule)
            await store.set_cursor(schedule.schedule_id, clock.now())
        scheduler = await stack.enter_async_context(
            Scheduler(launcher, store, routes=fleet.route, clock=clock)
        )

        async def first_run_done() -> list[PatrolRun]:
            return [r for r in await scheduler.history() if r.status.final]

        changed = asyncio.Event()
        scheduler.add_listener(lambda _r: changed.set())
        async with asyncio.timeout(30):
            while not (done := await first_run_done()):
                changed.clear()
                await changed.wait()
    assert done[0].schedule_id == "patrol-YZ-D01" and done[0].status is RunStatus.COMPLETED
    assert done[0].slot.astimezone(shanghai).strftime("%H:%M") == "08:00"
