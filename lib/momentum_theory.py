"""How fast momentum converges on a quadratic: the theory of chapter 5, as functions that execute.

On the quadratic ``J(w) = ½ Σ λ_i w_i²`` (any convex quadratic, written in the eigenbasis of its
Hessian) every method of the chapter acts on each eigen-direction separately, so one coordinate
``w`` with curvature ``λ`` (gradient ``g = λw``) tells the whole story.  Momentum in Keras' velocity
form (university lecture §5.2.3, eq. 5.12 / algorithm 5-2 with ``ρ`` for the learning rate)::

    u ← β·u − α·g                                   (g = λ·w)
    w ← w + u

is a linear map of the state ``(w, u)``::

    ⎡w⎤      ⎡1 − αλ   β⎤ ⎡w⎤
    ⎣u⎦  ←   ⎣ −αλ     β⎦ ⎣u⎦                       (:func:`momentum_matrix`)

so ``(w_t, u_t) = M^t (w_0, u_0)`` and the error shrinks, asymptotically, by the spectral radius
``ρ(M)`` per step (:func:`momentum_rate`).  The eigenvalues of ``M`` are the roots of
``z² − (1 + β − αλ)·z + β = 0``; their product is ``β``, so ``ρ(M) ≥ √β``, with equality whenever
the roots are complex (the "oscillating" regime).  Plain gradient descent is ``β = 0``:
``ρ = |1 − αλ|`` (:func:`gd_rate`).

The same ``α`` is the learning rate of the boostcamp post's undamped form ``a ← βa + g,
w ← w − αa`` (its ``a`` is ``−u/α``).  The week-10 notes' EWMA form ``v ← βv + (1 − β)g,
w ← w − α_EWMA·v`` is the same method with ``α = α_EWMA·(1 − β)`` (:func:`convert_learning_rate`).

Nesterov's look-ahead (boostcamp post; university lecture algorithm 5-2) evaluates the gradient at
``w + βu``; on one eigen-direction its iteration matrix is :func:`nesterov_matrix`, with
characteristic polynomial ``z² − (1 + β)(1 − αλ)·z + β(1 − αλ)``.

Everything here is NumPy only.  The rate functions broadcast over array arguments (a whole
``(α, β)`` grid at once, for a heat map); the matrix functions take scalars.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = [
    "momentum_matrix",
    "nesterov_matrix",
    "momentum_rate",
    "nesterov_rate",
    "gd_rate",
    "quadratic_rate",
    "is_stable",
    "optimal_gd",
    "optimal_momentum",
    "convert_learning_rate",
    "iterations_needed",
    "measured_rate",
]

FORMS = ("ewma", "undamped", "velocity")


# ----------------------------------------------------------------------------------------------
# input checks: every public function names the argument, its value and what is allowed
# ----------------------------------------------------------------------------------------------
def _as_real_array(value: Any, name: str) -> np.ndarray:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or an array of real numbers, got bool: {value!r}")
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or an array of real numbers, got {type(value).__name__}") from None
    if a.dtype.kind not in "iuf" or a.size == 0:
        raise TypeError(
            f"{name} must be a real number or a non-empty array of real numbers, got {type(value).__name__} "
            f"of dtype {a.dtype}"
        )
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {float(a[~np.isfinite(a)].flat[0])!r}")
    return a


def _first_bad(a: np.ndarray, bad: np.ndarray) -> float:
    return float(a[bad].flat[0])


def _check_alpha(alpha: Any) -> np.ndarray:
    a = _as_real_array(alpha, "alpha")
    if np.any(a <= 0):
        raise ValueError(f"alpha (the learning rate) must be a positive finite float, got {_first_bad(a, a <= 0)!r}")
    return a


def _check_beta(beta: Any) -> np.ndarray:
    b = _as_real_array(beta, "beta")
    bad = (b < 0) | (b >= 1)
    if np.any(bad):
        raise ValueError(f"beta (the momentum coefficient) must be in [0, 1), got {_first_bad(b, bad)!r}")
    return b


def _check_lam(lam: Any, name: str = "lam") -> np.ndarray:
    # any finite real curvature: λ < 0 is a direction of negative curvature (the saddle), where the
    # "rate" is the growth factor of the escape
    return _as_real_array(lam, name)


def _check_scalar(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}: {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return x


def _out(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


# ----------------------------------------------------------------------------------------------
# iteration matrices (one eigen-direction)
# ----------------------------------------------------------------------------------------------
def momentum_matrix(alpha: float, beta: float, lam: float) -> np.ndarray:
    """The iteration matrix of momentum (velocity form) on one eigen-direction with curvature ``lam``.

    State ``(w, u)`` with Keras' velocity ``u`` (university lecture §5.2.3, eq. 5.12 with the sign of
    ``v`` flipped; ``SGD(learning_rate=α, momentum=β)``)::

        u ← β·u − α·λ·w             ⎡w⎤   ⎡1 − αλ   β⎤ ⎡w⎤
        w ← w + u           i.e.    ⎣u⎦ ← ⎣ −αλ     β⎦ ⎣u⎦

    ``α`` is the velocity-form (= undamped) learning rate; for the week-10 notes' EWMA form pass
    ``α_EWMA·(1 − β)`` (:func:`convert_learning_rate`).  Returns a float64 array of shape ``(2, 2)``.
    """
    a, b, lam_ = (_check_scalar(x, n) for x, n in ((alpha, "alpha"), (beta, "beta"), (lam, "lam")))
    _check_alpha(a)
    _check_beta(b)
    return np.array([[1.0 - a * lam_, b], [-a * lam_, b]])


def nesterov_matrix(alpha: float, beta: float, lam: float) -> np.ndarray:
    """The iteration matrix of Nesterov momentum on one eigen-direction with curvature ``lam``.

    Look-ahead form (boostcamp post; university lecture algorithm 5-2, lines 4-7, with ``v`` = ``u``)::

        g = λ·(w + β·u)             gradient at the look-ahead point
        u ← β·u − α·g               ⎡w⎤   ⎡1 − αλ   β(1 − αλ)⎤ ⎡w⎤
        w ← w + u           i.e.    ⎣u⎦ ← ⎣ −αλ     β(1 − αλ)⎦ ⎣u⎦

    Keras' ``SGD(α, momentum=β, nesterov=True)`` iterates the look-ahead point ``w + βu``; a change
    of variables, so the same eigenvalues.  Returns a float64 array of shape ``(2, 2)``.
    """
    a, b, lam_ = (_check_scalar(x, n) for x, n in ((alpha, "alpha"), (beta, "beta"), (lam, "lam")))
    _check_alpha(a)
    _check_beta(b)
    c = 1.0 - a * lam_
    return np.array([[c, b * c], [-a * lam_, b * c]])


# ----------------------------------------------------------------------------------------------
# rates (spectral radii), broadcasting
# ----------------------------------------------------------------------------------------------
def _largest_root_modulus(trace: np.ndarray, det: np.ndarray) -> np.ndarray:
    """Largest |z| with z² − trace·z + det = 0 (real coefficients), without cancellation."""
    disc = trace * trace - 4.0 * det
    real_roots = (np.abs(trace) + np.sqrt(np.maximum(disc, 0.0))) / 2.0
    complex_roots = np.sqrt(np.maximum(det, 0.0))  # disc < 0 implies det > 0: |z|² = det
    return np.where(disc >= 0.0, real_roots, complex_roots)


def momentum_rate(alpha: Any, beta: Any, lam: Any) -> float | np.ndarray:
    """Spectral radius of :func:`momentum_matrix`: the factor by which momentum shrinks the error per step.

    The largest ``|z|`` with ``z² − (1 + β − αλ)·z + β = 0``:

    * ``(1 + β − αλ)² < 4β`` (complex roots, the iterates spiral in): ``ρ = √β`` — independent of
      ``α`` and ``λ``;
    * otherwise ``ρ = (|1 + β − αλ| + √((1 + β − αλ)² − 4β)) / 2``.

    ``ρ < 1`` converges (:func:`is_stable`); ``ρ > 1`` diverges (or, for ``λ < 0``, escapes a
    saddle by that factor per step).  ``alpha`` (velocity-form learning rate, > 0), ``beta``
    (in [0, 1)) and ``lam`` (curvature, any real) broadcast; a float for scalar input.
    """
    a, b, lam_ = np.broadcast_arrays(_check_alpha(alpha), _check_beta(beta), _check_lam(lam))
    return _out(_largest_root_modulus(1.0 + b - a * lam_, b))


def nesterov_rate(alpha: Any, beta: Any, lam: Any) -> float | np.ndarray:
    """Spectral radius of :func:`nesterov_matrix`: the largest ``|z|`` with
    ``z² − (1 + β)(1 − αλ)·z + β(1 − αλ) = 0``.  Broadcasts like :func:`momentum_rate`."""
    a, b, lam_ = _check_alpha(alpha), _check_beta(beta), _check_lam(lam)
    c = 1.0 - a * lam_
    return _out(_largest_root_modulus((1.0 + b) * c, b * c))


def gd_rate(alpha: Any, lam: Any) -> float | np.ndarray:
    """Gradient descent's factor per step on curvature ``λ``: ``|1 − αλ|`` (``β = 0``).  Broadcasts."""
    a, lam_ = _check_alpha(alpha), _check_lam(lam)
    return _out(np.abs(1.0 - a * lam_))


def quadratic_rate(alpha: float, beta: float, eigenvalues: Any, *, nesterov: bool = False) -> float:
    """The rate on a whole quadratic: the slowest eigen-direction, ``max_i ρ(α, β, λ_i)``.

    ``eigenvalues`` are the Hessian's (e.g. ``(1, 25)`` for the ravine); ``beta = 0`` gives gradient
    descent; ``nesterov=True`` uses :func:`nesterov_rate`.
    """
    a, b = _check_scalar(alpha, "alpha"), _check_scalar(beta, "beta")
    lams = _check_lam(eigenvalues, "eigenvalues")
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    rate = nesterov_rate if nesterov else momentum_rate
    return float(np.max(rate(a, b, lams)))


def is_stable(alpha: Any, beta: Any, lam: Any, *, nesterov: bool = False) -> bool | np.ndarray:
    """Whether momentum converges on curvature ``λ``: spectral radius < 1.

    In closed form (Jury's test on the characteristic polynomial), for ``0 ≤ β < 1``:

    * momentum:  ``0 < αλ < 2(1 + β)``;
    * Nesterov:  ``0 < αλ < 2(1 + β)/(1 + 2β)`` (a narrower range of learning rates).

    ``λ ≤ 0`` is never stable.  Broadcasts; a bool for scalar input.
    """
    a, b, lam_ = _check_alpha(alpha), _check_beta(beta), _check_lam(lam)
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    x = a * lam_
    high = 2.0 * (1.0 + b) / (1.0 + 2.0 * b) if nesterov else 2.0 * (1.0 + b)
    stable = (x > 0) & (x < high)
    return bool(stable) if stable.ndim == 0 else stable


# ----------------------------------------------------------------------------------------------
# optimal parameters for a condition number
# ----------------------------------------------------------------------------------------------
def _check_spectrum(lam_min: Any, lam_max: Any) -> tuple[float, float]:
    lo, hi = _check_scalar(lam_min, "lam_min"), _check_scalar(lam_max, "lam_max")
    if lo <= 0:
        raise ValueError(f"lam_min must be a positive finite float (the smallest curvature), got {lam_min!r}")
    if hi < lo:
        raise ValueError(f"lam_max must be >= lam_min, got lam_min={lam_min!r}, lam_max={lam_max!r}")
    return lo, hi


def optimal_gd(lam_min: float, lam_max: float) -> tuple[float, float]:
    """Gradient descent's best fixed learning rate on curvatures in ``[λ_min, λ_max]``: ``(α*, rate)``.

    ``α* = 2/(λ_min + λ_max)`` balances the slowest and the fastest direction,
    ``|1 − α*λ_min| = |1 − α*λ_max| = (κ − 1)/(κ + 1)`` with ``κ = λ_max/λ_min``.
    """
    lo, hi = _check_spectrum(lam_min, lam_max)
    kappa = hi / lo
    return 2.0 / (lo + hi), (kappa - 1.0) / (kappa + 1.0)


def optimal_momentum(lam_min: float, lam_max: float) -> tuple[float, float]:
    """The heavy-ball parameters that minimise the worst rate on ``[λ_min, λ_max]``: ``(α*, β*)``.

    ``α* = 4/(√λ_max + √λ_min)²`` and ``β* = ((√κ − 1)/(√κ + 1))²`` (Polyak 1964), velocity form.
    Every direction then has complex (or double) roots of modulus ``√β* = (√κ − 1)/(√κ + 1)``,
    the optimal rate — against gradient descent's ``(κ − 1)/(κ + 1)``: ``√κ`` in place of ``κ``.
    """
    lo, hi = _check_spectrum(lam_min, lam_max)
    s_lo, s_hi = math.sqrt(lo), math.sqrt(hi)
    alpha = 4.0 / (s_hi + s_lo) ** 2
    beta = ((s_hi - s_lo) / (s_hi + s_lo)) ** 2  # = ((√κ − 1)/(√κ + 1))², without forming κ
    return alpha, beta


# ----------------------------------------------------------------------------------------------
# conversions and counts
# ----------------------------------------------------------------------------------------------
def convert_learning_rate(alpha: float, beta: float, source: str, target: str) -> float:
    """The learning rate that makes another form of momentum take exactly the same steps.

    Forms: ``"ewma"`` (week-10 notes §6: ``v ← βv + (1 − β)g, w ← w − αv``), ``"undamped"``
    (boostcamp post: ``a ← βa + g, w ← w − αa``) and ``"velocity"`` (Keras ``SGD(momentum=β)`` and
    the university lecture's ``v ← αv − ρg, θ ← θ + v`` with ``ρ`` as the learning rate)::

        α_undamped = α_velocity = α_EWMA·(1 − β)

    (the notes: when the ``(1 − β)`` is dropped, "α도 1/(1−β)에 대응되는 값으로 바뀌어야 함").
    """
    a = float(_check_alpha(_check_scalar(alpha, "alpha")))
    b = float(_check_beta(_check_scalar(beta, "beta")))
    for name, form in (("source", source), ("target", target)):
        if form not in FORMS:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, FORMS))}, got {form!r}")
    velocity = a * (1.0 - b) if source == "ewma" else a
    return velocity / (1.0 - b) if target == "ewma" else velocity


def iterations_needed(rate: float, tolerance: float = 1e-6) -> int:
    """Steps ``t`` until ``rate^t ≤ tolerance``: ``⌈ln(tolerance)/ln(rate)⌉`` (for ``0 ≤ rate < 1``).

    This is the count the asymptotic rate predicts; a trajectory can need more when the iteration
    matrix is not diagonalisable (a double root, as at the optimal momentum parameters, where the
    error behaves like ``t·ρ^t``).
    """
    r = _check_scalar(rate, "rate")
    tol = _check_scalar(tolerance, "tolerance")
    if not 0 <= r < 1:
        raise ValueError(f"rate must be in [0, 1) (a converging method), got {rate!r}")
    if not 0 < tol < 1:
        raise ValueError(f"tolerance must be in (0, 1), got {tolerance!r}")
    if r == 0:
        return 1
    # (− 1e-9: when rate^t equals the tolerance exactly, rounding must not add a step)
    return max(1, math.ceil(math.log(tol) / math.log(r) - 1e-9))


def measured_rate(trajectory: Any, minimum: Any, *, tail: float = 0.5, floor: float | None = None) -> float:
    """The rate a run actually achieved: ``exp`` of the slope of ``log‖e_t‖`` over the tail of the run.

    ``trajectory`` has shape ``(steps + 1, d)`` (what :func:`lib.runner.run` returns), ``minimum``
    shape ``(d,)``.  ``e_t`` is the pair ``(w_t − w*, w_{t−1} − w*)``: with complex eigenvalues the
    distance ``‖w_t − w*‖`` alone dips towards zero once per half turn of the spiral, while the
    pair's norm stays within constant factors of ``ρ^t`` — so the least-squares slope of its
    logarithm over the last ``tail`` fraction of the usable rows converges to ``log ρ``.  Rows whose
    error is below ``floor`` (default: 1000 ulps of ``‖w*‖``, or 1e-280 when ``w* = 0``) are
    rounding noise and are dropped, as is everything after the first of them.  A diverging run
    (growing errors; :func:`lib.runner.run` stops it before overflow) measures a rate above 1.
    """
    traj = np.asarray(trajectory)
    if traj.dtype.kind not in "iuf" or traj.ndim != 2 or traj.shape[0] < 1 or traj.shape[1] < 1:
        raise ValueError(f"trajectory must be a real array of shape (steps + 1, d), got shape {traj.shape}")
    traj = traj.astype(np.float64)
    w_star = np.asarray(minimum)
    if w_star.dtype.kind not in "iuf" or w_star.shape != (traj.shape[1],):
        raise ValueError(f"minimum must be a real array of shape ({traj.shape[1]},), got shape {w_star.shape}")
    w_star = w_star.astype(np.float64)
    if not np.all(np.isfinite(w_star)):
        raise ValueError("minimum must be finite")
    tail = _check_scalar(tail, "tail")
    if not 0 < tail <= 1:
        raise ValueError(f"tail must be in (0, 1], got {tail!r}")
    if floor is None:
        norm_star = float(np.linalg.norm(w_star))
        floor = 1000 * np.finfo(np.float64).eps * norm_star if norm_star > 0 else 1e-280
    else:
        floor = _check_scalar(floor, "floor")
        if floor < 0:
            raise ValueError(f"floor must be a finite float >= 0, got {floor!r}")
    with np.errstate(over="ignore", invalid="ignore"):
        diff = traj - w_star
        scale = np.max(np.abs(diff), axis=1)  # norms of huge (diverging) rows without overflow
        err = scale * np.linalg.norm(diff / np.where(scale > 0, scale, 1.0)[:, None], axis=1)
        pair = np.hypot(err[1:], err[:-1])  # ‖(w_t − w*, w_{t−1} − w*)‖, t = 1, 2, …
    finite = np.isfinite(pair)
    if not finite.all():
        pair = pair[: int(np.argmin(finite))]  # keep the rows before the first non-finite one
    below = np.flatnonzero(pair <= floor)
    usable = pair[: below[0]] if below.size else pair
    start = int(len(usable) * (1.0 - tail))
    y = np.log(usable[start:])
    if y.size < 3:
        raise ValueError(
            f"trajectory is too short to measure a rate: {y.size} usable rows in the tail (need 3; "
            f"{len(traj)} rows, {len(usable)} above the floor {floor:g}); run more steps or raise tail"
        )
    t = np.arange(y.size, dtype=np.float64)
    t -= t.mean()
    slope = float(np.dot(t, y - y.mean()) / np.dot(t, t))
    return math.exp(slope)
