"""A folder of labelled clips laid out like ``../shared/data/drone-footage/``.

``DIR/visible/*.mp4`` and ``DIR/thermal/*.mp4``, each clip with a label ``.csv`` of the same
name. Clips without a label file are skipped (the station cannot score them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vision._labels import ClipLabels, read_labels

__all__ = ["Clip", "list_clips"]

MODALITY_DIRS = {"visible": "visible", "thermal": "thermal"}


@dataclass(frozen=True, slots=True)
class Clip:
    """One video file and its labels."""

    name: str
    video: Path
    labels: ClipLabels

    @property
    def distance(self) -> str:
        """The clip's distance bin (the most common one of its labelled rows)."""
        values = [v for v in self.labels.distance.values() if v]
        return max(sorted(set(values)), key=values.count) if values else "UNKNOWN"


def list_clips(root: Path, modality: str) -> list[Clip]:
    """Labelled clips of ``modality`` under ``root``, sorted by name."""
    if modality not in MODALITY_DIRS:
        raise ValueError(f"modality must be one of {sorted(MODALITY_DIRS)}, got {modality!r}")
    folder = Path(root) / MODALITY_DIRS[modality]
    if not folder.is_dir():
        raise FileNotFoundError(f"no {modality} folder at {folder}")
    clips = []
    for video in sorted(folder.glob("*.mp4")):
        csv = video.with_suffix(".csv")
        if csv.is_file():
            clips.append(Clip(video.stem, video, read_labels(csv)))
    return clips
