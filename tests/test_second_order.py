"""lib.second_order: Newton, line searches, linear and nonlinear CG, BFGS and L-BFGS, against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize as so
from scipy.sparse.linalg import cg as scipy_cg

from lib import second_order as S
from lib.landscapes import Landscape, beale, lecture_quadratic, rosenbrock


def spd(n: int, kappa: float, seed: int) -> np.ndarray:
    """A random symmetric positive definite matrix with eigenvalues geomspace(1, κ, n)."""
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    A = (Q * np.geomspace(1.0, kappa, n)) @ Q.T
    return (A + A.T) / 2


def double_well() -> Landscape:
    """J = w1² + w2⁴/4 − w2²/2: a saddle at the origin, minima at (0, ±1)."""
    return Landscape("double well", lambda a, b: a**2 + b**4 / 4 - b**2 / 2,
                     lambda a, b: (2 * a, b**3 - b), lambda a, b: ((2.0 + 0 * a, 0 * a), (0 * a, 3 * b**2 - 1)),
                     minimum=(0.0, 1.0), default_start=(1.0, 0.01), bounds=((-2, 2), (-2, 2)))


QUAD, ROSEN, BEALE = lecture_quadratic(), rosenbrock(), beale()


# ----------------------------------------------------------------------------------------------
# the lecture's examples
# ----------------------------------------------------------------------------------------------
def test_example_5_3_one_newton_step_from_4_2_lands_on_2_1():
    # University lecture, example 5-3: δ = −diag(2, 8)⁻¹ (4, 8) = −(2, 1), so w₂ = (4, 2) − (2, 1) = (2, 1).
    res = S.newton(QUAD.f, [4.0, 2.0], grad=QUAD.grad, hess=QUAD.hessian, line_search=False, modify=False,
                   max_iter=1)
    assert res.path.tolist() == [[4.0, 2.0], [2.0, 1.0]]
    assert S.newton_direction(QUAD.grad(np.array([4.0, 2.0])), QUAD.hessian(np.array([4.0, 2.0]))).tolist() == [-2.0, -1.0]
    res = S.newton(QUAD.f, [4.0, 2.0], grad=QUAD.grad, hess=QUAD.hessian)
    assert res.nit == 1 and res.success and res.fun == 0.0 and res.path.shape == (2, 2)


def test_newton_converges_quadratically_on_rosenbrock():
    res = S.newton(ROSEN.f, ROSEN.default_start, grad=ROSEN.grad, hess=ROSEN.hessian, tol=1e-12)
    err = np.linalg.norm(res.path - 1.0, axis=1)
    near = (err[:-1] < 0.1) & (err[:-1] > 1e-5)   # close to the minimum, above rounding level
    assert res.success and near.sum() >= 2
    assert np.all(err[1:][near] <= 20 * err[:-1][near] ** 2)   # e_{t+1} ≤ C e_t²: quadratic convergence


def test_pure_newton_is_attracted_by_a_saddle_and_the_modified_hessian_escapes():
    dw = double_well()
    pure = S.newton(dw.f, [1.0, 0.01], grad=dw.grad, hess=dw.hessian, line_search=False, modify=False)
    fixed = S.newton(dw.f, [1.0, 0.01], grad=dw.grad, hess=dw.hessian)
    assert np.abs(pure.x).max() < 1e-8            # a saddle: gradient zero, but not a minimum
    assert np.allclose(fixed.x, [0.0, 1.0], atol=1e-8) and fixed.fun < pure.fun - 0.2


def test_modify_hessian_takes_absolute_eigenvalues():
    H = np.array([[2.0, 0.0], [0.0, -3.0]])
    assert np.allclose(S.modify_hessian(H), np.diag([2.0, 3.0]))
    assert np.allclose(S.modify_hessian(np.zeros((2, 2)), 1e-3), 1e-3 * np.eye(2))


# ----------------------------------------------------------------------------------------------
# SciPy agreement on several problems
# ----------------------------------------------------------------------------------------------
PROBLEMS = {
    "rosenbrock": (ROSEN.f, ROSEN.grad, ROSEN.default_start, np.array([1.0, 1.0])),
    "beale": (BEALE.f, BEALE.grad, BEALE.default_start, np.array([3.0, 0.5])),
    "rosen-10": (so.rosen, so.rosen_der, np.full(10, -0.5), np.ones(10)),
}
METHODS = {"CG": lambda f, g, x: S.nonlinear_cg(f, x, grad=g, beta="PR+"),
           "BFGS": lambda f, g, x: S.bfgs(f, x, grad=g),
           "L-BFGS-B": lambda f, g, x: S.lbfgs(f, x, grad=g)}


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("method", list(METHODS))
def test_same_minimizer_as_scipy_with_iteration_counts_of_the_same_order(problem, method):
    f, g, x0, x_star = PROBLEMS[problem]
    ours = METHODS[method](f, g, x0)
    theirs = so.minimize(f, x0, jac=g, method=method, options={"gtol": 1e-8, "maxiter": 5000})
    assert ours.success, ours.message
    assert np.abs(ours.x - x_star).max() < 1e-6
    assert np.abs(ours.x - theirs.x).max() < 1e-4      # L-BFGS-B's own stopping leaves ~1e-6
    assert ours.nit <= 3 * theirs.nit + 10 and theirs.nit <= 3 * ours.nit + 10
    assert ours.path.shape == (ours.nit + 1, x0.size) and np.array_equal(ours.path[0], x0)


def test_newton_and_newton_cg_match_scipy_on_rosenbrock():
    for ours in (S.newton(ROSEN.f, ROSEN.default_start, grad=ROSEN.grad, hess=ROSEN.hessian),
                 S.newton_cg(ROSEN.f, ROSEN.default_start, grad=ROSEN.grad)):
        theirs = so.minimize(ROSEN.f, ROSEN.default_start, jac=ROSEN.grad, hess=ROSEN.hessian, method="trust-exact")
        assert ours.success and np.abs(ours.x - theirs.x).max() < 1e-6
        assert ours.nit <= 5 * theirs.nit


def test_newton_cg_with_exact_hessian_products_solves_rosen_10():
    x0 = np.full(10, -0.5)
    ours = S.newton_cg(so.rosen, x0, grad=so.rosen_der, hessp=so.rosen_hess_prod)
    theirs = so.minimize(so.rosen, x0, jac=so.rosen_der, hessp=so.rosen_hess_prod, method="Newton-CG",
                         options={"xtol": 1e-12})
    assert ours.success and np.abs(ours.x - 1).max() < 1e-8 and np.abs(theirs.x - 1).max() < 1e-6
    assert ours.nhev > 0


def test_linear_cg_has_scipys_iterates_and_finishes_in_n_steps():
    A, b = spd(30, 100.0, 0), np.random.default_rng(1).standard_normal(30)
    ours = S.conjugate_gradient(A, b, tol=1e-10)
    iterates = []
    scipy_cg(A, b, rtol=1e-10, atol=0.0, callback=lambda xk: iterates.append(xk.copy()))
    assert ours.nit == len(iterates)
    # n steps in exact arithmetic; in floating point, for a moderate κ, the residual after n steps is tiny
    A10 = spd(30, 10.0, 0)
    path = S.conjugate_gradient(A10, b, tol=1e-14, max_iter=30).path
    assert np.linalg.norm(A10 @ path[30] - b) < 1e-10 * np.linalg.norm(b)
    assert np.abs(ours.path[1:] - np.array(iterates)).max() < 1e-10
    assert np.allclose(A @ ours.x, b, atol=1e-8)
    # the same with A given as products v -> A v
    assert np.array_equal(S.conjugate_gradient(lambda v: A @ v, b, tol=1e-10).x, ours.x)


def test_linear_cg_directions_are_conjugate():
    # (5.40): p_tᵀ A p_{t−1} = 0; the directions are the differences of successive iterates.
    A, b = spd(8, 10.0, 2), np.ones(8)
    P = np.diff(S.conjugate_gradient(A, b, tol=1e-12).path, axis=0)
    C = P @ A @ P.T
    off = C - np.diag(np.diag(C))
    assert np.abs(off).max() < 1e-9 * np.abs(np.diag(C)).max()


def test_exact_line_search_minimizes_along_the_line():
    A, g, p = np.diag([2.0, 8.0]), np.array([4.0, 8.0]), np.array([-4.0, -8.0])
    eps = S.exact_line_search(A, g, p)
    assert eps == pytest.approx(80 / 544)  # gᵀg / gᵀAg = (16 + 64)/(32 + 512)


def test_wolfe_line_search_satisfies_the_strong_wolfe_conditions_like_scipy():
    x = np.array([-1.2, 1.0])
    p = -ROSEN.grad(x)
    ours = S.wolfe_line_search(ROSEN.f, ROSEN.grad, x, p, c1=1e-4, c2=0.9)
    theirs = so.line_search(ROSEN.f, ROSEN.grad, x, p, c1=1e-4, c2=0.9)[0]
    for eps in (ours, theirs):
        assert ROSEN.f(x + eps * p) <= ROSEN.f(x) + 1e-4 * eps * ROSEN.grad(x) @ p
        assert abs(ROSEN.grad(x + eps * p) @ p) <= 0.9 * abs(ROSEN.grad(x) @ p)


def test_backtracking_stops_at_the_first_armijo_step():
    x = np.array([-1.2, 1.0])
    g = ROSEN.grad(x)
    eps = S.backtracking_line_search(ROSEN.f, x, -g, g=g)
    assert ROSEN.f(x - eps * g) <= ROSEN.f(x) - 1e-4 * eps * g @ g
    assert ROSEN.f(x - 2 * eps * g) > ROSEN.f(x) - 1e-4 * 2 * eps * g @ g


def test_algorithm_5_11_restart_readings():
    # intended (β = 0 when t mod q = 1): a quadratic in n steps; as printed: steepest descent most of the time
    A, b = spd(20, 100.0, 3), np.ones(20)
    f, g = (lambda w: 0.5 * w @ A @ w - b @ w), (lambda w: A @ w - b)
    intended = S.nonlinear_cg(f, np.zeros(20), grad=g, restart=20, tol=1e-6, c2=1e-8)  # exact line search
    printed = S.nonlinear_cg(f, np.zeros(20), grad=g, restart=20, reading="as printed", tol=1e-6, c2=1e-8)
    assert intended.nit <= 25 < 2 * 25 < printed.nit


# ----------------------------------------------------------------------------------------------
# BFGS: secant condition
# ----------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 8))
def test_bfgs_update_satisfies_the_secant_condition_and_stays_positive_definite(seed, n):
    rng = np.random.default_rng(seed)
    M = spd(n, 10.0, seed)
    s = rng.standard_normal(n)
    y = s + 0.3 * rng.standard_normal(n)
    assume(y @ s > 0.1 * np.linalg.norm(s) * np.linalg.norm(y))   # a curvature pair, as the Wolfe search ensures
    M_new = S.bfgs_update(M, s, y)
    assert np.allclose(M_new @ y, s, rtol=1e-8, atol=1e-8)
    assert np.allclose(M_new, M_new.T) and np.linalg.eigvalsh(M_new)[0] > 0
    # the textbook product form (I − ρsyᵀ) M (I − ρysᵀ) + ρssᵀ
    rho, I = 1 / (y @ s), np.eye(n)
    assert np.allclose(M_new, (I - rho * np.outer(s, y)) @ M @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s))


def test_two_loop_recursion_equals_bfgs_updates_of_gamma_identity():
    rng = np.random.default_rng(5)
    n, k = 6, 4
    S_, Y_ = [], []
    for _ in range(k):
        s = rng.standard_normal(n)
        S_.append(s)
        Y_.append(spd(n, 5.0, 7) @ s)
    gamma = (S_[-1] @ Y_[-1]) / (Y_[-1] @ Y_[-1])
    M = gamma * np.eye(n)
    for s, y in zip(S_, Y_):
        M = S.bfgs_update(M, s, y)
    g = rng.standard_normal(n)
    assert np.allclose(S.two_loop_recursion(g, S_, Y_), M @ g)


def test_dtype_in_is_dtype_out_and_caller_data_untouched():
    x0 = np.array([-1.2, 1.0], dtype=np.float32)
    before = x0.copy()
    res = S.lbfgs(ROSEN.f, x0, grad=ROSEN.grad)
    assert res.x.dtype == np.float32 and res.path.dtype == np.float32 and np.array_equal(x0, before)


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------
def test_bad_input_names_the_argument():
    f, g = ROSEN.f, ROSEN.grad
    with pytest.raises(ValueError, match="x0 must contain only finite values, got nan"):
        S.bfgs(f, [np.nan, 1.0], grad=g)
    with pytest.raises(ValueError, match="max_iter must be a positive integer, got 0"):
        S.lbfgs(f, [0.0, 0.0], grad=g, max_iter=0)
    with pytest.raises(ValueError, match="memory must be a positive integer, got -1"):
        S.lbfgs(f, [0.0, 0.0], grad=g, memory=-1)
    with pytest.raises(TypeError, match="memory must be a positive integer, got float"):
        S.lbfgs(f, [0.0, 0.0], grad=g, memory=2.5)
    with pytest.raises(ValueError, match="beta must be one of 'PR', 'PR\\+', 'FR', got 'HS'"):
        S.nonlinear_cg(f, [0.0, 0.0], grad=g, beta="HS")
    with pytest.raises(ValueError, match=r"grad must return an array of x0's shape \(2,\), got shape \(3,\)"):
        S.bfgs(f, [0.0, 0.0], grad=lambda w: np.zeros(3))
    with pytest.raises(ValueError, match="grad returned non-finite values"):
        S.newton(f, [0.0, 0.0], grad=lambda w: np.array([np.nan, 0.0]), hess=ROSEN.hessian)
    with pytest.raises(ValueError, match="fun returned NaN"):
        S.lbfgs(lambda w: np.nan, [0.0, 0.0], grad=g)
    with pytest.raises(TypeError, match="grad must be a function"):
        S.bfgs(f, [0.0, 0.0], grad=None)
    with pytest.raises(ValueError, match="tol must be a positive float, got -1.0"):
        S.newton(f, [0.0, 0.0], grad=g, hess=ROSEN.hessian, tol=-1.0)


def test_conjugate_gradient_rejects_bad_systems():
    with pytest.raises(ValueError, match="A must be symmetric"):
        S.conjugate_gradient(np.array([[2.0, 1.0], [0.0, 2.0]]), np.ones(2))
    with pytest.raises(ValueError, match="A must be positive definite, got smallest eigenvalue -1"):
        S.conjugate_gradient(np.diag([1.0, -1.0]), np.ones(2))
    with pytest.raises(ValueError, match="A must be positive definite: pᵀAp"):
        S.conjugate_gradient(lambda v: np.array([1.0, -1.0]) * v, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"A must have shape \(len\(b\), len\(b\)\) = \(3, 3\)"):
        S.conjugate_gradient(np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="b must contain only finite values"):
        S.conjugate_gradient(np.eye(2), [1.0, np.inf])
    with pytest.raises(ValueError, match="x0 must have len"):
        S.conjugate_gradient(np.eye(2), np.ones(2), x0=np.zeros(3))
