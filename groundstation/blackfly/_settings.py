"""What a watched stream is (its camera) and how alerts become incidents."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from vision.alerts import AlertSettings

__all__ = ["BlackflySettings", "CameraMount", "WatchSpec"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CameraMount:
    """The camera behind a stream: its optics and gimbal, and, for a fixed (mast) camera, where
    it stands and which way it faces. A camera on a drone takes position and attitude from
    that drone's telemetry (``WatchSpec.camera_system_id``)."""

    hfov_deg: float = 60.0
    gimbal_pitch_deg: float = 0.0
    gimbal_yaw_deg: float = 0.0
    attitude_sigma_deg: float = 1.0
    lat_deg: float | None = None
    lon_deg: float | None = None
    alt_amsl_m: float | None = None
    yaw_deg: float = 0.0

    def __post_init__(self) -> None:
        values = (self.hfov_deg, self.gimbal_pitch_deg, self.gimbal_yaw_deg,
                  self.attitude_sigma_deg, self.yaw_deg)
        if not all(math.isfinite(v) for v in values) or not 1.0 <= self.hfov_deg <= 170.0:
            raise ValueError("camera mount angles must be finite, hfov_deg within [1, 170]")
        fixed = (self.lat_deg, self.lon_deg, self.alt_amsl_m)
        if any(v is None for v in fixed) and any(v is not None for v in fixed):
            raise ValueError("a fixed camera needs lat_deg, lon_deg and alt_amsl_m together")

    @property
    def fixed(self) -> bool:
        """Whether the camera stands still at a known place."""
        return self.lat_deg is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchSpec:
    """One video stream to watch: whose it is and what camera films it."""

    stream_id: str
    org_id: int
    camera_system_id: int | None = None
    """MAVLink system id of the drone carrying the camera (its pose comes from telemetry)."""
    mount: CameraMount = field(default_factory=CameraMount)


@dataclass(frozen=True, slots=True)
class BlackflySettings:
    """How alerts become incidents."""

    attach_radius_m: float = 1_000.0
    """An alert within this distance of an open incident of the stream's organisations joins it."""
    incident_kind: str = "black_flying_drone"
    incident_priority: int = 2
    no_fly_priority: int = 1
    """Priority of a new incident when the drone is certainly inside a no-fly or altitude zone."""
    permits_refresh_s: float = 5.0
    watch_fleet_streams: bool = True
    """Watch every video stream named after a registered vehicle (its organisation, its pose)."""
    fleet_mount: CameraMount = field(default_factory=CameraMount)
    """The camera assumed on fleet drones watched that way."""
    stream_scan_s: float = 2.0
    max_pending_alerts: int = 8
    """Alerts waiting for evidence encoding and storage; beyond it new ones are dropped (logged)."""
    alerts: AlertSettings = field(default_factory=AlertSettings)
