"""Divert ways for dock drones: the dispatch planner's paths, turned to run from the drone."""

from __future__ import annotations

import itertools

import pytest

from geofence import ZoneSet
from groundstation.dispatch import zone_avoiding_ways
from tests.dispatch.helpers import AT, PROJECTION, offset
from tests.dispatch.test_paths import CRUISE_AMSL, circle, clear

DRONE = offset(0, 0)


def ways(zone_set: ZoneSet, places: list[tuple[float, float]]):  # type: ignore[no-untyped-def]
    find = zone_avoiding_ways(lambda: zone_set, lambda: AT)
    return find(DRONE, [offset(n, e) for n, e in places], CRUISE_AMSL, 100.0)


def test_a_blocked_way_runs_from_the_drone_around_the_zone_and_a_clear_one_stays_straight() -> None:
    zone_set = ZoneSet([circle("school", 1000, 0, 200)], projection=PROJECTION)
    around, straight = ways(zone_set, [(2000, 0), (0, 1500)])
    assert around.crossed == () and len(around.via) >= 1
    flown = [DRONE, *around.via, offset(2000, 0)]
    assert clear(zone_set, flown)
    assert 2000 < around.length_m < 2000 + 2 * 260
    # the first corner is the one nearest the drone (the path was turned round)
    first, last = around.via[0], around.via[-1]
    assert abs(first[0] - DRONE[0]) <= abs(last[0] - DRONE[0])
    assert straight.via == () and straight.crossed == ()
    assert straight.length_m == pytest.approx(1500, rel=1e-3)


def test_a_place_with_no_clear_way_keeps_the_line_and_says_why() -> None:
    ring = [circle(f"r{k}", 2000 + 400 * dn, 400 * de, 250)
            for k, (dn, de) in enumerate(itertools.product((-1, 0, 1), repeat=2)) if (dn, de) != (0, 0)]
    (way,) = ways(ZoneSet(ring, projection=PROJECTION), [(2000, 0)])
    assert way.via == () and len(way.crossed) == 1 and "r1" in way.crossed[0]
    assert way.length_m == pytest.approx(2000, rel=1e-3)


def test_no_places_no_planning() -> None:
    assert ways(ZoneSet([], projection=PROJECTION), []) == []
