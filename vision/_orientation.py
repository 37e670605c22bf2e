"""Histograms of gradient orientation over the target's patch: its outline, not its shade.

A wing span, a fuselage and a rotor arm differ in which way their edges run long before
the target is big enough to show its shape in an 8×8 grid of brightness. The patch around
the candidate (twice its size) is scaled to 32×32 and normalised against its surroundings;
each of 4×4 cells of 8×8 pixels gets a histogram of unsigned gradient direction in 9 bins
weighted by gradient strength (shared linearly between the two nearest bins, so an edge
near a bin boundary, such as 0° against 180°, does not jump between them), and every 2×2
block of cells is scaled to unit length, so neither exposure nor the target's polarity
against the sky changes the descriptor.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["N_ORIENTATION", "orientation_histograms"]

CELL_PX = 8
CELLS = 4
BINS = 9
SIDE_PX = CELL_PX * CELLS
PATCH_SCALE = 2.0
"""Patch side as a multiple of the candidate's larger side."""
MIN_PATCH_PX = 16
MAX_PATCH_PX = 160
RING_PX = 6
"""Border of the scaled patch taken as the target's surroundings."""
BLOCK_CELLS = 2
N_BLOCKS = (CELLS - BLOCK_CELLS + 1) ** 2
N_ORIENTATION = N_BLOCKS * BLOCK_CELLS * BLOCK_CELLS * BINS

_ys, _xs = np.mgrid[0:SIDE_PX, 0:SIDE_PX]
_CELL_OF_PIXEL = ((_ys // CELL_PX) * CELLS + _xs // CELL_PX).ravel()
_RING = np.ones((SIDE_PX, SIDE_PX), dtype=bool)
_RING[RING_PX:-RING_PX, RING_PX:-RING_PX] = False


def orientation_histograms(gray: np.ndarray, cx: float, cy: float, size: float) -> np.ndarray:
    """Block-normalised orientation histograms (``N_ORIENTATION`` float32) around (cx, cy)."""
    side = int(np.clip(PATCH_SCALE * size, MIN_PATCH_PX, MAX_PATCH_PX))
    patch = cv2.getRectSubPix(gray, (side, side), (cx, cy))
    scaled = cv2.resize(patch, (SIDE_PX, SIDE_PX), interpolation=cv2.INTER_AREA)
    scaled = scaled.astype(np.float32)
    ring = scaled[_RING]
    z = (scaled - ring.mean()) / (ring.std() + 4.0)
    gx = cv2.Sobel(z, cv2.CV_32F, 1, 0, ksize=1)
    gy = cv2.Sobel(z, cv2.CV_32F, 0, 1, ksize=1)
    magnitude = np.sqrt(gx * gx + gy * gy).ravel()
    direction = (np.arctan2(gy, gx) % np.pi).ravel()
    position = direction * (BINS / np.pi)
    lower = np.floor(position)
    upper_share = position - lower
    lower_bin = lower.astype(np.int64) % BINS
    slots = np.concatenate([_CELL_OF_PIXEL * BINS + lower_bin,
                            _CELL_OF_PIXEL * BINS + (lower_bin + 1) % BINS])
    weights = np.concatenate([magnitude * (1.0 - upper_share), magnitude * upper_share])
    cells = np.bincount(slots, weights=weights,
                        minlength=CELLS * CELLS * BINS).reshape(CELLS, CELLS, BINS)
    blocks = sliding_window_view(cells, (BLOCK_CELLS, BLOCK_CELLS), axis=(0, 1))
    blocks = blocks.transpose(0, 1, 3, 4, 2).reshape(N_BLOCKS, -1)
    norms = np.sqrt((blocks * blocks).sum(axis=1, keepdims=True) + 1e-3)
    return (blocks / norms).ravel().astype(np.float32)
