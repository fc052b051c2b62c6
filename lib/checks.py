"""Argument checks for every public function of ``lib``: one vocabulary, one message style.

A bad argument raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong
value), and the message says what the argument must be and what it got, as scikit-learn does::

    learning_rate must be a positive float, got -0.1
    beta must be a float in [0, 1), got 1.0
    steps must be a non-negative integer, got -1

Ranges are written in interval notation, ``"[0, 1)"``, ``"(0, inf)"`` …; the four common ones read as
words (:func:`describe`):

==============  ==============================
interval        reads
==============  ==============================
``(0, inf)``    a positive float / integer
``[0, inf)``    a non-negative float / integer
``[1, inf)``    (integers) a positive integer
``(-inf, inf)`` a finite float
==============  ==============================

These checks belong at API boundaries (a constructor, a setter, a public function); the kernels a
chapter shows (``lib.updates``, ``lib.data.minibatch_indices`` …) trust their arguments.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Union

import numpy as np

__all__ = [
    "Interval",
    "interval",
    "describe",
    "check_float",
    "check_int",
    "check_bool",
    "check_choice",
    "check_learning_rate",
    "check_seed",
    "as_generator",
    "real_array",
    "float_array",
    "check_finite",
    "check_labels",
    "check_targets",
]


class Interval(NamedTuple):
    """A real interval; ``low``/``high`` may be ±inf; ``*_open`` says whether the end is excluded."""

    low: float
    high: float
    low_open: bool
    high_open: bool

    def __contains__(self, x: object) -> bool:
        x = float(x)  # type: ignore[arg-type]
        if not (self.low < x if self.low_open else self.low <= x):
            return False
        return x < self.high if self.high_open else x <= self.high

    def __str__(self) -> str:
        def end(v: float) -> str:
            return "inf" if v == math.inf else "-inf" if v == -math.inf else f"{v:g}"

        return f"{'(' if self.low_open else '['}{end(self.low)}, {end(self.high)}{')' if self.high_open else ']'}"


@functools.lru_cache(maxsize=None)
def interval(spec: str) -> Interval:
    """Parse interval notation: ``interval("[0, 1)") == Interval(0.0, 1.0, False, True)``.

    Infinite ends are always open (``"[0, inf)"``; ``"[0, inf]"`` is rejected as a typo).
    """
    s = spec.strip()
    try:
        lo_s, hi_s = s[1:-1].split(",")
        low, high = float(lo_s), float(hi_s)
    except ValueError:
        raise ValueError(f"interval must look like '[0, 1)' or '(0, inf)', got {spec!r}") from None
    if s[0] not in "[(" or s[-1] not in ")]" or low > high or (math.isinf(low) and s[0] == "[") or (
        math.isinf(high) and s[-1] == "]"
    ):
        raise ValueError(f"interval must look like '[0, 1)' or '(0, inf)', got {spec!r}")
    return Interval(low, high, s[0] == "(", s[-1] == ")")


_WORDS = {
    ("(0, inf)", "float"): "a positive float",
    ("[0, inf)", "float"): "a non-negative float",
    ("(-inf, inf)", "float"): "a finite float",
    ("(0, inf)", "integer"): "a positive integer",
    ("[1, inf)", "integer"): "a positive integer",
    ("[0, inf)", "integer"): "a non-negative integer",
    ("(-inf, inf)", "integer"): "an integer",
}


def describe(spec: str, kind: str = "float") -> str:
    """What a value in ``spec`` is called in messages: ``describe("[0, 1)") == "a float in [0, 1)"``."""
    key = str(interval(spec))
    if (key, kind) in _WORDS:
        return _WORDS[key, kind]
    iv = interval(spec)
    if math.isinf(iv.high):
        return f"a {kind} {'>' if iv.low_open else '>='} {iv.low:g}"
    if math.isinf(iv.low):
        return f"a {kind} {'<' if iv.high_open else '<='} {iv.high:g}"
    return f"a {kind} in {key}"


def check_float(value: Any, name: str, spec: str = "(-inf, inf)", *, allow_none: bool = False,
                keep_int: bool = False) -> Any:
    """``value`` as a Python float in the interval ``spec`` (always finite), else TypeError/ValueError.

    ``allow_none=True`` lets ``None`` through (an unset option); ``keep_int=True`` returns an integer
    as an ``int`` (step counts read better that way).
    """
    if value is None and allow_none:
        return None
    what = describe(spec) + (" or None" if allow_none else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}: {value!r}")
    x = float(value)
    if not math.isfinite(x) or x not in interval(spec):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    if keep_int and isinstance(value, numbers.Integral):
        return int(value)
    return x


def check_int(value: Any, name: str, spec: str = "[0, inf)", *, allow_none: bool = False) -> Any:
    """``value`` as a Python int in ``spec`` (bools and floats are rejected), else TypeError/ValueError."""
    if value is None and allow_none:
        return None
    what = describe(spec, "integer") + (" or None" if allow_none else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}: {value!r}")
    if int(value) not in interval(spec):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool (``True``/``False`` or a NumPy bool only; 0 and 1 are rejected)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r}")
    return bool(value)


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> Any:
    """``value`` itself if it is one of ``choices``, else ValueError listing them."""
    if not any(value == c and type(value) is type(c) for c in choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


LearningRate = Union[float, Callable[[int], float]]


def check_learning_rate(value: Any, name: str = "learning_rate") -> LearningRate:
    """A non-negative float, or a schedule (any callable ``step -> float``, returned as is)."""
    if callable(value):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a non-negative float or a schedule (a callable step -> float), "
            f"got {type(value).__name__}: {value!r}"
        )
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a non-negative float or a schedule, got {value!r}")
    return x


def check_seed(seed: Any, name: str = "seed") -> int:
    """A seed for ``np.random.default_rng``: a non-negative integer."""
    return check_int(seed, name, "[0, inf)")


def as_generator(seed: Any, name: str = "seed") -> np.random.Generator:
    """A ``np.random.Generator`` from a non-negative int, a Generator (returned as is) or None (fresh entropy)."""
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(check_seed(seed, name))


def real_array(value: Any, name: str, *, what: str = "an array of real numbers", copy: bool = False) -> np.ndarray:
    """``value`` as a floating NumPy array: float16/32/64 kept, bool and int promoted to float64.

    ``copy=True`` always returns a new array (for functions that must never touch the caller's data).
    """
    try:
        a = np.array(value) if copy else np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists, ...
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}: {exc}") from None
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    if a.dtype.kind != "f":
        raise TypeError(f"{name} must be {what}, got dtype {a.dtype}")
    return a


def check_finite(a: np.ndarray, name: str) -> np.ndarray:
    """``a`` itself if every entry is finite; otherwise ValueError showing the first bad value."""
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values, got {a[~np.isfinite(a)].flat[0]}")
    return a


def float_array(x: Any, name: str) -> np.ndarray:
    """``x`` as a floating array (:func:`real_array`) whose entries are all finite (:func:`check_finite`)."""
    return check_finite(real_array(x, name), name)


def check_labels(y: Any, n_classes: int, n_samples: int, name: str = "y") -> np.ndarray:
    """Integer class labels, shape ``(n_samples,)``, values in ``[0, n_classes)``, as int64.

    Floats are accepted only when every value is a whole number (e.g. labels read from a CSV);
    ``n_samples = -1`` accepts any length.
    """
    try:
        a = np.asarray(y)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of integer class labels, got {type(y).__name__}: {exc}") from None
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer class labels, got shape {a.shape}")
    if n_samples >= 0 and a.shape[0] != n_samples:
        raise ValueError(f"{name} must have one label per sample ({n_samples}), got {a.shape[0]} labels")
    if a.dtype.kind == "b" or a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold integer class labels, got dtype {a.dtype}")
    if a.dtype.kind == "f":
        not_whole = ~np.isfinite(a) | (a != np.round(a))
        if np.any(not_whole):
            raise ValueError(f"{name} must hold integer class labels, got {a[not_whole][0].item()!r}")
    out_of_range = (a < 0) | (a >= n_classes)
    if np.any(out_of_range):
        bad = a[out_of_range][0].item()
        raise ValueError(f"{name} must hold class labels in [0, {n_classes}), got {bad!r}")
    return a.astype(np.int64)


def check_targets(y: Any, n_classes: int, n_samples: int, dtype, name: str = "y") -> np.ndarray:
    """The targets of ``n_samples`` samples as rows of class probabilities ``(n_samples, n_classes)`` in ``dtype``.

    ``y`` is either integer class labels ``(n_samples,)`` (:func:`check_labels`; returned one-hot)
    or target distributions ``(n_samples, n_classes)``: one-hot, smoothed, mixup or CutMix rows of
    finite non-negative numbers, each summing to 1 (to ``√ε`` of ``y``'s float type, so float32
    mixing round-off passes); ``n_samples = -1`` accepts any number of rows.
    """
    try:
        a = np.asarray(y)
    except (TypeError, ValueError) as exc:  # ragged nested lists, ...
        raise TypeError(f"{name} must be integer class labels or target distributions, got {type(y).__name__}: {exc}") from None
    rows = n_samples if n_samples >= 0 else "m"
    wanted = f"integer labels ({rows},) or target distributions ({rows}, {n_classes}) (rows of class probabilities)"
    if a.ndim == 1:
        return np.eye(n_classes, dtype=dtype)[check_labels(a, n_classes, n_samples, name)]
    if a.ndim != 2 or (n_samples >= 0 and a.shape[0] != n_samples) or a.shape[1] != n_classes:
        raise ValueError(f"{name} must be {wanted}, got shape {a.shape}")
    t = float_array(a, name)
    if np.any(t < 0):
        raise ValueError(f"{name} must hold non-negative class probabilities, got {t[t < 0][0].item()!r}")
    sums = t.sum(axis=1)
    off = np.abs(sums - 1) > math.sqrt(np.finfo(t.dtype).eps)
    if np.any(off):
        row = int(np.flatnonzero(off)[0])
        raise ValueError(f"{name} must hold target distributions whose rows sum to 1, "
                         f"got row {row} summing to {sums[row].item()!r}")
    return t.astype(dtype, copy=False)
