"""Drone detection: frames per second of the whole vision pipeline on one core, against bare
OpenCV decoding of the same clips measured in the same run.

For each modality, the same clips (every ``--step``-th labelled clip of the footage folder)
are read twice, alternately per clip so load changes hit both alike: once only decoded
(``cv2.VideoCapture`` through FFmpeg, the baseline) and once decoded and run through
``DronePipeline`` (motion compensation, candidates, tracking, features, classifier,
decision). OpenCV is held to one thread. Printed: fps of each and their ratio; the
pipeline's own share (decode excluded) is also given, which is what the ≥60 fps target is about.

Run: ``python benchmarks/vision.py [--root ../shared/data/drone-footage] [--step 12]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2

from vision import DronePipeline, open_video
from vision._dataset import list_clips

ROOT = Path(__file__).resolve().parent.parent


def decode_only(path: Path) -> tuple[int, float]:
    """Frames and seconds to decode ``path``."""
    start = time.perf_counter()
    n = sum(1 for _ in open_video(path))
    return n, time.perf_counter() - start


def decode_and_detect(path: Path, modality: str) -> tuple[int, float, float]:
    """Frames, total seconds and pipeline-only seconds for ``path``."""
    pipeline = DronePipeline(modality=modality)
    busy = 0.0
    n = 0
    start = time.perf_counter()
    for frame in open_video(path):
        t0 = time.perf_counter()
        pipeline.process(frame)
        busy += time.perf_counter() - t0
        n += 1
    return n, time.perf_counter() - start, busy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT.parent / "shared/data/drone-footage")
    parser.add_argument("--step", type=int, default=12, help="use every N-th clip")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    for modality in ("visible", "thermal"):
        clips = list_clips(args.root, modality)[::args.step]
        frames = 0
        dec_s = tot_s = busy_s = 0.0
        for clip in clips:
            n, s = decode_only(clip.video)
            m, t, b = decode_and_detect(clip.video, modality)
            assert n == m
            frames, dec_s, tot_s, busy_s = frames + n, dec_s + s, tot_s + t, busy_s + b
        shape = "640x512" if modality == "visible" else "320x256"
        print(f"{modality} {shape}, {len(clips)} clips, {frames} frames, one core:")
        print(f"  bare OpenCV decode        {frames / dec_s:8.1f} fps")
        print(f"  decode + vision pipeline  {frames / tot_s:8.1f} fps  "
              f"(ratio to decode {dec_s / tot_s:.3f})")
        print(f"  vision pipeline alone     {frames / busy_s:8.1f} fps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
