"""A from-scratch fully connected network (multi-layer perceptron) ending in softmax.

Mirrors the university lecture "5. Deep-learning optimization": the output layer is softmax with
the log-likelihood objective (§5.1.3, (5.7)-(5.8)), weights start as in §5.2.2 ((5.11), which is
Keras' ``glorot_uniform``), an optional L2 weight penalty is (5.21)-(5.22), and :meth:`MLP.train`
stops early with patience as in algorithm 5-7 (§5.4.2).

``MLP`` is a thin builder: ``MLP.network`` is a :class:`lib.layers.Sequential` of
:class:`~lib.layers.Dense` layers, which computes everything (one network implementation), and
:meth:`MLP.train` runs :func:`lib.training.fit`.  What ``MLP`` adds is the interface chapters 1–8
use: a parameter list ``[W1, b1, …]``, ``train`` with a per-epoch schedule, early stopping by
``patience`` and whole-training-set losses.  It is checked against a ``keras.Sequential`` in
``tests/test_mlp.py`` (same weights → same loss, gradients and trained weights).

Notation (samples are rows, as in Keras; the lecture writes columns, ``z = Wᵀx + b``)::

    a_0 = X                                   (m, n_0)
    z_l = a_{l-1} W_l + b_l,  a_l = τ(z_l)    W_l: (n_{l-1}, n_l), b_l: (n_l,), l = 1..L-1
    s   = a_{L-1} W_L + b_L                   the logits (m, n_L)
    o   = softmax(s),  J = mean_i −log o_{i, y_i}  (+ λ Σ_l ‖W_l‖²)

Backpropagation (``δ`` = ∂J/∂z; ``m`` = number of samples)::

    δ_L = (softmax(s) − onehot(y)) / m
    ∂J/∂W_l = a_{l-1}ᵀ δ_l (+ 2λ W_l),  ∂J/∂b_l = Σ_rows δ_l,  δ_{l-1} = (δ_l W_lᵀ) ⊙ τ'(z_{l-1})
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lib import checks, regularizers
from lib.callbacks import Callback, EarlyStopping
from lib.layers import ACTIVATIONS, VARIANCE_SCALING, Dense, Sequential
from lib.training import fit

__all__ = ["MLP", "History", "ACTIVATIONS", "INITIALIZERS"]

#: Weight initialisers (biases always start at 0, lecture §5.2.2 "바이어스는 보통 0으로 초기화"):
#: Keras' ``VarianceScaling`` family, ``name -> (distribution, scale, mode)`` (see
#: :data:`lib.layers.VARIANCE_SCALING`); ``"uniform_fan_in"`` is the lecture's (5.10), ``r = 1/√n_in``.
INITIALIZERS = VARIANCE_SCALING


@dataclass(frozen=True)
class History:
    """What :meth:`MLP.train` recorded.  Arrays are float64 NumPy arrays.

    * ``iteration_loss[k]`` — the mini-batch objective at iteration ``k`` (before that update).
    * ``epoch_train_loss``, ``epoch_train_accuracy`` — on the *whole* training set with the weights
      at the end of each epoch (Keras' ``fit`` instead logs the running mean of the batch losses
      during the epoch, as :func:`lib.training.fit` does in ``history["loss"]``; that is the mean
      of ``iteration_loss`` over the epoch's iterations, weighted by batch size).
    * ``epoch_val_loss``, ``epoch_val_accuracy`` — the same on the validation set (empty arrays when
      no validation data was given).
    * ``epoch_time`` — wall-clock seconds spent in each epoch's mini-batch loop (``time.perf_counter``).
    * ``epoch_learning_rate`` — ``optimizer.learning_rate`` at the start of each epoch (a schedule
      is evaluated at ``optimizer.iterations``).
    * ``iterations_per_epoch`` — ``⌈N / batch_size⌉``.
    * ``best_epoch`` — with early stopping, the (0-based) epoch whose weights were restored; else None.
    * ``stopped_early`` — True if patience ran out before ``epochs`` epochs.
    * ``diverged`` — True if a mini-batch loss became non-finite (inf/NaN); training stopped there,
      the last entry of ``iteration_loss`` is that value and the epoch arrays end at the previous
      full epoch.
    The loss includes the L2 penalty when the network has one (as Keras' reported loss does).
    """

    iteration_loss: np.ndarray
    epoch_train_loss: np.ndarray
    epoch_train_accuracy: np.ndarray
    epoch_val_loss: np.ndarray
    epoch_val_accuracy: np.ndarray
    epoch_time: np.ndarray
    epoch_learning_rate: np.ndarray
    iterations_per_epoch: int
    best_epoch: int | None = None
    stopped_early: bool = False
    diverged: bool = False

    @property
    def epochs(self) -> int:
        """Number of complete epochs recorded."""
        return int(self.epoch_train_loss.shape[0])


class _EpochSchedule(Callback):
    """``optimizer.learning_rate = schedule(epoch)`` at the start of each epoch (Keras'
    ``LearningRateScheduler``)."""

    def __init__(self, optimizer, schedule: Callable[[int], float]) -> None:
        super().__init__()
        self.optimizer, self.schedule = optimizer, schedule

    def on_epoch_begin(self, epoch, logs=None):
        self.optimizer.learning_rate = float(self.schedule(epoch))


class _TrainingSetEvaluation(Callback):
    """Loss and accuracy on the whole training set with the weights at the end of each epoch."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        super().__init__()
        self.X, self.y, self.loss, self.accuracy = X, y, [], []

    def on_epoch_end(self, epoch, logs=None):
        loss, accuracy = self.model.evaluate(self.X, self.y)
        self.loss.append(loss)
        self.accuracy.append(accuracy)


class MLP:
    """Fully connected network ``layer_sizes[0] → … → layer_sizes[-1]`` with a softmax output.

    ``layer_sizes = [n_0, n_1, …, n_L]``: ``n_0`` inputs, ``L − 1`` hidden layers with activation
    ``activation`` (``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"linear"`` or another name of
    :data:`lib.layers.ACTIVATIONS`), and ``n_L`` classes.  ``network`` is the
    :class:`lib.layers.Sequential` ``[Dense(n_1, activation), …, Dense(n_L)]`` (logits out).
    ``params`` is the list ``[W1, b1, …, WL, bL]`` of its arrays with ``W_l.shape == (n_{l-1}, n_l)``
    — exactly the order and shapes of ``keras.Sequential([Dense(n_1, activation), …,
    Dense(n_L)]).get_weights()``, so ``mlp.set_params(model.get_weights())`` makes the two networks
    identical.

    Initialisation (lecture §5.2.2) follows Keras' ``Dense`` default: ``init="glorot_uniform"``,
    ``W ~ U[−r, r]`` with ``r = √6 / √(n_in + n_out)`` — the lecture's (5.11) — and zero biases.
    Other choices: see :data:`INITIALIZERS` (``"he_normal"`` is the usual partner of ReLU;
    ``"uniform_fan_in"`` is the lecture's (5.10)).  The numbers come from one NumPy generator
    seeded by ``seed`` that the layers draw from in turn, so they are not the ones Keras would draw;
    the distribution is the same.

    ``l2 = λ ≥ 0`` adds ``λ Σ_l ‖W_l‖²`` (weights only, not biases) to the objective, the lecture's
    (5.21) with gradient ``+2λW`` (5.22); it is exactly ``Dense(…, kernel_regularizer=
    keras.regularizers.L2(λ))``.  ``dtype`` (float64 or float32) is the dtype of the parameters and
    of every computation; inputs are cast to it, as a Keras layer casts to its dtype.
    """

    def __init__(self, layer_sizes: Sequence[int], activation: str = "relu", seed: int = 0, *,
                 init: str = "glorot_uniform", l2: float = 0.0, dtype=np.float64) -> None:
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, (Sequence, np.ndarray)):
            raise TypeError(f"layer_sizes must be a sequence of positive integers, got {layer_sizes!r}")
        if len(layer_sizes) < 2:
            raise ValueError(
                f"layer_sizes must list at least the input size and the number of classes "
                f"(e.g. [64, 32, 10]), got {list(layer_sizes)!r}"
            )
        for n in layer_sizes:
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"layer_sizes must hold positive integers, got {n!r} in {list(layer_sizes)!r}")
        if int(layer_sizes[-1]) < 2:
            raise ValueError(f"layer_sizes[-1] (the number of classes) must be >= 2 for softmax, got {layer_sizes[-1]!r}")
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if not isinstance(init, str) or init not in INITIALIZERS:
            raise ValueError(f"init must be one of {sorted(INITIALIZERS)}, got {init!r}")
        l2 = checks.check_float(l2, "l2", "[0, inf)")
        dt = np.dtype(dtype)
        if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
        seed = checks.check_seed(seed)

        self.layer_sizes: tuple[int, ...] = tuple(int(n) for n in layer_sizes)
        self.activation = activation
        self.init = init
        self.l2 = float(l2)
        self.dtype = dt
        self.seed = seed
        rng = np.random.default_rng(seed)  # one stream: W1 is drawn first, then W2, …
        reg = regularizers.L2(self.l2) if self.l2 else None
        n_hidden = len(self.layer_sizes) - 2
        self.network = Sequential([
            Dense(n, activation=activation if l < n_hidden else None, kernel_initializer=init,
                  kernel_regularizer=reg, seed=rng)
            for l, n in enumerate(self.layer_sizes[1:])
        ])
        self.network.build((None, self.layer_sizes[0]), dt)

    def __repr__(self) -> str:
        return (f"MLP(layer_sizes={list(self.layer_sizes)}, activation={self.activation!r}, seed={self.seed}, "
                f"init={self.init!r}, l2={self.l2}, dtype={self.dtype.name})")

    # ------------------------------------------------------------------------------------------
    # parameters
    # ------------------------------------------------------------------------------------------
    @property
    def params(self) -> list[np.ndarray]:
        """``[W1, b1, …, WL, bL]``: the network's arrays themselves (an optimizer updates them in place)."""
        return self.network.params

    @property
    def n_layers(self) -> int:
        """Number of weight layers ``L`` (hidden layers + the output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        """Total number of weights and biases."""
        return self.network.n_params

    def get_params(self) -> list[np.ndarray]:
        """Copies of ``[W1, b1, …, WL, bL]``."""
        return [p.copy() for p in self.params]

    def set_params(self, params: Sequence[np.ndarray]) -> None:
        """Copy ``params`` (e.g. ``keras_model.get_weights()``) into the network's arrays, in place.

        Shapes must match ``[W1, b1, …]``; values are cast to the network's dtype.  All arrays are
        checked before any is written, so a bad list leaves the network unchanged.
        """
        own = self.params
        if len(params) != len(own):
            raise ValueError(f"params must be a list of {len(own)} arrays [W1, b1, ...], got {len(params)}")
        new = []
        for k, (p, q) in enumerate(zip(own, params)):
            name = f"params[{k}] ({'W' if k % 2 == 0 else 'b'}{k // 2 + 1})"
            q = checks.float_array(q, name)
            if q.shape != p.shape:
                raise ValueError(f"{name} must have shape {p.shape}, got {q.shape}")
            new.append(q)
        for p, q in zip(own, new):
            p[...] = q

    # ------------------------------------------------------------------------------------------
    # forward and backward passes (computed by the network)
    # ------------------------------------------------------------------------------------------
    def _check_X(self, X, name: str = "X") -> np.ndarray:
        X = checks.float_array(X, name)
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-D (samples as rows, {self.layer_sizes[0]} columns), got shape {X.shape}")
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"{name} must have layer_sizes[0] = {self.layer_sizes[0]} columns, got {X.shape[1]} (shape {X.shape})"
            )
        if X.shape[0] == 0:
            raise ValueError(f"{name} must hold at least one sample, got shape {X.shape}")
        return X.astype(self.dtype, copy=False)

    def _check_Xy(self, X, y, x_name: str = "X", y_name: str = "y") -> tuple[np.ndarray, np.ndarray]:
        X = self._check_X(X, x_name)
        return X, checks.check_labels(y, self.layer_sizes[-1], X.shape[0], y_name)

    def logits(self, X) -> np.ndarray:
        """The scores ``s`` before softmax, shape ``(m, n_L)``."""
        with np.errstate(over="ignore", invalid="ignore"):  # diverged weights give inf/NaN, reported by train()
            return self.network.forward(self._check_X(X))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities ``softmax(s)``, shape ``(m, n_L)``; rows sum to 1."""
        logits = self.logits(X)
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Predicted class labels (int64): the arg-max of the logits."""
        return np.argmax(self.logits(X), axis=1).astype(np.int64)

    def loss(self, X, y) -> float:
        """Mean cross-entropy (natural log) of the labels ``y`` (+ the L2 penalty), without gradients."""
        return self.evaluate(X, y)[0]

    def evaluate(self, X, y) -> tuple[float, float]:
        """``(loss, accuracy)`` on ``(X, y)``: the mean cross-entropy (+ L2 penalty) and the fraction correct."""
        X, y = self._check_Xy(X, y)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.network.evaluate(X, y)

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Mean cross-entropy of integer labels ``y`` and its gradients, aligned with ``params``.

        Returns ``(J, [∂J/∂W1, ∂J/∂b1, …, ∂J/∂WL, ∂J/∂bL])`` with ``J = mean_i −ln softmax(s_i)_{y_i}``
        (+ ``λ Σ ‖W_l‖²`` when ``l2 = λ > 0``), computed by backpropagation (see the module
        docstring) in ``network``.  ``X``: ``(m, layer_sizes[0])``; ``y``: ``(m,)`` integers in
        ``[0, layer_sizes[-1])``.  ``J`` is a Python float; the gradients have the network's dtype.
        If the weights have diverged, ``J`` is inf/NaN (the input is checked, the weights are not).
        """
        X, y = self._check_Xy(X, y)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.network.loss_and_grads(X, y)

    # ------------------------------------------------------------------------------------------
    # training
    # ------------------------------------------------------------------------------------------
    def train(self, X, y, optimizer, *, epochs: int, batch_size: int, seed=0, X_val=None, y_val=None,
              schedule: Callable[[int], float] | None = None, patience: int | None = None,
              min_delta: float = 0.0, shuffle: bool = True) -> History:
        """Mini-batch training with any ``lib.optimizers`` optimizer; returns a :class:`History`.

        This is :func:`lib.training.fit` on ``network`` (each epoch: shuffle the training set, cut
        it into mini-batches, the last smaller batch kept; for each batch the loss and gradients
        ``J, g`` at ``optimizer.lookahead(params)`` (``params`` itself for every optimizer but
        Nesterov's look-ahead form), then ``optimizer.step(params, g)``), plus after each epoch the
        loss and accuracy on the whole training set and, if given, the validation set.

        * ``seed`` (int or ``np.random.Generator``) fixes the mini-batch order of every epoch: one
          generator is created from it and passed to :func:`~lib.data.minibatches` each epoch, so
          ``[list(minibatches(X, y, b, seed=rng)) for _ in range(epochs)]`` with
          ``rng = np.random.default_rng(seed)`` reproduces the batches (used for the Keras parity test).
        * ``schedule(epoch) -> learning rate`` (0-based epoch) mimics Keras' ``LearningRateScheduler``
          callback, for per-epoch decay such as ``α₀ / (1 + decay · epoch)`` (week-10 notes); the
          optimizer's learning rate is set back to what it was when training ends.  For
          per-iteration decay give the optimizer a ``lib.schedules`` schedule as ``learning_rate``.
        * ``patience`` (needs ``X_val, y_val``): early stopping on the validation loss, the lecture's
          algorithm 5-7 with ``q = 1`` epoch and the loss instead of the error rate:
          ``lib.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta,
          restore_best_weights=True)``, Keras' rule: an epoch improves if its validation loss is
          below the best so far minus ``min_delta``; training stops once ``patience`` epochs in a
          row have not improved, and **the weights of the best epoch are restored at the end of
          training** (also when all ``epochs`` ran, or training diverged), so ``params`` afterwards
          are the best ones, not the last; ``History.best_epoch`` says which.
        * A non-finite mini-batch loss (divergence, e.g. a learning rate far too large) stops
          training before that update and sets ``History.diverged``.

        All arguments are checked before the first update, so a bad argument changes nothing.
        """
        X, y = self._check_Xy(X, y)
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together (or both left None)")
        has_val = X_val is not None
        if has_val:
            X_val, y_val = self._check_Xy(X_val, y_val, "X_val", "y_val")
        epochs = checks.check_int(epochs, "epochs", "[1, inf)")
        batch_size = checks.check_int(batch_size, "batch_size", "[1, inf)")
        if not callable(getattr(optimizer, "step", None)):
            raise TypeError(f"optimizer must have a step(params, grads) method (a lib.optimizers object), got {optimizer!r}")
        if schedule is not None and not callable(schedule):
            raise TypeError(f"schedule must be a callable schedule(epoch) -> learning rate, or None, got {schedule!r}")
        if patience is not None:
            patience = checks.check_int(patience, "patience", "[0, inf)")
            if not has_val:
                raise ValueError("patience (early stopping on the validation loss) needs X_val and y_val")
        min_delta = checks.check_float(min_delta, "min_delta", "[0, inf)")
        if not isinstance(seed, np.random.Generator):
            seed = checks.check_seed(seed)

        on_train_set = _TrainingSetEvaluation(X, y)
        callbacks: list[Callback] = [on_train_set]
        if schedule is not None:
            callbacks.insert(0, _EpochSchedule(optimizer, schedule))
        stopper = None
        if patience is not None:
            stopper = EarlyStopping("val_loss", min_delta=min_delta, patience=patience, restore_best_weights=True)
            callbacks.append(stopper)
        saved_learning_rate = optimizer.learning_rate if schedule is not None else None
        try:
            h = fit(self.network, X, y, optimizer, epochs=epochs, batch_size=batch_size,
                    validation_data=(X_val, y_val) if has_val else None, callbacks=callbacks, shuffle=shuffle,
                    seed=seed)
        finally:
            if schedule is not None:  # the optimizer leaves as it came (its own learning rate or schedule)
                optimizer.learning_rate = saved_learning_rate

        def arr(key: str) -> np.ndarray:
            return np.asarray(h.history.get(key, []), dtype=np.float64)

        return History(
            iteration_loss=h.iteration_loss,
            epoch_train_loss=np.asarray(on_train_set.loss, dtype=np.float64),
            epoch_train_accuracy=np.asarray(on_train_set.accuracy, dtype=np.float64),
            epoch_val_loss=arr("val_loss"),
            epoch_val_accuracy=arr("val_accuracy"),
            epoch_time=h.epoch_time,
            epoch_learning_rate=arr("learning_rate"),
            iterations_per_epoch=h.params["steps"],
            best_epoch=stopper.best_epoch if stopper is not None else None,
            stopped_early=stopper is not None and 0 < stopper.stopped_epoch < epochs - 1,
            diverged=h.diverged,
        )
