"""Run the classifier-free frontend over a clip once and keep its observations on disk.

Training and cross-validation need the same candidates, tracks and features many times;
they are computed once per clip and cached as ``.npz`` in a scratch folder, keyed by the
clip and a version of the frontend, so a changed frontend never reads stale features.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision._dataset import Clip
from vision._features import N_FEATURES
from vision._pipeline import Frontend, observed_box
from vision._source import open_video

__all__ = ["ClipObservations", "FRONTEND_VERSION", "observe_clip"]

FRONTEND_VERSION = "4"
"""Bump when candidates, tracking or features change: invalidates cached observations."""


@dataclass(frozen=True, slots=True)
class ClipObservations:
    """Every track observation of one clip, in processing order."""

    frames: np.ndarray
    """(n,) frame index of each observation."""
    track_ids: np.ndarray
    boxes: np.ndarray
    """(n, 4) observed box x, y, w, h."""
    features: np.ndarray
    """(n, N_FEATURES)."""
    n_frames: int
    fps: float
    seconds: float
    """Wall time the frontend took (decode excluded)."""


def _cache_file(cache: Path, clip: Clip) -> Path:
    stat = clip.video.stat()
    key = f"{clip.video.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{FRONTEND_VERSION}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return cache / f"{clip.name}-{digest}.npz"


def observe_clip(clip: Clip, cache: Path | None = None) -> ClipObservations:
    """The frontend's observations of ``clip`` (from ``cache`` when present there)."""
    path = _cache_file(cache, clip) if cache is not None else None
    if path is not None and path.is_file():
        with np.load(path) as d:
            return ClipObservations(d["frames"], d["track_ids"], d["boxes"], d["features"],
                                    int(d["n_frames"]), float(d["fps"]), float(d["seconds"]))
    frontend = Frontend()
    frames: list[int] = []
    ids: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []
    feats: list[np.ndarray] = []
    source = open_video(clip.video)
    busy = 0.0
    n = 0
    for frame in source:
        start = time.perf_counter()
        step = frontend.step(frame)
        busy += time.perf_counter() - start
        n += 1
        for state, row in zip(step.observed, step.features):
            b = observed_box(state)
            frames.append(frame.index)
            ids.append(state.track_id)
            boxes.append((b.x, b.y, b.w, b.h))
            feats.append(row)
    obs = ClipObservations(np.asarray(frames, dtype=np.int32), np.asarray(ids, dtype=np.int32),
                           np.asarray(boxes, dtype=np.float32).reshape(-1, 4),
                           np.asarray(feats, dtype=np.float32).reshape(-1, N_FEATURES),
                           n, source.fps, busy)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, frames=obs.frames, track_ids=obs.track_ids, boxes=obs.boxes,
                            features=obs.features, n_frames=n, fps=obs.fps, seconds=busy)
        tmp.replace(path)
    return obs
