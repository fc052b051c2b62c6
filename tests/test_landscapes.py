"""lib.landscapes: values from the lecture, gradients and Hessians against tf.GradientTape and finite
differences, minima, grids, dtypes and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import landscapes
from lib.gradients import numerical_gradient

ALL = {
    "lecture_quadratic": landscapes.lecture_quadratic,
    "quadratic": lambda: landscapes.quadratic(10.0),
    "quadratic_rotated": lambda: landscapes.quadratic(25.0, rotation=0.6, scale=0.5, center=(1.0, -2.0)),
    "rosenbrock": landscapes.rosenbrock,
    "rosenbrock_a2": lambda: landscapes.rosenbrock(a=2.0, b=10.0),
    "beale": landscapes.beale,
    "saddle": landscapes.saddle,
}


def sample_points(landscape, n=12, seed=0):
    """``n`` points spread over the landscape's drawing window (plus its default start)."""
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = landscape.bounds
    pts = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    return np.vstack([pts, landscape.default_start])


def tf_grad_and_hessian(tf, landscape, points):
    """Gradients ``(n, 2)`` and Hessians ``(n, 2, 2)`` of ``landscape.expression`` at the rows of
    ``points`` by tf.GradientTape (float64).  The points are independent, so the gradient of the
    *sum* of the values is every point's own gradient (and likewise for each gradient component)."""
    x = tf.Variable(np.asarray(points).T, dtype=tf.float64)  # shape (2, n): a grid of points
    with tf.GradientTape(persistent=True) as outer:
        with tf.GradientTape() as inner:
            y = tf.reduce_sum(landscape.expression(x[0], x[1]))
        g = inner.gradient(y, x)  # (2, n)
        g1, g2 = tf.reduce_sum(g[0]), tf.reduce_sum(g[1])
    row1, row2 = outer.gradient(g1, x), outer.gradient(g2, x)  # (∂g1/∂w1, ∂g1/∂w2), (∂g2/∂w1, ∂g2/∂w2)
    del outer
    H = np.stack([row1.numpy(), row2.numpy()])  # (2, 2, n)
    return g.numpy().T, np.moveaxis(H, -1, 0)


# ----------------------------------------------------------------------------------------------
# the lecture's numbers
# ----------------------------------------------------------------------------------------------
def test_lecture_quadratic_matches_example_5_2_and_5_3():
    J = landscapes.lecture_quadratic()
    # example 5-2: J(w) = (w1 − 2)² + 4(w2 − 1)², ∇J(4, 2) = (4, 8), ∇J(3.2, 0.4) = (2.4, −4.8)
    assert J.f([4.0, 2.0]) == 8.0
    np.testing.assert_allclose(J.grad([4.0, 2.0]), [4.0, 8.0])
    np.testing.assert_allclose(J.grad([3.2, 0.4]), [2.4, -4.8], atol=1e-12)
    # example 5-3: H = [[2, 0], [0, 8]]; the minimum is (2, 1)
    np.testing.assert_array_equal(J.hessian([4.0, 2.0]), [[2.0, 0.0], [0.0, 8.0]])
    np.testing.assert_array_equal(J.minimum, [2.0, 1.0])
    np.testing.assert_array_equal(J.default_start, [4.0, 2.0])
    assert J.f_min == 0.0


def test_quadratic_with_kappa_4_scale_2_is_the_lecture_quadratic():
    J = landscapes.lecture_quadratic()
    Q = landscapes.quadratic(4.0, scale=2.0, center=(2.0, 1.0))
    pts = sample_points(J).T
    np.testing.assert_allclose(Q.f(pts), J.f(pts), rtol=1e-12)
    np.testing.assert_allclose(Q.grad(pts), J.grad(pts), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kappa,rotation,scale", [(1.0, 0.0, 1.0), (10.0, 0.0, 1.0), (100.0, math.pi / 6, 0.3)])
def test_quadratic_eigenvalues_and_eigenvectors_follow_the_knobs(kappa, rotation, scale):
    Q = landscapes.quadratic(kappa, rotation=rotation, scale=scale)
    H = Q.hessian(Q.default_start)
    lam = np.linalg.eigvalsh(H)
    np.testing.assert_allclose(lam, [scale, scale * kappa], rtol=1e-12)
    assert lam[1] / lam[0] == pytest.approx(kappa)
    steep = np.array([-math.sin(rotation), math.cos(rotation)])
    np.testing.assert_allclose(H @ steep, scale * kappa * steep, atol=1e-12)
    # J(w) = ½ (w − c)ᵀ H (w − c)
    w = np.array([0.7, -1.3])
    assert Q.f(w) == pytest.approx(0.5 * w @ H @ w, rel=1e-12)


def test_rosenbrock_and_beale_golden_values():
    R = landscapes.rosenbrock()
    # (1 − (−1.2))² + 100 (1 − 1.44)² = 4.84 + 19.36 = 24.2 (the classic start)
    assert R.f([-1.2, 1.0]) == pytest.approx(24.2, rel=1e-12)
    np.testing.assert_allclose(R.grad([-1.2, 1.0]), [-215.6, -88.0], rtol=1e-12)
    B = landscapes.beale()
    # at (0, 0) every term is c_i: 1.5² + 2.25² + 2.625² = 14.203125
    assert B.f([0.0, 0.0]) == pytest.approx(14.203125, rel=1e-12)
    S = landscapes.saddle()
    assert S.f([1.0, 2.0]) == -3.0


# ----------------------------------------------------------------------------------------------
# analytic derivatives against tf.GradientTape and finite differences
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_gradient_and_hessian_match_tf_gradient_tape(tf, name):
    L = ALL[name]()
    points = sample_points(L, n=12)
    g_tf, H_tf = tf_grad_and_hessian(tf, L, points)
    for w, g_ref, H_ref in zip(points, g_tf, H_tf):
        np.testing.assert_allclose(L.grad(w), g_ref, rtol=1e-12, atol=1e-12 * (1.0 + np.abs(g_ref).max()))
        np.testing.assert_allclose(L.hessian(w), H_ref, rtol=1e-12, atol=1e-12 * (1.0 + np.abs(H_ref).max()))
    values_tf = L.expression(tf.constant(points[:, 0]), tf.constant(points[:, 1])).numpy()
    np.testing.assert_allclose(L.f(points.T), values_tf, rtol=1e-14)


@pytest.mark.parametrize("name", ALL)
def test_gradient_and_hessian_match_finite_differences(name):
    L = ALL[name]()
    for w in sample_points(L, n=5, seed=1):
        g = L.grad(w)
        np.testing.assert_allclose(g, numerical_gradient(L.f, w, h=1e-5), rtol=1e-6, atol=1e-6 * (1 + np.abs(g).max()))
        H_num = np.stack([numerical_gradient(lambda v, i=i: L.grad(v)[i], w, h=1e-6) for i in range(2)])
        H = L.hessian(w)
        np.testing.assert_allclose(H, H_num, rtol=1e-6, atol=1e-6 * (1 + np.abs(H).max()))
        np.testing.assert_array_equal(H, H.T)


@pytest.mark.parametrize("name", [n for n in ALL if n != "saddle"])
def test_minimum_has_zero_gradient_and_positive_definite_hessian(name):
    L = ALL[name]()
    np.testing.assert_allclose(L.grad(L.minimum), [0.0, 0.0], atol=1e-12)
    assert L.f_min == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.linalg.eigvalsh(L.hessian(L.minimum)) > 0)
    # and it is the lowest point of the drawing window
    (x0, x1), (y0, y1) = L.bounds
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101)))
    assert L.f(grid).min() >= L.f_min - 1e-12


def test_saddle_has_a_critical_point_that_is_not_a_minimum():
    S = landscapes.saddle()
    assert S.minimum is None and S.f_min is None
    np.testing.assert_array_equal(S.grad([0.0, 0.0]), [0.0, 0.0])
    lam = np.linalg.eigvalsh(S.hessian([0.0, 0.0]))
    assert lam[0] < 0 < lam[1]


def test_rosenbrock_minimum_moves_with_a():
    R = landscapes.rosenbrock(a=2.0, b=10.0)
    np.testing.assert_array_equal(R.minimum, [2.0, 4.0])
    np.testing.assert_allclose(R.grad([2.0, 4.0]), [0.0, 0.0], atol=1e-12)


# ----------------------------------------------------------------------------------------------
# grids, dtypes
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_grids_are_evaluated_pointwise(name):
    L = ALL[name]()
    rng = np.random.default_rng(3)
    grid = rng.uniform(-2, 2, size=(2, 4, 5))
    F, G, H = L.f(grid), L.grad(grid), L.hessian(grid)
    assert F.shape == (4, 5) and G.shape == (2, 4, 5) and H.shape == (2, 2, 4, 5)
    for i in range(4):
        for j in range(5):
            w = grid[:, i, j]
            assert F[i, j] == L.f(w)
            np.testing.assert_array_equal(G[:, i, j], L.grad(w))
            np.testing.assert_array_equal(H[:, :, i, j], L.hessian(w))


@pytest.mark.parametrize("name", ALL)
def test_dtype_in_equals_dtype_out(name):
    L = ALL[name]()
    w32 = L.default_start.astype(np.float32)
    assert L.f(w32).dtype == np.float32
    assert L.grad(w32).dtype == np.float32
    assert L.hessian(w32).dtype == np.float32
    assert L.f(np.stack([w32, w32], axis=1)).dtype == np.float32
    assert L.grad(np.array([1, 2])).dtype == np.float64  # integers are promoted


@settings(max_examples=40, deadline=None)
@given(st.floats(1.0, 1e4), st.floats(-math.pi, math.pi), st.floats(1e-3, 1e3))
def test_quadratic_gradient_is_hessian_times_offset(kappa, rotation, scale):
    Q = landscapes.quadratic(kappa, rotation=rotation, scale=scale, center=(0.5, -0.25))
    w = np.array([1.5, 2.0])
    H = Q.hessian(w)
    np.testing.assert_allclose(Q.grad(w), H @ (w - [0.5, -0.25]), rtol=1e-10, atol=1e-10 * scale * kappa)
    assert np.linalg.cond(H) == pytest.approx(kappa, rel=1e-6)


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kappa", [0.5, 0.0, -3.0, float("nan"), float("inf")])
def test_condition_number_below_one_or_not_finite_is_rejected(kappa):
    with pytest.raises(ValueError, match="condition_number must be"):
        landscapes.quadratic(kappa)


def test_bad_factory_arguments_are_rejected():
    with pytest.raises(TypeError, match="condition_number must be a float >= 1, got str"):
        landscapes.quadratic("10")
    with pytest.raises(TypeError, match="condition_number must be a float >= 1, got bool"):
        landscapes.quadratic(True)
    with pytest.raises(ValueError, match="scale must be a positive float, got 0.0"):
        landscapes.quadratic(10.0, scale=0.0)
    with pytest.raises(ValueError, match="rotation must be a finite float, got inf"):
        landscapes.quadratic(10.0, rotation=float("inf"))
    with pytest.raises(ValueError, match="center must be a pair"):
        landscapes.quadratic(10.0, center=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="b must be a positive float"):
        landscapes.rosenbrock(b=-1.0)


@pytest.mark.parametrize("w", [[1.0, 2.0, 3.0], 1.0, np.zeros((3, 2)), np.zeros((1, 5))])
def test_wrong_shapes_are_rejected(w):
    L = landscapes.lecture_quadratic()
    for method in (L.f, L.grad, L.hessian):
        with pytest.raises(ValueError, match=r"w must have shape \(2,\)"):
            method(w)


def test_non_finite_and_non_numeric_points_are_rejected():
    L = landscapes.rosenbrock()
    with pytest.raises(ValueError, match="w must contain only finite values"):
        L.grad([np.inf, 1.0])
    with pytest.raises(TypeError, match="w must be an array of real numbers"):
        L.f(["a", "b"])
