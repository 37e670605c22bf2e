"""A small multi-layer perceptron in NumPy: training (fixed seed) and CPU inference.

Inputs are standardised with the training set's mean and spread; two ReLU hidden layers;
softmax output. Trained with mini-batch Adam, class-balanced loss and weight decay. Several
members trained from different seeds are averaged (:class:`MlpEnsemble`): one network's
verdict on a recording session it has not seen swings with its initialisation, the average
much less. Saved as one ``.npz`` file of a few hundred kilobytes; loading needs nothing but
NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

__all__ = ["Mlp", "MlpEnsemble", "MlpTraining", "finite", "train_ensemble", "train_mlp"]


def finite(features: np.ndarray) -> np.ndarray:
    """Features as float32 with NaN and infinities set to 0: what every model trains and runs on."""
    return np.nan_to_num(np.asarray(features, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True, slots=True)
class MlpTraining:
    """Training settings (the defaults are the ones the committed weights were made with)."""

    hidden: tuple[int, ...] = (64, 32)
    epochs: int = 20
    batch: int = 512
    learning_rate: float = 3e-3
    weight_decay: float = 1e-4
    seed: int = 7
    members: int = 5
    """Networks in the ensemble; member k is trained with seed ``seed + k``."""


class Mlp:
    """Feed-forward classifier; ``predict_proba`` returns one row of class shares per sample."""

    def __init__(self, mean: np.ndarray, scale: np.ndarray,
                 layers: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.mean = mean.astype(np.float32)
        self.scale = scale.astype(np.float32)
        self.layers = [(w.astype(np.float32), b.astype(np.float32)) for w, b in layers]

    @property
    def n_inputs(self) -> int:
        return int(self.mean.shape[0])

    @property
    def n_classes(self) -> int:
        return int(self.layers[-1][1].shape[0])

    def _forward(self, x: np.ndarray) -> list[np.ndarray]:
        acts = [(x - self.mean) / self.scale]
        for i, (w, b) in enumerate(self.layers):
            z = acts[-1] @ w + b
            acts.append(np.maximum(z, 0.0) if i < len(self.layers) - 1 else z)
        return acts

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (n, n_classes)."""
        x = np.asarray(x, dtype=np.float32).reshape(-1, self.n_inputs)
        logits = self._forward(finite(x))[-1]
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """The parameters as named arrays (names start with ``prefix``)."""
        out = {f"{prefix}mean": self.mean, f"{prefix}scale": self.scale}
        for i, (w, b) in enumerate(self.layers):
            out[f"{prefix}w{i}"], out[f"{prefix}b{i}"] = w, b
        return out

    @classmethod
    def from_arrays(cls, data: np.lib.npyio.NpzFile, prefix: str = "") -> Mlp:
        """Inverse of :meth:`arrays`."""
        n = sum(1 for k in data.files if k.startswith(f"{prefix}w"))
        layers = [(data[f"{prefix}w{i}"], data[f"{prefix}b{i}"]) for i in range(n)]
        return cls(data[f"{prefix}mean"], data[f"{prefix}scale"], layers)


class MlpEnsemble:
    """The average of several :class:`Mlp` with the same inputs and classes."""

    def __init__(self, members: list[Mlp]) -> None:
        if not members:
            raise ValueError("an ensemble needs at least one member")
        shapes = {(m.n_inputs, m.n_classes) for m in members}
        if len(shapes) != 1:
            raise ValueError(f"ensemble members disagree on inputs/classes: {sorted(shapes)}")
        self.members = members

    @property
    def n_inputs(self) -> int:
        return self.members[0].n_inputs

    @property
    def n_classes(self) -> int:
        return self.members[0].n_classes

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Mean of the members' class probabilities, shape (n, n_classes)."""
        return np.mean([m.predict_proba(x) for m in self.members], axis=0)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every member's parameters as named arrays."""
        arrays: dict[str, np.ndarray] = {"members": np.asarray(len(self.members))}
        for k, member in enumerate(self.members):
            arrays.update(member.arrays(f"m{k}_"))
        return arrays

    def save(self, path: Path) -> None:
        # numpy's stubs type the named arrays as its allow_pickle flag
        np.savez_compressed(path, **self.arrays())  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> MlpEnsemble:
        """Read a file written by :meth:`save` (a file of one bare :class:`Mlp` also loads)."""
        with np.load(path) as data:
            return cls.from_arrays(data)

    @classmethod
    def from_arrays(cls, data: np.lib.npyio.NpzFile) -> MlpEnsemble:
        """Inverse of :meth:`arrays` (named arrays of one bare :class:`Mlp` also do)."""
        if "members" not in data.files:
            return cls([Mlp.from_arrays(data)])
        return cls([Mlp.from_arrays(data, f"m{k}_") for k in range(int(data["members"]))])


def train_ensemble(x: np.ndarray, y: np.ndarray, n_classes: int,
                   settings: MlpTraining = MlpTraining()) -> MlpEnsemble:
    """``settings.members`` networks, member k trained by :func:`train_mlp` with seed+k."""
    return MlpEnsemble([train_mlp(x, y, n_classes, replace(settings, seed=settings.seed + k))
                        for k in range(settings.members)])


def train_mlp(x: np.ndarray, y: np.ndarray, n_classes: int,
              settings: MlpTraining = MlpTraining()) -> Mlp:
    """Fit an :class:`Mlp` to features ``x`` (n, d) and integer labels ``y`` (n,)."""
    rng = np.random.default_rng(settings.seed)
    x = finite(x)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-3
    sizes = [x.shape[1], *settings.hidden, n_classes]
    layers = [(rng.normal(0.0, np.sqrt(2.0 / a), size=(a, b)).astype(np.float32),
               np.zeros(b, dtype=np.float32)) for a, b in zip(sizes[:-1], sizes[1:])]
    model = Mlp(mean, scale, layers)
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    class_weight = (len(y) / (n_classes * np.maximum(counts, 1.0))).astype(np.float32)
    moments = [[np.zeros_like(p) for p in (w, b)] for w, b in model.layers]
    squares = [[np.zeros_like(p) for p in (w, b)] for w, b in model.layers]
    step = 0
    for _epoch in range(settings.epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), settings.batch):
            idx = order[start:start + settings.batch]
            grads = _gradients(model, x[idx], y[idx], class_weight[y[idx]])
            step += 1
            for li, (w, b) in enumerate(model.layers):
                for pi, (param, grad) in enumerate(((w, grads[li][0]), (b, grads[li][1]))):
                    if pi == 0:
                        grad = grad + settings.weight_decay * param
                    m, v = moments[li][pi], squares[li][pi]
                    m *= 0.9
                    m += 0.1 * grad
                    v *= 0.999
                    v += 0.001 * grad * grad
                    m_hat = m / (1 - 0.9 ** step)
                    v_hat = v / (1 - 0.999 ** step)
                    param -= settings.learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8)
    return model


def _gradients(model: Mlp, x: np.ndarray, y: np.ndarray,
               weight: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    acts = model._forward(x)
    logits = acts[-1] - acts[-1].max(axis=1, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(axis=1, keepdims=True)
    delta = prob
    delta[np.arange(len(y)), y] -= 1.0
    delta *= (weight / weight.sum())[:, None]
    grads: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(len(model.layers) - 1, -1, -1):
        w, _b = model.layers[i]
        grads.append((acts[i].T @ delta, delta.sum(axis=0)))
        if i > 0:
            delta = (delta @ w.T) * (acts[i] > 0)
    return grads[::-1]
