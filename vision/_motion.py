"""Camera-motion compensation: the image motion of the background between two frames.

Corners are tracked with pyramidal Lucas-Kanade on a downscaled grey frame and a
similarity transform (shift, rotation, zoom) is fitted with RANSAC, so small moving targets
are outliers and do not bias it. Too few corners (clear sky) means "no camera motion".
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["IDENTITY", "MotionEstimator"]

IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float64)
WORK_WIDTH_PX = 320
"""Frames wider than this are downscaled before corner tracking."""
MAX_CORNERS = 120
MIN_CORNERS = 8
RANSAC_THRESHOLD_PX = 1.5
"""At working scale."""


class MotionEstimator:
    """Estimates, frame by frame, the 2×3 affine that maps previous-frame to current pixels."""

    def __init__(self) -> None:
        self._prev_small: np.ndarray | None = None
        self._scale = 1.0

    def reset(self) -> None:
        """Forget the previous frame (e.g. after a cut in the stream)."""
        self._prev_small = None

    def update(self, gray: np.ndarray) -> np.ndarray:
        """Feed the next grey frame; return previous→current affine in full-size pixels."""
        width = gray.shape[1]
        self._scale = min(1.0, WORK_WIDTH_PX / width)
        small = gray if self._scale == 1.0 else cv2.resize(
            gray, None, fx=self._scale, fy=self._scale, interpolation=cv2.INTER_AREA)
        prev, self._prev_small = self._prev_small, small
        if prev is None or prev.shape != small.shape:
            return IDENTITY.copy()
        return self._scaled(estimate_affine(prev, small))

    def _scaled(self, affine: np.ndarray) -> np.ndarray:
        out = affine.copy()
        out[:, 2] /= self._scale
        return out


def estimate_affine(prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Similarity transform mapping ``prev`` pixels to ``cur`` pixels (identity if unsure)."""
    corners = cv2.goodFeaturesToTrack(prev, MAX_CORNERS, 0.01, 7, blockSize=5)
    if corners is None or len(corners) < MIN_CORNERS:
        return IDENTITY.copy()
    moved, status, _err = cv2.calcOpticalFlowPyrLK(prev, cur, corners, None,
                                                   winSize=(15, 15), maxLevel=3)
    good = status.ravel() == 1
    if int(good.sum()) < MIN_CORNERS:
        return IDENTITY.copy()
    affine, inliers = cv2.estimateAffinePartial2D(
        corners[good], moved[good], method=cv2.RANSAC,
        ransacReprojThreshold=RANSAC_THRESHOLD_PX, maxIters=200, confidence=0.98)
    if affine is None or inliers is None or int(inliers.sum()) < MIN_CORNERS:
        return IDENTITY.copy()
    return affine.astype(np.float64)
