"""A from-scratch fully connected network (multi-layer perceptron) ending in softmax.

Mirrors the university lecture "5. Deep-learning optimization": the output layer is softmax with
the log-likelihood objective (§5.1.3, (5.7)-(5.8)), weights start as in §5.2.2 ((5.11), which is
Keras' ``glorot_uniform``), an optional L2 weight penalty is (5.21)-(5.22), and :meth:`MLP.train`
stops early with patience as in algorithm 5-7 (§5.4.2).  It is a small, readable stand-in for a
``keras.Sequential`` of ``Dense`` layers, and is checked against one in ``tests/test_mlp.py``
(same weights → same loss, gradients and trained weights).

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

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lib.data import _check_int_seed, minibatches
from lib.losses import _as_float_array, _check_labels

__all__ = ["MLP", "History", "ACTIVATIONS", "INITIALIZERS"]

def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) without overflow and without input checks (lib.losses.sigmoid checks; this runs per batch)."""
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + ez), ez / (1 + ez))


#: Hidden-layer activations τ and their derivatives, written with the activation ``a = τ(z)``
#: where that is cheaper.  ReLU'(0) = 0, as in TensorFlow.
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),
    "sigmoid": (_sigmoid, lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
}

#: Weight initialisers (biases always start at 0, lecture §5.2.2 "바이어스는 보통 0으로 초기화").
#: ``(distribution, scale, mode)`` as in Keras' ``VarianceScaling``: with ``n`` = fan_in, or
#: (fan_in + fan_out)/2 for ``fan_avg``, "uniform" draws from ``[-r, r]`` with ``r = √(3·scale/n)``,
#: "truncated_normal" from a normal with ``σ = √(scale/n) / 0.8796…`` re-drawn beyond ``2σ``.
#: ``"uniform_fan_in"`` is the lecture's (5.10), ``r = 1/√n_in`` (Keras has no such initialiser).
INITIALIZERS: dict[str, tuple[str, float, str]] = {
    "glorot_uniform": ("uniform", 1.0, "fan_avg"),  # lecture (5.11), r = √6/√(n_in + n_out); Keras default
    "glorot_normal": ("truncated_normal", 1.0, "fan_avg"),
    "he_uniform": ("uniform", 2.0, "fan_in"),
    "he_normal": ("truncated_normal", 2.0, "fan_in"),  # ResNet in §5.2.2 (Keras truncates at 2σ)
    "lecun_uniform": ("uniform", 1.0, "fan_in"),
    "lecun_normal": ("truncated_normal", 1.0, "fan_in"),
    "uniform_fan_in": ("uniform", 1.0 / 3.0, "fan_in"),  # lecture (5.10), r = 1/√n_in
}

_TRUNCATED_NORMAL_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2] (Keras)


def _init_weight(rng: np.random.Generator, n_in: int, n_out: int, init: str, dtype) -> np.ndarray:
    distribution, scale, mode = INITIALIZERS[init]
    n = n_in if mode == "fan_in" else (n_in + n_out) / 2.0
    if distribution == "uniform":
        r = math.sqrt(3.0 * scale / n)
        return rng.uniform(-r, r, size=(n_in, n_out)).astype(dtype)
    sigma = math.sqrt(scale / n) / _TRUNCATED_NORMAL_STD
    w = rng.standard_normal((n_in, n_out))
    outside = np.abs(w) > 2
    while np.any(outside):  # re-draw beyond 2σ (about 4.6 % of the draws each round)
        w[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(w) > 2
    return (sigma * w).astype(dtype)


def _check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _current_learning_rate(optimizer) -> float:
    """The optimizer's learning rate now: a number, or a schedule evaluated at ``iterations``."""
    lr = getattr(optimizer, "learning_rate", None)
    try:
        if callable(lr):
            return float(lr(int(getattr(optimizer, "iterations", 0))))
        return float(lr)
    except (TypeError, ValueError):
        return float("nan")


@dataclass(frozen=True)
class History:
    """What :meth:`MLP.train` recorded.  Arrays are float64 NumPy arrays.

    * ``iteration_loss[k]`` — the mini-batch objective at iteration ``k`` (before that update).
    * ``epoch_train_loss``, ``epoch_train_accuracy`` — on the *whole* training set with the weights
      at the end of each epoch (Keras' ``fit`` instead prints the running mean of the batch losses
      during the epoch; that is the mean of ``iteration_loss`` over the epoch's iterations).
    * ``epoch_val_loss``, ``epoch_val_accuracy`` — the same on the validation set (empty arrays when
      no validation data was given).
    * ``epoch_time`` — wall-clock seconds spent in each epoch's mini-batch loop (``time.perf_counter``).
    * ``epoch_learning_rate`` — ``optimizer.learning_rate`` at the start of each epoch (a schedule
      is evaluated at ``optimizer.iterations``).
    * ``iterations_per_epoch`` — ``⌈m / batch_size⌉``.
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


class MLP:
    """Fully connected network ``layer_sizes[0] → … → layer_sizes[-1]`` with a softmax output.

    ``layer_sizes = [n_0, n_1, …, n_L]``: ``n_0`` inputs, ``L − 1`` hidden layers with activation
    ``activation`` (``"relu"``, ``"sigmoid"``, ``"tanh"`` or ``"linear"``), and ``n_L`` classes.
    ``params`` is the list ``[W1, b1, …, WL, bL]`` with ``W_l.shape == (n_{l-1}, n_l)`` — exactly the
    order and shapes of ``keras.Sequential([Dense(n_1, activation), …, Dense(n_L)]).get_weights()``,
    so ``mlp.set_params(model.get_weights())`` makes the two networks identical.

    Initialisation (lecture §5.2.2) follows Keras' ``Dense`` default: ``init="glorot_uniform"``,
    ``W ~ U[−r, r]`` with ``r = √6 / √(n_in + n_out)`` — the lecture's (5.11) — and zero biases.
    Other choices: see :data:`INITIALIZERS` (``"he_normal"`` is the usual partner of ReLU;
    ``"uniform_fan_in"`` is the lecture's (5.10)).  The numbers drawn come from NumPy's generator
    seeded by ``seed``, so they are not the ones Keras would draw; the distribution is the same.

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
        if isinstance(l2, bool) or not isinstance(l2, (int, float, np.floating)) or not (math.isfinite(l2) and l2 >= 0):
            raise ValueError(f"l2 must be a non-negative finite float, got {l2!r}")
        dt = np.dtype(dtype)
        if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
        seed = _check_int_seed(seed)

        self.layer_sizes: tuple[int, ...] = tuple(int(n) for n in layer_sizes)
        self.activation = activation
        self.init = init
        self.l2 = float(l2)
        self.dtype = dt
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.params: list[np.ndarray] = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            self.params.append(_init_weight(rng, n_in, n_out, init, dt))
            self.params.append(np.zeros(n_out, dtype=dt))

    def __repr__(self) -> str:
        return (f"MLP(layer_sizes={list(self.layer_sizes)}, activation={self.activation!r}, seed={self.seed}, "
                f"init={self.init!r}, l2={self.l2}, dtype={self.dtype.name})")

    # ------------------------------------------------------------------------------------------
    # parameters
    # ------------------------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight layers ``L`` (hidden layers + the output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        """Total number of weights and biases."""
        return int(sum(p.size for p in self.params))

    def get_params(self) -> list[np.ndarray]:
        """Copies of ``[W1, b1, …, WL, bL]``."""
        return [p.copy() for p in self.params]

    def set_params(self, params: Sequence[np.ndarray]) -> None:
        """Copy ``params`` (e.g. ``keras_model.get_weights()``) into the network's arrays, in place.

        Shapes must match ``[W1, b1, …]``; values are cast to the network's dtype.  All arrays are
        checked before any is written, so a bad list leaves the network unchanged.
        """
        if len(params) != len(self.params):
            raise ValueError(f"params must be a list of {len(self.params)} arrays [W1, b1, ...], got {len(params)}")
        new = []
        for k, (p, q) in enumerate(zip(self.params, params)):
            name = f"{'W' if k % 2 == 0 else 'b'}{k // 2 + 1}"
            q = _as_float_array(q, f"params[{k}] ({name})")
            if q.shape != p.shape:
                raise ValueError(f"params[{k}] ({name}) must have shape {p.shape}, got {q.shape}")
            new.append(q)
        for p, q in zip(self.params, new):
            p[...] = q

    # ------------------------------------------------------------------------------------------
    # forward and backward passes
    # ------------------------------------------------------------------------------------------
    def _check_X(self, X, name: str = "X") -> np.ndarray:
        X = _as_float_array(X, name)
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-D (samples as rows, {self.layer_sizes[0]} columns), got shape {X.shape}")
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"{name} must have layer_sizes[0] = {self.layer_sizes[0]} columns, got {X.shape[1]} (shape {X.shape})"
            )
        if X.shape[0] == 0:
            raise ValueError(f"{name} must hold at least one sample, got shape {X.shape}")
        return X.astype(self.dtype, copy=False)

    def _forward(self, X: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """Logits and the caches ``zs = [z_1..z_{L-1}]``, ``acts = [a_0 = X, a_1..a_{L-1}]``."""
        tau = ACTIVATIONS[self.activation][0]
        acts, zs = [X], []
        with np.errstate(over="ignore", invalid="ignore"):  # diverged weights give inf/NaN, reported by train()
            for l in range(self.n_layers - 1):
                z = acts[-1] @ self.params[2 * l] + self.params[2 * l + 1]
                zs.append(z)
                acts.append(tau(z))
            logits = acts[-1] @ self.params[-2] + self.params[-1]
        return logits, zs, acts

    def _objective(self, logits: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-sample ``−log softmax(s)_y`` and the log-probabilities (stable, as lib.losses.log_softmax)."""
        with np.errstate(over="ignore", invalid="ignore"):
            shifted = logits - logits.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -logp[np.arange(len(y)), y], logp

    def _penalty(self) -> float:
        if self.l2 == 0.0:
            return 0.0
        return self.l2 * sum(float(np.sum(W * W)) for W in self.params[0::2])

    def logits(self, X) -> np.ndarray:
        """The scores ``s`` before softmax, shape ``(m, n_L)``."""
        return self._forward(self._check_X(X))[0]

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
        X = self._check_X(X)
        y = _check_labels(y, self.layer_sizes[-1], X.shape[0])
        e, _ = self._objective(self._forward(X)[0], y)
        return float(e.mean()) + self._penalty()

    def evaluate(self, X, y) -> tuple[float, float]:
        """``(loss, accuracy)`` on ``(X, y)``: the mean cross-entropy (+ L2 penalty) and the fraction correct."""
        X = self._check_X(X)
        y = _check_labels(y, self.layer_sizes[-1], X.shape[0])
        logits = self._forward(X)[0]
        e, _ = self._objective(logits, y)
        return float(e.mean()) + self._penalty(), float(np.mean(np.argmax(logits, axis=1) == y))

    def loss_and_grads(self, X, y) -> tuple[float, list[np.ndarray]]:
        """Mean cross-entropy of integer labels ``y`` and its gradients, aligned with ``params``.

        Returns ``(J, [∂J/∂W1, ∂J/∂b1, …, ∂J/∂WL, ∂J/∂bL])`` with ``J = mean_i −ln softmax(s_i)_{y_i}``
        (+ ``λ Σ ‖W_l‖²`` when ``l2 = λ > 0``), computed by backpropagation (see the module
        docstring).  ``X``: ``(m, layer_sizes[0])``; ``y``: ``(m,)`` integers in ``[0, layer_sizes[-1])``.
        ``J`` is a Python float; the gradients have the network's dtype.  If the weights have
        diverged, ``J`` is inf/NaN (the input is checked, the weights are not).
        """
        X = self._check_X(X)
        y = _check_labels(y, self.layer_sizes[-1], X.shape[0])
        logits, zs, acts = self._forward(X)
        e, logp = self._objective(logits, y)
        m = X.shape[0]
        with np.errstate(over="ignore", invalid="ignore"):
            delta = np.exp(logp)  # δ_L = (softmax(s) − onehot(y)) / m
            delta[np.arange(m), y] -= 1
            delta /= m
            dtau = ACTIVATIONS[self.activation][1]
            grads: list[np.ndarray] = [None] * len(self.params)  # type: ignore[list-item]
            for l in range(self.n_layers - 1, -1, -1):
                W = self.params[2 * l]
                dW = acts[l].T @ delta
                if self.l2:
                    dW += (2 * self.l2) * W
                grads[2 * l] = dW
                grads[2 * l + 1] = delta.sum(axis=0)
                if l > 0:
                    delta = (delta @ W.T) * dtau(zs[l - 1], acts[l])
        return float(e.mean()) + self._penalty(), grads

    # ------------------------------------------------------------------------------------------
    # training
    # ------------------------------------------------------------------------------------------
    def train(self, X, y, optimizer, *, epochs: int, batch_size: int, seed=0, X_val=None, y_val=None,
              schedule: Callable[[int], float] | None = None, patience: int | None = None,
              min_delta: float = 0.0, shuffle: bool = True) -> History:
        """Mini-batch training with any ``lib.optimizers`` optimizer; returns a :class:`History`.

        Each epoch: (if ``schedule``) ``optimizer.learning_rate = schedule(epoch)``; shuffle the
        training set and cut it into mini-batches (:func:`lib.data.minibatches`, the last smaller
        batch kept); for each batch compute ``J, g = loss_and_grads(X_b, y_b)`` and call
        ``optimizer.step(params, g)``, which updates ``params`` in place (an optimizer that returns
        new arrays instead is accepted too: they are copied into ``params``); then evaluate the
        whole training set and, if given, the validation set.

        * ``seed`` (int or ``np.random.Generator``) fixes the mini-batch order of every epoch: one
          generator is created from it and passed to :func:`~lib.data.minibatches` each epoch, so
          ``[list(minibatches(X, y, b, seed=rng)) for _ in range(epochs)]`` with
          ``rng = np.random.default_rng(seed)`` reproduces the batches (used for the Keras parity test).
        * ``schedule(epoch) -> learning rate`` (0-based epoch) mimics Keras' ``LearningRateScheduler``
          callback, for per-epoch decay such as ``α₀ / (1 + decay · epoch)`` (week-10 notes).  For
          per-iteration decay give the optimizer a ``lib.schedules`` schedule as ``learning_rate``.
        * ``patience`` (needs ``X_val, y_val``): early stopping on the validation loss, the lecture's
          algorithm 5-7 with ``q = 1`` epoch and the loss instead of the error rate, and the same
          rule as ``keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
          min_delta=min_delta, restore_best_weights=True)``: an epoch improves if its validation
          loss is below the best so far minus ``min_delta``; training stops once ``patience``
          epochs in a row have not improved, and **the weights of the best epoch are restored at
          the end of training** (also when all ``epochs`` ran), so ``params`` afterwards are the
          best ones, not the last; ``History.best_epoch`` says which.
        * A non-finite mini-batch loss (divergence, e.g. a learning rate far too large) stops
          training and sets ``History.diverged``; the weights are left as they were at that point.

        All arguments are checked before the first update, so a bad argument changes nothing.
        """
        X = self._check_X(X)
        y = _check_labels(y, self.layer_sizes[-1], X.shape[0])
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together (or both left None)")
        has_val = X_val is not None
        if has_val:
            X_val = self._check_X(X_val, "X_val")
            y_val = _check_labels(y_val, self.layer_sizes[-1], X_val.shape[0], "y_val")
        epochs = _check_positive_int(epochs, "epochs")
        batch_size = _check_positive_int(batch_size, "batch_size")
        if not callable(getattr(optimizer, "step", None)):
            raise TypeError(f"optimizer must have a step(params, grads) method (a lib.optimizers object), got {optimizer!r}")
        if schedule is not None and not callable(schedule):
            raise TypeError(f"schedule must be a callable schedule(epoch) -> learning rate, or None, got {schedule!r}")
        if patience is not None:
            patience = _check_positive_int(patience, "patience", minimum=0)
            if not has_val:
                raise ValueError("patience (early stopping on the validation loss) needs X_val and y_val")
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float, np.floating)) or not (
            math.isfinite(min_delta) and min_delta >= 0
        ):
            raise ValueError(f"min_delta must be a non-negative finite float, got {min_delta!r}")
        if isinstance(seed, np.random.Generator):
            rng = seed
        else:
            rng = np.random.default_rng(_check_int_seed(seed))
        # check that minibatches accepts the arguments before anything changes
        minibatches(X, y, batch_size, shuffle=shuffle, seed=0)

        it_loss: list[float] = []
        tr_loss, tr_acc, va_loss, va_acc, times, lrs = [], [], [], [], [], []
        best_loss, best_epoch, best_params, wait = math.inf, None, None, 0
        stopped_early = diverged = False
        for epoch in range(epochs):
            if schedule is not None:
                optimizer.learning_rate = float(schedule(epoch))
            lrs.append(_current_learning_rate(optimizer))
            start = time.perf_counter()
            for Xb, yb in minibatches(X, y, batch_size, shuffle=shuffle, seed=rng):
                loss, grads = self.loss_and_grads(Xb, yb)
                it_loss.append(loss)
                if not math.isfinite(loss):
                    diverged = True
                    break
                updated = optimizer.step(self.params, grads)
                if updated is not None and updated is not self.params:
                    for p, q in zip(self.params, updated):
                        if q is not p:
                            p[...] = q
            if diverged:
                lrs.pop()
                break
            times.append(time.perf_counter() - start)
            loss, acc = self.evaluate(X, y)
            tr_loss.append(loss)
            tr_acc.append(acc)
            if has_val:
                loss, acc = self.evaluate(X_val, y_val)
                va_loss.append(loss)
                va_acc.append(acc)
            if patience is not None:
                # keras.callbacks.EarlyStopping.on_epoch_end, restore_best_weights=True
                if best_params is None:
                    best_params, best_epoch = self.get_params(), epoch
                wait += 1
                if va_loss[-1] < best_loss - min_delta:
                    best_loss, best_epoch, best_params, wait = va_loss[-1], epoch, self.get_params(), 0
                elif wait >= patience and epoch > 0:
                    stopped_early = epoch < epochs - 1
                    break
        if patience is not None and best_params is not None and not diverged:
            self.set_params(best_params)

        def arr(values: list[float]) -> np.ndarray:
            return np.asarray(values, dtype=np.float64)

        return History(
            iteration_loss=arr(it_loss),
            epoch_train_loss=arr(tr_loss),
            epoch_train_accuracy=arr(tr_acc),
            epoch_val_loss=arr(va_loss),
            epoch_val_accuracy=arr(va_acc),
            epoch_time=arr(times),
            epoch_learning_rate=arr(lrs),
            iterations_per_epoch=-(-X.shape[0] // batch_size),
            best_epoch=best_epoch if patience is not None else None,
            stopped_early=stopped_early,
            diverged=diverged,
        )
