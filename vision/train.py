"""Train the drone classifier of one modality from a labelled footage folder.

    python -m vision.train ../shared/data/drone-footage --modality visible

writes ``vision/weights/visible.npz`` (or ``--out``). Deterministic: fixed seeds, clips in
name order, observations cached in ``--cache`` (default ``$TMPDIR/vision-cache``), and the
BLAS and OpenMP pools held to one thread (a multi-threaded matrix product sums in another
order, and the networks drift apart from there). Needs the test extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
from threadpoolctl import threadpool_limits

from vision._classifier import weights_path
from vision._dataset import list_clips
from vision._extract import observe_clip
from vision._mlp import MlpTraining
from vision._training import fit_classifier

__all__ = ["default_cache", "main"]


def default_cache() -> Path:
    """Scratch folder for cached observations (outside the repository)."""
    return Path(tempfile.gettempdir()) / "vision-cache"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vision.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, help="folder laid out like drone-footage/")
    parser.add_argument("--modality", choices=["visible", "thermal"], required=True)
    parser.add_argument("--out", type=Path, help="weights file (default: the committed one)")
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--seed", type=int, default=MlpTraining().seed)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    start = time.perf_counter()
    clips = list_clips(args.root, args.modality)
    observations = [observe_clip(c, args.cache) for c in clips]
    with threadpool_limits(limits=1):
        model = fit_classifier(clips, observations, MlpTraining(seed=args.seed))
    out = args.out or weights_path(args.modality)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    print(f"trained on {len(clips)} {args.modality} clips in "
          f"{time.perf_counter() - start:.0f} s -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
