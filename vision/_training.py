"""Training data from labelled clips, and fitting the learned classifier.

Each cached observation gets a class: the clip's target class when its box matches the
labelled target (±1 frame), background clutter when the frame is labelled and it does not,
and no class (left out) outside the labelled range. Clutter is subsampled per frame with a
fixed seed to keep training quick and balanced.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vision._classifier import CLASSES, LearnedClassifier
from vision._dataset import Clip
from vision._extract import ClipObservations
from vision._labels import boxes_match
from vision._mlp import MlpTraining, train_ensemble
from vision._types import Box

__all__ = ["CLUTTER_PER_FRAME", "fit_classifier", "observation_classes", "training_set"]

CLUTTER_PER_FRAME = 3
"""Clutter observations kept per frame (chosen at random with the training seed)."""
_IGNORE = -1


def observation_classes(clip: Clip, obs: ClipObservations) -> np.ndarray:
    """Class index per observation (``-1``: outside the labelled range, not used)."""
    labels = clip.labels
    target = CLASSES.index(labels.target)
    scored = set(labels.labelled_frames)
    out = np.full(len(obs.frames), _IGNORE, dtype=np.int64)
    for i, (frame, box) in enumerate(zip(obs.frames, obs.boxes)):
        f = int(frame)
        if f not in scored:
            continue
        b = Box(*(float(v) for v in box))
        out[i] = target if any(boxes_match(b, t) for t in labels.boxes_near(f)) else 0
    return out


def training_set(clips: Sequence[Clip], observations: Sequence[ClipObservations],
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features and classes of all clips, clutter subsampled per frame."""
    rng = np.random.default_rng(seed)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for clip, obs in zip(clips, observations):
        cls = observation_classes(clip, obs)
        keep = cls > 0
        clutter = np.flatnonzero(cls == 0)
        if len(clutter):
            frames = obs.frames[clutter]
            order = rng.permutation(len(clutter))
            taken: dict[int, int] = {}
            for j in order:
                f = int(frames[j])
                if taken.get(f, 0) < CLUTTER_PER_FRAME:
                    taken[f] = taken.get(f, 0) + 1
                    keep[clutter[j]] = True
        xs.append(obs.features[keep])
        ys.append(cls[keep])
    return np.concatenate(xs), np.concatenate(ys)


def fit_classifier(clips: Sequence[Clip], observations: Sequence[ClipObservations],
                   settings: MlpTraining = MlpTraining()) -> LearnedClassifier:
    """Train the classifier on ``clips`` (deterministic for a given seed)."""
    x, y = training_set(clips, observations, settings.seed)
    return LearnedClassifier(train_ensemble(x, y, len(CLASSES), settings))
