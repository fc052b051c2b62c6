"""lib.gradients: finite differences and the gradient check, against calculus and tf.GradientTape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lib.gradients import gradient_check, numerical_gradient, relative_error


def counting(f):
    """``f`` wrapped so that ``wrapped.calls`` counts its evaluations."""

    def wrapped(w):
        wrapped.calls += 1
        return f(w)

    wrapped.calls = 0
    return wrapped


# ----------------------------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------------------------
def test_forward_difference_reproduces_the_slides_w_plus_h_numbers():
    # Study slides "Lecture 3 Optimization", §2: loss 1.25347 at W; W + 0.0001 in the first
    # dimension gives 1.25322, so dW[0] = (1.25322 - 1.25347) / 0.0001 = -2.5; in the second
    # dimension 1.25353, so dW[1] = 0.6; the third gives 0.  A loss that is linear with exactly these
    # slopes must give exactly these numbers.
    W = np.array([0.34, -1.11, 0.78])

    def loss(w):
        return 1.25347 - 2.5 * (w[0] - 0.34) + 0.6 * (w[1] + 1.11) + 0.0 * w[2]

    dW = numerical_gradient(loss, W, h=0.0001, method="forward")
    np.testing.assert_allclose(dW, [-2.5, 0.6, 0.0], atol=1e-9)
    np.testing.assert_allclose(loss(W + [0.0001, 0, 0]), 1.25322, atol=1e-12)


def test_central_difference_matches_the_derivative_of_a_cubic():
    w = np.array([[0.5, -1.0], [2.0, 0.1]])
    g = numerical_gradient(lambda v: np.sum(v**3), w)
    np.testing.assert_allclose(g, 3 * w**2, rtol=1e-9, atol=1e-9)


def test_truncation_error_is_order_h_forward_and_order_h_squared_central():
    # d/dx exp(x) at 0 is 1; forward error ≈ h/2, central error ≈ h²/6 (Taylor expansion).
    for h in (1e-2, 1e-3):
        fwd = numerical_gradient(lambda v: np.exp(v[0]), [0.0], h=h, method="forward")[0]
        ctr = numerical_gradient(lambda v: np.exp(v[0]), [0.0], h=h, method="central")[0]
        assert fwd - 1 == pytest.approx(h / 2, rel=0.01)
        assert ctr - 1 == pytest.approx(h**2 / 6, rel=0.01)


def test_counts_of_loss_evaluations():
    w = np.zeros((4, 3))
    f = counting(lambda v: float(np.sum(v**2)))
    numerical_gradient(f, w, method="central")
    assert f.calls == 2 * w.size
    f = counting(lambda v: float(np.sum(v**2)))
    numerical_gradient(f, w, method="forward")
    assert f.calls == w.size + 1


def test_caller_array_is_not_modified_and_f_sees_the_right_shape():
    w = np.arange(6, dtype=np.float64).reshape(2, 3)
    before = w.copy()
    shapes = set()

    def f(v):
        shapes.add(v.shape)
        assert v is not w
        return float(np.sum(np.sin(v)))

    g = numerical_gradient(f, w)
    np.testing.assert_array_equal(w, before)
    assert shapes == {(2, 3)}
    np.testing.assert_allclose(g, np.cos(w), atol=1e-9)


def test_dtype_in_equals_dtype_out():
    assert numerical_gradient(lambda v: float(np.sum(v**2)), np.ones(3, np.float32), h=1e-2).dtype == np.float32
    assert numerical_gradient(lambda v: float(np.sum(v**2)), np.ones(3)).dtype == np.float64
    assert numerical_gradient(lambda v: float(np.sum(v**2)), [1, 2]).dtype == np.float64  # ints promoted


def test_numerical_gradient_matches_tf_gradient_tape(tf):
    # log-sum-exp of a linear map: a smooth function whose gradient TF computes by autodiff
    rng = np.random.default_rng(0)
    A = rng.normal(size=(5, 4))
    w = rng.normal(size=4)

    def f(v):
        z = A @ v
        return float(np.log(np.sum(np.exp(z - z.max()))) + z.max())

    wt = tf.Variable(w, dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = tf.reduce_logsumexp(tf.linalg.matvec(tf.constant(A), wt))
    g_tf = tape.gradient(y, wt).numpy()
    np.testing.assert_allclose(numerical_gradient(f, w), g_tf, rtol=1e-8, atol=1e-9)


# ----------------------------------------------------------------------------------------------
# gradient check
# ----------------------------------------------------------------------------------------------
def test_gradient_check_is_tiny_for_a_correct_gradient_and_large_for_a_wrong_one():
    w = np.array([0.3, -0.7, 1.2])

    def f(v):
        return float(np.sum(v**4) + v[0] * v[1])

    def good(v):
        return 4 * v**3 + np.array([v[1], v[0], 0.0])

    def wrong(v):  # forgot the cross term
        return 4 * v**3

    assert gradient_check(f, good, w) < 1e-9
    assert gradient_check(f, wrong, w) > 1e-2
    assert gradient_check(f, good(w), w) < 1e-9  # the gradient array itself is accepted


def test_gradient_check_does_not_modify_w():
    w = np.array([1.0, 2.0])
    gradient_check(lambda v: float(v @ v), lambda v: v.__imul__(2), w)  # a grad that works in place
    np.testing.assert_array_equal(w, [1.0, 2.0])


def test_relative_error_golden_values():
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([1.0], [0.0]) == 1.0
    assert relative_error([1.0], [-1.0]) == 1.0
    assert relative_error([3.0, 4.0], [3.0, 4.5]) == pytest.approx(0.5 / (5 + math.hypot(3, 4.5)))


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, 3, elements=finite), arrays(np.float64, 3, elements=finite))
def test_relative_error_is_symmetric_and_in_unit_interval(a, b):
    e = relative_error(a, b)
    assert 0.0 <= e <= 1.0 + 1e-12
    assert e == relative_error(b, a)
    assert relative_error(a, a) == 0.0


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("h", [0.0, -1e-5, float("nan"), float("inf")])
def test_bad_h_is_rejected(h):
    with pytest.raises(ValueError, match="h must be a positive float"):
        numerical_gradient(lambda v: 0.0, [1.0], h=h)


def test_bad_arguments_are_rejected_with_clear_messages():
    with pytest.raises(TypeError, match="h must be"):
        numerical_gradient(lambda v: 0.0, [1.0], h="small")
    with pytest.raises(ValueError, match="method must be one of"):
        numerical_gradient(lambda v: 0.0, [1.0], method="backward")
    with pytest.raises(TypeError, match="f must be a callable"):
        numerical_gradient(3.0, [1.0])
    with pytest.raises(ValueError, match="w must contain only finite values"):
        numerical_gradient(lambda v: 0.0, [1.0, np.nan])
    with pytest.raises(TypeError, match="w must be an array of real numbers"):
        numerical_gradient(lambda v: 0.0, ["a"])
    with pytest.raises(ValueError, match="at least one entry"):
        numerical_gradient(lambda v: 0.0, [])
    with pytest.raises(TypeError, match="f must return a real scalar"):
        numerical_gradient(lambda v: v, [1.0, 2.0])
    with pytest.raises(ValueError, match="f returned a non-finite value"):
        numerical_gradient(lambda v: float("nan") if v[0] < 1.0 else 0.0, [1.0])  # nan at w − h
    with pytest.raises(ValueError, match="grad must have w's shape"):
        gradient_check(lambda v: float(v @ v), lambda v: np.zeros(3), [1.0, 2.0])
    with pytest.raises(ValueError, match="same shape"):
        relative_error([1.0, 2.0], [1.0])


# --- Hessian-vector products and the largest curvature -------------------------------------------
from lib.gradients import hessian_vector_product, largest_hessian_eigenvalue  # noqa: E402
from lib.landscapes import quadratic, rosenbrock  # noqa: E402
from lib.linear import softmax_classifier_loss  # noqa: E402


def test_hvp_of_a_quadratic_is_its_matrix_times_v():
    bowl = quadratic(10.0, rotation=0.3)
    A = bowl.hessian(np.zeros(2))
    v = np.array([0.6, -0.8])
    np.testing.assert_allclose(hessian_vector_product(bowl.grad, np.array([1.0, 2.0]), v), A @ v, rtol=1e-8)


def test_hvp_matches_the_analytic_hessian_of_rosenbrock():
    banana, w = rosenbrock(), np.array([-0.7, 1.3])
    v = np.array([0.28, 0.96])
    np.testing.assert_allclose(hessian_vector_product(banana.grad, w, v), banana.hessian(w) @ v, rtol=1e-6)


def test_hvp_of_parameter_lists_matches_tensorflow_forward_over_backward(tf):
    # a softmax classifier on 20 random points, parameters as a list [W] (as an MLP's params)
    rng = np.random.default_rng(0)
    X, y = np.hstack([rng.standard_normal((20, 5)), np.ones((20, 1))]), rng.integers(0, 3, 20)  # with a bias column
    W, V = rng.standard_normal((6, 3)) * 0.3, rng.standard_normal((6, 3))

    def grad(params):
        return [softmax_classifier_loss(params[0], X, y)[1]]

    ours = hessian_vector_product(grad, [W], [V])[0]
    Xb = tf.constant(X)
    Wt = tf.Variable(W)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            logits = Xb @ Wt
            loss = -tf.reduce_mean(tf.gather(tf.nn.log_softmax(logits), y, batch_dims=1))
        g = inner.gradient(loss, Wt)
        gv = tf.reduce_sum(g * tf.constant(V))
    exact = outer.gradient(gv, Wt).numpy()
    np.testing.assert_allclose(ours, exact, rtol=1e-6, atol=1e-9)


def test_largest_eigenvalue_by_power_iteration():
    bowl = quadratic(25.0, rotation=0.5, scale=2.0)  # eigenvalues 2 and 50
    assert largest_hessian_eigenvalue(bowl.grad, np.array([1.0, -1.0]), iterations=30) == pytest.approx(50.0, rel=1e-9)
    banana, w = rosenbrock(), np.array([1.0, 1.0])  # at the minimum: eigenvalues of [[802, -400], [-400, 200]]
    expected = np.linalg.eigvalsh(banana.hessian(w)).max()
    assert largest_hessian_eigenvalue(banana.grad, w, iterations=60) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"v": np.ones(3)}, ValueError, "v must have w's shapes"),
    ({"h": 0.0}, ValueError, "h must be a positive"),
    ({"grad": "not a function"}, TypeError, "grad must be a function"),
])
def test_hvp_rejects_bad_input(kwargs, error, match):
    args = {"grad": quadratic().grad, "w": np.zeros(2), "v": np.ones(2)} | kwargs
    with pytest.raises(error, match=match):
        hessian_vector_product(args.pop("grad"), args.pop("w"), args.pop("v"), **args)


def test_largest_eigenvalue_rejects_bad_iterations():
    with pytest.raises(ValueError, match="iterations must be a positive integer"):
        largest_hessian_eigenvalue(quadratic().grad, np.zeros(2), iterations=0)
