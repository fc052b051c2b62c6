"""Second-order methods: Newton, line search, conjugate gradient, BFGS and L-BFGS (lecture §5.6).

The university lecture §5.6 ("2차 미분을 이용한 방법") improves on gradient descent with curvature:

* Newton's method (§5.6.1): the quadratic model ``J(w + δ) ≈ J(w) + ∇Jᵀδ + ½ δᵀHδ`` (5.37) is
  minimised by ``δ = −H⁻¹∇J`` (5.39); algorithm 5-10 repeats ``w ← w + δ`` (the lecture's θ).
  :func:`newton` adds what makes it work away from a quadratic bowl: a line search (the full step
  ``ε = 1`` is tried first) and a Hessian modification where ``H`` is not positive definite.
  :func:`newton_cg` solves ``Hδ = −∇J`` with conjugate gradient, using only Hessian-vector products.
* Line search (§5.6.2, figure 5-33): :func:`exact_line_search` (quadratics),
  :func:`backtracking_line_search` (Armijo) and :func:`wolfe_line_search` (strong Wolfe).
* Conjugate gradient (§5.6.2): :func:`conjugate_gradient` solves ``Aw = b`` for a symmetric positive
  definite ``A`` (the minimiser of ``½wᵀAw − bᵀw``); :func:`nonlinear_cg` is algorithm 5-11,
  ``p_t = −g_t + β_t p_{t−1}`` (5.41) with Polak–Ribière (5.42) or Fletcher–Reeves (5.43) and a reset
  of β every ``q`` steps.
* Quasi-Newton (§5.6.3): :func:`bfgs` keeps ``M ≈ H⁻¹`` (:func:`bfgs_update`), :func:`lbfgs` keeps
  only the last ``k`` pairs ``(s, y)`` and applies ``M`` with the two-loop recursion
  (:func:`two_loop_recursion`).

Every minimiser returns an :class:`OptimizeResult` (``x``, ``fun``, ``nit``, ``nfev``, ``njev``,
``path`` of shape ``(nit + 1, n)`` with ``x0`` first, ``success``, ``message``), like SciPy's.  The
public functions check their arguments and wrap a kernel (``_newton``, ``_linear_cg``, …) that reads
like the lecture's algorithm.  Computation is in float64; ``x`` and ``path`` come back in ``x0``'s
dtype.  ``n`` below is the number of parameters (the lecture writes m, as in O(m³); the book keeps m
for the mini-batch size).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lib.checks import check_choice, check_finite, check_float, check_int, real_array
from lib.gradients import hessian_vector_product

__all__ = [
    "OptimizeResult", "newton_direction", "modify_hessian", "newton", "newton_cg",
    "exact_line_search", "backtracking_line_search", "wolfe_line_search",
    "conjugate_gradient", "nonlinear_cg", "bfgs_update", "bfgs", "two_loop_recursion", "lbfgs",
]


@dataclass
class OptimizeResult:
    """What a minimiser returns (the fields of ``scipy.optimize.OptimizeResult`` that we use).

    ``x`` the last iterate, ``fun`` ``J(x)``, ``nit`` iterations, ``nfev``/``njev`` evaluations of
    ``J`` and ``∇J`` (``nhev`` of the Hessian or of Hessian-vector products), ``path`` every iterate
    (``x0`` first, shape ``(nit + 1, n)``), ``success`` whether the stopping test ``‖∇J‖ ≤ tol``
    (or ``‖b − Aw‖ ≤ tol·‖b‖`` for linear CG) was met, ``message`` why it stopped, ``grad`` the last
    gradient (or residual), ``hess_inv`` BFGS' last ``M``.
    """

    x: np.ndarray
    fun: float
    nit: int
    nfev: int
    njev: int
    path: np.ndarray
    success: bool
    message: str
    nhev: int = 0
    grad: np.ndarray | None = None
    hess_inv: np.ndarray | None = field(default=None, repr=False)


# ----------------------------------------------------------------------------------------------
# argument checks and evaluation counting (the thin wrappers' part)
# ----------------------------------------------------------------------------------------------
def _check_x0(x0) -> tuple[np.ndarray, np.dtype]:
    x = real_array(x0, "x0", copy=True)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a non-empty 1-D array (one entry per parameter), got shape {x.shape}")
    check_finite(x, "x0")
    return x.astype(np.float64), x.dtype


def _check_callable(fn, name: str, what: str) -> Callable:
    if not callable(fn):
        raise TypeError(f"{name} must be a function {what}, got {type(fn).__name__}")
    return fn


class _Counted:
    """``fun``/``grad``/``hess`` with their calls counted and their outputs checked (shape, finiteness)."""

    def __init__(self, fun, grad, n: int, hess=None) -> None:
        self.fun, self.grad_fn, self.hess_fn, self.n = fun, grad, hess, n
        self.nfev = self.njev = self.nhev = 0

    def f(self, x: np.ndarray) -> float:
        self.nfev += 1
        value = np.asarray(self.fun(x.copy()), dtype=np.float64)
        if value.shape not in ((), (1,)):
            raise ValueError(f"fun must return a scalar, got an array of shape {value.shape}")
        value = float(value.reshape(()))
        if math.isnan(value):
            raise ValueError(f"fun returned NaN at x = {_short(x)}")
        return value  # +inf is allowed: a line search then shortens the step

    def g(self, x: np.ndarray) -> np.ndarray:
        self.njev += 1
        g = np.asarray(self.grad_fn(x.copy()), dtype=np.float64)
        if g.shape != (self.n,):
            raise ValueError(f"grad must return an array of x0's shape ({self.n},), got shape {g.shape}")
        if not np.all(np.isfinite(g)):
            raise ValueError(f"grad returned non-finite values at x = {_short(x)}")
        return g

    def h(self, x: np.ndarray) -> np.ndarray:
        self.nhev += 1
        H = np.asarray(self.hess_fn(x.copy()), dtype=np.float64)
        if H.shape != (self.n, self.n):
            raise ValueError(f"hess must return an array of shape ({self.n}, {self.n}), got shape {H.shape}")
        if not np.all(np.isfinite(H)):
            raise ValueError(f"hess returned non-finite values at x = {_short(x)}")
        return H

    def hv(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        self.nhev += 1
        out = np.asarray(self.hess_fn(x.copy(), v.copy()), dtype=np.float64)
        if out.shape != (self.n,) or not np.all(np.isfinite(out)):
            raise ValueError(f"hessp must return a finite array of shape ({self.n},), got shape {out.shape}")
        return out


def _short(x: np.ndarray) -> str:
    return np.array2string(np.asarray(x)[:6], precision=4) + (" …" if np.size(x) > 6 else "")


def _result(x, f, g, path, nit, counted: _Counted, tol: float, dtype, message: str | None = None,
            **extra) -> OptimizeResult:
    gnorm = float(np.linalg.norm(g))
    success = gnorm <= tol
    if message is None:
        message = (f"converged: ‖∇J‖ = {gnorm:.2e} <= tol" if success
                   else f"stopped after max_iter = {nit} iterations, ‖∇J‖ = {gnorm:.2e} > tol")
    return OptimizeResult(x=x.astype(dtype), fun=float(f), nit=nit, nfev=counted.nfev, njev=counted.njev,
                          path=np.array(path).astype(dtype), success=success, message=message,
                          nhev=counted.nhev, grad=g, **extra)


# ----------------------------------------------------------------------------------------------
# line searches (§5.6.2, figure 5-33): how far to go along a direction p
# ----------------------------------------------------------------------------------------------
def exact_line_search(A, g, p) -> float:
    """The exact minimiser ``ε̂ = −gᵀp / pᵀAp`` of ``J(w + εp)`` for a quadratic with Hessian ``A``.

    ``g`` is the gradient at ``w``; ``A`` a symmetric positive definite matrix or a function
    ``v -> Av``.  Raises ``ValueError`` if ``pᵀAp <= 0`` (no minimum along ``p``).
    """
    g = check_finite(real_array(g, "g").astype(np.float64), "g")
    p = check_finite(real_array(p, "p").astype(np.float64), "p")
    if g.shape != p.shape or g.ndim != 1:
        raise ValueError(f"g and p must be 1-D arrays of the same length, got shapes {g.shape} and {p.shape}")
    Ap = A(p) if callable(A) else np.asarray(A, dtype=np.float64) @ p
    curvature = float(p @ Ap)
    if not curvature > 0:
        raise ValueError(f"A must be positive definite along p: pᵀAp = {curvature:.3g} <= 0")
    return -float(g @ p) / curvature


def _backtracking(phi, phi0: float, dphi0: float, *, eps: float = 1.0, rho: float = 0.5, c1: float = 1e-4,
                  max_iter: int = 60):
    """Armijo: shrink ε ← ρε until J(w + εp) ≤ J(w) + c₁ ε ∇Jᵀp.  Returns (ε, J(w + εp)) or (None, None)."""
    for _ in range(max_iter):
        phi_eps = phi(eps)
        if phi_eps <= phi0 + c1 * eps * dphi0:
            return eps, phi_eps
        eps *= rho
    return None, None


def backtracking_line_search(fun: Callable, x, p, *, g=None, eps: float = 1.0, rho: float = 0.5,
                             c1: float = 1e-4, grad: Callable | None = None) -> float | None:
    """Backtracking (Armijo) line search: the first ``ε = eps·ρᵏ`` with ``J(x + εp) ≤ J(x) + c₁ε∇J(x)ᵀp``.

    Needs ``∇J(x)`` as ``g`` (or a function ``grad``); ``p`` must be a descent direction
    (``∇Jᵀp < 0``).  Returns ``ε``, or ``None`` if 60 halvings found no such step.
    """
    _check_callable(fun, "fun", "x -> J(x)")
    x, _ = _check_x0(x)
    p = check_finite(real_array(p, "p").astype(np.float64), "p")
    if g is None:
        g = _check_callable(grad, "grad", "x -> ∇J(x) (or pass g)")(x.copy())
    g = check_finite(real_array(g, "g").astype(np.float64), "g")
    if p.shape != x.shape or g.shape != x.shape:
        raise ValueError(f"p and g must have x's shape {x.shape}, got {p.shape} and {g.shape}")
    eps = check_float(eps, "eps", "(0, inf)")
    rho = check_float(rho, "rho", "(0, 1)")
    c1 = check_float(c1, "c1", "(0, 1)")
    dphi0 = float(g @ p)
    if not dphi0 < 0:
        raise ValueError(f"p must be a descent direction (∇Jᵀp < 0), got ∇Jᵀp = {dphi0:.3g}")
    counted = _Counted(fun, None, x.size)
    eps_hat, _ = _backtracking(lambda e: counted.f(x + e * p), counted.f(x), dphi0, eps=eps, rho=rho, c1=c1)
    return eps_hat


def _cubic_min(a, fa, da, b, fb, db) -> float | None:
    """Minimiser of the cubic through (a, fa, da) and (b, fb, db), or None (Nocedal & Wright (3.59))."""
    d1 = da + db - 3 * (fa - fb) / (a - b)
    radicand = d1 * d1 - da * db
    if radicand < 0:
        return None
    d2 = math.copysign(math.sqrt(radicand), b - a)
    denominator = db - da + 2 * d2
    if denominator == 0:
        return None
    return b - (b - a) * (db + d2 - d1) / denominator


def _strong_wolfe(phi, dphi, phi0: float, dphi0: float, *, c1: float = 1e-4, c2: float = 0.9,
                  eps1: float = 1.0, eps_max: float = 1e10, max_iter: int = 30):
    """Strong Wolfe line search (Nocedal & Wright, algorithms 3.5 and 3.6), ``φ(ε) = J(w + εp)``.

    Finds ε with  φ(ε) ≤ φ(0) + c₁ε φ'(0)  (sufficient decrease)  and  |φ'(ε)| ≤ c₂|φ'(0)|  (curvature).
    Returns (ε, φ(ε)) or (None, None).
    """
    def zoom(lo, f_lo, d_lo, hi, f_hi, d_hi):
        for _ in range(max_iter):
            eps = _cubic_min(lo, f_lo, d_lo, hi, f_hi, d_hi)       # interpolate ...
            width = abs(hi - lo)
            if eps is None or not (min(lo, hi) + 0.1 * width <= eps <= max(lo, hi) - 0.1 * width):
                eps = 0.5 * (lo + hi)                                 # ... or bisect
            f_eps = phi(eps)
            if f_eps > phi0 + c1 * eps * dphi0 or f_eps >= f_lo:
                hi, f_hi, d_hi = eps, f_eps, dphi(eps)
            else:
                d_eps = dphi(eps)
                if abs(d_eps) <= -c2 * dphi0:
                    return eps, f_eps
                if d_eps * (hi - lo) >= 0:
                    hi, f_hi, d_hi = lo, f_lo, d_lo
                lo, f_lo, d_lo = eps, f_eps, d_eps
        return None, None

    prev, f_prev, d_prev = 0.0, phi0, dphi0
    eps = eps1
    for i in range(max_iter):
        f_eps = phi(eps)
        if f_eps > phi0 + c1 * eps * dphi0 or (i > 0 and f_eps >= f_prev):
            return zoom(prev, f_prev, d_prev, eps, f_eps, dphi(eps) if math.isfinite(f_eps) else 0.0)
        d_eps = dphi(eps)
        if abs(d_eps) <= -c2 * dphi0:
            return eps, f_eps
        if d_eps >= 0:
            return zoom(eps, f_eps, d_eps, prev, f_prev, d_prev)
        prev, f_prev, d_prev = eps, f_eps, d_eps
        eps = min(2.0 * eps, eps_max)
    return None, None


class _Line:
    """φ(ε) = J(w + εp) and φ'(ε) = ∇J(w + εp)ᵀp, remembering the last gradient (so it is not recomputed)."""

    def __init__(self, counted: _Counted, w: np.ndarray, p: np.ndarray) -> None:
        self.c, self.w, self.p = counted, w, p
        self.eps_g, self.g = None, None

    def phi(self, eps: float) -> float:
        return self.c.f(self.w + eps * self.p)

    def dphi(self, eps: float) -> float:
        self.eps_g, self.g = eps, self.c.g(self.w + eps * self.p)
        return float(self.g @ self.p)

    def grad_at(self, eps: float) -> np.ndarray:
        return self.g if self.eps_g == eps else self.c.g(self.w + eps * self.p)


def wolfe_line_search(fun: Callable, grad: Callable, x, p, *, c1: float = 1e-4, c2: float = 0.9,
                      eps1: float = 1.0) -> float | None:
    """Strong Wolfe line search along a descent direction ``p`` from ``x`` (like ``scipy.optimize.line_search``).

    Returns ``ε`` with ``J(x + εp) ≤ J(x) + c₁ε∇J(x)ᵀp`` and ``|∇J(x + εp)ᵀp| ≤ c₂|∇J(x)ᵀp|``, trying
    ``eps1`` first; ``None`` if none was found.  Requires ``0 < c1 < c2 < 1``.
    """
    _check_callable(fun, "fun", "x -> J(x)")
    _check_callable(grad, "grad", "x -> ∇J(x)")
    x, _ = _check_x0(x)
    p = check_finite(real_array(p, "p").astype(np.float64), "p")
    if p.shape != x.shape:
        raise ValueError(f"p must have x's shape {x.shape}, got {p.shape}")
    c1, c2 = check_float(c1, "c1", "(0, 1)"), check_float(c2, "c2", "(0, 1)")
    if not c1 < c2:
        raise ValueError(f"c1 must be smaller than c2, got c1 = {c1}, c2 = {c2}")
    eps1 = check_float(eps1, "eps1", "(0, inf)")
    counted = _Counted(fun, grad, x.size)
    line = _Line(counted, x, p)
    dphi0 = line.dphi(0.0)
    if not dphi0 < 0:
        raise ValueError(f"p must be a descent direction (∇Jᵀp < 0), got ∇Jᵀp = {dphi0:.3g}")
    eps, _ = _strong_wolfe(line.phi, line.dphi, line.phi(0.0), dphi0, c1=c1, c2=c2, eps1=eps1)
    return eps


# ----------------------------------------------------------------------------------------------
# Newton's method (§5.6.1)
# ----------------------------------------------------------------------------------------------
def newton_direction(g, H) -> np.ndarray:
    """δ = −H⁻¹∇J, eq. (5.39), by solving ``Hδ = −g`` (an O(n³) factorisation; never forms H⁻¹)."""
    return -np.linalg.solve(H, g)


def modify_hessian(H, delta: float = 1e-8) -> np.ndarray:
    """``H`` with every eigenvalue λ replaced by ``max(|λ|, delta)``: positive definite, so ``−H⁻¹g`` descends.

    Along a direction of negative curvature (a saddle) the modified step goes *down* the slope,
    with the step length the curvature suggests; directions of positive curvature are unchanged.
    """
    lam, Q = np.linalg.eigh(H)
    return (Q * np.maximum(np.abs(lam), delta)) @ Q.T


def _newton(c: _Counted, w, *, tol, max_iter, line_search, modify):
    """Algorithm 5-10: repeat δ = −H⁻¹∇J (5.39), w ← w + εδ, until ‖∇J‖ ≤ tol."""
    J, g = c.f(w), c.g(w)
    path = [w.copy()]
    for t in range(1, max_iter + 1):
        if np.linalg.norm(g) <= tol:
            return w, J, g, path, t - 1, None
        H = c.h(w)
        if modify:
            H = modify_hessian(H)                      # positive definite: δ is a descent direction
        delta = newton_direction(g, H)                 # (5.39)
        eps = 1.0                                      # the full Newton step ...
        if line_search:                                # ... unless it fails Armijo's test
            eps, J_new = _backtracking(lambda e: c.f(w + e * delta), J, float(g @ delta))
            if eps is None:
                return w, J, g, path, t - 1, "line search failed: no decrease along δ"
        w = w + eps * delta                            # w ← w + εδ
        J, g = (J_new if line_search else c.f(w)), c.g(w)
        path.append(w.copy())
    return w, J, g, path, max_iter, None


def newton(fun: Callable, x0, *, grad: Callable, hess: Callable, tol: float = 1e-8, max_iter: int = 100,
           line_search: bool = True, modify: bool = True) -> OptimizeResult:
    """Newton's method, algorithm 5-10: ``δ = −H⁻¹∇J`` (5.39), ``w ← w + εδ``.

    ``line_search=True`` tries the full step ``ε = 1`` and halves it until Armijo's sufficient
    decrease holds (so near the minimum every step is the pure Newton step and convergence is
    quadratic); ``modify=True`` replaces ``H`` by :func:`modify_hessian` (eigenvalues ``|λ|``) so
    that ``δ`` descends where ``H`` is not positive definite.  With both ``False`` it is the
    lecture's pure algorithm 5-10.  Stops when ``‖∇J‖ ≤ tol`` or after ``max_iter`` iterations.
    """
    _check_callable(fun, "fun", "x -> J(x)")
    _check_callable(grad, "grad", "x -> ∇J(x)")
    _check_callable(hess, "hess", "x -> H(x), shape (n, n)")
    x, dtype = _check_x0(x0)
    tol = check_float(tol, "tol", "(0, inf)")
    max_iter = check_int(max_iter, "max_iter", "[1, inf)")
    c = _Counted(fun, grad, x.size, hess)
    w, J, g, path, nit, msg = _newton(c, x, tol=tol, max_iter=max_iter, line_search=bool(line_search),
                                      modify=bool(modify))
    return _result(w, J, g, path, nit, c, tol, dtype, msg)


def _truncated_cg(Hv, g, *, max_iter):
    """Solve Hδ = −g by linear CG (``_linear_cg``'s loop), stopping at negative curvature or ‖r‖ ≤ η‖g‖."""
    eta = min(0.5, math.sqrt(np.linalg.norm(g)))  # forcing term: more accuracy near the minimum
    delta, r = np.zeros_like(g), -g.copy()
    p = r.copy()
    rr = float(r @ r)
    for _ in range(max_iter):
        Hp = Hv(p)
        pHp = float(p @ Hp)
        if pHp <= 0:                                   # negative curvature: stop (steepest descent if first)
            return delta if delta.any() else -g
        a = rr / pHp
        delta += a * p
        r -= a * Hp
        rr_new = float(r @ r)
        if math.sqrt(rr_new) <= eta * np.linalg.norm(g):
            break
        p = r + (rr_new / rr) * p
        rr = rr_new
    return delta


def _newton_cg(c: _Counted, w, Hv, *, tol, max_iter, cg_max_iter):
    """Newton-CG: δ ≈ −H⁻¹∇J from Hessian-vector products only, then a line search and w ← w + εδ."""
    J, g = c.f(w), c.g(w)
    path = [w.copy()]
    for t in range(1, max_iter + 1):
        if np.linalg.norm(g) <= tol:
            return w, J, g, path, t - 1, None
        delta = _truncated_cg(lambda v: Hv(w, v), g, max_iter=cg_max_iter)
        eps, J_new = _backtracking(lambda e: c.f(w + e * delta), J, float(g @ delta))
        if eps is None:
            return w, J, g, path, t - 1, "line search failed: no decrease along δ"
        w = w + eps * delta
        J, g = J_new, c.g(w)
        path.append(w.copy())
    return w, J, g, path, max_iter, None


def newton_cg(fun: Callable, x0, *, grad: Callable, hessp: Callable | None = None, tol: float = 1e-8,
              max_iter: int = 100, cg_max_iter: int | None = None) -> OptimizeResult:
    """Newton's method with the system ``Hδ = −∇J`` solved by conjugate gradient (truncated Newton).

    Needs only products ``H(x)v``: ``hessp(x, v)``, or by default
    :func:`lib.gradients.hessian_vector_product` (two gradient evaluations per product).  The inner
    CG stops at a relative residual ``min(0.5, √‖∇J‖)`` or at the first direction of negative
    curvature; a backtracking line search follows.  ``nhev`` counts the products.
    """
    _check_callable(fun, "fun", "x -> J(x)")
    _check_callable(grad, "grad", "x -> ∇J(x)")
    x, dtype = _check_x0(x0)
    tol = check_float(tol, "tol", "(0, inf)")
    max_iter = check_int(max_iter, "max_iter", "[1, inf)")
    cg_max_iter = check_int(cg_max_iter, "cg_max_iter", "[1, inf)", allow_none=True) or 2 * x.size
    if hessp is None:
        c = _Counted(fun, grad, x.size, lambda w, v: hessian_vector_product(c.g, w, v))
    else:
        c = _Counted(fun, grad, x.size, _check_callable(hessp, "hessp", "(x, v) -> H(x) v"))
    w, J, g, path, nit, msg = _newton_cg(c, x, c.hv, tol=tol, max_iter=max_iter, cg_max_iter=cg_max_iter)
    return _result(w, J, g, path, nit, c, tol, dtype, msg)


# ----------------------------------------------------------------------------------------------
# linear conjugate gradient (§5.6.2)
# ----------------------------------------------------------------------------------------------
def _linear_cg(A, b, w, *, tol, max_iter):
    """Conjugate gradient for Aw = b, i.e. the minimum of J(w) = ½wᵀAw − bᵀw, with exact line search.

    g = Aw − b is J's gradient; p_t = −g_t + β_t p_{t−1} (5.41) with β_t = g_tᵀg_t / g_{t−1}ᵀg_{t−1} (5.43,
    = (5.42) here, since successive gradients are orthogonal); ε̂ = g_tᵀg_t / p_tᵀAp_t is the exact step.
    """
    g = A(w) - b
    p = -g
    gg = float(g @ g)
    path = [w.copy()]
    for t in range(1, max_iter + 1):
        if math.sqrt(gg) <= tol:
            return w, g, path, t - 1
        Ap = A(p)
        pAp = float(p @ Ap)
        if not pAp > 0:
            raise ValueError(f"A must be positive definite: pᵀAp = {pAp:.3g} <= 0 for a CG direction p")
        eps = gg / pAp                                 # exact line search along p
        w = w + eps * p
        g = g + eps * Ap                               # the new gradient Aw − b, without another product
        gg_new = float(g @ g)
        p = -g + (gg_new / gg) * p                     # (5.41): the next direction, conjugate to p
        gg = gg_new
        path.append(w.copy())
    return w, g, path, max_iter


def conjugate_gradient(A, b, x0=None, *, tol: float = 1e-10, max_iter: int | None = None) -> OptimizeResult:
    """Solve ``Aw = b`` for symmetric positive definite ``A`` (minimise ``½wᵀAw − bᵀw``) by linear CG.

    ``A`` is an ``(n, n)`` matrix (checked: symmetric, positive definite) or a function ``v -> Av``
    (e.g. Hessian-vector products; a direction with ``pᵀAp <= 0`` raises ``ValueError``).  Stops when
    ``‖Aw − b‖ ≤ tol·‖b‖`` (SciPy's ``rtol``) or after ``max_iter`` (default ``10 n``) iterations; in
    exact arithmetic CG finishes in at most ``n``.  ``fun`` is ``½wᵀAw − bᵀw``, ``njev`` the number of
    products ``Av`` and ``grad`` the last residual ``Aw − b``.
    """
    b = check_finite(real_array(b, "b").astype(np.float64), "b")
    if b.ndim != 1 or b.size == 0:
        raise ValueError(f"b must be a non-empty 1-D array, got shape {b.shape}")
    n = b.size
    if callable(A):
        matvec_raw = A
    else:
        M = check_finite(real_array(A, "A").astype(np.float64), "A")
        if M.shape != (n, n):
            raise ValueError(f"A must have shape (len(b), len(b)) = ({n}, {n}), got {M.shape}"
                             if M.ndim == 2 and M.shape[0] == M.shape[1]
                             else f"A must be a square matrix (n, n), got shape {M.shape}")
        asym = float(np.max(np.abs(M - M.T)))
        if asym > 1e-10 * max(1.0, float(np.max(np.abs(M)))):
            raise ValueError(f"A must be symmetric, got max |A − Aᵀ| = {asym:.3g}")
        lam_min = float(np.linalg.eigvalsh(M)[0])
        if not lam_min > 0:
            raise ValueError(f"A must be positive definite, got smallest eigenvalue {lam_min:.3g}")
        matvec_raw = M.__matmul__
    if x0 is None:
        w, dtype = np.zeros(n), b.dtype
    else:
        w, dtype = _check_x0(x0)
        if w.size != n:
            raise ValueError(f"x0 must have len(b) = {n} entries, got {w.size}")
    tol = check_float(tol, "tol", "(0, inf)")
    max_iter = check_int(max_iter, "max_iter", "[1, inf)", allow_none=True) or 10 * n
    counter = {"n": 0}

    def A_(v):
        counter["n"] += 1
        out = np.asarray(matvec_raw(v), dtype=np.float64)
        if out.shape != (n,) or not np.all(np.isfinite(out)):
            raise ValueError(f"A(v) must return a finite array of shape ({n},), got shape {out.shape}")
        return out

    w, g, path, nit = _linear_cg(A_, b, w, tol=tol * float(np.linalg.norm(b)), max_iter=max_iter)
    fun = 0.5 * float(w @ (g - b))                     # ½wᵀAw − bᵀw = ½wᵀ(Aw − b) − ½bᵀw
    rel = float(np.linalg.norm(g)) / max(float(np.linalg.norm(b)), np.finfo(float).tiny)
    success = rel <= tol
    msg = f"converged: ‖Aw − b‖/‖b‖ = {rel:.2e} <= tol" if success else \
        f"stopped after max_iter = {nit} iterations, ‖Aw − b‖/‖b‖ = {rel:.2e}"
    return OptimizeResult(x=w.astype(dtype), fun=fun, nit=nit, nfev=0, njev=counter["n"],
                          path=np.array(path).astype(dtype), success=success, message=msg, grad=g)


# ----------------------------------------------------------------------------------------------
# nonlinear conjugate gradient: algorithm 5-11
# ----------------------------------------------------------------------------------------------
_BETAS = ("PR", "PR+", "FR")
_READINGS = ("intended", "as printed")


def _nonlinear_cg(c: _Counted, w, *, beta_rule, q, reading, tol, max_iter, c2):
    """Algorithm 5-11: p_t = −g_t + β_t p_{t−1} (5.41), β_t from (5.42)/(5.43), reset every q steps;
    a strong Wolfe line search for ε̂ along p_t, then w_{t+1} = w_t + ε̂ p_t."""
    J, g = c.f(w), c.g(w)
    p, g_prev = np.zeros_like(w), None                 # line 1: p₀ = 0
    path = [w.copy()]
    for t in range(1, max_iter + 1):
        if np.linalg.norm(g) <= tol:
            return w, J, g, path, t - 1, None
        reset = (t % q == 1 % q) if reading == "intended" else (t % q != 1 % q)   # line 6
        if reset or g_prev is None:
            beta = 0.0
        elif beta_rule == "FR":
            beta = float(g @ g) / float(g_prev @ g_prev)                    # (5.43)
        else:
            beta = float((g - g_prev) @ g) / float(g_prev @ g_prev)         # (5.42)
            if beta_rule == "PR+":
                beta = max(beta, 0.0)
        p = -g + beta * p                                                   # (5.41)
        if not float(g @ p) < 0:                                            # not downhill: restart
            p = -g
        line = _Line(c, w, p)
        eps, J_new = _strong_wolfe(line.phi, line.dphi, J, float(g @ p), c1=min(1e-4, c2 / 10), c2=c2)  # line 9
        if eps is None:
            return w, J, g, path, t - 1, "line search failed to find a strong Wolfe step"
        g_prev = g
        w = w + eps * p                                                     # line 10
        J, g = J_new, line.grad_at(eps)
        path.append(w.copy())
    return w, J, g, path, max_iter, None


def nonlinear_cg(fun: Callable, x0, *, grad: Callable, beta: str = "PR", restart: int | None = None,
                 reading: str = "intended", tol: float = 1e-8, max_iter: int = 1000,
                 c2: float = 0.1) -> OptimizeResult:
    """Nonlinear conjugate gradient, the lecture's algorithm 5-11.

    ``beta``: ``"PR"`` Polak–Ribière (5.42), ``"PR+"`` its non-negative part (what SciPy's ``CG``
    uses), ``"FR"`` Fletcher–Reeves (5.43).  ``restart = q`` sets ``β_t = 0`` every ``q`` steps
    (default ``n``, the dimension); ``reading`` chooses line 6 of the algorithm:
    ``"intended"`` resets when ``t mod q = 1`` (steps 1, q + 1, 2q + 1, …), ``"as printed"`` when
    ``t mod q ≠ 1`` (every step except those).  A direction that is not downhill is replaced by
    ``−g``.  The line search is strong Wolfe with ``c2`` (0.1 is usual for CG; a tiny ``c2`` such as
    ``1e-8`` makes it an exact line search) and ``c₁ = min(10⁻⁴, c2/10)``.
    """
    _check_callable(fun, "fun", "x -> J(x)")
    _check_callable(grad, "grad", "x -> ∇J(x)")
    x, dtype = _check_x0(x0)
    check_choice(beta, "beta", _BETAS)
    check_choice(reading, "reading", _READINGS)
    q = check_int(restart, "restart", "[1, inf)", allow_none=True) or x.size
    tol = check_float(tol, "tol", "(0, inf)")
    max_iter = check_int(max_iter, "max_iter", "[1, inf)")
    c2 = check_float(c2, "c2", "(0, 1)")
    c = _Counted(fun, grad, x.size)
    w, J, g, path, nit, msg = _nonlinear_cg(c, x, beta_rule=beta, q=q, reading=reading, tol=tol,
                                            max_iter=max_iter, c2=c2)
    return _result(w, J, g, path, nit, c, tol, dtype, msg)


# ----------------------------------------------------------------------------------------------
# quasi-Newton: BFGS and L-BFGS (§5.6.3)
# ----------------------------------------------------------------------------------------------
def bfgs_update(M, s, y) -> np.ndarray:
    """BFGS' new approximation of H⁻¹:  M ← (I − ρsyᵀ) M (I − ρysᵀ) + ρssᵀ,  ρ = 1/yᵀs.

    ``s = w_{t+1} − w_t``, ``y = ∇J(w_{t+1}) − ∇J(w_t)``.  The result satisfies the secant condition
    ``M y = s`` and stays symmetric positive definite when ``yᵀs > 0``.
    """
    rho = 1.0 / float(y @ s)
    My = M @ y
    # expanded form of (I − ρsyᵀ) M (I − ρysᵀ) + ρssᵀ (M symmetric), O(n²) instead of O(n³)
    return M - rho * (np.outer(s, My) + np.outer(My, s)) + (rho * rho * float(y @ My) + rho) * np.outer(s, s)


def _bfgs(c: _Counted, w, *, tol, max_iter):
    """Quasi-Newton: p = −M∇J, a strong Wolfe line search, then update M ≈ H⁻¹ from (s, y)."""
    J, g = c.f(w), c.g(w)
    M = np.eye(w.size)                                 # M starts as the identity (the lecture's I)
    path = [w.copy()]
    for t in range(1, max_iter + 1):
        if np.linalg.norm(g) <= tol:
            return w, J, g, path, t - 1, None, M
        p = -M @ g                                     # the quasi-Newton direction
        line = _Line(c, w, p)
        eps, J_new = _strong_wolfe(line.phi, line.dphi, J, float(g @ p))
        if eps is None:
            return w, J, g, path, t - 1, "line search failed to find a strong Wolfe step", M
        g_new = line.grad_at(eps)
        s, y = eps * p, g_new - g
        if t == 1:
            M = (float(y @ s) / float(y @ y)) * M      # scale the first M to the measured curvature
        M = bfgs_update(M, s, y)                       # curvature pair: yᵀs > 0 under the Wolfe conditions
        w, J, g = w + s, J_new, g_new
        path.append(w.copy())
    return w, J, g, path, max_iter, None, M


def bfgs(fun: Callable, x0, *, grad: Callable, tol: float = 1e-8, max_iter: int = 1000) -> OptimizeResult:
    """BFGS: ``p = −M∇J`` with ``M ≈ H⁻¹`` built from gradient differences (:func:`bfgs_update`).

    ``M`` starts as ``I`` and is rescaled to ``(yᵀs / yᵀy) I`` before the first update (Nocedal &
    Wright (6.20)); a strong Wolfe line search (``c₁ = 10⁻⁴``, ``c₂ = 0.9``) guarantees ``yᵀs > 0``.
    Stores the full ``n × n`` matrix ``M``: O(n²) memory and time per step.  ``hess_inv`` is the last ``M``.
    """
    _check_callable(fun, "fun", "x -> J(x)")
    _check_callable(grad, "grad", "x -> ∇J(x)")
    x, dtype = _check_x0(x0)
    tol = check_float(tol, "tol", "(0, inf)")
    max_iter = check_int(max_iter, "max_iter", "[1, inf)")
    c = _Counted(fun, grad, x.size)
    w, J, g, path, nit, msg, M = _bfgs(c, x, tol=tol, max_iter=max_iter)
    return _result(w, J, g, path, nit, c, tol, dtype, msg, hess_inv=M)


def two_loop_recursion(g, S, Y) -> np.ndarray:
    """``M g`` for the L-BFGS matrix ``M`` defined by the pairs ``(s_i, y_i)``, oldest first, in O(nk).

    ``S`` and ``Y`` are sequences (or ``(k, n)`` arrays) of the last ``k`` steps and gradient
    differences; the initial matrix is ``γI`` with ``γ = sᵀy / yᵀy`` of the newest pair (``I`` if
    there is none).  The L-BFGS direction is ``−two_loop_recursion(g, S, Y)``.
    """
    q = np.array(g, dtype=np.float64)
    k = len(S)
    rho = [1.0 / float(Y[i] @ S[i]) for i in range(k)]
    a = [0.0] * k
    for i in reversed(range(k)):                       # newest to oldest
        a[i] = rho[i] * float(S[i] @ q)
        q -= a[i] * Y[i]
    r = q * (float(S[-1] @ Y[-1]) / float(Y[-1] @ Y[-1])) if k else q     # γ I
    for i in range(k):                                 # oldest to newest
        b = rho[i] * float(Y[i] @ r)
        r += (a[i] - b) * S[i]
    return r


def _lbfgs(c: _Counted, w, *, memory, tol, max_iter):
    """L-BFGS: p = −M∇J by the two-loop recursion over the last k pairs (s, y), a strong Wolfe
    line search, then drop the oldest pair."""
    J, g = c.f(w), c.g(w)
    S, Y = [], []
    path = [w.copy()]
    for t in range(1, max_iter + 1):
        if np.linalg.norm(g) <= tol:
            return w, J, g, path, t - 1, None
        p = -two_loop_recursion(g, S, Y)
        line = _Line(c, w, p)
        eps, J_new = _strong_wolfe(line.phi, line.dphi, J, float(g @ p),
                                   eps1=1.0 if S else min(1.0, 1.0 / float(np.linalg.norm(g))))
        if eps is None:
            return w, J, g, path, t - 1, "line search failed to find a strong Wolfe step"
        g_new = line.grad_at(eps)
        s, y = eps * p, g_new - g
        if float(y @ s) > 1e-12 * float(np.linalg.norm(s) * np.linalg.norm(y)):   # keep only curvature pairs
            S.append(s)
            Y.append(y)
            if len(S) > memory:                        # memory k: O(nk) numbers
                S.pop(0)
                Y.pop(0)
        w, J, g = w + s, J_new, g_new
        path.append(w.copy())
    return w, J, g, path, max_iter, None


def lbfgs(fun: Callable, x0, *, grad: Callable, memory: int = 10, tol: float = 1e-8,
          max_iter: int = 1000) -> OptimizeResult:
    """Limited-memory BFGS: BFGS' direction from the last ``memory`` pairs ``(s, y)`` only.

    Stores ``2·memory`` vectors (O(nk) memory instead of BFGS' O(n²)); the direction costs O(nk)
    (:func:`two_loop_recursion`).  The first step has length ``min(1, 1/‖∇J‖)``; afterwards ``ε = 1``
    is tried first in a strong Wolfe line search (``c₁ = 10⁻⁴``, ``c₂ = 0.9``).
    """
    _check_callable(fun, "fun", "x -> J(x)")
    _check_callable(grad, "grad", "x -> ∇J(x)")
    x, dtype = _check_x0(x0)
    memory = check_int(memory, "memory", "[1, inf)")
    tol = check_float(tol, "tol", "(0, inf)")
    max_iter = check_int(max_iter, "max_iter", "[1, inf)")
    c = _Counted(fun, grad, x.size)
    w, J, g, path, nit, msg = _lbfgs(c, x, memory=memory, tol=tol, max_iter=max_iter)
    return _result(w, J, g, path, nit, c, tol, dtype, msg)
