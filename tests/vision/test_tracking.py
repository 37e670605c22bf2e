"""Tracker: Kalman prediction, Hungarian assignment, track birth and death."""

from __future__ import annotations

import numpy as np

from vision._candidates import Candidate
from vision._motion import IDENTITY
from vision._tracking import MAX_MISSES, Tracker


def _cand(cx: float, cy: float, size: float = 10.0) -> Candidate:
    return Candidate(cx - size / 2, cy - size / 2, size, size, 5.0, 5.0, 0.5)


def test_two_crossing_targets_keep_their_ids() -> None:
    tracker = Tracker()
    ids_a, ids_b = set(), set()
    for k in range(30):
        a, b = _cand(100 + 5 * k, 100 + k), _cand(250 - 5 * k, 115 - k)
        for t in tracker.update(k, [a, b], IDENTITY):
            (ids_a if t.history[-1].candidate is a else ids_b).add(t.track_id)
    assert len(ids_a) == 1 and len(ids_b) == 1 and ids_a != ids_b


def test_track_coasts_through_short_gaps_and_dies_after_long_ones() -> None:
    tracker = Tracker()
    for k in range(10):
        tracker.update(k, [_cand(50 + 2 * k, 60)], IDENTITY)
    (track,) = tracker.tracks
    for k in range(10, 13):
        tracker.update(k, [], IDENTITY)
    assert tracker.tracks == [track]
    assert track.x[0] > 50 + 2 * 9 + 4  # predicted on through the gap
    updated = tracker.update(13, [_cand(50 + 2 * 13, 60)], IDENTITY)
    assert [t.track_id for t in updated] == [track.track_id]
    for k in range(14, 14 + MAX_MISSES + 1):
        tracker.update(k, [], IDENTITY)
    assert tracker.tracks == []


def test_camera_motion_moves_tracks_and_is_not_target_motion() -> None:
    tracker = Tracker()
    pan = np.array([[1.0, 0.0, 8.0], [0.0, 1.0, 0.0]])
    for k in range(8):
        tracker.update(k, [_cand(100 + 8 * k, 80)], pan if k else IDENTITY)
    (track,) = tracker.tracks
    assert track.hits == 8
    assert abs(track.history[-1].dx) < 1e-6
    assert abs(track.x[2]) < 1.0


def test_far_candidate_starts_a_new_track() -> None:
    tracker = Tracker()
    for k in range(5):
        tracker.update(k, [_cand(50, 50)], IDENTITY)
    tracker.update(5, [_cand(300, 300)], IDENTITY)
    assert len(tracker.tracks) == 2
