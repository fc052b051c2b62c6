"""Objective (loss) functions and their gradients: MSE, cross-entropy, softmax and log-likelihood.

Mirrors the university lecture "5. Deep-learning optimization", §5.1 (목적함수: 교차 엔트로피와
로그우도):

* (5.1)  mean squared error        ``e = ½‖y − o‖²``                         -> :func:`mse`
* (5.4)  binary cross-entropy      ``e = −(y log o + (1 − y) log(1 − o))``    -> :func:`binary_cross_entropy`
* (5.6)  the same, summed over the ``c`` output nodes                      -> :func:`binary_cross_entropy`
* (5.7)  softmax                   ``o_j = exp(s_j) / Σ_i exp(s_i)``          -> :func:`softmax`
* (5.8)  log-likelihood            ``e = −log o_y``                           -> :func:`cross_entropy`
* softmax + log-likelihood on the logits ``s`` (the CS231n slide in §5.1.3)   -> :func:`softmax_cross_entropy`

Conventions (the same in every function):

* Samples are rows: ``o``, ``y`` and the logits ``s`` have shape ``(m, c)`` (``m`` samples, ``c``
  output nodes); the binary losses also accept shape ``(m,)`` (one output node).  The per-sample
  error ``e`` sums over the output nodes, as in the lecture; the returned loss is the mean of ``e``
  over the ``m`` samples (``reduction="mean"``), their sum (``"sum"``) or the vector of per-sample
  errors (``"none"``).  Every ``*_grad`` function returns the gradient of *that* returned loss
  (for ``"none"``: row ``i`` is the gradient of sample ``i``'s own error).
* ``base`` is the base of the logarithm: ``math.e`` (nats, the default and what Keras computes) or
  ``2`` (bits, what the lecture's worked examples (5.4)-(5.8) print).  A loss in base ``b`` is the
  natural-log loss divided by ``ln b``; so is its gradient.
* dtype in = dtype out: float32 arrays give float32 results, float64 give float64; integer input is
  promoted to float64.  Scalars are returned as NumPy scalars of that dtype.
* ``0 · log 0 = 0`` (the convention the lecture uses in its "손쉬운 예"), so a confident *correct*
  prediction costs exactly 0 and a confident *wrong* one costs ``inf`` — never a silent NaN.

How these relate to ``tf.keras.losses`` (all checked in ``tests/test_losses.py``):

* ``MeanSquaredError`` averages ``(y − o)²`` over the ``c`` outputs and has no ½:
  ``keras_mse = mse(o, y) * 2 / c``.
* ``BinaryCrossentropy`` averages over the ``c`` outputs and clips ``o`` to ``[ε, 1 − ε]``
  (``ε = 1e-7``): ``keras_bce = binary_cross_entropy(np.clip(o, ε, 1 − ε), y) / c``.
* ``CategoricalCrossentropy`` / ``SparseCategoricalCrossentropy`` (probabilities in) first
  renormalise the rows and clip to ``[ε, 1 − ε]``: ``cross_entropy(np.clip(o, ε, 1 − ε), y)``.
  With ``from_logits=True`` there is no clipping: ``softmax_cross_entropy(s, y)[0]`` equals it to
  rounding.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy.special import xlogy

from lib.checks import check_choice, check_finite, check_labels, float_array, real_array

__all__ = [
    "sigmoid",
    "softmax",
    "log_softmax",
    "one_hot",
    "mse",
    "mse_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "sigmoid_cross_entropy",
    "cross_entropy",
    "cross_entropy_grad",
    "softmax_cross_entropy",
]

Reduction = Literal["mean", "sum", "none"]
_REDUCTIONS = ("mean", "sum", "none")


# ----------------------------------------------------------------------------------------------
# input checking
# ----------------------------------------------------------------------------------------------
def _check_base(base) -> float:
    if isinstance(base, bool) or not isinstance(base, (int, float, np.integer, np.floating)):
        raise TypeError(f"base must be a real number > 0 and != 1 (e.g. math.e or 2), got {base!r}")
    b = float(base)
    if not (math.isfinite(b) and b > 0 and b != 1):
        raise ValueError(f"base must be a finite number > 0 and != 1 (e.g. math.e or 2), got {base!r}")
    return b


def _targets(y, shape: tuple[int, ...], dtype, name: str = "y") -> np.ndarray:
    """Target distributions ``(m, c)``: integer labels are one-hot encoded, 2-D targets checked."""
    m, c = shape
    a = np.asarray(y)
    if a.ndim == 2:
        if a.shape != shape:
            raise ValueError(f"{name} given as target distributions must have shape {shape}, got {a.shape}")
        t = float_array(a, name).astype(dtype, copy=False)
        if np.any(t < 0) or np.any(t > 1):
            raise ValueError(f"{name} given as target distributions must lie in [0, 1], got {t[(t < 0) | (t > 1)][0]}")
        return t
    return one_hot(check_labels(a, c, m, name), c, dtype=dtype)


def _reduce(e: np.ndarray, reduction: str):
    if reduction == "none":
        return e
    total = e.sum() if reduction == "sum" else e.mean()
    return e.dtype.type(total)


def _grad_scale(m: int, reduction: str) -> float:
    return 1.0 / m if reduction == "mean" else 1.0


def _pair(o, y, name_o: str = "o"):
    """``o`` as float probabilities/outputs and ``y`` cast to its dtype, same shape, 1-D or 2-D."""
    o = float_array(o, name_o)
    y = float_array(y, "y").astype(o.dtype, copy=False)
    if o.ndim not in (1, 2):
        raise ValueError(f"{name_o} must be 1-D (m,) or 2-D (m, c), got shape {o.shape}")
    if y.shape != o.shape:
        raise ValueError(f"y must have the same shape as {name_o} {o.shape}, got {y.shape}")
    return o, y


def _check_probabilities(o: np.ndarray, name: str = "o") -> None:
    bad = (o < 0) | (o > 1)
    if np.any(bad):
        raise ValueError(f"{name} must hold probabilities in [0, 1], got {o[bad][0]}")


def _check_logits(s, name: str = "logits") -> np.ndarray:
    s = float_array(s, name)
    if s.ndim != 2:
        raise ValueError(f"{name} must be 2-D (m samples, c classes), got shape {s.shape}")
    if s.shape[0] == 0 or s.shape[1] == 0:
        raise ValueError(f"{name} must have at least one sample and one class, got shape {s.shape}")
    return s


# ----------------------------------------------------------------------------------------------
# output activations
# ----------------------------------------------------------------------------------------------
def sigmoid(z) -> np.ndarray:
    """Logistic sigmoid ``σ(z) = 1 / (1 + exp(−z))``, elementwise (lecture §5.1.1, figure 5-2).

    Computed without overflow: ``1 / (1 + exp(−z))`` for ``z ≥ 0`` and ``exp(z) / (1 + exp(z))``
    for ``z < 0``, so ``sigmoid(-1000.0) == 0.0`` and ``sigmoid(1000.0) == 1.0`` without warnings.
    Its derivative is ``σ'(z) = σ(z)(1 − σ(z)) = o(1 − o)``.
    """
    z = float_array(z, "z")
    ez = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez)).astype(z.dtype, copy=False)


def softmax(z, axis: int = -1) -> np.ndarray:
    """Softmax ``o_j = exp(s_j) / Σ_i exp(s_i)`` along ``axis`` (lecture (5.7)), numerically stable.

    Subtracts the row maximum first: softmax is unchanged by adding a constant to every score
    (``exp(s_j − a) / Σ exp(s_i − a)`` is the same fraction), and afterwards the largest exponent is
    ``exp(0) = 1``, so nothing overflows.  ``softmax([[3.2, 5.1, -1.7]])`` gives the lecture's cat /
    car / frog probabilities ``0.13 / 0.87 / 0.00``.
    """
    z = float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension (the scores s_1..s_c), got a scalar")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis: int = -1) -> np.ndarray:
    """``log softmax(s)_j = s_j − log Σ_i exp(s_i)`` along ``axis`` (natural log), stable.

    Uses ``s_j − a − log Σ exp(s_i − a)`` with ``a = max_i s_i``: finite even where ``softmax``
    underflows to 0 (e.g. scores ``[0, -1000]`` give ``[0, -1000]``, not ``[0, -inf]``).
    """
    z = float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension (the scores s_1..s_c), got a scalar")
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def one_hot(y, n_classes: int, *, dtype=np.float64) -> np.ndarray:
    """One-hot matrix ``(m, n_classes)`` of the integer labels ``y`` (row ``i`` has a 1 at ``y_i``)."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}")
    y_arr = np.asarray(y)
    labels = check_labels(y_arr, int(n_classes), y_arr.shape[0] if y_arr.ndim == 1 else -1)
    out = np.zeros((labels.shape[0], int(n_classes)), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


# ----------------------------------------------------------------------------------------------
# mean squared error (5.1)
# ----------------------------------------------------------------------------------------------
def mse(o, y, *, reduction: Reduction = "mean"):
    """Mean squared error with the lecture's ½ (lecture (5.1)): ``e = ½‖y − o‖²`` per sample.

    ``o`` (network outputs) and ``y`` (targets) have shape ``(m, c)`` or ``(m,)``; ``e`` sums over the
    ``c`` outputs, the loss is the mean of ``e`` over the ``m`` samples (see ``reduction``).
    Keras' ``MeanSquaredError`` has no ½ and averages over the outputs: ``keras = 2 · mse / c``.
    """
    o, y = _pair(o, y)
    check_choice(reduction, "reduction", _REDUCTIONS)
    d = y - o
    e = 0.5 * (d * d if d.ndim == 1 else np.sum(d * d, axis=1))
    return _reduce(e, reduction)


def mse_grad(o, y, *, reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``o``: ``∂e/∂o = −(y − o) = o − y`` (÷ m for the mean).

    Through a sigmoid output ``o = σ(z)`` the chain rule gives the lecture's (5.3),
    ``∂e/∂z = −(y − o) σ'(z)``: small when the sigmoid saturates, however wrong ``o`` is.
    """
    o, y = _pair(o, y)
    check_choice(reduction, "reduction", _REDUCTIONS)
    return ((o - y) * _grad_scale(o.shape[0], reduction)).astype(o.dtype, copy=False)


# ----------------------------------------------------------------------------------------------
# binary cross-entropy (5.4), (5.6)
# ----------------------------------------------------------------------------------------------
def binary_cross_entropy(o, y, *, base: float = math.e, reduction: Reduction = "mean"):
    """Binary cross-entropy (lecture (5.4), and (5.6) for ``c`` output nodes).

    ``e = −Σ_i (y_i log_b o_i + (1 − y_i) log_b(1 − o_i))``, summed over the outputs of one sample.
    ``o`` are probabilities in ``[0, 1]`` (sigmoid outputs), ``y`` targets in ``[0, 1]``, shape
    ``(m,)`` or ``(m, c)``.  The lecture's worked example uses ``base=2``: ``y = 1, o = 0.98`` gives
    ``0.0291`` bits and ``o = 0.0001`` gives ``13.2877`` bits.  ``0 · log 0 = 0``, so ``o = y ∈ {0, 1}``
    costs 0 and ``o = 1 − y ∈ {0, 1}`` costs ``inf``.

    Keras' ``BinaryCrossentropy`` (natural log) averages over the ``c`` outputs and clips ``o`` to
    ``[1e-7, 1 − 1e-7]``: ``keras = binary_cross_entropy(np.clip(o, 1e-7, 1 - 1e-7), y) / c``.
    """
    o, y = _pair(o, y)
    _check_probabilities(o)
    _check_probabilities(y, "y")
    b = _check_base(base)
    check_choice(reduction, "reduction", _REDUCTIONS)
    with np.errstate(divide="ignore"):
        elem = -(xlogy(y, o) + xlogy(1 - y, 1 - o))
    e = elem if elem.ndim == 1 else np.sum(elem, axis=1)
    if b != math.e:
        e = e / math.log(b)
    return _reduce(e.astype(o.dtype, copy=False), reduction)


def binary_cross_entropy_grad(o, y, *, base: float = math.e, reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` w.r.t. ``o``: ``−(y/o − (1 − y)/(1 − o)) / ln b``.

    Through a sigmoid output, ``∂o/∂z = o(1 − o)`` cancels the denominators and leaves the
    lecture's (5.5) ``∂e/∂z = o − y`` (in nats) — see :func:`sigmoid_cross_entropy`.  Infinite where
    ``o`` is exactly 0 or 1 and the target disagrees (``y > 0`` at ``o = 0``).
    """
    o, y = _pair(o, y)
    _check_probabilities(o)
    _check_probabilities(y, "y")
    b = _check_base(base)
    check_choice(reduction, "reduction", _REDUCTIONS)
    with np.errstate(divide="ignore", invalid="ignore"):
        # y/o with 0/0 := 0 (a term with zero weight contributes nothing), likewise (1-y)/(1-o)
        pos = np.where(y == 0, 0.0, y / o)
        neg = np.where(y == 1, 0.0, (1 - y) / (1 - o))
    g = -(pos - neg) * (_grad_scale(o.shape[0], reduction) / math.log(b))
    return g.astype(o.dtype, copy=False)


def sigmoid_cross_entropy(logits, y, *, base: float = math.e):
    """Binary cross-entropy of ``o = σ(z)`` computed from the logits ``z``; returns ``(loss, dz)``.

    ``loss`` is the mean over samples of ``e = Σ_i −(y_i log_b σ(z_i) + (1 − y_i) log_b(1 − σ(z_i)))``
    (lecture (5.4)/(5.6)), evaluated stably as ``max(z, 0) − z·y + log(1 + exp(−|z|))`` (nats), the
    form ``tf.nn.sigmoid_cross_entropy_with_logits`` uses; ``dz = (σ(z) − y) / (m ln b)`` is the
    lecture's (5.5) ``∂e/∂z = o − y``.  Shapes ``(m,)`` or ``(m, c)``.
    """
    z, y = _pair(logits, y, "logits")
    _check_probabilities(y, "y")
    b = _check_base(base)
    elem = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    e = elem if elem.ndim == 1 else np.sum(elem, axis=1)
    scale = 1.0 / math.log(b)
    loss = z.dtype.type(e.mean() * scale)
    dz = ((sigmoid(z) - y) * (scale / z.shape[0])).astype(z.dtype, copy=False)
    return loss, dz


# ----------------------------------------------------------------------------------------------
# log-likelihood / categorical cross-entropy (5.8)
# ----------------------------------------------------------------------------------------------
def cross_entropy(probs, y, *, base: float = math.e, reduction: Reduction = "mean"):
    """Log-likelihood objective (lecture (5.8)) ``e = −log_b o_y``: categorical cross-entropy.

    ``probs`` has shape ``(m, c)`` (rows are probability vectors, e.g. softmax outputs).  ``y`` is
    either integer labels of shape ``(m,)`` — then ``e = −log_b o_{y}`` uses only the output node of
    the sample's class, as the lecture stresses — or target distributions of shape ``(m, c)``
    (one-hot, smoothed labels, ...), then ``e = −Σ_j y_j log_b o_j``, the cross-entropy ``H(P, Q)``
    of §5.1.2 (for one-hot ``y`` the two agree).  The lecture's examples use ``base=2``:
    ``o_y = 0.0508`` gives ``4.2990`` bits and ``o_y = 0.8360`` gives ``0.2584`` bits.

    Keras' ``SparseCategoricalCrossentropy`` / ``CategoricalCrossentropy`` (natural log) clip to
    ``[1e-7, 1 − 1e-7]``: ``keras = cross_entropy(np.clip(probs, 1e-7, 1 - 1e-7), y)``.
    """
    p = _check_logits(probs, "probs")
    _check_probabilities(p, "probs")
    b = _check_base(base)
    check_choice(reduction, "reduction", _REDUCTIONS)
    t = _targets(y, p.shape, p.dtype)
    with np.errstate(divide="ignore"):
        e = -np.sum(xlogy(t, p), axis=1)
    if b != math.e:
        e = e / math.log(b)
    return _reduce(e.astype(p.dtype, copy=False), reduction)


def cross_entropy_grad(probs, y, *, base: float = math.e, reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`cross_entropy` w.r.t. ``probs``: ``∂e/∂o_j = −y_j / (o_j ln b)``.

    For integer labels only the column of the true class is non-zero (``−1 / (o_y ln b)``).
    """
    p = _check_logits(probs, "probs")
    _check_probabilities(p, "probs")
    b = _check_base(base)
    check_choice(reduction, "reduction", _REDUCTIONS)
    t = _targets(y, p.shape, p.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(t == 0, 0.0, -t / p)
    return (g * (_grad_scale(p.shape[0], reduction) / math.log(b))).astype(p.dtype, copy=False)


def softmax_cross_entropy(logits, y, *, base: float = math.e):
    """Softmax followed by the log-likelihood, from the logits; returns ``(mean loss, dlogits)``.

    With ``o = softmax(s)`` (5.7) and ``e = −log_b o_y`` (5.8), averaged over the ``m`` rows::

        loss    = mean_i ( log Σ_j exp(s_ij) − s_{i,y_i} ) / ln b
        dlogits = (softmax(s) − onehot(y)) / (m ln b)

    ``logits`` has shape ``(m, c)``; ``y`` is integer labels ``(m,)`` or target distributions
    ``(m, c)`` (then ``dlogits = (softmax(s) − y) / (m ln b)`` for rows of ``y`` summing to 1).  The
    loss is computed through :func:`log_softmax`, so it stays finite for any finite logits (no
    ``log 0``).  The CS231n slide in §5.1.3: ``softmax_cross_entropy([[3.2, 5.1, -1.7]], [0])``
    gives loss ``2.04`` (natural log; the image is a cat, class 0).  Equals
    ``keras.losses.SparseCategoricalCrossentropy(from_logits=True)`` (no clipping) to rounding.
    """
    s = _check_logits(logits)
    b = _check_base(base)
    t = _targets(y, s.shape, s.dtype)
    m = s.shape[0]
    logp = log_softmax(s)
    scale = 1.0 / math.log(b)
    loss = s.dtype.type(-np.sum(t * logp) / m * scale)
    dlogits = (np.exp(logp) * t.sum(axis=1, keepdims=True) - t) * (scale / m)
    return loss, dlogits.astype(s.dtype, copy=False)
