"""Records that flow out of the vision pipeline: per-frame detections and tracks.

These are the only types the rest of the station sees of the detector: the authorisation,
geolocation and alert stages, and the service, consume them without knowing how they were
made. Pixel coordinates are 0-based, in the frame as decoded (x right, y down).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["Box", "Detection", "TargetClass", "Track", "TrackUpdate"]


class TargetClass(enum.Enum):
    """What a track is believed to be. Only ``DRONE`` is the positive class for alarms."""

    DRONE = "drone"
    BIRD = "bird"
    AIRPLANE = "airplane"
    HELICOPTER = "helicopter"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned pixel box: top-left corner, width and height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        """Centre x in pixels."""
        return self.x + self.w / 2.0

    @property
    def cy(self) -> float:
        """Centre y in pixels."""
        return self.y + self.h / 2.0

    def iou(self, other: Box) -> float:
        """Intersection over union with ``other`` (0 when they do not overlap)."""
        ix = max(0.0, min(self.x + self.w, other.x + other.w) - max(self.x, other.x))
        iy = max(0.0, min(self.y + self.h, other.y + other.h) - max(self.y, other.y))
        inter = ix * iy
        union = self.w * self.h + other.w * other.h - inter
        return inter / union if union > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Detection:
    """A target reported in one frame: where, what it is believed to be, and how sure."""

    frame_index: int
    """0-based index of the frame in its source."""
    t_s: float
    """Time of the frame in seconds (the source's clock; file time for files)."""
    box: Box
    track_id: int
    label: TargetClass
    drone_probability: float
    """0..1: belief that the track carrying this detection is a drone."""


@dataclass(slots=True)
class Track:
    """A target followed over frames. Mutable: the pipeline updates it every frame."""

    track_id: int
    first_frame: int
    first_t_s: float
    last_frame: int
    last_t_s: float
    box: Box
    """Latest (filtered) box."""
    velocity_px_s: tuple[float, float] = (0.0, 0.0)
    label: TargetClass = TargetClass.UNKNOWN
    drone_probability: float = 0.0
    confirmed: bool = False
    """True once the track has been classified as a drone with enough evidence to alarm."""
    hits: int = 0
    history: list[Box] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TrackUpdate:
    """What the pipeline returns for one frame."""

    frame_index: int
    t_s: float
    detections: tuple[Detection, ...]
    """Targets currently reported as drones in this frame (the frame-level output)."""
    tracks: tuple[Track, ...]
    """Every live track, whatever its class."""
    newly_confirmed: tuple[Track, ...]
    """Tracks that became confirmed drones on this frame: each is one alarm, never repeated."""
