"""The flight model and the sim clock: properties that must hold for any target."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundstation.sim import SimClock, SimConfigError
from groundstation.sim._clock import SimTimers
from groundstation.sim._flight import Descend, FlightModel, GoTo, Idle, Kinematics, Limits, Orbit

LIMITS = Limits(climb_mps=2.5, descent_mps=1.5, accel_mps2=3.0, yaw_rate_dps=90.0)
DT = 0.2


def airborne(up_m: float = 20.0) -> FlightModel:
    return FlightModel(LIMITS, Kinematics(up_m=up_m, on_ground=False))


coordinate = st.floats(-400, 400, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(east=coordinate, north=coordinate, up=st.floats(5, 80), speed=st.floats(1, 15))
def test_goto_arrives_and_stops_without_exceeding_its_speed(
    east: float, north: float, up: float, speed: float
) -> None:
    model = airborne()
    target = GoTo(east, north, up, speed)
    distance = math.hypot(east, north)
    budget_s = distance / speed + abs(up - 20) / 1.5 + 2 * speed / 3.0 + 10
    t = 0.0
    while t < budget_s:
        model.step(DT, target, motors_on=True)
        t += DT
        assert model.k.ground_speed_mps <= speed + 1e-6
        assert -LIMITS.descent_mps - 1e-6 <= model.k.v_up_mps <= LIMITS.climb_mps + 1e-6
    k = model.k
    assert math.hypot(k.east_m - east, k.north_m - north) < 0.1
    assert k.up_m == pytest.approx(up, abs=0.1)
    assert k.ground_speed_mps < 0.3


@settings(max_examples=30, deadline=None)
@given(radius=st.floats(10, 200), speed=st.floats(-12, 12).filter(lambda s: abs(s) > 1))
def test_orbit_settles_on_the_circle_in_the_asked_direction(radius: float, speed: float) -> None:
    model = airborne()
    sp = Orbit(0.0, 0.0, 20.0, radius, speed)
    for _ in range(int((radius / 3 + 60) / DT)):
        model.step(DT, sp, motors_on=True)
    k = model.k
    before = math.atan2(k.east_m, k.north_m)
    for _ in range(5):
        model.step(DT, sp, motors_on=True)
        assert math.hypot(k.east_m, k.north_m) == pytest.approx(radius, abs=max(1.0, 0.03 * radius))
    after = math.atan2(k.east_m, k.north_m)
    turned = (after - before + math.pi) % (2 * math.pi) - math.pi
    assert (turned > 0) == (speed > 0)  # positive speed: clockwise seen from above


def test_descend_lands_and_stops() -> None:
    model = airborne(10)
    for _ in range(100):
        model.step(DT, Descend(1.0), motors_on=True)
    assert model.k.on_ground and model.k.up_m == 0 and model.k.v_up_mps == 0


def test_motors_off_on_the_ground_stays_put() -> None:
    model = FlightModel(LIMITS)
    model.step(DT, GoTo(100, 0, 10, 5), motors_on=False)
    model.step(DT, Idle(), motors_on=True)
    assert (model.k.east_m, model.k.up_m, model.k.on_ground) == (0, 0, True)


def test_the_vehicle_leans_into_acceleration_and_turns_to_its_track() -> None:
    model = airborne()
    for _ in range(10):
        model.step(DT, GoTo(500, 0, 20, 10), motors_on=True)
    assert model.k.pitch_deg < -3  # nose down accelerating forward
    for _ in range(20):
        model.step(DT, GoTo(500, 0, 20, 10), motors_on=True)
    assert model.k.yaw_deg == pytest.approx(90, abs=1)  # facing east


def test_the_sim_clock_scales_time_and_changes_factor_without_a_jump() -> None:
    now = [0.0]
    clock = SimClock(10.0, real=lambda: now[0])
    now[0] = 2.0
    assert clock.now_s() == pytest.approx(20.0)
    clock.time_factor = 1.0
    assert clock.now_s() == pytest.approx(20.0)
    now[0] = 3.0
    assert clock.now_s() == pytest.approx(21.0)
    assert clock.real_s(5.0) == pytest.approx(5.0)
    with pytest.raises(SimConfigError):
        clock.time_factor = 0


def test_sim_timers_run_in_order_and_can_be_cancelled() -> None:
    timers = SimTimers()
    ran: list[str] = []
    timers.call_at(2.0, lambda: ran.append("b"))
    timers.call_at(1.0, lambda: ran.append("a"))
    cancelled = timers.call_at(1.5, lambda: ran.append("x"))
    timers.cancel(cancelled)
    timers.run_due(1.9)
    assert ran == ["a"]
    timers.run_due(5.0)
    assert ran == ["a", "b"] and len(timers) == 0
