"""lib.regularizers: penalties and gradients equal Keras' regularizers; the conventions of the notes
map onto each other as the module docstring says; bad factors are refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import regularizers
from lib.gradients import numerical_gradient, relative_error
from lib.layers import Dense, Sequential
from lib.notebook import import_tensorflow
from lib.optimizers import apply_weight_decay


@pytest.fixture(scope="session")
def tf():
    """TensorFlow, or a clean skip where it is not installed (overrides conftest's fixture)."""
    pytest.importorskip("tensorflow")
    return import_tensorflow()


def f32(x: float) -> float:
    """Keras casts the factor through float32 even for float64 weights (see tests/test_mlp.py)."""
    return float(np.float32(x))


PAIRS = [
    (lambda: regularizers.L1(f32(0.03)), lambda k: k.regularizers.L1(f32(0.03))),
    (lambda: regularizers.L2(f32(0.07)), lambda k: k.regularizers.L2(f32(0.07))),
    (lambda: regularizers.L1L2(f32(0.02), f32(0.05)), lambda k: k.regularizers.L1L2(f32(0.02), f32(0.05))),
    (lambda: regularizers.L1(), lambda k: k.regularizers.L1()),  # Keras' defaults, 0.01
    (lambda: regularizers.L2(), lambda k: k.regularizers.L2()),
]


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-13), ("float32", 1e-6)])
@pytest.mark.parametrize("k", range(len(PAIRS)))
def test_penalty_and_gradient_equal_keras(tf, keras, dtype, rtol, k):
    ours, theirs = PAIRS[k][0](), PAIRS[k][1](keras)
    if k >= 3 and dtype == "float64":
        rtol = 5e-8  # Keras' default 0.01 becomes float32(0.01) = 0.01·(1 + 2.2e-8) even for float64 weights
    w = np.random.default_rng(k).normal(size=(7, 4)).astype(dtype)
    w[0, 0] = 0.0  # the L1 kink: TensorFlow's d|w|/dw at 0 is 0, as sign(0)
    v = tf.Variable(w)
    with tf.GradientTape() as tape:
        p = theirs(v)
    g = tape.gradient(p, v).numpy()
    assert ours(w) == pytest.approx(float(p), rel=rtol)
    grad = ours.gradient(w)
    assert grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(grad, g, rtol=rtol, atol=1e-30)


def test_defaults_and_get_follow_keras():
    assert (regularizers.L1().l1, regularizers.L2().l2) == (0.01, 0.01)
    assert (regularizers.L1L2().l1, regularizers.L1L2().l2) == (0.0, 0.0)
    assert isinstance(regularizers.get("l2"), regularizers.L2) and regularizers.get("l2").l2 == 0.01
    assert regularizers.get(None) is None
    r = regularizers.L1(0.2)
    assert regularizers.get(r) is r
    assert repr(regularizers.L1L2(0.1, 0.2)) == "L1L2(l1=0.1, l2=0.2)"


@settings(max_examples=30, deadline=None)
@given(l1=st.floats(0, 1), l2=st.floats(0, 1), seed=st.integers(0, 2**32 - 1))
def test_gradient_is_the_derivative_of_the_penalty(l1, l2, seed):
    w = np.random.default_rng(seed).normal(size=(3, 4))
    w = np.where(np.abs(w) < 1e-3, 0.5, w)  # away from the L1 kink
    reg = regularizers.L1L2(l1, l2)
    assert relative_error(reg.gradient(w), numerical_gradient(reg, w)) < 1e-7 or (l1 == l2 == 0)


def test_lecture_l2_is_keras_l2_and_the_boostcamp_half_alpha_is_l2_alpha_over_2():
    w = np.random.default_rng(0).normal(size=(5, 3))
    lam, alpha = 0.03, 0.08
    # lecture (5.21)-(5.22): J + λ‖Θ‖², gradient 2λΘ  ==  L2(l2=λ)
    assert regularizers.L2(lam)(w) == pytest.approx(lam * np.sum(w**2), rel=1e-15)
    np.testing.assert_allclose(regularizers.L2(lam).gradient(w), 2 * lam * w, rtol=1e-15)
    # boostcamp / Ng: α/2·‖W‖², gradient αW  ==  L2(l2=α/2)
    assert regularizers.L2(alpha / 2)(w) == pytest.approx(alpha / 2 * np.sum(w**2), rel=1e-15)
    np.testing.assert_allclose(regularizers.L2(alpha / 2).gradient(w), alpha * w, rtol=1e-15)


def test_decoupled_weight_decay_with_sgd_equals_l2_with_half_the_factor():
    rng = np.random.default_rng(1)
    w0, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    lr, wd = 0.1, 0.04
    decayed = apply_weight_decay(w0.copy(), lr, wd) - lr * g  # Keras: decay, then the gradient step
    penalized = w0 - lr * (g + regularizers.L2(wd / 2).gradient(w0))  # SGD on J + (wd/2)‖w‖²
    np.testing.assert_allclose(decayed, penalized, rtol=1e-14)


def test_network_loss_includes_each_penalty_once_and_its_gradient():
    rng = np.random.default_rng(2)
    r1, r2 = regularizers.L1L2(0.01, 0.02), regularizers.L2(0.05)
    net = Sequential([Dense(4, "tanh", kernel_regularizer=r1, bias_regularizer=r2, bias_initializer="random_normal",
                            seed=0), Dense(3, seed=1)])
    plain = Sequential([Dense(4, "tanh", seed=0), Dense(3, seed=1)])
    X, y = rng.normal(size=(6, 2)), rng.integers(0, 3, 6)
    net.build(X)
    plain.build(X)
    plain.set_weights(net.get_weights())
    loss, grads = net.loss_and_grads(X, y)
    loss0, grads0 = plain.loss_and_grads(X, y)
    W, b = net.params[0], net.params[1]
    assert loss == pytest.approx(loss0 + r1(W) + r2(b), rel=1e-14)
    np.testing.assert_allclose(grads[0], grads0[0] + r1.gradient(W), rtol=1e-14)
    np.testing.assert_allclose(grads[1], grads0[1] + r2.gradient(b), rtol=1e-14)
    np.testing.assert_array_equal(grads[2], grads0[2])


@pytest.mark.parametrize("make,exc,match", [
    (lambda: regularizers.L1(-0.1), ValueError, "l1 must be a non-negative finite float, got -0.1"),
    (lambda: regularizers.L2(math.inf), ValueError, "l2 must be a non-negative finite float, got inf"),
    (lambda: regularizers.L1L2(0.1, math.nan), ValueError, "l2"),
    (lambda: regularizers.L2("0.1"), TypeError, "l2 must be a non-negative finite float, got '0.1'"),
    (lambda: regularizers.L1(True), TypeError, "l1"),
    (lambda: regularizers.get("l3"), ValueError, "regularizer must be None, a lib.regularizers object"),
])
def test_bad_factors_raise_clear_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_penalty_leaves_the_weights_unchanged():
    w = np.random.default_rng(3).normal(size=(3, 3))
    before = w.copy()
    reg = regularizers.L1L2(0.1, 0.2)
    reg(w)
    reg.gradient(w)
    np.testing.assert_array_equal(w, before)


# ------------------------------------------------------------------------------------------------
# the soft threshold, the proximal map and the two steps on a penalized loss (chapter 11)
# ------------------------------------------------------------------------------------------------
def test_soft_threshold_golden_values():
    # |w| ≤ 0.4 → 0; the others move 0.4 towards 0
    out = regularizers.soft_threshold(np.array([-2.0, -0.5, 0.0, 0.3, 0.4, 1.5]), 0.4)
    np.testing.assert_allclose(out, [-1.6, -0.1, 0.0, 0.0, 0.0, 1.1], rtol=0, atol=1e-15)
    assert np.count_nonzero(out) == 3


@settings(max_examples=40, deadline=None)
@given(l1=st.floats(0, 2), l2=st.floats(0, 2), step=st.floats(0.01, 3), seed=st.integers(0, 2**32 - 1))
def test_proximal_is_the_minimizer_of_its_objective(l1, l2, step, seed):
    rng = np.random.default_rng(seed)
    w = rng.normal(scale=2, size=8)
    reg = regularizers.L1L2(l1, l2)
    v = reg.proximal(w, step)

    def objective(u):
        return 0.5 * np.sum((u - w) ** 2, axis=-1) + step * (l1 * np.abs(u).sum(axis=-1) + l2 * (u * u).sum(axis=-1))

    # the objective is separable and strictly convex: v must beat every nearby point, coordinate by coordinate
    for h in (1e-3, 1e-6):
        for k in range(8):
            for sgn in (1, -1):
                u = v.copy()
                u[k] += sgn * h
                assert objective(v) <= objective(u) + 1e-12


def test_lecture_weight_decay_factor_is_0_96_for_rho_0_01_and_lambda_2():
    # (5.23): Θ ← (1 − 2ρλ)Θ − ρ∇J; with ∇J = 0 the step only multiplies by 1 − 2·0.01·2 = 0.96
    w = np.array([1.0, -3.0, 0.25])
    out = regularizers.subgradient_step(w, np.zeros(3), 0.01, regularizers.L2(2.0))
    np.testing.assert_allclose(out, 0.96 * w, rtol=1e-15)
    g = np.array([0.5, 1.0, -2.0])
    np.testing.assert_allclose(regularizers.subgradient_step(w, g, 0.01, regularizers.L2(2.0)), 0.96 * w - 0.01 * g,
                               rtol=1e-15)
    # (5.34): Θ ← Θ − ρ∇J − ρλ·sign(Θ)
    np.testing.assert_allclose(regularizers.subgradient_step(w, g, 0.01, regularizers.L1(2.0)),
                               w - 0.01 * g - 0.02 * np.sign(w), rtol=1e-15)


def test_proximal_step_for_l2_divides_where_the_subgradient_step_multiplies():
    rng = np.random.default_rng(4)
    w, g = rng.normal(size=5), rng.normal(size=5)
    lr, lam = 0.1, 0.3
    prox = regularizers.proximal_step(w, g, lr, regularizers.L2(lam))
    np.testing.assert_allclose(prox, (w - lr * g) / (1 + 2 * lr * lam), rtol=1e-15)

    def gap(lr):  # the two steps differ by O(α²): ten times smaller α, about 100 times smaller gap
        return np.abs(regularizers.proximal_step(w, g, lr, regularizers.L2(lam))
                      - regularizers.subgradient_step(w, g, lr, regularizers.L2(lam))).max()

    assert 80 < gap(lr) / gap(lr / 10) < 120


def test_proximal_l1_step_gives_exact_zeros_where_the_sign_step_oscillates():
    # J(w) = ½(w − 0.05)²: the L1 minimizer with λ = 0.2 is w = 0 exactly
    reg = regularizers.L1(0.2)
    w_prox = w_sub = np.array([1.0])
    for _ in range(200):
        w_prox = regularizers.proximal_step(w_prox, w_prox - 0.05, 0.3, reg)
        w_sub = regularizers.subgradient_step(w_sub, w_sub - 0.05, 0.3, reg)
    assert w_prox[0] == 0.0
    assert w_sub[0] != 0.0 and abs(w_sub[0]) < 0.3 * 0.2 + 0.3 * 0.05 + 1e-12  # within one step of 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_steps_keep_the_dtype_and_leave_the_input_unchanged(dtype):
    w = np.random.default_rng(5).normal(size=(3, 2)).astype(dtype)
    g = np.ones((3, 2), dtype=dtype)
    before = w.copy()
    for step in (regularizers.subgradient_step, regularizers.proximal_step):
        out = step(w, g, 0.1, regularizers.L1L2(0.1, 0.2))
        assert out.dtype == dtype and out is not w
    assert regularizers.L1(0.1).proximal(w, 1.0).dtype == dtype
    np.testing.assert_array_equal(w, before)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: regularizers.soft_threshold(np.ones(2), -0.1), ValueError, "threshold must be a non-negative finite float, got -0.1"),
    (lambda: regularizers.L1().proximal(np.ones(2), -1.0), ValueError, "step must be a non-negative finite float, got -1.0"),
    (lambda: regularizers.proximal_step(np.ones(2), np.ones(3), 0.1, regularizers.L1()), ValueError,
     r"g must have the shape of w \(2,\), got \(3,\)"),
    (lambda: regularizers.subgradient_step(np.ones(2), np.ones(2), -0.1, regularizers.L1()), ValueError,
     "learning_rate must be a non-negative float, got -0.1"),
    (lambda: regularizers.proximal_step(np.ones(2), np.ones(2), 0.1, "l1"), TypeError,
     "regularizer must be a lib.regularizers object"),
    (lambda: regularizers.subgradient_step(np.array([1.0, np.nan]), np.ones(2), 0.1, regularizers.L2()), ValueError,
     "w must contain only finite values, got nan"),
])
def test_bad_step_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
