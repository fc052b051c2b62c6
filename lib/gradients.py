"""Numerical gradients by finite differences, and the gradient check.

Mirrors the study slides "Lecture 3 Optimization", §2 "Follow the slope": the slope along one
coordinate is the limit of a difference quotient,

    ∂J/∂w_i = lim_{h→0} (J(w + h e_i) − J(w)) / h,

so perturbing one weight at a time by a small ``h`` (the slides use ``h = 0.0001``) and re-evaluating
the loss estimates the gradient — the *numerical gradient* (수치 미분).  It is approximate and slow
(one or two loss evaluations per parameter); the *analytic gradient* (해석 미분), from a formula or
backpropagation, is exact and costs about one evaluation.  In practice one derives the analytic
gradient and checks it against the numerical one: the *gradient check*.

* :func:`numerical_gradient` — forward ``(J(w + h e_i) − J(w)) / h`` (error O(h)) or central
  ``(J(w + h e_i) − J(w − h e_i)) / 2h`` (error O(h²)) differences, every coordinate of ``w``.
* :func:`gradient_check` — the relative error ``‖g_a − g_n‖ / (‖g_a‖ + ‖g_n‖)`` between an analytic
  and a numerical gradient (the form of Andrew Ng's "gradient checking"; below ~1e-7 is right,
  above ~1e-3 is almost surely a bug).
* :func:`hessian_vector_product` and :func:`largest_hessian_eigenvalue` — second derivatives from
  first ones: ``H v ≈ (∇J(w + h v) − ∇J(w − h v)) / 2h`` and power iteration on it, for the curvature
  ("sharpness") of a network's loss without ever forming its Hessian.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np

from lib.checks import check_choice, check_finite, check_float, check_int, check_seed, real_array

__all__ = ["numerical_gradient", "gradient_check", "relative_error"]

_METHODS = ("forward", "central")


def _as_point(w, name: str = "w") -> np.ndarray:
    """A private floating copy of ``w`` (float kept, bool/int promoted to float64), all finite."""
    a = real_array(w, name, copy=True)  # a copy: the caller's array is never touched
    if a.size == 0:
        raise ValueError(f"{name} must have at least one entry, got shape {a.shape}")
    return check_finite(a, name)


def _scalar(value, where: str) -> float:
    """The loss value ``f`` returned, as a Python float; it must be a finite real scalar."""
    v = np.asarray(value)
    if v.size != 1 or v.dtype.kind not in "biuf":
        raise TypeError(f"f must return a real scalar (the loss), got {type(value).__name__} of shape {v.shape} {where}")
    x = float(v.reshape(()))
    if not math.isfinite(x):
        raise ValueError(f"f returned a non-finite value {x} {where}; the numerical gradient is undefined there")
    return x


def _check_numerical_gradient_args(f, w, h, method) -> tuple[np.ndarray, float]:
    """The argument checks of :func:`numerical_gradient`; returns a private copy of ``w`` and ``h``."""
    if not callable(f):
        raise TypeError(f"f must be a callable f(w) -> scalar loss, got {type(f).__name__}")
    x = _as_point(w)
    h = check_float(h, "h", "(0, inf)")
    check_choice(method, "method", _METHODS)
    return x, h


def numerical_gradient(
    f: Callable[[np.ndarray], float],
    w,
    h: float = 1e-5,
    method: Literal["forward", "central"] = "central",
) -> np.ndarray:
    """Finite-difference estimate of ``∇f(w)``, one coordinate at a time (slides §2, "W + h").

    For each index ``i`` of ``w`` (any shape, e.g. a weight matrix ``W``)::

        forward:  g_i = (f(w + h e_i) − f(w)) / h                 (n + 1 evaluations of f, error O(h))
        central:  g_i = (f(w + h e_i) − f(w − h e_i)) / (2h)       (2n evaluations of f, error O(h²))

    where ``e_i`` is the unit vector of index ``i`` and ``n = w.size``.  ``f`` takes an array of
    ``w``'s shape and returns the scalar loss.  ``f`` receives a private copy of ``w`` in which one
    entry at a time is perturbed and then restored exactly; the caller's ``w`` is never modified.

    The result has ``w``'s shape and dtype (integer ``w`` is promoted to float64).  In float64,
    ``h ≈ 1e-5`` balances the O(h²) truncation error of central differences against the
    ``ε_machine / h`` rounding error; in float32 use ``h ≈ 1e-2`` to ``1e-3``.

    Raises ``TypeError``/``ValueError`` for a non-callable ``f``, non-finite ``w``, a non-positive
    ``h``, an unknown ``method``, or when ``f`` returns something other than a finite scalar.
    """
    x, h = _check_numerical_gradient_args(f, w, h, method)  # x: a private copy of w
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)  # a view of the private copy
    f0 = _scalar(f(x), "at w") if method == "forward" else None
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = _scalar(f(x), f"at w + h·e_{i}")
        if method == "forward":
            flat[i] = old
            grad.flat[i] = (f_plus - f0) / h
        else:
            flat[i] = old - h
            f_minus = _scalar(f(x), f"at w − h·e_{i}")
            flat[i] = old
            grad.flat[i] = (f_plus - f_minus) / (2 * h)
    return grad.astype(x.dtype, copy=False)


def relative_error(a, b) -> float:
    """``‖a − b‖₂ / (‖a‖₂ + ‖b‖₂)``, in [0, 1]; 0 when both are zero.  Shapes must match."""
    a = _as_point(a, "a").astype(np.float64)
    b = _as_point(b, "b").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradient_check(
    f: Callable[[np.ndarray], float],
    grad,
    w,
    *,
    h: float = 1e-5,
    method: Literal["forward", "central"] = "central",
) -> float:
    """Relative error between an analytic gradient and the numerical one at ``w``.

    ``grad`` is either a callable ``grad(w) -> array`` (the analytic gradient, e.g.
    ``landscape.grad``) or the gradient array itself.  Returns::

        ‖g_analytic − g_numerical‖₂ / (‖g_analytic‖₂ + ‖g_numerical‖₂)

    with ``g_numerical = numerical_gradient(f, w, h, method)``: 0 for a perfect match, 1 when one of
    them is zero and the other is not.  With central differences in float64 a correct gradient
    gives about 1e-8 or less on smooth functions; more than ~1e-4 means a bug (or a kink, e.g. a
    ReLU, within ``h`` of ``w``).  Neither ``w`` nor anything the caller owns is modified.
    """
    x = _as_point(w)
    g_numerical = numerical_gradient(f, x, h=h, method=method)
    g_analytic = grad(x.copy()) if callable(grad) else grad
    g_analytic = _as_point(g_analytic, "grad")
    if g_analytic.shape != x.shape:
        raise ValueError(f"grad must have w's shape {x.shape}, got {g_analytic.shape}")
    return relative_error(g_analytic, g_numerical)


# ----------------------------------------------------------------------------------------------
# second derivatives from gradients
# ----------------------------------------------------------------------------------------------
def _as_parts(w, name: str) -> list[np.ndarray]:
    """One array, or a list/tuple of arrays (a network's parameters), as a list of float arrays."""
    parts = list(w) if isinstance(w, (list, tuple)) else [w]
    if not parts:
        raise ValueError(f"{name} must be an array or a non-empty list of arrays, got an empty {type(w).__name__}")
    return [_as_point(p, f"{name}[{i}]" if isinstance(w, (list, tuple)) else name) for i, p in enumerate(parts)]


def _like(w, parts: list[np.ndarray]):
    return parts if isinstance(w, (list, tuple)) else parts[0]


def hessian_vector_product(grad: Callable, w, v, *, h: float = 1e-6):
    """``H(w)·v`` by central differences of the analytic gradient: ``(∇J(w + h v) − ∇J(w − h v)) / 2h``.

    ``w`` and ``v`` are one array or lists of arrays of the same shapes (e.g. an MLP's ``params``);
    ``grad(w) -> gradient`` in the same structure.  Costs two gradient evaluations, error O(h²) for a
    smooth loss; keep ``h`` small where the loss has kinks (ReLU) so that ``w ± h v`` stays on one side
    of them (``h = 1e-6`` with ``‖v‖ = 1``).  ``w`` and ``v`` are not modified.
    """
    h = check_float(h, "h", "(0, inf)")
    if not callable(grad):
        raise TypeError(f"grad must be a function w -> gradient, got {type(grad).__name__}")
    ws, vs = _as_parts(w, "w"), _as_parts(v, "v")
    if [a.shape for a in ws] != [a.shape for a in vs]:
        raise ValueError(f"v must have w's shapes {[a.shape for a in ws]}, got {[a.shape for a in vs]}")
    g_plus = _as_parts(grad(_like(w, [a + h * d for a, d in zip(ws, vs)])), "grad(w + h·v)")
    g_minus = _as_parts(grad(_like(w, [a - h * d for a, d in zip(ws, vs)])), "grad(w − h·v)")
    if [a.shape for a in g_plus] != [a.shape for a in ws] or [a.shape for a in g_minus] != [a.shape for a in ws]:
        raise ValueError(f"grad must return w's shapes {[a.shape for a in ws]}")
    return _like(w, [(p - m) / (2 * h) for p, m in zip(g_plus, g_minus)])


def largest_hessian_eigenvalue(grad: Callable, w, *, iterations: int = 20, h: float = 1e-6, seed: int = 0) -> float:
    """The Hessian eigenvalue of largest magnitude at ``w``, by power iteration on
    :func:`hessian_vector_product` (the Rayleigh quotient ``vᵀHv`` of the last, normalised ``v``).

    Starts from a random direction (fixed by ``seed``); each iteration costs two gradient
    evaluations.  Converges at the rate ``|λ₂/λ₁|``: check with more ``iterations`` when the top two
    eigenvalues are close.  At a minimum all eigenvalues are ≥ 0, so this is the curvature of the
    sharpest direction, ``λ_max``.
    """
    iterations = check_int(iterations, "iterations", "[1, inf)")
    seed = check_seed(seed)
    ws = _as_parts(w, "w")
    rng = np.random.default_rng(int(seed))
    v = [rng.standard_normal(a.shape) for a in ws]
    rayleigh = 0.0
    for _ in range(int(iterations)):
        norm = math.sqrt(sum(float(np.sum(d * d)) for d in v))
        if norm == 0.0:
            return 0.0  # H v = 0: v is in the null space, and so was every earlier direction
        v = [d / norm for d in v]
        hv = _as_parts(hessian_vector_product(grad, _like(w, ws), _like(w, v), h=h), "H·v")
        rayleigh = sum(float(np.sum(a * b)) for a, b in zip(hv, v))
        v = hv
    return rayleigh
