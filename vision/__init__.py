"""Black-flying drone detection: frames in, drone tracks and alarms out.

``DronePipeline`` runs camera-motion compensation, candidate detection, Kalman/Hungarian
tracking and a learned classifier over frames from ``open_video`` (file or stream through
FFmpeg) or ``frames_from_arrays``; each frame yields a ``TrackUpdate``.
"""

from vision._classifier import Classifier, LearnedClassifier, RulesClassifier
from vision._decision import DecisionSettings
from vision._labels import ClipLabels, LabelError, boxes_match, parse_labels, read_labels
from vision._motion import MotionEstimator
from vision._pipeline import DronePipeline
from vision._source import Frame, VideoSource, VideoSourceError, frames_from_arrays, open_video
from vision._types import Box, Detection, TargetClass, Track, TrackUpdate

__all__ = [
    "Box",
    "Classifier",
    "ClipLabels",
    "DecisionSettings",
    "Detection",
    "DronePipeline",
    "Frame",
    "LabelError",
    "LearnedClassifier",
    "MotionEstimator",
    "RulesClassifier",
    "TargetClass",
    "Track",
    "TrackUpdate",
    "VideoSource",
    "VideoSourceError",
    "boxes_match",
    "frames_from_arrays",
    "open_video",
    "parse_labels",
    "read_labels",
]
