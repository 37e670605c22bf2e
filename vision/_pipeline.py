"""The detection pipeline: frames in, tracks and drone detections out.

``Frontend`` is the part that does not depend on the classifier (motion compensation,
candidates, tracking, features); ``DronePipeline`` adds the classifier and the decision and
produces the :class:`TrackUpdate` records the station consumes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from vision._candidates import CandidateDetector, WorkFrame
from vision._classifier import Classifier, default_classifier
from vision._decision import DecisionSettings, TrackJudge
from vision._features import N_FEATURES, track_features
from vision._motion import MotionEstimator
from vision._source import DEFAULT_FPS, Frame
from vision._tracking import Tracker, TrackState
from vision._types import Box, Detection, Track, TrackUpdate

__all__ = ["DronePipeline", "Frontend", "FrontendStep", "modality_for"]

THERMAL_MAX_WIDTH_PX = 400
"""With modality "auto", frames at most this wide are taken as thermal."""
TRACK_HISTORY_BOXES = 30


def modality_for(image: np.ndarray) -> str:
    """Guess the modality from the frame: small single-band frames are thermal."""
    return "thermal" if image.shape[1] <= THERMAL_MAX_WIDTH_PX else "visible"


@dataclass(frozen=True, slots=True)
class FrontendStep:
    """What the classifier-free part found in one frame."""

    frame_index: int
    t_s: float
    live: list[TrackState]
    """All tracks alive after this frame."""
    observed: list[TrackState]
    """Tracks that got a candidate this frame, in the order of the rows of ``features``."""
    features: np.ndarray


class Frontend:
    """Motion compensation, candidate detection, tracking and feature extraction."""

    def __init__(self) -> None:
        self.motion = MotionEstimator()
        self.candidates = CandidateDetector()
        self.tracker = Tracker()

    def step(self, frame: Frame) -> FrontendStep:
        work = WorkFrame.from_image(frame.image)
        affine = self.motion.update(work.gray)
        cands = self.candidates.detect(work, affine)
        observed = self.tracker.update(frame.index, cands, affine)
        feats = (np.stack([track_features(work.gray, t) for t in observed]) if observed
                 else np.empty((0, N_FEATURES), dtype=np.float32))
        return FrontendStep(frame.index, frame.t_s, self.tracker.tracks, observed, feats)


def observed_box(track: TrackState) -> Box:
    """The box of the candidate the track got in its latest observation."""
    return track.history[-1].candidate.box


class DronePipeline:
    """Runs frames through the whole stage and reports drones.

    ``modality`` is "visible", "thermal" or "auto" (decided on the first frame); the
    classifier defaults to the committed weights of that modality.
    """

    def __init__(self, classifier: Classifier | None = None, *, modality: str = "auto",
                 decision: DecisionSettings = DecisionSettings()) -> None:
        self.modality = modality
        self._classifier = classifier
        self._decision = decision
        self.frontend = Frontend()
        self.judge = TrackJudge(decision)
        self._tracks: dict[int, Track] = {}
        self._last_t_s: float | None = None
        self._frame_dt_s = 1.0 / DEFAULT_FPS

    @property
    def classifier(self) -> Classifier:
        if self._classifier is None:
            raise RuntimeError("the classifier is chosen on the first frame")
        return self._classifier

    def run(self, frames: Iterable[Frame]) -> Iterator[TrackUpdate]:
        """Process every frame of ``frames`` in order."""
        for frame in frames:
            yield self.process(frame)

    def process(self, frame: Frame) -> TrackUpdate:
        """Process one frame and return what the stage sees in it."""
        if self._classifier is None:
            if self.modality == "auto":
                self.modality = modality_for(frame.image)
            self._classifier = default_classifier(self.modality)
        if self._last_t_s is not None and frame.t_s > self._last_t_s:
            self._frame_dt_s = frame.t_s - self._last_t_s
        self._last_t_s = frame.t_s
        step = self.frontend.step(frame)
        probs = (self._classifier.predict_proba(step.features) if step.observed
                 else np.empty((0, 0)))
        detections: list[Detection] = []
        confirmed: list[Track] = []
        for state, row in zip(step.observed, probs):
            verdict = self.judge.observe(state.track_id, row)
            track = self._public_track(state, frame)
            track.drone_probability = verdict.drone_probability
            track.label = verdict.label
            track.confirmed = self.judge.is_confirmed(state.track_id)
            if verdict.newly_confirmed:
                confirmed.append(track)
            if verdict.report:
                detections.append(Detection(frame.index, frame.t_s, observed_box(state),
                                            state.track_id, verdict.label,
                                            verdict.drone_probability))
        live_ids = [t.track_id for t in step.live]
        self.judge.forget_except(live_ids)
        self._tracks = {tid: self._tracks[tid] for tid in live_ids if tid in self._tracks}
        return TrackUpdate(frame.index, frame.t_s, tuple(detections),
                           tuple(self._tracks.values()), tuple(confirmed))

    def _public_track(self, state: TrackState, frame: Frame) -> Track:
        box = Box(*state.box)
        track = self._tracks.get(state.track_id)
        if track is None:
            first = state.history[0].frame_index
            first_t_s = frame.t_s - (frame.index - first) * self._frame_dt_s
            track = Track(state.track_id, first, first_t_s, frame.index, frame.t_s, box)
            self._tracks[state.track_id] = track
        track.last_frame, track.last_t_s, track.box = frame.index, frame.t_s, box
        track.velocity_px_s = (float(state.x[2]) / self._frame_dt_s,
                               float(state.x[3]) / self._frame_dt_s)
        track.hits = state.hits
        track.history.append(box)
        del track.history[:-TRACK_HISTORY_BOXES]
        return track


