"""Tracking maths: current item, legs, percent, distance/time to go, off-path distance, event log."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import missions as m
from tests.missions.helpers import YONGZHOU, latlon

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def square() -> m.Route:
    """Take off to 50 m, 4 waypoints 400 m apart around a square, return."""
    return m.waypoint_route(YONGZHOU, [m.Waypoint(*latlon(x, y), 50) for x, y in
                                       ((0, 400), (400, 400), (400, 0), (0, 0.5))])


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def test_progress_before_and_after_start() -> None:
    tracker = m.MissionTracker(square())
    p = tracker.progress
    assert p.phase is m.MissionPhase.PLANNED and p.percent == 0
    # climb 50, four 400 m sides (the last ends 0.5 m short), RTL: 0.5 m across, 50 m down
    assert tracker.total_m == pytest.approx(50 + 1600 + 0.5 + 50, abs=0.01)
    assert p.legs_total == 7
    assert p.distance_to_go_m == pytest.approx(tracker.total_m)
    assert p.time_to_go_s == pytest.approx(50 / 3 + 1600.5 / 10 + 50 / 2, abs=0.1)
    tracker.uploaded(at(0))
    assert tracker.update(current=0, at=at(1)).phase is m.MissionPhase.UPLOADED


def test_legs_percent_and_distance_to_go_follow_the_vehicle() -> None:
    tracker = m.MissionTracker(square())
    tracker.uploaded(at(0))
    tracker.started(at(1))
    # halfway along the second leg (launch -> (0, 400) at 50 m): item 1 current
    lat, lon = latlon(0, 200)
    p = tracker.update(current=1, reached=0, lat_deg=lat, lon_deg=lon, alt_m=50, at=at(30))
    assert (p.current_item, p.legs_done, p.legs_total) == (1, 1, 7)
    assert p.distance_to_go_m == pytest.approx(200 + 1200 + 0.5 + 50, abs=0.05)
    assert p.percent == pytest.approx(100 * (1 - p.distance_to_go_m / tracker.total_m))
    assert p.time_to_go_s == pytest.approx(200 / 10 + 1200.5 / 10 + 50 / 2, abs=0.1)
    assert p.cross_track_m == pytest.approx(0, abs=0.01)
    # drifted 30 m east of the leg
    lat, lon = latlon(30, 250)
    assert tracker.update(current=1, lat_deg=lat, lon_deg=lon, alt_m=50).cross_track_m == \
        pytest.approx(30, abs=0.05)


def test_item_reached_events_and_finish_on_last_item() -> None:
    route = square()
    tracker = m.MissionTracker(route)
    tracker.uploaded(at(0))
    tracker.started(at(1))
    for k in range(1, len(route.items)):
        tracker.update(current=k, reached=k - 1, at=at(10 * k))
    assert tracker.phase is m.MissionPhase.RUNNING
    p = tracker.update(current=5, reached=5, at=at(100))
    assert p.phase is m.MissionPhase.FINISHED and p.percent == 100 and p.distance_to_go_m == 0
    kinds = [e.kind for e in tracker.events]
    assert kinds == [m.MissionEventKind.UPLOADED, m.MissionEventKind.STARTED,
                     *[m.MissionEventKind.ITEM_REACHED] * 6, m.MissionEventKind.FINISHED]
    assert [e.item for e in tracker.events if e.kind is m.MissionEventKind.ITEM_REACHED] == list(range(6))
    assert tracker.events[-1].at == at(100)


def test_pause_resume_abort_with_reason_and_illegal_transitions() -> None:
    tracker = m.MissionTracker(square())
    with pytest.raises(m.TrackingError, match="started while planned"):
        tracker.started(at(0))
    tracker.uploaded(at(0))
    tracker.started(at(1))
    tracker.update(current=2, at=at(5))
    tracker.paused(at(6))
    assert tracker.phase is m.MissionPhase.PAUSED
    with pytest.raises(m.TrackingError):
        tracker.paused(at(7))
    tracker.resumed(at(8))
    tracker.aborted("battery at reserve: returning", at(9))
    with pytest.raises(m.TrackingError):
        tracker.resumed(at(10))
    assert tracker.update(current=3).phase is m.MissionPhase.ABORTED
    last = tracker.events[-1]
    assert (last.kind, last.item, last.detail) == (m.MissionEventKind.ABORTED, 2,
                                                   "battery at reserve: returning")
    assert "aborted item 2: battery at reserve" in last.describe()
    with pytest.raises(m.TrackingError, match="reason"):
        m.MissionTracker(square()).aborted("")
    with pytest.raises(m.TrackingError, match="timezone"):
        m.MissionTracker(square()).uploaded(datetime(2026, 1, 1))


def test_start_is_detected_from_progress_and_landing_finishes() -> None:
    route = square()
    tracker = m.MissionTracker(route)
    tracker.uploaded(at(0))
    tracker.update(current=1, reached=0, at=at(3))
    assert tracker.phase is m.MissionPhase.RUNNING
    assert tracker.events[1].detail == "seen in progress reports"
    state = SimpleNamespace(
        mission=SimpleNamespace(current=5, reached=4, state="ACTIVE"),
        position=SimpleNamespace(lat_deg=YONGZHOU.lat_deg, lon_deg=YONGZHOU.lon_deg, alt_rel_m=0.1),
        armed=False)
    assert tracker.update_from_state(state, at(60)).phase is m.MissionPhase.FINISHED


def test_return_and_landing_count_both_of_their_points() -> None:
    tracker = m.MissionTracker(square())
    tracker.uploaded()
    tracker.started()
    # RTL current, vehicle over launch still at 50 m: only the descent is left
    p = tracker.update(current=5, lat_deg=YONGZHOU.lat_deg, lon_deg=YONGZHOU.lon_deg, alt_m=50)
    assert p.distance_to_go_m == pytest.approx(50, abs=0.05) and p.legs_done == 6
    assert p.time_to_go_s == pytest.approx(25, abs=0.1)


def _orbit_tracker(turns: float, clockwise: bool = True) -> m.MissionTracker:
    """Take off at launch, circle a 50 m radius 300 m east, return; the orbit item is current."""
    route = m.orbit_route(YONGZHOU, latlon(300, 0), radius_m=50, alt_m=40, turns=turns,
                          clockwise=clockwise, style=m.OrbitStyle.LOITER_TURNS)
    tracker = m.MissionTracker(route)
    tracker.uploaded()
    tracker.started()
    return tracker


def _off(tracker: m.MissionTracker, x: float, y: float) -> float | None:
    return tracker.update(current=2, lat_deg=latlon(x, y)[0], lon_deg=latlon(x, y)[1],
                          alt_m=40).cross_track_m


def test_orbit_cross_track_is_measured_from_the_circle_not_its_inside() -> None:
    tracker = _orbit_tracker(turns=2)
    assert _off(tracker, 358, 0) == pytest.approx(8, abs=0.1)  # 8 m beyond the far side
    assert _off(tracker, 300, 50) == pytest.approx(0, abs=0.1)  # on the circle
    assert _off(tracker, 150, 0) == pytest.approx(0, abs=0.02)  # on the way to its near side
    assert _off(tracker, 300, 0) == pytest.approx(50, abs=0.1)  # at the centre: off the circle
    assert _off(tracker, 280, 10) == pytest.approx(50 - math.hypot(20, 10), abs=0.1)
    assert _off(tracker, 150, 20) == pytest.approx(20, abs=0.1)  # beside the way in
    assert tracker.progress.distance_to_go_m >= 2 * 2 * math.pi * 50


def test_orbit_distances_run_to_the_circle_and_from_where_the_turns_end() -> None:
    tracker = _orbit_tracker(turns=2)
    orbit = 2 * 2 * math.pi * 50
    # climb 40, 250 m to the near side, two turns, 250 m home from the same point, down 40
    assert tracker.total_m == pytest.approx(40 + 250 + orbit + 250 + 40, abs=0.1)
    lat, lon = latlon(100, 0)
    p = tracker.update(current=2, lat_deg=lat, lon_deg=lon, alt_m=40)
    assert p.distance_to_go_m == pytest.approx(150 + orbit + 250 + 40, abs=0.1)
    for x, y in ((250, 0), (300, 50), (350, 0), (302, -48)):  # circling: only the orbit is left
        lat, lon = latlon(x, y)
        p = tracker.update(current=2, lat_deg=lat, lon_deg=lon, alt_m=40)
        assert p.distance_to_go_m == pytest.approx(orbit + 250 + 40, abs=0.1)


@pytest.mark.parametrize(("clockwise", "exit_y"), [(True, 50.0), (False, -50.0)])
def test_orbit_is_left_where_its_turns_end(clockwise: bool, exit_y: float) -> None:
    # entered on the near (west) side; 1.25 turns end on the north side clockwise (seen from
    # above), south anticlockwise; the vehicle then flies straight home from there
    tracker = _orbit_tracker(turns=1.25, clockwise=clockwise)
    assert _off(tracker, 150, exit_y / 2) == pytest.approx(0, abs=0.02)
    assert _off(tracker, 150, -exit_y / 2) == pytest.approx(
        _distance_to_segment((150, -exit_y / 2), (300, exit_y), (0, 0)), abs=0.1)


def _distance_to_segment(p: tuple[float, float], a: tuple[float, float],
                         b: tuple[float, float]) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    t = max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)))
    way_in = abs(p[1]) if 0 <= p[0] <= 250 else math.inf  # the entry leg runs along y = 0
    return min(math.dist(p, (ax + t * dx, ay + t * dy)), way_in)


def test_hold_time_counts_in_time_to_go() -> None:
    route = m.overwatch_route(YONGZHOU, latlon(600, 0), alt_m=60, hold_s=120)
    tracker = m.MissionTracker(route)
    tracker.uploaded()
    lat, lon = latlon(600, 0)
    p = tracker.update(current=2, lat_deg=lat, lon_deg=lon, alt_m=60)
    assert p.time_to_go_s == pytest.approx(120 + 600 / 10 + 60 / 2, abs=0.2)


@given(st.lists(st.tuples(st.floats(-1500, 1500), st.floats(-1500, 1500)), min_size=2, max_size=12),
       st.data())
@settings(max_examples=50, deadline=None)
def test_percent_never_decreases_along_the_route(points: list[tuple[float, float]], data: st.DataObject) -> None:
    stops = [(0.0, 0.0), *points, (0.0, 0.0)]
    assume(all(math.dist(a, b) > 10 for a, b in itertools.pairwise(stops)))
    route = m.waypoint_route(YONGZHOU, [m.Waypoint(*latlon(x, y), 60) for x, y in points],
                             name="random")
    tracker = m.MissionTracker(route)
    tracker.uploaded()
    tracker.started()
    path = tracker.path.points
    last = -1.0
    for k in range(1, len(path)):
        prev, target = path[k - 1], path[k]
        f = data.draw(st.floats(0.01, 1))
        x = prev.x_m + f * (target.x_m - prev.x_m)
        y = prev.y_m + f * (target.y_m - prev.y_m)
        alt = prev.alt_m + f * (target.alt_m - prev.alt_m)
        lat, lon = tracker.path.projection.to_wgs84(x, y)
        p = tracker.update(current=target.item_index, lat_deg=lat, lon_deg=lon, alt_m=alt)
        if p.phase is m.MissionPhase.FINISHED:
            break
        assert p.percent >= last - 1e-6
        if math.dist((x, y), (target.x_m, target.y_m)) > m.ARRIVAL_RADIUS_M:
            assert p.cross_track_m == pytest.approx(0, abs=0.05)
        assert 0 <= p.distance_to_go_m <= tracker.total_m + 1e-6
        last = p.percent
