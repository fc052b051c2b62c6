"""Input checks shared by the ``lib`` modules, so that every function reports bad input alike:
``TypeError`` for the wrong kind of value, ``ValueError`` for a wrong value, each naming the argument,
what it got and what is allowed."""

from __future__ import annotations

import numpy as np


def real_array(value, name: str, *, what: str = "an array of real numbers", copy: bool = False) -> np.ndarray:
    """``value`` as a floating NumPy array: float16/32/64 kept, bool and int promoted to float64.

    ``copy=True`` always returns a new array (for functions that must never touch the caller's data).
    Raises ``TypeError`` naming ``name`` for anything that is not an array of real numbers.
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
    """``a`` itself if every entry is finite; otherwise ``ValueError`` showing the first bad value."""
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values, got {a[~np.isfinite(a)].flat[0]}")
    return a
