"""Exponentially weighted (moving) averages — 지수 가중 이동 평균 — as in the week-10 notes §3-§5.

The recursion of the notes (temperature example, §3)::

    v_0 = 0
    v_t = β·v_{t−1} + (1 − β)·θ_t              t = 1, 2, …, T

unrolled (§4) it is a weighted sum of the past with weights that shrink geometrically::

    v_t = (1 − β)·(θ_t + β·θ_{t−1} + β²·θ_{t−2} + … + β^{t−1}·θ_1)

The weights add up to ``1 − β^t`` (:func:`total_weight`), not 1; this is why the first ``v_t`` are
too small, and why dividing by ``1 − β^t`` — bias correction (편향 보정, §5) — fixes it::

    v̂_t = v_t / (1 − β^t)

The same recursion is the first and second moment of momentum, RMSProp and Adam
(:mod:`lib.optimizers`) and the moving mean of batch normalization.

"How many days does v_t average?"  The notes answer ``1/(1 − β)`` (:func:`effective_window`: 10 days
for β = 0.9, 50 for β = 0.98), because after that many steps a weight has fallen to
``β^{1/(1−β)} ≈ 1/e`` of the newest one (§4).  :func:`steps_to_decay` and :func:`half_life` give the
exact number of steps for any fraction.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lib.checks import check_bool, check_float, check_int, real_array

__all__ = ["ewma", "ewma_recursion", "ewma_weights", "effective_window", "total_weight", "steps_to_decay", "half_life"]


def ewma(values: Any, beta: float, bias_correction: bool = False) -> np.ndarray:
    """The sequence ``v_1 … v_T`` of ``v_t = β·v_{t−1} + (1 − β)·θ_t``, ``v_0 = 0`` (week-10 notes §3-§4).

    Parameters
    ----------
    values
        ``θ_1 … θ_T`` along axis 0: shape ``(T,)`` for a series, ``(T, ...)`` for a series of arrays
        (each entry averaged on its own).  Float dtypes are kept; integers become float64.
    beta
        The weight of the past, in ``[0, 1)``.  ``β = 0`` returns ``values`` unchanged.
    bias_correction
        If true, return ``v̂_t = v_t / (1 − β^t)`` (week-10 notes §5), the average with weights that
        add up to 1.

    Returns
    -------
    numpy.ndarray
        ``v`` with the shape of ``values``: ``v[t − 1]`` is ``v_t``.

    The loop is the notes' ``repeat { get next θ_t; v := β·v + (1 − β)·θ_t }``;
    ``tests/test_ewma.py`` checks it against ``scipy.signal.lfilter`` and the moving mean of
    ``keras.layers.BatchNormalization``.
    """
    b = check_float(beta, "beta", "[0, 1)")
    bias_correction = check_bool(bias_correction, "bias_correction")
    theta = real_array(values, "values")
    if theta.ndim == 0:
        raise ValueError("values must have at least one axis (the time axis, axis 0), got a scalar")
    if not np.all(np.isfinite(theta)):
        bad = np.argwhere(~np.isfinite(theta))[0]
        raise ValueError(f"values must be finite, got {theta[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    return ewma_recursion(theta, b, bias_correction)


def ewma_recursion(theta: np.ndarray, beta: float, bias_correction: bool = False) -> np.ndarray:
    """The kernel of :func:`ewma` (no checks): ``v_t = β·v_{t−1} + (1 − β)·θ_t`` along axis 0, from ``v_0 = 0``."""
    out = np.empty_like(theta)
    v = np.zeros(theta.shape[1:], dtype=theta.dtype)  # v_0 = 0
    for t in range(theta.shape[0]):
        v = beta * v + (1.0 - beta) * theta[t]  # v_t = β·v_{t−1} + (1 − β)·θ_t
        out[t] = v
    if bias_correction:
        t = np.arange(1, theta.shape[0] + 1, dtype=np.float64).reshape((-1,) + (1,) * (theta.ndim - 1))
        out /= (1.0 - beta**t).astype(theta.dtype)  # v̂_t = v_t / (1 − β^t)
    return out


def ewma_weights(beta: float, n: int) -> np.ndarray:
    """The weights ``(1 − β)·β^k``, ``k = 0 … n−1``, of ``θ_t, θ_{t−1}, …, θ_{t−n+1}`` in ``v_t``.

    Week-10 notes §4.

    ``weights[0]`` belongs to the newest value; for β = 0.9 they are 0.1, 0.09, 0.081, … — the
    notes' ``0.1·θ_100 + 0.1·0.9·θ_99 + 0.1·0.9²·θ_98 + …``.
    """
    b = check_float(beta, "beta", "[0, 1)")
    n = check_int(n, "n", "[0, inf)")
    return (1.0 - b) * b ** np.arange(n, dtype=np.float64)


def total_weight(beta: float, t: int) -> float:
    """``1 − β^t``: the sum of the ``t`` weights in ``v_t``, the divisor of bias correction (week-10 notes §5)."""
    b = check_float(beta, "beta", "[0, 1)")
    t = check_int(t, "t", "[0, inf)")
    return 1.0 - b**t


def effective_window(beta: float) -> float:
    """``1/(1 − β)``: the notes' "number of days averaged" (week-10 §3: β = 0.9 → 10, 0.98 → 50, 0.5 → 2)."""
    return 1.0 / (1.0 - check_float(beta, "beta", "[0, 1)"))


def steps_to_decay(beta: float, fraction: float) -> float:
    """The number of steps ``k`` after which a weight is ``fraction`` of the newest: ``β^k = fraction``.

    ``k = ln(fraction)/ln(β)``.  With ``fraction = 1/e`` it is close to :func:`effective_window`
    (``ln(1/e)/ln β = −1/ln β ≈ 1/(1 − β)`` for β near 1), the notes' ``(1 − ε)^{1/ε} ≈ 1/e``.
    """
    b = check_float(beta, "beta", "[0, 1)")
    f = check_float(fraction, "fraction", "(0, 1)")
    if b == 0.0:
        return 0.0  # β = 0 keeps only the newest value: every older weight is already 0
    return math.log(f) / math.log(b)


def half_life(beta: float) -> float:
    """Steps until a weight has halved: ``ln ½ / ln β`` (6.58 for β = 0.9, 34.3 for β = 0.98)."""
    return steps_to_decay(beta, 0.5)
