"""Tests for lib/mlp.py: initialisation as Keras, gradients (central differences and GradientTape),
layer-for-layer parity with a keras.Sequential (loss, gradients, a training run with the same
mini-batches), early stopping as keras.callbacks.EarlyStopping, and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import optimizers
from lib.data import load_digits, minibatches
from lib.keras_compat import optimizer_from_keras
from lib.layers import Dense, Sequential
from lib.mlp import INITIALIZERS, MLP, History
from lib.training import fit


def numerical_grads(net, X, y, h=1e-6):
    grads = []
    for p in net.params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            fp = net.loss(X, y)
            p[i] = old - h
            fm = net.loss(X, y)
            p[i] = old
            g[i] = (fp - fm) / (2 * h)
        grads.append(g)
    return grads


def keras_model(keras, net, dtype="float64", l2=None):
    """A keras.Sequential with the same architecture as ``net`` and its weights (L2 factor ``l2``,
    default ``net.l2``)."""
    layers = [keras.Input(shape=(net.layer_sizes[0],), dtype=dtype)]
    l2 = net.l2 if l2 is None else l2
    reg = keras.regularizers.L2(l2) if l2 else None
    for n in net.layer_sizes[1:-1]:
        layers.append(keras.layers.Dense(n, activation=net.activation, kernel_regularizer=reg, dtype=dtype))
    layers.append(keras.layers.Dense(net.layer_sizes[-1], kernel_regularizer=reg, dtype=dtype))  # logits
    model = keras.Sequential(layers)
    model.set_weights([p.astype(dtype) for p in net.params])
    return model


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture
def small_problem():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(6, 4))
    y = np.array([0, 1, 2, 2, 1, 0])
    return X, y


# ------------------------------------------------------------------------------------------------
# initialisation
# ------------------------------------------------------------------------------------------------
def test_default_init_is_keras_glorot_uniform_and_lecture_5_11():
    net = MLP([64, 32, 10])
    assert [p.shape for p in net.params] == [(64, 32), (32,), (32, 10), (10,)]
    assert all(p.dtype == np.float64 for p in net.params)
    for W, b, (n_in, n_out) in zip(net.params[0::2], net.params[1::2], [(64, 32), (32, 10)]):
        r = math.sqrt(6) / math.sqrt(n_in + n_out)  # lecture (5.11), Keras glorot_uniform limit
        assert np.abs(W).max() <= r and np.abs(W).max() > 0.95 * r
        np.testing.assert_array_equal(b, 0.0)  # "바이어스는 보통 0으로 초기화" / Keras bias_initializer="zeros"
    assert net.n_params == 64 * 32 + 32 + 32 * 10 + 10
    # the seed fixes the draw
    np.testing.assert_array_equal(MLP([64, 32, 10], seed=0).params[0], net.params[0])
    assert not np.array_equal(MLP([64, 32, 10], seed=1).params[0], net.params[0])


@pytest.mark.parametrize("init,first,last", [
    # golden values: lib/mlp.py before it became a builder of lib.layers.Sequential drew these
    # (W1[0, :2] and W2[-1, -2:] of MLP([64, 32, 10], seed=0)); the chapters' outputs rest on them
    ("glorot_uniform", [0.06848084366072715, -0.11510664311806484], [0.3186744568081058, -0.309220020192739]),
    ("he_normal", [0.025267763286569708, -0.026548862999054002], [-0.23991144656039537, 0.4705849668741653]),
])
def test_initial_weights_are_the_ones_the_chapters_were_run_with(init, first, last):
    net = MLP([64, 32, 10], seed=0, init=init)
    np.testing.assert_array_equal(net.params[0][0, :2], first)
    np.testing.assert_array_equal(net.params[2][-1, -2:], last)


def test_mlp_is_a_sequential_of_dense_layers():
    net = MLP([64, 32, 16, 10], "tanh", seed=1, l2=0.01)
    assert isinstance(net.network, Sequential) and all(isinstance(layer, Dense) for layer in net.network.layers)
    assert [(layer.units, layer.activation) for layer in net.network.layers] == [(32, "tanh"), (16, "tanh"), (10, "linear")]
    assert all(p is q for p, q in zip(net.params, net.network.params))  # one set of arrays, not a copy
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 64)), np.array([0, 3, 9, 2, 2])
    loss, grads = net.loss_and_grads(X, y)
    n_loss, n_grads = net.network.loss_and_grads(X, y)
    assert loss == n_loss and all(np.array_equal(g, h) for g, h in zip(grads, n_grads))


@pytest.mark.parametrize("init", sorted(set(INITIALIZERS) - {"uniform_fan_in"}))
def test_initialisers_have_the_spread_of_keras_initialisers(keras, init):
    shape = (300, 200)
    ours = MLP([300, 200, 2], init=init, seed=3).params[0]
    theirs = type(keras.initializers.get(init))(seed=3)(shape, dtype="float64").numpy()
    # 60,000 draws: the standard deviations agree to well under 2 %, the ranges too
    assert np.std(ours) == pytest.approx(np.std(theirs), rel=0.02)
    assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.02)


def test_uniform_fan_in_is_lecture_5_10():
    W = MLP([400, 100, 2], init="uniform_fan_in").params[0]
    r = 1 / math.sqrt(400)  # lecture (5.10)
    assert np.abs(W).max() <= r and np.abs(W).max() > 0.99 * r


# ------------------------------------------------------------------------------------------------
# gradients
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "linear"])
@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_gradients_match_central_differences(small_problem, activation, l2):
    X, y = small_problem
    net = MLP([4, 5, 4, 3], activation, seed=2, l2=l2)
    for p in net.params[1::2]:  # non-zero biases, so their gradients are exercised away from 0
        p += np.linspace(-0.3, 0.3, p.size)
    loss, grads = net.loss_and_grads(X, y)
    assert loss == pytest.approx(net.loss(X, y), rel=1e-15)
    for g, n in zip(grads, numerical_grads(net, X, y)):
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-9)


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=1, max_size=3), n_classes=st.integers(2, 4),
       m=st.integers(1, 5), seed=st.integers(0, 1000))
def test_gradient_properties_hold_for_any_architecture(sizes, n_classes, m, seed):
    rng = np.random.default_rng(seed)
    net = MLP(sizes + [n_classes], "tanh", seed=seed)
    X = rng.normal(size=(m, sizes[0]))
    y = rng.integers(0, n_classes, m)
    loss, grads = net.loss_and_grads(X, y)
    assert loss >= 0 and [g.shape for g in grads] == [p.shape for p in net.params]
    # softmax − onehot rows sum to 0, so the output bias gradient sums to 0
    assert abs(grads[-1].sum()) < 1e-14
    for g, n in zip(grads, numerical_grads(net, X, y)):
        np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-8)


# ------------------------------------------------------------------------------------------------
# parity with keras.Sequential
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "linear"])
@pytest.mark.parametrize("dtype,rtol,atol", [("float64", 1e-12, 1e-14), ("float32", 2e-5, 2e-6)])
def test_loss_and_gradients_equal_keras_sequential(tf, keras, digits, activation, dtype, rtol, atol):
    X, y = digits.X_train[:50], digits.y_train[:50]
    # Keras' L2(1e-3) multiplies by the factor *rounded to float32* even for float64 weights
    # (ops.cast(1e-3, "float64") goes through a float32 tensor): λ = 0.0010000000474974513.
    # With λ = 1e-3 here the float64 losses would differ by 2.4e-9; converting λ removes that.
    net = MLP([64, 16, 12, 10], activation, seed=4, l2=float(np.float32(1e-3)), dtype=dtype)
    model = keras_model(keras, net, dtype, l2=1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=dtype)
    Xt = tf.constant(X.astype(dtype))
    with tf.GradientTape() as tape:
        logits = model(Xt)
        k_loss = loss_fn(y, logits) + tf.add_n(model.losses)  # the L2 penalties λ‖W‖² of each layer
    k_grads = tape.gradient(k_loss, model.trainable_variables)
    loss, grads = net.loss_and_grads(X, y)
    np.testing.assert_allclose(net.logits(X), logits.numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(net.predict_proba(X), keras.activations.softmax(logits).numpy(), rtol=rtol, atol=atol)
    assert loss == pytest.approx(float(k_loss), rel=rtol)
    for g, kg in zip(grads, k_grads):
        assert g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g, kg.numpy(), rtol=rtol, atol=atol)


def keras_sgd_run(tf, keras, net, batches, learning_rate, dtype):
    """Train a copy of ``net`` in Keras on the given mini-batches with keras.optimizers.SGD."""
    model = keras_model(keras, net, dtype)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=dtype)
    opt = keras.optimizers.SGD(learning_rate=learning_rate)
    losses = []
    for Xb, yb in batches:
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(tf.constant(Xb.astype(dtype)), training=True))
            if model.losses:
                loss = loss + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(float(loss))
    return model.get_weights(), np.array(losses)


@pytest.mark.parametrize("dtype,atol", [("float64", 1e-12), ("float32", 1e-5)])
def test_two_epochs_of_sgd_equal_keras_with_the_same_minibatches(tf, keras, digits, dtype, atol):
    X, y = digits.X_train, digits.y_train
    net = MLP([64, 32, 10], "relu", seed=5, l2=2.0**-13, dtype=dtype)
    # learning rate 0.25 and λ = 2^-13 are exact in float32, the dtype Keras keeps them in
    # (lr = 0.1 would differ by 1.5e-9; see the L2 note in the test above)
    lr, epochs, batch_size, seed = 0.25, 2, 64, 11
    rng = np.random.default_rng(seed)  # MLP.train draws each epoch's order from one generator like this
    batches = [b for _ in range(epochs) for b in minibatches(X, y, batch_size, seed=rng)]
    k_weights, k_losses = keras_sgd_run(tf, keras, net, batches, lr, dtype)
    start = [p.copy() for p in net.params]
    opt = optimizers.SGD(lr)
    hist = net.train(X, y, opt, epochs=epochs, batch_size=batch_size, seed=seed)
    assert opt.iterations == len(batches) == epochs * math.ceil(len(X) / batch_size) == 34
    moved = max(np.abs(p - s).max() for p, s in zip(net.params, start))
    assert moved > 0.05  # the run changes the weights a lot compared with the tolerance
    for p, kw in zip(net.params, k_weights):
        np.testing.assert_allclose(p, kw, rtol=0, atol=atol)
    np.testing.assert_allclose(hist.iteration_loss, k_losses, rtol=10 * atol)


@pytest.mark.parametrize("make,dtype,atol", [
    # keras.ops.cast(0.999, "float64") goes through float32 (0.9990000128746033), and Keras' Adam casts
    # β₁, β₂ that way in its bias correction only; lib.optimizers.Adam uses 0.999 itself, which moves
    # each float64 step by ~6e-6 relative (about 1e-6 in the weights here).  With hyperparameters that
    # are exact in float32 the two agree to rounding; with Keras' defaults we compare in float32.
    (lambda keras: keras.optimizers.Adam(learning_rate=2.0**-7, beta_1=0.875, beta_2=1 - 2.0**-9,
                                         epsilon=2.0**-23), "float64", 1e-12),
    (lambda keras: keras.optimizers.Adam(learning_rate=2.0**-7), "float32", 1e-5),
    (lambda keras: keras.optimizers.SGD(learning_rate=0.125, momentum=0.875, nesterov=True), "float64", 1e-12),
])
def test_training_with_lib_optimizers_equals_keras(tf, keras, digits, make, dtype, atol):
    # the optimizer converted from the Keras one (lib.keras_compat.optimizer_from_keras: same ε convention, ...)
    X, y = digits.X_train[:256], digits.y_train[:256]
    net = MLP([64, 16, 10], "tanh", seed=6, dtype=dtype)
    rng = np.random.default_rng(0)
    batches = [b for _ in range(2) for b in minibatches(X, y, 32, seed=rng)]
    model = keras_model(keras, net, dtype)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=dtype)
    k_opt = make(keras)
    ours = optimizer_from_keras(k_opt)
    for Xb, yb in batches:
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(tf.constant(Xb.astype(dtype))))
        k_opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    start = net.get_params()
    net.train(X, y, ours, epochs=2, batch_size=32, seed=0)
    assert ours.iterations == int(k_opt.iterations) == 16
    assert max(np.abs(p - s).max() for p, s in zip(net.params, start)) > 0.05
    for p, kw in zip(net.params, model.get_weights()):
        np.testing.assert_allclose(p, kw, rtol=0, atol=atol)


# ------------------------------------------------------------------------------------------------
# the training loop
# ------------------------------------------------------------------------------------------------
def test_history_records_per_iteration_and_per_epoch(digits):
    net = MLP([64, 32, 10], seed=0)
    hist = net.train(digits.X_train, digits.y_train, optimizers.SGD(0.5), epochs=8, batch_size=100, seed=1,
                     X_val=digits.X_val, y_val=digits.y_val)
    assert isinstance(hist, History)
    assert hist.iterations_per_epoch == 11 and hist.iteration_loss.shape == (88,)
    for a in (hist.epoch_train_loss, hist.epoch_train_accuracy, hist.epoch_val_loss, hist.epoch_val_accuracy,
              hist.epoch_time, hist.epoch_learning_rate):
        assert a.shape == (8,) and a.dtype == np.float64
    assert hist.epochs == 8 and not hist.stopped_early and not hist.diverged and hist.best_epoch is None
    # epoch values are the whole-set loss / accuracy with the weights at the end of the epoch
    assert hist.epoch_train_loss[-1] == pytest.approx(net.evaluate(digits.X_train, digits.y_train)[0], rel=1e-15)
    assert hist.epoch_val_accuracy[-1] == net.evaluate(digits.X_val, digits.y_val)[1]
    assert np.all(hist.epoch_time > 0)
    np.testing.assert_array_equal(hist.epoch_learning_rate, 0.5)
    # it learns: the loss falls and a held-out accuracy well above chance (10 %)
    assert hist.epoch_train_loss[-1] < 0.5 * hist.epoch_train_loss[0]
    assert hist.epoch_val_accuracy[-1] > 0.9
    assert np.mean(net.predict(digits.X_test) == digits.y_test) > 0.9


def test_schedule_sets_the_learning_rate_at_each_epoch(digits):
    opt = optimizers.SGD(1.0)
    schedule = lambda epoch: 0.2 / (1 + 1.0 * epoch)  # noqa: E731  week-10 notes: α = α0 / (1 + decay·epoch)
    hist = MLP([64, 8, 10]).train(digits.X_train, digits.y_train, opt, epochs=4, batch_size=256, schedule=schedule)
    np.testing.assert_allclose(hist.epoch_learning_rate, [0.2, 0.1, 0.2 / 3, 0.05], rtol=1e-15)
    assert opt.learning_rate == 1.0  # the optimizer's own learning rate is put back (issue 9, point 18)
    assert opt.iterations == 4 * 5  # and it did take the steps


def test_schedule_restores_the_learning_rate_even_when_training_diverges():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
    opt = optimizers.SGD(0.1)
    hist = MLP([5, 8, 3]).train(X, y, opt, epochs=20, batch_size=8, schedule=lambda epoch: 1e8)
    assert hist.diverged and opt.learning_rate == 0.1


def test_train_reproducible_by_seed(digits):
    X, y = digits.X_train[:300], digits.y_train[:300]
    a, b, c = MLP([64, 8, 10]), MLP([64, 8, 10]), MLP([64, 8, 10])
    ha = a.train(X, y, optimizers.SGD(0.3), epochs=2, batch_size=32, seed=3)
    hb = b.train(X, y, optimizers.SGD(0.3), epochs=2, batch_size=32, seed=3)
    hc = c.train(X, y, optimizers.SGD(0.3), epochs=2, batch_size=32, seed=4)
    np.testing.assert_array_equal(ha.iteration_loss, hb.iteration_loss)
    assert not np.array_equal(ha.iteration_loss, hc.iteration_loss)


def test_early_stopping_follows_keras_rule_and_restores_best_weights(keras, digits):
    # a large learning rate and a wide net make the validation loss zig-zag and rise (figure 5-23(b))
    X, y = digits.X_train[:200], digits.y_train[:200]
    net = MLP([64, 64, 10], seed=0)
    hist = net.train(X, y, optimizers.SGD(2.0), epochs=60, batch_size=16, seed=0,
                     X_val=digits.X_val, y_val=digits.y_val, patience=3)
    assert hist.stopped_early and hist.epochs < 60
    v = hist.epoch_val_loss
    assert hist.best_epoch == int(np.argmin(v))
    assert hist.epochs - 1 - hist.best_epoch == 3  # stopped after `patience` epochs without improvement
    # the restored weights are those of the best epoch, not the last
    assert net.evaluate(digits.X_val, digits.y_val)[0] == pytest.approx(v[hist.best_epoch], rel=1e-14)
    assert net.evaluate(digits.X_val, digits.y_val)[0] < v[-1]

    # the same sequence of validation losses fed to keras.callbacks.EarlyStopping stops at the same epoch
    class Dummy:
        stop_training = False
        weights = None

        def get_weights(self):
            return [self.epoch]

        def set_weights(self, w):
            self.weights = w

    cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    model = Dummy()
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, loss in enumerate(v):
        model.epoch = epoch
        cb.on_epoch_end(epoch, {"val_loss": float(loss)})
        if model.stop_training:
            break
    cb.on_train_end()
    assert epoch == hist.epochs - 1 and model.stop_training
    assert cb.best_epoch == hist.best_epoch and model.weights == [hist.best_epoch]


def test_early_stopping_restores_best_weights_even_without_stopping(digits):
    X, y = digits.X_train[:200], digits.y_train[:200]
    net = MLP([64, 64, 10], seed=0)
    hist = net.train(X, y, optimizers.SGD(2.0), epochs=12, batch_size=16, seed=0,
                     X_val=digits.X_val, y_val=digits.y_val, patience=100)
    assert not hist.stopped_early and hist.epochs == 12
    assert hist.best_epoch == int(np.argmin(hist.epoch_val_loss))
    assert net.evaluate(digits.X_val, digits.y_val)[0] == pytest.approx(hist.epoch_val_loss.min(), rel=1e-14)


def test_divergence_stops_training_and_is_flagged(recwarn):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
    net = MLP([5, 8, 3], "relu")
    hist = net.train(X, y, optimizers.SGD(1e8), epochs=20, batch_size=8)
    assert hist.diverged and hist.epochs < 20
    assert not np.isfinite(hist.iteration_loss[-1]) and np.all(np.isfinite(hist.iteration_loss[:-1]))
    assert len(hist.iteration_loss) > hist.epochs * hist.iterations_per_epoch
    assert len(recwarn) == 0  # no RuntimeWarnings leak into a notebook's stderr


def test_train_is_fit_on_the_network_plus_whole_set_evaluations(digits):
    X, y = digits.X_train[:300], digits.y_train[:300]
    a, b = MLP([64, 16, 10], seed=2), MLP([64, 16, 10], seed=2)
    ha = a.train(X, y, optimizers.Adam(0.01), epochs=3, batch_size=32, seed=5, X_val=digits.X_val, y_val=digits.y_val)
    hb = fit(b.network, X, y, optimizers.Adam(0.01), epochs=3, batch_size=32, seed=5,
             validation_data=(digits.X_val, digits.y_val))
    np.testing.assert_array_equal(ha.iteration_loss, hb.iteration_loss)
    np.testing.assert_array_equal(ha.epoch_val_loss, hb.history["val_loss"])
    assert ha.epoch_train_loss[-1] == a.evaluate(X, y)[0] != hb.history["loss"][-1]  # MLP's own meaning


def test_train_accepts_nesterov_lookahead(digits):
    # issue 9, point 15: the gradient is taken at optimizer.lookahead(params) and the weights are put back
    X, y = digits.X_train[:300], digits.y_train[:300]
    net = MLP([64, 16, 10], seed=0)
    opt = optimizers.NesterovLookahead(0.1, 0.9)
    hist = net.train(X, y, opt, epochs=3, batch_size=32, seed=0)
    assert opt.iterations == 3 * 10 and not hist.diverged
    assert hist.epoch_train_loss[-1] < 0.5 * hist.epoch_train_loss[0]
    # the loss recorded for a batch is the loss at the look-ahead point: check the first two by hand
    ref = MLP([64, 16, 10], seed=0)
    batches = list(minibatches(X, y, 32, seed=np.random.default_rng(0)))
    ref_opt = optimizers.NesterovLookahead(0.1, 0.9)
    for k, (Xb, yb) in enumerate(batches[:2]):
        point = ref_opt.lookahead(ref.params)
        saved = ref.get_params()
        ref.set_params(point)
        loss, grads = ref.loss_and_grads(Xb, yb)
        grads = [g.copy() for g in grads]
        ref.set_params(saved)
        assert hist.iteration_loss[k] == loss
        ref_opt.step(ref.params, grads)


class DuckSGD:
    """Not a lib.optimizers object: any ``step(params, grads)`` works, also one returning new arrays."""

    def __init__(self, learning_rate, in_place):
        self.learning_rate, self.in_place, self.iterations = learning_rate, in_place, 0

    def step(self, params, grads):
        self.iterations += 1
        if self.in_place:
            for p, g in zip(params, grads):
                p -= self.learning_rate * g
            return params
        return [p - self.learning_rate * g for p, g in zip(params, grads)]


@pytest.mark.parametrize("in_place", [True, False])
def test_train_accepts_any_optimizer_with_a_step_method(digits, in_place):
    X, y = digits.X_train[:200], digits.y_train[:200]
    a, b = MLP([64, 8, 10]), MLP([64, 8, 10])
    ids = [id(p) for p in b.params]
    a.train(X, y, optimizers.SGD(0.5), epochs=2, batch_size=50, seed=1)
    b.train(X, y, DuckSGD(0.5, in_place), epochs=2, batch_size=50, seed=1)
    assert [id(p) for p in b.params] == ids  # the network keeps its arrays (copied into when not in place)
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)


def test_float32_network_computes_in_float32(digits):
    net = MLP([64, 16, 10], dtype=np.float32)
    assert all(p.dtype == np.float32 for p in net.params)
    _, grads = net.loss_and_grads(digits.X_train[:20], digits.y_train[:20])  # float64 X is cast
    assert all(g.dtype == np.float32 for g in grads)
    assert net.predict_proba(digits.X_train[:5]).dtype == np.float32
    np.testing.assert_allclose(net.predict_proba(digits.X_train[:5]).sum(axis=1), 1.0, rtol=1e-6)
    assert net.predict(digits.X_train[:5]).dtype == np.int64


def test_set_params_copies_in_place_and_checks_everything_first():
    net = MLP([3, 4, 2])
    ids = [id(p) for p in net.params]
    new = [np.ones((3, 4)), np.ones(4), np.ones((4, 2)), np.ones(2)]
    net.set_params(new)
    assert [id(p) for p in net.params] == ids
    np.testing.assert_array_equal(net.params[2], 1.0)
    before = net.get_params()
    with pytest.raises(ValueError, match=r"params\[3\] \(b2\) must have shape \(2,\), got \(3,\)"):
        net.set_params([np.zeros((3, 4)), np.zeros(4), np.zeros((4, 2)), np.zeros(3)])
    for p, b in zip(net.params, before):
        np.testing.assert_array_equal(p, b)


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(layer_sizes=[64]), ValueError, r"layer_sizes must list at least .* got \[64\]"),
    (dict(layer_sizes=[64, 0, 10]), ValueError, r"positive integers, got 0 in \[64, 0, 10\]"),
    (dict(layer_sizes=[64, -3, 10]), ValueError, "got -3"),
    (dict(layer_sizes=[64, 2.5, 10]), ValueError, "got 2.5"),
    (dict(layer_sizes=[64, 1]), ValueError, r"layer_sizes\[-1\] \(the number of classes\) must be >= 2 for softmax, got 1"),
    (dict(layer_sizes=64), TypeError, "layer_sizes must be a sequence"),
    (dict(layer_sizes=[4, 3], activation="cube"), ValueError, r"activation must be one of .* got 'cube'"),
    (dict(layer_sizes=[4, 3], init="orthogonal"), ValueError, "init must be one of .* got 'orthogonal'"),
    (dict(layer_sizes=[4, 3], l2=-0.1), ValueError, "l2 must be a non-negative float, got -0.1"),
    (dict(layer_sizes=[4, 3], dtype=np.int32), ValueError, "dtype must be float32 or float64"),
    (dict(layer_sizes=[4, 3], seed=-1), ValueError, "seed must be a non-negative integer, got -1"),
])
def test_bad_constructor_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        MLP(**kwargs)


@pytest.mark.parametrize("X,y,exc,match", [
    (np.zeros((3, 4)), [0, 1, 3], ValueError, r"y must hold class labels in \[0, 3\), got 3"),
    (np.zeros((3, 4)), [0, 1, -1], ValueError, r"in \[0, 3\), got -1"),
    (np.zeros((3, 4)), [0, 1, 1.5], ValueError, "integer class labels, got 1.5"),
    (np.zeros((3, 4)), ["a", "b", "c"], TypeError, "integer class labels, got dtype"),
    (np.zeros((3, 4)), [0, 1], ValueError, r"one label per sample \(3\), got 2"),
    (np.zeros((3, 5)), [0, 1, 2], ValueError, r"layer_sizes\[0\] = 4 columns, got 5"),
    (np.zeros(4), [0], ValueError, r"X must be 2-D"),
    (np.full((1, 4), np.nan), [0], ValueError, "X must contain only finite values, got nan"),
])
def test_bad_data_to_loss_and_grads(X, y, exc, match):
    with pytest.raises(exc, match=match):
        MLP([4, 5, 3]).loss_and_grads(X, y)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(batch_size=0), ValueError, "batch_size must be a positive integer, got 0"),
    (dict(batch_size=-4), ValueError, "batch_size must be a positive integer, got -4"),
    (dict(batch_size=8.0), TypeError, "batch_size must be a positive integer, got float: 8.0"),
    (dict(epochs=0), ValueError, "epochs must be a positive integer, got 0"),
    (dict(optimizer=object()), TypeError, r"optimizer must have a step\(params, grads\) method"),
    (dict(patience=2), ValueError, "patience .* needs X_val and y_val"),
    (dict(patience=-1, X_val=np.zeros((2, 4)), y_val=[0, 1]), ValueError, "patience must be a non-negative integer, got -1"),
    (dict(X_val=np.zeros((2, 4))), ValueError, "X_val and y_val must be given together"),
    (dict(X_val=np.zeros((2, 3)), y_val=[0, 1]), ValueError, r"X_val must have layer_sizes\[0\] = 4 columns, got 3"),
    (dict(X_val=np.zeros((2, 4)), y_val=[0, 5]), ValueError, r"y_val must hold class labels in \[0, 3\), got 5"),
    (dict(schedule=0.1), TypeError, "schedule must be a callable"),
    (dict(seed=-5), ValueError, "seed must be a non-negative integer, got -5"),
    (dict(min_delta=-1.0), ValueError, "min_delta must be a non-negative float, got -1.0"),
])
def test_bad_train_arguments_raise_and_change_nothing(kwargs, exc, match):
    net = MLP([4, 5, 3])
    before = net.get_params()
    args = dict(optimizer=optimizers.SGD(0.1), epochs=2, batch_size=2)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        net.train(np.ones((6, 4)), [0, 1, 2, 0, 1, 2], **args)
    for p, b in zip(net.params, before):
        np.testing.assert_array_equal(p, b)
