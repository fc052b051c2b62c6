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

from lib._checks import check_finite, real_array

__all__ = ["run"]


def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"steps must be a non-negative integer, got {steps!r}")
    if steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    return int(steps)


def _check_start(w0) -> np.ndarray:
    w = real_array(w0, "w0", what="a 1-D array of real numbers", copy=True)  # the caller's array is never modified
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w0 must be a 1-D array with at least one entry (a point), got shape {w.shape}")
    return check_finite(w, "w0")


class _Diverged(Exception):
    """Raised inside a look-ahead optimizer's gradient function when a point or gradient overflows."""


def _updater(optimizer, grad: Callable[[np.ndarray], np.ndarray]):
    """``(update, takes_grad)``: ``update(w, g) -> new w`` or, for look-ahead optimizers, ``update(w)``."""
    if hasattr(optimizer, "step"):
        if not callable(optimizer.step):
            raise TypeError(f"optimizer.step must be callable, got {type(optimizer.step).__name__}")
        if getattr(optimizer, "needs_grad_fn", False):

            def grad_fn(params: list[np.ndarray]) -> list[np.ndarray]:
                grads = []
                for p in params:
                    if not np.all(np.isfinite(p)):
                        raise _Diverged  # the look-ahead point overflowed
                    g = np.asarray(grad(p))
                    if not np.all(np.isfinite(g)):
                        raise _Diverged
                    grads.append(g)
                return grads

            def update_lookahead(w: np.ndarray) -> np.ndarray:
                params = [w.copy()]
                out = optimizer.step(params, grad_fn)
                return np.asarray((params if out is None else out)[0])

            return update_lookahead, False

        def update_step(w: np.ndarray, g: np.ndarray) -> np.ndarray:
            params = [w.copy()]
            out = optimizer.step(params, [g])
            return np.asarray((params if out is None else out)[0])

        return update_step, True
    if callable(optimizer):

        def update_function(w: np.ndarray, g: np.ndarray) -> np.ndarray:
            return np.asarray(optimizer(w.copy(), g))

        return update_function, True
    raise TypeError(
        "optimizer must be an object with a step(params, grads) method (lib.optimizers) or a function "
        f"update(w, g) -> new w, got {type(optimizer).__name__}"
    )


def run(optimizer, landscape, w0, steps: int) -> np.ndarray:
    """Apply ``steps`` updates from ``w0``; return the iterates as rows, shape ``(steps + 1, d)``.

    Row 0 is ``w0``, row ``t`` the point after ``t`` updates.  At each step the gradient
    ``g = landscape.grad(w)`` is computed at the current point and ``optimizer`` makes the update:

    * a ``lib.optimizers`` object: ``optimizer.step([w], [g])`` (it updates the list in place and
      returns it); it keeps its state (velocity, accumulators, step count) between the steps, so
      pass a fresh optimizer to each run;
    * an object with ``needs_grad_fn = True`` (look-ahead Nesterov, which evaluates the gradient
      at a point of its choosing): ``optimizer.step([w], grad_fn)`` with
      ``grad_fn(params_list) -> [landscape.grad(p) for p in params_list]``;
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
    steps = _check_steps(steps)
    w = _check_start(w0)
    grad = getattr(landscape, "grad", None)
    if not callable(grad):
        raise TypeError(f"landscape must have a grad(w) method (e.g. a lib.landscapes.Landscape), got {type(landscape).__name__}")
    update, takes_grad = _updater(optimizer, grad)
    trajectory = np.empty((steps + 1, w.size), dtype=w.dtype)
    trajectory[0] = w
    n_rows = 1
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            if takes_grad:
                g = np.asarray(grad(w.copy()))
                if not np.all(np.isfinite(g)):
                    break  # the gradient overflowed: the next point cannot be finite
                new = update(w, g)
            else:
                try:
                    new = update(w)
                except _Diverged:
                    break
            if new.shape != w.shape:
                raise ValueError(f"the update must return a point of shape {w.shape}, got shape {new.shape}")
            if not np.all(np.isfinite(new)):
                break
            w = new.astype(w.dtype, copy=True)
            trajectory[n_rows] = w
            n_rows += 1
    return trajectory[:n_rows].copy()
