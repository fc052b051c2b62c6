"""Run an update rule on a landscape and record the path: the experiment behind every contour plot.

The slides' "vanilla gradient descent" (study slides "Lecture 3 Optimization", §3)::

    while True:
        weights_grad = evaluate_gradient(loss_fun, data, weights)
        weights += - step_size * weights_grad

is, with a fixed number of steps and the iterates kept, :func:`run` with the update
``lambda w, g: w - step_size * g``; the loop itself is :func:`descend` (``run`` checks its arguments
and adapts an optimizer object to ``update(w, g)``).  The same runner drives every optimizer of the book
(``lib.optimizers``), so their paths can be drawn on one contour plot (:mod:`lib.plotting`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lib import checks

__all__ = ["run", "descend"]


def _check_start(w0) -> np.ndarray:
    w = checks.real_array(w0, "w0", what="a 1-D array of real numbers", copy=True)  # never the caller's array
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w0 must be a 1-D array with at least one entry (a point), got shape {w.shape}")
    return checks.check_finite(w, "w0")


def _as_protocol(optimizer) -> tuple[Callable, Callable]:
    """``(lookahead, update)`` for :func:`descend`: ``lookahead(w)`` is where the gradient is taken and
    ``update(w, g)`` returns the next point as a new array (None if a lib optimizer refused an overflowing step)."""
    if hasattr(optimizer, "step"):
        if not callable(optimizer.step):
            raise TypeError(f"optimizer.step must be callable, got {type(optimizer.step).__name__}")
        optimizer_lookahead = getattr(optimizer, "lookahead", None)

        def lookahead(w: np.ndarray) -> np.ndarray:
            return np.array(optimizer_lookahead([w])[0]) if optimizer_lookahead is not None else w

        def update(w: np.ndarray, g: np.ndarray) -> np.ndarray | None:
            params = [w.copy()]  # the optimizer works in place: never on a recorded row
            try:
                out = optimizer.step(params, [g])
            except FloatingPointError:  # the step would overflow: lib optimizers refuse it
                return None
            return np.asarray((params if out is None else out)[0])

        return lookahead, update
    if callable(optimizer):
        return (lambda w: w), (lambda w, g: np.asarray(optimizer(w.copy(), g)))
    raise TypeError(
        "optimizer must be an object with a step(params, grads) method (lib.optimizers) or a function "
        f"update(w, g) -> new w, got {type(optimizer).__name__}"
    )


def descend(update: Callable, grad: Callable, w0: np.ndarray, steps: int,
            lookahead: Callable = lambda w: w) -> np.ndarray:
    """The loop of :func:`run` (no checks): ``steps`` updates from ``w0``, the iterates as rows.

    ``update(w, g)`` returns the next point; ``lookahead(w)`` is where the gradient is evaluated
    (``w`` itself for every method but look-ahead Nesterov).  Stops at the first non-finite gradient
    or point (divergence) and returns the finite rows so far.
    """
    path = [w0]
    w = w0
    for _ in range(steps):
        g = np.asarray(grad(lookahead(w.copy())))  # weights_grad = evaluate_gradient(loss_fun, data, weights)
        if not np.all(np.isfinite(g)):
            break  # the gradient overflowed: the next point cannot be finite
        new = update(w, g)  # weights += - step_size * weights_grad, or the optimizer's step
        if new is None or not np.all(np.isfinite(new)):
            break  # diverged
        if new.shape != w.shape:
            raise ValueError(f"the update must return a point of shape {w.shape}, got shape {new.shape}")
        w = new.astype(w0.dtype, copy=True)
        path.append(w)
    return np.array(path)


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
    lookahead, update = _as_protocol(optimizer)
    with np.errstate(over="ignore", invalid="ignore"):
        return descend(update, grad, w, steps, lookahead)
