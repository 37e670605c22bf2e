"""Gradient-boosted decision trees, evaluated in NumPy.

``vision.train`` fits scikit-learn's histogram gradient boosting (a training-time dependency
only) and flattens its trees into a few arrays; this module walks them. All trees of the
forest are walked at once, one level per step, for every row of a frame's observations, so
a frame costs about as many NumPy calls as the deepest tree has levels. Each tree adds to the
raw score of one class; a softmax over the classes gives the probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["TreeForest"]

_ARRAYS = ("feature", "threshold", "left", "right", "value", "missing_left", "roots",
           "tree_class", "baseline")


@dataclass(frozen=True, slots=True)
class TreeForest:
    """Every tree's nodes in flat arrays; a leaf points to itself on both sides."""

    feature: np.ndarray
    """Input column a split node reads (0 for leaves)."""
    threshold: np.ndarray
    """A row goes left when its value is at most this."""
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    """A leaf's contribution to its tree's class score (0 for split nodes)."""
    missing_left: np.ndarray
    """Where a NaN input goes."""
    roots: np.ndarray
    """Index of each tree's root node."""
    tree_class: np.ndarray
    """The class each tree scores."""
    baseline: np.ndarray
    """Raw score of every class before any tree."""
    depth: int
    """Levels of the deepest tree."""
    n_inputs: int
    _children: np.ndarray = field(init=False, repr=False, compare=False)
    """Child of node i: ``[2 i]`` right, ``[2 i + 1]`` left (indexed by the comparison)."""
    _one_hot: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check()
        object.__setattr__(self, "_children", np.stack([self.right, self.left], axis=1).ravel())
        object.__setattr__(self, "_one_hot", np.eye(len(self.baseline))[self.tree_class])

    @property
    def n_classes(self) -> int:
        return int(self.baseline.shape[0])

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (n, n_classes)."""
        x = np.asarray(x, dtype=np.float32).reshape(-1, self.n_inputs)
        missing = bool(np.isnan(x).any())
        flat = x.ravel()
        row_start = (np.arange(len(x), dtype=np.int64) * self.n_inputs)[:, None]
        node = np.broadcast_to(self.roots.astype(np.int64), (len(x), len(self.roots)))
        for _ in range(self.depth):
            values = flat.take(row_start + self.feature.take(node))
            go_left = values <= self.threshold.take(node)
            if missing:
                go_left = np.where(np.isnan(values), self.missing_left.take(node), go_left)
            node = self._children.take(node * 2 + go_left)
        raw = self.baseline + self.value.take(node) @ self._one_hot
        raw -= raw.max(axis=1, keepdims=True)
        e = np.exp(raw)
        return e / e.sum(axis=1, keepdims=True)

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """The forest as named arrays (names start with ``prefix``)."""
        out = {f"{prefix}{name}": getattr(self, name) for name in _ARRAYS}
        out[f"{prefix}shape"] = np.asarray([self.depth, self.n_inputs])
        return out

    @classmethod
    def from_arrays(cls, data: np.lib.npyio.NpzFile | dict[str, np.ndarray],
                    prefix: str = "") -> TreeForest:
        """Inverse of :meth:`arrays`; refuses arrays that do not form a forest (ValueError)."""
        parts = {name: np.asarray(data[f"{prefix}{name}"]) for name in _ARRAYS}
        depth, n_inputs = (int(v) for v in np.asarray(data[f"{prefix}shape"]))
        return cls(**parts, depth=depth, n_inputs=n_inputs)

    def _check(self) -> None:
        n = len(self.feature)
        sizes = {len(a) for a in (self.threshold, self.left, self.right, self.value,
                                  self.missing_left)}
        if sizes != {n} or len(self.roots) != len(self.tree_class):
            raise ValueError("tree arrays disagree in length")
        for name, idx, bound in (("left", self.left, n), ("right", self.right, n),
                                 ("roots", self.roots, n), ("feature", self.feature, self.n_inputs),
                                 ("tree_class", self.tree_class, self.n_classes)):
            if len(idx) and (idx.min() < 0 or idx.max() >= bound):
                raise ValueError(f"tree {name} index out of range")
