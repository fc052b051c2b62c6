"""A linear softmax classifier: the small real model that chapter 1 optimizes by hand.

The study slides "Lecture 3 Optimization" optimize a linear classifier ``s = Wx`` on CIFAR-10
(``W`` of shape 10 × 3073: 3,072 pixels plus one column for the bias, the "bias trick") with a
softmax loss (multinomial logistic regression).  We do the same on scikit-learn's 8×8 digits:
64 pixels plus a constant 1 give 65 inputs, 10 classes.  Samples are rows, as in Keras, so
``W`` has shape ``(n_in, n_classes)`` (the transpose of the slides' ``W``) and the scores are
``S = X W``.  The loss is the slides' §4 objective

    J(W) = (1/N) Σ_i L_i(x_i, y_i, W) + λ R(W),    L_i = −log softmax(x_i W)_{y_i},    R(W) = Σ W²,

whose gradient is ``∇J = Xᵀ (softmax(XW) − onehot(y)) / N + 2λW``.  With the bias row last,
``W[:-1]`` is a Keras ``Dense`` layer's ``kernel`` and ``W[-1]`` its ``bias``; λ is
``keras.regularizers.L2(l2=λ)`` (which, applied to the whole ``W`` here, includes the bias).

Linear regression with weight penalties (university lecture §5.4.1, chapter 11):

* :func:`ridge` — the closed form ``ŵ = (XᵀX + c·I)⁻¹ Xᵀy``, the minimizer of ``‖Xw − y‖² + c‖w‖²``
  (scikit-learn's ``Ridge(alpha=c, fit_intercept=False)``).  The lecture's (5.29) is
  ``(XᵀX + 2λI)⁻¹Xᵀy``, i.e. ``ridge(X, y, 2λ)`` — the minimizer of ``½‖Xw − y‖² + λ‖w‖²``, not of
  its (5.27) ``‖Xw − y‖² + λ‖w‖²`` (whose minimizer is ``ridge(X, y, λ)``; chapter 11 shows the
  computation).
* :func:`penalized_least_squares` — gradient steps on ``J(w) = (1/2N)‖Xw − y‖² + Ω(w)`` (the data
  term of scikit-learn's ``Lasso`` and ``ElasticNet``) with a ``lib.regularizers`` penalty ``Ω``,
  either the lecture's subgradient step (5.34) or the proximal step (ISTA).
* :func:`sklearn_elastic_net_params` — ``Ω = l1‖w‖₁ + l2‖w‖²`` in scikit-learn's parameters.
"""

from __future__ import annotations


import numpy as np

from lib import checks
from lib.checks import check_finite, check_float, real_array
from lib.losses import softmax_cross_entropy
from lib.regularizers import Regularizer, proximal_step, subgradient_step

__all__ = ["with_bias", "softmax_classifier_loss", "predict", "accuracy", "ridge", "penalized_least_squares",
           "sklearn_elastic_net_params"]


def _as_matrix(a, name: str) -> np.ndarray:
    m = real_array(a, name, what="a 2-D array of real numbers")
    if m.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {m.shape}")
    return check_finite(m, name)


def _check_shapes(W: np.ndarray, X: np.ndarray) -> None:
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"W must have one row per input feature: X has {X.shape[1]} columns, W has shape {W.shape} "
            "(did you forget with_bias(X)?)"
        )


def with_bias(X) -> np.ndarray:
    """``X`` with a column of ones appended (the bias trick): ``[X, 1] W`` is ``X W[:-1] + W[-1]``."""
    X = _as_matrix(X, "X")
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def _check_classifier_args(W, X, reg) -> tuple[np.ndarray, np.ndarray, float]:
    """The argument checks of :func:`softmax_classifier_loss` (the labels are checked by the loss)."""
    W = _as_matrix(W, "W")
    X = _as_matrix(X, "X")
    _check_shapes(W, X)
    return W, X, check_float(reg, "reg", "[0, inf)")


def softmax_classifier_loss(W, X, y, reg: float = 0.0):
    """Mean softmax cross-entropy of the linear scores ``S = X W``, plus ``reg · Σ W²``; returns ``(loss, dW)``.

    ``X`` has shape ``(N, n_in)`` (use :func:`with_bias` for a bias), ``W`` ``(n_in, c)``, ``y`` integer
    labels ``(N,)``.  Following the slides' §4 formula ``L(W) = (1/N) Σ L_i + λ R(W)``::

        S  = X W                                   scores (logits), shape (N, c)
        loss, dS = softmax_cross_entropy(S, y)     mean −log softmax(S)_y and its gradient (P − Y)/N
        loss += reg · Σ W²
        dW = Xᵀ dS + 2 · reg · W                   the chain rule through S = X W

    ``dW`` is the analytic gradient ``∂loss/∂W`` (shape and dtype of ``W``).  Raises ``ValueError``
    for mismatched shapes, labels out of range or a negative ``reg``.
    """
    W, X, reg = _check_classifier_args(W, X, reg)
    S = X @ W
    loss, dS = softmax_cross_entropy(S, y)
    loss = loss + reg * np.sum(W * W)
    dW = X.T @ dS + 2.0 * reg * W
    return W.dtype.type(loss), dW.astype(W.dtype, copy=False)


def predict(W, X) -> np.ndarray:
    """The predicted classes ``argmax_j (X W)_j``, shape ``(N,)``, int64."""
    W = _as_matrix(W, "W")
    X = _as_matrix(X, "X")
    _check_shapes(W, X)
    return np.argmax(X @ W, axis=1).astype(np.int64)


def accuracy(W, X, y) -> float:
    """The fraction of samples whose predicted class equals the label ``y``."""
    y = np.asarray(y)
    pred = predict(W, X)
    if y.shape != pred.shape:
        raise ValueError(f"y must have one label per row of X ({pred.shape[0]}), got shape {y.shape}")
    return float(np.mean(pred == y))


# ------------------------------------------------------------------------------------------------
# linear regression with weight penalties (lecture §5.4.1)
# ------------------------------------------------------------------------------------------------
def _regression_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = _as_matrix(X, "X")
    y = check_finite(real_array(y, "y"), "y")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have one target per row of X, shape ({X.shape[0]},), got shape {y.shape}")
    return X, y.astype(X.dtype, copy=False)


def ridge(X, y, penalty: float) -> np.ndarray:
    """``ŵ = (XᵀX + penalty·I)⁻¹ Xᵀy``: the minimizer of ``‖Xw − y‖² + penalty·‖w‖²``.

    ``X``: ``(N, d)`` design matrix (samples as rows, no intercept column unless you add one);
    ``y``: ``(N,)``.  Solved as a linear system (no explicit inverse).  The lecture's (5.29) with its
    ``λ`` is ``ridge(X, y, 2 * λ)``; scikit-learn's ``Ridge(alpha=c, fit_intercept=False)`` is
    ``ridge(X, y, c)``.  ``penalty = 0`` is least squares (``XᵀX`` must then be invertible).
    """
    X, y = _regression_data(X, y)
    penalty = checks.check_float(penalty, "penalty", "[0, inf)")
    A = X.T @ X + X.dtype.type(penalty) * np.eye(X.shape[1], dtype=X.dtype)
    return np.linalg.solve(A, X.T @ y)


def penalized_least_squares(X, y, regularizer: Regularizer, *, method: str = "proximal",
                            learning_rate: float | None = None, steps: int = 1000, w0=None) -> np.ndarray:
    """Minimize ``J(w) + Ω(w)``, ``J(w) = (1/2N)‖Xw − y‖²``, by ``steps`` full-batch gradient steps.

    ``g = Xᵀ(Xw − y)/N`` is ``∇J``; each step is, with ``α = learning_rate``::

        method="subgradient":  w ← w − α(g + ∇Ω(w))        lecture (5.23) / (5.34)
        method="proximal":     w ← prox_{αΩ}(w − αg)       ISTA; exact zeros for L1

    (see :func:`lib.regularizers.subgradient_step`, :func:`lib.regularizers.proximal_step`).  The
    default ``α = 1/L`` with ``L = λ_max(XᵀX)/N``, the curvature of ``J``, for which the proximal
    method decreases ``J + Ω`` at every step.  ``w0`` (default zeros) is the start.  Returns ``w``,
    shape ``(d,)``.  ``Ω = L1L2(α_s·r, α_s·(1 − r)/2)`` is scikit-learn's
    ``ElasticNet(alpha=α_s, l1_ratio=r, fit_intercept=False)`` objective.
    """
    X, y = _regression_data(X, y)
    if not isinstance(regularizer, Regularizer):
        raise TypeError(f"regularizer must be a lib.regularizers object (L1, L2, L1L2), got {regularizer!r}")
    method = checks.check_choice(method, "method", ("proximal", "subgradient"))
    steps = checks.check_int(steps, "steps", "[0, inf)")
    N, d = X.shape
    if learning_rate is None:
        learning_rate = 1.0 / max(float(np.linalg.eigvalsh(X.T @ X / N).max()), np.finfo(float).tiny)
    learning_rate = checks.check_float(learning_rate, "learning_rate", "(0, inf)")
    w = np.zeros(d, dtype=X.dtype) if w0 is None else check_finite(real_array(w0, "w0", copy=True), "w0")
    if w.shape != (d,):
        raise ValueError(f"w0 must have shape ({d},) (one weight per column of X), got {w.shape}")
    w = w.astype(X.dtype, copy=False)
    step = proximal_step if method == "proximal" else subgradient_step
    for _ in range(steps):
        g = X.T @ (X @ w - y) / N
        w = step(w, g, learning_rate, regularizer)
    return w


def sklearn_elastic_net_params(l1: float, l2: float) -> tuple[float, float]:
    """``(alpha, l1_ratio)`` of scikit-learn's ``ElasticNet`` for the penalty ``l1‖w‖₁ + l2‖w‖²``.

    scikit-learn minimizes ``(1/2N)‖y − Xw‖² + alpha·l1_ratio‖w‖₁ + ½·alpha·(1 − l1_ratio)‖w‖²``, so
    ``alpha·l1_ratio = l1`` and ``½·alpha·(1 − l1_ratio) = l2``: ``alpha = l1 + 2·l2``,
    ``l1_ratio = l1 / (l1 + 2·l2)``.  ``Lasso(alpha)`` is ``l1 = alpha, l2 = 0``.
    """
    l1 = checks.check_float(l1, "l1", "[0, inf)")
    l2 = checks.check_float(l2, "l2", "[0, inf)")
    if l1 + l2 == 0:
        raise ValueError("l1 and l2 must not both be 0 (scikit-learn's ElasticNet needs alpha > 0; use least squares)")
    alpha = l1 + 2 * l2
    return alpha, l1 / alpha
