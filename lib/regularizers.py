"""Weight penalties (norm regularization): ``L1``, ``L2`` and ``L1L2`` (elastic net), as in Keras.

Mirrors the university lecture "5. Deep-learning optimization", §5.3 (규제): the L2 penalty (5.21)
``J_reg(Θ) = J(Θ) + λ‖Θ‖²₂`` with gradient ``∇J + 2λΘ`` (5.22), the L1 penalty ``λ‖Θ‖₁`` with
(sub)gradient ``λ·sign(Θ)``, and their sum (elastic net).  A regularizer is attached to a weight of
a layer (``Dense(…, kernel_regularizer=L2(0.01))``); the network adds its penalty to the loss and
its gradient to the weight's gradient, exactly as Keras adds ``model.losses`` to the loss.

One λ, four conventions (all checked in ``tests/test_regularizers.py``)::

    this module / Keras          L2(l2)                 penalty  l2·Σw²        gradient 2·l2·w
    lecture (5.21)-(5.22)        λ‖Θ‖²₂                 penalty  λ·Σw²         gradient 2λw        → l2 = λ
    boostcamp post, Ng           α/2·‖W‖² (Ng: λ/2m‖W‖²) penalty  α/2·Σw²       gradient α·w        → l2 = α/2
    decoupled weight decay       w ← w − α·wd·w          no penalty term, the step itself shrinks w
                                 (AdamW, ``weight_decay=`` of lib.optimizers): with plain SGD it
                                 equals L2 with l2 = wd/2; with adaptive methods it does not.

``L1(l1)``: penalty ``l1·Σ|w|``, gradient ``l1·sign(w)`` (0 at w = 0, as TensorFlow's ``abs``).
``L1L2(l1, l2)``: the sum of both.  Defaults are Keras': ``L1(0.01)``, ``L2(0.01)``, ``L1L2(0, 0)``.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Regularizer", "L1", "L2", "L1L2", "get"]


def _check_factor(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a non-negative finite float, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a non-negative finite float, got {value!r}")
    return float(value)


class Regularizer:
    """A penalty ``Ω(w)`` on one weight array: ``regularizer(w)`` is ``Ω(w)`` (a float) and
    ``regularizer.gradient(w)`` is ``∇Ω(w)`` (an array of ``w``'s shape and dtype)."""

    l1: float = 0.0
    l2: float = 0.0

    def __call__(self, w: np.ndarray) -> float:
        """``Ω(w) = l1·Σ|w| + l2·Σw²``."""
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.sum(np.abs(w)))
        if self.l2:
            penalty += self.l2 * float(np.sum(w * w))
        return penalty

    def gradient(self, w: np.ndarray) -> np.ndarray:
        """``∇Ω(w) = l1·sign(w) + 2·l2·w``, in ``w``'s dtype."""
        g = np.zeros_like(w)
        if self.l1:
            g += w.dtype.type(self.l1) * np.sign(w)
        if self.l2:
            g += w.dtype.type(2 * self.l2) * w
        return g

    def get_config(self) -> dict[str, float]:
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """``Ω(w) = l1·Σ|w|`` (lasso; the lecture's L1 penalty), gradient ``l1·sign(w)``."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _check_factor(l1, "l1")

    def get_config(self) -> dict[str, float]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``Ω(w) = l2·Σw²`` (the lecture's (5.21) with ``λ = l2``), gradient ``2·l2·w`` (5.22)."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _check_factor(l2, "l2")

    def get_config(self) -> dict[str, float]:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``Ω(w) = l1·Σ|w| + l2·Σw²`` (elastic net)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_factor(l1, "l1")
        self.l2 = _check_factor(l2, "l2")


_BY_NAME = {"l1": L1, "l2": L2}


def get(regularizer, name: str = "regularizer") -> Regularizer | None:
    """``None``, a :class:`Regularizer`, or a Keras name (``"l1"`` or ``"l2"``, with
    Keras' default factor 0.01) → a :class:`Regularizer` or ``None``."""
    if regularizer is None or isinstance(regularizer, Regularizer):
        return regularizer
    if isinstance(regularizer, str) and regularizer.lower() in _BY_NAME:
        return _BY_NAME[regularizer.lower()]()
    raise ValueError(
        f"{name} must be None, a lib.regularizers object (L1, L2, L1L2) or one of "
        f"{sorted(_BY_NAME)}, got {regularizer!r}"
    )
