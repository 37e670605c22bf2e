"""Ground-truth label files of the drone-footage folder, and how detections are matched.

CSV columns: ``frame_index_0based, present, x, y, w, h, class, distance_bin``; ``x, y`` are
MATLAB 1-based and are converted to 0-based here. Quirks handled (see the footage README):
frame alignment is uncertain by ±1 frame (drone clips carry an extra first row), boxes are
padded (matching uses IoU ≥ 0.25 or centre distance), and some clips are labelled for only
part of their length (only rows present in the file are scored).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from vision._types import Box, TargetClass

__all__ = ["ClipLabels", "LabelError", "boxes_match", "parse_labels", "read_labels"]

MATCH_IOU = 0.25
CENTRE_FRACTION = 0.5
"""Centre distance allowed, as a share of the label box's longer side..."""
CENTRE_MIN_PX = 8.0
"""...but never less than this many pixels."""
ALIGNMENT_TOLERANCE_FRAMES = 1

_CLASSES = {c.value.upper(): c for c in TargetClass if c is not TargetClass.UNKNOWN}
_HEADER = ["frame_index_0based", "present", "x", "y", "w", "h", "class", "distance_bin"]


class LabelError(ValueError):
    """A label file that does not follow the documented format."""


@dataclass(frozen=True, slots=True)
class ClipLabels:
    """The labels of one clip: its target class and, per labelled frame, a box or None."""

    target: TargetClass
    boxes: dict[int, Box | None]
    distance: dict[int, str]

    @property
    def labelled_frames(self) -> range:
        """Frames whose rows exist in the file (the scored range)."""
        return range(0, max(self.boxes) + 1) if self.boxes else range(0)

    @property
    def first_present(self) -> int | None:
        present = [i for i, b in self.boxes.items() if b is not None]
        return min(present) if present else None

    def boxes_near(self, frame: int) -> list[Box]:
        """Label boxes within the ±1 frame alignment tolerance of ``frame``."""
        near = (self.boxes.get(frame + d) for d in range(-ALIGNMENT_TOLERANCE_FRAMES,
                                                         ALIGNMENT_TOLERANCE_FRAMES + 1))
        return [b for b in near if b is not None]


def boxes_match(detected: Box, label: Box) -> bool:
    """True when ``detected`` hits ``label``: IoU ≥ 0.25 or centres close enough."""
    if detected.iou(label) >= MATCH_IOU:
        return True
    limit = max(CENTRE_MIN_PX, CENTRE_FRACTION * max(label.w, label.h))
    return (detected.cx - label.cx) ** 2 + (detected.cy - label.cy) ** 2 <= limit * limit


def _float(value: str, what: str, line: int) -> float:
    try:
        number = float(value)
    except ValueError:
        raise LabelError(f"line {line}: {what} {value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise LabelError(f"line {line}: {what} {value!r} is not finite")
    return number


def parse_labels(text: str) -> ClipLabels:
    """Parse the text of one label CSV."""
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip() for c in rows[0]] != _HEADER:
        raise LabelError(f"label header must be {','.join(_HEADER)}")
    boxes: dict[int, Box | None] = {}
    distance: dict[int, str] = {}
    target: TargetClass | None = None
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(_HEADER):
            raise LabelError(f"line {line}: expected {len(_HEADER)} columns, got {len(row)}")
        index = int(_float(row[0], "frame index", line))
        if index < 0 or index in boxes:
            raise LabelError(f"line {line}: bad or repeated frame index {row[0]!r}")
        cls = _CLASSES.get(row[6].strip().upper())
        if cls is None or (target is not None and cls is not target):
            raise LabelError(f"line {line}: unknown or mixed class {row[6]!r}")
        target = cls
        distance[index] = row[7].strip()
        if row[1].strip() not in ("0", "1"):
            raise LabelError(f"line {line}: present must be 0 or 1, got {row[1]!r}")
        if row[1].strip() == "0":
            boxes[index] = None
            continue
        x, y, w, h = (_float(row[k], name, line) for k, name in zip(range(2, 6), "xywh"))
        if w <= 0 or h <= 0:
            raise LabelError(f"line {line}: box size must be positive")
        boxes[index] = Box(x - 1.0, y - 1.0, w, h)
    if target is None:
        raise LabelError("label file has no rows")
    return ClipLabels(target=target, boxes=boxes, distance=distance)


def read_labels(path: Path) -> ClipLabels:
    """Read and parse one label CSV file."""
    try:
        return parse_labels(path.read_text(encoding="utf-8"))
    except LabelError as exc:
        raise LabelError(f"{path}: {exc}") from None
