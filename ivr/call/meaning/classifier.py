"""A small linear classifier of emergencies, trained on the line's own examples when its understanding is built.

The nearest examples (:mod:`ivr.call.meaning.sense`) judge a caller's words by a few sentences each; a caller
in danger says it in more ways than the examples hold. Logistic regression over the same vectors learns which
directions of the model's space the emergency examples share, against every other example of the line (its
places, the commands, out of scope, the mild things), weighted so that the two sides count alike. Trained by
plain gradient descent from zero, so the same examples always give the same classifier.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Passes of gradient descent, its step and the L2 penalty: set on the tune half of tests/understanding_corpus.
_PASSES = 300
_STEP = 5.0
_PENALTY = 1e-3
#: Classifiers kept in this process, by their examples: each app of a line (a test makes many) trains once.
_KEPT = 16
_kept: dict[tuple[tuple[str, ...], bytes], Classifier | None] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Classifier:
    """The weights, the last one the bias."""

    weights: np.ndarray

    def probability(self, vector: np.ndarray) -> float:
        """How likely the words of ``vector`` tell of an emergency, by the line's examples."""
        return float(1.0 / (1.0 + np.exp(-(vector @ self.weights[:-1] + self.weights[-1]))))


def train_kept(texts: Sequence[str], vectors: np.ndarray, emergency: np.ndarray) -> Classifier | None:
    """:func:`train`, once in this process for the same examples (``texts``, whose ``vectors`` these are)."""
    key = (tuple(texts), emergency.tobytes())
    with _lock:
        if key not in _kept:
            if len(_kept) >= _KEPT:
                _kept.pop(next(iter(_kept)))
            _kept[key] = train(vectors, emergency)
        return _kept[key]


def train(vectors: np.ndarray, emergency: np.ndarray) -> Classifier | None:
    """The classifier of ``vectors`` (rows) as ``emergency`` (booleans) says; None without both kinds."""
    positives = int(emergency.sum())
    if positives == 0 or positives == len(emergency):
        return None
    rows = np.hstack([vectors, np.ones((len(vectors), 1), dtype=np.float32)]).astype(np.float64)
    target = emergency.astype(np.float64)
    weight = np.where(emergency, (len(emergency) - positives) / positives, 1.0)
    weight /= weight.mean()
    weights = np.zeros(rows.shape[1])
    for _ in range(_PASSES):
        predicted = 1.0 / (1.0 + np.exp(-(rows @ weights)))
        weights -= _STEP * (rows.T @ ((predicted - target) * weight) / len(rows) + _PENALTY * weights)
    return Classifier(weights.astype(np.float32))
