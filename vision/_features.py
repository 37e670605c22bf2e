"""Feature vector of one track observation: the target's look now and its motion so far.

Appearance comes from a square patch of the full-size grey frame around the candidate
(normalised against its surroundings, so exposure and thermal gain do not matter); motion
comes from the track's recent observations with the camera motion removed. Appearance is
also averaged over the track's recent observations (a flapping bird or a rotor blur varies
from frame to frame where a drone's look holds), which steadies the per-frame judgement;
the outline (histograms of gradient orientation, see ``_orientation``) enters only as that
average, being too noisy on one small target.
"""

from __future__ import annotations

import cv2
import numpy as np

from vision._orientation import N_ORIENTATION, orientation_histograms
from vision._tracking import TrackState

__all__ = ["FEATURE_NAMES", "N_FEATURES", "track_features"]

PATCH_GRID = 8
LOOK_AVERAGE = 8
"""Recent observations whose patch grids are averaged."""
PATCH_SCALE = 1.6
MIN_PATCH_PX = 12
MAX_PATCH_PX = 128

_SCALAR_NAMES = [
    "log_w", "log_h", "log_aspect", "fill", "residual", "blob",
    "contrast", "ring_std", "ring_mean", "centre_std", "grad_energy", "row_fraction",
    "log_hits", "speed", "speed_rel", "speed_std_rel", "accel_rel", "straightness",
    "vertical_share", "size_var", "blob_var", "fill_var", "residual_mean", "blob_mean",
    "moving_share",
]
_LOOK_NAMES = ["contrast", "centre_std", "grad_energy", "fill", "log_size"]
_TRACK_NAMES = ([f"track_mean_{n}" for n in _LOOK_NAMES] + [f"track_std_{n}" for n in _LOOK_NAMES]
                + ["track_abs_contrast_mean"])
FEATURE_NAMES = (_SCALAR_NAMES + _TRACK_NAMES
                 + [f"patch_{i}" for i in range(PATCH_GRID * PATCH_GRID)]
                 + [f"mean_patch_{i}" for i in range(PATCH_GRID * PATCH_GRID)]
                 + [f"mean_orientation_{i}" for i in range(N_ORIENTATION)])
N_FEATURES = len(FEATURE_NAMES)


def _patch(gray: np.ndarray, cx: float, cy: float, side: int) -> np.ndarray:
    """Square patch centred on (cx, cy), border-replicated where it leaves the frame."""
    return cv2.getRectSubPix(gray, (side, side), (cx, cy))


def _appearance(gray: np.ndarray, cx: float, cy: float, w: float, h: float) -> list[float]:
    side = int(np.clip(PATCH_SCALE * max(w, h), MIN_PATCH_PX, MAX_PATCH_PX))
    patch = _patch(gray, cx, cy, side).astype(np.float32)
    q = max(1, side // 4)
    centre = patch[q:side - q, q:side - q]
    ring = np.concatenate([patch[:q].ravel(), patch[side - q:].ravel(),
                           patch[q:side - q, :q].ravel(), patch[q:side - q, side - q:].ravel()])
    ring_mean, ring_std = float(ring.mean()), float(ring.std())
    scale = ring_std + 4.0
    contrast = (float(centre.mean()) - ring_mean) / scale
    gx = cv2.Sobel(patch, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(patch, cv2.CV_32F, 0, 1, ksize=3)
    grad = float(np.sqrt(gx * gx + gy * gy).mean()) / scale
    grid = cv2.resize(patch, (PATCH_GRID, PATCH_GRID), interpolation=cv2.INTER_AREA)
    grid = (grid - ring_mean) / scale
    row = cy / gray.shape[0]
    return [contrast, ring_std / 64.0, ring_mean / 255.0, float(centre.std()) / scale, grad,
            row, *grid.ravel().tolist()]


def _motion(track: TrackState) -> list[float]:
    hist = list(track.history)[1:] if len(track.history) > 1 else list(track.history)
    d = np.array([[o.dx, o.dy] for o in hist], dtype=np.float64)
    size = np.array([max(o.candidate.w, o.candidate.h) for o in track.history])
    blob = np.array([o.candidate.blob for o in track.history])
    fill = np.array([o.candidate.area_fraction for o in track.history])
    resid = np.array([o.candidate.residual for o in track.history])
    mean_size = float(size.mean())
    speed = np.linalg.norm(d, axis=1)
    mean_speed = float(speed.mean())
    accel = float(np.linalg.norm(np.diff(d, axis=0), axis=1).mean()) if len(d) > 2 else 0.0
    travel = float(np.linalg.norm(d.sum(axis=0)))
    straight = travel / (float(speed.sum()) + 1e-6)
    vertical = float(np.abs(d[:, 1]).sum()) / (float(np.abs(d).sum()) + 1e-6)
    return [
        float(np.log(track.hits)), mean_speed, mean_speed / mean_size,
        float(speed.std()) / mean_size, accel / mean_size, straight, vertical,
        float(np.std(np.log(size))), float(blob.std() / (blob.mean() + 1e-6)),
        float(fill.std()), float(np.log1p(resid.mean())), float(np.log1p(blob.mean())),
        float((resid > 3.0).mean()),
    ]


def _track_look(track: TrackState, look: np.ndarray) -> list[float]:
    """Record this observation's look on the track; summarise the recent ones (scalars over
    all the track keeps, grid and outline over the last ``LOOK_AVERAGE``)."""
    track.looks.append(look)
    looks = np.stack(track.looks)
    n_scalar = len(_LOOK_NAMES)
    scalars = looks[:, :n_scalar]
    grids = looks[-LOOK_AVERAGE:, n_scalar:]
    return [*scalars.mean(axis=0).tolist(), *scalars.std(axis=0).tolist(),
            float(np.abs(scalars[:, 0]).mean()), *grids.mean(axis=0).tolist()]


def track_features(gray: np.ndarray, track: TrackState) -> np.ndarray:
    """Feature vector (``N_FEATURES`` float32) of the track's latest observation."""
    cand = track.history[-1].candidate
    shape = [float(np.log(cand.w)), float(np.log(cand.h)), float(np.log(cand.w / cand.h)),
             cand.area_fraction, float(np.log1p(cand.residual)), float(np.log1p(cand.blob))]
    app = _appearance(gray, cand.box.cx, cand.box.cy, cand.w, cand.h)
    grid = app[6:]
    outline = orientation_histograms(gray, cand.box.cx, cand.box.cy, max(cand.w, cand.h))
    look = np.concatenate([np.asarray([app[0], app[3], app[4], cand.area_fraction,
                                       float(np.log(max(cand.w, cand.h))), *grid],
                                      dtype=np.float32), outline])
    summary = _track_look(track, look)
    n_track = len(_TRACK_NAMES)
    out = shape + app[:6] + _motion(track) + summary[:n_track] + grid + summary[n_track:]
    return np.asarray(out, dtype=np.float32)
