"""The NumPy MLP ensemble: learns a separable toy problem, is reproducible from its seed,
round-trips through its weights file, and refuses members that do not fit together."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision._mlp import Mlp, MlpEnsemble, MlpTraining, train_ensemble

SETTINGS = MlpTraining(hidden=(8,), epochs=30, batch=64, members=3)


def _toy(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(600, 4)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64) + 2 * (x[:, 2] > 1.0)
    return x, y


def test_ensemble_learns_a_separable_problem_and_is_seed_reproducible() -> None:
    x, y = _toy()
    a = train_ensemble(x, y, 4, SETTINGS)
    b = train_ensemble(x, y, 4, SETTINGS)
    assert len(a.members) == 3
    assert np.array_equal(a.predict_proba(x), b.predict_proba(x))
    assert (a.predict_proba(x).argmax(axis=1) == y).mean() > 0.85
    assert np.allclose(a.predict_proba(x),
                       np.mean([m.predict_proba(x) for m in a.members], axis=0))


def test_weights_file_round_trips(tmp_path: Path) -> None:
    x, y = _toy()
    model = train_ensemble(x, y, 4, SETTINGS)
    path = tmp_path / "w.npz"
    model.save(path)
    loaded = MlpEnsemble.load(path)
    assert np.array_equal(loaded.predict_proba(x), model.predict_proba(x))


def test_a_file_of_one_bare_network_loads_as_a_one_member_ensemble(tmp_path: Path) -> None:
    x, y = _toy()
    single = train_ensemble(x, y, 4, MlpTraining(hidden=(8,), epochs=5, members=1)).members[0]
    path = tmp_path / "single.npz"
    np.savez_compressed(path, **single.arrays())
    loaded = MlpEnsemble.load(path)
    assert len(loaded.members) == 1
    assert np.array_equal(loaded.predict_proba(x), single.predict_proba(x))


def test_members_must_agree_on_inputs_and_classes() -> None:
    def net(n_in: int, n_out: int) -> Mlp:
        return Mlp(np.zeros(n_in), np.ones(n_in), [(np.zeros((n_in, n_out)), np.zeros(n_out))])

    with pytest.raises(ValueError, match="disagree"):
        MlpEnsemble([net(4, 3), net(5, 3)])
    with pytest.raises(ValueError, match="at least one"):
        MlpEnsemble([])
