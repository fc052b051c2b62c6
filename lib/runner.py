"""Run an update rule on a landscape and record the path: the experiment behind every contour plot.

The slides' "vanilla gradient descent" (study slides "Lecture 3 Optimization", §3)::

    while True:
        weights_grad = evaluate_gradient(loss_fun, data, weights)
        weights += - step_size * weights_grad

is, with a fixed number of steps and the iterates kept, :func:`run` with the update
``lambda w, g: w - step_size * g``.  The same runner drives every optimizer of the book
(``lib.optimizers``), so their paths can be drawn on one contour plot (:mod:`lib.plotting`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lib import checks

__all__ = ["run"]


def _check_start(w0) -> np.ndarray:
    w = checks.real_array(w0, "w0", what="a 1-D array of real numbers", copy=True)  # never the caller's array
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w0 must be a 1-D array with at least one entry (a point), got shape {w.shape}")
    return checks.check_finite(w, "w0")


def _updater(optimizer, grad: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray | None]:
    """``update(w) -> new w`` (a new array), or ``None`` when the step cannot be finite (divergence)."""
    if hasattr(optimizer, "step"):
        if not callable(optimizer.step):
            raise TypeError(f"optimizer.step must be callable, got {type(optimizer.step).__name__}")
        lookahead = getattr(optimizer, "lookahead", None)

        def update_step(w: np.ndarray) -> np.ndarray | None:
            params = [w.copy()]
            point = lookahead(params) if lookahead is not None else params  # where to take the gradient
            g = np.asarray(grad(np.array(point[0], copy=True)))
            if not np.all(np.isfinite(g)):
                return None  # the gradient overflowed: the next point cannot be finite
            try:
                out = optimizer.step(params, [g])
            except FloatingPointError:  # a lib optimizer refuses a step that would overflow
                return None
            return np.asarray((params if out is None else out)[0])

        return update_step
    if callable(optimizer):

        def update_function(w: np.ndarray) -> np.ndarray | None:
            g = np.asarray(grad(w.copy()))
            if not np.all(np.isfinite(g)):
                return None
            return np.asarray(optimizer(w.copy(), g))

        return update_function
    raise TypeError(
        "optimizer must be an object with a step(params, grads) method (lib.optimizers) or a function "
        f"update(w, g) -> new w, got {type(optimizer).__name__}"
    )


def run(optimizer, landscape, w0, steps: int) -> np.ndarray:
    """Apply ``steps`` updates from ``w0``; return the iterates as rows, shape ``(steps + 1, d)``.

    Row 0 is ``w0``, row ``t`` the point after ``t`` updates.  At each step the gradient
    ``g = landscape.grad(w)`` is computed at the current point and ``optimizer`` makes the update:

    * a ``lib.optimizers`` object (anything with ``step(params, grads)``): the gradient is taken at
      ``optimizer.lookahead([w])`` — ``w`` itself for all but look-ahead Nesterov — and passed to
      ``optimizer.step([w], [g])`` (which updates the list in place and returns it).  The optimizer
      keeps its state (velocity, accumulators, step count) between the steps, so pass a fresh
      optimizer to each run;
    * a plain function ``update(w, g) -> new w``, e.g. gradient descent ``lambda w, g: w - 0.2 * g``.

    ``landscape`` is anything with a ``grad(w)`` method (a :class:`lib.landscapes.Landscape`).
    ``w0`` is copied; the caller's array is never modified, and every update receives a copy of
    the current point, so a rule that works in place cannot corrupt the recorded rows.

    **Divergence stays visible.**  If an update produces a non-finite point, or the gradient at the
    current point is non-finite (overflow to ``inf`` or ``nan``: the learning rate is too large),
    the run stops there and returns the finite rows so far, so the result has *fewer* than
    ``steps + 1`` rows; ``len(result) - 1`` is the number of finite steps taken.  (Overflow warnings on the way there are silenced: divergence is an outcome
    this function reports, not an error.)  The dtype of the result is ``w0``'s (float64 for
    integer input).
    """
    steps = checks.check_int(steps, "steps", "[0, inf)")
    w = _check_start(w0)
    grad = getattr(landscape, "grad", None)
    if not callable(grad):
        raise TypeError(f"landscape must have a grad(w) method (e.g. a lib.landscapes.Landscape), got {type(landscape).__name__}")
    update = _updater(optimizer, grad)
    trajectory = np.empty((steps + 1, w.size), dtype=w.dtype)
    trajectory[0] = w
    n_rows = 1
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            new = update(w)
            if new is None:
                break
            if new.shape != w.shape:
                raise ValueError(f"the update must return a point of shape {w.shape}, got shape {new.shape}")
            if not np.all(np.isfinite(new)):
                break
            w = new.astype(w.dtype, copy=True)
            trajectory[n_rows] = w
            n_rows += 1
    return trajectory[:n_rows].copy()
