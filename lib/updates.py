"""The update rules of the lecture notes, one small function each, in the notes' notation.

What a chapter shows: each function takes a parameter ``w``, its gradient ``g`` (evaluated where
the method says: at ``w`` for all but look-ahead Nesterov) and the method's state arrays, and
updates ``w`` and the state **in place**; it returns ``w``.  The bodies follow the docstrings line
by line, with the notes' names (``v`` first moment / velocity, ``s`` second moment, ``r`` AdaGrad's
sum of squares, ``h`` Adadelta's EWMA of squared steps, ``t`` the step number from 1).

No argument checks here: these are kernels.  The classes of :mod:`lib.optimizers` check the
hyperparameters once (when they are set), check ``params`` and ``grads`` at every step, keep the
state, and make a step all-or-nothing (a step that would write a non-finite value is rolled back).
``tests/test_optimizers.py`` checks every rule against tf.keras over hundreds of steps.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

__all__ = [
    "apply_weight_decay",
    "sgd_update",
    "momentum_update",
    "adagrad_update",
    "rmsprop_update",
    "adadelta_update",
    "adam_update",
    "nesterov_momentum_factor",
    "nadam_update",
]

EpsilonPlacement = Literal["outside", "inside", "hat"]


def apply_weight_decay(w: np.ndarray, learning_rate: float, weight_decay: float) -> np.ndarray:
    """Decoupled weight decay as Keras applies it before every update: ``w ← w − α·λ·w``.

    The university lecture (§5.4.1, eq. 5.23) gets the same shrinking ``Θ ← (1 − 2ρλ)Θ − ρ∇J``
    from an L2 penalty ``λ‖Θ‖²`` in the loss; with plain SGD the two agree for ``weight_decay = 2λ``.
    With adaptive methods they do not (that is AdamW's point).
    """
    w -= w * weight_decay * learning_rate
    return w


def sgd_update(w: np.ndarray, g: np.ndarray, v: np.ndarray | None = None, *, learning_rate: float,
               momentum: float = 0.0, nesterov: bool = False) -> np.ndarray:
    """Gradient descent, with Keras' velocity-form momentum (university lecture §5.2.3).

    ``momentum = 0`` (algorithm 5-1)::

        w ← w − α·g

    ``momentum = μ > 0`` (eq. 5.12 with the velocity's sign flipped: ``v`` points downhill)::

        v ← μ·v − α·g
        w ← w + v

    ``nesterov=True``: Keras' reformulation of Nesterov's look-ahead (algorithm 5-2), which needs the
    gradient at ``w`` only (see :class:`NesterovLookahead` for the look-ahead form)::

        v ← μ·v − α·g
        w ← w + μ·v − α·g
    """
    if v is None or momentum == 0:
        w -= g * learning_rate
        return w
    v *= momentum
    v -= g * learning_rate
    if nesterov:
        w += v * momentum - g * learning_rate
    else:
        w += v
    return w


def momentum_update(w: np.ndarray, g: np.ndarray, v: np.ndarray, *, learning_rate: float, beta: float,
                    dampening: bool = True) -> np.ndarray:
    """Momentum as an exponentially weighted average of the gradients (week-10 notes §6)::

        v ← β·v + (1 − β)·g          (dampening=True: the notes' v_dw = β·v_dw + (1 − β)·dw)
        v ← β·v + g                  (dampening=False: the boostcamp post's a ← β·a + g, and the
                                      "(1 − β) 항이 삭제되어 있는 경우" of the notes)
        w ← w − α·v

    Both are Keras' ``SGD(momentum=β)`` with learning rate ``α·(1 − β)`` (damped) or ``α``
    (undamped), and in both cases Keras' velocity is ``−α·v``: multiply ``v ← βv + (1 − β)g`` by
    ``−α`` to get Keras' ``u ← βu − α(1 − β)g``.
    """
    v *= beta
    if dampening:
        v += (1.0 - beta) * g  # v ← β·v + (1 − β)·g
    else:
        v += g  # v ← β·v + g
    w -= learning_rate * v  # w ← w − α·v
    return w


def adagrad_update(w: np.ndarray, g: np.ndarray, r: np.ndarray, *, learning_rate: float, epsilon: float,
                   epsilon_placement: Literal["outside", "inside"] = "outside") -> np.ndarray:
    """AdaGrad (university lecture §5.2.4, algorithm 5-3; boostcamp post §4)::

        r ← r + g⊙g                                 (line 5)
        w ← w − α/(ε + √r) ⊙ g                      (lines 6-7; epsilon_placement="outside")
        w ← w − α/√(r + ε) ⊙ g                      (boostcamp post and Keras; "inside")
    """
    r += g * g
    if epsilon_placement == "outside":
        w -= learning_rate * g / (epsilon + np.sqrt(r))
    else:
        w -= learning_rate * g / np.sqrt(r + epsilon)
    return w


def rmsprop_update(w: np.ndarray, g: np.ndarray, s: np.ndarray, *, learning_rate: float, rho: float,
                   epsilon: float, epsilon_placement: Literal["outside", "inside"] = "outside",
                   momentum: float = 0.0, v: np.ndarray | None = None,
                   g_avg: np.ndarray | None = None) -> np.ndarray:
    """RMSProp (week-10 notes §7; university lecture algorithm 5-4, where ``ρ`` is called ``α``)::

        s ← ρ·s + (1 − ρ)·g²                         (S_dw = β₂·S_dw + (1 − β₂)·dw²; eq. 5.14)
        w ← w − α·g/(√s + ε)                         (epsilon_placement="outside": the notes)
        w ← w − α·g/√(s + ε)                         ("inside": the boostcamp post and Keras)

    ``centered`` (pass ``g_avg``; Graves 2013, Keras ``centered=True``) divides by the standard
    deviation instead of the root mean square::

        ḡ ← ρ·ḡ + (1 − ρ)·g ,   s − ḡ² in place of s

    ``momentum = μ > 0`` (pass ``v``; Keras) accumulates the steps::

        v ← μ·v + α·g/(…) ,   w ← w − v
    """
    s *= rho
    s += (1.0 - rho) * (g * g)
    if g_avg is not None:
        g_avg *= rho
        g_avg += (1.0 - rho) * g
        second_moment = s - g_avg * g_avg
    else:
        second_moment = s
    if epsilon_placement == "outside":
        # s − ḡ² ≥ 0 in exact arithmetic; clip rounding noise before the square root
        denom = np.sqrt(np.maximum(second_moment, 0) if g_avg is not None else second_moment) + epsilon
    else:
        denom = np.sqrt(second_moment + epsilon)
    increment = learning_rate * g / denom
    if v is not None and momentum > 0:
        v *= momentum
        v += increment
        w -= v
    else:
        w -= increment
    return w


def adadelta_update(w: np.ndarray, g: np.ndarray, s: np.ndarray, h: np.ndarray, *, learning_rate: float,
                    rho: float, epsilon: float) -> np.ndarray:
    """Adadelta (Zeiler 2012; the boostcamp post §5, with the gradient factor it leaves out)::

        s ← ρ·s + (1 − ρ)·g²                         (G_t: EWMA of squared gradients)
        Δw = −√(h + ε)/√(s + ε) · g                  (RMS of past steps over RMS of gradients)
        h ← ρ·h + (1 − ρ)·Δw²                        (H_t: EWMA of squared steps)
        w ← w + α·Δw                                 (α = 1 in the paper: "학습률이 없다")
    """
    s *= rho
    s += (1.0 - rho) * (g * g)
    delta = -(np.sqrt(h + epsilon) * g / np.sqrt(s + epsilon))
    h *= rho
    h += (1.0 - rho) * (delta * delta)
    w += learning_rate * delta
    return w


def adam_update(w: np.ndarray, g: np.ndarray, v: np.ndarray, s: np.ndarray, t: int, *, learning_rate: float,
                beta_1: float, beta_2: float, epsilon: float, epsilon_placement: EpsilonPlacement = "outside",
                s_max: np.ndarray | None = None) -> np.ndarray:
    """Adam, step ``t = 1, 2, …`` (week-10 notes §8; Kingma & Ba, algorithm 1)::

        v ← β₁·v + (1 − β₁)·g                        (momentum, §6)
        s ← β₂·s + (1 − β₂)·g²                       (RMSprop, §7)
        v̂ = v/(1 − β₁^t),  ŝ = s/(1 − β₂^t)          (bias correction, §5)
        w ← w − α·v̂/(√ŝ + ε)                         (epsilon_placement="outside": notes, paper)

    The two other conventions in use fold both corrections into the step size and differ only in
    where ``ε`` enters::

        α_t = α·√(1 − β₂^t)/(1 − β₁^t)
        w ← w − α_t·v/(√s + ε̂)                       ("hat": the paper's "ε-hat", tf.keras)
        w ← w − α_t·v/√(s + ε)                       ("inside": the boostcamp post)

    ``"hat"`` with ``ε̂`` equals ``"outside"`` with ``ε = ε̂/√(1 − β₂^t)``, a step-dependent ε
    (about 32 times ``ε̂`` at the first step for β₂ = 0.999).

    ``s_max`` (AMSGrad, Reddi et al. 2018; Keras ``amsgrad=True``): ``s_max ← max(s_max, s)`` is used
    in place of ``s`` in the denominator.

    Note: the university lecture's algorithm 5-5 differs in two ways that break it (see the notes'
    README): it bias-corrects ``v`` and ``r`` *in place* (the correction compounds from step to step),
    and its ``v ← α₁v − (1 − α₁)g`` followed by ``ΔΘ = −ρ/(ε + √r)·v`` steps uphill.
    """
    v *= beta_1
    v += (1.0 - beta_1) * g  # v ← β₁·v + (1 − β₁)·g
    s *= beta_2
    s += (1.0 - beta_2) * (g * g)  # s ← β₂·s + (1 − β₂)·g²
    if s_max is not None:  # AMSGrad: the largest s so far
        np.maximum(s_max, s, out=s_max)
        s = s_max
    if epsilon_placement == "outside":
        v_hat = v / (1.0 - beta_1**t)  # v̂ = v/(1 − β₁^t)
        s_hat = s / (1.0 - beta_2**t)  # ŝ = s/(1 − β₂^t)
        w -= learning_rate * v_hat / (np.sqrt(s_hat) + epsilon)  # w ← w − α·v̂/(√ŝ + ε)
        return w
    alpha_t = learning_rate * math.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)
    if epsilon_placement == "hat":
        w -= alpha_t * v / (np.sqrt(s) + epsilon)  # w ← w − α_t·v/(√s + ε̂)
    else:
        w -= alpha_t * v / np.sqrt(s + epsilon)  # w ← w − α_t·v/√(s + ε)
    return w


def nesterov_momentum_factor(t: int, beta_1: float, momentum_decay: float) -> float:
    """Dozat's momentum schedule ``μ_t = β₁·(1 − ½·0.96^(ψ·t))`` (ψ = ``momentum_decay``)."""
    return beta_1 * (1.0 - 0.5 * 0.96 ** (momentum_decay * t))


def nadam_update(w: np.ndarray, g: np.ndarray, v: np.ndarray, s: np.ndarray, t: int, *, learning_rate: float,
                 beta_1: float, beta_2: float, epsilon: float, mu_t: float, mu_next: float, mu_product: float,
                 tmp: np.ndarray | None = None) -> np.ndarray:
    """Nadam: Adam with Nesterov momentum (Dozat 2016, algorithm 2; the form tf.keras implements)::

        μ_t = β₁·(1 − ½·0.96^(ψt)),   Π_t = μ_1·…·μ_t          (``mu_t``, ``mu_next`` = μ_{t+1},
                                                               ``mu_product`` = Π_t)
        v ← β₁·v + (1 − β₁)·g,        s ← β₂·s + (1 − β₂)·g²
        v̂ = μ_{t+1}·v/(1 − Π_t·μ_{t+1}) + (1 − μ_t)·g/(1 − Π_t)
        ŝ = s/(1 − β₂^t)
        w ← w − α·v̂/(√ŝ + ε)

    The look-ahead is in ``v̂``: the momentum part already uses next step's ``μ_{t+1}``.
    """
    if tmp is None:
        tmp = np.empty_like(w)
    # v ← β₁·v + (1 − β₁)·g ;  s ← β₂·s + (1 − β₂)·g²
    v *= beta_1
    np.multiply(g, 1.0 - beta_1, out=tmp)
    v += tmp
    s *= beta_2
    np.square(g, out=tmp)
    tmp *= 1.0 - beta_2
    s += tmp
    # √ŝ + ε
    np.sqrt(s, out=tmp)
    tmp *= 1.0 / math.sqrt(1.0 - beta_2**t)
    tmp += epsilon
    # v̂ = μ_{t+1}·v/(1 − Π_t·μ_{t+1}) + (1 − μ_t)·g/(1 − Π_t)
    v_hat = v * (mu_next / (1.0 - mu_product * mu_next))
    v_hat += g * ((1.0 - mu_t) / (1.0 - mu_product))
    # w ← w − α·v̂/(√ŝ + ε)
    np.divide(v_hat, tmp, out=tmp)
    tmp *= learning_rate
    w -= tmp
    return w
