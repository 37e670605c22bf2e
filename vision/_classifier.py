"""Classifiers of track observations: the learned models and a hand-made rule baseline.

The learned classifier averages an MLP ensemble and a forest of boosted trees (both walked in
NumPy). Both map feature vectors (see ``_features``) to probabilities over ``CLASSES``: background
clutter, drone, bird, airplane, helicopter. The learned weights for each modality are
committed under ``vision/weights/`` and made by ``python -m vision.train``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from vision._features import FEATURE_NAMES, N_FEATURES
from vision._mlp import MlpEnsemble, finite
from vision._trees import TreeForest
from vision._types import TargetClass

__all__ = ["CLASSES", "CLUTTER", "Classifier", "LearnedClassifier", "RulesClassifier",
           "default_classifier", "weights_path"]

CLUTTER = None
CLASSES: tuple[TargetClass | None, ...] = (CLUTTER, TargetClass.DRONE, TargetClass.BIRD,
                                           TargetClass.AIRPLANE, TargetClass.HELICOPTER)
"""Class order of every probability row; ``None`` is background clutter."""
DRONE_INDEX = 1
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
MODALITIES = ("visible", "thermal")


class Classifier(Protocol):
    """Anything that turns (n, N_FEATURES) features into (n, len(CLASSES)) probabilities."""

    def predict_proba(self, features: np.ndarray) -> np.ndarray: ...


def weights_path(modality: str) -> Path:
    """Where the committed weights of ``modality`` live."""
    if modality not in MODALITIES:
        raise ValueError(f"modality must be one of {MODALITIES}, got {modality!r}")
    return WEIGHTS_DIR / f"{modality}.npz"


_TREES_PREFIX = "trees_"


class LearnedClassifier:
    """The trained models of one modality: the MLP ensemble and, when given, the trees; their
    probabilities are averaged with equal weight."""

    def __init__(self, model: MlpEnsemble, trees: TreeForest | None = None) -> None:
        for name, m in (("weights", model), ("trees", trees)):
            if m is not None and (m.n_inputs != N_FEATURES or m.n_classes != len(CLASSES)):
                raise ValueError(f"{name} expect {m.n_inputs} features and {m.n_classes} "
                                 f"classes; the pipeline has {N_FEATURES} and {len(CLASSES)}")
        self.model = model
        self.trees = trees

    @classmethod
    def load(cls, path: Path) -> LearnedClassifier:
        """Read a file written by :meth:`save` (an MLP-only file also loads)."""
        with np.load(path) as data:
            has_trees = f"{_TREES_PREFIX}roots" in data.files
            trees = TreeForest.from_arrays(data, _TREES_PREFIX) if has_trees else None
            return cls(MlpEnsemble.from_arrays(data), trees)

    def save(self, path: Path) -> None:
        """One ``.npz`` file with the MLP members and the trees."""
        arrays = self.model.arrays()
        if self.trees is not None:
            arrays.update(self.trees.arrays(_TREES_PREFIX))
        # numpy's stubs type the named arrays as its allow_pickle flag
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        mlp = self.model.predict_proba(features)
        if self.trees is None:
            return mlp
        return (mlp + self.trees.predict_proba(finite(features))) / 2.0


_IDX = {name: i for i, name in enumerate(FEATURE_NAMES)}


class RulesClassifier:
    """Hand-made baseline: a drone is a compact target that keeps moving on its own,
    unsteadily (hovering and turning), without a bird's flicker or an aircraft's straight
    steady path. Only drone versus other is decided; the other classes share the rest."""

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        f = np.asarray(features, dtype=np.float32).reshape(-1, N_FEATURES)
        size = np.exp(np.maximum(f[:, _IDX["log_w"]], f[:, _IDX["log_h"]]))
        compact = (size >= 6) & (size <= 90)
        moving = f[:, _IDX["moving_share"]] >= 0.3
        steady_flicker = f[:, _IDX["blob_var"]] <= 0.45
        airliner_like = (f[:, _IDX["straightness"]] > 0.9) & (f[:, _IDX["speed_rel"]] < 0.05)
        contrast = np.abs(f[:, _IDX["contrast"]]) >= 0.8
        score = (compact & moving & steady_flicker & ~airliner_like & contrast).astype(np.float32)
        drone = 0.1 + 0.8 * score
        out = np.empty((len(f), len(CLASSES)), dtype=np.float32)
        out[:, DRONE_INDEX] = drone
        rest = (1.0 - drone) / (len(CLASSES) - 1)
        for i in range(len(CLASSES)):
            if i != DRONE_INDEX:
                out[:, i] = rest
        return out


def default_classifier(modality: str) -> Classifier:
    """The committed learned classifier of ``modality``, or the rules when none is committed."""
    path = weights_path(modality)
    return LearnedClassifier.load(path) if path.is_file() else RulesClassifier()
