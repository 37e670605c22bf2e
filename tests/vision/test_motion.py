"""Camera-motion compensation and candidates on a synthetic panning sequence."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vision import MotionEstimator
from vision._candidates import CandidateDetector, WorkFrame
from vision._tracking import Tracker

SHIFT = (3.0, -2.0)
"""Camera pan per frame, in pixels of the 640×512 frame (x right, y down)."""


def _scene(seed: int = 3) -> np.ndarray:
    """A large textured 'ground' image to pan across."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(128, 40, (700, 900)).astype(np.float32)
    return np.clip(cv2.GaussianBlur(noise, (0, 0), 2.0), 0, 255).astype(np.uint8)


def _view(scene: np.ndarray, k: int) -> np.ndarray:
    """Frame k of the pan: the window moves so content shifts by SHIFT per frame."""
    m = np.float32([[1, 0, SHIFT[0] * k - 100], [0, 1, SHIFT[1] * k - 100]])
    return cv2.warpAffine(scene, m, (640, 512), flags=cv2.INTER_LINEAR)


def test_known_pan_is_recovered() -> None:
    scene = _scene()
    est = MotionEstimator()
    est.update(_view(scene, 0))
    for k in range(1, 6):
        affine = est.update(_view(scene, k))
        assert affine[0, 2] == pytest.approx(SHIFT[0], abs=0.3)
        assert affine[1, 2] == pytest.approx(SHIFT[1], abs=0.3)
        assert affine[:, :2] == pytest.approx(np.eye(2), abs=0.01)


def test_featureless_sky_means_no_motion() -> None:
    est = MotionEstimator()
    sky = np.full((512, 640), 180, np.uint8)
    est.update(sky)
    assert est.update(sky) == pytest.approx(np.array([[1, 0, 0], [0, 1, 0]]))


def test_small_target_is_found_and_tracked_while_the_camera_pans() -> None:
    scene = _scene()
    est, detector, tracker = MotionEstimator(), CandidateDetector(), Tracker()
    ids = []
    for k in range(20):
        frame = _view(scene, k).copy()
        tx, ty = 200 + 4 * k, 250 + 1 * k
        cv2.rectangle(frame, (tx, ty), (tx + 14, ty + 8), 10, -1)
        work = WorkFrame.from_image(frame)
        affine = est.update(work.gray)
        cands = detector.detect(work, affine)
        updated = tracker.update(k, cands, affine)
        near = [t for t in updated if abs(t.x[0] - (tx + 7)) < 6 and abs(t.x[1] - (ty + 4)) < 6]
        if k >= 3:
            assert near, f"target lost at frame {k}"
            ids.append(near[0].track_id)
    assert len(set(ids)) == 1
    # the target's own motion is its image motion (4, 1) minus the pan (3, -2)
    own = np.array([(o.dx, o.dy) for o in list(near[0].history)[1:]])
    assert own.mean(axis=0) == pytest.approx((1.0, 3.0), abs=0.6)
