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
"""

from __future__ import annotations


import numpy as np

from lib.checks import check_finite, check_float, real_array

from lib.losses import softmax_cross_entropy

__all__ = ["with_bias", "softmax_classifier_loss", "predict", "accuracy"]


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
