"""The demo area's ground as a geo-referenced image drawn in code from a seed (no imagery):
fields, a river, a road grid and blocks of buildings around the centre (Yongzhou by default).
"""

from __future__ import annotations

import itertools
import math

import cv2
import numpy as np
from numpy.typing import NDArray

from geofence import LocalProjection
from groundstation.config import SimCameraSettings

__all__ = ["GroundMap"]


class GroundMap:
    """A square ground image centred on a WGS84 point; pixel (0, 0) is its north-west corner."""

    def __init__(self, *, centre_lat_deg: float, centre_lon_deg: float, size_m: float,
                 resolution_m: float, seed: int) -> None:
        self.projection = LocalProjection(centre_lat_deg, centre_lon_deg,
                                          max_radius_m=max(size_m * 4, 10_000.0))
        self.size_m = float(size_m)
        self.resolution_m = float(resolution_m)
        self.seed = seed
        self.size_px = round(size_m / resolution_m)
        self.image = _draw(self.size_px, resolution_m, seed)
        self.image.flags.writeable = False

    @classmethod
    def from_settings(cls, settings: SimCameraSettings) -> GroundMap:
        """The ground image the settings describe."""
        return cls(centre_lat_deg=settings.ground_centre_lat_deg,
                   centre_lon_deg=settings.ground_centre_lon_deg, size_m=settings.ground_size_m,
                   resolution_m=settings.ground_resolution_m, seed=settings.ground_seed)

    def pixel_to_local(self) -> NDArray[np.float64]:
        """3×3 matrix taking ground-image pixels (x, y, 1) to local metres (east, north, 1)."""
        half = self.size_m / 2.0
        r = self.resolution_m
        return np.array([[r, 0.0, -half], [0.0, -r, half], [0.0, 0.0, 1.0]])

    def to_local(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """WGS84 degrees to metres east and north of the centre."""
        x, y = self.projection.to_metres(lat_deg, lon_deg)
        return float(x), float(y)

    def to_pixel(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """WGS84 degrees to ground-image pixel coordinates (may lie outside the image)."""
        e, n = self.to_local(lat_deg, lon_deg)
        half = self.size_m / 2.0
        return (e + half) / self.resolution_m, (half - n) / self.resolution_m


def _draw(size_px: int, res_m: float, seed: int) -> NDArray[np.uint8]:
    rng = np.random.default_rng(seed)
    px = lambda metres: max(1, round(metres / res_m))
    img = np.empty((size_px, size_px, 3), np.uint8)
    img[:] = (60, 120, 80)  # BGR: paddy green
    # fields: patches of crops and bare earth
    for _ in range(int(size_px * size_px / px(60) ** 2)):
        x, y = rng.integers(0, size_px, 2)
        w, h = rng.integers(px(30), px(120), 2)
        colour = [(50, 110, 70), (70, 140, 95), (80, 120, 140), (55, 95, 60), (90, 150, 120)][
            int(rng.integers(0, 5))]
        cv2.rectangle(img, (int(x), int(y)), (int(x + w), int(y + h)), colour, -1)
    noise = rng.normal(0, 6, (size_px // 8, size_px // 8, 1)).astype(np.float32)
    noise = cv2.resize(noise, (size_px, size_px), interpolation=cv2.INTER_LINEAR)[..., None]
    img = np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    # the river (the Xiao and Xiang meet at Yongzhou): a meander from north to south
    ys = np.linspace(-0.05, 1.05, 80) * size_px
    phase = rng.uniform(0, 2 * math.pi)
    xs = size_px * (0.35 + 0.12 * np.sin(ys / size_px * 2.6 * math.pi + phase))
    river = np.stack([xs, ys], axis=1).astype(np.int32)
    cv2.polylines(img, [river], False, (120, 160, 175), px(110), cv2.LINE_AA)  # sandy banks
    cv2.polylines(img, [river], False, (110, 90, 50), px(80), cv2.LINE_AA)    # water
    # road grid with jittered spacing, then blocks of buildings between the roads
    lines_x = _grid_lines(size_px, px(160), px(300), rng)
    lines_y = _grid_lines(size_px, px(160), px(300), rng)
    for x0, x1 in itertools.pairwise(lines_x):
        for y0, y1 in itertools.pairwise(lines_y):
            _block(img, river, (x0, y0, x1, y1), rng)
    for i, x in enumerate(lines_x):
        _road(img, (x, 0), (x, size_px), px(18 if i % 3 == 0 else 10))
    for i, y in enumerate(lines_y):
        _road(img, (0, y), (size_px, y), px(18 if i % 3 == 0 else 10))
    # a ring road round the centre
    c = size_px // 2
    cv2.circle(img, (c, c), int(size_px * 0.42), (95, 95, 100), px(14), cv2.LINE_AA)
    return img


def _grid_lines(size_px: int, lo: int, hi: int, rng: np.random.Generator) -> list[int]:
    lines = [int(rng.integers(0, lo))]
    while lines[-1] < size_px:
        lines.append(lines[-1] + int(rng.integers(lo, hi)))
    return lines


def _road(img: NDArray[np.uint8], a: tuple[int, int], b: tuple[int, int], width: int) -> None:
    cv2.line(img, a, b, (90, 92, 95), width, cv2.LINE_AA)
    if width >= 10:
        cv2.line(img, a, b, (210, 210, 210), 1, cv2.LINE_8)


def _block(img: NDArray[np.uint8], river: NDArray[np.int32], box: tuple[int, int, int, int],
           rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if float(np.min(np.hypot(river[:, 0] - cx, river[:, 1] - cy))) < max(x1 - x0, y1 - y0):
        return  # near the river: leave fields and banks
    if rng.random() < 0.25:
        return  # an open field or park
    margin = max(2, (x1 - x0) // 12)
    cv2.rectangle(img, (x0 + margin, y0 + margin), (x1 - margin, y1 - margin), (150, 150, 150), -1)
    for _ in range(int(rng.integers(4, 14))):
        w = int(rng.integers((x1 - x0) // 8, max((x1 - x0) // 8 + 2, (x1 - x0) // 3)))
        h = int(rng.integers((y1 - y0) // 8, max((y1 - y0) // 8 + 2, (y1 - y0) // 3)))
        bx = int(rng.integers(x0 + margin, max(x0 + margin + 1, x1 - margin - w)))
        by = int(rng.integers(y0 + margin, max(y0 + margin + 1, y1 - margin - h)))
        roof = [(70, 70, 170), (180, 180, 185), (120, 130, 140), (60, 90, 150), (200, 190, 170)][
            int(rng.integers(0, 5))]
        cv2.rectangle(img, (bx, by), (bx + w, by + h), roof, -1)
        cv2.rectangle(img, (bx, by), (bx + w, by + h), (40, 40, 40), 1)
