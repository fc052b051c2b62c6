"""Tests for lib/callbacks.py: EarlyStopping has keras.callbacks.EarlyStopping's rules — fed the same
monitored values (hypothesis) and inside a training run against Keras' model.fit — and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.callbacks import Callback, EarlyStopping


class Recorder:
    """A stand-in model: its 'weights' are the epoch at which they were taken."""

    def __init__(self):
        self.epoch = None
        self.restored = None
        self.stop_training = False

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.restored = int(weights[0])


def run(callback, values, monitor):
    """Drive ``callback`` as a fit loop does with the monitored ``values``; return what happened."""
    model = Recorder()
    callback.set_model(model)
    callback.on_train_begin()
    last = len(values) - 1
    for epoch, value in enumerate(values):
        model.epoch = epoch
        callback.on_epoch_end(epoch, {monitor: value, "loss": 1.0})
        if model.stop_training:
            last = epoch
            break
    callback.on_train_end()
    best = None if callback.best is None else float(callback.best)
    return dict(last=last, stopped=model.stop_training, stopped_epoch=callback.stopped_epoch,
                best_epoch=callback.best_epoch, best=best, wait=callback.wait, restored=model.restored)


# values on a grid of 1/8 so that Keras' float32 comparisons and ours (float64) agree exactly
grid = st.integers(-40, 40).map(lambda k: k / 8)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(grid, min_size=1, max_size=25), patience=st.integers(0, 5),
       min_delta=st.sampled_from([0.0, 0.125, 0.5]), mode=st.sampled_from(["min", "max", "auto"]),
       baseline=st.one_of(st.none(), grid), restore=st.booleans(), start=st.integers(0, 6),
       accuracy=st.booleans())
def test_same_decisions_as_keras_on_any_sequence(keras, values, patience, min_delta, mode, baseline, restore, start,
                                                 accuracy):
    monitor = "val_accuracy" if accuracy else "val_loss"
    kwargs = dict(monitor=monitor, min_delta=min_delta, patience=patience, baseline=baseline,
                  restore_best_weights=restore, start_from_epoch=start)
    ours = run(EarlyStopping(mode=mode, **kwargs), values, monitor)
    # Keras resolves mode="auto" for accuracy from the compiled metrics; our stand-in model has none
    keras_mode = "max" if (mode == "auto" and accuracy) else mode
    theirs = run(keras.callbacks.EarlyStopping(mode=keras_mode, **kwargs), values, monitor)
    assert ours == theirs


def test_patience_counts_epochs_without_improvement_and_restores_the_best():
    # val_loss falls for 3 epochs, then rises: with patience 2 training stops 2 epochs after the best
    values = [1.0, 0.8, 0.7, 0.75, 0.9, 0.6]
    result = run(EarlyStopping(patience=2, restore_best_weights=True), values, "val_loss")
    assert result == dict(last=4, stopped=True, stopped_epoch=4, best_epoch=2, best=0.7, wait=2, restored=2)


def test_restores_the_best_weights_even_when_training_is_not_stopped():
    result = run(EarlyStopping(patience=10, restore_best_weights=True), [1.0, 0.5, 0.9], "val_loss")
    assert not result["stopped"] and result["restored"] == 1


def test_min_delta_is_the_least_change_that_counts():
    # 0.95 is below 1.0 but not by more than min_delta = 0.1: no improvement, so stop at epoch 1
    result = run(EarlyStopping(min_delta=0.1, patience=1), [1.0, 0.95, 0.5], "val_loss")
    assert result["stopped_epoch"] == 1 and result["best"] == 1.0
    result = run(EarlyStopping(min_delta=0.01, patience=1), [1.0, 0.95, 0.5], "val_loss")
    assert not result["stopped"] and result["best"] == 0.5


def test_baseline_must_be_beaten_to_reset_patience():
    # epochs 0 and 1 improve on the best so far but not on the baseline 0.5, so wait is not reset:
    # the first epoch without improvement (2) already exhausts patience 2 (an improving epoch never stops)
    values = [0.9, 0.8, 0.85, 0.85, 0.85]
    result = run(EarlyStopping(patience=2, baseline=0.5), values, "val_loss")
    assert result["stopped_epoch"] == 2 and result["best"] == 0.8
    assert run(EarlyStopping(patience=2), values, "val_loss")["stopped_epoch"] == 3  # without the baseline


def test_start_from_epoch_ignores_the_warm_up():
    result = run(EarlyStopping(patience=0, start_from_epoch=3), [1.0, 2.0, 3.0, 4.0, 5.0], "val_loss")
    assert result["stopped_epoch"] == 4 and result["best_epoch"] == 3


def test_mode_auto_maximizes_accuracy_and_minimizes_loss():
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    assert EarlyStopping(monitor="accuracy").mode == "max"
    assert EarlyStopping(monitor="loss").mode == "min"
    result = run(EarlyStopping(monitor="accuracy", patience=0), [0.5, 0.6, 0.55], "accuracy")
    assert result["stopped_epoch"] == 2 and result["best"] == 0.6


def test_callback_can_be_reused():
    cb = EarlyStopping(patience=0, restore_best_weights=True)
    first = run(cb, [1.0, 2.0], "val_loss")
    second = run(cb, [3.0, 2.0, 4.0], "val_loss")
    assert first["stopped_epoch"] == 1 and second["stopped_epoch"] == 2 and second["best"] == 2.0


def test_base_callback_hooks_do_nothing():
    cb = Callback()
    cb.set_model("m")
    cb.set_params({"epochs": 1})
    for hook in (cb.on_train_begin, cb.on_train_end):
        assert hook() is None
    for hook in (cb.on_epoch_begin, cb.on_epoch_end, cb.on_train_batch_begin, cb.on_train_batch_end):
        assert hook(0, {}) is None
    assert cb.model == "m" and cb.params == {"epochs": 1}


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(patience=-1), ValueError, "patience must be a non-negative integer, got -1"),
    (dict(patience=1.5), TypeError, "patience must be a non-negative integer, got float: 1.5"),
    (dict(min_delta=-0.1), ValueError, "min_delta must be a non-negative float, got -0.1"),
    (dict(min_delta=float("nan")), ValueError, "min_delta must be a non-negative float, got nan"),
    (dict(start_from_epoch=-2), ValueError, "start_from_epoch must be a non-negative integer, got -2"),
    (dict(mode="up"), ValueError, "mode must be one of 'auto', 'min', 'max', got 'up'"),
    (dict(monitor="val_f1"), ValueError, "mode='auto' cannot tell whether monitor='val_f1'"),
    (dict(monitor=3), TypeError, "monitor must be the name of a logged quantity"),
    (dict(baseline="low"), TypeError, "baseline must be a finite float or None, got str"),
    (dict(restore_best_weights=1), TypeError, "restore_best_weights must be True or False, got int: 1"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        EarlyStopping(**kwargs)


def test_a_monitor_missing_from_the_logs_names_the_logged_keys():
    cb = EarlyStopping(monitor="val_loss")
    cb.set_model(Recorder())
    cb.on_train_begin()
    with pytest.raises(ValueError, match=r"monitor='val_loss' is not among the logged quantities \['accuracy', 'loss'\]"):
        cb.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})


# ------------------------------------------------------------------------------------------------
# inside fit, against keras Model.fit (full-batch SGD, float64)
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def overfitting_run():
    """40 training images, full-batch SGD(1.0): the validation loss zig-zags, falls, then creeps up
    (its minimum is at epoch 36 of 50)."""
    from lib.data import load_digits

    d = load_digits()
    return d.X_train[:40], d.y_train[:40], d.X_val, d.y_val


@pytest.mark.parametrize("kwargs", [
    dict(patience=0),
    dict(patience=3, restore_best_weights=True),
    dict(patience=2, min_delta=0.05, restore_best_weights=True),
    dict(patience=3, baseline=1.0, restore_best_weights=True),
    dict(patience=2, start_from_epoch=5, restore_best_weights=True),
    dict(monitor="val_accuracy", patience=4, restore_best_weights=True),
    dict(monitor="loss", mode="min", patience=1, min_delta=0.01),
    dict(patience=100, restore_best_weights=True),  # never stops (12 epochs): the best (8) is restored at the end
], ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_early_stopping_in_fit_equals_keras_fit(keras, overfitting_run, kwargs):
    from lib.layers import Dense, Sequential
    from lib.optimizers import SGD
    from lib.training import fit

    X, y, X_val, y_val = overfitting_run
    epochs = 12 if kwargs["patience"] == 100 else 50
    model = Sequential([Dense(64, activation="relu", seed=0), Dense(10, seed=1)])
    model.build((None, 64), np.float64)
    twin = keras.Sequential([keras.Input((64,), dtype="float64"), keras.layers.Dense(64, activation="relu", dtype="float64"),
                             keras.layers.Dense(10, dtype="float64")])
    twin.set_weights(model.get_weights())
    twin.compile(optimizer=keras.optimizers.SGD(1.0), metrics=["accuracy"],
                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"))
    k_es = keras.callbacks.EarlyStopping(**kwargs)
    k_hist = twin.fit(X, y, batch_size=len(X), epochs=epochs, shuffle=False, verbose=0,
                      validation_data=(X_val, y_val), callbacks=[k_es])
    es = EarlyStopping(**kwargs)
    hist = fit(model, X, y, SGD(1.0), epochs=epochs, batch_size=len(X), shuffle=False,
               validation_data=(X_val, y_val), callbacks=[es])
    assert hist.epoch == k_hist.epoch
    assert len(hist.epoch) < epochs or kwargs["patience"] == 100  # each setting stops except the last
    assert (es.stopped_epoch, es.best_epoch, es.wait) == (k_es.stopped_epoch, k_es.best_epoch, k_es.wait)
    assert es.best == pytest.approx(float(k_es.best), rel=1e-6)  # Keras logs float32 values
    for w, k in zip(model.get_weights(), twin.get_weights()):  # the restored (or last) weights
        np.testing.assert_allclose(w, k, rtol=0, atol=1e-10)
    np.testing.assert_allclose(hist.history["val_loss"], k_hist.history["val_loss"], rtol=1e-6)


@given(values=st.lists(grid, min_size=1, max_size=25))
@settings(max_examples=200, deadline=None)
def test_patience_0_and_1_stop_at_the_same_epoch(values):
    # the conventions page says so of Keras: `wait` is incremented before the `wait >= patience` test,
    # so the first epoch without improvement already exhausts a patience of 1 (this class takes Keras'
    # decisions on any sequence: test_same_decisions_as_keras_on_any_sequence)
    zero, one = run(EarlyStopping(patience=0), values, "val_loss"), run(EarlyStopping(patience=1), values, "val_loss")
    assert (zero["last"], zero["stopped"], zero["best_epoch"]) == (one["last"], one["stopped"], one["best_epoch"])


# ------------------------------------------------------------------------------------------------
# the lecture's algorithms 5-6 (naive) and 5-7 (patience ρ, every q epochs), and replay
# ------------------------------------------------------------------------------------------------
from lib.callbacks import NaiveEarlyStopping, PatienceEarlyStopping, replay  # noqa: E402

# validation accuracies of a made-up zig-zag run (error rates 0.5, 0.4, 0.45, 0.3, …)
ZIGZAG = [0.5, 0.6, 0.55, 0.7, 0.65, 0.66, 0.64, 0.72, 0.7, 0.7, 0.69]


def test_naive_stops_at_the_first_rise_and_returns_the_previous_parameters():
    # e: 0.5, 0.4, 0.45 — e_3 > e_2, so 5-6 stops after 3 epochs and returns θ_2
    assert replay(NaiveEarlyStopping(), ZIGZAG, "val_accuracy") == (3, 2)
    # a tie is not a rise (line 6 tests e_{t+1} > e_t): training goes on
    assert replay(NaiveEarlyStopping(), [0.5, 0.5, 0.6, 0.4], "val_accuracy") == (4, 3)
    # on a loss, the first value can be anything (e_0 = +∞)
    assert replay(NaiveEarlyStopping(monitor="val_loss"), [2.0, 1.5, 1.7], "val_loss") == (3, 2)


def test_patience_golden_values():
    # ρ = 2, q = 1: new bests at t = 1, 2, 4 (0.5, 0.6, 0.7); t = 5, 6 (0.65, 0.66) do not beat 0.7,
    # so j = 1, 2 = ρ: stop after 6 epochs and return θ̂ = θ_4
    assert replay(PatienceEarlyStopping(2), ZIGZAG, "val_accuracy") == (6, 4)
    # q = 2 looks only at t = 2, 4, 6, 8, 10: 0.6, 0.7, 0.66, 0.72, 0.7 → never two misses in a row
    cb = PatienceEarlyStopping(2, every=2)
    assert replay(cb, ZIGZAG, "val_accuracy") == (11, 8)
    assert cb.best == pytest.approx(1 - 0.72) and cb.wait == 1 and cb.stopped_epoch == 0


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.integers(0, 16).map(lambda k: k / 16), min_size=1, max_size=30),
       patience=st.integers(1, 5), accuracy=st.booleans())
def test_patience_with_q_1_equals_keras_early_stopping_with_restore_best_weights(keras, values, patience, accuracy):
    monitor = "val_accuracy" if accuracy else "val_loss"
    if accuracy:
        values = [v for v in values if v > 0] or [0.5]  # 5-7's ê = 1.0: an accuracy of 0 would never be a best
    theirs = keras.callbacks.EarlyStopping(monitor=monitor, mode="max" if accuracy else "min", patience=patience,
                                           restore_best_weights=True)
    ours = PatienceEarlyStopping(patience, monitor=monitor)
    assert replay(ours, values, monitor) == replay(theirs, values, monitor)
    assert ours.t_hat == theirs.best_epoch + 1 and ours.stopped_epoch == theirs.stopped_epoch


def test_lecture_callbacks_inside_fit_restore_what_replay_says():
    from lib.data import load_digits
    from lib.layers import Dense, Sequential
    from lib.optimizers import SGD
    from lib.training import fit

    d = load_digits()
    X, y = d.X_train[:40], d.y_train[:40]

    def train(callbacks, epochs=40):
        model = Sequential([Dense(32, activation="relu", seed=0), Dense(10, seed=1)])
        hist = fit(model, X, y, SGD(0.5), epochs=epochs, batch_size=8, validation_data=(d.X_val, d.y_val),
                   callbacks=callbacks, seed=3)
        return model, hist

    _, full = train([])
    snapshots = []  # the weights after every epoch of the full run

    class Snap(Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(self.model.get_weights())

    train([Snap()])
    for cb, again in [(NaiveEarlyStopping(), NaiveEarlyStopping()), (PatienceEarlyStopping(3), PatienceEarlyStopping(3)),
                      (PatienceEarlyStopping(2, every=3), PatienceEarlyStopping(2, every=3))]:
        epochs, t_hat = replay(again, full.history["val_accuracy"], "val_accuracy")
        model, hist = train([cb])
        assert len(hist.epoch) == epochs and cb.t_hat == t_hat > 0
        for w, s in zip(model.get_weights(), snapshots[t_hat - 1]):  # θ̂ = the weights after t̂ epochs
            np.testing.assert_array_equal(w, s)
    assert replay(NaiveEarlyStopping(), full.history["val_accuracy"], "val_accuracy")[0] < 40  # the zig-zag stops it


def test_a_never_improving_run_returns_the_initial_parameters():
    assert replay(PatienceEarlyStopping(2, monitor="val_loss"), [float("inf")] * 5, "val_loss") == (2, 0)
    # an error equal to e_0 = 1.0 is not a rise (e_1 > e_0 is false): 5-6 moves on to θ_1
    assert replay(NaiveEarlyStopping(), [0.0], "val_accuracy") == (1, 1)


@pytest.mark.parametrize("make,exc,match", [
    (lambda: PatienceEarlyStopping(0), ValueError, "patience must be a positive integer, got 0"),
    (lambda: PatienceEarlyStopping(2, every=0), ValueError, "every must be a positive integer, got 0"),
    (lambda: PatienceEarlyStopping(2.5), TypeError, "patience"),
    (lambda: NaiveEarlyStopping(monitor="val_f1"), ValueError, "monitor must be 'val_accuracy', 'accuracy', 'val_loss'"),
    (lambda: replay(NaiveEarlyStopping(), [], "val_accuracy"), ValueError, "values must hold at least one"),
    (lambda: replay(NaiveEarlyStopping(), [0.5], "val_loss"), ValueError,
     r"monitor='val_accuracy' is not among the logged quantities \['val_loss'\]"),
])
def test_bad_lecture_callback_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()
