"""From per-observation class probabilities to a verdict per track: report, label, alarm.

A track's belief is the mean of its observations' probabilities (the last ``window`` of
them; the default window spans a ten-second clip, because a bird or aircraft seen for long
drifts into drone-like stretches that a short window would alarm on). It is reported as a
drone on frames where it was seen, once it has ``report_evidence`` observations and its
belief clears ``report_threshold``; it raises one alarm (becomes *confirmed*) the first time
it has ``min_evidence`` observations and its belief clears ``alarm_threshold``. The same logic serves the live pipeline and the replay of
cached features in evaluation, so both score exactly what the station would do.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from vision._classifier import CLASSES, DRONE_INDEX
from vision._types import TargetClass

__all__ = ["DecisionSettings", "TrackJudge", "Verdict"]

_CLUTTER_INDEX = 0


@dataclass(frozen=True, slots=True)
class DecisionSettings:
    """Thresholds of the decision; the defaults are the shipped operating point."""

    window: int = 300
    min_evidence: int = 12
    alarm_threshold: float = 0.85
    report_evidence: int = 6
    report_threshold: float = 0.5


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision about one track after one observation."""

    drone_probability: float
    label: TargetClass
    report: bool
    newly_confirmed: bool


@dataclass(slots=True)
class _Evidence:
    probs: deque[np.ndarray]
    confirmed: bool = False
    seen: int = 0


class TrackJudge:
    """Keeps the evidence of every live track and turns observations into verdicts."""

    def __init__(self, settings: DecisionSettings = DecisionSettings()) -> None:
        self.settings = settings
        self._tracks: dict[int, _Evidence] = {}

    def observe(self, track_id: int, probs: np.ndarray) -> Verdict:
        """Add one observation's class probabilities to ``track_id`` and judge it."""
        s = self.settings
        ev = self._tracks.get(track_id)
        if ev is None:
            ev = self._tracks[track_id] = _Evidence(deque(maxlen=s.window))
        ev.probs.append(np.asarray(probs, dtype=np.float64))
        ev.seen += 1
        mean = np.mean(ev.probs, axis=0)
        drone = float(mean[DRONE_INDEX])
        newly = (ev.seen >= s.min_evidence and not ev.confirmed
                 and drone >= s.alarm_threshold)
        ev.confirmed = ev.confirmed or newly
        report = ev.seen >= s.report_evidence and drone >= s.report_threshold
        return Verdict(drone, _label(mean), report, newly)

    def is_confirmed(self, track_id: int) -> bool:
        ev = self._tracks.get(track_id)
        return ev is not None and ev.confirmed

    def forget_except(self, live: Iterable[int]) -> None:
        """Drop the evidence of tracks that no longer exist."""
        keep = set(live)
        for tid in [t for t in self._tracks if t not in keep]:
            del self._tracks[tid]


def _label(mean: np.ndarray) -> TargetClass:
    if mean[_CLUTTER_INDEX] >= 0.5:
        return TargetClass.UNKNOWN
    best = int(np.argmax(mean[1:])) + 1
    label = CLASSES[best]
    return label if label is not None else TargetClass.UNKNOWN
