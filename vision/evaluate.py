"""Evaluate the drone-detection stage on a labelled footage folder.

    python -m vision.evaluate ../shared/data/drone-footage --modality visible --json out.json

runs the live pipeline (committed weights, one thread) over every labelled clip and prints
frame-level drone precision/recall/F1 (overall and per distance bin), the share of drone
clips alarmed (and within 1 s), false alarms on bird/airplane/helicopter clips and fps.
``--folds K`` instead scores grouped K-fold cross-validation by clip: the classifier is
retrained on the other folds' clips and replayed on the held-out ones, which is the honest
estimate for clips the stage has not seen. ``--rules`` uses the hand-made baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
from threadpoolctl import threadpool_limits

from vision._classifier import Classifier, RulesClassifier
from vision._dataset import Clip, list_clips
from vision._extract import observe_clip
from vision._outcome import replay_clip, run_clip
from vision._scoring import ClipScore, format_report, score_clip, summarise
from vision._training import fit_classifier
from vision.train import default_cache

__all__ = ["cross_validate", "evaluate_live", "fold_of", "main"]


def fold_of(clips: Sequence[Clip], folds: int) -> list[int]:
    """Fold number per clip: each class's clips, in name order, cut into ``folds`` contiguous
    blocks. Neighbouring clip numbers often come from one recording session; keeping them in
    one fold makes the held-out clips as unlike the training ones as this folder allows."""
    by_class: dict[str, list[int]] = {}
    for i, clip in enumerate(clips):
        by_class.setdefault(clip.labels.target.value, []).append(i)
    out = [0] * len(clips)
    for members in by_class.values():
        for rank, i in enumerate(members):
            out[i] = rank * folds // len(members)
    return out


def evaluate_live(clips: Sequence[Clip], modality: str,
                  classifier: Classifier | None) -> list[ClipScore]:
    """Score the live pipeline on every clip."""
    return [score_clip(c, run_clip(c, classifier, modality)) for c in clips]


def cross_validate(clips: Sequence[Clip], folds: int, cache: Path,
                   rules: bool = False) -> list[ClipScore]:
    """Grouped K-fold by clip: train on K-1 folds, score the held-out clips."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    observations = [observe_clip(c, cache) for c in clips]
    assignment = fold_of(clips, folds)
    scores: dict[int, ClipScore] = {}
    for k in range(folds):
        train = [i for i, f in enumerate(assignment) if f != k]
        test = [i for i, f in enumerate(assignment) if f == k]
        model: Classifier = (RulesClassifier() if rules else
                             fit_classifier([clips[i] for i in train],
                                            [observations[i] for i in train]))
        for i in test:
            scores[i] = score_clip(clips[i], replay_clip(observations[i], model))
    return [scores[i] for i in range(len(clips))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vision.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path, help="folder laid out like drone-footage/")
    parser.add_argument("--modality", choices=["visible", "thermal", "both"], default="both")
    parser.add_argument("--json", type=Path, help="write the full results here")
    parser.add_argument("--folds", type=int, default=0,
                        help="grouped K-fold cross-validation by clip instead of the live run")
    parser.add_argument("--rules", action="store_true", help="use the hand-made baseline")
    parser.add_argument("--subset", type=int, default=1, help="use every N-th clip only")
    parser.add_argument("--cache", type=Path, default=default_cache(),
                        help="scratch folder of cached observations (cross-validation)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    with threadpool_limits(limits=1):  # one core, and training as vision.train does it
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    modalities = ["visible", "thermal"] if args.modality == "both" else [args.modality]
    results: dict[str, Any] = {}
    for modality in modalities:
        clips = list_clips(args.root, modality)[::args.subset]
        if not clips:
            print(f"no labelled {modality} clips under {args.root}", file=sys.stderr)
            continue
        what = "rules" if args.rules else "learned"
        if args.folds:
            scores = cross_validate(clips, args.folds, args.cache, args.rules)
            title = f"{modality}: {args.folds}-fold cross-validation by clip ({what})"
        else:
            scores = evaluate_live(clips, modality, RulesClassifier() if args.rules else None)
            title = f"{modality}: live pipeline, shipped {what} classifier"
        summary = summarise(scores)
        summary["mode"] = title
        results[modality] = summary
        print(format_report(title, summary))
        print()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
