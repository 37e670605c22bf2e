"""Multi-frame tracking: constant-velocity Kalman filters and Hungarian assignment.

Tracks live in the current frame's pixels: each frame the camera-motion affine first moves
every track (position and velocity) into the new frame, then the filter predicts, then
candidates are assigned to tracks by minimum total centre distance within a gate. A track
keeps the recent history of its observations with the camera motion removed, which the
classifier reads as the target's own motion.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from vision._candidates import Candidate

__all__ = ["Observation", "TrackState", "Tracker"]

HISTORY_LEN = 30
"""Observations kept per track (one second at 30 fps)."""
MAX_MISSES = 8
"""A track is dropped after this many frames in a row without a candidate."""
TENTATIVE_HITS = 3
"""Below this many hits a single miss drops the track."""
GATE_MIN_PX = 12.0
GATE_SIZE_FACTOR = 1.5
SIZE_SMOOTHING = 0.3
PROCESS_NOISE = 4.0
MEASUREMENT_NOISE = 4.0

_F = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1]], dtype=np.float64)
_H = np.array([[1, 0, 0, 0], [0, 1, 0, 0]], dtype=np.float64)
_Q = np.diag([0.25, 0.25, 1.0, 1.0]) * PROCESS_NOISE
_R = np.eye(2) * MEASUREMENT_NOISE


@dataclass(frozen=True, slots=True)
class Observation:
    """One candidate assigned to a track, with its own motion since the previous hit."""

    frame_index: int
    candidate: Candidate
    dx: float
    """Target motion in pixels since the previous observation, camera motion removed."""
    dy: float


@dataclass(slots=True)
class TrackState:
    """The tracker's view of one target."""

    track_id: int
    first_frame: int
    x: np.ndarray
    """Kalman state: centre x, centre y, velocity x, velocity y (pixels, pixels/frame)."""
    p: np.ndarray
    w: float
    h: float
    last_frame: int
    hits: int = 1
    misses: int = 0
    history: deque[Observation] = field(default_factory=lambda: deque(maxlen=HISTORY_LEN))
    looks: deque[np.ndarray] = field(default_factory=lambda: deque(maxlen=HISTORY_LEN))
    """Appearance vectors of recent observations, kept by the feature extractor."""
    _last_seen: np.ndarray = field(default_factory=lambda: np.zeros(2))

    @property
    def box(self) -> tuple[float, float, float, float]:
        """Filtered box: x, y, w, h."""
        return (float(self.x[0]) - self.w / 2, float(self.x[1]) - self.h / 2, self.w, self.h)

    def _warp(self, affine: np.ndarray) -> None:
        lin = affine[:, :2]
        self.x[:2] = lin @ self.x[:2] + affine[:, 2]
        self.x[2:] = lin @ self.x[2:]
        self._last_seen = lin @ self._last_seen + affine[:, 2]

    def _predict(self) -> None:
        self.x = _F @ self.x
        self.p = _F @ self.p @ _F.T + _Q

    def _correct(self, frame_index: int, cand: Candidate) -> None:
        z = np.array([cand.box.cx, cand.box.cy])
        dx, dy = z - self._last_seen
        s = _H @ self.p @ _H.T + _R
        k = self.p @ _H.T @ np.linalg.inv(s)
        self.x = self.x + k @ (z - _H @ self.x)
        self.p = (np.eye(4) - k @ _H) @ self.p
        self.w += SIZE_SMOOTHING * (cand.w - self.w)
        self.h += SIZE_SMOOTHING * (cand.h - self.h)
        self._last_seen = z
        self.history.append(Observation(frame_index, cand, float(dx), float(dy)))
        self.hits += 1
        self.misses = 0
        self.last_frame = frame_index


class Tracker:
    """Keeps tracks of candidates across frames."""

    def __init__(self) -> None:
        self._tracks: list[TrackState] = []
        self._next_id = 1

    @property
    def tracks(self) -> list[TrackState]:
        return list(self._tracks)

    def reset(self) -> None:
        self._tracks.clear()

    def update(self, frame_index: int, candidates: list[Candidate],
               affine: np.ndarray) -> list[TrackState]:
        """Advance all tracks by one frame; return the tracks that got a candidate."""
        for track in self._tracks:
            track._warp(affine)
            track._predict()
        pairs = self._assign(candidates)
        matched_tracks = {t for t, _c in pairs}
        matched_cands = {c for _t, c in pairs}
        updated: list[TrackState] = []
        for ti, ci in pairs:
            track = self._tracks[ti]
            track._correct(frame_index, candidates[ci])
            updated.append(track)
        survivors: list[TrackState] = []
        for i, track in enumerate(self._tracks):
            if i not in matched_tracks:
                track.misses += 1
                if track.misses > MAX_MISSES or track.hits < TENTATIVE_HITS:
                    continue
            survivors.append(track)
        for ci, cand in enumerate(candidates):
            if ci not in matched_cands:
                survivors.append(self._start(frame_index, cand))
        self._tracks = survivors
        return updated

    def _start(self, frame_index: int, cand: Candidate) -> TrackState:
        centre = np.array([cand.box.cx, cand.box.cy])
        track = TrackState(track_id=self._next_id, first_frame=frame_index,
                           x=np.array([centre[0], centre[1], 0.0, 0.0]),
                           p=np.diag([4.0, 4.0, 25.0, 25.0]), w=cand.w, h=cand.h,
                           last_frame=frame_index, _last_seen=centre)
        track.history.append(Observation(frame_index, cand, 0.0, 0.0))
        self._next_id += 1
        return track

    def _assign(self, candidates: list[Candidate]) -> list[tuple[int, int]]:
        if not self._tracks or not candidates:
            return []
        pred = np.array([t.x[:2] for t in self._tracks])
        cent = np.array([[c.box.cx, c.box.cy] for c in candidates])
        dist = np.linalg.norm(pred[:, None, :] - cent[None, :, :], axis=2)
        sizes = np.array([max(t.w, t.h) for t in self._tracks])
        gates = np.maximum(GATE_MIN_PX, GATE_SIZE_FACTOR * sizes)[:, None]
        cost = np.where(dist <= gates, dist, 1e6)
        rows, cols = linear_sum_assignment(cost)
        return [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] < 1e6]
