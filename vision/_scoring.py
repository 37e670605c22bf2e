"""Scores of the stage over clips: frame-level drone P/R/F1 and clip-level alarms.

Frame level (drones are the positive class), only on frames whose label rows exist:
a reported box that matches a drone label box of the frame (±1 frame, ``boxes_match``) is a
true positive (one per frame; a second match on the same frame is neither); any other
reported box is a false positive; a labelled drone frame without a match is a false
negative. Scores are also given per distance bin of the clip.
Clip level: a drone clip is alarmed when an alarm's box matches the drone; its latency runs
from the first labelled appearance to that alarm. A bird, airplane or helicopter clip with
any alarm is a false alarm.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from vision._dataset import Clip
from vision._labels import boxes_match
from vision._outcome import ClipOutcome
from vision._types import TargetClass

__all__ = ["ClipScore", "format_report", "score_clip", "summarise"]

ALARM_DEADLINE_S = 1.0


@dataclass(frozen=True, slots=True)
class ClipScore:
    """Counts and alarm facts of one clip."""

    name: str
    target: TargetClass
    distance: str
    tp: int
    fp: int
    fn: int
    alarmed: bool
    """Drone clip: an alarm on the drone. Other clip: any alarm (a false alarm)."""
    latency_s: float | None
    frames: int
    busy_s: float
    total_s: float


def score_clip(clip: Clip, outcome: ClipOutcome) -> ClipScore:
    """Score what the stage reported on ``clip`` against its labels."""
    labels = clip.labels
    is_drone = labels.target is TargetClass.DRONE
    scored = set(labels.labelled_frames)
    tp = fp = fn = 0
    for f in sorted(scored):
        if f >= outcome.n_frames:
            continue
        truth = labels.boxes_near(f) if is_drone else []
        present = is_drone and labels.boxes.get(f) is not None
        hit = False
        for box in outcome.detections.get(f, []):
            if any(boxes_match(box, t) for t in truth):
                if present and not hit:
                    tp += 1
                    hit = True
            else:
                fp += 1
        if present and not hit:
            fn += 1
    if is_drone:
        on_drone = [f for f, box in outcome.alarms
                    if any(boxes_match(box, t) for t in labels.boxes_near(f))]
        first = labels.first_present
        alarmed = bool(on_drone)
        latency = ((min(on_drone) - first) / outcome.fps
                   if on_drone and first is not None else None)
    else:
        alarmed, latency = bool(outcome.alarms), None
    return ClipScore(clip.name, labels.target, clip.distance, tp, fp, fn, alarmed,
                     None if latency is None else max(0.0, latency), outcome.n_frames,
                     outcome.busy_s, outcome.total_s)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def summarise(scores: list[ClipScore]) -> dict[str, Any]:
    """The JSON-ready summary of many clips."""
    bins: dict[str, list[ClipScore]] = defaultdict(list)
    for s in scores:
        bins[s.distance].append(s)
    frame = _prf(sum(s.tp for s in scores), sum(s.fp for s in scores),
                 sum(s.fn for s in scores))
    per_bin = {b: _prf(sum(s.tp for s in ss), sum(s.fp for s in ss), sum(s.fn for s in ss))
               for b, ss in sorted(bins.items())}
    drones = [s for s in scores if s.target is TargetClass.DRONE]
    lat = sorted(s.latency_s for s in drones if s.latency_s is not None)
    others: dict[str, list[ClipScore]] = defaultdict(list)
    for s in scores:
        if s.target is not TargetClass.DRONE:
            others[s.target.value].append(s)
    non_drone = [s for ss in others.values() for s in ss]
    frames = sum(s.frames for s in scores)
    busy = sum(s.busy_s for s in scores)
    total = sum(s.total_s for s in scores)
    return {
        "clips": len(scores),
        "frame_level": frame,
        "per_distance": per_bin,
        "drone_clips": len(drones),
        "drone_clips_alarmed": _share(sum(s.alarmed for s in drones), len(drones)),
        "drone_clips_alarmed_within_1s": _share(
            sum(1 for s in drones if s.latency_s is not None and s.latency_s <= ALARM_DEADLINE_S),
            len(drones)),
        "alarm_latency_s": {"median": _quantile(lat, 0.5), "p90": _quantile(lat, 0.9)},
        "false_alarm_clips": _share(sum(s.alarmed for s in non_drone), len(non_drone)),
        "false_alarm_by_class": {k: _share(sum(s.alarmed for s in ss), len(ss))
                                 for k, ss in sorted(others.items())},
        "frames": frames,
        "fps_pipeline_one_core": round(frames / busy, 1) if busy > 0 else None,
        "fps_with_decode_one_core": round(frames / total, 1) if total > 0 else None,
        "per_clip": [{"clip": s.name, "class": s.target.value, "distance": s.distance,
                      "tp": s.tp, "fp": s.fp, "fn": s.fn, "alarm": s.alarmed,
                      "latency_s": s.latency_s} for s in scores],
    }


def _share(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(q * len(values)))], 3)


def format_report(title: str, summary: dict[str, Any]) -> str:
    """A plain-text table of ``summary``."""
    lines = [title, f"{'':22}{'precision':>10}{'recall':>10}{'F1':>8}{'TP':>8}{'FP':>8}{'FN':>8}"]
    rows = [("all frames", summary["frame_level"])]
    rows += [(f"  {b.lower()}", v) for b, v in summary["per_distance"].items()]
    for name, v in rows:
        lines.append(f"{name:22}{v['precision']:>10.3f}{v['recall']:>10.3f}{v['f1']:>8.3f}"
                     f"{v['tp']:>8}{v['fp']:>8}{v['fn']:>8}")
    lat = summary["alarm_latency_s"]
    lines += [
        f"drone clips alarmed:        {summary['drone_clips_alarmed']} of "
        f"{summary['drone_clips']} (within 1 s: {summary['drone_clips_alarmed_within_1s']}; "
        f"latency median {lat['median']} s, p90 {lat['p90']} s)",
        f"false alarms, other clips:  {summary['false_alarm_clips']} "
        + " ".join(f"{k}={v}" for k, v in summary["false_alarm_by_class"].items()),
        f"frames: {summary['frames']}; fps on one core: pipeline "
        f"{summary['fps_pipeline_one_core']}, with decode {summary['fps_with_decode_one_core']}",
    ]
    return "\n".join(lines)
