"""Two-dimensional test functions ("loss landscapes") with analytic gradient and Hessian.

The study slides "Lecture 3 Optimization" (§1) picture the loss as a mountain range: the height is
the loss, and training means walking downhill.  In two dimensions we can draw the whole mountain,
so every optimizer in the book is first run on these surfaces and drawn on their contour plots.

* :func:`lecture_quadratic` — ``J(w) = (w1 − 2)² + 4(w2 − 1)²``, the university lecture's worked
  examples 5-2 (gradient descent) and 5-3 (Newton's method).
* :func:`quadratic` — ``J(w) = ½ (w − c)ᵀ A (w − c)`` with Hessian eigenvalues ``scale`` and
  ``scale·κ``: a knob for the condition number κ (조건수), optionally rotated.
* :func:`rosenbrock` — the curved banana valley ``(a − w1)² + b(w2 − w1²)²``.
* :func:`beale` — Beale's function, flat plateaus and steep walls, minimum at ``(3, 0.5)``.
* :func:`saddle` — ``w1² − w2²``, the saddle point of the university lecture's figure 5-13(b).

Every function accepts one point, an array of shape ``(2,)``, or a grid of points, an array of shape
``(2, …)`` (``w[0]`` holds the first coordinates, ``w[1]`` the second), so
``landscape.f(np.stack(np.meshgrid(x, y)))`` evaluates a whole contour grid and
``landscape.f(trajectory.T)`` the loss along a trajectory.  ``grad`` returns the same shape as its
input, ``hessian`` shape ``(2, 2, …)``.  dtype in = dtype out.  The formulas are also available as
``landscape.expression(w1, w2)``, written with arithmetic operators only, so that the tests and the
chapters can differentiate them with ``tf.GradientTape`` and compare with ``grad``/``hessian``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from lib.checks import check_finite, check_float, real_array

__all__ = ["Landscape", "lecture_quadratic", "quadratic", "rosenbrock", "beale", "saddle"]

Expression = Callable[[object, object], object]


def _as_points(w) -> np.ndarray:
    """``w`` as a float array of shape ``(2,)`` or ``(2, …)``; clear errors otherwise."""
    a = real_array(w, "w")
    if a.ndim == 0 or a.shape[0] != 2:
        raise ValueError(
            f"w must have shape (2,) (a point in the plane) or (2, ...) (a grid of points), got shape {a.shape}"
        )
    return check_finite(a, "w")


def _as_pair(value, name: str) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of real numbers, got {value!r}") from None
    if a.shape != (2,) or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be a pair of finite numbers (w1, w2), got {value!r}")
    return a


class Landscape:
    """A function of two parameters with its analytic gradient and Hessian.

    Attributes: ``name``; ``minimum`` (the global minimizer, an array of shape ``(2,)``, or ``None``
    when there is none, as for the saddle); ``f_min`` (the value there, or ``None``);
    ``default_start`` (the start point the book uses); ``bounds`` ``((w1_min, w1_max), (w2_min,
    w2_max))``, the window the book draws; ``expression`` (the formula on ``(w1, w2)``, arithmetic
    operators only).

    Methods ``f(w)``, ``grad(w)`` and ``hessian(w)`` take a point ``(2,)`` or a grid ``(2, …)`` and
    return a scalar / an array ``(2, …)`` / an array ``(2, 2, …)``; dtype in = dtype out (integer
    input is promoted to float64).  ``landscape(w)`` is ``landscape.f(w)``.
    """

    def __init__(
        self,
        name: str,
        expression: Expression,
        gradient: Callable[[np.ndarray, np.ndarray], tuple],
        hessian: Callable[[np.ndarray, np.ndarray], tuple],
        *,
        minimum,
        default_start,
        bounds,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty str, got {name!r}")
        for arg, fn in (("expression", expression), ("gradient", gradient), ("hessian", hessian)):
            if not callable(fn):
                raise TypeError(f"{arg} must be callable, got {type(fn).__name__}")
        self.name = name
        self.expression = expression
        self._gradient = gradient
        self._hessian = hessian
        self.minimum = None if minimum is None else _as_pair(minimum, "minimum")
        self.f_min = None if minimum is None else float(self.f(self.minimum))
        self.default_start = _as_pair(default_start, "default_start")
        try:
            b = np.asarray(bounds, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"bounds must be ((w1_min, w1_max), (w2_min, w2_max)), got {bounds!r}") from None
        if b.shape != (2, 2) or not np.all(np.isfinite(b)) or not np.all(b[:, 0] < b[:, 1]):
            raise ValueError(f"bounds must be ((w1_min, w1_max), (w2_min, w2_max)) with min < max, got {bounds!r}")
        self.bounds = (tuple(b[0]), tuple(b[1]))

    def f(self, w):
        """The function value at a point ``(2,)`` (a NumPy scalar) or on a grid ``(2, …)``."""
        w = _as_points(w)
        value = self.expression(w[0], w[1])
        return w.dtype.type(value) if w.ndim == 1 else np.asarray(value).astype(w.dtype, copy=False)

    __call__ = f

    def grad(self, w) -> np.ndarray:
        """The analytic gradient ``(∂J/∂w1, ∂J/∂w2)``, shape ``w.shape``."""
        w = _as_points(w)
        g1, g2 = self._gradient(w[0], w[1])
        return np.stack(np.broadcast_arrays(g1, g2)).astype(w.dtype, copy=False)

    def hessian(self, w) -> np.ndarray:
        """The analytic Hessian ``[[∂²J/∂w1², ∂²J/∂w1∂w2], [∂²J/∂w2∂w1, ∂²J/∂w2²]]``, shape ``(2, 2) + w.shape[1:]``."""
        w = _as_points(w)
        (h11, h12), (h21, h22) = self._hessian(w[0], w[1])
        entries = np.broadcast_arrays(h11, h12, h21, h22, w[0])[:4]
        return np.stack(entries).reshape((2, 2) + w.shape[1:]).astype(w.dtype, copy=False)

    def __repr__(self) -> str:
        minimum = None if self.minimum is None else tuple(float(v) for v in self.minimum)
        return f"Landscape({self.name!r}, minimum={minimum}, default_start={tuple(self.default_start.tolist())})"


# ----------------------------------------------------------------------------------------------
# quadratics
# ----------------------------------------------------------------------------------------------
def lecture_quadratic() -> Landscape:
    """``J(w) = (w1 − 2)² + 4(w2 − 1)²``: the university lecture's example 5-2 (and 5-3).

    ``∇J = (2(w1 − 2), 8(w2 − 1))``, ``H = diag(2, 8)`` (condition number 4), minimum ``(2, 1)``
    with ``J = 0``; the lecture starts gradient descent at ``(4, 2)`` with learning rate ρ = 0.2.
    """

    def expression(w1, w2):
        return (w1 - 2.0) ** 2 + 4.0 * (w2 - 1.0) ** 2

    def gradient(w1, w2):
        return 2.0 * (w1 - 2.0), 8.0 * (w2 - 1.0)

    def hessian(w1, w2):
        return (2.0, 0.0), (0.0, 8.0)

    return Landscape(
        "lecture quadratic", expression, gradient, hessian,
        minimum=(2.0, 1.0), default_start=(4.0, 2.0), bounds=((-0.5, 4.5), (-0.5, 2.5)),
    )


def quadratic(
    condition_number: float = 10.0,
    *,
    rotation: float = 0.0,
    scale: float = 1.0,
    center=(0.0, 0.0),
) -> Landscape:
    """An ill-conditioned bowl ``J(w) = ½ (w − c)ᵀ A (w − c)`` with condition number κ.

    ``A = R diag(scale, scale·κ) Rᵀ`` with ``R`` the rotation by ``rotation`` radians: the curvature
    is ``scale`` along ``(cos θ, sin θ)`` and ``scale·κ`` along ``(−sin θ, cos θ)``, so ``A`` is the
    (constant) Hessian and κ = λ_max / λ_min its condition number.  With ``rotation = 0`` the steep
    direction is ``w2``.  Gradient ``A (w − c)``; minimum ``c`` with ``J = 0``.
    ``quadratic(4, scale=2, center=(2, 1))`` is :func:`lecture_quadratic`.  Gradient descent is
    stable for learning rates below ``2 / (scale·κ)`` and converges at the rate ``(κ − 1)/(κ + 1)``
    at best, which is why large κ is slow (chapter 1).

    Raises ``ValueError`` for ``condition_number < 1``, ``scale <= 0`` or a non-finite ``rotation``.
    """
    kappa = check_float(condition_number, "condition_number", "[1, inf)")
    theta = check_float(rotation, "rotation")
    s = check_float(scale, "scale", "(0, inf)")
    c1, c2 = (float(v) for v in _as_pair(center, "center"))
    cos, sin = math.cos(theta), math.sin(theta)
    # A = R diag(s, s κ) Rᵀ, R = [[cos, −sin], [sin, cos]]
    a11 = s * (cos * cos + kappa * sin * sin)
    a22 = s * (sin * sin + kappa * cos * cos)
    a12 = s * (1.0 - kappa) * cos * sin

    def expression(w1, w2):
        d1, d2 = w1 - c1, w2 - c2
        return 0.5 * (a11 * d1 * d1 + 2.0 * a12 * d1 * d2 + a22 * d2 * d2)

    def gradient(w1, w2):
        d1, d2 = w1 - c1, w2 - c2
        return a11 * d1 + a12 * d2, a12 * d1 + a22 * d2

    def hessian(w1, w2):
        return (a11, a12), (a12, a22)

    # start at c + R(−4, 1.5): on neither eigenvector, so gradient descent zig-zags
    start = (c1 - 4.0 * cos - 1.5 * sin, c2 - 4.0 * sin + 1.5 * cos)
    name = f"quadratic (κ = {kappa:g})" + (f", rotated {math.degrees(theta):g}°" if theta else "")
    half_height = 3.0 if theta == 0 else 5.0
    return Landscape(
        name, expression, gradient, hessian,
        minimum=(c1, c2), default_start=start,
        bounds=((c1 - 5.0, c1 + 5.0), (c2 - half_height, c2 + half_height)),
    )


# ----------------------------------------------------------------------------------------------
# non-quadratic test functions
# ----------------------------------------------------------------------------------------------
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    """Rosenbrock's banana ``J(w) = (a − w1)² + b (w2 − w1²)²`` (Rosenbrock 1960).

    A narrow curved valley along ``w2 = w1²``; minimum ``(a, a²)`` with ``J = 0``.  Gradient
    ``(−2(a − w1) − 4 b w1 (w2 − w1²), 2 b (w2 − w1²))``; Hessian
    ``[[2 − 4b(w2 − w1²) + 8 b w1², −4 b w1], [−4 b w1, 2b]]``.  The classic start is ``(−1.2, 1)``.
    Raises ``ValueError`` for ``b <= 0``.
    """
    a = check_float(a, "a")
    b = check_float(b, "b", "(0, inf)")

    def expression(w1, w2):
        return (a - w1) ** 2 + b * (w2 - w1**2) ** 2

    def gradient(w1, w2):
        return -2.0 * (a - w1) - 4.0 * b * w1 * (w2 - w1**2), 2.0 * b * (w2 - w1**2)

    def hessian(w1, w2):
        off = -4.0 * b * w1
        return (2.0 - 4.0 * b * (w2 - w1**2) + 8.0 * b * w1**2, off), (off, 2.0 * b)

    span = max(2.0, abs(a) + 1.0)
    return Landscape(
        f"Rosenbrock (a = {a:g}, b = {b:g})", expression, gradient, hessian,
        minimum=(a, a * a), default_start=(-1.2, 1.0),
        bounds=((-span, span), (min(-1.0, a * a - 2.0), max(3.0, a * a + 2.0))),
    )


def beale() -> Landscape:
    """Beale's function ``J(w) = Σ_{i=1..3} (c_i − w1 + w1 w2^i)²``, ``c = (1.5, 2.25, 2.625)``.

    Flat plateaus and steep walls; global minimum ``(3, 0.5)`` with ``J = 0`` (and a saddle near
    ``(0, 1)``).  Usually drawn on ``[−4.5, 4.5]²``.  With ``u_i = c_i − w1 + w1 w2^i``:
    ``∂J/∂w1 = Σ 2 u_i (w2^i − 1)``, ``∂J/∂w2 = Σ 2 u_i i w1 w2^(i−1)``.
    """
    c = (1.5, 2.25, 2.625)

    def expression(w1, w2):
        return (c[0] - w1 + w1 * w2) ** 2 + (c[1] - w1 + w1 * w2**2) ** 2 + (c[2] - w1 + w1 * w2**3) ** 2

    def gradient(w1, w2):
        u1, u2, u3 = c[0] - w1 + w1 * w2, c[1] - w1 + w1 * w2**2, c[2] - w1 + w1 * w2**3
        g1 = 2.0 * (u1 * (w2 - 1.0) + u2 * (w2**2 - 1.0) + u3 * (w2**3 - 1.0))
        g2 = 2.0 * (u1 * w1 + u2 * 2.0 * w1 * w2 + u3 * 3.0 * w1 * w2**2)
        return g1, g2

    def hessian(w1, w2):
        u1, u2, u3 = c[0] - w1 + w1 * w2, c[1] - w1 + w1 * w2**2, c[2] - w1 + w1 * w2**3
        # ∂u_i/∂w1 = w2^i − 1, ∂u_i/∂w2 = i w1 w2^(i−1)
        a1, a2, a3 = w2 - 1.0, w2**2 - 1.0, w2**3 - 1.0
        b1, b2, b3 = w1, 2.0 * w1 * w2, 3.0 * w1 * w2**2
        h11 = 2.0 * (a1 * a1 + a2 * a2 + a3 * a3)
        h12 = 2.0 * (a1 * b1 + u1 + a2 * b2 + u2 * 2.0 * w2 + a3 * b3 + u3 * 3.0 * w2**2)
        h22 = 2.0 * (b1 * b1 + b2 * b2 + u2 * 2.0 * w1 + b3 * b3 + u3 * 6.0 * w1 * w2)
        return (h11, h12), (h12, h22)

    return Landscape(
        "Beale", expression, gradient, hessian,
        minimum=(3.0, 0.5), default_start=(1.0, 1.5), bounds=((-4.5, 4.5), (-4.5, 4.5)),
    )


def saddle() -> Landscape:
    """The saddle ``J(w) = w1² − w2²`` (university lecture, figure 5-13(b)).

    Zero gradient at the origin, a minimum along ``w1`` and a maximum along ``w2``; unbounded below,
    so there is no minimum (``minimum is None``).  ``H = diag(2, −2)``.  The default start
    ``(1, 0.01)`` lies just off the ridge ``w2 = 0``: gradient descent first slides towards the
    saddle, then the tiny ``w2`` grows by ``(1 + 2α)`` per step and it escapes.
    """

    def expression(w1, w2):
        return w1**2 - w2**2

    def gradient(w1, w2):
        return 2.0 * w1, -2.0 * w2

    def hessian(w1, w2):
        return (2.0, 0.0), (0.0, -2.0)

    return Landscape(
        "saddle", expression, gradient, hessian,
        minimum=None, default_start=(1.0, 0.01), bounds=((-1.5, 1.5), (-1.5, 1.5)),
    )
