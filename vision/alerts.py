"""From tracks to alerts: each newly confirmed drone is located, checked for authorisation, and
an unauthorised one raises one alert carrying the frame and a short clip of recent frames.

Alerts are deduplicated: a track alarms at most once, and a new track confirmed within
``cooldown_s`` near a target already alerted (within ``reacquire_m`` of its estimated
position, or ``reacquire_px`` in the image when either position is unknown) is the same
target re-acquired: it is counted, extends that target's cooldown, and raises nothing.

    stage = AlertStage(settings)
    for frame in frames:
        update = pipeline.process(frame)
        for alert in stage.observe(frame.image, update, lambda: surroundings_now()):
            jpeg = alert.snapshot_jpeg(); mp4 = alert.clip_mp4()   # (in a worker: encoding)

Frames in the ring are references unless scaled down: the caller must not draw on a frame
after handing it in (the station's decoded frames are read-only).
"""

from __future__ import annotations

import collections
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np
from numpy.typing import NDArray
from pyproj import Geod

from geofence import ZoneSet
from vision._source import Frame
from vision._types import Box, Track, TrackUpdate
from vision.authorisation import (
    Authorisation,
    AuthorisationSettings,
    Basis,
    CooperativeReport,
    OwnDrone,
    Permit,
    authorise,
)
from vision.evidence import annotated_jpeg, encode_clip
from vision.geolocation import (
    CameraPose,
    GeolocationError,
    PositionEstimate,
    SizePrior,
    ZoneFinding,
    check_zones,
    locate,
)

__all__ = [
    "Alert",
    "AlertSettings",
    "AlertStage",
    "FramePipeline",
    "FrameRing",
    "Surroundings",
]

Image = NDArray[np.uint8]
_GEOD = Geod(ellps="WGS84")
_TRACK_MEMORY = 4096


class FramePipeline(Protocol):
    """What the alert stage needs of a detector (``DronePipeline`` is one): one TrackUpdate
    per frame."""

    def process(self, frame: Frame) -> TrackUpdate:
        """Detect and track in one frame."""
        ...


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Dedup and evidence settings."""

    cooldown_s: float = 60.0
    reacquire_m: float = 80.0
    reacquire_px: float = 120.0
    clip_s: float = 4.0
    max_clip_frames: int = 200
    jpeg_quality: int = 90
    authorisation: AuthorisationSettings = field(default_factory=AuthorisationSettings)
    prior: SizePrior = field(default_factory=SizePrior)


@dataclass(frozen=True, slots=True)
class Surroundings:
    """What the world looked like when a track was confirmed: pose, fleet, reports, permits."""

    at: datetime
    pose: CameraPose | None = None
    own_drones: Sequence[OwnDrone] = ()
    reports: Sequence[CooperativeReport] = ()
    permits: Sequence[Permit] = ()
    zones: ZoneSet | None = None
    ground_amsl_m: float | None = None


class FrameRing:
    """The last few seconds of frames, to cut a clip from: at most ``max_fps`` of them a second,
    and frames wider than ``max_width_px`` kept scaled down (a 1080p stream holds ~40 MB for
    4 s); narrower frames are kept by reference, not copied."""

    def __init__(self, seconds: float, max_frames: int, *, max_fps: float = 15.0,
                 max_width_px: int = 640) -> None:
        if seconds <= 0 or max_frames < 1 or max_fps <= 0 or max_width_px < 16:
            raise ValueError("a frame ring needs seconds > 0, max_frames >= 1, max_fps > 0 "
                             "and max_width_px >= 16")
        self.seconds = seconds
        self.min_interval_s = 1.0 / max_fps
        self.max_width_px = max_width_px
        self._frames: collections.deque[tuple[float, Image]] = collections.deque(maxlen=max_frames)

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, t_s: float, image: Image) -> None:
        """Add the newest frame; frames older than ``seconds`` before it fall out."""
        if self._frames and t_s < self._frames[-1][0]:
            self._frames.clear()  # the source's clock went back (restart): start afresh
        if self._frames and t_s - self._frames[-1][0] < self.min_interval_s * 0.999:
            return
        width = image.shape[1]
        if width > self.max_width_px:
            height = max(2, round(image.shape[0] * self.max_width_px / width))
            image = np.asarray(cv2.resize(image, (self.max_width_px, height),
                                          interpolation=cv2.INTER_AREA), dtype=np.uint8)
        self._frames.append((t_s, image))
        while self._frames and self._frames[0][0] < t_s - self.seconds:
            self._frames.popleft()

    def clip(self) -> tuple[tuple[Image, ...], float]:
        """The frames held (all of one size as the newest) and their mean rate in fps."""
        if not self._frames:
            return (), 0.0
        shape = self._frames[-1][1].shape
        kept = [(t, f) for t, f in self._frames if f.shape == shape]
        span = kept[-1][0] - kept[0][0]
        fps = (len(kept) - 1) / span if len(kept) > 1 and span > 0 else 1.0
        return tuple(f for _, f in kept), min(max(fps, 0.5), 240.0)


@dataclass(frozen=True, slots=True, eq=False)
class Alert:
    """One unauthorised drone: where in the frame, where in the world, why, and the evidence."""

    track_id: int
    frame_index: int
    t_s: float
    at: datetime
    box: Box
    drone_probability: float
    estimate: PositionEstimate | None
    authorisation: Authorisation
    zones: tuple[ZoneFinding, ...]
    image: Image
    clip_frames: tuple[Image, ...]
    clip_fps: float
    jpeg_quality: int = 90

    @property
    def caption(self) -> str:
        """Short text drawn on the snapshot."""
        where = "" if self.estimate is None else f" ~{self.estimate.range_m:.0f} m"
        return f"UNAUTHORISED DRONE #{self.track_id} p={self.drone_probability:.2f}{where}"

    def snapshot_jpeg(self) -> bytes:
        """The alarm frame with the box drawn (encodes: call off the video thread)."""
        return annotated_jpeg(self.image, self.box, self.caption, quality=self.jpeg_quality)

    def clip_mp4(self, *, ffmpeg: str | None = "auto") -> bytes:
        """The seconds before the alarm as MP4 (encodes: call off the video thread)."""
        return encode_clip(self.clip_frames, self.clip_fps, ffmpeg=ffmpeg)


@dataclass(slots=True)
class _Alerted:
    t_s: float
    box: Box
    estimate: PositionEstimate | None


class AlertStage:
    """Turns each frame's TrackUpdate into at most one alert per unauthorised target."""

    def __init__(self, settings: AlertSettings | None = None) -> None:
        self.settings = settings or AlertSettings()
        self.ring = FrameRing(self.settings.clip_s, self.settings.max_clip_frames)
        self._alerted_tracks: dict[int, None] = {}
        """Tracks judged unauthorised (insertion-ordered, the oldest trimmed past a bound)."""
        self._recent: list[_Alerted] = []
        self._unjudged: dict[int, None] = {}
        """Confirmed tracks not judged yet (their surroundings could not be read)."""
        self.raised = 0
        self.suppressed = 0
        """Confirmed unauthorised tracks that were a target already alerted (not raised again)."""
        self.authorised = 0
        self.decisions: list[tuple[int, Authorisation]] = []
        """(track id, decision) of every confirmed track judged, newest last (bounded)."""

    def observe(
        self, image: Image, update: TrackUpdate, surroundings: Callable[[], Surroundings]
    ) -> list[Alert]:
        """Keep the frame for clips and judge the tracks confirmed on it. When ``surroundings``
        raises, the error goes to the caller and those tracks are judged on a later frame
        (while they live), so a passing fault cannot swallow an alarm."""
        self.ring.push(update.t_s, image)
        for track in update.newly_confirmed:
            if track.track_id not in self._alerted_tracks:
                self._unjudged[track.track_id] = None
        if not self._unjudged:
            return []
        live = {t.track_id: t for t in (*update.tracks, *update.newly_confirmed)}
        for track_id in [i for i in self._unjudged if i not in live]:
            del self._unjudged[track_id]  # lost before it could be judged
        fresh = [live[i] for i in self._unjudged]
        if not fresh:
            return []
        world = surroundings()
        alerts = []
        for track in fresh:
            del self._unjudged[track.track_id]
            alert = self._judge(image, update, track, world)
            if alert is not None:
                alerts.append(alert)
        return alerts

    def _judge(self, image: Image, update: TrackUpdate, track: Track,
               world: Surroundings) -> Alert | None:
        estimate, decision = self._decide(track, world)
        self.decisions = [*self.decisions[-99:], (track.track_id, decision)]
        if decision.authorised:
            self.authorised += 1
            return None
        self._alerted_tracks[track.track_id] = None
        if len(self._alerted_tracks) > _TRACK_MEMORY:
            del self._alerted_tracks[next(iter(self._alerted_tracks))]
        if self._seen_recently(update.t_s, track.box, estimate):
            self.suppressed += 1
            return None
        self._recent.append(_Alerted(update.t_s, track.box, estimate))
        self.raised += 1
        zones: tuple[ZoneFinding, ...] = ()
        if estimate is not None and world.zones is not None and len(world.zones):
            try:
                zones = tuple(check_zones(world.zones, estimate, at=world.at,
                                          ground_amsl_m=world.ground_amsl_m))
            except GeolocationError:
                zones = ()
        frames, fps = self.ring.clip()
        return Alert(track.track_id, update.frame_index, update.t_s, world.at, track.box,
                     track.drone_probability, estimate, decision, zones, image, frames, fps,
                     self.settings.jpeg_quality)

    def _decide(self, track: Track,
                world: Surroundings) -> tuple[PositionEstimate | None, Authorisation]:
        if world.pose is None:
            return None, Authorisation(False, Basis.NONE, "camera pose unknown: the drone cannot "
                                       "be matched to own drones or cooperative reports")
        try:
            estimate = locate(world.pose, track.box, self.settings.prior)
        except GeolocationError as exc:
            return None, Authorisation(False, Basis.NONE, f"drone not located ({exc}): it "
                                       "cannot be matched to own drones or cooperative reports")
        return estimate, authorise(estimate, at=world.at, own_drones=world.own_drones,
                                   reports=world.reports, permits=world.permits,
                                   settings=self.settings.authorisation)

    def _seen_recently(self, t_s: float, box: Box, estimate: PositionEstimate | None) -> bool:
        s = self.settings
        self._recent = [r for r in self._recent if 0.0 <= t_s - r.t_s <= s.cooldown_s]
        for r in self._recent:
            if estimate is not None and r.estimate is not None:
                _, _, d = _GEOD.inv(r.estimate.lon_deg, r.estimate.lat_deg,
                                    estimate.lon_deg, estimate.lat_deg)
                near = float(d) <= s.reacquire_m
            else:
                near = math.hypot(box.cx - r.box.cx, box.cy - r.box.cy) <= s.reacquire_px
            if near:
                r.t_s, r.box, r.estimate = t_s, box, estimate or r.estimate
                return True
        return False
