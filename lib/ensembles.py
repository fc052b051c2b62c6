"""Ensembles: bootstrap samples (bagging) and the two ways of combining trained predictors.

Mirrors the university lecture "5. 딥러닝 최적화", §5.4.5 앙상블 기법: train different predictors
(different architectures, or one architecture from different initial values and hyperparameters, or
**bagging** — bootstrap aggregating, each predictor on a resample of the training set), then combine
them by **model averaging** — the mean of their outputs — or by **voting**::

    bootstrap:  S_k = N indices drawn uniformly with replacement from {0, …, N−1},  k = 1 … K
    averaging:  p̄(x) = (1/K) Σ_k p_k(x),           ŷ = argmax_c p̄_c(x)
    voting:     ŷ = argmax_c #{k : argmax p_k(x) = c}    (ties: the smallest class, as scikit-learn)

``probas`` are stacked as ``(K, m, c)``: predictor k's class probabilities for m samples.
"""

from __future__ import annotations

import numpy as np

from lib import checks

__all__ = ["bootstrap_indices", "average", "vote", "accuracy_by_size"]


def bootstrap_indices(n_samples: int, n_estimators: int, *, seed=None) -> np.ndarray:
    """``(n_estimators, n_samples)`` indices, each row drawn uniformly with replacement (bagging)."""
    n_samples = checks.check_int(n_samples, "n_samples", "[1, inf)")
    n_estimators = checks.check_int(n_estimators, "n_estimators", "[1, inf)")
    rng = checks.as_generator(seed)
    return rng.integers(0, n_samples, size=(n_estimators, n_samples))


def _probas(probas) -> np.ndarray:
    p = checks.float_array(probas, "probas")
    if p.ndim != 3 or p.shape[0] < 1 or p.shape[2] < 2:
        raise ValueError(f"probas must have shape (K predictors, m samples, c >= 2 classes), got shape {p.shape}")
    return p


def average(probas) -> np.ndarray:
    """Model averaging: the mean class probabilities ``(1/K) Σ_k p_k``, shape ``(m, c)``."""
    return _probas(probas).mean(axis=0)


def vote(probas) -> np.ndarray:
    """Majority (hard) voting: each predictor votes for its most probable class; the class with
    the most votes wins, ties go to the smallest class (scikit-learn's ``VotingClassifier``)."""
    p = _probas(probas)
    K, m, c = p.shape
    labels = p.argmax(axis=2)                                       # (K, m): each predictor's vote
    counts = np.zeros((m, c), dtype=np.int64)
    np.add.at(counts, (np.broadcast_to(np.arange(m), (K, m)), labels), 1)
    return counts.argmax(axis=1)


def accuracy_by_size(probas, y, *, method: str = "average") -> np.ndarray:
    """Accuracy of the ensembles of the first 1, 2, …, K predictors (``method``: ``"average"`` or ``"vote"``)."""
    p = _probas(probas)
    method = checks.check_choice(method, "method", ("average", "vote"))
    y = checks.check_labels(y, p.shape[2], p.shape[1])
    combine = (lambda q: average(q).argmax(axis=1)) if method == "average" else vote
    return np.array([np.mean(combine(p[:k]) == y) for k in range(1, len(p) + 1)])
