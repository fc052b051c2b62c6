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
"""

from __future__ import annotations

from typing import Any

from lib import checks

__all__ = ["Callback", "EarlyStopping"]

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
    ``patience = p`` training stops after ``p`` epochs in a row without improvement (or at epoch 1
    with ``p = 0`` if it did not improve).

    * ``mode="auto"``: ``"min"`` for a loss (``"loss"``, ``"val_loss"``), ``"max"`` for an accuracy.
    * ``baseline``: training also stops if the monitored value has not beaten ``baseline`` after
      ``patience`` epochs (it does not set the initial ``best``: Keras resets ``best`` to None at
      the start of training, and so do we).
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
