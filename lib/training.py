"""Mini-batch training as Keras' ``Model.fit`` does it: :func:`fit` and its :class:`History`.

The loop (university lecture §5.2: algorithm 5-1 applied to mini-batches; week-10 notes: an epoch
is one pass over the shuffled training set, cut into ``⌈N / m⌉`` mini-batches, the last one smaller)::

    for epoch = 0 … epochs − 1:
        for each mini-batch (X_b, t_b) of a fresh permutation of the N samples (t_b: one-hot targets):
            X_b, t_b ← batch_transform(X_b, t_b, rng)   augmentation, mixup, CutMix … (if one is given)
            w̃ = optimizer.lookahead(w)            the point where the gradient is taken (w itself,
                                                   Nesterov's look-ahead point, noisy weights …)
            J_b, g = ∇J(w̃; X_b, t_b)              forward and backward pass, with the penalties
            w ← optimizer.step(w, g)               the update rule of the chapter's optimizer
        logs = {loss: mean of J_b over the epoch's samples, accuracy: fraction of the epoch's
                samples classified right by the forward passes above, val_loss, val_accuracy: the
                model in inference mode on the validation set, learning_rate}
        callbacks see logs (early stopping may stop here)

What ``history.history["loss"]`` means is what Keras logs: not the loss of the weights at the end of
the epoch but the running mean of the mini-batch losses (each weighted by its number of samples, so
the smaller last batch counts less), computed during the epoch while the weights move; likewise
``accuracy`` uses each batch's predictions *before* its update, in training mode (dropout on).
``val_loss`` and ``val_accuracy`` are computed after the epoch, in inference mode.  With a
``batch_transform`` both running means are over the *transformed* batches: ``loss`` is the mean of
their losses, ``accuracy`` the fraction whose largest logit is the largest (transformed) target —
for mixup and CutMix the class with the larger share, as Keras' ``categorical_accuracy`` counts it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np

from lib import checks
from lib.callbacks import Callback
from lib.data import minibatches
from lib.layers import NonFiniteError

__all__ = ["fit", "History"]


class History(Callback):
    """What :func:`fit` recorded — Keras' ``History`` plus what the chapters plot.

    * ``history``: ``{"loss": […], "accuracy": […], "val_loss": […], "val_accuracy": […],
      "learning_rate": […]}``, one float per epoch, with Keras' meaning (see the module docstring;
      ``val_*`` only with validation data; ``learning_rate`` is the optimizer's learning rate at the
      start of the epoch, a schedule evaluated at ``optimizer.iterations``, as Keras'
      ``LearningRateScheduler`` logs it).
    * ``epoch``: the epoch numbers ``[0, 1, …]`` (0-based, as in Keras).
    * ``params``: ``{"epochs", "steps", "batch_size"}`` (``steps`` = mini-batches per epoch).
    * ``iteration_loss``: the loss of every mini-batch (before its update), float64 array.
    * ``epoch_time``: wall-clock seconds of each epoch's mini-batch loop (``time.perf_counter``).
    * ``diverged``: True if a mini-batch loss was not finite (or its step would have written inf/NaN);
      training stopped before that update
      (the last entry of ``iteration_loss`` is that value, that epoch is not in ``history``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.iteration_loss = np.zeros(0)
        self.epoch_time = np.zeros(0)
        self.diverged = False

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)}, diverged={self.diverged})"


# ------------------------------------------------------------------------------------------------
# the loop
# ------------------------------------------------------------------------------------------------
def _gradient_at(model, params: list[np.ndarray], point, X: np.ndarray, y: np.ndarray):
    """``model.loss_and_grads`` with the weights set to ``point`` (e.g. Nesterov's look-ahead), then put back."""
    if point is params:
        return model.loss_and_grads(X, y)
    saved = [p.copy() for p in params]
    try:
        for p, q in zip(params, point):
            p[...] = q
        return model.loss_and_grads(X, y)
    finally:
        for p, s in zip(params, saved):
            p[...] = s


def _step(model, optimizer, params: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    """One update on the mini-batch ``(X, y)``: the gradient at ``optimizer.lookahead(params)``, then ``step``.

    Returns the mini-batch loss; a non-finite loss is returned without updating.  A run that has
    diverged is reported the same way (NaN, nothing changed) when batch normalization meets inf/NaN in
    its batch statistics or the optimizer refuses a step that would write inf/NaN (both roll back).
    """
    lookahead = getattr(optimizer, "lookahead", None)  # lib.optimizers: params itself, or Nesterov's point
    point = params if lookahead is None else lookahead(params)
    try:
        loss, grads = _gradient_at(model, params, point, X, y)
    except NonFiniteError:
        return math.nan
    if not math.isfinite(loss):
        return loss
    try:
        updated = optimizer.step(params, grads)
    except FloatingPointError:
        return math.nan
    if updated is not None and updated is not params:  # an optimizer that returns new arrays
        for p, q in zip(params, updated):
            if q is not p:
                p[...] = q
    return loss


def _learning_rate(optimizer) -> float:
    """The learning rate the optimizer's next step will use (a schedule evaluated at ``iterations``)."""
    lr = getattr(optimizer, "current_learning_rate", None)
    if lr is None:
        lr = getattr(optimizer, "learning_rate", math.nan)
        if callable(lr):
            lr = lr(int(getattr(optimizer, "iterations", 0)))
    try:
        return float(lr)
    except (TypeError, ValueError):
        return math.nan


def _fit(model, X: np.ndarray, T: np.ndarray, optimizer, epochs: int, batch_size: int, validation_data,
         callbacks: list[Callback], shuffle: bool, rng: np.random.Generator, history: History,
         batch_transform=None) -> History:
    """The training loop of :func:`fit`, on checked arguments (``T``: the targets, one row per sample)."""
    params = model.params
    batch_hooks = [cb for cb in callbacks if _overrides(cb, "on_train_batch_begin", "on_train_batch_end")]
    iteration_loss, epoch_time = [], []
    model.stop_training = False
    for cb in callbacks:
        cb.on_train_begin()
    logs: dict[str, float] = {}
    for epoch in range(epochs):
        for cb in callbacks:
            cb.on_epoch_begin(epoch)
        learning_rate = _learning_rate(optimizer)
        loss_sum = correct = seen = 0
        start = time.perf_counter()
        for batch, (Xb, tb) in enumerate(minibatches(X, T, batch_size, shuffle=shuffle, seed=rng)):
            for cb in batch_hooks:
                cb.on_train_batch_begin(batch)
            if batch_transform is not None:  # draws from rng after the epoch's permutation; gets copies
                Xb, tb = batch_transform(Xb.copy(), tb.copy(), rng)
            loss = _step(model, optimizer, params, Xb, tb)  # J_b, g at lookahead(w); w ← step(w, g)
            iteration_loss.append(loss)
            if not math.isfinite(loss):
                history.diverged = True
                break
            loss_sum += loss * len(tb)  # Keras' running means over the epoch's samples
            correct += int(np.count_nonzero(model.last_logits.argmax(axis=1) == tb.argmax(axis=1)))
            seen += len(tb)
            for cb in batch_hooks:
                cb.on_train_batch_end(batch, {"loss": loss_sum / seen, "accuracy": correct / seen})
            if model.stop_training:
                break
        if history.diverged:
            break
        epoch_time.append(time.perf_counter() - start)
        logs = {"loss": loss_sum / seen, "accuracy": correct / seen}
        if validation_data is not None:  # after the epoch, in inference mode
            val_loss, val_accuracy = model.evaluate(*validation_data)
            logs.update(val_loss=val_loss, val_accuracy=val_accuracy)
        logs["learning_rate"] = learning_rate
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    for cb in callbacks:
        cb.on_train_end(logs)
    history.iteration_loss = np.asarray(iteration_loss, dtype=np.float64)
    history.epoch_time = np.asarray(epoch_time, dtype=np.float64)
    return history


def _overrides(callback: Callback, *hooks: str) -> bool:
    return any(getattr(type(callback), h) is not getattr(Callback, h) for h in hooks)


# ------------------------------------------------------------------------------------------------
# the public wrapper: argument checks
# ------------------------------------------------------------------------------------------------
def _check_data(model, X, y, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    """``X`` checked against the (built) model and cast to its dtype once; ``y`` (integer labels in
    ``[0, classes)`` or target distributions) as the targets ``T``, one row per sample, in that dtype."""
    X = checks.float_array(X, x_name)
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(f"{x_name} must hold samples as rows (at least one; shape (N, features)), got shape {X.shape}")
    if not model.built:
        model.build(X)
    if X.shape[1:] != tuple(model.input_shape[1:]):
        raise ValueError(f"{x_name} must have shape (N, {', '.join(map(str, model.input_shape[1:]))}) "
                         f"(the network's input), got shape {X.shape}")
    T = checks.check_targets(y, model.n_classes, X.shape[0], model.dtype, y_name)
    return X.astype(model.dtype, copy=False), T


def fit(model, X, y, optimizer, *, epochs: int, batch_size: int, validation_data: tuple | None = None,
        callbacks: Sequence[Callback] = (), shuffle: bool = True, seed: int | np.random.Generator = 0,
        batch_transform: Callable | None = None) -> History:
    """Train ``model`` on ``(X, y)`` with mini-batches, as ``keras.Model.fit``; return a :class:`History`.

    ``model`` is a :class:`lib.layers.Sequential` (built here on ``X`` if it is not yet); ``optimizer`` any ``lib.optimizers`` optimizer —
    its ``step(params, grads)`` updates the model's arrays in place — including
    ``NesterovLookahead``, whose gradient is taken at ``optimizer.lookahead(params)``.

    * ``X``: ``(N, features)`` samples as rows; ``y``: ``(N,)`` integer labels (or ``(N, classes)``
      target distributions; see :meth:`lib.layers.Sequential.loss_and_grads`).
    * ``epochs``, ``batch_size`` (``m``): ``⌈N / m⌉`` updates per epoch, the last batch smaller if
      ``m`` does not divide ``N`` (kept, as Keras keeps it).
    * ``validation_data=(X_val, y_val)``: evaluated once per epoch, after the epoch (``val_loss``,
      ``val_accuracy`` in the logs), never during it.
    * ``callbacks``: :class:`lib.callbacks.Callback` objects (e.g. ``EarlyStopping``), called as Keras
      calls them; the returned ``History`` is called first.
    * ``shuffle``, ``seed`` (int or ``np.random.Generator``): one generator ``rng =
      np.random.default_rng(seed)`` draws every epoch's order, so ``[list(minibatches(X, y, m,
      seed=rng)) for _ in range(epochs)]`` reproduces the batches (used by the Keras parity tests).
    * ``batch_transform``: ``None``, or a callable ``(X_b, t_b, rng) -> (X_b, t_b)`` applied to every
      mini-batch before its step — data augmentation, mixup, CutMix (:mod:`lib.augmentation`) — where
      ``t_b`` holds the batch's targets as rows (one-hot for integer labels) and ``rng`` is the
      generator above: each epoch draws its permutation first, then the transform draws batch by
      batch.  The transformed batch goes through the same loss (soft targets allowed); the logged
      ``loss``/``accuracy`` are then over the transformed batches (module docstring).

    A non-finite mini-batch loss stops training before that update (``history.diverged``), and so does
    a step that cannot be taken without writing inf/NaN (batch statistics that overflowed, an optimizer
    step that rolled back); Keras would go on with NaN weights.
    All arguments are checked before anything changes; a ``monitor`` of a callback that ``fit`` will
    not log is an error naming the logged keys.
    """
    epochs = checks.check_int(epochs, "epochs", "[1, inf)")
    if validation_data is not None and (not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2):
        raise ValueError(f"validation_data must be a pair (X_val, y_val) or None, got {type(validation_data).__name__}")
    batch_size = checks.check_int(batch_size, "batch_size", "[1, inf)")
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(params, grads) method (a lib.optimizers optimizer), got {optimizer!r}")
    if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks must be a list or tuple of lib.callbacks.Callback objects, got {callbacks!r}")
    for k, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks[{k}] must be a lib.callbacks.Callback, got {type(cb).__name__}: {cb!r}")
    logged = ["loss", "accuracy"] + (["val_loss", "val_accuracy"] if validation_data is not None else []) + ["learning_rate"]
    for k, cb in enumerate(callbacks):
        monitor = getattr(cb, "monitor", None)
        if monitor is not None and monitor not in logged:
            hint = " (the val_ keys need validation_data)" if monitor.startswith("val_") else ""
            raise ValueError(f"callbacks[{k}] monitors {monitor!r}, which fit does not log; it logs {logged}{hint}")
    shuffle = checks.check_bool(shuffle, "shuffle")
    if batch_transform is not None and not callable(batch_transform):
        raise TypeError(f"batch_transform must be a callable (X_b, t_b, rng) -> (X_b, t_b) or None, got {batch_transform!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(checks.check_seed(seed))

    # the data last: the first data seen builds an unbuilt network (as Keras' fit does)
    X, T = _check_data(model, X, y, "X", "y")
    if validation_data is not None:
        X_val, y_val = _check_data(model, *validation_data, "validation_data[0] (X_val)", "validation_data[1] (y_val)")
        validation_data = (X_val, y_val)
    history = History()
    everything = [history, *callbacks]
    steps = -(-X.shape[0] // batch_size)
    history.params = {"epochs": epochs, "steps": steps, "batch_size": batch_size}
    for cb in everything:
        cb.set_model(model)
        cb.set_params(history.params)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported (history.diverged), not warned
        return _fit(model, X, T, optimizer, epochs, batch_size, validation_data, everything, shuffle, rng, history,
                    batch_transform)
