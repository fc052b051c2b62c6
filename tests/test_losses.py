"""Tests for lib/losses.py: the lecture's numbers, parity with tf.keras losses and GradientTape,
central-difference gradient checks, properties (hypothesis) and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lib.losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    cross_entropy,
    cross_entropy_grad,
    log_softmax,
    mse,
    mse_grad,
    one_hot,
    sigmoid,
    sigmoid_cross_entropy,
    softmax,
    softmax_cross_entropy,
)

EPS_KERAS = 1e-7  # keras.backend.epsilon(): Keras clips probabilities to [eps, 1 - eps] in cross-entropies


def numerical_grad(f, x, h=1e-6):
    """Central differences of the scalar function f at x (float64)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ------------------------------------------------------------------------------------------------
# golden vectors: the numbers printed in the lecture (seed 004, §5.1)
# ------------------------------------------------------------------------------------------------
def test_binary_cross_entropy_reproduces_lecture_5_4_examples_in_bits():
    # 004 §5.1.2, eq. (5.4) with log2: "y가 1, o가 0.98일 때 ... e = -(1 log2 0.98 + (1-1) log2(1-0.98)) = 0.0291"
    assert round(float(binary_cross_entropy([0.98], [1.0], base=2)), 4) == 0.0291
    # 004 §5.1.2: "y가 1, o가 0.0001일 때 ... e = -(1 log2 0.0001 + (1-1) log2(1-0.0001)) = 13.2877"
    assert round(float(binary_cross_entropy([0.0001], [1.0], base=2)), 4) == 13.2877
    # exact values, so a change of formula or base shows up beyond the printed digits
    assert binary_cross_entropy([0.98], [1.0], base=2) == pytest.approx(-math.log2(0.98), rel=1e-15)
    # in nats (the default, what Keras uses) the numbers are ln 2 times smaller
    assert binary_cross_entropy([0.98], [1.0]) == pytest.approx(0.0291463 * math.log(2), rel=1e-5)


def test_cross_entropy_reproduces_lecture_5_8_log_likelihood_examples_in_bits():
    # 004 §5.1.3, eq. (5.8) e = -log2 o_y with the softmax outputs of figure 5-5 (the figure itself is
    # missing from the notes; only o_2 = 0.0508 and o_3 = 0.8360 are quoted, the remaining mass is put
    # in o_1 here -- (5.8) uses o_y only, so o_1 does not affect e).
    probs = np.array([[1 - 0.0508 - 0.8360, 0.0508, 0.8360]])
    # "두 번째 부류라면 o_y는 o_2, e = -log2 0.0508 = 4.2990" -> 0-based label 1
    assert round(float(cross_entropy(probs, [1], base=2)), 4) == 4.2990
    # "세 번째 부류라면 o_y는 o_3, e = -log2 0.8360 = 0.2584" -> 0-based label 2
    assert round(float(cross_entropy(probs, [2], base=2)), 4) == 0.2584
    # both at once, per sample
    both = cross_entropy(np.vstack([probs, probs]), [1, 2], base=2, reduction="none")
    np.testing.assert_allclose(both, [-math.log2(0.0508), -math.log2(0.8360)], rtol=1e-15)


def test_softmax_reproduces_cs231n_slide_cat_car_frog():
    # 004 §5.1.3, the CS231n "softmax classifier" slide: scores cat 3.2, car 5.1, frog -1.7
    s = np.array([[3.2, 5.1, -1.7]])
    # "exp -> 24.5, 164.0, 0.18" (unnormalised probabilities)
    np.testing.assert_array_equal(np.round(np.exp(s[0, :2]), 1), [24.5, 164.0])
    assert round(math.exp(-1.7), 2) == 0.18
    # "normalize -> 0.13, 0.87, 0.00"
    np.testing.assert_array_equal(np.round(softmax(s), 2), [[0.13, 0.87, 0.00]])
    # "L_i = -log(0.13) = 2.04": the image is a cat (label 0) and the log is natural (log2 would give
    # 2.94, log10 0.89 -- an older version of the slide printed 0.89).  With the unrounded softmax the
    # loss is 2.0404 (the slide's 2.04 = -ln 0.13 = 2.0402 rounds the probability first).
    loss, _ = softmax_cross_entropy(s, [0])
    assert round(float(loss), 2) == 2.04
    assert loss == pytest.approx(-math.log(softmax(s)[0, 0]), rel=1e-14)
    assert round(float(softmax_cross_entropy(s, [0], base=2)[0]), 2) == 2.94
    assert round(float(cross_entropy(softmax(s), [0])), 2) == 2.04


def test_mse_matches_equation_5_1_by_hand():
    # e = 1/2 ||y - o||^2 (eq. 5.1): y = (1, 0), o = (0.6, 0.2) -> 1/2 (0.16 + 0.04) = 0.1 (by hand)
    assert mse([[0.6, 0.2]], [[1.0, 0.0]]) == pytest.approx(0.1, rel=1e-15)
    # mean over samples: second sample y = o -> e = 0, mean 0.05
    assert mse([[0.6, 0.2], [0.5, 0.5]], [[1.0, 0.0], [0.5, 0.5]]) == pytest.approx(0.05, rel=1e-15)
    np.testing.assert_allclose(mse_grad([[0.6, 0.2]], [[1.0, 0.0]]), [[-0.4, 0.2]], rtol=1e-15)


def test_zero_log_zero_convention_of_lectures_easy_example():
    # 004 §5.1.2 "손쉬운 예": -[1 0][log 0, log 1]^T = inf (wrong), -[1 0][log 1, log 0]^T = 0 (right)
    assert cross_entropy([[0.0, 1.0]], [0]) == math.inf
    assert cross_entropy([[1.0, 0.0]], [0]) == 0.0
    assert binary_cross_entropy([0.0], [1.0]) == math.inf
    assert binary_cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0


def test_sigmoid_gradient_5_5_is_o_minus_y_for_cross_entropy():
    # eq. (5.5): with o = sigma(z), de/dz = o - y (the slow-learning fix); eq. (5.3) for MSE has sigma'(z)
    z = np.array([-4.0, -1.0, 0.0, 2.0, 5.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    o = sigmoid(z)
    _, dz = sigmoid_cross_entropy(z, y)
    np.testing.assert_allclose(dz * len(z), o - y, rtol=1e-14)
    chain = binary_cross_entropy_grad(o, y, reduction="sum") * o * (1 - o)
    np.testing.assert_allclose(chain, o - y, rtol=1e-12, atol=1e-15)
    mse_dz = mse_grad(o, y, reduction="sum") * o * (1 - o)
    np.testing.assert_allclose(mse_dz, -(y - o) * o * (1 - o), rtol=1e-14)


# ------------------------------------------------------------------------------------------------
# parity with tf.keras losses (values) and GradientTape (gradients)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-13), (np.float32, 2e-6)])
def test_values_match_keras_losses_after_conversion(keras, rng, dtype, rtol):
    m, c = 7, 4
    logits = rng.normal(0, 2, (m, c)).astype(dtype)
    labels = rng.integers(0, c, m)
    probs = softmax(logits)
    targets = rng.uniform(0, 1, (m, c)).astype(dtype)
    onehot = one_hot(labels, c, dtype=dtype)
    name = np.dtype(dtype).name
    # MSE: Keras has no 1/2 and averages over the c outputs
    k = float(keras.losses.MeanSquaredError(dtype=name)(targets, probs))
    assert mse(probs, targets) * 2 / c == pytest.approx(k, rel=rtol)
    # binary cross-entropy: Keras averages over outputs and clips o to [1e-7, 1 - 1e-7]
    o = np.clip(sigmoid(logits), EPS_KERAS, 1 - EPS_KERAS)
    k = float(keras.losses.BinaryCrossentropy(dtype=name)(targets, o))
    assert binary_cross_entropy(o, targets) / c == pytest.approx(k, rel=rtol)
    k = float(keras.losses.BinaryCrossentropy(from_logits=True, dtype=name)(targets, logits))
    assert sigmoid_cross_entropy(logits, targets)[0] / c == pytest.approx(k, rel=rtol)
    # categorical: probabilities (clipped) and logits, one-hot and integer labels
    k = float(keras.losses.CategoricalCrossentropy(dtype=name)(onehot, probs))
    assert cross_entropy(np.clip(probs, EPS_KERAS, 1 - EPS_KERAS), onehot) == pytest.approx(k, rel=rtol)
    k = float(keras.losses.SparseCategoricalCrossentropy(dtype=name)(labels, probs))
    assert cross_entropy(np.clip(probs, EPS_KERAS, 1 - EPS_KERAS), labels) == pytest.approx(k, rel=rtol)
    k = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=name)(labels, logits))
    assert softmax_cross_entropy(logits, labels)[0] == pytest.approx(k, rel=rtol)
    k = float(keras.losses.CategoricalCrossentropy(from_logits=True, dtype=name)(onehot, logits))
    assert softmax_cross_entropy(logits, onehot)[0] == pytest.approx(k, rel=rtol)


def test_keras_clipping_is_the_only_difference_for_confident_predictions(keras):
    # a confident wrong prediction: Keras' clip caps the loss at -ln(1e-7) = 16.118; ours is the true value
    probs = np.array([[1e-12, 1 - 1e-12]])
    k = float(keras.losses.SparseCategoricalCrossentropy(dtype="float64")(np.array([0]), probs))
    assert k == pytest.approx(-math.log(EPS_KERAS), rel=1e-9)
    assert cross_entropy(probs, [0]) == pytest.approx(-math.log(1e-12), rel=1e-12)
    assert cross_entropy(np.clip(probs, EPS_KERAS, 1 - EPS_KERAS), [0]) == pytest.approx(k, rel=1e-9)


def test_keras_softmax_matches(keras, rng):
    z = rng.normal(0, 5, (6, 5))
    np.testing.assert_allclose(softmax(z), keras.activations.softmax(z).numpy(), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z), keras.ops.log_softmax(z).numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(sigmoid(z), keras.activations.sigmoid(z).numpy(), rtol=1e-14)


@pytest.mark.parametrize("dtype,rtol,atol", [(np.float64, 1e-12, 1e-15), (np.float32, 1e-5, 1e-7)])
def test_gradients_match_gradient_tape(tf, keras, rng, dtype, rtol, atol):
    m, c = 5, 3
    logits = rng.normal(0, 2, (m, c)).astype(dtype)
    labels = rng.integers(0, c, m)
    targets = rng.uniform(0, 1, (m, c)).astype(dtype)
    probs = rng.uniform(0.05, 0.95, (m, c)).astype(dtype)  # inside Keras' clip range: clip has gradient 1
    name = np.dtype(dtype).name

    def tape_grad(loss_fn, x):
        xv = tf.Variable(x)
        with tf.GradientTape() as tape:
            loss = loss_fn(xv)
        return tape.gradient(loss, xv).numpy()

    # MSE: d(keras)/do = d(ours)/do * 2 / c
    g = tape_grad(lambda o: keras.losses.MeanSquaredError(dtype=name)(targets, o), probs)
    np.testing.assert_allclose(mse_grad(probs, targets) * 2 / c, g, rtol=rtol, atol=atol)
    # BCE on probabilities: / c
    g = tape_grad(lambda o: keras.losses.BinaryCrossentropy(dtype=name)(targets, o), probs)
    np.testing.assert_allclose(binary_cross_entropy_grad(probs, targets) / c, g, rtol=rtol, atol=atol)
    # BCE from logits
    g = tape_grad(lambda z: keras.losses.BinaryCrossentropy(from_logits=True, dtype=name)(targets, z), logits)
    np.testing.assert_allclose(sigmoid_cross_entropy(logits, targets)[1] / c, g, rtol=rtol, atol=atol)
    # softmax + log-likelihood from logits: dlogits = (softmax - onehot) / m
    g = tape_grad(lambda s: keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=name)(labels, s), logits)
    np.testing.assert_allclose(softmax_cross_entropy(logits, labels)[1], g, rtol=rtol, atol=atol)
    # log-likelihood on probabilities, written as in (5.8) with tf ops: -mean log o_y
    g = tape_grad(lambda o: -tf.reduce_mean(tf.math.log(tf.gather(o, labels, axis=1, batch_dims=1))), probs)
    np.testing.assert_allclose(cross_entropy_grad(probs, labels), g, rtol=rtol, atol=atol)
    # Keras' probability-input cross-entropy renormalises o / sum(o) first; that adds 1/(m sum_j o_j)
    # to every entry of the gradient (it is -log(o_y / sum_j o_j) that Keras differentiates)
    g = tape_grad(lambda o: keras.losses.SparseCategoricalCrossentropy(dtype=name)(labels, o), probs)
    extra = 1 / (m * probs.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(cross_entropy_grad(probs, labels) + extra, g, rtol=rtol, atol=atol)


# ------------------------------------------------------------------------------------------------
# central differences
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("base", [math.e, 2])
def test_gradients_match_central_differences(rng, reduction, base):
    m, c = 4, 3
    o = rng.uniform(0.1, 0.9, (m, c))
    t = rng.uniform(0, 1, (m, c))
    labels = rng.integers(0, c, m)
    s = rng.normal(0, 2, (m, c))
    cases = [
        (lambda x: mse(x, t, reduction=reduction), mse_grad(o, t, reduction=reduction), o),
        (lambda x: binary_cross_entropy(x, t, base=base, reduction=reduction),
         binary_cross_entropy_grad(o, t, base=base, reduction=reduction), o),
        (lambda x: cross_entropy(x, labels, base=base, reduction=reduction),
         cross_entropy_grad(o, labels, base=base, reduction=reduction), o),
        (lambda x: cross_entropy(x, t, base=base, reduction=reduction),
         cross_entropy_grad(o, t, base=base, reduction=reduction), o),
    ]
    if reduction == "mean":
        cases += [
            (lambda x: softmax_cross_entropy(x, labels, base=base)[0], softmax_cross_entropy(s, labels, base=base)[1], s),
            (lambda x: softmax_cross_entropy(x, t, base=base)[0], softmax_cross_entropy(s, t, base=base)[1], s),
            (lambda x: sigmoid_cross_entropy(x, t, base=base)[0], sigmoid_cross_entropy(s, t, base=base)[1], s),
        ]
    for f, analytic, x in cases:
        np.testing.assert_allclose(analytic, numerical_grad(f, x), rtol=1e-6, atol=1e-9)


def test_reduction_none_gives_per_sample_errors_and_their_gradients(rng):
    o = rng.uniform(0.1, 0.9, (5, 3))
    t = rng.uniform(0, 1, (5, 3))
    per = binary_cross_entropy(o, t, reduction="none")
    assert per.shape == (5,)
    assert per.mean() == pytest.approx(binary_cross_entropy(o, t), rel=1e-15)
    assert per.sum() == pytest.approx(binary_cross_entropy(o, t, reduction="sum"), rel=1e-15)
    np.testing.assert_allclose(binary_cross_entropy_grad(o, t, reduction="none"),
                               binary_cross_entropy_grad(o, t) * 5, rtol=1e-14)


# ------------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------------
logit_rows = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 8)),
                    elements=st.floats(-700, 700, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(z=logit_rows, shift=st.floats(-300, 300))
def test_softmax_rows_sum_to_one_and_ignore_a_constant_shift(z, shift):
    p = softmax(z)
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(softmax(z + shift), p, rtol=1e-9, atol=1e-12)
    # the arg-max is preserved: softmax "imitates the max" (lecture §5.1.3)
    assert np.all(p[np.arange(len(z)), np.argmax(z, axis=1)] == p.max(axis=1))


@settings(max_examples=60, deadline=None)
@given(z=logit_rows, data=st.data())
def test_softmax_cross_entropy_is_finite_and_equals_log_softmax_of_label(z, data):
    labels = np.array(data.draw(st.lists(st.integers(0, z.shape[1] - 1), min_size=len(z), max_size=len(z))))
    loss, d = softmax_cross_entropy(z, labels)
    assert np.isfinite(loss) and loss >= 0
    assert loss == pytest.approx(-np.mean(log_softmax(z)[np.arange(len(z)), labels]), rel=1e-12, abs=1e-300)
    # each row of dlogits sums to 0 (softmax rows and one-hot rows both sum to 1)
    np.testing.assert_allclose(d.sum(axis=1), 0.0, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(z=arrays(np.float64, st.integers(1, 20), elements=st.floats(-800, 800, allow_nan=False)))
def test_sigmoid_is_symmetric_and_bounded(z):
    s = sigmoid(z)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(sigmoid(-z), 1 - s, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(o=arrays(np.float64, st.integers(1, 10), elements=st.floats(1e-6, 1 - 1e-6)),
       base=st.sampled_from([2.0, 10.0, 0.5]))
def test_changing_base_divides_loss_by_ln_base(o, base):
    y = (o > 0.5).astype(float)
    assert binary_cross_entropy(o, y, base=base) == pytest.approx(binary_cross_entropy(o, y) / math.log(base), rel=1e-12)


@pytest.mark.parametrize("fn", [
    lambda x: softmax(x), lambda x: log_softmax(x), lambda x: sigmoid(x),
    lambda x: mse(x, x * 0), lambda x: mse_grad(x, x * 0),
    lambda x: softmax_cross_entropy(x, [0, 1])[0], lambda x: softmax_cross_entropy(x, [0, 1])[1],
    lambda x: cross_entropy(softmax(x), [0, 1]), lambda x: cross_entropy_grad(softmax(x), [0, 1]),
    lambda x: binary_cross_entropy(sigmoid(x), x * 0 + 1), lambda x: binary_cross_entropy_grad(sigmoid(x), x * 0 + 1),
    lambda x: sigmoid_cross_entropy(x, x * 0)[0], lambda x: sigmoid_cross_entropy(x, x * 0)[1],
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_in_is_dtype_out(fn, dtype):
    x = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]], dtype=dtype)
    assert fn(x).dtype == dtype


def test_extreme_logits_do_not_overflow():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = softmax(np.array([[1000.0, 0.0, -1000.0]]))
        loss, d = softmax_cross_entropy(np.array([[1000.0, 0.0, -1000.0]]), [2])
        s = sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(p, [[1.0, 0.0, 0.0]])
    assert loss == pytest.approx(2000.0)
    np.testing.assert_allclose(d, [[1.0, 0.0, -1.0]], atol=1e-300)
    np.testing.assert_array_equal(s, [0.0, 1.0])


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,exc,match", [
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [2]), ValueError, r"y must hold class labels in \[0, 2\), got 2"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [-1]), ValueError, r"in \[0, 2\), got -1"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [0.5]), ValueError, "integer class labels, got 0.5"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], ["a"]), TypeError, "integer class labels, got dtype"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [True]), TypeError, "dtype bool"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, r"one label per sample \(1\), got 2"),
    (lambda: softmax_cross_entropy([1.0, 2.0], [0]), ValueError, r"logits must be 2-D .* got shape \(2,\)"),
    (lambda: softmax_cross_entropy([[1.0, np.nan]], [0]), ValueError, "logits must contain only finite values, got nan"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [0], base=1), ValueError, "base must be .* got 1"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [0], base=-2.0), ValueError, "base must be .* got -2.0"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [0], base="2"), TypeError, "base must be"),
    (lambda: softmax_cross_entropy([[1.0, 2.0]], [[0.5, 0.2, 0.3]]), ValueError, r"shape \(1, 2\), got \(1, 3\)"),
    (lambda: cross_entropy([[1.2, -0.2]], [0]), ValueError, r"probs must hold probabilities in \[0, 1\], got 1.2"),
    (lambda: cross_entropy([[0.5, 0.5]], [0], reduction="avg"), ValueError, "reduction must be one of .* got 'avg'"),
    (lambda: binary_cross_entropy([0.5, 0.5], [1.0]), ValueError, r"y must have the same shape as o \(2,\), got \(1,\)"),
    (lambda: binary_cross_entropy([0.5], [2.0]), ValueError, r"y must hold probabilities in \[0, 1\], got 2.0"),
    (lambda: binary_cross_entropy(["x"], [1.0]), TypeError, "o must be an array of real numbers"),
    (lambda: mse([[0.5]], [[np.inf]]), ValueError, "y must contain only finite values, got inf"),
    (lambda: softmax(3.0), ValueError, "at least one dimension"),
    (lambda: one_hot([0, 3], 3), ValueError, r"in \[0, 3\), got 3"),
    (lambda: one_hot([0, 1], 0), ValueError, "n_classes must be a positive integer, got 0"),
])
def test_bad_input_raises_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_float_labels_that_are_whole_numbers_are_accepted():
    a = softmax_cross_entropy([[1.0, 2.0, 0.0]], np.array([1.0]))
    b = softmax_cross_entropy([[1.0, 2.0, 0.0]], np.array([1]))
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])
