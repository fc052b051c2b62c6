"""lib.runner.run: the lecture's trajectory, the three kinds of optimizer, divergence, tf.keras parity,
and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import landscapes
from lib.runner import run

# University lecture, example 5-2: gradient descent on J = (w1 − 2)² + 4(w2 − 1)² from (4, 2) with
# learning rate ρ = 0.2 visits (3.2, 0.4), (2.72, 1.36), (2.432, 0.784), (2.2592, 1.1296), …
LECTURE_PATH = [[4.0, 2.0], [3.2, 0.4], [2.72, 1.36], [2.432, 0.784], [2.2592, 1.1296]]


def gd(lr):
    return lambda w, g: w - lr * g


def test_gradient_descent_reproduces_example_5_2():
    path = run(gd(0.2), landscapes.lecture_quadratic(), [4.0, 2.0], 4)
    assert path.shape == (5, 2)
    np.testing.assert_allclose(path, LECTURE_PATH, rtol=0, atol=1e-12)


def test_gd_on_a_quadratic_contracts_each_eigen_direction_by_one_minus_alpha_lambda():
    # w_t − w* = (I − αH)^t (w_0 − w*) with H = diag(2, 8): factors 1 − 2α and 1 − 8α
    alpha, steps = 0.1, 30
    path = run(gd(alpha), landscapes.lecture_quadratic(), [4.0, 2.0], steps)
    t = np.arange(steps + 1)
    expected = np.column_stack([2 + 2 * (1 - 2 * alpha) ** t, 1 + 1 * (1 - 8 * alpha) ** t])
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.floats(1.0, 50.0), st.floats(-math.pi, math.pi), st.floats(0.05, 1.95))
def test_gd_on_any_quadratic_follows_the_closed_form(kappa, rotation, fraction):
    # On J = ½ (w − c)ᵀ A (w − c) gradient descent gives e_t = (I − αA)^t e_0.  With α = fraction/λ_max,
    # inside the stable range (0, 2/λ_max), the distance to the minimum never grows.
    Q = landscapes.quadratic(kappa, rotation=rotation, center=(0.5, -1.0))
    A = Q.hessian(Q.default_start)
    alpha = fraction / np.linalg.eigvalsh(A).max()
    path = run(gd(alpha), Q, Q.default_start, 20)
    M = np.eye(2) - alpha * A
    e = Q.default_start - Q.minimum
    for t in range(21):
        np.testing.assert_allclose(path[t] - Q.minimum, e, atol=1e-12)
        e = M @ e
    assert np.linalg.norm(path[-1] - Q.minimum) <= np.linalg.norm(path[0] - Q.minimum)


def test_zero_steps_returns_the_start_only():
    path = run(gd(0.1), landscapes.rosenbrock(), [-1.2, 1.0], 0)
    np.testing.assert_array_equal(path, [[-1.2, 1.0]])


def test_caller_start_is_not_modified_even_by_an_in_place_rule():
    w0 = np.array([4.0, 2.0])

    def in_place(w, g):
        w -= 0.2 * g  # modifies the array it was handed
        return w

    path = run(in_place, landscapes.lecture_quadratic(), w0, 4)
    np.testing.assert_array_equal(w0, [4.0, 2.0])
    np.testing.assert_allclose(path, LECTURE_PATH, atol=1e-12)  # earlier rows were not overwritten


def test_divergence_stops_at_the_first_non_finite_iterate():
    # α = 0.3 > 2/8: the w2 deviation is multiplied by 1 − 8·0.3 = −1.4 per step and overflows
    # float64 (~1.8e308) after about log(1.8e308)/log(1.4) ≈ 2110 steps.
    path = run(gd(0.3), landscapes.lecture_quadratic(), [4.0, 2.0], 5000)
    assert 2000 < len(path) < 2200
    assert np.all(np.isfinite(path))
    dev = np.abs(path[:, 1] - 1.0)
    np.testing.assert_allclose(dev[1:50] / dev[:49], 1.4, rtol=1e-9)


def test_no_warnings_on_divergence(recwarn):
    run(gd(1.0), landscapes.rosenbrock(), [-1.2, 1.0], 100)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_float32_start_gives_a_float32_path_and_ints_are_promoted():
    assert run(gd(0.2), landscapes.lecture_quadratic(), np.array([4, 2], np.float32), 3).dtype == np.float32
    assert run(gd(0.2), landscapes.lecture_quadratic(), [4, 2], 3).dtype == np.float64


class InPlaceSGD:
    """A minimal object with the lib.optimizers interface: step(params, grads) updates in place."""

    def __init__(self, lr):
        self.lr = lr
        self.calls = 0

    def step(self, params, grads):
        self.calls += 1
        for w, g in zip(params, grads):
            w -= self.lr * g
        return params


class LookaheadProbe:
    """The lib.optimizers protocol with a look-ahead: the gradient must be taken at lookahead(params)."""

    def __init__(self, lr):
        self.lr = lr
        self.seen = []

    def lookahead(self, params):
        return [params[0] + 0.5]

    def step(self, params, grads):
        (g,) = grads
        self.seen.append((params[0].copy(), g.copy()))
        params[0] -= self.lr * g
        return params


def test_optimizer_objects_are_stepped_with_lists():
    opt = InPlaceSGD(0.2)
    path = run(opt, landscapes.lecture_quadratic(), [4.0, 2.0], 4)
    assert opt.calls == 4
    np.testing.assert_allclose(path, LECTURE_PATH, atol=1e-12)


def test_gradient_is_taken_at_the_lookahead_point():
    L = landscapes.lecture_quadratic()
    opt = LookaheadProbe(0.1)
    path = run(opt, L, [4.0, 2.0], 3)
    assert len(opt.seen) == 3
    for (w_seen, g), w in zip(opt.seen, path[:-1]):
        np.testing.assert_array_equal(w_seen, w)
        np.testing.assert_array_equal(g, L.grad(w + 0.5))  # at the look-ahead point, not at w
    np.testing.assert_allclose(path[1], path[0] - 0.1 * L.grad(path[0] + 0.5))


def test_nesterov_lookahead_runs_with_the_same_loop():
    """lib.optimizers.NesterovLookahead through run equals the look-ahead recursion written out."""
    from lib.optimizers import NesterovLookahead

    L = landscapes.lecture_quadratic()
    alpha, beta = 0.05, 0.9
    path = run(NesterovLookahead(alpha, beta=beta), L, [4.0, 2.0], 20)
    w, v = np.array([4.0, 2.0]), np.zeros(2)
    for t in range(1, 21):
        v = beta * v + L.grad(w - alpha * beta * v)
        w = w - alpha * v
        np.testing.assert_allclose(path[t], w, rtol=1e-13, atol=1e-13)


def test_lib_optimizers_sgd_follows_the_lecture_path():
    from lib.optimizers import SGD

    path = run(SGD(learning_rate=0.2), landscapes.lecture_quadratic(), [4.0, 2.0], 4)
    np.testing.assert_allclose(path, LECTURE_PATH, atol=1e-12)


def test_lib_optimizers_sgd_divergence_is_reported_not_raised():
    from lib.optimizers import SGD

    path = run(SGD(learning_rate=0.3), landscapes.lecture_quadratic(), [4.0, 2.0], 5000)
    assert 2000 < len(path) < 2200 and np.all(np.isfinite(path))


def test_lib_sgd_through_run_matches_keras_sgd_on_the_lecture_quadratic(tf, keras):
    # Keras keeps the learning rate in a float32 variable: 0.2 becomes 0.20000000298…, so the
    # float64 paths agree exactly only when our learning rate is that float32 number too.
    from lib.optimizers import SGD

    lr = float(np.float32(0.2))
    L = landscapes.lecture_quadratic()
    path = run(SGD(lr, momentum=0.5), L, [4.0, 2.0], 25)
    w = tf.Variable([4.0, 2.0], dtype=tf.float64)
    opt = keras.optimizers.SGD(learning_rate=0.2, momentum=0.5)
    keras_path = [w.numpy().copy()]
    for _ in range(25):
        with tf.GradientTape() as tape:
            loss = L.expression(w[0], w[1])
        opt.apply_gradients([(tape.gradient(loss, w), w)])
        keras_path.append(w.numpy().copy())
    np.testing.assert_allclose(path, np.array(keras_path), rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------
def test_bad_arguments_are_rejected_with_clear_messages():
    L = landscapes.lecture_quadratic()
    with pytest.raises(ValueError, match="steps must be a non-negative integer, got -1"):
        run(gd(0.1), L, [4.0, 2.0], -1)
    with pytest.raises(TypeError, match="steps must be a non-negative integer"):
        run(gd(0.1), L, [4.0, 2.0], 10.0)
    with pytest.raises(ValueError, match="w0 must be a 1-D array"):
        run(gd(0.1), L, [[4.0, 2.0]], 1)
    with pytest.raises(ValueError, match="w0 must contain only finite values"):
        run(gd(0.1), L, [np.nan, 2.0], 1)
    with pytest.raises(TypeError, match="w0 must be a 1-D array of real numbers"):
        run(gd(0.1), L, ["a", "b"], 1)
    with pytest.raises(TypeError, match="optimizer must be an object with a step"):
        run(0.1, L, [4.0, 2.0], 1)
    with pytest.raises(TypeError, match="landscape must have a grad"):
        run(gd(0.1), object(), [4.0, 2.0], 1)
    with pytest.raises(ValueError, match="the update must return a point of shape"):
        run(lambda w, g: np.zeros(3), L, [4.0, 2.0], 1)


def test_run_is_descend_after_the_checks():
    """descend (the loop chapter 1 shows) with the lecture's update gives run's path, and stops at divergence."""
    from lib.runner import descend

    L = landscapes.lecture_quadratic()
    path = descend(gd(0.2), L.grad, np.array([4.0, 2.0]), 4)
    np.testing.assert_array_equal(path, run(gd(0.2), L, [4.0, 2.0], 4))
    np.testing.assert_allclose(path, LECTURE_PATH, atol=1e-12)
    with np.errstate(over="ignore", invalid="ignore"):
        diverged = descend(gd(0.3), L.grad, np.array([4.0, 2.0]), 5000)
    assert 2000 < len(diverged) < 2200 and np.all(np.isfinite(diverged))
