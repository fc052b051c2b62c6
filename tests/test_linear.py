"""lib.linear: the softmax classifier's loss and gradient against tf.GradientTape and tf.keras, the
gradient check, golden values and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lib.gradients import gradient_check
from lib.linear import accuracy, predict, softmax_classifier_loss, with_bias


@pytest.fixture(scope="module")
def small_problem():
    rng = np.random.default_rng(0)
    X = with_bias(rng.uniform(0, 1, size=(40, 6)))
    y = rng.integers(0, 4, size=40)
    W = rng.normal(scale=0.5, size=(7, 4))
    return W, X, y


def test_zero_weights_give_log_c():
    # all scores equal -> softmax is uniform over the c classes -> loss = log c for every sample
    X = with_bias(np.random.default_rng(1).normal(size=(5, 3)))
    loss, dW = softmax_classifier_loss(np.zeros((4, 4)), X, [0, 1, 2, 3, 0])
    assert loss == pytest.approx(math.log(4), rel=1e-15)
    # dW = Xᵀ(P − Y)/N with P = 1/4 everywhere
    Y = np.eye(4)[[0, 1, 2, 3, 0]]
    np.testing.assert_allclose(dW, X.T @ (0.25 - Y) / 5, rtol=1e-14)


def test_regularization_adds_reg_sum_w_squared_and_2_reg_w():
    rng = np.random.default_rng(2)
    X, y, W = rng.normal(size=(6, 3)), rng.integers(0, 2, 6), rng.normal(size=(3, 2))
    l0, g0 = softmax_classifier_loss(W, X, y)
    l1, g1 = softmax_classifier_loss(W, X, y, reg=0.1)
    assert l1 - l0 == pytest.approx(0.1 * np.sum(W**2), rel=1e-12)
    np.testing.assert_allclose(g1 - g0, 0.2 * W, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reg", [0.0, 0.05])
def test_loss_and_gradient_match_tf_gradient_tape(tf, small_problem, reg):
    W, X, y = small_problem
    loss, dW = softmax_classifier_loss(W, X, y, reg=reg)
    Wt = tf.Variable(W, dtype=tf.float64)
    with tf.GradientTape() as tape:
        logits = tf.constant(X) @ Wt
        ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(y), logits=logits))
        total = ce + reg * tf.reduce_sum(Wt * Wt)
    np.testing.assert_allclose(loss, total.numpy(), rtol=1e-13)
    np.testing.assert_allclose(dW, tape.gradient(total, Wt).numpy(), rtol=1e-12, atol=1e-15)


def test_matches_a_keras_dense_layer_with_l2(keras, small_problem):
    W, X, y = small_problem
    # Keras' L2 multiplies by its factor as a float32 constant, so take one that float32 holds
    # exactly (0.01 would differ by its float32 rounding, a relative 2e-8).
    reg = 0.0625
    layer = keras.layers.Dense(4, kernel_regularizer=keras.regularizers.L2(reg),
                               bias_regularizer=keras.regularizers.L2(reg), dtype="float64")
    layer.build((None, 6))
    layer.set_weights([W[:-1], W[-1]])  # the bias row of W is Dense's bias
    logits = layer(X[:, :-1])
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")(y, logits)
    keras_loss = float(ce) + float(sum(layer.losses))
    assert softmax_classifier_loss(W, X, y, reg=reg)[0] == pytest.approx(keras_loss, rel=1e-12)


def test_gradient_check_passes(small_problem):
    W, X, y = small_problem
    err = gradient_check(lambda v: softmax_classifier_loss(v, X, y, reg=0.01)[0],
                         lambda v: softmax_classifier_loss(v, X, y, reg=0.01)[1], W)
    assert err < 1e-8


def test_dtype_and_inputs_are_preserved(small_problem):
    W, X, y = small_problem
    W_before, X_before = W.copy(), X.copy()
    loss, dW = softmax_classifier_loss(W.astype(np.float32), X.astype(np.float32), y)
    assert loss.dtype == np.float32 and dW.dtype == np.float32
    softmax_classifier_loss(W, X, y, reg=0.1)
    np.testing.assert_array_equal(W, W_before)
    np.testing.assert_array_equal(X, X_before)


def test_with_bias_predict_and_accuracy():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    Xb = with_bias(X)
    np.testing.assert_array_equal(Xb, [[1, 0, 1], [0, 1, 1], [2, 2, 1]])
    W = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.0]])  # class 0 gets x1 + 0.5, class 1 gets x2
    np.testing.assert_array_equal(predict(W, Xb), [0, 1, 0])
    assert accuracy(W, Xb, [0, 1, 1]) == pytest.approx(2 / 3)


def test_bad_input_is_rejected_with_clear_messages(small_problem):
    W, X, y = small_problem
    with pytest.raises(ValueError, match=r"did you forget with_bias"):
        softmax_classifier_loss(W, X[:, :-1], y)
    with pytest.raises(ValueError, match="reg must be a non-negative float, got -0.1"):
        softmax_classifier_loss(W, X, y, reg=-0.1)
    with pytest.raises(TypeError, match="reg must be"):
        softmax_classifier_loss(W, X, y, reg="0.1")
    with pytest.raises(ValueError, match="W must be a 2-D array"):
        softmax_classifier_loss(W[:, 0], X, y)
    with pytest.raises(ValueError, match="X must contain only finite values"):
        softmax_classifier_loss(W, np.full_like(X, np.nan), y)
    with pytest.raises(ValueError, match=r"class labels in \[0, 4\)"):
        softmax_classifier_loss(W, X, np.full(40, 7))
    with pytest.raises(ValueError, match="one label per row"):
        accuracy(W, X, y[:3])


# ------------------------------------------------------------------------------------------------
# ridge regression and penalized least squares (lecture §5.4.1, chapter 11)
# ------------------------------------------------------------------------------------------------
from lib import regularizers  # noqa: E402
from lib.linear import penalized_least_squares, ridge, sklearn_elastic_net_params  # noqa: E402

X_51 = np.array([[1.0, 1.0], [2.0, 3.0], [3.0, 3.0]])  # the lecture's example 5-1
y_51 = np.array([3.0, 7.0, 8.8])


def test_example_5_1_numbers_are_ridge_with_penalty_2_lambda():
    # lecture: λ = 0.25, (XᵀX + 2λI)⁻¹Xᵀy = (1.4916, 1.3607)ᵀ, prediction at (5, 4) = 12.9009
    w = ridge(X_51, y_51, 2 * 0.25)
    np.testing.assert_allclose(w, [1.4916, 1.3607], atol=5e-5)
    assert np.array([5.0, 4.0]) @ w == pytest.approx(12.9009, abs=5e-5)
    # exact: XᵀX + 0.5I = [[14.5, 16], [16, 19.5]], det 26.75, Xᵀy = (43.4, 50.4)
    np.testing.assert_allclose(w, [39.9 / 26.75, 36.4 / 26.75], rtol=1e-14)


def test_ridge_with_penalty_lambda_minimizes_5_27_as_written():
    lam = 0.25
    w = ridge(X_51, y_51, lam)

    def J(v):  # (5.27): ‖Xw − y‖² + λ‖w‖²
        return np.sum((X_51 @ v - y_51) ** 2) + lam * np.sum(v * v)

    grad = 2 * X_51.T @ (X_51 @ w - y_51) + 2 * lam * w  # its true gradient vanishes at w
    assert np.abs(grad).max() < 1e-12
    for d in np.eye(2):
        assert J(w) < J(w + 1e-4 * d) and J(w) < J(w - 1e-4 * d)
    assert J(w) < J(ridge(X_51, y_51, 2 * lam))  # the lecture's (5.29) does not minimize (5.27)


@pytest.mark.parametrize("penalty", [0.0, 0.25, 3.0])
def test_ridge_equals_scikit_learn(penalty):
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(30, 5)), rng.normal(size=30)
    theirs = Ridge(alpha=penalty, fit_intercept=False, solver="cholesky").fit(X, y).coef_
    np.testing.assert_allclose(ridge(X, y, penalty), theirs, rtol=1e-10, atol=1e-13)


@pytest.fixture(scope="module")
def diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y - y.mean()


@pytest.mark.parametrize("alpha", [1.0, 2.0, 5.0])  # (small α keeps the collinear s1, s2: slower)
def test_proximal_l1_equals_scikit_learn_lasso(diabetes, alpha):
    from sklearn.linear_model import Lasso

    X, y = diabetes
    ours = penalized_least_squares(X, y, regularizers.L1(alpha), steps=2000)
    theirs = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y).coef_
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(ours == 0, theirs == 0)  # the same features selected, exact zeros


@pytest.mark.parametrize("l1,l2", [(1.0, 0.5), (0.2, 2.0)])
def test_proximal_elastic_net_equals_scikit_learn_with_the_conversion(diabetes, l1, l2):
    from sklearn.linear_model import ElasticNet

    X, y = diabetes
    alpha, ratio = sklearn_elastic_net_params(l1, l2)
    ours = penalized_least_squares(X, y, regularizers.L1L2(l1, l2), steps=2000)
    theirs = ElasticNet(alpha=alpha, l1_ratio=ratio, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y).coef_
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-8)


def test_l2_by_gradient_steps_converges_to_the_closed_form(diabetes):
    X, y = diabetes
    lam = 0.3  # (1/2N)‖Xw − y‖² + λ‖w‖²  has the minimizer  ridge(X, y, 2Nλ)
    for method in ("subgradient", "proximal"):
        w = penalized_least_squares(X, y, regularizers.L2(lam), method=method, steps=3000)
        np.testing.assert_allclose(w, ridge(X, y, 2 * len(y) * lam), rtol=0, atol=1e-8)


def test_sign_steps_give_no_exact_zeros_where_proximal_steps_do(diabetes):
    X, y = diabetes
    prox = penalized_least_squares(X, y, regularizers.L1(5.0), steps=2000)
    sub = penalized_least_squares(X, y, regularizers.L1(5.0), method="subgradient", steps=2000)
    assert np.count_nonzero(prox == 0) >= 3 and np.count_nonzero(sub == 0) == 0


def test_sklearn_elastic_net_params_golden():
    # ½·alpha·(1 − r) = l2 and alpha·r = l1: l1 = 1, l2 = 0.5 → alpha = 2, r = 0.5
    assert sklearn_elastic_net_params(1.0, 0.5) == (2.0, 0.5)
    assert sklearn_elastic_net_params(0.3, 0.0) == (0.3, 1.0)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: ridge(X_51, y_51[:2], 0.1), ValueError, r"y must have one target per row of X, shape \(3,\), got shape \(2,\)"),
    (lambda: ridge(X_51, y_51, -1.0), ValueError, "penalty must be a non-negative float, got -1.0"),
    (lambda: penalized_least_squares(X_51, y_51, regularizers.L1(), method="newton"), ValueError,
     "method must be one of 'proximal', 'subgradient', got 'newton'"),
    (lambda: penalized_least_squares(X_51, y_51, 0.1), TypeError, "regularizer must be a lib.regularizers object"),
    (lambda: penalized_least_squares(X_51, y_51, regularizers.L1(), w0=np.zeros(3)), ValueError,
     r"w0 must have shape \(2,\)"),
    (lambda: penalized_least_squares(X_51, y_51, regularizers.L1(), learning_rate=0.0), ValueError, "learning_rate"),
    (lambda: sklearn_elastic_net_params(0.0, 0.0), ValueError, "l1 and l2 must not both be 0"),
])
def test_bad_regression_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
