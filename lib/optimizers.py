"""Every update rule of the lecture notes, from scratch in NumPy, each proven equal to tf.keras.

The math lives in small functions, one per algorithm (``sgd_update``, ``momentum_update``,
``adagrad_update``, ``rmsprop_update``, ``adadelta_update``, ``adam_update``, ``nadam_update``): they
take a parameter ``w``, its gradient ``g`` and the state arrays, and update ``w`` and the state **in
place** (the Adam-type ones through a scratch buffer, so that a step allocates nothing big).  Their
bodies follow the docstrings line by line, in the notes' notation.  The classes are thin bookkeeping
around them:

* ``step(params, grads) -> params`` for a list (or tuple, or dict) of float arrays; the arrays are
  updated in place and the same container is returned.  ``grads`` must match ``params`` in number
  (or keys) and shapes; gradients are cast to each parameter's dtype, so dtype in = dtype out.
* ``state``: a dict from the notes' names to one array per parameter (a list aligned with
  ``params``, or a dict with the same keys), created at the first step (or by :meth:`Optimizer.build`):

  ====================  ================================================================
  optimizer             ``state`` (Keras' variables in brackets, see ``KERAS_STATE``)
  ====================  ================================================================
  SGD (momentum > 0)    ``v`` velocity [momentums]
  Momentum              ``v`` EWMA of gradients (week-10 §6 ``v_dw``; boostcamp ``a``)
  NesterovLookahead     ``v``
  Adagrad               ``r`` sum of squared gradients (algorithm 5-3 ``r``) [accumulators]
  RMSprop               ``s`` EWMA of g² (week-10 §7 ``S_dw``) [velocities]; ``v`` momentum
                        buffer if momentum > 0 [momentums]; ``g_avg`` EWMA of g if centered
                        [average_gradients]
  Adadelta              ``s`` EWMA of g² [accumulated_grads]; ``h`` EWMA of Δw² (the
                        boostcamp post's ``H``) [accumulated_delta_vars]
  Adam, AdamW           ``v`` first moment (week-10 §8 ``V_dw``) [momentums]; ``s`` second
                        moment (``S_dw``) [velocities]; ``s_max`` if amsgrad [velocity_hats]
  Nadam                 ``v``, ``s`` as Adam; ``mu_product`` (a float, ∏ μ_i) [u_product]
  ====================  ================================================================

  Note the names: the week-10 notes call Adam's first moment ``V`` and its second ``S``; the Adam
  paper and Keras call them ``m`` and ``v``.  This module uses the notes' names throughout.
* ``iterations``: steps taken so far (settable, as in Keras); the bias corrections use
  ``t = iterations + 1`` and a schedule is evaluated at ``iterations``.
* ``learning_rate``: a float, or any callable ``schedule(step) -> float`` (see :mod:`lib.schedules`).
* ``weight_decay`` (every optimizer): decoupled decay as Keras applies it before the update,
  ``w ← w − α·λ·w`` (``α`` the current learning rate); ``clipnorm`` / ``clipvalue`` /
  ``global_clipnorm`` clip the gradients first, as in Keras.
* A step is all-or-nothing: every check (gradient count, shapes, finiteness, the learning rate a
  schedule returns, the hyperparameters) runs before anything is written; a non-finite gradient
  raises ``FloatingPointError`` naming the parameter and the step and changes nothing.

Conventions: where the notes and Keras differ, the default is the notes' (lecture) form and an option
gives Keras'; :func:`from_keras` picks the options that reproduce a given ``tf.keras`` optimizer
exactly.  ``tests/test_optimizers.py`` checks every class against tf.keras over hundreds of steps.
"""

from __future__ import annotations

import copy
import math
import numbers
from typing import Any, Callable, Literal, Union

import numpy as np

from lib import schedules as _schedules
from lib.schedules import _check_bool, _check_real

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "NesterovLookahead",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "Nadam",
    "from_keras",
    "sgd_update",
    "momentum_update",
    "adagrad_update",
    "rmsprop_update",
    "adadelta_update",
    "adam_update",
    "nadam_update",
    "apply_weight_decay",
]

Params = Union[list, tuple, dict]
LearningRate = Union[float, Callable[[int], float]]
EpsilonPlacement = Literal["outside", "inside", "hat"]


# ==============================================================================================
# the update rules (pure math; each updates w and the state arrays in place and returns w)
# ==============================================================================================
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
                s_max: np.ndarray | None = None, tmp: np.ndarray | None = None) -> np.ndarray:
    """Adam, step ``t = 1, 2, …`` (week-10 notes §8; Kingma & Ba, algorithm 1)::

        v ← β₁·v + (1 − β₁)·g                        (momentum, §6)
        s ← β₂·s + (1 − β₂)·g²                       (RMSprop, §7)
        v̂ = v/(1 − β₁^t),  ŝ = s/(1 − β₂^t)          (bias correction, §5)
        w ← w − α·v̂/(√ŝ + ε)                         (epsilon_placement="outside": notes, paper)

    The two other conventions in use differ only in where ``ε`` enters::

        α_t = α·√(1 − β₂^t)/(1 − β₁^t)
        w ← w − α_t·v/(√s + ε̂)                       ("hat": the paper's "ε-hat", tf.keras)
        w ← w − α_t·v/√(s + ε)                       ("inside": the boostcamp post)

    ``"hat"`` with ``ε̂`` equals ``"outside"`` with ``ε = ε̂/√(1 − β₂^t)``, a step-dependent ε
    (about 32 times ``ε̂`` at the first step for β₂ = 0.999).  The code computes ``"outside"`` in the
    same shape, as ``α_t·v/(√s + ε·√(1 − β₂^t))``: the same number without dividing ``s``.

    ``s_max`` (AMSGrad, Reddi et al. 2018; Keras ``amsgrad=True``): ``s_max ← max(s_max, s)`` is used
    in place of ``s`` in the denominator.  ``tmp`` is an optional scratch array like ``w`` (the update
    then allocates nothing).

    Note: the university lecture's algorithm 5-5 differs in two ways that break it (see the notes'
    README): it bias-corrects ``v`` and ``r`` *in place* (the correction compounds from step to step),
    and its ``v ← α₁v − (1 − α₁)g`` followed by ``ΔΘ = −ρ/(ε + √r)·v`` steps uphill.
    """
    if tmp is None:
        tmp = np.empty_like(w)
    # v ← β₁·v + (1 − β₁)·g
    v *= beta_1
    np.multiply(g, 1.0 - beta_1, out=tmp)
    v += tmp
    # s ← β₂·s + (1 − β₂)·g²
    s *= beta_2
    np.square(g, out=tmp)
    tmp *= 1.0 - beta_2
    s += tmp
    if s_max is not None:  # AMSGrad: the largest s so far
        np.maximum(s_max, s, out=s_max)
        s = s_max
    # bias corrections; α_t folds both into the step size (the paper's §2 "ε-hat" form)
    c1 = 1.0 - beta_1**t
    c2 = 1.0 - beta_2**t
    alpha_t = learning_rate * math.sqrt(c2) / c1
    if epsilon_placement == "inside":  # √(s + ε)
        np.add(s, epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
    else:
        np.sqrt(s, out=tmp)
        # "hat": √s + ε̂.  "outside": α·v̂/(√ŝ + ε) = α_t·v/(√s + ε·√(1 − β₂^t)), the same
        # number written without dividing s, which saves a pass over the arrays.
        tmp += epsilon if epsilon_placement == "hat" else epsilon * math.sqrt(c2)
    # w ← w − α_t·v/(…)
    np.divide(v, tmp, out=tmp)
    tmp *= alpha_t
    w -= tmp
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


# ==============================================================================================
# bookkeeping
# ==============================================================================================
#: Elements per block when the Adam-type updates stream large arrays: a block of each array
#: (w, g, v, s and the scratch: 5 × 1 MiB in float32) stays in cache across the update's dozen
#: passes, so main memory sees each array about once per step.  The math is unchanged (elementwise).
BLOCK = 1 << 18


def _blocks(*arrays: np.ndarray | None):
    """Matching flat blocks of same-shape C-contiguous arrays (``None`` entries pass through).

    Arrays of at most :data:`BLOCK` elements, or any that is not C-contiguous, come back whole.
    """
    present = [a for a in arrays if a is not None]
    n = present[0].size
    if n <= BLOCK or not all(a.flags.c_contiguous for a in present):
        yield arrays
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    for start in range(0, n, BLOCK):
        yield tuple(None if f is None else f[start:start + BLOCK] for f in flat)


def _scratch_for(w: np.ndarray, scratch: np.ndarray | None) -> np.ndarray | None:
    """The scratch buffer shaped for ``w``'s blocks (flat ``BLOCK``-sized buffer, or ``w``'s shape)."""
    if scratch is None:
        return None
    return scratch[: w.size].reshape(w.shape) if w.size <= scratch.size else None
def _check_learning_rate(value: Any) -> LearningRate:
    if callable(value):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            "learning_rate must be a finite float >= 0 or a schedule (a callable step -> float), "
            f"got {type(value).__name__}: {value!r}"
        )
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"learning_rate must be a finite float >= 0 or a schedule, got {value!r}")
    return x


def _check_optional(value: Any, name: str, **kwargs: Any) -> float | None:
    return None if value is None else _check_real(value, name, **kwargs)


def _check_placement(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"epsilon_placement must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


class Optimizer:
    """Base class: state, ``iterations``, learning rate, weight decay, clipping and the all-or-nothing ``step``.

    Subclasses define ``_state_names()`` (their per-parameter state), ``_validate()`` (their
    hyperparameters) and ``_update(w, g, state, lr, t, scratch)`` (one parameter, in place).
    """

    #: True only for :class:`NesterovLookahead`, whose ``step`` takes a gradient *function*.
    needs_grad_fn: bool = False
    #: Our state name -> the attribute of the corresponding tf.keras optimizer holding that variable.
    KERAS_STATE: dict[str, str] = {}
    _uses_scratch: bool = False

    def __init__(self, learning_rate: LearningRate, *, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None) -> None:
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self._iterations = 0
        self.state: dict[str, Any] = {}
        self._layout: tuple | None = None  # (container type, keys, shapes, dtypes) once built
        self._scratch: dict[Any, np.ndarray] = {}

    # ------------------------------------------------------------------ hyperparameters
    @property
    def learning_rate(self) -> LearningRate:
        """A float, or a schedule ``step -> float`` evaluated at ``iterations`` (settable)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        self._learning_rate = _check_learning_rate(value)

    @property
    def iterations(self) -> int:
        """Number of steps taken so far (settable, as Keras' ``optimizer.iterations``)."""
        return self._iterations

    @iterations.setter
    def iterations(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"iterations must be an integer >= 0, got {type(value).__name__}: {value!r}")
        if value < 0:
            raise ValueError(f"iterations must be an integer >= 0, got {value!r}")
        self._iterations = int(value)

    @property
    def current_learning_rate(self) -> float:
        """The learning rate the next step will use (the schedule evaluated at ``iterations``)."""
        lr = self._learning_rate
        if not callable(lr):
            return lr
        try:
            value = float(lr(self._iterations))
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"learning_rate schedule {lr!r} did not return a number at step {self._iterations}: {exc}"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                f"learning_rate schedule {lr!r} returned {value!r} at step {self._iterations}; "
                "a learning rate must be a finite float >= 0"
            )
        return value

    def _validate_common(self) -> None:
        self._learning_rate = _check_learning_rate(self._learning_rate)
        self.weight_decay = _check_optional(self.weight_decay, "weight_decay", low=0)
        self.clipnorm = _check_optional(self.clipnorm, "clipnorm", low=0, low_open=True)
        self.clipvalue = _check_optional(self.clipvalue, "clipvalue", low=0, low_open=True)
        self.global_clipnorm = _check_optional(self.global_clipnorm, "global_clipnorm", low=0, low_open=True)
        n_clip = sum(x is not None for x in (self.clipnorm, self.clipvalue, self.global_clipnorm))
        if n_clip > 1:
            raise ValueError(
                "set at most one of clipnorm, clipvalue and global_clipnorm, got "
                f"clipnorm={self.clipnorm}, clipvalue={self.clipvalue}, global_clipnorm={self.global_clipnorm}"
            )

    def _validate(self) -> None:
        """Check the subclass's hyperparameters (called by ``__init__`` and before every step)."""

    def _check_all(self) -> None:
        self._validate_common()
        self._validate()

    # ------------------------------------------------------------------ state
    def _state_names(self) -> tuple[str, ...]:
        return ()

    def _init_state(self, name: str, w: np.ndarray) -> np.ndarray:
        return np.zeros_like(w)

    def _init_global_state(self) -> dict[str, Any]:
        return {}

    def build(self, params: Params) -> None:
        """Create the (zero) state for ``params`` without taking a step (the first ``step`` does it too)."""
        keys = self._check_params(params)
        self._check_all()
        if self._layout is None:
            self._build(params, keys)
        else:
            self._check_layout(params, keys)

    def _build(self, params: Params, keys: list) -> None:
        is_dict = isinstance(params, dict)
        self.state = {}
        for name in self._state_names():
            arrays = [self._init_state(name, params[k]) for k in keys]
            self.state[name] = dict(zip(keys, arrays)) if is_dict else arrays
        self.state.update(self._init_global_state())
        self._scratch = ({k: np.empty(min(params[k].size, BLOCK), params[k].dtype) for k in keys}
                         if self._uses_scratch else {})
        self._layout = (is_dict, tuple(keys), tuple(params[k].shape for k in keys),
                        tuple(params[k].dtype for k in keys), self._state_names())

    def _check_layout(self, params: Params, keys: list) -> None:
        is_dict, keys0, shapes0, dtypes0, names0 = self._layout  # type: ignore[misc]
        if names0 != self._state_names():
            raise ValueError(
                f"the optimizer's state {list(names0)} was built for other hyperparameters (now it would be "
                f"{list(self._state_names())}); call reset() after changing momentum, centered or amsgrad"
            )
        if is_dict != isinstance(params, dict) or tuple(keys) != keys0:
            what = f"keys {sorted(map(str, keys0))}" if is_dict else f"{len(keys0)} arrays in a list"
            raise ValueError(f"the optimizer's state was built for params with {what}; call reset() to use new params")
        for k, shape, dtype in zip(keys, shapes0, dtypes0):
            if params[k].shape != shape or params[k].dtype != dtype:
                raise ValueError(
                    f"params[{k!r}] has shape {params[k].shape} and dtype {params[k].dtype}, but the optimizer's "
                    f"state was built for shape {shape} and dtype {dtype}; call reset() to use new params"
                )

    def reset(self) -> None:
        """Forget the state and set ``iterations`` to 0."""
        self.state = {}
        self._layout = None
        self._scratch = {}
        self._iterations = 0

    # ------------------------------------------------------------------ checks of params and grads
    @staticmethod
    def _check_params(params: Params) -> list:
        if isinstance(params, dict):
            keys = list(params)
        elif isinstance(params, (list, tuple)):
            keys = list(range(len(params)))
        else:
            raise TypeError(f"params must be a list, tuple or dict of NumPy arrays, got {type(params).__name__}")
        if not keys:
            raise ValueError("params is empty: nothing to optimize")
        for k in keys:
            w = params[k]
            if not isinstance(w, np.ndarray):
                raise TypeError(
                    f"params[{k!r}] must be a NumPy array (it is updated in place), got {type(w).__name__}"
                )
            if w.dtype.kind != "f":
                raise TypeError(f"params[{k!r}] must be a floating-point array, got dtype {w.dtype}")
            if not w.flags.writeable:
                raise ValueError(f"params[{k!r}] is read-only; the optimizer updates parameters in place")
        return keys

    def _check_grads(self, params: Params, grads: Any, keys: list) -> list[np.ndarray]:
        if isinstance(params, dict):
            if not isinstance(grads, dict):
                raise TypeError(
                    f"params is a dict, so grads must be a dict with the same keys, got {type(grads).__name__}"
                )
            missing = [k for k in keys if k not in grads]
            extra = [k for k in grads if k not in params]
            if missing or extra:
                raise ValueError(
                    f"grads must have the same keys as params: missing {missing}, unexpected {extra}"
                )
        else:
            if not isinstance(grads, (list, tuple)):
                raise TypeError(f"params is a list, so grads must be a list of arrays, got {type(grads).__name__}")
            if len(grads) != len(keys):
                raise ValueError(
                    f"got {len(grads)} gradients for {len(keys)} parameters; pass one gradient per parameter"
                )
        out = []
        for k in keys:
            w, g = params[k], grads[k]
            try:
                g = np.asarray(g)
            except (TypeError, ValueError):
                raise TypeError(
                    f"grads[{k!r}] must be an array of real numbers, got {type(grads[k]).__name__}"
                ) from None
            if g.dtype.kind not in "iuf":
                raise TypeError(f"grads[{k!r}] must be an array of real numbers, got dtype {g.dtype}")
            if g.shape != w.shape:
                raise ValueError(f"grads[{k!r}] has shape {g.shape}, but params[{k!r}] has shape {w.shape}")
            if g.dtype != w.dtype:
                with np.errstate(over="ignore"):
                    g = g.astype(w.dtype)
            if not np.isfinite(g).all():
                bad = np.argwhere(~np.isfinite(g))[0]
                cast = "" if g.dtype == np.asarray(grads[k]).dtype else f" (after conversion to {g.dtype})"
                raise FloatingPointError(
                    f"non-finite gradient for params[{k!r}] at step {self._iterations + 1} "
                    f"(iterations={self._iterations}): {g[tuple(bad)]} at index {tuple(int(i) for i in bad)}"
                    f"{cast}; no parameter, state or iterations was changed"
                )
            out.append(g)
        return out

    def _clip(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """Keras' gradient clipping (new arrays; the caller's gradients are never modified)."""
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:  # per tensor: g·c / max(‖g‖, c)
            c = self.clipnorm
            return [g * c / max(float(np.sqrt(np.sum(g * g))), c) for g in grads]
        if self.global_clipnorm is not None:  # all tensors together: g·c·min(1/‖G‖, 1/c)
            c = self.global_clipnorm
            norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
            scale = c * min(1.0 / norm if norm > 0 else math.inf, 1.0 / c)
            return [g * scale for g in grads]
        return grads

    # ------------------------------------------------------------------ the step
    def step(self, params: Params, grads: Any) -> Params:
        """Update ``params`` in place with ``grads`` (same structure and shapes) and return ``params``.

        Nothing is changed unless the whole step succeeds: all checks come first.
        """
        keys = self._check_params(params)
        grads = self._check_grads(params, grads, keys)
        self._check_all()
        lr = self.current_learning_rate
        if self._layout is None:
            self._build(params, keys)
        else:
            self._check_layout(params, keys)
        self._commit_guarded(params, keys, self._clip(grads), lr)
        return params

    def _commit_guarded(self, params: Params, keys: list, grads: list[np.ndarray], lr: float) -> None:
        """:meth:`_commit`, made safe for ``epsilon == 0`` (the notes' formulas without ε).

        With ``ε = 0`` a zero gradient on a zero accumulator divides 0 by 0.  Such a step is applied
        to a snapshot-protected copy: if any parameter or state entry comes out non-finite, everything
        is restored and ``FloatingPointError`` is raised, so there is never a silent NaN.  (With
        ``ε > 0``, the normal case, no snapshot is taken: the step is as fast as before.)
        """
        if getattr(self, "epsilon", None) != 0:
            self._commit(params, keys, grads, lr)
            return
        saved_params = {k: params[k].copy() for k in keys}
        saved_state = copy.deepcopy(self.state)
        saved_iterations = self._iterations
        with np.errstate(divide="ignore", invalid="ignore"):
            self._commit(params, keys, grads, lr)
        arrays = [(f"params[{k!r}]", params[k]) for k in keys]
        arrays += [(f"state[{name!r}][{k!r}]", self.state[name][k]) for name in self._state_names() for k in keys]
        bad = next((label for label, a in arrays if not np.isfinite(a).all()), None)
        if bad is not None:
            for k in keys:
                np.copyto(params[k], saved_params[k])
            self.state, self._iterations = saved_state, saved_iterations
            raise FloatingPointError(
                f"{bad} would become non-finite at step {saved_iterations + 1} with epsilon=0 (0/0 where the "
                "gradient and its accumulator are both zero); use epsilon > 0. No parameter, state or "
                "iterations was changed"
            )

    def _commit(self, params: Params, keys: list, grads: list[np.ndarray], lr: float) -> None:
        """Everything was checked: apply weight decay and the update to every parameter, count the step."""
        t = self._iterations + 1
        self._begin_step(t)
        for k, g in zip(keys, grads):
            w = params[k]
            if self.weight_decay is not None:
                apply_weight_decay(w, lr, self.weight_decay)
            state = {name: self.state[name][k] for name in self._state_names()}
            self._update(w, g, state, lr, t, self._scratch.get(k))
        self._iterations = t

    def _begin_step(self, t: int) -> None:
        """Per-step (not per-parameter) state changes, e.g. Nadam's Π_t."""

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], lr: float, t: int,
                scratch: np.ndarray | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ description
    _config_names: tuple[str, ...] = ()

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments."""
        config = {"learning_rate": self._learning_rate}
        config.update({n: getattr(self, n) for n in self._config_names})
        for n in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
            config[n] = getattr(self, n)
        return config

    def __repr__(self) -> str:
        config = self.get_config()
        defaults = {"weight_decay": None, "clipnorm": None, "clipvalue": None, "global_clipnorm": None}
        args = ", ".join(f"{k}={v!r}" for k, v in config.items() if not (k in defaults and v is None))
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent with optional momentum, in Keras' velocity form — see :func:`sgd_update`.

    ``SGD(α)`` is the lecture's plain gradient descent ``w ← w − α·g`` (algorithm 5-1, week-10
    notes §1); ``momentum=μ`` gives ``v ← μv − αg, w ← w + v`` (university lecture eq. 5.12) and
    ``nesterov=True`` Keras' reformulated Nesterov momentum.  Same arguments and defaults as
    ``keras.optimizers.SGD``.  State: ``v`` (only when ``momentum > 0``).
    """

    KERAS_STATE = {"v": "momentums"}
    _config_names = ("momentum", "nesterov")

    def __init__(self, learning_rate: LearningRate = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = momentum
        self.nesterov = nesterov
        self._check_all()

    def _validate(self) -> None:
        self.momentum = _check_real(self.momentum, "momentum", low=0, high=1, high_open=True)
        self.nesterov = _check_bool(self.nesterov, "nesterov")

    def _state_names(self) -> tuple[str, ...]:
        return ("v",) if self.momentum > 0 else ()

    def _update(self, w, g, state, lr, t, scratch):
        sgd_update(w, g, state.get("v"), learning_rate=lr, momentum=self.momentum, nesterov=self.nesterov)


class Momentum(Optimizer):
    """Momentum as the week-10 notes §6 write it: ``v ← βv + (1 − β)g, w ← w − αv``.

    The math is :func:`momentum_update`.

    ``dampening=False`` drops the ``(1 − β)`` (the boostcamp post's ``a ← βa + g``; the
    university lecture's eq. 5.12 with ``ρ`` folded into ``v``).  Converting to Keras: this is
    ``keras.optimizers.SGD(learning_rate=α·(1 − β), momentum=β)`` (damped) or
    ``SGD(learning_rate=α, momentum=β)`` (undamped); Keras' velocity is ``−α·v`` in both cases.
    State: ``v``.
    """

    _config_names = ("beta", "dampening")

    def __init__(self, learning_rate: LearningRate = 0.01, beta: float = 0.9, dampening: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta = beta
        self.dampening = dampening
        self._check_all()

    def _validate(self) -> None:
        self.beta = _check_real(self.beta, "beta", low=0, high=1, high_open=True)
        self.dampening = _check_bool(self.dampening, "dampening")

    def _state_names(self) -> tuple[str, ...]:
        return ("v",)

    def _update(self, w, g, state, lr, t, scratch):
        momentum_update(w, g, state["v"], learning_rate=lr, beta=self.beta, dampening=self.dampening)


class NesterovLookahead(Momentum):
    """Nesterov's accelerated gradient in its look-ahead form (boostcamp post §3; university lecture algorithm 5-2)::

        g = ∇L(w − α·β·v)                 the gradient at the look-ahead point
        v ← β·v + g                       (dampening=True: β·v + (1 − β)·g)
        w ← w − α·v

    It needs the gradient at a point other than ``w``, so :meth:`step` takes a gradient
    *function*: ``step(params, grad_fn)`` with ``grad_fn(lookahead_params) -> grads`` (same
    container type as ``params``); ``needs_grad_fn = True`` tells ``lib.runner`` so.

    Keras' ``SGD(learning_rate=α, momentum=β, nesterov=True)`` is the same method written in the
    look-ahead point ``φ = w − αβv``: started from the same point, Keras' iterate equals our ``φ`` at
    every step (for ``dampening=False``; ``tests/test_optimizers.py`` checks it).
    Algorithm 5-2's ``θ̃ = θ + αv, v ← αv − ρg, θ ← θ + v`` is this with ``v_5-2 = −ρ·v``.
    State: ``v``.
    """

    needs_grad_fn = True

    def __init__(self, learning_rate: LearningRate = 0.01, beta: float = 0.9, dampening: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, beta, dampening, **kwargs)

    def lookahead(self, params: Params) -> Params:
        """The look-ahead point ``w − α·β·v`` (after weight decay, if any) as new arrays."""
        keys = self._check_params(params)
        lr = self.current_learning_rate
        out = {} if isinstance(params, dict) else [None] * len(keys)
        for k in keys:
            w = params[k]
            point = w - w * self.weight_decay * lr if self.weight_decay is not None else w.copy()
            if self._layout is not None:
                point -= self.state["v"][k] * (lr * self.beta)
            out[k] = point
        return out if not isinstance(params, tuple) else tuple(out)

    def step(self, params: Params, grad_fn: Callable[[Params], Any]) -> Params:  # type: ignore[override]
        """Call ``grad_fn(lookahead_params) -> grads`` once, at ``w − αβv``, then update ``v`` and ``w``."""
        if not callable(grad_fn):
            raise TypeError(
                "NesterovLookahead.step(params, grad_fn) needs a gradient function grad_fn(params) -> grads "
                f"(it evaluates the gradient at the look-ahead point), got {type(grad_fn).__name__}"
            )
        keys = self._check_params(params)
        self._check_all()
        if self._layout is not None:
            self._check_layout(params, keys)
        lr = self.current_learning_rate
        grads = self._check_grads(params, grad_fn(self.lookahead(params)), keys)
        if self._layout is None:
            self._build(params, keys)
        self._commit_guarded(params, keys, self._clip(grads), lr)
        return params


class Adagrad(Optimizer):
    """AdaGrad (university lecture algorithm 5-3) — see :func:`adagrad_update`.

    Lecture defaults: ``r`` starts at 0 and ``ε`` is outside the root, ``α/(ε + √r)``.  Keras:
    ``initial_accumulator_value=0.1, epsilon_placement="inside"`` (``α/√(r + ε)``, as the
    boostcamp post writes it).  State: ``r``.
    """

    KERAS_STATE = {"r": "_accumulators"}
    _config_names = ("initial_accumulator_value", "epsilon", "epsilon_placement")

    def __init__(self, learning_rate: LearningRate = 0.001, initial_accumulator_value: float = 0.0,
                 epsilon: float = 1e-7, epsilon_placement: Literal["outside", "inside"] = "outside",
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon
        self.epsilon_placement = epsilon_placement
        self._check_all()

    def _validate(self) -> None:
        self.initial_accumulator_value = _check_real(self.initial_accumulator_value, "initial_accumulator_value", low=0)
        self.epsilon = _check_real(self.epsilon, "epsilon", low=0)
        self.epsilon_placement = _check_placement(self.epsilon_placement, ("outside", "inside"))

    def _state_names(self) -> tuple[str, ...]:
        return ("r",)

    def _init_state(self, name, w):
        return np.full_like(w, self.initial_accumulator_value)

    def _update(self, w, g, state, lr, t, scratch):
        adagrad_update(w, g, state["r"], learning_rate=lr, epsilon=self.epsilon,
                       epsilon_placement=self.epsilon_placement)


class RMSprop(Optimizer):
    """RMSProp (week-10 notes §7; university lecture algorithm 5-4) — see :func:`rmsprop_update`.

    ``rho`` is the notes' ``β₂`` (algorithm 5-4's ``α``).  Lecture default: ``ε`` outside the root,
    ``α·g/(√s + ε)``; Keras: ``epsilon_placement="inside"`` (``α·g/√(s + ε)``, as the boostcamp
    post writes it).  ``momentum`` and ``centered`` are Keras' variants.
    State: ``s``; ``v`` if ``momentum > 0``; ``g_avg`` if ``centered``.
    """

    KERAS_STATE = {"s": "_velocities", "v": "_momentums", "g_avg": "_average_gradients"}
    _config_names = ("rho", "momentum", "epsilon", "centered", "epsilon_placement")

    def __init__(self, learning_rate: LearningRate = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-8, centered: bool = False,
                 epsilon_placement: Literal["outside", "inside"] = "outside", **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        self.epsilon_placement = epsilon_placement
        self._check_all()

    def _validate(self) -> None:
        self.rho = _check_real(self.rho, "rho", low=0, high=1, high_open=True)
        self.momentum = _check_real(self.momentum, "momentum", low=0, high=1, high_open=True)
        self.epsilon = _check_real(self.epsilon, "epsilon", low=0)
        self.centered = _check_bool(self.centered, "centered")
        self.epsilon_placement = _check_placement(self.epsilon_placement, ("outside", "inside"))

    def _state_names(self) -> tuple[str, ...]:
        return ("s",) + (("v",) if self.momentum > 0 else ()) + (("g_avg",) if self.centered else ())

    def _update(self, w, g, state, lr, t, scratch):
        rmsprop_update(w, g, state["s"], learning_rate=lr, rho=self.rho, epsilon=self.epsilon,
                       epsilon_placement=self.epsilon_placement, momentum=self.momentum,
                       v=state.get("v"), g_avg=state.get("g_avg"))


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012; boostcamp post §5) — see :func:`adadelta_update`.

    Paper defaults (``learning_rate=1``: Adadelta needs none, ``rho=0.95``, ``ε=1e-6``); Keras
    multiplies the step by its ``learning_rate`` (default 0.001) and uses ``ε=1e-7``.
    State: ``s`` (EWMA of g²), ``h`` (EWMA of Δw²).
    """

    KERAS_STATE = {"s": "_accumulated_grads", "h": "_accumulated_delta_vars"}
    _config_names = ("rho", "epsilon")

    def __init__(self, learning_rate: LearningRate = 1.0, rho: float = 0.95, epsilon: float = 1e-6,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon
        self._check_all()

    def _validate(self) -> None:
        self.rho = _check_real(self.rho, "rho", low=0, high=1, high_open=True)
        self.epsilon = _check_real(self.epsilon, "epsilon", low=0)

    def _state_names(self) -> tuple[str, ...]:
        return ("s", "h")

    def _update(self, w, g, state, lr, t, scratch):
        adadelta_update(w, g, state["s"], state["h"], learning_rate=lr, rho=self.rho, epsilon=self.epsilon)


class Adam(Optimizer):
    """Adam (week-10 notes §8) — see :func:`adam_update`.

    Defaults are the notes' (and the paper's): ``α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8`` added
    to ``√ŝ`` after bias correction (``epsilon_placement="outside"``).  tf.keras' ``Adam`` is
    ``epsilon_placement="hat", epsilon=1e-7``; ``"inside"`` is the boostcamp post's form.
    ``amsgrad=True`` is AMSGrad.  State: ``v`` (first moment), ``s`` (second moment), ``s_max``
    (AMSGrad only).
    """

    KERAS_STATE = {"v": "_momentums", "s": "_velocities", "s_max": "_velocity_hats"}
    _config_names = ("beta_1", "beta_2", "epsilon", "amsgrad", "epsilon_placement")
    _uses_scratch = True

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, amsgrad: bool = False, epsilon_placement: EpsilonPlacement = "outside",
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.epsilon_placement = epsilon_placement
        self._check_all()

    def _validate(self) -> None:
        self.beta_1 = _check_real(self.beta_1, "beta_1", low=0, high=1, high_open=True)
        self.beta_2 = _check_real(self.beta_2, "beta_2", low=0, high=1, high_open=True)
        self.epsilon = _check_real(self.epsilon, "epsilon", low=0)
        self.amsgrad = _check_bool(self.amsgrad, "amsgrad")
        self.epsilon_placement = _check_placement(self.epsilon_placement, ("outside", "hat", "inside"))

    def _state_names(self) -> tuple[str, ...]:
        return ("v", "s", "s_max") if self.amsgrad else ("v", "s")

    def _update(self, w, g, state, lr, t, scratch):
        for w_, g_, v_, s_, s_max_ in _blocks(w, g, state["v"], state["s"], state.get("s_max")):
            adam_update(w_, g_, v_, s_, t, learning_rate=lr, beta_1=self.beta_1, beta_2=self.beta_2,
                        epsilon=self.epsilon, epsilon_placement=self.epsilon_placement, s_max=s_max_,
                        tmp=_scratch_for(w_, scratch))


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter): Adam with decoupled weight decay ``w ← w − α·λ·w`` before each Adam update.

    The decay does not pass through ``v`` and ``s`` — unlike an L2 term ``λ‖w‖²`` in the loss,
    whose gradient Adam would rescale per coordinate.  As in Keras (and PyTorch) the decay is scaled by
    the current learning rate ``α``; ``weight_decay`` defaults to Keras' 0.004 and must be given.
    """

    def __init__(self, learning_rate: LearningRate = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8, amsgrad: bool = False,
                 epsilon_placement: EpsilonPlacement = "outside", **kwargs: Any) -> None:
        if weight_decay is None:
            raise ValueError("weight_decay must be a float >= 0 for AdamW (use Adam for no decay), got None")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         epsilon_placement=epsilon_placement, weight_decay=weight_decay, **kwargs)


class Nadam(Optimizer):
    """Nadam (Dozat 2016): Adam with Nesterov momentum — see :func:`nadam_update`.

    ``momentum_decay`` is ψ in the momentum schedule ``μ_t = β₁(1 − ½·0.96^(ψt))``: the paper
    (and PyTorch) use ψ = 0.004, tf.keras 3 uses ``0.96^t``, i.e. ψ = 1 (:func:`from_keras` sets it).
    State: ``v``, ``s`` and the float ``mu_product`` = Π_t = μ_1·…·μ_t.
    """

    KERAS_STATE = {"v": "_momentums", "s": "_velocities", "mu_product": "_u_product"}
    _config_names = ("beta_1", "beta_2", "epsilon", "momentum_decay")
    _uses_scratch = True

    def __init__(self, learning_rate: LearningRate = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, momentum_decay: float = 0.004, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.momentum_decay = momentum_decay
        self._check_all()

    def _validate(self) -> None:
        self.beta_1 = _check_real(self.beta_1, "beta_1", low=0, high=1, high_open=True)
        self.beta_2 = _check_real(self.beta_2, "beta_2", low=0, high=1, high_open=True)
        self.epsilon = _check_real(self.epsilon, "epsilon", low=0)
        self.momentum_decay = _check_real(self.momentum_decay, "momentum_decay", low=0)

    def _state_names(self) -> tuple[str, ...]:
        return ("v", "s")

    def _init_global_state(self) -> dict[str, Any]:
        return {"mu_product": 1.0}

    def _begin_step(self, t: int) -> None:
        self.state["mu_product"] *= nesterov_momentum_factor(t, self.beta_1, self.momentum_decay)

    def _update(self, w, g, state, lr, t, scratch):
        mu_t = nesterov_momentum_factor(t, self.beta_1, self.momentum_decay)
        mu_next = nesterov_momentum_factor(t + 1, self.beta_1, self.momentum_decay)
        for w_, g_, v_, s_ in _blocks(w, g, state["v"], state["s"]):
            nadam_update(w_, g_, v_, s_, t, learning_rate=lr, beta_1=self.beta_1, beta_2=self.beta_2,
                         epsilon=self.epsilon, mu_t=mu_t, mu_next=mu_next, mu_product=self.state["mu_product"],
                         tmp=_scratch_for(w_, scratch))


# ==============================================================================================
# from tf.keras
# ==============================================================================================
_UNSUPPORTED_KERAS = {
    "use_ema": lambda v: bool(v),
    "gradient_accumulation_steps": lambda v: v is not None,
    "loss_scale_factor": lambda v: v is not None,
}


def _keras_learning_rate(config: dict[str, Any]) -> LearningRate:
    lr = config["learning_rate"]
    if isinstance(lr, dict):
        if lr.get("module") != "keras.optimizers.schedules" or "class_name" not in lr:
            raise NotImplementedError(f"cannot convert the Keras learning rate {lr.get('class_name', lr)!r}")
        return _schedules.from_config(lr["class_name"], lr["config"])
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise NotImplementedError(f"cannot convert the Keras learning rate {lr!r} (a callable without a config?)")
    return float(lr)


def from_keras(keras_optimizer: Any) -> Optimizer:
    """The :mod:`lib.optimizers` optimizer that reproduces a ``tf.keras`` optimizer exactly.

    Handles ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``, ``Adadelta`` and ``Nadam``, with
    their configuration (including the ε convention), ``weight_decay``, gradient clipping and a
    ``keras.optimizers.schedules`` learning rate (converted with :func:`lib.schedules.from_keras`).
    If the Keras optimizer has already taken steps, ``iterations`` and its state (as lists aligned
    with the variables it was built on) are copied too.  Settings with no counterpart here
    (``use_ema``, ``gradient_accumulation_steps``, ``loss_scale_factor``, variables excluded from weight
    decay) raise ``NotImplementedError`` naming the setting instead of being ignored.

    Only the object's class name, ``get_config()`` and variables are used (no TensorFlow import).

    "Exactly" has one caveat, in float64: Keras casts several Python-float hyperparameters
    (``momentum``, ``beta_1``, ``beta_2``, ``rho``, the learning rate, Adagrad's initial accumulator …)
    through float32 before casting them to the variables' dtype (``ops.cast(0.9, "float64")`` is
    0.8999999761581421).  The optimizer returned here keeps the configured values (apart from
    Adagrad's accumulator), so with float64 variables it agrees with Keras to about 1e-7 relative
    unless the values are float32-representable (0.875, 2⁻⁵ …), when the agreement is to rounding
    error; in float32 the two agree to float32 rounding either way.
    """
    name = type(keras_optimizer).__name__
    if not hasattr(keras_optimizer, "get_config"):
        raise TypeError(f"keras_optimizer must be a keras.optimizers.Optimizer, got {name}")
    config = keras_optimizer.get_config()
    for key, is_set in _UNSUPPORTED_KERAS.items():
        if is_set(config.get(key)):
            raise NotImplementedError(f"Keras setting {key}={config[key]!r} has no counterpart in lib.optimizers")
    if getattr(keras_optimizer, "_exclude_from_weight_decay", None) or getattr(
        keras_optimizer, "_exclude_from_weight_decay_pattern", None
    ) is not None:
        raise NotImplementedError("Keras exclude_from_weight_decay(...) has no counterpart in lib.optimizers")

    common = {
        "learning_rate": _keras_learning_rate(config),
        "weight_decay": config.get("weight_decay"),
        "clipnorm": config.get("clipnorm"),
        "clipvalue": config.get("clipvalue"),
        "global_clipnorm": config.get("global_clipnorm"),
    }
    # Keras skips clipping for a clip value of 0 ("if self.clipnorm and self.clipnorm > 0")
    for key in ("clipnorm", "clipvalue", "global_clipnorm"):
        if not common[key]:
            common[key] = None
    c = config
    if name == "SGD":
        opt: Optimizer = SGD(momentum=float(c["momentum"]), nesterov=bool(c["nesterov"]), **common)
    elif name in ("Adam", "AdamW"):
        cls = Adam if name == "Adam" else AdamW
        opt = cls(beta_1=c["beta_1"], beta_2=c["beta_2"], epsilon=c["epsilon"], amsgrad=c["amsgrad"],
                  epsilon_placement="hat", **common)
    elif name == "RMSprop":
        opt = RMSprop(rho=c["rho"], momentum=c["momentum"], epsilon=c["epsilon"], centered=c["centered"],
                      epsilon_placement="inside", **common)
    elif name == "Adagrad":
        opt = Adagrad(initial_accumulator_value=float(np.float32(c["initial_accumulator_value"])), epsilon=c["epsilon"],
                      epsilon_placement="inside", **common)
    elif name == "Adadelta":
        opt = Adadelta(rho=c["rho"], epsilon=c["epsilon"], **common)
    elif name == "Nadam":
        opt = Nadam(beta_1=c["beta_1"], beta_2=c["beta_2"], epsilon=c["epsilon"], momentum_decay=1.0, **common)
    else:
        raise NotImplementedError(
            f"no lib.optimizers counterpart for Keras optimizer {name}; supported: "
            "SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Nadam"
        )

    iterations = getattr(keras_optimizer, "iterations", None)
    if iterations is not None:
        opt.iterations = int(np.asarray(iterations.numpy() if hasattr(iterations, "numpy") else iterations))
    if getattr(keras_optimizer, "built", False) and getattr(keras_optimizer, "_trainable_variables", None):
        _copy_keras_state(opt, keras_optimizer)
    return opt


def _copy_keras_state(opt: Optimizer, keras_optimizer: Any) -> None:
    """Copy a built Keras optimizer's variables into ``opt.state`` (lists aligned with its variables)."""
    def value(x: Any) -> np.ndarray:
        return np.array(x.numpy() if hasattr(x, "numpy") else x)

    variables = [value(v) for v in keras_optimizer._trainable_variables]
    opt._build(variables, list(range(len(variables))))
    for ours, theirs in opt.KERAS_STATE.items():
        if ours not in opt.state:
            continue
        keras_value = getattr(keras_optimizer, theirs)
        if isinstance(opt.state[ours], list):
            opt.state[ours] = [value(x).astype(w.dtype) for x, w in zip(keras_value, variables)]
        else:
            opt.state[ours] = float(value(keras_value))
