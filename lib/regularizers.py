"""Weight penalties (norm regularization): ``L1``, ``L2`` and ``L1L2`` (elastic net), as in Keras,
and the two ways a gradient method takes a step on a penalized loss.

Mirrors the university lecture "5. Deep-learning optimization", §5.4.1 (가중치 벌칙): the L2 penalty
(5.21) ``J_reg(Θ) = J(Θ) + λ‖Θ‖²₂`` with gradient ``∇J + 2λΘ`` (5.22), the L1 penalty (5.32)
``λ‖Θ‖₁`` with (sub)gradient ``λ·sign(Θ)`` (5.33), and their sum (elastic net).  A regularizer is
attached to a weight of a layer (``Dense(…, kernel_regularizer=L2(0.01))``); the network adds its
penalty to the loss and its gradient to the weight's gradient, exactly as Keras adds
``model.losses`` to the loss.

One λ, four conventions (all checked in ``tests/test_regularizers.py`` and chapter 11)::

    this module / Keras          L2(l2)                 penalty  l2·Σw²        gradient 2·l2·w
    lecture (5.21)-(5.22)        λ‖Θ‖²₂                 penalty  λ·Σw²         gradient 2λw        → l2 = λ
    boostcamp post               α/2·‖W‖²               penalty  α/2·Σw²       gradient α·w        → l2 = α/2
    Ng (m = training-set size N) λ/(2N)·‖W‖²            penalty  λ/(2N)·Σw²    gradient λ/N·w      → l2 = λ/(2N)
    decoupled weight decay       w ← w − α·wd·w          no penalty term, the step itself shrinks w
                                 (AdamW, ``weight_decay=`` of lib.optimizers): with plain SGD it
                                 equals L2 with l2 = wd/2; with adaptive methods it does not.

With plain SGD and learning rate ρ every convention is the lecture's (5.23)
``Θ ← (1 − 2ρλ)Θ − ρ∇J``: the factor is ``1 − 2ρ·l2 = 1 − ρ·α = 1 − ρ·wd``.

``L1(l1)``: penalty ``l1·Σ|w|``, gradient ``l1·sign(w)`` (0 at w = 0, as TensorFlow's ``abs``).
``L1L2(l1, l2)``: the sum of both.  Defaults are Keras': ``L1(0.01)``, ``L2(0.01)``, ``L1L2(0, 0)``.

Two steps on ``J(w) + Ω(w)`` with learning rate ``α`` (chapter 11 compares them):

* :func:`subgradient_step` — the lecture's (5.23) and (5.34): ``w ← w − α(∇J(w) + ∇Ω(w))``.  For
  L1 the term ``α·l1·sign(w)`` overshoots zero, so a weight oscillates around 0 and is (almost)
  never exactly 0.
* :func:`proximal_step` — proximal gradient (ISTA): ``w ← prox_{αΩ}(w − α∇J(w))`` with
  ``prox_{αΩ}(u) = argmin_v ½‖v − u‖² + α·Ω(v)`` (:meth:`Regularizer.proximal`), which for
  ``L1L2`` is ``soft_threshold(u, α·l1) / (1 + 2α·l2)``: a weight whose step would cross zero
  stops *at* zero, so L1 gives exact zeros (feature selection).
"""

from __future__ import annotations

import math

import numpy as np

from lib import checks

__all__ = ["Regularizer", "L1", "L2", "L1L2", "get", "soft_threshold", "subgradient_step", "proximal_step"]


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

    def proximal(self, w: np.ndarray, step: float) -> np.ndarray:
        """``prox_{step·Ω}(w) = argmin_v ½‖v − w‖² + step·Ω(v)``, elementwise::

            soft_threshold(w, step·l1) / (1 + 2·step·l2)

        (L2 alone: ``w / (1 + 2·step·l2)``; L1 alone: the soft threshold).  A new array, ``w``'s dtype.
        """
        step = _check_factor(step, "step")
        v = soft_threshold(w, step * self.l1) if self.l1 else checks.real_array(w, "w", copy=True)
        if self.l2:
            v /= v.dtype.type(1 + 2 * step * self.l2)
        return v

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


# ------------------------------------------------------------------------------------------------
# steps on a penalized loss
# ------------------------------------------------------------------------------------------------
def soft_threshold(w: np.ndarray, threshold: float) -> np.ndarray:
    """``sign(w)·max(|w| − threshold, 0)``: the proximal operator of ``threshold·‖·‖₁`` (a new array).

    Entries with ``|w| ≤ threshold`` become exactly 0; the others move ``threshold`` towards 0.
    """
    threshold = _check_factor(threshold, "threshold")
    w = checks.real_array(w, "w")
    return np.sign(w) * np.maximum(np.abs(w) - w.dtype.type(threshold), 0)


def _checked_step_args(w, g, learning_rate, regularizer) -> tuple[np.ndarray, np.ndarray, float]:
    w = checks.float_array(w, "w")
    g = checks.float_array(g, "g")
    if g.shape != w.shape:
        raise ValueError(f"g must have the shape of w {w.shape}, got {g.shape}")
    learning_rate = checks.check_float(learning_rate, "learning_rate", "[0, inf)")
    if not isinstance(regularizer, Regularizer):
        raise TypeError(f"regularizer must be a lib.regularizers object (L1, L2, L1L2), got {regularizer!r}")
    return w, g.astype(w.dtype, copy=False), learning_rate


def subgradient_step(w: np.ndarray, g: np.ndarray, learning_rate: float, regularizer: Regularizer) -> np.ndarray:
    """The lecture's step on ``J + Ω`` ((5.23) for L2, (5.34) for L1): ``w − α(g + ∇Ω(w))``.

    ``g = ∇J(w)``; returns a new array (``w`` unchanged).  For ``L2(λ)`` this is
    ``(1 − 2αλ)w − αg``; for ``L1(λ)`` it is ``w − αg − αλ·sign(w)``.
    """
    w, g, alpha = _checked_step_args(w, g, learning_rate, regularizer)
    return w - w.dtype.type(alpha) * (g + regularizer.gradient(w))


def proximal_step(w: np.ndarray, g: np.ndarray, learning_rate: float, regularizer: Regularizer) -> np.ndarray:
    """Proximal gradient (ISTA) step on ``J + Ω``: ``prox_{αΩ}(w − αg)``, ``g = ∇J(w)``.

    A gradient step on ``J`` alone, then the penalty's proximal map (:meth:`Regularizer.proximal`).
    For ``L2`` it equals the subgradient step up to ``O(α²)`` (it divides by ``1 + 2αλ`` instead
    of multiplying by ``1 − 2αλ``); for ``L1`` it sets to exactly 0 every weight that the gradient
    step leaves within ``α·l1`` of 0.  Returns a new array (``w`` unchanged).
    """
    w, g, alpha = _checked_step_args(w, g, learning_rate, regularizer)
    return regularizer.proximal(w - w.dtype.type(alpha) * g, alpha)
