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
