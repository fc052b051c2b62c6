"""Tests for lib/training.py: fit equals Keras' Model.fit on the same mini-batches (weights and every
logged value), works with every lib.optimizers optimizer (Nesterov's look-ahead form included, checked
against Keras' SGD(nesterov=True)), follows the callback protocol, and rejects bad input changing nothing."""

import inspect
import math

import numpy as np
import pytest

from lib import optimizers
from lib.callbacks import Callback, EarlyStopping
from lib.data import load_digits, minibatches
from lib.layers import BatchNormalization, Dense, Sequential
from lib.training import History, fit


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def network(sizes=(32, 10), activation="tanh", seed=0, dtype=np.float64):
    model = Sequential([Dense(n, activation=activation if k < len(sizes) - 1 else None, seed=seed + k)
                        for k, n in enumerate(sizes)])
    model.build((None, 64), dtype)
    return model


def keras_twin(keras, model, dtype="float64", optimizer=None):
    """A compiled keras.Sequential with ``model``'s architecture and weights (sparse CE on logits, accuracy)."""
    layers = [keras.Input(shape=(64,), dtype=dtype)]
    for layer in model.layers:
        layers.append(keras.layers.Dense(layer.units, activation=layer.activation, dtype=dtype))
    twin = keras.Sequential(layers)
    twin.set_weights([w.astype(dtype) for w in model.get_weights()])
    twin.compile(optimizer=optimizer, metrics=["accuracy"],
                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=dtype))
    return twin


def manual_loop(model, X, y, optimizer, epochs, batch_size, seed):
    """The loop fit runs, written out: the reference for optimizers whose gradient is taken at params."""
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        for Xb, yb in minibatches(X, y, batch_size, seed=rng):
            loss, grads = model.loss_and_grads(Xb, yb)
            optimizer.step(model.params, grads)
            losses.append(loss)
    return np.array(losses)


# ------------------------------------------------------------------------------------------------
# parity with keras Model.fit
# ------------------------------------------------------------------------------------------------
def test_fit_equals_keras_fit_on_the_same_minibatches(keras, digits):
    X, y = digits.X_train, digits.y_train
    epochs, batch_size, seed, lr = 3, 64, 5, 0.25  # 0.25 is exact in float32, where Keras keeps it
    model = network((32, 16, 10), seed=3)
    twin = keras_twin(keras, model, optimizer=keras.optimizers.SGD(lr))
    start = model.get_weights()
    # Keras shuffles its own way: give it each epoch's permutation (the one fit draws) with shuffle=False
    rng = np.random.default_rng(seed)
    theirs = {}
    for _ in range(epochs):
        order = rng.permutation(len(X))
        h = twin.fit(X[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
                     validation_data=(digits.X_val, digits.y_val))
        for key, values in h.history.items():
            theirs.setdefault(key, []).extend(values)
    ours = fit(model, X, y, optimizers.SGD(lr), epochs=epochs, batch_size=batch_size, seed=seed,
               validation_data=(digits.X_val, digits.y_val))
    assert max(np.abs(w - s).max() for w, s in zip(model.get_weights(), start)) > 0.1  # it moved a lot
    for w, k in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(w, k, rtol=0, atol=1e-12)
    assert ours.epoch == [0, 1, 2] and ours.params == {"epochs": 3, "steps": 17, "batch_size": 64}
    # Keras accumulates its logs in float32 metrics (even for a float64 model): agreement to ~1e-7
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(ours.history[key], theirs[key], rtol=1e-6, err_msg=key)
    # what the epoch loss is: the batch-size-weighted mean of the epoch's mini-batch losses
    sizes = np.array([64] * 16 + [len(X) - 16 * 64], dtype=float)
    per_epoch = ours.iteration_loss.reshape(epochs, 17)
    np.testing.assert_allclose(ours.history["loss"], per_epoch @ sizes / len(X), rtol=1e-15)
    # and not the loss of the end-of-epoch weights (the two differ while the weights move)
    assert abs(ours.history["loss"][-1] - model.evaluate(X, y)[0]) > 1e-3


def test_nesterov_lookahead_in_fit_equals_keras_sgd_nesterov(keras, digits):
    # Keras' SGD(momentum=β, nesterov=True) iterates are the look-ahead points of NesterovLookahead
    # (lib.optimizers docstring); fit takes the gradient there, so the losses and points agree.
    X, y = digits.X_train[:256], digits.y_train[:256]
    lr, beta, epochs, batch_size = 0.125, 0.875, 2, 32
    model = network(seed=1)
    twin = keras_twin(keras, model, optimizer=keras.optimizers.SGD(lr, momentum=beta, nesterov=True))
    rng = np.random.default_rng(0)
    k_loss = []
    for _ in range(epochs):
        order = rng.permutation(len(X))

        class BatchLoss(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                k_loss.append(logs["loss"])  # running mean of the epoch's batch losses

        twin.fit(X[order], y[order], batch_size=batch_size, epochs=1, shuffle=False, verbose=0, callbacks=[BatchLoss()])
    opt = optimizers.NesterovLookahead(lr, beta)
    h = fit(model, X, y, opt, epochs=epochs, batch_size=batch_size, seed=0)
    assert opt.iterations == 16 and not h.diverged
    for point, k in zip(opt.lookahead(model.params), twin.get_weights()):
        np.testing.assert_allclose(point, k, rtol=0, atol=1e-12)
    running = [np.cumsum(e) / np.arange(1, 9) for e in h.iteration_loss.reshape(epochs, 8)]
    np.testing.assert_allclose(np.concatenate(running), k_loss, rtol=1e-6)


def all_optimizers():
    """Every concrete optimizer class lib.optimizers exports."""
    return sorted((c for c in vars(optimizers).values() if isinstance(c, type) and issubclass(c, optimizers.Optimizer)
                   and c is not optimizers.Optimizer and not inspect.isabstract(c)), key=lambda c: c.__name__)


def test_every_optimizer_is_covered():
    names = {c.__name__ for c in all_optimizers()}
    assert {"SGD", "Momentum", "NesterovLookahead", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Nadam"} <= names


@pytest.mark.parametrize("cls", all_optimizers(), ids=lambda c: c.__name__)
def test_fit_trains_with_every_optimizer(digits, cls):
    X, y = digits.X_train[:300], digits.y_train[:300]
    lr = 1.0 if cls.__name__ == "Adadelta" else 0.01 if "Ada" in cls.__name__ or "Adam" in cls.__name__ or \
        cls.__name__ in ("RMSprop", "Nadam") else 0.1
    model = network(seed=2)
    opt = cls(lr)
    h = fit(model, X, y, opt, epochs=4, batch_size=50, seed=1)
    assert opt.iterations == 4 * 6 and h.iteration_loss.shape == (24,) and not h.diverged
    assert h.history["loss"][-1] < 0.8 * h.history["loss"][0]  # it learns
    if cls is not optimizers.NesterovLookahead:  # the same updates as the loop written out by hand
        ref = network(seed=2)
        losses = manual_loop(ref, X, y, cls(lr), 4, 50, 1)
        np.testing.assert_array_equal(h.iteration_loss, losses)
        for p, q in zip(model.params, ref.params):
            np.testing.assert_array_equal(p, q)


# ------------------------------------------------------------------------------------------------
# the loop and its logs
# ------------------------------------------------------------------------------------------------
class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, round(logs["loss"], 12)))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end",))


def test_callbacks_are_called_as_keras_calls_them(digits):
    X, y = digits.X_train[:100], digits.y_train[:100]
    rec = Recorder()
    model = network()
    h = fit(model, X, y, optimizers.SGD(0.1), epochs=2, batch_size=40, callbacks=[rec],
            validation_data=(digits.X_val, digits.y_val))
    assert rec.model is model and rec.params == h.params == {"epochs": 2, "steps": 3, "batch_size": 40}
    keys = ["accuracy", "learning_rate", "loss", "val_accuracy", "val_loss"]
    kinds = [c[0] for c in rec.calls]
    assert kinds == ["train_begin", "epoch_begin", "batch_end", "batch_end", "batch_end", "epoch_end",
                     "epoch_begin", "batch_end", "batch_end", "batch_end", "epoch_end", "train_end"]
    assert rec.calls[5] == ("epoch_end", 0, keys)
    # batch logs: the running mean so far; the last one of the epoch is the epoch's loss
    running = np.cumsum(h.iteration_loss[:3] * [40, 40, 20]) / [40, 80, 100]
    np.testing.assert_allclose([c[2] for c in rec.calls[2:5]], running, rtol=1e-12)
    assert h.history["loss"][0] == pytest.approx(running[-1], rel=1e-15)


def test_history_accuracy_counts_the_forward_passes_of_the_epoch(digits):
    # one batch per epoch (full batch): the epoch's accuracy is that of the weights before the update
    X, y = digits.X_train[:200], digits.y_train[:200]
    model = network()
    before = model.evaluate(X, y)
    h = fit(model, X, y, optimizers.SGD(0.5), epochs=1, batch_size=200)
    assert h.history["accuracy"] == [before[1]] and h.history["loss"] == [pytest.approx(before[0], rel=1e-14)]


def test_learning_rate_log_follows_a_schedule(digits):
    from lib.schedules import ExponentialDecay

    sched = ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5)
    opt = optimizers.SGD(sched)
    h = fit(network(), digits.X_train[:120], digits.y_train[:120], opt, epochs=3, batch_size=30)
    np.testing.assert_allclose(h.history["learning_rate"], [sched(0), sched(4), sched(8)], rtol=1e-15)


def test_stop_training_from_a_batch_hook_ends_the_epoch(digits):
    class StopAfter(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    opt = optimizers.SGD(0.1)
    h = fit(network(), digits.X_train[:100], digits.y_train[:100], opt, epochs=5, batch_size=10,
            callbacks=[StopAfter()])
    assert opt.iterations == 2 and h.epoch == [0] and len(h.iteration_loss) == 2


def test_divergence_stops_before_the_update_without_warnings(recwarn):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 64)), rng.integers(0, 10, 64)
    model = network(activation="relu")
    h = fit(model, X, y, optimizers.SGD(1e8), epochs=20, batch_size=8)
    assert h.diverged and len(h.epoch) < 20
    assert not math.isfinite(h.iteration_loss[-1]) and np.all(np.isfinite(h.iteration_loss[:-1]))
    assert all(np.all(np.isfinite(p)) for p in model.params)  # the failed update was not applied
    assert len(recwarn) == 0


def test_batch_statistics_that_overflow_count_as_divergence():
    # inputs of 1e300 overflow BN's batch variance: the layer refuses the pass (NonFiniteError) and fit
    # reports a diverged run instead of raising, with nothing updated
    X = np.full((8, 4), 1e300) * np.arange(1, 9)[:, None]
    model = Sequential([Dense(4, seed=0), BatchNormalization(), Dense(3, seed=1)])
    model.build(X)
    before = model.get_weights()
    opt = optimizers.SGD(0.1)
    h = fit(model, X, np.arange(8) % 3, opt, epochs=3, batch_size=8)
    assert h.diverged and h.epoch == [] and math.isnan(h.iteration_loss[-1]) and opt.iterations == 0
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_a_refused_optimizer_step_counts_as_divergence():
    # float32 gradients of ~1e21 overflow Adam's g²: the optimizer rolls the step back (FloatingPointError)
    # and fit reports the run as diverged, weights as they were before that step
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 4)).astype(np.float32) * np.float32(1e21), rng.integers(0, 3, 16)
    model = Sequential([Dense(3, seed=0)])
    model.build(X)
    before = model.get_weights()
    h = fit(model, X, y, optimizers.Adam(0.1), epochs=2, batch_size=16)
    assert h.diverged and math.isnan(h.iteration_loss[-1])
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_early_stopping_inside_fit_restores_the_best_epoch(digits):
    X, y = digits.X_train[:150], digits.y_train[:150]
    model = network((64, 10), activation="relu")
    es = EarlyStopping(patience=2, restore_best_weights=True)
    h = fit(model, X, y, optimizers.SGD(1.0), epochs=60, batch_size=10, seed=0, callbacks=[es],
            validation_data=(digits.X_val, digits.y_val))
    val = h.history["val_loss"]
    assert es.stopped_epoch == h.epoch[-1] < 59 and es.best_epoch == int(np.argmin(val))
    assert model.evaluate(digits.X_val, digits.y_val)[0] == pytest.approx(min(val), rel=1e-13)


def test_sequential_fit_delegates_to_fit(digits):
    a, b = network(), network()
    ha = a.fit(digits.X_train[:100], digits.y_train[:100], optimizers.Adam(0.01), epochs=2, batch_size=25, seed=4)
    hb = fit(b, digits.X_train[:100], digits.y_train[:100], optimizers.Adam(0.01), epochs=2, batch_size=25, seed=4)
    assert isinstance(ha, History) and ha.history == hb.history
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)


def test_an_unbuilt_network_is_built_on_the_data_in_its_dtype(digits):
    model = Sequential([Dense(8, activation="relu", seed=0), Dense(10, seed=1)])
    X = digits.X_train[:64].astype(np.float32)
    fit(model, X, digits.y_train[:64], optimizers.Adam(0.01), epochs=1, batch_size=32)
    assert model.built and all(p.dtype == np.float32 for p in model.params)


# ------------------------------------------------------------------------------------------------
# mini-batch transforms (augmentation, mixup, CutMix): batch_transform
# ------------------------------------------------------------------------------------------------
def identity(x, t, rng):
    return x, t


def mixup_transform(x, t, rng):
    from lib.augmentation import mixup

    return mixup(x, t, alpha=0.4, seed=rng)


def transformed_loop(model, X, y, optimizer, transform, epochs, batch_size, seed):
    """fit(batch_transform=…) written out: the epoch's permutation from rng, then the transform's draws from
    the same rng batch by batch; the gradient at optimizer.lookahead(w); the logs over transformed batches."""
    rng = np.random.default_rng(seed)
    T = np.eye(model.n_classes, dtype=model.dtype)[y]
    losses, accuracies = [], []
    for _ in range(epochs):
        order, total, correct = rng.permutation(len(X)), 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            xb, tb = transform(X[idx], T[idx], rng)
            params = model.params
            saved = [p.copy() for p in params]
            for p, q in zip(params, optimizer.lookahead(params)):
                p[...] = q
            loss, grads = model.loss_and_grads(xb, tb)
            correct += int(np.sum(model.last_logits.argmax(axis=1) == tb.argmax(axis=1)))
            for p, v in zip(params, saved):
                p[...] = v
            optimizer.step(params, grads)
            total += loss * len(idx)
        losses.append(total / len(X))
        accuracies.append(correct / len(X))
    return losses, accuracies


@pytest.mark.parametrize("ls", [0.0, 0.2])
@pytest.mark.parametrize("make", [lambda: optimizers.Adam(0.01), lambda: optimizers.NesterovLookahead(0.05, 0.9)],
                         ids=["Adam", "NesterovLookahead"])
def test_an_identity_transform_trains_exactly_as_no_transform(digits, ls, make):
    X, y = digits.X_train[:100], digits.y_train[:100]
    a = Sequential([Dense(16, "relu", seed=0), Dense(10, seed=1)], label_smoothing=ls)
    b = Sequential([Dense(16, "relu", seed=0), Dense(10, seed=1)], label_smoothing=ls)
    ha = fit(a, X, y, make(), epochs=3, batch_size=32, seed=5, batch_transform=identity)
    hb = fit(b, X, y, make(), epochs=3, batch_size=32, seed=5)
    assert ha.history == hb.history
    np.testing.assert_array_equal(ha.iteration_loss, hb.iteration_loss)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_the_transform_sees_every_batch_with_its_one_hot_targets_and_fits_rng(digits):
    X, y = digits.X_train[:64], digits.y_train[:64]
    seen, rngs = [], set()

    def record(x, t, rng):
        assert t.shape == (len(x), 10) and np.all(t.sum(axis=1) == 1)
        seen.append((x.copy(), t.argmax(axis=1)))
        rngs.add(id(rng))
        return x, t

    rng = np.random.default_rng(3)
    fit(Sequential([Dense(10, seed=0)]), X, y, optimizers.SGD(0.1), epochs=2, batch_size=20, seed=rng,
        batch_transform=record)
    assert [len(x) for x, _ in seen] == [20, 20, 20, 4] * 2
    assert rngs == {id(rng)}
    r = np.random.default_rng(3)  # the transform draws nothing: the batches are fit's usual ones
    batches = list(minibatches(X, y, 20, seed=r)) + list(minibatches(X, y, 20, seed=r))
    for (x, labels), (xb, yb) in zip(seen, batches):
        np.testing.assert_array_equal(x, xb)
        np.testing.assert_array_equal(labels, yb)


@pytest.mark.parametrize("make", [lambda: optimizers.Adam(0.01), lambda: optimizers.NesterovLookahead(0.05, 0.9),
                                  "WeightNoise"], ids=["Adam", "NesterovLookahead", "WeightNoise"])
def test_a_transform_driven_fit_equals_the_hand_written_loop(digits, make):
    # mixup draws λ and its partners from fit's rng after each epoch's permutation; the gradient is taken
    # at the optimizer's lookahead point (Nesterov's w + μv, WeightNoise's w + ε), the step applied to w
    from lib.noise import WeightNoise

    if make == "WeightNoise":
        make = lambda: WeightNoise(optimizers.SGD(0.1), 0.05, seed=4)  # noqa: E731
    X, y = digits.X_train[:96].astype(np.float32), digits.y_train[:96]
    a = Sequential([Dense(12, "tanh", seed=0), Dense(10, seed=1)])
    b = Sequential([Dense(12, "tanh", seed=0), Dense(10, seed=1)])
    a.build(X)
    b.build(X)
    h = fit(a, X, y, make(), epochs=3, batch_size=32, seed=2, batch_transform=mixup_transform)
    losses, accuracies = transformed_loop(b, X, y, make(), mixup_transform, 3, 32, 2)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert h.history["loss"] == losses and h.history["accuracy"] == accuracies
    c = Sequential([Dense(12, "tanh", seed=0), Dense(10, seed=1)])
    fit(c, X, y, make(), epochs=3, batch_size=32, seed=2)  # without the transform: other weights
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_sequential_fit_passes_the_batch_transform_on(digits):
    X, y = digits.X_train[:64], digits.y_train[:64]
    a, b = network(), network()
    ha = a.fit(X, y, optimizers.Adam(0.01), epochs=2, batch_size=16, seed=1, batch_transform=mixup_transform)
    hb = fit(b, X, y, optimizers.Adam(0.01), epochs=2, batch_size=16, seed=1, batch_transform=mixup_transform)
    c = network()
    hc = fit(c, X, y, optimizers.Adam(0.01), epochs=2, batch_size=16, seed=1)
    assert ha.history == hb.history != hc.history
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)


def test_target_distributions_as_y_train_as_their_integer_labels(digits):
    X, y = digits.X_train[:80], digits.y_train[:80]
    a, b = network(), network()
    ha = fit(a, X, np.eye(10)[y], optimizers.Adam(0.01), epochs=2, batch_size=16,
             validation_data=(digits.X_val, np.eye(10)[digits.y_val]))
    hb = fit(b, X, y, optimizers.Adam(0.01), epochs=2, batch_size=16, validation_data=(digits.X_val, digits.y_val))
    assert ha.history == hb.history
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)


def test_a_transform_that_breaks_the_targets_is_reported(digits):
    with pytest.raises(TypeError, match=r"batch_transform must be a callable \(X_b, t_b, rng\) -> \(X_b, t_b\) or None, got 3"):
        fit(network(), digits.X_train[:8], digits.y_train[:8], optimizers.SGD(0.1), epochs=1, batch_size=4,
            batch_transform=3)
    with pytest.raises(ValueError, match="rows sum to 1"):
        fit(network(), digits.X_train[:8], digits.y_train[:8], optimizers.SGD(0.1), epochs=1, batch_size=4,
            batch_transform=lambda x, t, rng: (x, 2 * t))


# ------------------------------------------------------------------------------------------------
# bad input: a clear error, and nothing changed
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(epochs=0), ValueError, "epochs must be a positive integer, got 0"),
    (dict(epochs=2.0), TypeError, "epochs must be a positive integer, got float: 2.0"),
    (dict(batch_size=-1), ValueError, "batch_size must be a positive integer, got -1"),
    (dict(batch_size=None), TypeError, "batch_size must be a positive integer, got NoneType"),
    (dict(optimizer="adam"), TypeError, r"optimizer must have a step\(params, grads\) method"),
    (dict(validation_data=np.zeros((3, 64))), ValueError, r"validation_data must be a pair \(X_val, y_val\)"),
    (dict(validation_data=(np.zeros((3, 64)), [0, 1])), ValueError,
     r"validation_data\[1\] \(y_val\) must have one label per sample \(3\), got 2 labels"),
    (dict(validation_data=(np.zeros((3, 63)), [0, 1, 2])), ValueError,
     r"validation_data\[0\] \(X_val\) must have shape \(N, 64\) .* got shape \(3, 63\)"),
    (dict(validation_data=(np.zeros((3, 64)), [0, 1, 10])), ValueError,
     r"validation_data\[1\] \(y_val\) must hold class labels in \[0, 10\), got 10"),
    (dict(callbacks=EarlyStopping()), TypeError, "callbacks must be a list or tuple"),
    (dict(callbacks=[print]), TypeError, r"callbacks\[0\] must be a lib.callbacks.Callback"),
    (dict(callbacks=[EarlyStopping()]), ValueError,
     r"callbacks\[0\] monitors 'val_loss', which fit does not log; it logs \['loss', 'accuracy', 'learning_rate'\] "
     r"\(the val_ keys need validation_data\)"),
    (dict(shuffle="yes"), TypeError, "shuffle must be True or False, got str: 'yes'"),
    (dict(seed=-3), ValueError, "seed must be a non-negative integer, got -3"),
    (dict(X=np.zeros((6, 5))), ValueError, r"X must have shape \(N, 64\) \(the network's input\), got shape \(6, 5\)"),
    (dict(X=np.full((6, 64), np.nan)), ValueError, "X must contain only finite values, got nan"),
    (dict(y=[0, 1, 2, 3, 4, 10]), ValueError, r"y must hold class labels in \[0, 10\), got 10"),
    (dict(y=[0, 1, 2]), ValueError, r"y must have one label per sample \(6\), got 3 labels"),
    (dict(y=[0.5] * 6), ValueError, "y must hold integer class labels, got 0.5"),
])
def test_bad_arguments_raise_and_change_nothing(kwargs, exc, match):
    model = network()
    before = model.get_weights()
    opt = optimizers.SGD(0.1)
    args = dict(X=np.ones((6, 64)), y=[0, 1, 2, 3, 4, 5], optimizer=opt, epochs=2, batch_size=2)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        fit(model, args.pop("X"), args.pop("y"), args.pop("optimizer"), **args)
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)
    assert opt.iterations == 0
