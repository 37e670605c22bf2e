"""A test double of the detector: a pipeline that confirms drone tracks on scripted frames."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vision._source import Frame
from vision._types import Box, Detection, TargetClass, Track, TrackUpdate

__all__ = ["ScriptedPipeline", "drone_track"]


def drone_track(track_id: int, box: Box, *, frame: int = 0, t_s: float = 0.0,
                probability: float = 0.95) -> Track:
    """A confirmed drone track at ``box``."""
    return Track(track_id=track_id, first_frame=frame, first_t_s=t_s, last_frame=frame,
                 last_t_s=t_s, box=box, label=TargetClass.DRONE, drone_probability=probability,
                 confirmed=True, hits=10, history=[box])


class ScriptedPipeline:
    """Counts frames; on the frame numbers in ``script`` it reports those tracks newly confirmed
    (and keeps reporting them as live drone tracks afterwards, as a real tracker would)."""

    def __init__(self, script: Mapping[int, Sequence[tuple[int, Box]]]) -> None:
        self.script = script
        self.frames = 0
        self.live: dict[int, Track] = {}

    def process(self, frame: Frame) -> TrackUpdate:
        """One update per frame (numbered by this pipeline, as frames may be skipped)."""
        index, t_s = self.frames, frame.t_s
        self.frames += 1
        fresh = tuple(drone_track(tid, box, frame=index, t_s=t_s)
                      for tid, box in self.script.get(index, ()))
        self.live.update({t.track_id: t for t in fresh})
        detections = tuple(Detection(index, t_s, t.box, t.track_id, TargetClass.DRONE,
                                     t.drone_probability) for t in self.live.values())
        return TrackUpdate(index, t_s, detections, tuple(self.live.values()), fresh)
