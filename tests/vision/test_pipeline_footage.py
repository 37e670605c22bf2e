"""The whole pipeline on real clips of the development footage, with outcomes known from its
labels: a drone clip raises one alarm on the drone within a second; bird, airplane and
helicopter clips raise none."""

from __future__ import annotations

import cv2
import pytest

from vision import DronePipeline, TargetClass, boxes_match, open_video, read_labels
from tests.infra import require_footage

pytestmark = pytest.mark.footage

DRONE_CLIPS = ["thermal/IR_DRONE_001", "visible/V_DRONE_025"]
OTHER_CLIPS = ["thermal/IR_BIRD_010", "visible/V_AIRPLANE_010"]


def _run(name: str) -> tuple[list, list]:
    root = require_footage()
    cv2.setNumThreads(1)
    pipeline = DronePipeline(modality=name.split("/")[0])
    alarms, updates = [], []
    for frame in open_video(root / f"{name}.mp4"):
        update = pipeline.process(frame)
        updates.append(update)
        alarms.extend((frame.index, t) for t in update.newly_confirmed)
    return alarms, updates


@pytest.mark.parametrize("name", DRONE_CLIPS)
def test_drone_clip_raises_an_alarm_on_the_drone(name: str) -> None:
    labels = read_labels(require_footage() / f"{name}.csv")
    alarms, updates = _run(name)
    assert alarms, "no alarm on a drone clip"
    frame, track = alarms[0]
    assert track.label is TargetClass.DRONE and track.confirmed
    assert any(boxes_match(d.box, b) for d in updates[frame].detections
               for b in labels.boxes_near(frame))
    first = labels.first_present
    assert first is not None and frame - first <= 30
    assert len({t.track_id for _f, t in alarms}) == len(alarms), "an alarm was repeated"


@pytest.mark.parametrize("name", OTHER_CLIPS)
def test_non_drone_clip_raises_no_alarm(name: str) -> None:
    alarms, _updates = _run(name)
    assert alarms == []
