"""Boosted trees walked in NumPy: the same probabilities as scikit-learn, reproducible from
the seed, a weights file that round-trips (with the MLP) and refuses broken arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vision._classifier import CLASSES, LearnedClassifier
from vision._features import N_FEATURES
from vision._mlp import MlpTraining, train_ensemble
from vision._training import TreeTraining, fit_trees
from vision._trees import TreeForest

sklearn_ensemble = pytest.importorskip("sklearn.ensemble", reason="the test extra installs scikit-learn")

QUICK = TreeTraining(rounds=15)


def _toy(n: int = 3000, d: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = ((x[:, 0] > 0).astype(np.int64) + 2 * (x[:, 1] > 0.6) + (x[:, 2] > 1.2)).clip(0, 4)
    return x, y


def _sklearn(x: np.ndarray, y: np.ndarray, t: TreeTraining):  # type: ignore[no-untyped-def]
    return sklearn_ensemble.HistGradientBoostingClassifier(
        max_iter=t.rounds, learning_rate=t.learning_rate, max_leaf_nodes=t.leaves,
        l2_regularization=t.l2, early_stopping=True, class_weight="balanced",
        random_state=t.seed).fit(x, y)


X, Y = _toy()
FOREST = fit_trees(X, Y, QUICK)
REFERENCE = _sklearn(X, Y, QUICK)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float32, (7, 6), elements=st.floats(-4, 4, width=32) | st.just(float("nan"))))
def test_the_numpy_walk_gives_scikit_learns_probabilities(rows: np.ndarray) -> None:
    ours = FOREST.predict_proba(rows)
    assert ours.shape == (7, 5)
    assert np.allclose(ours.sum(axis=1), 1.0)
    assert np.allclose(ours, REFERENCE.predict_proba(rows), atol=1e-6)


def test_trees_learn_the_toy_problem_and_are_reproducible() -> None:
    again = fit_trees(X, Y, QUICK)
    assert all(np.array_equal(a, b) for a, b in zip(FOREST.arrays().values(), again.arrays().values()))
    assert (FOREST.predict_proba(X).argmax(axis=1) == Y).mean() > 0.9
    assert FOREST.depth >= 1 and len(FOREST.roots) == len(REFERENCE._predictors) * 5


def test_a_weights_file_holds_both_models_and_an_mlp_only_file_still_loads(tmp_path: Path) -> None:
    x, y = _toy(1500, N_FEATURES, seed=1)
    mlp = train_ensemble(x, y, len(CLASSES), MlpTraining(hidden=(8,), epochs=3, members=2))
    both = LearnedClassifier(mlp, fit_trees(x, y, QUICK))
    both.save(tmp_path / "both.npz")
    loaded = LearnedClassifier.load(tmp_path / "both.npz")
    assert loaded.trees is not None
    assert np.array_equal(loaded.predict_proba(x[:50]), both.predict_proba(x[:50]))
    expected = (mlp.predict_proba(x[:50]) + both.trees.predict_proba(x[:50])) / 2  # type: ignore[union-attr]
    assert np.allclose(both.predict_proba(x[:50]), expected)
    mlp.save(tmp_path / "mlp.npz")
    only = LearnedClassifier.load(tmp_path / "mlp.npz")
    assert only.trees is None
    assert np.array_equal(only.predict_proba(x[:50]), mlp.predict_proba(x[:50]))


@pytest.mark.parametrize("broken", ["left", "feature", "tree_class", "short"])
def test_a_corrupt_forest_is_refused(broken: str) -> None:
    arrays = dict(FOREST.arrays())
    if broken == "short":
        arrays["threshold"] = arrays["threshold"][:-1]
    else:
        arrays[broken] = arrays[broken].copy()
        arrays[broken][0] = 10**6
    with pytest.raises(ValueError, match="tree"):
        TreeForest.from_arrays(arrays)


def test_trees_for_other_features_are_refused_by_the_classifier() -> None:
    mlp = train_ensemble(*_toy(300, N_FEATURES), len(CLASSES), MlpTraining(hidden=(4,), epochs=1, members=1))
    with pytest.raises(ValueError, match="trees expect 6 features"):
        LearnedClassifier(mlp, FOREST)
