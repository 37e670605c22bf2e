"""A machine-readable capture time stamped into each simulated frame, for glass-to-glass latency.

A row of black/white cells at the top-left (``stamp_cell_px``: 16 px at 1280 wide, 8 px at 640): two guard cells (white, black), 44 bits of
milliseconds since the Unix epoch, 4 bits of checksum. Cells that large survive H.264 at any
sensible bitrate; ``read_stamp`` returns None when the row is unreadable (never a wrong time
unless the checksum collides).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["read_stamp", "stamp_cell_px", "stamp_frame"]

_BITS = 44
_CHECK_BITS = 4
_GUARD = (1, 0)


def _checksum(value: int) -> int:
    total = 0
    while value:
        total += value & 0xF
        value >>= 4
    return total & 0xF


def stamp_cell_px(width_px: int) -> int:
    """Side of one stamp cell for an image this wide."""
    return max(8, width_px // 80)


def _cells(ms: int) -> list[int]:
    bits = [(ms >> (_BITS - 1 - i)) & 1 for i in range(_BITS)]
    check = _checksum(ms)
    bits += [(check >> (_CHECK_BITS - 1 - i)) & 1 for i in range(_CHECK_BITS)]
    return [*_GUARD, *bits]


def stamp_frame(image: NDArray[np.uint8], t_ms: int, *, text: bool = True) -> None:
    """Draw ``t_ms`` (ms since the epoch) into ``image`` in place, machine- and human-readable."""
    c = stamp_cell_px(image.shape[1])
    cells = _cells(int(t_ms) & ((1 << _BITS) - 1))
    if image.shape[1] < c * len(cells) or image.shape[0] < 2 * c:
        raise ValueError(f"image {image.shape[1]}x{image.shape[0]} too small for the time stamp")
    for i, bit in enumerate(cells):
        value = 255 if bit else 0
        image[0:c, i * c:(i + 1) * c] = value
    if text:
        label = f"T {t_ms / 1000.0:.3f}"
        cv2.rectangle(image, (0, c), (c * 14, 2 * c + 8), (0, 0, 0), -1)
        cv2.putText(image, label, (4, 2 * c + 2), cv2.FONT_HERSHEY_SIMPLEX, c / 36,
                    (255, 255, 255), 1, cv2.LINE_AA)


def read_stamp(image: NDArray[np.uint8]) -> int | None:
    """The ms-since-epoch stamped by ``stamp_frame``, or None when absent or unreadable."""
    if image.ndim != 3:
        return None
    c = stamp_cell_px(image.shape[1])
    n = len(_GUARD) + _BITS + _CHECK_BITS
    if image.shape[0] < c or image.shape[1] < c * n:
        return None
    row = image[c // 4:c - c // 4, :c * n].astype(np.float32).mean(axis=(0, 2))
    means = row.reshape(n, c)[:, c // 4:c - c // 4].mean(axis=1)
    bits = [1 if m >= 128 else 0 for m in means]
    if tuple(bits[:2]) != _GUARD or abs(means[0] - means[1]) < 96:
        return None
    value = 0
    for b in bits[2:2 + _BITS]:
        value = (value << 1) | b
    check = 0
    for b in bits[2 + _BITS:]:
        check = (check << 1) | b
    return value if check == _checksum(value) else None
