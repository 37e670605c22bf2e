"""Candidate detection: small blobs that move against the compensated background or stand out.

Two maps are computed on a working-scale grey frame (about 320 px wide):
- the motion residual, ``|frame - previous frame warped by the camera motion|``;
- a band-pass "small blob" map, ``|G(σ small) - G(σ large)|``, which answers to targets of
  roughly 10-60 px (at full size) whatever their polarity (dark drone on sky, hot or cold
  speck in thermal).
The residual map is divided by its own robust noise level. The blob maps are divided by
their *local* level (mean over a window around each pixel), so a speck on clear sky stands
out however busy the tree line or ground elsewhere in the frame is, while texture ranks low
against its own surroundings. Pixels above a threshold in either map are grouped into
connected components and the strongest few become candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision._types import Box

__all__ = ["Candidate", "CandidateDetector", "WorkFrame"]

WORK_WIDTH_PX = 320
MAX_CANDIDATES = 14
RESIDUAL_THRESHOLD = 6.0
"""In units of the residual map's noise level."""
BLOB_THRESHOLD = 7.0
"""In units of the blob map's noise level."""
FINE_BOX_PX = 7
FINE_NOISE_RATIO = 1.5
"""The fine map is noisier (no smoothing): its noise unit is scaled up by this."""
LOCAL_NOISE_WORK_PX = 25
"""Window of the local noise level of the blob maps, at working scale."""
LOCAL_FLOOR_FRACTION = 0.25
"""The local level is floored at this share of the whole map's level (clear sky)..."""
LOCAL_FLOOR_MIN = 0.3
"""...and at this many grey levels."""
MIN_SIDE_WORK_PX = 2
MAX_SIDE_WORK_PX = 50
BORDER_WORK_PX = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible target in one frame, in full-size pixel coordinates."""

    x: float
    y: float
    w: float
    h: float
    residual: float
    """Peak motion residual inside the blob, in noise units."""
    blob: float
    """Peak band-pass response inside the blob, in noise units."""
    area_fraction: float
    """Share of the bounding box covered by the blob's pixels."""

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.w, self.h)


@dataclass(slots=True)
class WorkFrame:
    """A frame prepared once for all stages: full-size grey plus the working-scale grey."""

    gray: np.ndarray
    small: np.ndarray
    scale: float
    """Working-scale pixels per full-size pixel."""

    @classmethod
    def from_image(cls, image: np.ndarray) -> WorkFrame:
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        scale = min(1.0, WORK_WIDTH_PX / gray.shape[1])
        small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale,
                                                     interpolation=cv2.INTER_AREA)
        return cls(gray=gray, small=small, scale=scale)


def _noise_level(values: np.ndarray) -> float:
    """Robust scale of a non-negative map: mean of a strided sample, floored."""
    return max(float(values[::4, ::4].mean()), 0.5)


def _local_normalised(values: np.ndarray) -> np.ndarray:
    """``values`` in units of their local noise level (floored, see the constants)."""
    floor = max(LOCAL_FLOOR_FRACTION * _noise_level(values), LOCAL_FLOOR_MIN)
    local = cv2.blur(values, (LOCAL_NOISE_WORK_PX, LOCAL_NOISE_WORK_PX))
    return values / np.maximum(local, floor)


class CandidateDetector:
    """Turns consecutive working-scale frames and the camera motion into candidates."""

    def __init__(self) -> None:
        self._prev_smooth: np.ndarray | None = None

    def reset(self) -> None:
        self._prev_smooth = None

    def detect(self, frame: WorkFrame, affine: np.ndarray) -> list[Candidate]:
        """Candidates in ``frame``; ``affine`` maps previous to current full-size pixels."""
        smooth = cv2.GaussianBlur(frame.small, (0, 0), 1.0).astype(np.float32)
        coarse = cv2.GaussianBlur(smooth, (0, 0), 5.0)
        blob = cv2.absdiff(smooth, coarse)
        blob_n = _local_normalised(blob)
        if frame.scale < 1.0:
            blob_n = np.maximum(blob_n, self._fine_blob(frame))
        prev, self._prev_smooth = self._prev_smooth, smooth
        if prev is None or prev.shape != smooth.shape:
            residual_n = np.zeros_like(blob_n)
        else:
            residual_n = self._residual(prev, smooth, affine, frame.scale)
        mask = ((residual_n > RESIDUAL_THRESHOLD) | (blob_n > BLOB_THRESHOLD)).astype(np.uint8)
        mask[:BORDER_WORK_PX] = 0
        mask[-BORDER_WORK_PX:] = 0
        mask[:, :BORDER_WORK_PX] = 0
        mask[:, -BORDER_WORK_PX:] = 0
        return self._components(mask, residual_n, blob_n, frame.scale)

    @staticmethod
    def _fine_blob(frame: WorkFrame) -> np.ndarray:
        """Full-size local contrast, max-pooled to working scale, so specks a few pixels
        across survive the downscaling."""
        local = cv2.absdiff(frame.gray, cv2.blur(frame.gray, (FINE_BOX_PX, FINE_BOX_PX)))
        h, w = frame.small.shape
        pooled = cv2.resize(cv2.dilate(local, np.ones((2, 2), np.uint8)), (w, h),
                            interpolation=cv2.INTER_NEAREST).astype(np.float32)
        return _local_normalised(pooled) / FINE_NOISE_RATIO

    @staticmethod
    def _residual(prev: np.ndarray, cur: np.ndarray, affine: np.ndarray,
                  scale: float) -> np.ndarray:
        work_affine = affine.copy()
        work_affine[:, 2] *= scale
        h, w = cur.shape
        warped = cv2.warpAffine(prev, work_affine, (w, h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
        residual = cv2.absdiff(cur, warped)
        margin = int(np.ceil(np.abs(work_affine[:, 2]).max())) + 2
        residual[:margin] = 0
        residual[-margin:] = 0
        residual[:, :margin] = 0
        residual[:, -margin:] = 0
        return residual / _noise_level(residual)

    @staticmethod
    def _components(mask: np.ndarray, residual_n: np.ndarray, blob_n: np.ndarray,
                    scale: float) -> list[Candidate]:
        mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
        count, labels, stats, _centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
        found: list[tuple[float, Candidate]] = []
        inv = 1.0 / scale
        for i in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[i])
            if not (MIN_SIDE_WORK_PX <= max(w, h) <= MAX_SIDE_WORK_PX):
                continue
            window = labels[y:y + h, x:x + w] == i
            res = float(residual_n[y:y + h, x:x + w][window].max())
            blb = float(blob_n[y:y + h, x:x + w][window].max())
            strength = max(res / RESIDUAL_THRESHOLD, blb / BLOB_THRESHOLD)
            found.append((strength, Candidate(x * inv, y * inv, w * inv, h * inv, res, blb,
                                              area / float(w * h))))
        found.sort(key=lambda item: -item[0])
        return [cand for _s, cand in found[:MAX_CANDIDATES]]
