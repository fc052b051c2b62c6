"""Callbacks for :func:`lib.training.fit`: the hooks of Keras' training loop, and early stopping.

A callback is an object whose methods :func:`~lib.training.fit` calls at fixed points of training, in
the order of ``keras.callbacks.Callback``::

    set_model(model); set_params({"epochs", "steps", "batch_size"})
    on_train_begin(logs)
    for each epoch:
        on_epoch_begin(epoch, logs)
        for each mini-batch:  on_train_batch_begin(batch, logs); … update …; on_train_batch_end(batch, logs)
        on_epoch_end(epoch, logs)        logs = {"loss", "accuracy", "val_loss", "val_accuracy", …}
        stop if model.stop_training
    on_train_end(logs)

A callback stops training by setting ``self.model.stop_training = True`` (as in Keras).  The batch
hooks are called only for callbacks that override them, so a callback that does not use them costs
nothing per mini-batch.

:class:`EarlyStopping` is the lecture's algorithm 5-7 (§5.4.2, "조기 멈춤": stop when the validation
error has not improved for ``patience`` epochs and keep the best parameters), with exactly the rules
of ``keras.callbacks.EarlyStopping`` (``tests/test_callbacks.py`` runs both inside a training loop).
Next to it, the lecture's two algorithms as it writes them, on the validation error ``e``:

* :class:`NaiveEarlyStopping` — algorithm 5-6 (the naive version): stop at the first epoch whose
  error is larger than the previous one and return the previous epoch's parameters.
* :class:`PatienceEarlyStopping` — algorithm 5-7: check every ``q`` epochs, stop after ``ρ``
  checks in a row without a new best, return the best parameters.  With ``q = 1`` it is
  ``keras.callbacks.EarlyStopping(patience=ρ, restore_best_weights=True)`` (chapter 11 shows it).

:func:`replay` runs any of these callbacks (ours or Keras') on a recorded curve, to compare
stopping rules on the same training run without training again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lib import checks

__all__ = ["Callback", "EarlyStopping", "NaiveEarlyStopping", "PatienceEarlyStopping", "replay"]

#: Logged quantities that improve when they go *up* (``mode="auto"`` maximizes them); ``"loss"``
#: (and ``"val_loss"``) improve when they go down.  This is what Keras reads from its metrics'
#: ``_direction`` for the metrics :func:`lib.training.fit` logs.
MAXIMIZED = frozenset({"accuracy"})


class Callback:
    """Base class: every hook does nothing.  Subclasses override the hooks they need.

    ``self.model`` is the model being trained (set by :meth:`set_model`), ``self.params`` the
    training parameters ``{"epochs", "steps", "batch_size"}`` (``steps`` = mini-batches per epoch).
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        """Before the first epoch."""

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        """After the last epoch (``logs`` are those of the last epoch)."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """At the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """At the end of epoch ``epoch``, with that epoch's logs (training and validation values)."""

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Before the update on mini-batch ``batch`` (0-based, within the epoch)."""

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """After the update on mini-batch ``batch``; ``logs`` hold the epoch's running means so far."""


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving — ``keras.callbacks.EarlyStopping``'s rules.

    At the end of each epoch ``e ≥ start_from_epoch``, with ``x`` the logged value of ``monitor``::

        improved = x − δ < best   (mode "min";  δ = −min_delta,  i.e.  x + min_delta < best)
                   x − δ > best   (mode "max";  δ = +min_delta)       (the first counted epoch always improves)
        wait ← wait + 1
        if improved:  best ← x, best_epoch ← e, (best_weights ← weights);
                      wait ← 0 only if x also improves on ``baseline`` (or there is none)
        elif wait ≥ patience and e > 0:  stopped_epoch ← e, stop training

    and at the end of training, if ``restore_best_weights``, the weights of ``best_epoch`` are put
    back — **also when training was not stopped** (all epochs ran), as Keras does.  With
    ``patience = p ≥ 1`` training stops after ``p`` epochs in a row without improvement; with
    ``p = 0`` at the first epoch after epoch 0 that does not improve.  An improving epoch never stops
    training.

    * ``mode="auto"``: ``"min"`` for a loss (``"loss"``, ``"val_loss"``), ``"max"`` for an accuracy.
    * ``baseline``: an improvement restarts the patience count only if it also beats ``baseline``,
      so training stops once ``patience`` epochs have passed without reaching it and an epoch does
      not improve.  It is not the initial ``best`` (Keras resets ``best`` to None at the start of
      training, and so do we).
    * ``start_from_epoch``: epochs before it are ignored (a warm-up with no monitoring at all).

    Attributes after training, as in Keras: ``best``, ``best_epoch``, ``best_weights``, ``wait``,
    ``stopped_epoch`` (0 when training was not stopped), ``model.stop_training``.

    Differences from Keras, on input Keras accepts but which is a mistake here: a negative
    ``patience``, ``min_delta`` or ``start_from_epoch`` and an unknown ``mode`` raise ``ValueError``
    (Keras uses ``|min_delta|`` and falls back to ``"auto"`` with a warning), and a ``monitor`` absent
    from the logs raises ``ValueError`` naming the logged keys (Keras warns and skips the epoch);
    :func:`lib.training.fit` checks ``monitor`` before training starts.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, mode: str = "auto",
                 baseline: float | None = None, restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        super().__init__()
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"monitor must be the name of a logged quantity such as 'val_loss', got {monitor!r}")
        mode = checks.check_choice(mode, "mode", ("auto", "min", "max"))
        if mode == "auto":
            name = monitor.removeprefix("val_")
            if name == "loss":
                mode = "min"
            elif name in MAXIMIZED:
                mode = "max"
            else:
                raise ValueError(
                    f"mode='auto' cannot tell whether monitor={monitor!r} should be minimized or maximized "
                    "(it knows 'loss' and 'accuracy', with or without 'val_'); pass mode='min' or mode='max'"
                )
        self.monitor = monitor
        self.mode = mode
        self.min_delta = checks.check_float(min_delta, "min_delta", "[0, inf)")
        self.patience = checks.check_int(patience, "patience", "[0, inf)")
        self.baseline = checks.check_float(baseline, "baseline", allow_none=True)
        self.restore_best_weights = checks.check_bool(restore_best_weights, "restore_best_weights")
        self.start_from_epoch = checks.check_int(start_from_epoch, "start_from_epoch", "[0, inf)")
        # Keras' sign convention: improvement is  current − δ  (op)  reference
        self._signed_delta = -self.min_delta if mode == "min" else self.min_delta
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: list | None = None
        self.best_epoch = 0

    def __repr__(self) -> str:
        return (f"EarlyStopping(monitor={self.monitor!r}, min_delta={self.min_delta}, patience={self.patience}, "
                f"mode={self.mode!r}, baseline={self.baseline}, restore_best_weights={self.restore_best_weights}, "
                f"start_from_epoch={self.start_from_epoch})")

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.mode == "min":
            return value - self._signed_delta < reference
        return value - self._signed_delta > reference

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self._reset()  # the callback can be reused across fit calls, as in Keras

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitor={self.monitor!r} is not among the logged quantities {sorted(logs)}"
            )
        current = float(logs[self.monitor])
        if epoch < self.start_from_epoch:  # warm-up: not monitored
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # the first counted epoch's weights
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0  # restart only when both the previous best and the baseline are beaten
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)


# ------------------------------------------------------------------------------------------------
# the lecture's algorithms 5-6 and 5-7
# ------------------------------------------------------------------------------------------------
class _LectureStopping(Callback):
    """What 5-6 and 5-7 share: the validation error ``e`` read from the logs.

    ``monitor`` an accuracy (``"val_accuracy"``, default): ``e = 1 − accuracy``, the lecture's error
    rate, whose worst value is 1.0 (the lecture's ``e_0 = 1.0`` and ``ê = 1.0``); a loss
    (``"val_loss"``): ``e`` is the loss and the worst value is ``+∞``.
    """

    def __init__(self, monitor: str) -> None:
        super().__init__()
        if not isinstance(monitor, str) or monitor.removeprefix("val_") not in ("loss", "accuracy"):
            raise ValueError(f"monitor must be 'val_accuracy', 'accuracy', 'val_loss' or 'loss', got {monitor!r}")
        self.monitor = monitor
        self.worst = 1.0 if monitor.endswith("accuracy") else float("inf")

    def error(self, logs: dict[str, float] | None) -> float:
        if not logs or self.monitor not in logs:
            raise ValueError(f"{type(self).__name__} monitor={self.monitor!r} is not among the logged "
                             f"quantities {sorted(logs or {})}")
        value = float(logs[self.monitor])
        return 1.0 - value if self.monitor.endswith("accuracy") else value

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        self.model.set_weights(self.best_weights)  # the algorithm's output θ̂


class NaiveEarlyStopping(_LectureStopping):
    """The lecture's algorithm 5-6 (§5.4.2, the naive version that ignores the zig-zag)::

        θ_0 random, e_0 = 1.0, t = 0
        while true:
            θ_{t+1} ← one epoch of training from θ_t
            e_{t+1} ← error of θ_{t+1} on the validation set
            if e_{t+1} > e_t: break
            t ← t + 1
        θ̂ = θ_t, t̂ = t

    After training: ``t_hat`` (= t̂, the number of epochs behind the returned parameters; 0 = the
    initial ones), ``best_weights`` (θ̂, put back into the model at the end, also when ``fit``'s
    ``epochs`` ran out first), ``stopped_epoch`` (0-based epoch at which it stopped; 0 if it did not).
    """

    def __init__(self, monitor: str = "val_accuracy") -> None:
        super().__init__(monitor)

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.e_t, self.t_hat, self.stopped_epoch = self.worst, 0, 0
        self.best_weights = self.model.get_weights()  # θ_0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        e_next = self.error(logs)  # e_{t+1}, the error of θ_{t+1} (t + 1 = epoch + 1 epochs)
        if e_next > self.e_t:
            self.stopped_epoch = epoch
            self.model.stop_training = True  # break: θ̂ = θ_t stays in best_weights
            return
        self.e_t, self.t_hat = e_next, epoch + 1
        self.best_weights = self.model.get_weights()  # θ_t for the next comparison


class PatienceEarlyStopping(_LectureStopping):
    """The lecture's algorithm 5-7 (§5.4.2, with patience ``ρ``, checking every ``q`` epochs)::

        θ_0 random;  θ̂ = θ_0, t̂ = 0;  t = 0, ê = 1.0, j = 0
        while j < ρ:
            θ_{t+q} ← q epochs of training from θ_t
            e_{t+q} ← error of θ_{t+q} on the validation set
            if e_{t+q} < ê:  j = 0;  θ̂ = θ_{t+q}, ê = e_{t+q}, t̂ = t + q      (a new best)
            else:            j = j + 1
            t = t + q
        return θ̂, t̂

    ``patience`` (the lecture's ``ρ``, which also names its learning rate) ``≥ 1``; ``every`` (``q``)
    ``≥ 1``.  After training: ``t_hat``, ``best`` (ê), ``best_weights`` (θ̂, put back into the model
    at the end, also when ``fit``'s ``epochs`` ran out first), ``wait`` (j), ``stopped_epoch``
    (0-based; 0 if it did not stop).  With ``every=1`` and ``monitor`` an accuracy or a loss, the
    decisions and the restored weights are those of ``keras.callbacks.EarlyStopping(monitor,
    patience=ρ, restore_best_weights=True)`` (whose best epoch is ``t_hat − 1``).
    """

    def __init__(self, patience: int, every: int = 1, monitor: str = "val_accuracy") -> None:
        super().__init__(monitor)
        self.patience = checks.check_int(patience, "patience", "[1, inf)")
        self.every = checks.check_int(every, "every", "[1, inf)")

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.best_weights, self.t_hat = self.model.get_weights(), 0  # θ̂ = θ_0, t̂ = 0
        self.best, self.wait, self.stopped_epoch = self.worst, 0, 0  # ê = 1.0, j = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        t = epoch + 1  # epochs trained so far
        if t % self.every:
            return  # between checks: q epochs make one step of the while loop
        e = self.error(logs)
        if e < self.best:  # a new best: restart patience
            self.wait = 0
            self.best_weights, self.best, self.t_hat = self.model.get_weights(), e, t
        else:
            self.wait += 1
        if self.wait >= self.patience:  # while (j < ρ) fails
            self.stopped_epoch = epoch
            self.model.stop_training = True


class _Replay:
    """A stand-in model for :func:`replay`: its only weight is the number of epochs trained."""

    def __init__(self) -> None:
        self.t, self.restored, self.stop_training = 0, None, False

    def get_weights(self) -> list:
        return [np.array(self.t)]

    def set_weights(self, weights) -> None:
        self.restored = int(weights[0])


def replay(callback: Any, values, monitor: str) -> tuple[int, int | None]:
    """Drive ``callback`` over a recorded curve: ``values[k]`` is ``monitor``'s value after epoch ``k``.

    Works for ``lib.callbacks`` callbacks and Keras' (``keras.callbacks.EarlyStopping``): the model
    they see is a stand-in whose "weights" are the number of epochs trained.  Returns
    ``(epochs, t)``: how many epochs training would have run (``len(values)`` if it never stopped)
    and the number of epochs behind the weights the callback puts back at the end (``None`` if it
    restores none).  The same decisions as running the callback inside :func:`lib.training.fit`
    on the training run that produced ``values``.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("values must hold at least one epoch's value, got none")
    model = _Replay()
    callback.set_model(model)
    callback.on_train_begin()
    epochs = len(values)
    for epoch, value in enumerate(values):
        model.t = epoch + 1
        callback.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            epochs = epoch + 1
            break
    callback.on_train_end()
    return epochs, model.restored
