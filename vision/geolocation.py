"""Where a detected drone is: a pixel becomes a bearing from the camera's pose, and with a size
prior for small drones the box size becomes a range, a WGS84 position and an uncertainty.

Frames and angles (all degrees at the edges):

- camera: pinhole, square pixels, focal length from the horizontal field of view; pixel
  (0, 0) is the top-left corner, x right, y down, the optical axis through the image centre;
- body: the vehicle's forward-right-down axes; attitude is yaw (from true north, clockwise),
  then pitch (nose up positive), then roll (right wing down positive), as in MAVLink ATTITUDE;
- gimbal: yaw then pitch relative to the body (pitch negative looks down). A gimbal that
  stabilises in the earth frame is described by its absolute angles with roll = pitch = 0;
- world: north-east-down at the camera; azimuth clockwise from north, elevation up positive.

The range comes from the angle the target subtends: ``range = size / (2 tan(angle / 2))``.
Its spread follows from the size prior's spread and a pixel error on the box; the bearing's
spread from the attitude error. The position is the geodesic point at that horizontal
distance along the azimuth (pyproj, metres; never degrees as metres).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from pyproj import Geod

from geofence import GeofenceError, GeoPoint, Violation, ViolationKind, ZoneSet
from vision._types import Box

__all__ = [
    "Bearing",
    "CameraPose",
    "GeolocationError",
    "PositionEstimate",
    "SizePrior",
    "ZoneFinding",
    "bearing_of_pixel",
    "check_zones",
    "locate",
]

_GEOD = Geod(ellps="WGS84")
_SIGMAS = 2.0
"""Uncertainties are reported at two standard deviations (about 86 % for a 2-D ellipse)."""


class GeolocationError(ValueError):
    """A pose, box or prior that cannot be used (out of range, not finite, outside the image)."""


def _finite(name: str, *values: float) -> None:
    if not all(math.isfinite(v) for v in values):
        raise GeolocationError(f"{name} must be finite, got {values}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CameraPose:
    """Where the camera is and where it looks when the frame was taken."""

    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    roll_deg: float = 0.0
    pitch_deg: float = 0.0
    yaw_deg: float = 0.0
    gimbal_pitch_deg: float = 0.0
    gimbal_yaw_deg: float = 0.0
    hfov_deg: float = 60.0
    width_px: int = 640
    height_px: int = 512
    attitude_sigma_deg: float = 1.0
    """One standard deviation of the pointing error (attitude, gimbal and timing together)."""

    def __post_init__(self) -> None:
        _finite("camera pose", self.lat_deg, self.lon_deg, self.alt_amsl_m, self.roll_deg,
                self.pitch_deg, self.yaw_deg, self.gimbal_pitch_deg, self.gimbal_yaw_deg,
                self.hfov_deg, self.attitude_sigma_deg)
        if not (-90.0 <= self.lat_deg <= 90.0 and -180.0 <= self.lon_deg <= 180.0):
            raise GeolocationError(f"camera position ({self.lat_deg}, {self.lon_deg}) out of range")
        if not 1.0 <= self.hfov_deg <= 170.0:
            raise GeolocationError(f"horizontal field of view {self.hfov_deg} deg not in [1, 170]")
        if self.width_px < 2 or self.height_px < 2:
            raise GeolocationError(f"image size {self.width_px}x{self.height_px} too small")
        if self.attitude_sigma_deg < 0:
            raise GeolocationError("attitude_sigma_deg must not be negative")

    @property
    def focal_px(self) -> float:
        """Focal length in pixels."""
        return (self.width_px / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)


@dataclass(frozen=True, slots=True)
class SizePrior:
    """The span of the targets looked for (a small quadcopter by default), with its spread."""

    size_m: float = 0.35
    sigma_m: float = 0.12
    pixel_sigma: float = 1.5
    """One standard deviation of the box size in pixels (edges blur, boxes jitter)."""

    def __post_init__(self) -> None:
        _finite("size prior", self.size_m, self.sigma_m, self.pixel_sigma)
        if self.size_m <= 0 or self.sigma_m < 0 or self.pixel_sigma < 0:
            raise GeolocationError("size prior needs size_m > 0 and non-negative spreads")


@dataclass(frozen=True, slots=True)
class Bearing:
    """A direction from the camera: azimuth clockwise from true north, elevation up."""

    azimuth_deg: float
    elevation_deg: float


@dataclass(frozen=True, slots=True)
class PositionEstimate:
    """An estimated target position with its spread (two standard deviations)."""

    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    bearing: Bearing
    range_m: float
    range_sigma_m: float
    along_m: float
    """Horizontal semi-axis of the uncertainty ellipse along the azimuth."""
    across_m: float
    """Horizontal semi-axis across the azimuth."""
    alt_sigma_m: float

    @property
    def radius_m(self) -> float:
        """A circle that holds the uncertainty ellipse (its larger semi-axis)."""
        return max(self.along_m, self.across_m)


def _rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> NDArray[np.float64]:
    """Body (forward-right-down) to north-east-down for yaw, pitch, roll (Z-Y-X order)."""
    y, p, r = (math.radians(a) for a in (yaw_deg, pitch_deg, roll_deg))
    cy, sy, cp, sp = math.cos(y), math.sin(y), math.cos(p), math.sin(p)
    cr, sr = math.cos(r), math.sin(r)
    return np.array([
        [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
        [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
        [-sp, cp * sr, cp * cr],
    ])  # fmt: skip


def bearing_of_pixel(pose: CameraPose, x_px: float, y_px: float) -> Bearing:
    """The direction of a pixel (sub-pixel allowed) from the camera."""
    _finite("pixel", x_px, y_px)
    if not (0.0 <= x_px <= pose.width_px and 0.0 <= y_px <= pose.height_px):
        raise GeolocationError(f"pixel ({x_px}, {y_px}) outside the {pose.width_px}x"
                               f"{pose.height_px} image")
    f = pose.focal_px
    # camera (right, down, optical) -> gimbal forward-right-down
    ray = np.array([1.0, (x_px - pose.width_px / 2.0) / f, (y_px - pose.height_px / 2.0) / f])
    body = _rotation(pose.gimbal_yaw_deg, pose.gimbal_pitch_deg, 0.0) @ ray
    north, east, down = _rotation(pose.yaw_deg, pose.pitch_deg, pose.roll_deg) @ body
    azimuth = math.degrees(math.atan2(east, north)) % 360.0
    elevation = math.degrees(math.atan2(-down, math.hypot(north, east)))
    return Bearing(azimuth, elevation)


def locate(pose: CameraPose, box: Box, prior: SizePrior | None = None) -> PositionEstimate:
    """The position of a target seen in ``box``, assuming it is as large as ``prior`` says."""
    prior = prior or SizePrior()
    _finite("box", box.x, box.y, box.w, box.h)
    size_px = max(box.w, box.h)
    if size_px <= 0:
        raise GeolocationError(f"box {box} has no size")
    cx, cy = box.cx, box.cy
    if box.x < pose.width_px and box.x + box.w > 0 and box.y < pose.height_px and box.y + box.h > 0:
        # a tracked box may run over the edge: its centre is taken at the edge
        cx, cy = min(max(cx, 0.0), pose.width_px), min(max(cy, 0.0), pose.height_px)
    bearing = bearing_of_pixel(pose, cx, cy)
    angle = size_px / pose.focal_px
    range_m = prior.size_m / (2.0 * math.tan(angle / 2.0))
    rel = math.hypot(prior.sigma_m / prior.size_m, prior.pixel_sigma / size_px)
    range_sigma = range_m * rel
    el = math.radians(bearing.elevation_deg)
    horizontal = range_m * math.cos(el)
    pointing = math.radians(pose.attitude_sigma_deg)
    along = _SIGMAS * math.hypot(range_sigma * math.cos(el), range_m * pointing * math.sin(el))
    across = _SIGMAS * range_m * pointing
    alt_sigma = _SIGMAS * math.hypot(range_sigma * math.sin(el), range_m * pointing * math.cos(el))
    lon, lat, _ = _GEOD.fwd(pose.lon_deg, pose.lat_deg, bearing.azimuth_deg, horizontal)
    return PositionEstimate(
        lat_deg=float(lat), lon_deg=float(lon), alt_amsl_m=pose.alt_amsl_m + range_m * math.sin(el),
        bearing=bearing, range_m=range_m, range_sigma_m=range_sigma, along_m=along,
        across_m=across, alt_sigma_m=alt_sigma,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ZoneFinding:
    """A zone the target is in (``certain``) or may be in, given its uncertainty."""

    zone_id: str
    zone_name: str
    kind: ViolationKind
    certain: bool
    distance_m: float

    def describe(self) -> str:
        """One line of human text."""
        how = "inside" if self.certain else "possibly inside"
        return f"{how} {self.zone_name!r} ({self.kind.value}, {self.distance_m:.0f} m)"


_TARGET_KINDS = frozenset({ViolationKind.INSIDE_NO_FLY, ViolationKind.ABOVE_CEILING,
                           ViolationKind.BELOW_FLOOR})
"""Limits that bind any drone; operating areas bind only the station's own fleet."""


def check_zones(
    zones: ZoneSet, estimate: PositionEstimate, *, at: datetime | None = None,
    ground_amsl_m: float | None = None,
) -> list[ZoneFinding]:
    """The no-fly and altitude zones the target breaks, or may break within its uncertainty."""
    point = GeoPoint(estimate.lat_deg, estimate.lon_deg, estimate.alt_amsl_m)
    try:
        found = zones.check_point(point, at=at, home_amsl_m=ground_amsl_m,
                                  margin_m=estimate.radius_m)
    except GeofenceError as exc:
        raise GeolocationError(f"zones cannot be checked at {point}: {exc}") from exc
    return [f for v in found if (f := _finding(v)) is not None]


def _finding(v: Violation) -> ZoneFinding | None:
    if v.kind in _TARGET_KINDS:
        return ZoneFinding(v.zone_id, v.zone_name, v.kind, True, v.distance_m)
    if v.kind is ViolationKind.WITHIN_MARGIN and v.margin_kind in _TARGET_KINDS:
        assert v.margin_kind is not None
        return ZoneFinding(v.zone_id, v.zone_name, v.margin_kind, False, v.distance_m)
    return None
