"""Learning-rate schedules: the decays of the week-10 notes §9 (학습률 감쇠), with Keras' names.

Every schedule is a callable ``schedule(step) -> float`` of the optimizer's step counter ``step`` =
``iterations`` = the number of updates taken so far (0 for the first update), exactly as
``keras.optimizers.schedules`` sees it; an array of steps gives an array of rates (handy for plots).
Pass one as ``learning_rate`` to any optimizer in :mod:`lib.optimizers`.

The notes' decays and where they live here (``α₀`` = ``initial_learning_rate``; an *epoch* is
``decay_steps`` optimizer steps, e.g. ``decay_steps = steps_per_epoch``):

==============================================  ==============================================
week-10 notes §9                                this module
==============================================  ==============================================
``α = 1/(1 + decay_rate·epoch) · α₀``          :class:`InverseTimeDecay` (Keras has it)
``α = 0.95^epoch · α₀``  (지수적 감쇠)          :class:`ExponentialDecay` (``decay_rate=0.95``)
``α = k/√epoch · α₀``  or ``k/√t · α₀``        :class:`InverseSqrtDecay` (Keras lacks it)
discrete staircase: halve every few epochs      :class:`StepDecay` (Keras lacks the name;
(이산 계단 방법)                                ``ExponentialDecay(..., staircase=True)``)
==============================================  ==============================================

plus Keras' :class:`PiecewiseConstantDecay`, :class:`PolynomialDecay`, :class:`CosineDecay` (with
linear warm-up) and :class:`CosineDecayRestarts` (SGDR), so that
:func:`lib.keras_compat.schedule_from_keras` can convert any built-in Keras schedule.

Counting epochs: the notes' table (α₀ = 0.2, decay_rate = 1 gives 0.1, 0.067, 0.05, 0.04 for
epochs 1-4) is ``InverseTimeDecay(0.2, decay_steps=1, decay_rate=1)`` at steps 1-4; at step 0 (the
very first update) a Keras-style schedule gives α₀.  ``k/√epoch`` is infinite at epoch 0, so
:class:`InverseSqrtDecay` counts epochs from 1: ``α = k·α₀/√(1 + step/decay_steps)``.

Numbers: the formulas are evaluated in float64.  Keras evaluates them in the dtype of
``initial_learning_rate`` (float32 for a Python float), so the two agree to float32 rounding
(relative difference ≲ 1e-6); ``tests/test_schedules.py`` checks that for every class.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from lib.checks import check_bool, check_float

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "InverseSqrtDecay",
    "StepDecay",
]


def _as_steps(step: Any) -> tuple[np.ndarray, bool]:
    """``step`` as a float64 array (and whether it was a scalar); steps must be finite and >= 0."""
    if isinstance(step, bool) or isinstance(step, np.bool_):
        raise TypeError(f"step must be a non-negative number (or an array of them), got {step!r}")
    try:
        s = np.asarray(step)
    except (TypeError, ValueError):
        raise TypeError(f"step must be a non-negative number (or an array of them), got {step!r}") from None
    if s.dtype.kind not in "iuf":
        raise TypeError(f"step must be a non-negative number (or an array of them), got {step!r}")
    s = s.astype(np.float64)
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError(f"step must be finite and >= 0, got {step!r}")
    return s, s.ndim == 0


# ----------------------------------------------------------------------------------------------
# base class
# ----------------------------------------------------------------------------------------------
class LearningRateSchedule:
    """Base class: ``schedule(step) -> float`` (``step`` = updates taken so far, from 0).

    Subclasses implement :meth:`rate`, the formula (vectorised over a float64 array of steps, no
    checks: ``__call__`` checks ``step`` and calls it), and list their
    constructor arguments in ``_params`` (used by :meth:`get_config` and ``repr``).
    """

    _params: tuple[str, ...] = ()

    def __call__(self, step: Any) -> float | np.ndarray:
        s, scalar = _as_steps(step)
        rate = np.asarray(self.rate(s), dtype=np.float64)
        return float(rate) if scalar else rate

    def rate(self, step: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """The learning rate at each entry of ``step`` (a float64 array of valid steps): the formula."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (the same keys as the Keras class's ``get_config()``, minus ``name``)."""
        return {p: getattr(self, p) for p in self._params}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()  # type: ignore[union-attr]

    __hash__ = None  # type: ignore[assignment]


class ExponentialDecay(LearningRateSchedule):
    """``α = α₀ · decay_rate^(step/decay_steps)`` — week-10 notes §9, 지수적 감쇠 ``0.95^epoch·α₀``.

    With ``staircase=True`` the exponent is ``⌊step/decay_steps⌋`` (the rate drops once per
    ``decay_steps`` steps, e.g. once per epoch).  Same arguments as
    ``keras.optimizers.schedules.ExponentialDecay``.
    """

    _params = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase")

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False) -> None:
        self.initial_learning_rate = check_float(initial_learning_rate, "initial_learning_rate", "[0, inf)")
        self.decay_steps = check_float(decay_steps, "decay_steps", "(0, inf)", keep_int=True)
        self.decay_rate = check_float(decay_rate, "decay_rate", "(0, inf)")
        self.staircase = check_bool(staircase, "staircase")

    def rate(self, step: np.ndarray) -> np.ndarray:
        p = step / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.initial_learning_rate * self.decay_rate**p


class InverseTimeDecay(LearningRateSchedule):
    """``α = α₀/(1 + decay_rate·step/decay_steps)``: week-10 notes §9, ``α = 1/(1 + decay_rate·epoch)·α₀``.

    ``decay_steps = steps_per_epoch`` with ``staircase=True`` is the notes' per-epoch formula
    (``⌊step/decay_steps⌋`` = epochs completed).  Same arguments as
    ``keras.optimizers.schedules.InverseTimeDecay``.
    """

    _params = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase")

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False) -> None:
        self.initial_learning_rate = check_float(initial_learning_rate, "initial_learning_rate", "[0, inf)")
        self.decay_steps = check_float(decay_steps, "decay_steps", "(0, inf)", keep_int=True)
        self.decay_rate = check_float(decay_rate, "decay_rate", "[0, inf)")
        self.staircase = check_bool(staircase, "staircase")

    def rate(self, step: np.ndarray) -> np.ndarray:
        p = step / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``,
    ``values[-1]`` after ``boundaries[-1]`` — the hand-made staircase (이산 계단) of week-10 notes §9.

    Same arguments and the same (inclusive-upper-boundary) convention as
    ``keras.optimizers.schedules.PiecewiseConstantDecay``.
    """

    _params = ("boundaries", "values")

    def __init__(self, boundaries: list[float], values: list[float]) -> None:
        if not isinstance(boundaries, (list, tuple, np.ndarray)) or not isinstance(values, (list, tuple, np.ndarray)):
            raise TypeError(
                f"boundaries and values must be lists of numbers, got {type(boundaries).__name__} "
                f"and {type(values).__name__}"
            )
        b = [check_float(x, f"boundaries[{i}]", keep_int=True) for i, x in enumerate(boundaries)]
        v = [check_float(x, f"values[{i}]", "[0, inf)") for i, x in enumerate(values)]
        if len(v) != len(b) + 1:
            raise ValueError(
                f"values must have one more entry than boundaries, got {len(b)} boundaries and {len(v)} values"
            )
        if any(b2 <= b1 for b1, b2 in zip(b, b[1:])):
            raise ValueError(f"boundaries must be strictly increasing, got {list(boundaries)!r}")
        self.boundaries = b
        self.values = v

    def rate(self, step: np.ndarray) -> np.ndarray:
        # index i such that boundaries[i-1] < step <= boundaries[i]  (side="left" -> first b >= step)
        idx = np.searchsorted(np.asarray(self.boundaries, dtype=np.float64), step, side="left")
        return np.asarray(self.values, dtype=np.float64)[idx]


class PolynomialDecay(LearningRateSchedule):
    """``α = (α₀ − α_end)·(1 − min(step, decay_steps)/decay_steps)^power + α_end``.

    With ``cycle=True`` the horizon grows to the first multiple of ``decay_steps`` above ``step``.
    ``power=1`` is a linear decay.  Same arguments as ``keras.optimizers.schedules.PolynomialDecay``.
    """

    _params = ("initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle")

    def __init__(self, initial_learning_rate: float, decay_steps: float, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False) -> None:
        self.initial_learning_rate = check_float(initial_learning_rate, "initial_learning_rate", "[0, inf)")
        self.decay_steps = check_float(decay_steps, "decay_steps", "(0, inf)", keep_int=True)
        self.end_learning_rate = check_float(end_learning_rate, "end_learning_rate", "[0, inf)")
        self.power = check_float(power, "power", "[0, inf)")
        self.cycle = check_bool(cycle, "cycle")

    def rate(self, step: np.ndarray) -> np.ndarray:
        if self.cycle:
            horizon = self.decay_steps * np.where(step == 0, 1.0, np.ceil(step / self.decay_steps))
        else:
            horizon = self.decay_steps
            step = np.minimum(step, self.decay_steps)
        p = step / horizon
        return (self.initial_learning_rate - self.end_learning_rate) * (1.0 - p) ** self.power + self.end_learning_rate


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter's SGDR without restarts), optionally after a linear warm-up.

    Without warm-up (``warmup_target=None``)::

        α = α₀ · ((1 − alpha) · ½(1 + cos(π · min(step, decay_steps)/decay_steps)) + alpha)

    With warm-up, the rate first rises linearly from ``α₀`` to ``warmup_target`` over
    ``warmup_steps`` steps, then decays as above from ``warmup_target`` (in place of ``α₀``) over
    ``decay_steps`` steps.  Same arguments and semantics as ``keras.optimizers.schedules.CosineDecay``.
    """

    _params = ("initial_learning_rate", "decay_steps", "alpha", "warmup_target", "warmup_steps")

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 warmup_target: float | None = None, warmup_steps: float = 0) -> None:
        self.initial_learning_rate = check_float(initial_learning_rate, "initial_learning_rate", "[0, inf)")
        self.decay_steps = check_float(decay_steps, "decay_steps", "(0, inf)", keep_int=True)
        self.alpha = check_float(alpha, "alpha", "[0, 1]")
        self.warmup_target = None if warmup_target is None else check_float(warmup_target, "warmup_target", "[0, inf)")
        self.warmup_steps = check_float(warmup_steps, "warmup_steps", "[0, inf)", keep_int=True)

    def _cosine(self, step: np.ndarray, peak: float) -> np.ndarray:
        decayed = (1.0 - self.alpha) * 0.5 * (1.0 + np.cos(np.pi * step / self.decay_steps)) + self.alpha
        return peak * decayed

    def rate(self, step: np.ndarray) -> np.ndarray:
        if self.warmup_target is None:
            return self._cosine(np.minimum(step, self.decay_steps), self.initial_learning_rate)
        step = np.minimum(step, self.decay_steps + self.warmup_steps)
        fraction = step / self.warmup_steps if self.warmup_steps > 0 else np.zeros_like(step)  # unused if 0
        warm = self.initial_learning_rate + (self.warmup_target - self.initial_learning_rate) * fraction
        decay = self._cosine(np.maximum(step - self.warmup_steps, 0.0), self.warmup_target)
        return np.where(step < self.warmup_steps, warm, decay)


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods of ``first_decay_steps·t_mul^i`` steps, the
    ``i``-th one starting from ``α₀·m_mul^i`` (``t_mul >= 1``).  Same arguments as
    ``keras.optimizers.schedules.CosineDecayRestarts`` (and the same formula: the floor ``alpha`` is
    not scaled by ``m_mul^i``)."""

    _params = ("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha")

    def __init__(self, initial_learning_rate: float, first_decay_steps: float, t_mul: float = 2.0,
                 m_mul: float = 1.0, alpha: float = 0.0) -> None:
        self.initial_learning_rate = check_float(initial_learning_rate, "initial_learning_rate", "[0, inf)")
        self.first_decay_steps = check_float(first_decay_steps, "first_decay_steps", "(0, inf)", keep_int=True)
        # t_mul < 1 (shrinking periods) would end the schedule after first_decay_steps/(1 − t_mul)
        # steps, after which the formula is NaN; SGDR uses t_mul >= 1
        self.t_mul = check_float(t_mul, "t_mul", "[1, inf)")
        self.m_mul = check_float(m_mul, "m_mul", "[0, inf)")
        self.alpha = check_float(alpha, "alpha", "[0, 1]")

    def rate(self, step: np.ndarray) -> np.ndarray:
        fraction = step / self.first_decay_steps
        if self.t_mul == 1.0:
            i_restart = np.floor(fraction)
            fraction = fraction - i_restart
        else:
            i_restart = np.floor(np.log(1.0 - fraction * (1.0 - self.t_mul)) / np.log(self.t_mul))
            done = (1.0 - self.t_mul**i_restart) / (1.0 - self.t_mul)  # length of the finished periods
            fraction = (fraction - done) / self.t_mul**i_restart
        cosine = 0.5 * self.m_mul**i_restart * (1.0 + np.cos(np.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)


# ----------------------------------------------------------------------------------------------
# the notes' decays that Keras lacks
# ----------------------------------------------------------------------------------------------
class InverseSqrtDecay(LearningRateSchedule):
    """The notes' ``α = k/√epoch·α₀`` (week-10 §9), epochs counted from 1: ``α = k·α₀/√(1 + p)``.

    ``p = step/decay_steps`` is the number of epochs completed.

    ``decay_steps`` is the length of an "epoch" in optimizer steps (1 gives the notes' ``k/√t·α₀``
    with ``t = step + 1``); ``staircase=True`` uses whole epochs ``⌊step/decay_steps⌋``.
    Keras has no counterpart (``tests/test_schedules.py`` checks it against a direct evaluation).
    """

    _params = ("initial_learning_rate", "decay_steps", "k", "staircase")

    def __init__(self, initial_learning_rate: float, decay_steps: float = 1, k: float = 1.0,
                 staircase: bool = False) -> None:
        self.initial_learning_rate = check_float(initial_learning_rate, "initial_learning_rate", "[0, inf)")
        self.decay_steps = check_float(decay_steps, "decay_steps", "(0, inf)", keep_int=True)
        self.k = check_float(k, "k", "[0, inf)")
        self.staircase = check_bool(staircase, "staircase")

    def rate(self, step: np.ndarray) -> np.ndarray:
        p = step / self.decay_steps
        if self.staircase:
            p = np.floor(p)
        return self.k * self.initial_learning_rate / np.sqrt(1.0 + p)


class StepDecay(LearningRateSchedule):
    """The notes' discrete staircase (이산 계단 방법, week-10 §9): multiply the rate by ``factor``
    (½ in the notes) every ``decay_steps`` steps, ``α = α₀ · factor^⌊step/decay_steps⌋``.

    It is ``ExponentialDecay(α₀, decay_steps, factor, staircase=True)`` under the name PyTorch gives it
    (``StepLR``); Keras has no class of that name.
    """

    _params = ("initial_learning_rate", "decay_steps", "factor")

    def __init__(self, initial_learning_rate: float, decay_steps: float, factor: float = 0.5) -> None:
        self.initial_learning_rate = check_float(initial_learning_rate, "initial_learning_rate", "[0, inf)")
        self.decay_steps = check_float(decay_steps, "decay_steps", "(0, inf)", keep_int=True)
        self.factor = check_float(factor, "factor", "[0, 1]")

    def rate(self, step: np.ndarray) -> np.ndarray:
        return self.initial_learning_rate * self.factor ** np.floor(step / self.decay_steps)
