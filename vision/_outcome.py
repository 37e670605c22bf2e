"""What the stage reported on one clip, obtained live or by replaying cached observations.

Both paths go through the same :class:`TrackJudge`, so the replay used for training and
cross-validation scores exactly the decisions the live pipeline would take.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from vision._classifier import Classifier
from vision._dataset import Clip
from vision._decision import DecisionSettings, TrackJudge
from vision._extract import ClipObservations
from vision._pipeline import DronePipeline
from vision._source import open_video
from vision._types import Box

__all__ = ["ClipOutcome", "replay_clip", "run_clip"]


@dataclass(slots=True)
class ClipOutcome:
    """Drone detections per frame and alarms (frame, box) of one clip."""

    n_frames: int
    fps: float
    detections: dict[int, list[Box]] = field(default_factory=dict)
    alarms: list[tuple[int, Box]] = field(default_factory=list)
    busy_s: float = 0.0
    """Processing time, decode excluded."""
    total_s: float = 0.0
    """Processing time, decode included."""


def run_clip(clip: Clip, classifier: Classifier | None, modality: str,
             decision: DecisionSettings = DecisionSettings()) -> ClipOutcome:
    """Run the live pipeline over ``clip`` on one thread, timing it."""
    cv2.setNumThreads(1)
    pipeline = DronePipeline(classifier, modality=modality, decision=decision)
    source = open_video(clip.video)
    out = ClipOutcome(0, source.fps)
    start_total = time.perf_counter()
    for frame in source:
        start = time.perf_counter()
        update = pipeline.process(frame)
        out.busy_s += time.perf_counter() - start
        out.n_frames += 1
        if update.detections:
            out.detections[frame.index] = [d.box for d in update.detections]
        seen = {d.track_id: d.box for d in update.detections}
        out.alarms.extend((frame.index, seen.get(t.track_id, t.box))
                          for t in update.newly_confirmed)
    out.total_s = time.perf_counter() - start_total
    return out


def replay_clip(obs: ClipObservations, classifier: Classifier,
                decision: DecisionSettings = DecisionSettings()) -> ClipOutcome:
    """Decide over cached observations with ``classifier``, as the live pipeline would."""
    judge = TrackJudge(decision)
    out = ClipOutcome(obs.n_frames, obs.fps)
    probs: np.ndarray | list[np.ndarray] = (classifier.predict_proba(obs.features)
                                             if len(obs.frames) else [])
    for frame, tid, box, row in zip(obs.frames, obs.track_ids, obs.boxes, probs):
        verdict = judge.observe(int(tid), row)
        b = Box(*(float(v) for v in box))
        if verdict.report:
            out.detections.setdefault(int(frame), []).append(b)
        if verdict.newly_confirmed:
            out.alarms.append((int(frame), b))
    return out
