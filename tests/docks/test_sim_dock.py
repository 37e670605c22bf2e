"""The simulated dock: cover travel, charging curve, scripted weather, injected faults."""

from __future__ import annotations

import asyncio

import pytest

from docks import (
    ChargingCurve,
    DockAlarm,
    DockEvent,
    DockFault,
    DockInfo,
    DockPower,
    DockService,
    DoorState,
    RainLevel,
    ReasonCode,
    ScaledClock,
    SimDockDriver,
    SimulatedDock,
    Weather,
    WeatherScript,
)
from docks._sim import SimServiceError
from tests.docks.drone_model import ModelDrone
from tests.docks.waiting import wait_until

INFO = DockInfo(dock_id="D1", lat_deg=26.42, lon_deg=111.61, drone_id="U1")


@pytest.fixture
async def rig():  # type: ignore[no-untyped-def]
    clock = ScaledClock(100)
    async with (
        ModelDrone("U1", clock=clock, home=INFO.landing_point, battery_pct=30.0) as drone,
        SimulatedDock(INFO, clock=clock, drone=drone, charging=False) as sim,
    ):
        yield clock, drone, sim


async def test_cover_travels_about_fifteen_seconds_with_progress(rig) -> None:  # type: ignore[no-untyped-def]
    clock, _drone, sim = rig
    progress: list[int] = []
    start = clock.monotonic()
    out = await sim.run(DockService.COVER_OPEN, progress=lambda pct, _step: progress.append(pct))
    took = clock.monotonic() - start
    assert 15.0 <= took < 60.0
    assert out == {"cover_state": int(DoorState.OPEN)}
    assert progress == sorted(progress) and progress[-1] == 100 and len(progress) >= 10
    assert sim.readings().door is DoorState.OPEN
    await sim.run(DockService.COVER_CLOSE)
    assert sim.readings().door is DoorState.CLOSED


async def test_two_cover_commands_at_once_one_is_busy(rig) -> None:  # type: ignore[no-untyped-def]
    _clock, _drone, sim = rig
    first = asyncio.create_task(sim.run(DockService.COVER_OPEN))
    await asyncio.sleep(0)
    with pytest.raises(SimServiceError) as raised:
        await sim.run(DockService.COVER_CLOSE)
    assert raised.value.reason is ReasonCode.BUSY
    await first


def test_charging_curve_is_constant_current_then_tapers() -> None:
    curve = ChargingCurve()
    assert curve.rate_pct_per_s(20) == curve.rate_pct_per_s(79)
    assert curve.rate_pct_per_s(90) < curve.rate_pct_per_s(85) < curve.rate_pct_per_s(79)
    assert curve.rate_pct_per_s(99.6) == 0.0

    def minutes(a: float, b: float) -> float:
        pct, t = a, 0.0
        while pct < b:
            pct += curve.rate_pct_per_s(pct)
            t += 1
        return t / 60

    assert 19 <= minutes(20, 80) <= 21
    assert 8 <= minutes(80, 95) <= 11


async def test_charging_raises_the_drone_battery(rig) -> None:  # type: ignore[no-untyped-def]
    _clock, drone, sim = rig
    await sim.run(DockService.CHARGE_OPEN)
    await wait_until(sim, lambda: drone.battery >= 31.0)
    assert sim.readings().charge_state.name == "CHARGING"
    await sim.run(DockService.CHARGE_CLOSE)
    level = drone.battery
    await wait_until(sim, lambda: sim.readings().at is not None)  # one more tick
    assert drone.battery == pytest.approx(level, abs=0.2)


def test_weather_script_steps() -> None:
    calm, storm = Weather(wind_speed_mps=2), Weather(wind_speed_mps=15, rain=RainLevel.HEAVY)
    script = WeatherScript([(0.0, calm), (600.0, storm)])
    assert script.at(10) == calm and script.at(600) == storm and script.at(9999) == storm


async def test_scripted_weather_reaches_the_readings() -> None:
    clock = ScaledClock(200)
    script = WeatherScript([(0.0, Weather(wind_speed_mps=3)), (20.0, Weather(wind_speed_mps=14, rain=RainLevel.HEAVY))])
    async with SimulatedDock(INFO, clock=clock, weather=script) as sim:
        assert sim.readings().wind_speed_mps == 3
        await wait_until(sim, lambda: sim.readings().wind_speed_mps == 14)
        assert sim.readings().rain is RainLevel.HEAVY


@pytest.mark.parametrize(
    ("fault", "service", "reason"),
    [
        (DockFault.COVER_JAM, DockService.COVER_OPEN, ReasonCode.COVER_JAMMED),
        (DockFault.DRONE_POWER_FAIL, DockService.DRONE_OPEN, ReasonCode.DRONE_POWER_FAILED),
        (DockFault.SELF_CHECK_FAIL, DockService.SELF_CHECK, ReasonCode.SELF_CHECK_FAILED),
        (DockFault.LANDING_AREA_BLOCKED, DockService.COVER_OPEN, ReasonCode.LANDING_AREA_BLOCKED),
    ],
)
async def test_injected_faults_fail_their_service_with_a_reason_and_an_alarm(
    rig, fault: DockFault, service: DockService, reason: ReasonCode  # type: ignore[no-untyped-def]
) -> None:
    _clock, _drone, sim = rig
    events: list[DockEvent] = []
    sim.add_listener(events.append)
    sim.inject(fault)
    with pytest.raises(SimServiceError) as raised:
        await sim.run(service)
    assert raised.value.reason is reason
    if fault is not DockFault.SELF_CHECK_FAIL:
        assert any(isinstance(e, DockAlarm) for e in events)
    if fault is DockFault.COVER_JAM:
        assert sim.readings().door is DoorState.FAULT
        sim.clear(fault)
        assert sim.readings().door is not DoorState.FAULT


async def test_emergency_stop_halts_the_cover_and_refuses_services(rig) -> None:  # type: ignore[no-untyped-def]
    _clock, _drone, sim = rig
    moving = asyncio.create_task(sim.run(DockService.COVER_OPEN))
    await wait_until(sim, lambda: sim.readings().door is DoorState.HALF_OPEN)
    await sim.run(DockService.EMERGENCY_STOP)
    with pytest.raises(SimServiceError) as raised:
        await moving
    assert raised.value.reason is ReasonCode.EMERGENCY_STOPPED
    assert sim.readings().door is DoorState.HALF_OPEN and sim.readings().emergency_stop
    with pytest.raises(SimServiceError):
        await sim.run(DockService.COVER_CLOSE)
    sim.release_emergency_stop()
    await sim.run(DockService.COVER_CLOSE)


async def test_power_loss_reads_backup_battery(rig) -> None:  # type: ignore[no-untyped-def]
    _clock, _drone, sim = rig
    sim.inject(DockFault.POWER_LOSS)
    assert sim.readings().power is DockPower.BACKUP_BATTERY


async def test_drone_power_needs_a_drone_and_powers_it(rig) -> None:  # type: ignore[no-untyped-def]
    _clock, drone, sim = rig
    await sim.run(DockService.DRONE_OPEN)
    assert drone.connected and sim.readings().drone_powered
    sim.place_drone(False)
    with pytest.raises(SimServiceError) as raised:
        await sim.run(DockService.DRONE_CLOSE)
    assert raised.value.reason is ReasonCode.NO_DRONE


async def test_drone_landing_on_a_closed_cover_is_not_inside(rig) -> None:  # type: ignore[no-untyped-def]
    _clock, drone, sim = rig
    events: list[DockEvent] = []
    sim.add_listener(events.append)
    await sim.run(DockService.DRONE_OPEN)
    await sim.run(DockService.COVER_OPEN)
    await drone.arm()
    await drone.takeoff(10)
    await wait_until(sim, lambda: not sim.readings().drone_present)
    await sim.run(DockService.COVER_CLOSE)
    await drone.land()
    await wait_until(sim, lambda: any(isinstance(e, DockAlarm) and e.code == "drone_on_cover" for e in events))
    assert not sim.readings().drone_present


async def test_takeoff_to_point_and_return_home_services(rig) -> None:  # type: ignore[no-untyped-def]
    _clock, drone, sim = rig
    driver = SimDockDriver(sim)
    await driver.execute(DockService.DRONE_OPEN, timeout_s=60)
    await driver.execute(DockService.COVER_OPEN, timeout_s=60)
    lat, lon = INFO.lat_deg + 0.002, INFO.lon_deg
    params = {"target_latitude": lat, "target_longitude": lon, "target_height": 40}
    await driver.execute(DockService.TAKEOFF_TO_POINT, params, timeout_s=300)
    assert drone.position is not None and abs(drone.position.lat_deg - lat) < 1e-4
    await driver.execute(DockService.RETURN_HOME, timeout_s=300)
    assert sim.readings().drone_present
    await driver.aclose()
