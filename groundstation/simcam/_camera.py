"""A pinhole camera on a gimballed drone over the ground map: the ground plane is warped by the
homography of the camera pose, the sky painted above the horizon, other aircraft drawn where
they project into the view.

Frames: local ENU metres (east, north, up) from the ground map's centre; the camera looks along
the heading (degrees clockwise from north) pitched by the gimbal (0 level, -90 straight down),
with no roll (a stabilised gimbal).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from groundstation.simcam._ground import GroundMap

__all__ = ["Aircraft", "CameraPose", "CameraView", "PinholeCamera"]

_SKY_TOP = np.array([200, 150, 110], np.float32)     # BGR
_SKY_HORIZON = np.array([235, 215, 200], np.float32)
_HAZE = (200, 190, 180)


@dataclass(frozen=True, slots=True)
class CameraPose:
    """Where the camera is and where it looks."""

    lat_deg: float
    lon_deg: float
    alt_m: float
    """Height above the (flat) ground."""
    heading_deg: float
    gimbal_pitch_deg: float


@dataclass(frozen=True, slots=True)
class Aircraft:
    """Another aircraft that may appear in the view."""

    lat_deg: float
    lon_deg: float
    alt_m: float
    span_m: float = 0.6
    """Tip-to-tip size (a small quadcopter is about 0.35-0.9 m)."""
    known: bool = True
    """False for an unknown (possibly unauthorised) drone: drawn dark, as a real one looks."""
    label: str = ""


@dataclass(frozen=True, slots=True)
class CameraView:
    """One moment's pose of the camera and the other aircraft around it."""

    pose: CameraPose
    others: Sequence[Aircraft] = ()


class PinholeCamera:
    """Intrinsics of the simulated camera and the projection of the world into it."""

    def __init__(self, width_px: int, height_px: int, hfov_deg: float) -> None:
        self.width_px = width_px
        self.height_px = height_px
        self.hfov_deg = hfov_deg
        self.focal_px = (width_px / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)
        self.K = np.array([[self.focal_px, 0.0, width_px / 2.0],
                           [0.0, self.focal_px, height_px / 2.0], [0.0, 0.0, 1.0]])

    @staticmethod
    def rotation(heading_deg: float, pitch_deg: float) -> NDArray[np.float64]:
        """World (ENU) to camera (x right, y down, z forward) rotation matrix."""
        psi, theta = math.radians(heading_deg), math.radians(pitch_deg)
        forward = np.array([math.cos(theta) * math.sin(psi), math.cos(theta) * math.cos(psi),
                            math.sin(theta)])
        right = np.array([math.cos(psi), -math.sin(psi), 0.0])
        down = np.cross(forward, right)
        return np.stack([right, down, forward])

    def project(self, point_enu: NDArray[np.float64], centre_enu: NDArray[np.float64],
                rot: NDArray[np.float64]) -> tuple[float, float, float] | None:
        """(u, v, depth_m) of a world point, or None when it is behind the camera."""
        pc = rot @ (point_enu - centre_enu)
        if pc[2] <= 0.1:
            return None
        u = self.focal_px * pc[0] / pc[2] + self.width_px / 2.0
        v = self.focal_px * pc[1] / pc[2] + self.height_px / 2.0
        return float(u), float(v), float(pc[2])

    def render(self, ground: GroundMap, view: CameraView) -> NDArray[np.uint8]:
        """The camera image (BGR) for one view."""
        pose = view.pose
        east, north = ground.to_local(pose.lat_deg, pose.lon_deg)
        centre = np.array([east, north, max(0.5, pose.alt_m)])
        rot = self.rotation(pose.heading_deg, pose.gimbal_pitch_deg)
        # ground plane z=0: camera coords = R @ ([e, n, 0] - C) = [r1 r2 -R C] @ [e, n, 1]
        plane = np.column_stack([rot[:, 0], rot[:, 1], -rot @ centre])
        homography = self.K @ plane @ ground.pixel_to_local()
        frame = cv2.warpPerspective(ground.image, homography, (self.width_px, self.height_px),
                                    flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                    borderValue=_HAZE)
        self._paint_sky(frame, rot)
        for other in view.others:
            self._draw_aircraft(frame, ground, other, centre, rot)
        return frame

    def _paint_sky(self, frame: NDArray[np.uint8], rot: NDArray[np.float64]) -> None:
        # with no roll, a row's rays rise by down_up * (v - cy) / f + forward_up
        forward_up, down_up = rot[2, 2], rot[1, 2]
        cy, f = self.height_px / 2.0, self.focal_px
        rows = np.arange(self.height_px, dtype=np.float64)
        rise = down_up * (rows - cy) / f + forward_up
        sky_rows = np.nonzero(rise > -0.01)[0]  # rays this flat would hit ground kilometres away
        if sky_rows.size == 0:
            return
        last = int(sky_rows.max()) + 1
        t = np.clip(np.linspace(0.0, 1.0, last, dtype=np.float32), 0, 1)[:, None]
        gradient = (_SKY_TOP * (1 - t) + _SKY_HORIZON * t).astype(np.uint8)
        frame[:last] = gradient[:, None, :]

    def _draw_aircraft(self, frame: NDArray[np.uint8], ground: GroundMap, other: Aircraft,
                       centre: NDArray[np.float64], rot: NDArray[np.float64]) -> None:
        e, n = ground.to_local(other.lat_deg, other.lon_deg)
        hit = self.project(np.array([e, n, other.alt_m]), centre, rot)
        if hit is None:
            return
        u, v, depth = hit
        half = max(2.0, self.focal_px * other.span_m / depth / 2.0)
        if not (-half <= u <= self.width_px + half and -half <= v <= self.height_px + half):
            return
        body = (40, 40, 40) if not other.known else (235, 235, 235)
        arm = (20, 20, 20) if not other.known else (60, 110, 230)
        centre_px = (round(u), round(v))
        thick = max(1, int(half / 6))
        for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
            tip = (round(u + dx * half * 0.7), round(v + dy * half * 0.45))
            cv2.line(frame, centre_px, tip, arm, thick, cv2.LINE_AA)
            cv2.circle(frame, tip, max(1, int(half * 0.3)), arm, max(1, thick // 2), cv2.LINE_AA)
        cv2.ellipse(frame, centre_px, (max(1, int(half * 0.3)), max(1, int(half * 0.18))), 0, 0,
                    360, body, -1, cv2.LINE_AA)
