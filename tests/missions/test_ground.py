"""Heights above ground: the flat default, a terrain grid sampled along legs, terrain frames."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import missions as m
from geofence import MavCmd, MavFrame
from missions._items import nav_item
from tests.missions.helpers import YONGZHOU, latlon

SOUTH, WEST, STEP = 26.40, 111.59, 0.001
"""A 41 × 41 grid of posts about 100 m apart around the launch point (lon 111.61 is column 20)."""


def grid(**columns: float) -> m.GridGround:
    """Ground level with the launch point (110 m AMSL) except the given columns (``c23=60``)."""
    posts = np.full((41, 41), YONGZHOU.alt_m)
    for name, elevation in columns.items():
        posts[:, int(name[1:])] = elevation
    return m.GridGround(SOUTH, WEST, STEP, posts, name="test DEM")


def column_x_m(j: int) -> float:
    """Metres east of the launch point of grid column ``j`` (at the launch latitude)."""
    lon = WEST + j * STEP
    return (lon - YONGZHOU.lon_deg) * 111_320.0 * math.cos(math.radians(YONGZHOU.lat_deg))


def across(alt: float) -> m.Route:
    """A route at ``alt`` above home from 2 columns west of column 24 to 2 columns east of it."""
    return m.waypoint_route(YONGZHOU, [m.Waypoint(*latlon(column_x_m(22), 0), alt),
                                       m.Waypoint(*latlon(column_x_m(26), 0), alt)])


def test_flat_default_measures_the_ceiling_above_home_and_says_so() -> None:
    result = m.validate(across(130))
    (reason,) = result.reasons
    assert reason.code is m.ReasonCode.ABOVE_CEILING and reason.value == pytest.approx(130)
    assert "above ground" in reason.message and "level with home" in reason.message
    assert m.validate(across(100)).ok


def test_a_valley_between_legal_waypoints_breaks_the_ceiling_mid_leg() -> None:
    valley = grid(c23=60, c24=60, c25=60)  # 50 m lower under the middle of the leg
    assert m.validate(across(100)).ok
    result = m.validate(across(100), ground=valley)
    (reason,) = result.reasons  # on the way out (item 2) and back (the return, item 3)
    assert reason.code is m.ReasonCode.ABOVE_CEILING and reason.items == (2, 3)
    assert reason.value == pytest.approx(150, abs=0.5)
    assert "test DEM" in reason.message


def test_a_ridge_between_waypoints_is_below_the_minimum_mid_leg() -> None:
    ridge = grid(c24=150)  # a 40 m ridge under the middle of the leg
    result = m.validate(across(45), ground=ridge)
    (reason,) = result.reasons
    assert reason.code is m.ReasonCode.BELOW_MINIMUM and reason.items == (2,)
    assert reason.value == pytest.approx(5, abs=0.5)
    # finer sampling only finds the same ridge top
    fine = m.validate(across(45), ground=ridge, limits=m.Limits(ground_sample_m=5))
    assert fine.reasons[0].value == pytest.approx(5, abs=0.5)


def test_take_off_climb_and_landing_are_not_below_the_minimum() -> None:
    hill = grid(c20=130, c21=130)  # the launch point stands on the slope of a hill
    route = m.waypoint_route(YONGZHOU, [m.Waypoint(*latlon(column_x_m(26), 0), 60)])
    assert m.validate(route, ground=hill).ok


def test_orbits_are_checked_around_their_circle() -> None:
    # a 150 m circle round column 30 reaches column 31.5 on its east side
    route = m.orbit_route(YONGZHOU, latlon(column_x_m(30), 0), radius_m=150, alt_m=100,
                          style=m.OrbitStyle.LOITER_TURNS)
    assert m.validate(route, ground=grid(c33=60, c34=60)).ok  # the circle clears the valley
    result = m.validate(route, ground=grid(c32=60, c33=60))  # the valley under its east side
    (reason,) = result.reasons
    assert reason.code is m.ReasonCode.ABOVE_CEILING and reason.items == (2,)


def test_outside_the_grid_is_refused_not_guessed() -> None:
    small = m.GridGround(26.41, 111.60, 0.001, np.full((21, 16), 110.0), name="tile N26E111")
    result = m.validate(across(100), ground=small)
    (reason,) = result.reasons
    assert reason.code is m.ReasonCode.GROUND_UNKNOWN and "tile N26E111" in reason.message


def test_terrain_frame_altitudes_are_placed_over_the_ground_model() -> None:
    x = column_x_m(24)
    item = nav_item(MavCmd.NAV_WAYPOINT, *latlon(x, 0), 30.0)
    terrain = item.__class__(**{**{f: getattr(item, f) for f in item.__dataclass_fields__},
                                "frame": MavFrame.GLOBAL_TERRAIN_ALT_INT})
    items = [nav_item(MavCmd.NAV_TAKEOFF, YONGZHOU.lat_deg, YONGZHOU.lon_deg, 30.0), terrain]
    hill = grid(c23=150, c24=150, c25=150)
    path = m.flight_path(items, YONGZHOU, ground=hill)
    assert path.points[-1].alt_m == pytest.approx(30 + 150 - 110)
    assert path.notes == ()
    flat = m.flight_path(items, YONGZHOU)
    assert flat.points[-1].alt_m == 30 and "no ground model" in flat.notes[0]
    assert m.validate(items, launch=YONGZHOU, ground=hill).ok
    away = m.GridGround(30.0, 100.0, 0.01, np.zeros((3, 3)))
    result = m.validate(items, launch=YONGZHOU, ground=away)
    assert m.ReasonCode.UNPLACEABLE in result.codes()


def test_grid_interpolates_between_posts() -> None:
    g = m.GridGround(0.0, 0.0, 1.0, [[0.0, 10.0], [20.0, 30.0]])
    assert g.elevation_amsl_m([0.0, 1.0, 0.5, 0.5], [0.0, 1.0, 0.5, 0.0]).tolist() == [
        0.0, 30.0, 15.0, 10.0]
    assert m.FlatGround(42.0).elevation_amsl_m([1.0, 2.0], [3.0, 4.0]).tolist() == [42.0, 42.0]


@pytest.mark.parametrize(("args", "problem"), [
    ((0.0, 0.0, 1.0, [[1.0, 2.0]]), "2 × 2"),
    ((0.0, 0.0, 1.0, [[1.0, math.nan], [1.0, 1.0]]), "post (0, 1)"),
    ((0.0, 0.0, 0.0, [[1.0, 1.0], [1.0, 1.0]]), "step"),
    ((89.5, 0.0, 1.0, [[1.0, 1.0], [1.0, 1.0]]), "not within WGS84"),
])
def test_bad_grids_are_refused(args: tuple, problem: str) -> None:
    with pytest.raises(m.GroundError, match=re.escape(problem)):
        m.GridGround(*args)
    with pytest.raises(m.GroundError, match="not finite"):
        m.FlatGround(math.inf)


def test_the_autopilot_family_given_adds_its_reasons() -> None:
    route = m.orbit_route(YONGZHOU, latlon(300, 0), radius_m=50, alt_m=40,
                          style=m.OrbitStyle.LOITER_TURNS)
    assert m.validate(route, autopilot=m.Autopilot.ARDUPILOT).ok
    result = m.validate(route, autopilot=m.Autopilot.PX4)
    (reason,) = result.reasons
    assert reason.code is m.ReasonCode.AUTOPILOT and "px4" in reason.message
    assert "waypoint ring" in reason.message
    ring = m.orbit_route(YONGZHOU, latlon(300, 0), radius_m=50, alt_m=40)
    assert m.validate(ring, autopilot=m.Autopilot.PX4).ok
