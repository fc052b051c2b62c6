"""Tests for lib/noise.py: WeightNoise (gradient at w + ε, update of w, through lib.training.fit)
and LectureDropout (algorithm 5-8: masks without rescaling, prediction scaled by 1 − p; equal to
Keras' inverted Dropout after the reparametrization W' = (1 − p) W), and bad input."""

import numpy as np
import pytest

from lib import layers as L
from lib import optimizers as O
from lib.data import load_digits
from lib.noise import LectureDropout, WeightNoise
from lib.training import fit


def test_weight_noise_zero_is_the_plain_optimizer():
    d = load_digits(seed=0)
    a = L.Sequential([L.Dense(8, "relu", seed=0), L.Dense(10, seed=1)])
    b = L.Sequential([L.Dense(8, "relu", seed=0), L.Dense(10, seed=1)])
    fit(a, d.X_train[:64], d.y_train[:64], O.Adam(0.01), epochs=2, batch_size=16, seed=0)
    fit(b, d.X_train[:64], d.y_train[:64], WeightNoise(O.Adam(0.01), 0.0), epochs=2, batch_size=16, seed=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_weight_noise_takes_the_gradient_at_the_noisy_point_and_updates_the_clean_weights():
    # linear least squares by hand: J = ½‖Xw − y‖²/m, ∇J(w̃) = Xᵀ(Xw̃ − y)/m
    w = [np.array([1.0, -2.0])]
    opt = WeightNoise(O.SGD(0.1), 0.5, seed=3)
    point = opt.lookahead(w)
    eps = np.random.default_rng(3).standard_normal(2) * 0.5        # the draw WeightNoise makes
    np.testing.assert_allclose(point[0], w[0] + eps)
    np.testing.assert_array_equal(w[0], [1.0, -2.0])              # the clean weights are untouched
    g = [point[0] * 2.0]
    opt.step(w, g)
    np.testing.assert_allclose(w[0], np.array([1.0, -2.0]) - 0.1 * g[0])
    assert opt.learning_rate == 0.1 and opt.iterations == 1        # attributes of the wrapped optimizer


def test_weight_noise_in_fit_changes_training_and_keeps_dtype():
    d = load_digits(seed=0)
    X = d.X_train[:64].astype(np.float32)
    a = L.Sequential([L.Dense(10, seed=0)])
    b = L.Sequential([L.Dense(10, seed=0)])
    fit(a, X, d.y_train[:64], O.SGD(0.1), epochs=1, batch_size=16, seed=0)
    fit(b, X, d.y_train[:64], WeightNoise(O.SGD(0.1), 0.1, seed=0), epochs=1, batch_size=16, seed=0)
    assert b.params[0].dtype == np.float32
    assert not np.allclose(a.params[0], b.params[0])


def test_lecture_dropout_training_masks_without_rescaling_and_predicts_with_q():
    z = np.random.default_rng(0).random((500, 40)) + 1.0
    layer = LectureDropout(0.3, seed=0)
    out = layer.forward(z, training=True)
    kept = out != 0
    np.testing.assert_array_equal(out[kept], z[kept])                # kept units unchanged (no 1/q)
    assert abs(1 - kept.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / z.size)
    dy = np.ones_like(z)
    np.testing.assert_array_equal(layer.backward(dy), kept.astype(float))   # the same mask π
    np.testing.assert_allclose(layer.forward(z), 0.7 * z)           # prediction: q·z


def test_lecture_dropout_equals_inverted_dropout_after_reparametrization():
    d = load_digits(seed=0)
    X = d.X_val[:50]
    q_in, q_h = 0.8, 0.5
    lect = L.Sequential([LectureDropout(0.2, seed=5), L.Dense(16, "relu", seed=0), LectureDropout(0.5, seed=6),
                         L.Dense(10, seed=1)])
    inv = L.Sequential([L.Dropout(0.2, seed=5), L.Dense(16, "relu", seed=0), L.Dropout(0.5, seed=6),
                        L.Dense(10, seed=1)])
    lect.build(X)
    inv.build(X)
    W = lect.get_weights()
    inv.set_weights([q_in * W[0], W[1], q_h * W[2], W[3]])
    np.testing.assert_allclose(lect.forward(X, training=True), inv.forward(X, training=True), atol=1e-12)
    np.testing.assert_allclose(lect.predict(X), inv.predict(X), atol=1e-12)
    # the gradients differ by the same factors (chain rule through W' = qW)
    y = d.y_val[:50]
    for layer in (*lect.layers, *inv.layers):
        if hasattr(layer, "rate"):
            layer.rng = np.random.default_rng(9)
    _, g_l = lect.loss_and_grads(X, y)
    _, g_i = inv.loss_and_grads(X, y)
    np.testing.assert_allclose(g_l[0], q_in * g_i[0], atol=1e-12)
    np.testing.assert_allclose(g_l[2], q_h * g_i[2], atol=1e-12)


def test_lecture_dropout_dtype():
    z = np.ones((4, 3), np.float32)
    layer = LectureDropout(0.5, seed=0)
    assert layer.forward(z, training=True).dtype == np.float32 and layer.forward(z).dtype == np.float32


@pytest.mark.parametrize("call, exc, match", [
    (lambda: LectureDropout(1.0), ValueError, "rate"),
    (lambda: LectureDropout(-0.1), ValueError, "rate"),
    (lambda: WeightNoise(O.SGD(0.1), -1.0), ValueError, "stddev"),
    (lambda: WeightNoise("sgd", 0.1), TypeError, "optimizer must have a step"),
])
def test_bad_input_raises_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
