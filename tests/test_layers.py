"""lib.layers against tf.keras: every layer kind alone and random architectures (inference output,
training loss and every gradient, moving statistics), BN on 4-D inputs, label smoothing; central
differences for every layer; dropout and noise statistics; hypothesis properties; bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lib import regularizers
from lib.gradients import numerical_gradient, relative_error
from lib.layers import (
    ACTIVATIONS, ELU, INITIALIZERS, VARIANCE_SCALING, Activation, BatchNormalization, Dense, Dropout, GaussianNoise, LayerNormalization,
    LeakyReLU, Maxout, NonFiniteError, PReLU, Sequential, Step, from_keras, get_initializer, init_weight,
)
from lib.notebook import import_tensorflow

DTYPES = ["float32", "float64"]
#: (rtol, atol) of the Keras comparisons; float64 agrees to rounding, float32 to its 1e-7 rounding
#: amplified by a few layers of normalization.
TOL = {"float64": (1e-10, 1e-12), "float32": (2e-4, 2e-5)}


@pytest.fixture(scope="session")
def tf():
    """TensorFlow, or a clean skip where it is not installed (overrides conftest's fixture)."""
    pytest.importorskip("tensorflow")
    return import_tensorflow()


def f32(x: float) -> float:
    """A factor Keras can hold exactly: Keras casts regularizer factors through float32 even for
    float64 weights (see tests/test_mlp.py), and TensorFlow's ``leaky_relu`` keeps its slope in a
    float32 attribute, so the tests draw factors and slopes that survive that rounding."""
    return float(np.float32(x))


#: In float64 TensorFlow still rounds two constants to float32: the 1/√2 inside ``gelu``
#: (``math_ops.cast(0.7071067811865476, float64)`` goes through a float32 tensor) and the 0.2 slope
#: of the ``leaky_relu`` *activation*; their Keras outputs are off by ~1e-8 relative, so the random
#: float64 architectures leave them out and the per-layer test allows that much for them.
FLOAT32_CONSTANTS = ("gelu", "leaky_relu")
LOOSE64 = (2e-7, 1e-9)


def activations_for(dtype: str) -> list[str]:
    return [a for a in ACTIVATIONS if dtype == "float32" or a not in FLOAT32_CONSTANTS]


# ------------------------------------------------------------------------------------------------
# helpers: Keras twins with random weights
# ------------------------------------------------------------------------------------------------
def randomize_keras_weights(model, rng) -> None:
    """Random values for every weight, so no gradient is trivially zero and BN's moving statistics
    differ from their initial values."""
    new = []
    for v in model.weights:
        name = v.path.split("/")[-1]
        shape = tuple(v.shape)
        if name in ("gamma",):
            w = rng.uniform(0.5, 1.5, shape)
        elif name == "moving_variance":
            w = rng.uniform(0.5, 2.0, shape)
        elif name == "kernel":
            w = rng.normal(0, 1 / math.sqrt(shape[0]), shape) * 1.5
        else:  # bias, beta, moving_mean, alpha
            w = rng.normal(0, 0.3, shape)
        new.append(w)
    for v, w in zip(model.weights, new):
        v.assign(w.astype(v.dtype))


def random_regularizer(keras, rng):
    kind = rng.integers(4)
    if kind == 0:
        return None
    if kind == 1:
        return keras.regularizers.L1(f32(rng.uniform(1e-3, 0.05)))
    if kind == 2:
        return keras.regularizers.L2(f32(rng.uniform(1e-3, 0.05)))
    return keras.regularizers.L1L2(f32(rng.uniform(1e-3, 0.05)), f32(rng.uniform(1e-3, 0.05)))


def random_keras_model(keras, rng, dtype, n_in, n_classes, *, noise: bool):
    """Dense layers (random width, activation, bias, regularizers) each followed by one of every
    other layer kind in a random order, with random hyperparameters; a final Dense gives logits.
    ``noise=True`` adds Dropout and GaussianNoise (identities in inference)."""
    kinds = ["bn", "bn", "ln", "activation", "leaky", "elu", "prelu"] + (["dropout", "noise"] if noise else [])
    rng.shuffle(kinds)
    layers = [keras.Input((n_in,), dtype=dtype)]
    acts = activations_for(dtype)
    for kind in kinds:
        layers.append(keras.layers.Dense(
            int(rng.integers(3, 8)), activation=str(rng.choice(acts)), use_bias=bool(rng.integers(2)),
            kernel_regularizer=random_regularizer(keras, rng), bias_regularizer=random_regularizer(keras, rng),
            dtype=dtype))
        if kind == "bn":
            layers.append(keras.layers.BatchNormalization(
                momentum=float(rng.uniform(0.5, 0.99)), epsilon=float(10 ** rng.uniform(-4, -1)),
                center=bool(rng.integers(2)), scale=bool(rng.integers(2)), dtype=dtype))
        elif kind == "ln":
            layers.append(keras.layers.LayerNormalization(epsilon=float(10 ** rng.uniform(-4, -1)),
                                                          center=bool(rng.integers(2)), scale=bool(rng.integers(2)),
                                                          dtype=dtype))
        elif kind == "activation":
            layers.append(keras.layers.Activation(str(rng.choice(acts)), dtype=dtype))
        elif kind == "leaky":
            layers.append(keras.layers.LeakyReLU(negative_slope=f32(rng.uniform(0.01, 0.5)), dtype=dtype))
        elif kind == "elu":
            layers.append(keras.layers.ELU(alpha=float(rng.uniform(0.3, 2.0)), dtype=dtype))
        elif kind == "prelu":
            layers.append(keras.layers.PReLU(dtype=dtype))
        elif kind == "dropout":
            layers.append(keras.layers.Dropout(float(rng.uniform(0.1, 0.6)), dtype=dtype))
        elif kind == "noise":
            layers.append(keras.layers.GaussianNoise(float(rng.uniform(0.1, 1.0)), dtype=dtype))
    layers.append(keras.layers.Dense(n_classes, kernel_regularizer=random_regularizer(keras, rng), dtype=dtype))
    model = keras.Sequential(layers)
    randomize_keras_weights(model, rng)
    return model


def keras_loss_and_grads(tf, keras, model, X, y, n_classes, label_smoothing, dtype):
    """Keras' training loss (smoothed CE on one-hot targets + model.losses) and its gradients."""
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=label_smoothing, dtype=dtype)
    with tf.GradientTape() as tape:
        logits = model(tf.constant(X), training=True)
        loss = loss_fn(tf.one_hot(y, n_classes, dtype=dtype), logits)
        if model.losses:
            loss = loss + tf.add_n([tf.cast(p, dtype) for p in model.losses])
    return float(loss), [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


def assert_close(ours, theirs, dtype, what="", tol=None):
    rtol, atol = tol or TOL[dtype]
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


# ------------------------------------------------------------------------------------------------
# random architectures against Keras
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(4))
def test_random_architecture_inference_output_equals_keras(tf, keras, dtype, seed):
    rng = np.random.default_rng(seed)
    n_in, n_classes = int(rng.integers(3, 7)), int(rng.integers(2, 5))
    model = random_keras_model(keras, rng, dtype, n_in, n_classes, noise=True)
    net = from_keras(model)
    X = rng.normal(size=(9, n_in)).astype(dtype)
    assert net.dtype == np.dtype(dtype)
    out = net.predict(X)
    assert out.dtype == np.dtype(dtype)
    assert_close(out, model(X, training=False).numpy(), dtype)
    assert all(np.array_equal(a, b) for a, b in zip(net.get_weights(), model.get_weights()))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(4))
def test_random_architecture_training_loss_gradients_and_moving_statistics_equal_keras(tf, keras, dtype, seed):
    rng = np.random.default_rng(100 + seed)
    n_in, n_classes = int(rng.integers(3, 7)), int(rng.integers(2, 5))
    model = random_keras_model(keras, rng, dtype, n_in, n_classes, noise=False)
    ls = 0.0 if seed % 2 == 0 else float(rng.uniform(0.05, 0.4))
    net = from_keras(model, label_smoothing=ls)
    assert [p.shape for p in net.params] == [tuple(v.shape) for v in model.trainable_variables]
    for step in range(3):  # three training passes on different batches: moving statistics move
        X = rng.normal(size=(int(rng.integers(5, 12)), n_in)).astype(dtype)
        y = rng.integers(0, n_classes, size=X.shape[0])
        k_loss, k_grads = keras_loss_and_grads(tf, keras, model, X, y, n_classes, ls, dtype)
        loss, grads = net.loss_and_grads(X, y)
        assert loss == pytest.approx(k_loss, rel=TOL[dtype][0] * 10)
        assert len(grads) == len(k_grads)
        for k, (g, kg) in enumerate(zip(grads, k_grads)):
            assert g.dtype == np.dtype(dtype)
            assert_close(g, kg, dtype, f"step {step}, gradient {k}")
        for k, (w, kw) in enumerate(zip(net.get_weights(), model.get_weights())):
            assert_close(w, kw, dtype, f"step {step}, weight {k} after the training pass")


@pytest.mark.parametrize("dtype", ["float32"])  # Keras' compiled float64 loss fails to add float64 penalties
def test_evaluate_and_predict_equal_keras(tf, keras, dtype):
    rng = np.random.default_rng(5)
    model = random_keras_model(keras, rng, dtype, 4, 3, noise=True)
    ls = 0.2
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=ls, dtype=dtype),
                  metrics=["accuracy"])
    net = from_keras(model, label_smoothing=ls)
    X = rng.normal(size=(40, 4)).astype(dtype)
    y = rng.integers(0, 3, size=40)
    k_loss, k_acc = model.evaluate(X, keras.utils.to_categorical(y, 3), batch_size=40, verbose=0)
    loss, acc = net.evaluate(X, y)
    assert loss == pytest.approx(k_loss, rel=2e-6)  # Keras' metric averages in float32
    assert acc == pytest.approx(k_acc)
    assert_close(net.predict(X), model.predict(X, verbose=0), dtype)


# ------------------------------------------------------------------------------------------------
# each layer kind alone against its Keras twin: output, dx and parameter gradients, both modes
# ------------------------------------------------------------------------------------------------
def layer_pairs(keras, dtype, rng):
    """(name, our layer, the Keras layer) for every kind that has a Keras twin."""
    mom, eps = float(rng.uniform(0.5, 0.99)), float(10 ** rng.uniform(-4, -1))
    reg = keras.regularizers.L1L2(f32(0.01), f32(0.03))
    pairs = [(f"Activation({a})", Activation(a), keras.layers.Activation(a, dtype=dtype)) for a in ACTIVATIONS]
    pairs += [
        ("Dense", Dense(4, activation="tanh", kernel_regularizer=regularizers.L1L2(f32(0.01), f32(0.03)),
                        bias_regularizer=regularizers.L2(f32(0.03))),
         keras.layers.Dense(4, activation="tanh", kernel_regularizer=reg, bias_regularizer=keras.regularizers.L2(f32(0.03)),
                            dtype=dtype)),
        ("Dense(no bias)", Dense(4, use_bias=False), keras.layers.Dense(4, use_bias=False, dtype=dtype)),
        ("LeakyReLU", LeakyReLU(f32(0.17)), keras.layers.LeakyReLU(f32(0.17), dtype=dtype)),
        ("ELU", ELU(0.6), keras.layers.ELU(0.6, dtype=dtype)),
        ("PReLU", PReLU(), keras.layers.PReLU(dtype=dtype)),
        ("BatchNormalization", BatchNormalization(momentum=mom, epsilon=eps),
         keras.layers.BatchNormalization(momentum=mom, epsilon=eps, dtype=dtype)),
        ("BatchNormalization(center=False, scale=False)", BatchNormalization(mom, eps, center=False, scale=False),
         keras.layers.BatchNormalization(momentum=mom, epsilon=eps, center=False, scale=False, dtype=dtype)),
        ("LayerNormalization", LayerNormalization(epsilon=eps), keras.layers.LayerNormalization(epsilon=eps, dtype=dtype)),
        ("Dropout (inference)", Dropout(0.4), keras.layers.Dropout(0.4, dtype=dtype)),
        ("GaussianNoise (inference)", GaussianNoise(0.5), keras.layers.GaussianNoise(0.5, dtype=dtype)),
    ]
    return pairs


def compare_layer(tf, ours, theirs, X, R, training, dtype, rng, tol=None):
    """Output, dx and parameter gradients of J = Σ R ⊙ layer(X) (+ penalties); returns the worst
    absolute difference."""
    if not theirs.built:
        theirs.build(X.shape)
        randomize_keras_weights(theirs, rng)
        ours.forward(X[:1])  # build, then copy Keras' weights
        ours.set_weights(theirs.get_weights())
    Xt = tf.Variable(X)
    with tf.GradientTape() as tape:
        out = theirs(Xt, training=training)
        J = tf.reduce_sum(out * R) + sum(tf.cast(p, dtype) for p in theirs.losses)
    k_grads = tape.gradient(J, [Xt, *theirs.trainable_variables])
    y = ours.forward(X, training=training)
    dx = ours.backward(R)
    assert y.dtype == dx.dtype == np.dtype(dtype)
    ours_all = [y, dx, *ours.grads.values(), *ours.get_weights()]
    theirs_all = [out.numpy(), k_grads[0].numpy(), *[g.numpy() for g in k_grads[1:]], *theirs.get_weights()]
    assert len(ours_all) == len(theirs_all)
    worst = 0.0
    for a, b in zip(ours_all, theirs_all):
        assert_close(a, b, dtype, tol=tol)
        worst = max(worst, float(np.max(np.abs(a - b))))
    return worst


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_layer_kind_alone_equals_keras_in_both_modes(tf, keras, dtype):
    rng = np.random.default_rng(11)
    for name, ours, theirs in layer_pairs(keras, dtype, rng):
        for step, training in enumerate([True, False, True, True]):  # moving statistics after several passes
            X = (rng.normal(size=(7, 5)) * 1.5 + 0.3).astype(dtype)
            R = rng.normal(size=ours.output_shape(X.shape) if ours.built else (7, theirs.compute_output_shape(X.shape)[-1]))
            R = R.astype(dtype)
            if "inference" in name and training:
                continue
            loose = dtype == "float64" and any(c in name for c in FLOAT32_CONSTANTS)
            try:
                compare_layer(tf, ours, theirs, X, R, training, dtype, rng, tol=LOOSE64 if loose else None)
            except AssertionError as exc:
                raise AssertionError(f"{name}, pass {step} (training={training}): {exc}") from None


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False)])
def test_batch_norm_on_4d_feature_maps_equals_keras(tf, keras, dtype, center, scale):
    rng = np.random.default_rng(21)
    mom, eps = float(rng.uniform(0.5, 0.99)), float(10 ** rng.uniform(-4, -1))
    ours = BatchNormalization(momentum=mom, epsilon=eps, center=center, scale=scale)
    theirs = keras.layers.BatchNormalization(momentum=mom, epsilon=eps, center=center, scale=scale, dtype=dtype)
    for training in [True, True, False, True]:
        X = (rng.normal(size=(3, 4, 5, 6)) * rng.uniform(0.5, 3, 6) + rng.normal(size=6)).astype(dtype)
        R = rng.normal(size=X.shape).astype(dtype)
        compare_layer(tf, ours, theirs, X, R, training, dtype, rng)
    # per-feature-map statistics: one mean per channel over m·p·q = 60 positions
    assert ours.state["moving_mean"].shape == (6,)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ls", [0.0, 0.1, 0.37, 1.0])
def test_label_smoothing_loss_and_gradients_equal_keras(tf, keras, dtype, ls):
    rng = np.random.default_rng(31)
    model = keras.Sequential([keras.Input((5,), dtype=dtype), keras.layers.Dense(6, activation="relu", dtype=dtype),
                              keras.layers.Dense(4, dtype=dtype)])
    randomize_keras_weights(model, rng)
    net = from_keras(model, label_smoothing=ls)
    X = rng.normal(size=(12, 5)).astype(dtype)
    y = rng.integers(0, 4, 12)
    k_loss, k_grads = keras_loss_and_grads(tf, keras, model, X, y, 4, ls, dtype)
    loss, grads = net.loss_and_grads(X, y)
    assert loss == pytest.approx(k_loss, rel=TOL[dtype][0])
    for g, kg in zip(grads, k_grads):
        assert_close(g, kg, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ls", [0.0, 0.2])
def test_soft_targets_loss_and_gradients_equal_keras_categorical_crossentropy(tf, keras, dtype, ls):
    # mixup-like targets (two classes per row) and label smoothing on top, as Keras smooths any targets
    rng = np.random.default_rng(32)
    model = keras.Sequential([keras.Input((5,), dtype=dtype), keras.layers.Dense(6, activation="tanh", dtype=dtype),
                              keras.layers.Dense(4, dtype=dtype)])
    randomize_keras_weights(model, rng)
    net = from_keras(model, label_smoothing=ls)
    X = rng.normal(size=(12, 5)).astype(dtype)
    lam = rng.uniform(size=(12, 1))
    T = (lam * np.eye(4)[rng.integers(0, 4, 12)] + (1 - lam) * np.eye(4)[rng.integers(0, 4, 12)]).astype(dtype)
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=ls, dtype=dtype)
    with tf.GradientTape() as tape:
        k_loss = loss_fn(tf.constant(T), model(tf.constant(X), training=True))
    k_grads = tape.gradient(k_loss, model.trainable_variables)
    loss, grads = net.loss_and_grads(X, T)
    assert loss == pytest.approx(float(k_loss), rel=TOL[dtype][0])
    for g, kg in zip(grads, k_grads):
        assert_close(g, kg.numpy(), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ls", [0.0, 0.15])
def test_integer_labels_are_one_hot_targets_bitwise_and_keep_the_gather_arithmetic(dtype, ls):
    # one kernel: integer labels y are the one-hot targets onehot(y), and the result is bit for bit the
    # gather form the loss had before target distributions were accepted (written out below)
    rng = np.random.default_rng(5)
    net = Sequential([Dense(7, "relu", seed=0), Dense(5, seed=1)], label_smoothing=ls)
    X, y = rng.normal(size=(9, 3)).astype(dtype), rng.integers(0, 5, 9)
    loss_y, grads_y = net.loss_and_grads(X, y)
    grads_y = [g.copy() for g in grads_y]
    loss_t, grads_t = net.loss_and_grads(X, np.eye(5)[y])
    assert loss_y == loss_t
    for a, b in zip(grads_y, grads_t):
        np.testing.assert_array_equal(a, b)
    assert net.evaluate(X, y) == net.evaluate(X, np.eye(5)[y])
    s, rows = net.forward(X, training=True), np.arange(9)
    shifted = s - s.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    delta = np.exp(logp)
    if ls == 0:
        e = -logp[rows, y]
        delta[rows, y] -= 1
    else:
        e = -(1 - ls) * logp[rows, y] - (ls / 5) * logp.sum(axis=1)
        delta -= s.dtype.type(ls / 5)
        delta[rows, y] -= s.dtype.type(1 - ls)
    J, d = net._loss(s, np.eye(5, dtype=dtype)[y])
    assert J == float(e.mean())
    np.testing.assert_array_equal(d, delta / 9)


def test_soft_target_accuracy_is_against_the_largest_target():
    net = Sequential([Dense(3, seed=0)])
    X = np.random.default_rng(1).normal(size=(6, 2))
    pred = net.predict(X).argmax(axis=1)
    T = np.full((6, 3), 0.2)
    T[np.arange(6), pred] = 0.6                       # every largest target is the predicted class …
    T[0] = [0.6, 0.2, 0.2] if pred[0] != 0 else [0.2, 0.6, 0.2]  # … except in row 0
    assert net.evaluate(X, T)[1] == pytest.approx(5 / 6)


@pytest.mark.parametrize("T, exc, match", [
    (np.full((4, 3), 1 / 3)[:, :2], ValueError, r"y must be integer labels \(4,\) or target distributions \(4, 3\)"),
    (np.full((4, 3, 1), 1 / 3), ValueError, r"got shape \(4, 3, 1\)"),
    (np.array([[1.2, -0.2, 0.0]] * 4), ValueError, "y must hold non-negative class probabilities, got -0.2"),
    (np.array([[0.5, 0.4, 0.0]] * 4), ValueError, "rows sum to 1, got row 0 summing to 0.9"),
    (np.array([[np.nan, 0.5, 0.5]] * 4), ValueError, "y must contain only finite values, got nan"),
    (np.array([["a", "b", "c"]] * 4), TypeError, "y must be an array of real numbers, got dtype"),
])
def test_bad_target_distributions_raise_clear_errors_and_change_nothing(T, exc, match):
    net = Sequential([Dense(3, seed=0)])
    X = np.ones((4, 2))
    net.build(X)
    before = net.get_weights()
    with pytest.raises(exc, match=match):
        net.loss_and_grads(X, T)
    with pytest.raises(exc, match=match):
        net.evaluate(X, T)
    for w, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(w, b)


def test_float32_mixing_round_off_passes_the_target_check():
    rng = np.random.default_rng(2)
    lam = np.float32(rng.beta(0.4, 0.4))
    T = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    mixed = lam * T + np.float32(1 - lam) * T[rng.permutation(64)]
    net = Sequential([Dense(10, seed=0)])
    loss, _ = net.loss_and_grads(rng.normal(size=(64, 4)).astype(np.float32), mixed)
    assert math.isfinite(loss)


def test_from_keras_rejects_a_layer_without_twin(tf, keras):
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="Flatten"):
        from_keras(model)
    with pytest.raises(TypeError, match="keras_model"):
        from_keras([Dense(3)])


# ------------------------------------------------------------------------------------------------
# central differences for every layer (float64)
# ------------------------------------------------------------------------------------------------
def check_layer_gradients(make_layer, X, training=True, seed=0, tol=1e-7):
    """Analytic dx and parameter gradients of J = Σ R ⊙ layer(X) + Ω against central differences.
    ``make_layer()`` makes a fresh layer (same seed → same dropout mask / noise every evaluation)."""
    rng = np.random.default_rng(seed)
    layer = make_layer()
    y = layer.forward(X, training=training)
    R = rng.normal(size=y.shape)
    weights = layer.get_weights()

    def J(x, params=None):
        fresh = make_layer()
        fresh.forward(x[:1], training=False)  # build
        fresh.set_weights(weights)
        for name, value in (params or {}).items():
            fresh.params[name][...] = value
        return float(np.sum(R * fresh.forward(x, training=training))) + fresh.penalty()

    dx = layer.backward(R)
    assert relative_error(dx, numerical_gradient(J, X)) < tol
    for name, p in layer.params.items():
        numeric = numerical_gradient(lambda v: J(X, {name: v}), p)
        err = relative_error(layer.grads[name], numeric)
        assert err < tol, f"{name}: relative error {err}"
    return layer


def away_from_kinks(rng, shape):
    """Inputs at least 0.05 away from 0 (ReLU-type kinks), so central differences are exact to O(h²)."""
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.05, np.sign(x) * 0.05 + x, x)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_dense_with_each_activation_and_regularizers_passes_gradient_check(activation):
    X = away_from_kinks(np.random.default_rng(1), (6, 4))
    check_layer_gradients(lambda: Dense(3, activation=activation, kernel_regularizer=regularizers.L1L2(0.01, 0.02),
                                        bias_regularizer=regularizers.L2(0.05), bias_initializer="random_normal",
                                        seed=3), X)


@pytest.mark.parametrize("make", [
    lambda: LeakyReLU(0.2), lambda: ELU(0.7), lambda: PReLU(alpha_initializer="random_normal", seed=1),
    lambda: Activation("gelu"), lambda: LayerNormalization(epsilon=0.01),
    lambda: Dropout(0.3, seed=5), lambda: GaussianNoise(0.4, seed=5), lambda: Maxout(3, pieces=3, seed=2),
], ids=["LeakyReLU", "ELU", "PReLU", "Activation", "LayerNormalization", "Dropout", "GaussianNoise", "Maxout"])
def test_layer_passes_gradient_check(make):
    X = away_from_kinks(np.random.default_rng(2), (5, 6))
    check_layer_gradients(make, X)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (2, 3, 2, 4)])
def test_batch_norm_passes_gradient_check(training, shape):
    X = np.random.default_rng(3).normal(size=shape) * 2 + 1
    layer = check_layer_gradients(lambda: BatchNormalization(momentum=0.8, epsilon=0.01), X, training=training)
    assert set(layer.grads) == {"gamma", "beta"}


def test_sequential_gradients_pass_gradient_check_with_smoothing_and_penalties():
    rng = np.random.default_rng(4)
    net = Sequential([Dense(5, "tanh", kernel_regularizer=regularizers.L1(0.01), seed=1), BatchNormalization(0.9),
                      PReLU(alpha_initializer="random_normal", seed=2), LayerNormalization(), Dense(4, "gelu", seed=3),
                      Maxout(3, seed=4), Dense(3, kernel_regularizer=regularizers.L2(0.02), seed=5)],
                     label_smoothing=0.15)
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    loss, grads = net.loss_and_grads(X, y)
    for k, p in enumerate(net.params):
        def J(v, p=p):
            old = p.copy()
            p[...] = v
            try:
                return net.loss_and_grads(X, y)[0]
            finally:
                p[...] = old
        assert relative_error(grads[k], numerical_gradient(J, p)) < 1e-7, k


def test_maxout_by_hand():
    layer = Maxout(2, pieces=2)
    layer.forward(np.zeros((1, 2)))
    # unit 0: pieces x·(1, 0) + 0 and x·(0, 1) + 0.5; unit 1: pieces x·(−1, 0) and x·(1, 1) − 1
    layer.set_weights([np.array([[1.0, 0.0, -1.0, 1.0], [0.0, 1.0, 0.0, 1.0]]), np.array([0.0, 0.5, 0.0, -1.0])])
    x = np.array([[2.0, 1.0], [-1.0, -3.0]])
    a = layer.forward(x)
    np.testing.assert_array_equal(a, [[max(2, 1.5), max(-2, 2)], [max(-1, -2.5), max(1, -5)]])
    dx = layer.backward(np.array([[1.0, 10.0], [100.0, 1000.0]]))
    # winners: sample 0 → unit 0 piece 0 (w=(1,0)), unit 1 piece 1 (w=(1,1)); sample 1 → unit 0 piece 0, unit 1 piece 0 (w=(−1,0))
    np.testing.assert_array_equal(dx, [[1 + 10, 10], [100 - 1000, 0]])
    np.testing.assert_array_equal(layer.grads["bias"], [1 + 100, 0, 1000, 10])


def test_step_is_the_sign_step_and_backpropagates_zero():
    layer = Step()
    x = np.array([[-2.0, -1e-9, 0.0, 3.0]])
    np.testing.assert_array_equal(layer.forward(x), [[-1, -1, 1, 1]])
    np.testing.assert_array_equal(layer.backward(np.ones((1, 4))), np.zeros((1, 4)))
    # the derivative is 0 wherever it exists: central differences away from 0 agree
    xs = np.array([[-0.7, 0.4]])
    layer.forward(xs)
    np.testing.assert_array_equal(numerical_gradient(lambda v: float(Step().forward(v).sum()), xs), layer.backward(np.ones((1, 2))))


# ------------------------------------------------------------------------------------------------
# dropout and Gaussian noise
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_rate_scaling_and_mask_reuse(rate):
    layer = Dropout(rate, seed=0)
    X = np.random.default_rng(1).uniform(1, 2, size=(400, 50))
    y = layer.forward(X, training=True)
    dropped = y == 0
    # the dropped fraction is Binomial(20 000, rate)/20 000: within 5 standard deviations
    assert abs(dropped.mean() - rate) < 5 * math.sqrt(rate * (1 - rate) / X.size)
    np.testing.assert_allclose(y[~dropped], X[~dropped] / (1 - rate), rtol=1e-15)  # inverted-dropout scaling
    dy = np.random.default_rng(2).normal(size=X.shape)
    dx = layer.backward(dy)
    np.testing.assert_array_equal(dx == 0, dropped)  # the forward mask, not a new one
    np.testing.assert_allclose(dx[~dropped], dy[~dropped] / (1 - rate), rtol=1e-15)
    assert np.array_equal(layer.forward(X, training=False), X)  # identity in inference
    np.testing.assert_array_equal(layer.backward(dy), dy)


def test_dropout_and_noise_are_reproducible_from_the_seed_and_keep_the_dtype():
    X = np.ones((20, 10), dtype=np.float32)
    for make in (lambda: Dropout(0.5, seed=3), lambda: GaussianNoise(0.5, seed=3)):
        a, b = make().forward(X, training=True), make().forward(X, training=True)
        assert a.dtype == np.float32 and np.array_equal(a, b)
    layer = Dropout(0.5, seed=3)
    assert not np.array_equal(layer.forward(X, training=True), layer.forward(X, training=True))  # a new mask each pass


def test_gaussian_noise_statistics():
    layer = GaussianNoise(0.7, seed=0)
    X = np.full((500, 40), 2.0)
    noise = layer.forward(X, training=True) - X
    n = noise.size
    assert abs(noise.mean()) < 5 * 0.7 / math.sqrt(n)
    assert abs(noise.std() / 0.7 - 1) < 5 / math.sqrt(2 * n)
    assert stats.kstest(noise.ravel() / 0.7, "norm").pvalue > 1e-4
    dy = np.random.default_rng(0).normal(size=X.shape)
    np.testing.assert_array_equal(layer.backward(dy), dy)
    np.testing.assert_array_equal(layer.forward(X), X)


# ------------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(m=st.integers(2, 30), n=st.integers(1, 5), eps=st.floats(1e-5, 1.0), seed=st.integers(0, 2**32 - 1),
       scale=st.floats(0.01, 100.0), shift=st.floats(-100, 100))
def test_batch_norm_training_pass_gives_mean_0_and_variance_sigma2_over_sigma2_plus_eps(m, n, eps, seed, scale, shift):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n)) * scale + shift
    bn = BatchNormalization(epsilon=eps)
    y = bn.forward(X, training=True)
    var = X.var(axis=0)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-9 * (1 + np.abs(shift) / scale))
    np.testing.assert_allclose(y.var(axis=0), var / (var + eps), rtol=1e-9, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(m=st.integers(1, 10), n=st.integers(2, 6), seed=st.integers(0, 2**32 - 1), ls=st.floats(0, 1))
def test_softmax_gradient_rows_sum_to_zero_and_loss_is_at_least_the_smoothed_entropy(m, n, seed, ls):
    rng = np.random.default_rng(seed)
    net = Sequential([Dense(n, seed=seed)], label_smoothing=ls)
    X, y = rng.normal(size=(m, 3)), rng.integers(0, n, m)
    loss, grads = net.loss_and_grads(X, y)
    # δ = (softmax − t)/m sums to 0 per row, so the bias gradient (the column sums of δ) sums to 0
    assert abs(grads[1].sum()) < 1e-12
    t = np.full(n, ls / n)
    t[0] += 1 - ls
    entropy = -np.sum(t[t > 0] * np.log(t[t > 0]))  # cross-entropy >= entropy of the target (Gibbs)
    assert loss >= entropy - 1e-12


# ------------------------------------------------------------------------------------------------
# initializers
# ------------------------------------------------------------------------------------------------
def test_glorot_uniform_draws_are_numpys_uniform_with_the_lecture_limit():
    # lecture (5.11): r = √6/√(n_in + n_out); NumPy's generator draws the numbers
    w = init_weight(np.random.default_rng(3), 7, 5, "glorot_uniform", np.float64)
    np.testing.assert_array_equal(w, np.random.default_rng(3).uniform(-math.sqrt(6 / 12), math.sqrt(6 / 12), (7, 5)))
    # lecture (5.10): r = 1/√n_in
    w = init_weight(np.random.default_rng(3), 7, 5, "uniform_fan_in", np.float32)
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w, np.random.default_rng(3).uniform(-1 / math.sqrt(7), 1 / math.sqrt(7), (7, 5)).astype(np.float32))


def test_a_shared_generator_gives_successive_layers_successive_draws():
    rng = np.random.default_rng(0)
    net = Sequential([Dense(4, seed=rng), Dense(3, seed=rng)])
    net.build((None, 2))
    ref = np.random.default_rng(0)
    np.testing.assert_array_equal(net.params[0], init_weight(ref, 2, 4, "glorot_uniform", np.float64))
    np.testing.assert_array_equal(net.params[2], init_weight(ref, 4, 3, "glorot_uniform", np.float64))


@pytest.mark.parametrize("name", [n for n in INITIALIZERS if n != "uniform_fan_in"])
def test_initializer_distribution_equals_keras(tf, keras, name):
    shape = (60, 90)
    ours = get_initializer(name)(shape, np.random.default_rng(0), np.float64)
    theirs = keras.initializers.get(name)
    theirs = type(theirs)(seed=1) if hasattr(theirs, "seed") else theirs
    theirs = np.asarray(theirs(shape, dtype="float64"))
    if name in ("zeros", "ones"):
        np.testing.assert_array_equal(ours, theirs)
        return
    if name == "orthogonal":
        np.testing.assert_allclose(ours @ ours.T, np.eye(60), atol=1e-12)  # orthonormal rows, as Keras'
        np.testing.assert_allclose(theirs @ theirs.T, np.eye(60), atol=1e-5)
    # same distribution: a two-sample Kolmogorov–Smirnov test does not tell the draws apart
    assert stats.ks_2samp(ours.ravel(), theirs.ravel()).pvalue > 1e-4
    if name in VARIANCE_SCALING:  # and the same support: [−r, r] or, truncated normals, [−2σ, 2σ]
        distribution, scale, mode = VARIANCE_SCALING[name]
        n = 60 if mode == "fan_in" else 75
        bound = math.sqrt(3 * scale / n) if distribution == "uniform" else 2 * math.sqrt(scale / n) / 0.87962566103423978
        for w in (ours, theirs):
            assert np.abs(w).max() <= bound * (1 + 1e-6)
            assert np.abs(w).max() >= bound * 0.95  # 5400 draws reach close to the edge


# ------------------------------------------------------------------------------------------------
# the Sequential contract
# ------------------------------------------------------------------------------------------------
def test_params_are_the_arrays_themselves_in_keras_order_and_stay_the_same_objects():
    net = Sequential([Dense(4, seed=0), BatchNormalization(), PReLU(), Dense(3, use_bias=False, seed=1)])
    X, y = np.random.default_rng(0).normal(size=(6, 2)), np.array([0, 1, 2, 0, 1, 2])
    net.build(X)
    ids = [id(p) for p in net.params]
    assert [p.shape for p in net.params] == [(2, 4), (4,), (4,), (4,), (4,), (4, 3)]  # kernel, bias, γ, β, α, kernel
    loss, grads = net.loss_and_grads(X, y)
    net.params[0] -= 0.1 * grads[0]  # an optimizer's in-place update reaches the layer
    assert np.shares_memory(net.params[0], net.layers[0].params["kernel"])
    net.set_weights(net.get_weights())
    assert [id(p) for p in net.params] == ids
    assert len(net.get_weights()) == 8  # + moving mean and variance


def test_integer_input_is_promoted_to_float64_and_float32_stays_float32():
    net = Sequential([Dense(3, seed=0)])
    assert net.forward(np.array([[1, 2], [3, 4]])).dtype == np.float64
    net32 = Sequential([Dense(3, seed=0)])
    X = np.ones((2, 2), dtype=np.float32)
    assert net32.forward(X).dtype == np.float32
    assert net32.forward(X.astype(np.float64)).dtype == np.float32  # cast to the network's dtype, as Keras
    assert all(g.dtype == np.float32 for g in net32.loss_and_grads(X, [0, 1])[1])


# ------------------------------------------------------------------------------------------------
# bad input: clear errors, nothing changed
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make,exc,match", [
    (lambda: Dense(units=0), ValueError, "units must be a positive integer, got 0"),
    (lambda: Dense(units=2.5), TypeError, "units"),
    (lambda: Dense(3, activation="swish2"), ValueError, "activation must be one of"),
    (lambda: Dense(3, kernel_initializer="glorot"), ValueError, "kernel_initializer must be one of"),
    (lambda: Dense(3, kernel_regularizer="l3"), ValueError, "kernel_regularizer"),
    (lambda: Activation("softmaxx"), ValueError, "activation must be one of"),
    (lambda: BatchNormalization(momentum=1.5), ValueError, r"momentum must be a real number in \[0.0, 1.0\], got 1.5"),
    (lambda: BatchNormalization(epsilon=-1e-3), ValueError, "epsilon must be a real number in"),
    (lambda: BatchNormalization(epsilon=0), ValueError, "epsilon"),
    (lambda: LayerNormalization(epsilon=-1), ValueError, "epsilon"),
    (lambda: Dropout(rate=1.0), ValueError, r"rate must be a real number in \[0.0, 1.0\), got 1.0"),
    (lambda: Dropout(rate=-0.1), ValueError, "rate"),
    (lambda: Dropout(rate="0.5"), TypeError, "rate"),
    (lambda: GaussianNoise(stddev=-1), ValueError, "stddev must be a real number"),
    (lambda: LeakyReLU(negative_slope=math.nan), ValueError, "negative_slope"),
    (lambda: Dropout(0.5, seed=-1), ValueError, "seed"),
    (lambda: Sequential([Dense(3)], label_smoothing=1.5), ValueError, r"label_smoothing must be a real number in \[0.0, 1.0\]"),
    (lambda: Sequential([Dense(3)], label_smoothing=-0.1), ValueError, "label_smoothing"),
    (lambda: Sequential([Dense(3)], loss="mse"), ValueError, "loss must be"),
    (lambda: Sequential([]), ValueError, "at least one layer"),
    (lambda: Sequential([Dense(3), "relu"]), TypeError, r"layers\[1\]"),
    (lambda: regularizers.L2(-0.1), ValueError, "l2 must be a non-negative"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_bad_arguments_raise_clear_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_inputs_raise_and_change_nothing():
    net = Sequential([Dense(4, seed=0), BatchNormalization(), Dense(3, seed=1)])
    X, y = np.random.default_rng(0).normal(size=(5, 2)), np.array([0, 1, 2, 0, 1])
    net.loss_and_grads(X, y)
    before = net.get_weights()
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\)"):
        net.forward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"y must hold class labels in \[0, 3\), got 3"):
        net.loss_and_grads(X, [0, 1, 2, 3, 0])
    with pytest.raises(ValueError, match="y must hold class labels"):
        net.evaluate(X, [0, 1, 2, -1, 0])
    with pytest.raises(ValueError, match="finite"):
        net.loss_and_grads(np.where(np.eye(5, 2) > 0, np.nan, X), y)
    with pytest.raises(TypeError, match="float32 or float64"):
        net.forward(X.astype(np.float16))
    with pytest.raises(ValueError, match="must be a list of 8 arrays"):
        net.set_weights(before[:-1])
    bad = [w.copy() for w in before]
    bad[-1] = np.ones((3, 3))  # the last array wrong: the earlier ones must not be written either
    bad[0] = bad[0] + 1
    with pytest.raises(ValueError, match="shape"):
        net.set_weights(bad)
    bad = [w.copy() for w in before]
    bad[5] = -np.ones(4)  # a negative moving variance
    with pytest.raises(ValueError, match="moving_variance"):
        net.set_weights(bad)
    for a, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_layer_input_checks_and_backward_before_forward():
    layer = Dense(3, seed=0)
    with pytest.raises(ValueError, match="backward was called before forward"):
        layer.backward(np.ones((2, 3)))
    layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="x must have 4 features on its last axis"):
        layer.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"dy must have the shape of the last forward's output \(2, 3\)"):
        layer.backward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="batch axis"):
        Dense(2).forward(np.ones(3))
    with pytest.raises(ValueError, match="not built"):
        Dense(2).set_weights([np.ones((2, 2)), np.ones(2)])
    with pytest.raises(ValueError, match="not built"):
        Sequential([Dense(2)]).get_weights()
    with pytest.raises(ValueError, match="classes >= 2"):
        Sequential([Dense(1)]).build((None, 3))
    with pytest.raises(ValueError, match="PReLU|shape"):
        p = PReLU()
        p.forward(np.ones((2, 3)))
        p.forward(np.ones((2, 4)))


def test_non_finite_values_in_a_training_pass_raise_and_leave_moving_statistics_unchanged():
    bn = BatchNormalization(momentum=0.5)
    bn.forward(np.random.default_rng(0).normal(size=(4, 3)), training=True)
    before = bn.get_weights()
    with pytest.raises(ValueError, match="finite"):
        bn.forward(np.array([[1.0, np.inf, 0.0]] * 4), training=True)  # caught at the layer's input
    # inside a network: a huge weight overflows float32 to inf before BN; BN refuses the batch
    net = Sequential([Dense(3, seed=0), BatchNormalization(momentum=0.5)])
    X = np.ones((4, 2), dtype=np.float32)
    net.build(X)
    net.layers[0].params["kernel"][...] = 3e38
    stats_before = net.layers[1].get_weights()
    with pytest.raises(NonFiniteError, match="moving statistics were left unchanged"):
        net.loss_and_grads(X, [0, 1, 2, 0])
    for a, b in zip(net.layers[1].get_weights(), stats_before):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(bn.get_weights(), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_on_3d_inputs_acts_on_the_last_axis_as_keras(tf, keras, dtype):
    rng = np.random.default_rng(41)
    ours = Dense(3, activation="elu", kernel_regularizer=regularizers.L2(f32(0.02)))
    theirs = keras.layers.Dense(3, activation="elu", kernel_regularizer=keras.regularizers.L2(f32(0.02)), dtype=dtype)
    for training in (True, False):
        X = rng.normal(size=(4, 5, 6)).astype(dtype)
        compare_layer(tf, ours, theirs, X, rng.normal(size=(4, 5, 3)).astype(dtype), training, dtype, rng)


# ================================================================================================
# chapter 10 (issue 11): population statistics after training (lecture's code 2) and folding (5.18)
# ================================================================================================
from lib.layers import fold_batch_norm, population_statistics  # noqa: E402


def bn_network(seed: int = 0, dtype=np.float64) -> tuple[Sequential, np.ndarray]:
    """Dense(linear) → BN → tanh → Dense(linear, no bias) → BN → relu → BN → Dense, with random γ, β
    and moving statistics, built on a batch whose features are far from mean 0 / variance 1."""
    rng = np.random.default_rng(seed)
    net = Sequential([Dense(5, seed=1), BatchNormalization(), Activation("tanh"),
                      Dense(4, use_bias=False, seed=2), BatchNormalization(epsilon=0.1), Activation("relu"),
                      BatchNormalization(center=False), Dense(3, seed=3)])
    X = (rng.normal(size=(40, 6)) * 3 + 2).astype(dtype)
    net.build(X)
    for layer in net.layers:
        for w in (*layer.params.values(), *layer.state.values()):
            w[...] = rng.uniform(0.5, 1.5, size=w.shape) if w is layer.state.get("moving_variance") else rng.normal(size=w.shape)
    return net, X


def test_population_statistics_are_code_2_over_the_whole_set_layer_after_layer():
    net, X = bn_network()
    stats_ = population_statistics(net, X)
    assert len(stats_) == 3
    # by hand: each BN's input computed with the layers before it in inference mode, earlier BNs on new stats
    z = X
    for layer in net.layers:
        if isinstance(layer, BatchNormalization):
            mu, var = z.mean(axis=0), z.var(axis=0)
            k = [la for la in net.layers if isinstance(la, BatchNormalization)].index(layer)
            np.testing.assert_allclose(stats_[k][0], mu, rtol=1e-13, atol=1e-14)
            np.testing.assert_allclose(stats_[k][1], var, rtol=1e-13, atol=1e-14)
            np.testing.assert_array_equal(layer.state["moving_mean"], stats_[k][0])
            np.testing.assert_array_equal(layer.state["moving_variance"], stats_[k][1])
            z = (z - mu) / np.sqrt(var + layer.epsilon) * layer.params.get("gamma", 1) + layer.params.get("beta", 0)
        else:
            z = layer.forward(z)
    # in inference mode the first BN's output now has mean β and variance γ²σ²/(σ² + ε) over X
    bn = net.layers[1]
    out = bn.forward(net.layers[0].forward(X))
    np.testing.assert_allclose(out.mean(axis=0), bn.params["beta"], atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), bn.params["gamma"] ** 2 * stats_[0][1] / (stats_[0][1] + bn.epsilon), rtol=1e-12)


def test_population_statistics_unbiased_is_biased_times_N_over_N_minus_1():
    net, X = bn_network(seed=1)
    biased = [v.copy() for _, v in population_statistics(net, X)]
    unbiased = [v for _, v in population_statistics(net, X, unbiased=True)]
    # the first BN's input does not depend on the statistics: exactly the factor N/(N − 1)
    np.testing.assert_allclose(unbiased[0], biased[0] * 40 / 39, rtol=1e-14)
    assert not np.allclose(unbiased[1], biased[1] * 40 / 39, rtol=1e-6)  # later inputs moved with the first BN's stats


def test_population_statistics_bad_input_and_non_finite_leave_the_model_unchanged():
    net, X = bn_network(seed=3)
    before = net.get_weights()
    with pytest.raises(TypeError, match="model must be a lib.layers.Sequential"):
        population_statistics(BatchNormalization(), X)
    with pytest.raises(TypeError, match="unbiased must be True or False"):
        population_statistics(net, X, unbiased=1)
    with pytest.raises(ValueError, match="at least 2 samples"):
        population_statistics(net, X[:1], unbiased=True)
    with pytest.raises(ValueError, match=r"X must have shape \(m, 6\)"):
        population_statistics(net, X[:, :5])
    net.layers[3].params["kernel"][:, 0] = 1e308  # the second BN's input overflows to inf
    with pytest.raises(NonFiniteError, match="no layer was changed"):
        population_statistics(net, X)
    net.layers[3].params["kernel"][:, 0] = before[6][:, 0]
    for a, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_folding_5_18_into_the_dense_layers_predicts_as_the_network(dtype):
    net, X = bn_network(seed=4, dtype=dtype)
    population_statistics(net, X)
    folded = fold_batch_norm(net)
    kinds = [type(la).__name__ for la in folded.layers]
    # the two Dense(linear) → BN pairs are folded; the BN after relu stays
    assert kinds == ["Dense", "Activation", "Dense", "Activation", "BatchNormalization", "Dense"]
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(folded.predict(X), net.predict(X), rtol=rtol, atol=rtol)
    assert folded.dtype == np.dtype(dtype) and folded.predict(X).dtype == np.dtype(dtype)
    # (5.18) by hand for the first layer: W' = W·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β
    d, bn = net.layers[0], net.layers[1]
    a = bn.params["gamma"] / np.sqrt(bn.state["moving_variance"] + dtype(bn.epsilon))
    np.testing.assert_allclose(folded.layers[0].params["kernel"], d.params["kernel"] * a, rtol=rtol)
    np.testing.assert_allclose(folded.layers[0].params["bias"],
                               (d.params["bias"] - bn.state["moving_mean"]) * a + bn.params["beta"], rtol=rtol, atol=rtol)
    # the original is untouched and independent of the copy
    folded.layers[-1].params["kernel"][...] = 0
    assert not np.all(net.layers[-1].params["kernel"] == 0)


def test_folding_does_not_fold_training_mode_or_nonlinear_dense_and_rejects_bad_models():
    net = Sequential([Dense(4, "relu", seed=0), BatchNormalization(), Dense(3, seed=1)])
    with pytest.raises(ValueError, match="not built"):
        fold_batch_norm(net)
    X = np.random.default_rng(0).normal(size=(10, 2))
    net.build(X)
    assert [type(la).__name__ for la in fold_batch_norm(net).layers] == ["Dense", "BatchNormalization", "Dense"]
    with pytest.raises(TypeError, match="model must be"):
        fold_batch_norm([Dense(3)])
    with pytest.raises(ValueError, match="not built"):
        BatchNormalization().inference_affine()
    # in training mode the batch statistics are used: the folded network is an inference-only twin
    net2, X2 = bn_network(seed=5)
    assert not np.allclose(fold_batch_norm(net2).forward(X2, training=True), net2.forward(X2, training=True))


@pytest.mark.parametrize("center, scale", [(True, True), (False, True), (True, False), (False, False)])
def test_inference_affine_is_the_inference_pass_5_18(center, scale):
    rng = np.random.default_rng(6)
    bn = BatchNormalization(epsilon=0.05, center=center, scale=scale)
    x = rng.normal(size=(7, 4)) * 2 + 1
    bn.build(x.shape, x.dtype)
    for w in (*bn.params.values(), bn.state["moving_mean"]):
        w[...] = rng.normal(size=w.shape)
    bn.state["moving_variance"][...] = rng.uniform(0.1, 3, size=4)
    a, c = bn.inference_affine()
    np.testing.assert_allclose(bn.forward(x), a * x + c, rtol=1e-13, atol=1e-13)


def test_population_statistics_without_batch_norm_layers_changes_nothing():
    net = Sequential([Dense(4, "tanh", seed=0), Dense(3, seed=1)])
    X = np.random.default_rng(7).normal(size=(5, 2))
    net.build(X)
    before = net.get_weights()
    assert population_statistics(net, X) == []
    assert population_statistics(net, X[:1], unbiased=True) == []  # no BN: one sample is enough
    for a, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(a, b)
