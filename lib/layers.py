"""Networks built from layers: Dense, activations, batch/layer normalization, dropout, noise.

Mirrors the university lecture "5. Deep-learning optimization": weight initialisation (§5.2.2,
(5.10)-(5.11)), activation functions (§5.2.5, (5.15)-(5.17), maxout), batch normalization (§5.2.6,
codes 1 and 2), norm penalties (§5.3, :mod:`lib.regularizers`), dropout (algorithm 5-8) and the
softmax + log-likelihood output (§5.1.3).  Each class is a small twin of a ``tf.keras`` layer (same
argument names, defaults and ``get_weights()`` order) and is checked against it in
``tests/test_layers.py``; the shape is that of CS231n's ``layers.py``: a layer is a ``forward`` and
a ``backward`` of a few lines with a cache between them, a network is a list of layers.

Conventions (samples are rows, as in Keras; the lecture writes columns, ``z = Wᵀx + b``)::

    forward :  a = layer(x)          x: (m, …, n_in)  →  a: (m, …, n_out)
    backward:  δ_in = ∂J/∂x  from  δ_out = ∂J/∂a,  and  grads[name] = ∂J/∂params[name]

* A layer is built on its first input (its dtype and last-axis size), as in Keras: there is no
  input size to pass.  float32 and float64 inputs keep their dtype (parameters are created in it);
  integer or boolean input is promoted to float64; a later input of the other float dtype is cast
  to the layer's dtype, as a Keras layer casts to its dtype.
* ``params`` holds the trainable arrays, in Keras' order (Dense: ``kernel``, ``bias``); ``grads``
  has the same keys, filled by ``backward``.  ``get_weights()`` adds the non-trainable state
  (batch normalization's moving statistics) in Keras' ``get_weights()`` order.
* Public ``forward``/``backward`` check their input and then call the kernels ``call`` and
  ``backprop``, which hold only the equations; :class:`Sequential` checks the network's input once
  and then runs the kernels (no per-layer checks on the hot path).
* Regularization: ``penalty()`` is a layer's penalty ``Ω`` (:mod:`lib.regularizers`), and its
  ``backprop`` adds ``∇Ω`` to the weight's gradient, so ``grads`` is the gradient of the data loss
  *plus* the layer's penalty (Keras adds ``model.losses`` to the loss and differentiates the sum).
* Randomness (initial weights, dropout masks, noise) comes from ``seed``: an int, a
  ``np.random.Generator`` (shared and advanced, so several layers can draw from one stream), or
  None (fresh entropy).  The numbers are NumPy's, not TensorFlow's; the distributions are Keras'.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.special import erfc

from lib import regularizers as _regularizers
from lib.checks import as_generator, check_finite, check_targets, real_array
from lib.losses import sigmoid

__all__ = [
    "ACTIVATIONS", "VARIANCE_SCALING", "INITIALIZERS", "NonFiniteError",
    "init_weight", "VarianceScaling", "RandomNormal", "RandomUniform", "Orthogonal", "Zeros", "Ones",
    "get_initializer",
    "Layer", "Dense", "Activation", "LeakyReLU", "PReLU", "ELU", "Step", "Maxout",
    "BatchNormalization", "population_statistics", "fold_batch_norm", "LayerNormalization", "Dropout",
    "GaussianNoise",
    "Sequential", "from_keras",
]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class NonFiniteError(ValueError):
    """A training pass met inf/NaN (e.g. in batch normalization's batch statistics); nothing was
    updated.  A ``ValueError``, so callers that catch bad input catch it too."""


# ----------------------------------------------------------------------------------------------
# activation functions τ and their derivatives τ'(z), written with a = τ(z) where that is cheaper
# ----------------------------------------------------------------------------------------------
_SELU_ALPHA = 1.6732632423543772848170429916717  # Keras' constants (Klambauer et al. 2017)
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _elu(z: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def _elu_grad(z: np.ndarray, a: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(z > 0, 1, a + alpha).astype(z.dtype, copy=False)


def _gelu(z: np.ndarray) -> np.ndarray:
    """GELU, Keras' default ``approximate=False``: ``z·Φ(z)`` with the normal CDF
    ``Φ(z) = ½·erfc(−z/√2)`` (TensorFlow's form; for float64 TensorFlow rounds 1/√2 to float32)."""
    return 0.5 * z * erfc(-z / _SQRT_2)


def _gelu_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``Φ(z) + z·φ(z)``."""
    return 0.5 * erfc(-z / _SQRT_2) + z * np.exp(-0.5 * z * z) / _SQRT_2PI


#: ``name -> (τ(z), τ'(z, a))`` for the activations Keras names.  ReLU'(0) = 0, as in TensorFlow.
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "sigmoid": (sigmoid, lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),  # (5.16)
    "elu": (_elu, _elu_grad),
    "selu": (lambda z: _SELU_SCALE * _elu(z, _SELU_ALPHA),
             lambda z, a: _SELU_SCALE * _elu_grad(z, a / _SELU_SCALE, _SELU_ALPHA)),
    "softplus": (lambda z: np.logaddexp(0, z), lambda z, a: sigmoid(z)),
    "gelu": (_gelu, _gelu_grad),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.2 * z),  # Keras' activation default slope 0.2
                   lambda z, a: np.where(z > 0, 1, 0.2).astype(z.dtype)),
}


def _check_activation(name) -> str:
    if name is None:
        return "linear"
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)} or None, got {name!r}")
    return name


# ----------------------------------------------------------------------------------------------
# initializers
# ----------------------------------------------------------------------------------------------
#: Keras' ``VarianceScaling`` family, ``name -> (distribution, scale, mode)``: with ``n`` = fan_in,
#: or (fan_in + fan_out)/2 for ``fan_avg``, "uniform" draws from ``[-r, r]`` with ``r = √(3·scale/n)``,
#: "truncated_normal" from a normal with ``σ = √(scale/n) / 0.8796…`` re-drawn beyond ``2σ``.
#: ``"uniform_fan_in"`` is the lecture's (5.10), ``r = 1/√n_in`` (Keras has no such initialiser).
VARIANCE_SCALING: dict[str, tuple[str, float, str]] = {
    "glorot_uniform": ("uniform", 1.0, "fan_avg"),  # lecture (5.11), r = √6/√(n_in + n_out); Keras default
    "glorot_normal": ("truncated_normal", 1.0, "fan_avg"),
    "he_uniform": ("uniform", 2.0, "fan_in"),
    "he_normal": ("truncated_normal", 2.0, "fan_in"),  # ResNet in §5.2.2 (Keras truncates at 2σ)
    "lecun_uniform": ("uniform", 1.0, "fan_in"),
    "lecun_normal": ("truncated_normal", 1.0, "fan_in"),
    "uniform_fan_in": ("uniform", 1.0 / 3.0, "fan_in"),  # lecture (5.10), r = 1/√n_in
}

_TRUNCATED_NORMAL_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2] (Keras)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Keras' ``compute_fans``: (n_in, n_out) of a weight of this shape."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_standard_normal(rng: np.random.Generator, shape) -> np.ndarray:
    w = rng.standard_normal(shape)
    outside = np.abs(w) > 2
    while np.any(outside):  # re-draw beyond 2σ (about 4.6 % of the draws each round)
        w[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(w) > 2
    return w


class VarianceScaling:
    """Keras' ``VarianceScaling(scale, mode, distribution)``: the variance of the weights is
    ``scale / n`` with ``n`` = fan_in, fan_out or their mean (see :data:`VARIANCE_SCALING`)."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal") -> None:
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)) or not (
            math.isfinite(scale) and scale > 0
        ):
            raise ValueError(f"scale must be a positive finite float, got {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be one of ['fan_avg', 'fan_in', 'fan_out'], got {mode!r}")
        if distribution not in ("uniform", "truncated_normal"):
            raise ValueError(f"distribution must be 'uniform' or 'truncated_normal', got {distribution!r}")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def __call__(self, shape: tuple[int, ...], rng: np.random.Generator, dtype) -> np.ndarray:
        n_in, n_out = _fans(tuple(shape))
        n = {"fan_in": n_in, "fan_out": n_out, "fan_avg": (n_in + n_out) / 2.0}[self.mode]
        if self.distribution == "uniform":
            r = math.sqrt(3.0 * self.scale / n)
            return rng.uniform(-r, r, size=shape).astype(dtype)
        sigma = math.sqrt(self.scale / n) / _TRUNCATED_NORMAL_STD
        return (sigma * _truncated_standard_normal(rng, shape)).astype(dtype)


class RandomNormal:
    """Keras' ``RandomNormal(mean=0.0, stddev=0.05)``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05) -> None:
        if not (isinstance(stddev, (int, float, np.floating)) and math.isfinite(stddev) and stddev >= 0):
            raise ValueError(f"stddev must be a non-negative finite float, got {stddev!r}")
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape, rng: np.random.Generator, dtype) -> np.ndarray:
        return rng.normal(self.mean, self.stddev, size=shape).astype(dtype)


class RandomUniform:
    """Keras' ``RandomUniform(minval=-0.05, maxval=0.05)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05) -> None:
        if not (math.isfinite(minval) and math.isfinite(maxval) and minval <= maxval):
            raise ValueError(f"minval <= maxval must be finite floats, got minval={minval!r}, maxval={maxval!r}")
        self.minval, self.maxval = float(minval), float(maxval)

    def __call__(self, shape, rng: np.random.Generator, dtype) -> np.ndarray:
        return rng.uniform(self.minval, self.maxval, size=shape).astype(dtype)


class Orthogonal:
    """Keras' ``Orthogonal(gain=1.0)``: the Q of the QR decomposition of a normal matrix, signs fixed
    by ``diag(R)``, so rows (or columns, whichever are fewer) are orthonormal, times ``gain``."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = float(gain)

    def __call__(self, shape, rng: np.random.Generator, dtype) -> np.ndarray:
        if len(shape) < 2:
            raise ValueError(f"the orthogonal initializer needs a weight of rank >= 2, got shape {tuple(shape)}")
        rows, cols = int(np.prod(shape[:-1])), int(shape[-1])
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)


class Zeros:
    def __call__(self, shape, rng: np.random.Generator, dtype) -> np.ndarray:
        return np.zeros(shape, dtype=dtype)


class Ones:
    def __call__(self, shape, rng: np.random.Generator, dtype) -> np.ndarray:
        return np.ones(shape, dtype=dtype)


_OTHER_INITIALIZERS = {"zeros": Zeros, "ones": Ones, "orthogonal": Orthogonal,
                       "random_normal": RandomNormal, "random_uniform": RandomUniform}
#: Every initializer name :func:`get_initializer` accepts.
INITIALIZERS: tuple[str, ...] = tuple(VARIANCE_SCALING) + tuple(_OTHER_INITIALIZERS)


def get_initializer(init, name: str = "initializer") -> Callable:
    """An initializer object from a name in :data:`INITIALIZERS` (Keras' names, plus
    ``"uniform_fan_in"``) or an initializer object itself (anything callable as
    ``init(shape, rng, dtype)``)."""
    if isinstance(init, str):
        if init in VARIANCE_SCALING:
            distribution, scale, mode = VARIANCE_SCALING[init]
            return VarianceScaling(scale, mode, distribution)
        if init in _OTHER_INITIALIZERS:
            return _OTHER_INITIALIZERS[init]()
    elif callable(init) and not isinstance(init, type):
        return init
    raise ValueError(f"{name} must be one of {sorted(INITIALIZERS)} or an initializer object, got {init!r}")


def init_weight(rng: np.random.Generator, n_in: int, n_out: int, init: str, dtype) -> np.ndarray:
    """A ``(n_in, n_out)`` weight matrix drawn from ``rng`` by the initializer ``init`` (what
    :class:`Dense` draws for its kernel; ``lib.mlp`` draws the same numbers from the same generator)."""
    return get_initializer(init, "init")((n_in, n_out), rng, dtype)


# ----------------------------------------------------------------------------------------------
# the layer protocol
# ----------------------------------------------------------------------------------------------
def _as_input(x, name: str = "x") -> np.ndarray:
    """``x`` as a finite float32/float64 array of rank >= 2 with at least one sample."""
    x = real_array(x, name)
    if x.dtype not in _FLOATS:
        raise TypeError(f"{name} must be float32 or float64 (or integers, promoted to float64), got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"{name} must have a batch axis and a feature axis (m, …, n), got shape {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample, got shape {x.shape}")
    return check_finite(x, name)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _real(value, name: str, *, low: float, high: float, low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number in the interval [low, high] (ends open where asked; high may be inf)."""
    interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open or high == math.inf else ']'}"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number in {interval}, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < low or v > high or (low_open and v == low) or (high_open and v == high):
        raise ValueError(f"{name} must be a real number in {interval}, got {value!r}")
    return v


def _flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


class Layer:
    """Base class: ``forward(x, training) -> a`` and ``backward(δ_out) -> δ_in`` (see the module
    docstring).  Subclasses write ``build``, ``call`` and ``backprop``; ``_input_check`` says which
    input axes are fixed once built: ``"last"`` (the features), ``"all"`` (every axis but the batch
    axis) or ``None``."""

    _input_check: str | None = None

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}  # non-trainable weights (moving statistics)
        self.built = False
        self.dtype: np.dtype | None = None
        self.input_shape: tuple | None = None  # (None, …) once built
        self._cache: Any = None
        self._output_shape: tuple | None = None  # of the last forward (None: no forward yet)

    # -- to override ---------------------------------------------------------------------------
    def build(self, input_shape: tuple, dtype) -> None:
        """Create the parameters for inputs of shape ``(m, …, n)`` and this dtype."""
        self.input_shape = (None, *tuple(int(d) for d in input_shape[1:]))
        self.dtype = np.dtype(dtype)
        self.built = True

    def output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def call(self, x: np.ndarray, training: bool) -> np.ndarray:
        raise NotImplementedError

    def backprop(self, dy: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def penalty(self) -> float:
        """This layer's regularization loss ``Ω`` (0.0 without regularizers)."""
        return 0.0

    # -- public, checked -----------------------------------------------------------------------
    def check_input(self, x, name: str = "x") -> np.ndarray:
        """``x`` checked (finite float array, shape compatible with the built layer) and cast to
        the layer's dtype; builds the layer on its first input."""
        x = _as_input(x, name)
        if not self.built:
            self.build(x.shape, x.dtype)
            return x
        expected = self.input_shape[1:]
        if self._input_check == "last" and x.shape[-1] != expected[-1]:
            raise ValueError(
                f"{name} must have {expected[-1]} features on its last axis (the layer was built for "
                f"inputs of shape {self.input_shape}), got shape {x.shape}"
            )
        if self._input_check == "all" and x.shape[1:] != expected:
            raise ValueError(f"{name} must have shape (m, {', '.join(map(str, expected))}) "
                             f"(the layer was built for it), got shape {x.shape}")
        return x.astype(self.dtype, copy=False)

    def forward(self, x, training: bool = False) -> np.ndarray:
        """The layer's output for a batch ``x`` (training mode: dropout/noise active, batch
        statistics used and moving statistics updated)."""
        return self.call(self.check_input(x), _flag(training, "training"))

    def backward(self, dy) -> np.ndarray:
        """``∂J/∂x`` from ``dy = ∂J/∂a`` of the last ``forward``; fills ``grads``."""
        if self._output_shape is None:
            raise ValueError(f"{type(self).__name__}.backward was called before forward: run forward(x) first")
        dy = check_finite(real_array(dy, "dy"), "dy")
        if dy.shape != self._output_shape:
            raise ValueError(f"dy must have the shape of the last forward's output {self._output_shape}, got {dy.shape}")
        return self.backprop(dy.astype(self.dtype, copy=False))

    def _remember(self, cache, y: np.ndarray) -> np.ndarray:
        """Keep what backprop needs (the cache between forward and backward); return ``y``."""
        self._cache = cache
        self._output_shape = y.shape
        return y

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights in Keras' ``get_weights()`` order (trainable, then moving statistics)."""
        return [w.copy() for w in (*self.params.values(), *self.state.values())]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Copy ``weights`` into the layer (Keras' order); all are checked before any is written."""
        for w, v in zip((*self.params.values(), *self.state.values()), self._checked_weights(weights)):
            w[...] = v

    def _checked_weights(self, weights: Sequence[np.ndarray]) -> list[np.ndarray]:
        if not self.built:
            raise ValueError(f"{type(self).__name__} is not built yet: call forward(x) (or Sequential.build) first")
        targets = {**self.params, **self.state}
        if isinstance(weights, np.ndarray) or len(weights) != len(targets):
            raise ValueError(f"weights must be a list of {len(targets)} arrays {list(targets)}, got {len(weights)}")
        new = []
        for (name, w), v in zip(targets.items(), weights):
            v = check_finite(real_array(v, f"weights[{name}]"), f"weights[{name}]")
            if v.shape != w.shape:
                raise ValueError(f"weights[{name}] must have shape {w.shape}, got {v.shape}")
            if name == "moving_variance" and np.any(v < 0):
                raise ValueError(f"weights[moving_variance] must be >= 0, got {v[v < 0][0]}")
            new.append(v)
        return new

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._describe()})"

    def _describe(self) -> str:
        return ""


# ----------------------------------------------------------------------------------------------
# Dense (with a fused activation)
# ----------------------------------------------------------------------------------------------
class Dense(Layer):
    """Fully connected layer, Keras' ``Dense``: ``z = x W + b``, ``a = τ(z)`` (lecture (5.15)).

    Backward, with ``δ = ∂J/∂z = ∂J/∂a ⊙ τ'(z)``::

        ∂J/∂W = xᵀ δ (+ ∇Ω(W)),   ∂J/∂b = Σ_rows δ (+ ∇Ω(b)),   ∂J/∂x = δ Wᵀ

    ``W`` has shape ``(n_in, units)``; inputs of higher rank act on the last axis, as in Keras.
    The kernel is drawn at build time from ``seed`` by ``kernel_initializer`` (default Keras'
    ``glorot_uniform``, the lecture's (5.11)); biases by ``bias_initializer`` (zeros).
    """

    _input_check = "last"

    def __init__(self, units: int, activation: str | None = None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, seed=None) -> None:
        super().__init__()
        self.units = _positive_int(units, "units")
        self.activation = _check_activation(activation)
        self.use_bias = _flag(use_bias, "use_bias")
        self.kernel_initializer = get_initializer(kernel_initializer, "kernel_initializer")
        self.bias_initializer = get_initializer(bias_initializer, "bias_initializer")
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = _regularizers.get(bias_regularizer, "bias_regularizer")
        self.rng = as_generator(seed)
        self._tau, self._dtau = ACTIVATIONS[self.activation]

    def build(self, input_shape, dtype) -> None:
        super().build(input_shape, dtype)
        n_in = self.input_shape[-1]
        self.params["kernel"] = self.kernel_initializer((n_in, self.units), self.rng, self.dtype)
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((self.units,), self.rng, self.dtype)

    def output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def call(self, x, training):
        z = x @ self.params["kernel"]
        if self.use_bias:
            z += self.params["bias"]
        a = self._tau(z)
        return self._remember((x, z, a), a)

    def backprop(self, da, need_dx: bool = True):
        """``need_dx=False`` skips ``∂J/∂x`` (a network's first layer: the data need no gradient)."""
        x, z, a = self._cache
        W = self.params["kernel"]
        delta = da if self.activation == "linear" else da * self._dtau(z, a)  # δ = ∂J/∂z
        if x.ndim > 2:  # (m, …, n_in): every position is a sample for the weight gradients
            x, delta = x.reshape(-1, x.shape[-1]), delta.reshape(-1, self.units)
        dW = x.T @ delta
        if self.kernel_regularizer is not None:
            dW += self.kernel_regularizer.gradient(W)
        self.grads["kernel"] = dW
        if self.use_bias:
            db = delta.sum(axis=0)
            if self.bias_regularizer is not None:
                db += self.bias_regularizer.gradient(self.params["bias"])
            self.grads["bias"] = db
        return (delta @ W.T).reshape(da.shape[:-1] + (W.shape[0],)) if need_dx else None

    def penalty(self) -> float:
        total = 0.0
        if self.kernel_regularizer is not None:
            total += self.kernel_regularizer(self.params["kernel"])
        if self.bias_regularizer is not None and self.use_bias:
            total += self.bias_regularizer(self.params["bias"])
        return total

    def _describe(self):
        return f"{self.units}, activation={self.activation!r}" + ("" if self.use_bias else ", use_bias=False")


# ----------------------------------------------------------------------------------------------
# activation layers
# ----------------------------------------------------------------------------------------------
class Activation(Layer):
    """``a = τ(z)`` elementwise, Keras' ``Activation(name)``; backward ``δ_in = δ_out ⊙ τ'(z)``.
    ``name`` is one of :data:`ACTIVATIONS` (what Keras names them)."""

    def __init__(self, activation: str) -> None:
        super().__init__()
        self.activation = _check_activation(activation)
        self._tau, self._dtau = ACTIVATIONS[self.activation]

    def call(self, z, training):
        a = self._tau(z)
        return self._remember((z, a), a)

    def backprop(self, da):
        z, a = self._cache
        return da * self._dtau(z, a)

    def _describe(self):
        return repr(self.activation)


class LeakyReLU(Layer):
    """Lecture (5.17): ``a = z`` for ``z ≥ 0``, ``α z`` otherwise, with ``α = negative_slope``
    (Keras' default 0.3; the lecture says 0.01 is usual).  ``τ'(z) = 1`` for ``z > 0``, else ``α``."""

    def __init__(self, negative_slope: float = 0.3) -> None:
        super().__init__()
        self.negative_slope = _real(negative_slope, "negative_slope", low=0.0, high=math.inf)

    def call(self, z, training):
        alpha = self.negative_slope
        return self._remember(z, np.where(z >= 0, z, alpha * z))

    def backprop(self, da):
        z = self._cache
        return da * np.where(z > 0, 1, self.negative_slope).astype(da.dtype)

    def _describe(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(Layer):
    """Parametric ReLU (lecture §5.2.5: "α를 학습으로 알아냄"): ``a = max(z, 0) + α ⊙ min(z, 0)``
    with one learned slope per input unit (``alpha`` of shape ``x.shape[1:]``, Keras' default
    initializer zeros, so it starts as ReLU).  ``∂J/∂α = Σ_batch δ ⊙ min(z, 0)``."""

    _input_check = "all"

    def __init__(self, alpha_initializer="zeros", seed=None) -> None:
        super().__init__()
        self.alpha_initializer = get_initializer(alpha_initializer, "alpha_initializer")
        self.rng = as_generator(seed)

    def build(self, input_shape, dtype):
        super().build(input_shape, dtype)
        self.params["alpha"] = self.alpha_initializer(self.input_shape[1:], self.rng, self.dtype)

    def call(self, z, training):
        alpha = self.params["alpha"]
        negative = np.minimum(z, 0)
        return self._remember((z, negative), np.maximum(z, 0) + alpha * negative)

    def backprop(self, da):
        z, negative = self._cache
        self.grads["alpha"] = (da * negative).sum(axis=0)
        return da * np.where(z > 0, 1, np.where(z < 0, self.params["alpha"], 0)).astype(da.dtype)


class ELU(Layer):
    """``a = z`` for ``z > 0``, ``α (eᶻ − 1)`` otherwise (lecture §5.2.5), Keras' ``ELU(alpha=1.0)``;
    ``τ'(z) = 1`` for ``z > 0``, else ``a + α``."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = _real(alpha, "alpha", low=0.0, high=math.inf)

    def call(self, z, training):
        a = _elu(z, self.alpha)
        return self._remember((z, a), a)

    def backprop(self, da):
        z, a = self._cache
        return da * _elu_grad(z, a, self.alpha)

    def _describe(self):
        return f"alpha={self.alpha}"


class Step(Layer):
    """The step activation of figure 5-15(b) (1950s perceptrons): ``a = 1`` for ``z ≥ 0``, ``−1``
    otherwise (the 0/1 Heaviside step is ``(a + 1)/2``).  Keras has no twin.

    Its derivative is 0 wherever it exists (everywhere but ``z = 0``), so ``backward`` returns a
    zero gradient: nothing below a step layer can learn by backpropagation — the lecture's reason
    why gradient-based networks replaced it by sigmoid, tanh and ReLU."""

    def call(self, z, training):
        return self._remember(z, np.where(z >= 0, 1, -1).astype(z.dtype))

    def backprop(self, da):
        return np.zeros_like(da)


class Maxout(Layer):
    """Maxout (lecture §5.2.5, Goodfellow et al. 2013): ``a_j = max_k (x w_jk + b_jk)`` over
    ``pieces`` linear functions per unit (the lecture's ``max(w₁ᵀx + b₁, w₂ᵀx + b₂)`` is
    ``pieces = 2``).  Keras has no twin; checked by hand and by central differences.

    ``kernel`` has shape ``(n_in, units·pieces)``, column ``j·pieces + k`` is piece ``k`` of unit ``j``.
    Backward: ``δ`` reaches only the winning piece of each unit (the first one on a tie)::

        ∂J/∂z_jk = ∂J/∂a_j · [k = argmax_k z_jk],   then as Dense: ∂J/∂W = xᵀ δ, ∂J/∂x = δ Wᵀ
    """

    _input_check = "last"

    def __init__(self, units: int, pieces: int = 2, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", seed=None) -> None:
        super().__init__()
        self.units = _positive_int(units, "units")
        self.pieces = _positive_int(pieces, "pieces")
        self.use_bias = _flag(use_bias, "use_bias")
        self.kernel_initializer = get_initializer(kernel_initializer, "kernel_initializer")
        self.bias_initializer = get_initializer(bias_initializer, "bias_initializer")
        self.rng = as_generator(seed)

    def build(self, input_shape, dtype):
        super().build(input_shape, dtype)
        n = self.units * self.pieces
        self.params["kernel"] = self.kernel_initializer((self.input_shape[-1], n), self.rng, self.dtype)
        if self.use_bias:
            self.params["bias"] = self.bias_initializer((n,), self.rng, self.dtype)

    def output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def call(self, x, training):
        z = x @ self.params["kernel"]
        if self.use_bias:
            z = z + self.params["bias"]
        z = z.reshape(*z.shape[:-1], self.units, self.pieces)
        k = z.argmax(axis=-1)[..., None]  # the winning piece of each unit
        a = np.take_along_axis(z, k, axis=-1)[..., 0]
        return self._remember((x, k), a)

    def backprop(self, da, need_dx: bool = True):
        x, k = self._cache
        W = self.params["kernel"]
        delta = np.zeros((*da.shape, self.pieces), dtype=da.dtype)
        np.put_along_axis(delta, k, da[..., None], axis=-1)
        delta = delta.reshape(*da.shape[:-1], self.units * self.pieces)
        x2, delta2 = x.reshape(-1, x.shape[-1]), delta.reshape(-1, delta.shape[-1])
        self.grads["kernel"] = x2.T @ delta2
        if self.use_bias:
            self.grads["bias"] = delta2.sum(axis=0)
        return delta @ W.T if need_dx else None

    def _describe(self):
        return f"{self.units}, pieces={self.pieces}"


# ----------------------------------------------------------------------------------------------
# normalization
# ----------------------------------------------------------------------------------------------
def _build_gamma_beta(layer: Layer, n: int) -> None:
    """The learned scale γ (ones) and shift β (zeros) of a normalization layer, as Keras creates them."""
    if layer.scale:
        layer.params["gamma"] = np.ones(n, dtype=layer.dtype)
    if layer.center:
        layer.params["beta"] = np.zeros(n, dtype=layer.dtype)


class BatchNormalization(Layer):
    """Batch normalization (lecture §5.2.6, codes 1 and 2), Keras' semantics, on the last axis.

    Statistics are taken over every axis but the last (the features): for ``(m, n)`` inputs over
    the ``m`` samples, for ``(m, p, q, c)`` feature maps over ``m·p·q`` positions per channel — the
    per-feature-map normalization of CNNs.  With ``M`` = the number of values per feature::

        training:   μ_B = (1/M) Σ x,   σ²_B = (1/M) Σ (x − μ_B)²        (biased variance)
                    moving_mean ← moving_mean·momentum + μ_B·(1 − momentum)   (same for σ²_B)
        inference:  μ_B, σ²_B replaced by moving_mean, moving_variance   (code 2)
        x̂ = (x − μ_B) / √(σ²_B + ε),   y = γ ⊙ x̂ + β

    Backward (training; in inference μ and σ² are constants and ``∂J/∂x = ∂J/∂x̂ / √(σ² + ε)``)::

        ∂J/∂γ = Σ δ ⊙ x̂,   ∂J/∂β = Σ δ,   ∂J/∂x̂ = δ ⊙ γ
        ∂J/∂x = (1/M) / √(σ²_B + ε) · (M ∂J/∂x̂ − Σ ∂J/∂x̂ − x̂ ⊙ Σ (∂J/∂x̂ ⊙ x̂))

    ``get_weights()`` = ``[gamma, beta, moving_mean, moving_variance]`` (without gamma if
    ``scale=False``, without beta if ``center=False``); ``moving_variance`` starts at 1, the rest
    as Keras (γ = 1, β = 0, moving mean 0).  A training pass whose batch statistics are not finite
    raises :class:`NonFiniteError` before the moving statistics are touched.
    """

    _input_check = "last"

    def __init__(self, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True, scale: bool = True) -> None:
        super().__init__()
        self.momentum = _real(momentum, "momentum", low=0.0, high=1.0)
        self.epsilon = _real(epsilon, "epsilon", low=0.0, high=math.inf, low_open=True)
        self.center = _flag(center, "center")
        self.scale = _flag(scale, "scale")

    def build(self, input_shape, dtype):
        super().build(input_shape, dtype)
        n = self.input_shape[-1]
        _build_gamma_beta(self, n)
        self.state["moving_mean"] = np.zeros(n, dtype=self.dtype)
        self.state["moving_variance"] = np.ones(n, dtype=self.dtype)

    def call(self, x, training):
        axes = tuple(range(x.ndim - 1))  # every axis but the features
        if training:
            mu = x.mean(axis=axes)
            var = ((x - mu) ** 2).mean(axis=axes)
            if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(var))):
                raise NonFiniteError("BatchNormalization got a batch with non-finite statistics (inf/NaN in its "
                                     "input); the moving statistics were left unchanged")
            p = self.momentum
            self.state["moving_mean"][...] = self.state["moving_mean"] * p + mu * (1 - p)
            self.state["moving_variance"][...] = self.state["moving_variance"] * p + var * (1 - p)
        else:
            mu, var = self.state["moving_mean"], self.state["moving_variance"]
        inv_std = 1 / np.sqrt(var + self.epsilon)
        x_hat = (x - mu) * inv_std
        y = x_hat
        if self.scale:
            y = y * self.params["gamma"]
        if self.center:
            y = y + self.params["beta"]
        return self._remember((x_hat, inv_std, training), y)

    def backprop(self, dy):
        x_hat, inv_std, training = self._cache
        axes = tuple(range(dy.ndim - 1))
        if self.scale:
            self.grads["gamma"] = (dy * x_hat).sum(axis=axes)
        if self.center:
            self.grads["beta"] = dy.sum(axis=axes)
        dx_hat = dy * self.params["gamma"] if self.scale else dy
        if not training:
            return dx_hat * inv_std
        M = x_hat.size // x_hat.shape[-1]
        return (inv_std / M) * (M * dx_hat - dx_hat.sum(axis=axes) - x_hat * (dx_hat * x_hat).sum(axis=axes))

    def inference_affine(self) -> tuple[np.ndarray, np.ndarray]:
        """The inference pass as one affine map per feature, the lecture's (5.18)::

            z' = a ⊙ z + c,   a = γ / √(σ² + ε),   c = β − a ⊙ μ      (μ, σ² = the moving statistics)

        Returns ``(a, c)``, each of shape ``(n,)`` (γ = 1 if ``scale=False``, β = 0 if ``center=False``)."""
        if not self.built:
            raise ValueError("BatchNormalization is not built yet: call forward(x) (or Sequential.build) first")
        mu, var = self.state["moving_mean"], self.state["moving_variance"]
        gamma = self.params["gamma"] if self.scale else 1
        beta = self.params["beta"] if self.center else 0
        a = gamma / np.sqrt(var + self.dtype.type(self.epsilon))
        return a.astype(self.dtype, copy=False), (beta - a * mu).astype(self.dtype, copy=False)

    def _describe(self):
        return f"momentum={self.momentum}, epsilon={self.epsilon}"


def population_statistics(model: Sequential, X, *, unbiased: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
    """The lecture's code 2 (§5.2.6), the "post-processing after optimization": every batch
    normalization layer's mean and variance over the *whole* training set ``X`` (``N`` samples),
    stored as its moving statistics for inference (so that (5.18) uses them); returns them as
    ``[(μ, σ²), …]``, one pair per BN layer, first to last.

    Layers are visited in order and each BN layer's statistics are taken from its input computed
    with the layers before it in inference mode, the earlier BN layers already on their new
    statistics (the network that will predict)::

        μ = (1/M) Σ z,   σ² = (1/M) Σ (z − μ)²     (unbiased=True: σ² · M/(M − 1))

    with ``M`` = the number of values per feature (``N``; ``N·p·q`` on ``(N, p, q, c)`` feature maps).
    If a statistic is not finite, :class:`NonFiniteError` is raised and no layer is changed.
    """
    X, unbiased = _check_population_args(model, X, unbiased)
    bn_layers = [layer for layer in model.layers if isinstance(layer, BatchNormalization)]
    saved = [layer.get_weights() for layer in bn_layers]
    statistics, z = [], X
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in model.layers:
                if isinstance(layer, BatchNormalization):
                    axes = tuple(range(z.ndim - 1))          # every axis but the units
                    M = z.size // z.shape[-1]
                    mu = z.mean(axis=axes)
                    var = ((z - mu) ** 2).mean(axis=axes)
                    if unbiased:
                        var = var * (M / (M - 1))
                    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(var))):
                        raise NonFiniteError("population_statistics met non-finite statistics; no layer was changed")
                    layer.state["moving_mean"][...] = mu     # stored for (5.18)
                    layer.state["moving_variance"][...] = var
                    statistics.append((mu, var))
                z = layer.call(z, False)                     # inference mode, on the new statistics
    except NonFiniteError:
        for layer, weights in zip(bn_layers, saved):
            layer.set_weights(weights)
        raise
    return statistics


def _check_population_args(model, X, unbiased) -> tuple[np.ndarray, bool]:
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a lib.layers.Sequential, got {type(model).__name__}")
    unbiased = _flag(unbiased, "unbiased")
    X = model._check_X(X)
    if unbiased and X.size // X.shape[-1] < 2 and any(isinstance(la, BatchNormalization) for la in model.layers):
        raise ValueError(f"X must hold at least 2 samples for the unbiased variance, got shape {X.shape}")
    return X, unbiased


def fold_batch_norm(model: Sequential) -> Sequential:
    """A new :class:`Sequential` for inference in which every ``Dense`` with a linear activation
    followed by a ``BatchNormalization`` becomes one ``Dense``: the lecture's prediction formula
    (5.18) folded into the preceding layer's weights.  With ``(a, c)`` of
    :meth:`BatchNormalization.inference_affine`::

        z' = a ⊙ (x W + b) + c = x W' + b',   W' = W · diag(a),   b' = a ⊙ b + c   (b = 0 without bias)

    The other layers are copied unchanged (a BN after a nonlinearity cannot be folded and stays);
    the original model is not modified.  Equal to ``model.predict`` up to rounding, not in training.
    """
    import copy

    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a lib.layers.Sequential, got {type(model).__name__}")
    model._require_built()
    layers, k = [], 0
    while k < len(model.layers):
        layer = model.layers[k]
        nxt = model.layers[k + 1] if k + 1 < len(model.layers) else None
        if isinstance(layer, Dense) and layer.activation == "linear" and isinstance(nxt, BatchNormalization):
            a, c = nxt.inference_affine()
            folded = Dense(layer.units, activation="linear", use_bias=True)
            folded.build(layer.input_shape, layer.dtype)
            folded.params["kernel"][...] = layer.params["kernel"] * a
            folded.params["bias"][...] = (layer.params["bias"] * a if layer.use_bias else 0) + c
            layers.append(folded)
            k += 2
        else:
            layers.append(copy.deepcopy(layer))
            k += 1
    new = Sequential(layers, label_smoothing=model.label_smoothing)
    new.build(model.input_shape, dtype=model.dtype)
    return new


class LayerNormalization(Layer):
    """Layer normalization, Keras' ``LayerNormalization(axis=-1, epsilon=1e-3)``: the statistics of
    each *sample* over its ``n`` features (last axis), the same in training and inference::

        μ = (1/n) Σ_j x_j,   σ² = (1/n) Σ_j (x_j − μ)²,   x̂ = (x − μ)/√(σ² + ε),   y = γ ⊙ x̂ + β
        ∂J/∂x = (1/n) / √(σ² + ε) · (n ∂J/∂x̂ − Σ_j ∂J/∂x̂_j − x̂ ⊙ Σ_j ∂J/∂x̂_j x̂_j),  ∂J/∂x̂ = δ ⊙ γ
    """

    _input_check = "last"

    def __init__(self, epsilon: float = 1e-3, center: bool = True, scale: bool = True) -> None:
        super().__init__()
        self.epsilon = _real(epsilon, "epsilon", low=0.0, high=math.inf, low_open=True)
        self.center = _flag(center, "center")
        self.scale = _flag(scale, "scale")

    def build(self, input_shape, dtype):
        super().build(input_shape, dtype)
        _build_gamma_beta(self, self.input_shape[-1])

    def call(self, x, training):
        mu = x.mean(axis=-1, keepdims=True)
        var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
        inv_std = 1 / np.sqrt(var + self.epsilon)
        x_hat = (x - mu) * inv_std
        y = x_hat
        if self.scale:
            y = y * self.params["gamma"]
        if self.center:
            y = y + self.params["beta"]
        return self._remember((x_hat, inv_std), y)

    def backprop(self, dy):
        x_hat, inv_std = self._cache
        axes = tuple(range(dy.ndim - 1))
        if self.scale:
            self.grads["gamma"] = (dy * x_hat).sum(axis=axes)
        if self.center:
            self.grads["beta"] = dy.sum(axis=axes)
        dx_hat = dy * self.params["gamma"] if self.scale else dy
        n = x_hat.shape[-1]
        return (inv_std / n) * (n * dx_hat - dx_hat.sum(axis=-1, keepdims=True)
                                - x_hat * (dx_hat * x_hat).sum(axis=-1, keepdims=True))

    def _describe(self):
        return f"epsilon={self.epsilon}"


# ----------------------------------------------------------------------------------------------
# noise: dropout and Gaussian noise (identity in inference)
# ----------------------------------------------------------------------------------------------
class Dropout(Layer):
    """Inverted dropout (lecture algorithm 5-8), Keras' ``Dropout(rate)``: in training each unit is
    kept with probability ``1 − rate`` and scaled by ``1/(1 − rate)`` so that the expected output is
    the input; in inference it is the identity (no rescaling needed)::

        r ~ Bernoulli(1 − rate),   a = x ⊙ r / (1 − rate),   ∂J/∂x = δ ⊙ r / (1 − rate)  (the same mask)
    """

    def __init__(self, rate: float, seed=None) -> None:
        super().__init__()
        self.rate = _real(rate, "rate", low=0.0, high=1.0, high_open=True)
        self.rng = as_generator(seed)

    def call(self, x, training):
        if not training or self.rate == 0:
            return self._remember(None, x)
        keep = self.rng.random(x.shape) >= self.rate  # r, True with probability 1 − rate
        mask = keep * x.dtype.type(1 / (1 - self.rate))
        return self._remember(mask, x * mask)

    def backprop(self, dy):
        mask = self._cache
        return dy if mask is None else dy * mask

    def _describe(self):
        return f"rate={self.rate}"


class GaussianNoise(Layer):
    """Keras' ``GaussianNoise(stddev)``: in training ``a = x + ε``, ``ε ~ N(0, stddev²)`` (the noise
    injection of the regularization notes); identity in inference; ``∂J/∂x = δ``."""

    def __init__(self, stddev: float, seed=None) -> None:
        super().__init__()
        self.stddev = _real(stddev, "stddev", low=0.0, high=math.inf)
        self.rng = as_generator(seed)

    def call(self, x, training):
        if not training or self.stddev == 0:
            return self._remember(True, x)
        noise = self.rng.standard_normal(x.shape).astype(x.dtype) * x.dtype.type(self.stddev)
        return self._remember(True, x + noise)

    def backprop(self, dy):
        return dy

    def _describe(self):
        return f"stddev={self.stddev}"


# ----------------------------------------------------------------------------------------------
# Sequential
# ----------------------------------------------------------------------------------------------
class Sequential:
    """A stack of layers whose output is the logits ``s``; the loss is softmax cross-entropy
    (lecture §5.1.3, (5.7)-(5.8)) with optional label smoothing, plus the layers' penalties::

        t = (1 − ls)·onehot(y) + ls/c          (label smoothing ls, c classes; ls = 0: one-hot)
        J = (1/m) Σ_i −Σ_j t_ij log softmax(s_i)_j  +  Σ_layers Ω
        δ = ∂J/∂s = (softmax(s) − t) / m,  then each layer's backward, last to first

    which is Keras' ``SparseCategoricalCrossentropy(from_logits=True)`` (``ls = 0``) and
    ``CategoricalCrossentropy(from_logits=True, label_smoothing=ls)`` on one-hot targets, with
    ``model.losses`` added.  The targets ``y`` are integer class ids in ``[0, c)`` (``(m,)``,
    taken as one-hot rows) or target distributions ``(m, c)``: rows of non-negative numbers summing
    to 1 (one-hot, smoothed, mixup or CutMix targets), smoothed again if ``ls > 0``, as Keras'
    ``CategoricalCrossentropy`` smooths whatever targets it gets.

    * ``params``: the trainable arrays themselves (an optimizer updates them in place), in the
      order of Keras' ``model.trainable_variables``; ``loss_and_grads`` returns gradients aligned
      with it.  ``get_weights()/set_weights()`` use Keras' ``model.get_weights()`` order.
    * The network is built on its first input (or by :meth:`build`); its dtype is that input's.
    * ``fit`` lives in :mod:`lib.training`; ``stop_training`` is the flag callbacks set;
      ``last_logits`` holds the logits of the last ``loss_and_grads`` (``fit`` logs Keras' training
      accuracy from them, without a second forward pass).
    """

    def __init__(self, layers: Sequence[Layer], loss: str = "sparse_categorical_crossentropy",
                 label_smoothing: float = 0.0) -> None:
        if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)):
            raise TypeError(f"layers must be a list of lib.layers layers, got {layers!r}")
        if len(layers) == 0:
            raise ValueError("layers must hold at least one layer, got an empty list")
        for k, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{k}] must be a lib.layers Layer, got {layer!r}")
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValueError("layers must not hold the same layer object twice")
        if loss != "sparse_categorical_crossentropy":
            raise ValueError(f"loss must be 'sparse_categorical_crossentropy' (on logits), got {loss!r}")
        self.layers: list[Layer] = list(layers)
        self.loss = loss
        self.label_smoothing = _real(label_smoothing, "label_smoothing", low=0.0, high=1.0)
        self.stop_training = False
        self.last_logits: np.ndarray | None = None
        self.built = False
        self.dtype: np.dtype | None = None
        self.input_shape: tuple | None = None

    def __repr__(self) -> str:
        inner = ", ".join(map(repr, self.layers))
        ls = f", label_smoothing={self.label_smoothing}" if self.label_smoothing else ""
        return f"Sequential([{inner}]{ls})"

    # -- building --------------------------------------------------------------------------------
    def build(self, input_shape_or_X, dtype=None) -> None:
        """Build every layer for inputs like ``X`` (an array: its shape and dtype) or of shape
        ``input_shape`` (a tuple, batch axis first, e.g. ``(None, 64)``; ``dtype`` default float64)."""
        if isinstance(input_shape_or_X, tuple) and all(d is None or isinstance(d, (int, np.integer))
                                                        for d in input_shape_or_X):
            shape = tuple(input_shape_or_X)
            if len(shape) < 2 or any(d is not None and d < 1 for d in shape[1:]) or None in shape[1:]:
                raise ValueError(f"input_shape must be (batch, n_1, …) with positive sizes, got {shape!r}")
            dt = np.dtype(np.float64 if dtype is None else dtype)
            if dt not in _FLOATS:
                raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
        else:
            X = _as_input(input_shape_or_X, "X")
            shape, dt = X.shape, X.dtype
        if self.built:
            self._check_shape(shape, "input_shape")
            return
        shape = (None, *shape[1:])
        out = shape
        for layer in self.layers:
            if layer.built:
                if layer.dtype != dt or layer.input_shape[1:] != tuple(out[1:]):
                    raise ValueError(f"{layer!r} was built for inputs {layer.input_shape} {layer.dtype}, "
                                     f"but receives {out} {dt} in this network")
            out = layer.output_shape(out)
        if len(out) != 2 or out[-1] < 2:
            raise ValueError(f"the last layer must output logits of shape (m, classes) with classes >= 2, "
                             f"got output shape {out}")
        out = shape
        for layer in self.layers:
            if not layer.built:
                layer.build(out, dt)
            out = layer.output_shape(out)
        self.built, self.dtype, self.input_shape, self.n_classes = True, dt, shape, int(out[-1])

    def _check_shape(self, shape, name):
        if tuple(shape[1:]) != self.input_shape[1:]:
            raise ValueError(f"{name} must have shape (m, {', '.join(map(str, self.input_shape[1:]))}) "
                             f"(the network was built for it), got shape {tuple(shape)}")

    def _check_X(self, X, name: str = "X") -> np.ndarray:
        X = _as_input(X, name)
        if not self.built:
            self.build(X)
        else:
            self._check_shape(X.shape, name)
        return X.astype(self.dtype, copy=False)

    # -- parameters ----------------------------------------------------------------------------
    @property
    def params(self) -> list[np.ndarray]:
        """The trainable arrays themselves, in Keras' ``model.trainable_variables`` order (empty
        until the network is built; the same array objects for its whole life)."""
        return [p for layer in self.layers for p in layer.params.values()]

    @property
    def grads(self) -> list[np.ndarray]:
        """The gradients of the last ``loss_and_grads``, aligned with :attr:`params`."""
        return [g for layer in self.layers for g in layer.grads.values()]

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight, in Keras' ``model.get_weights()`` order."""
        self._require_built()
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Copy ``weights`` (e.g. ``keras_model.get_weights()``) in; all checked before any is written."""
        self._require_built()
        counts = [len(layer.params) + len(layer.state) for layer in self.layers]
        if isinstance(weights, np.ndarray) or len(weights) != sum(counts):
            raise ValueError(f"weights must be a list of {sum(counts)} arrays (model.get_weights() order), "
                             f"got {len(weights)}")
        checked, k = [], 0
        for layer, n in zip(self.layers, counts):
            checked.append(layer._checked_weights(list(weights[k:k + n])))
            k += n
        for layer, new in zip(self.layers, checked):
            for w, v in zip((*layer.params.values(), *layer.state.values()), new):
                w[...] = v

    def _require_built(self):
        if not self.built:
            raise ValueError("the network is not built yet: call build(X) or forward(X) first")

    def penalty(self) -> float:
        """``Σ Ω`` over the layers (Keras' ``sum(model.losses)``)."""
        return float(sum(layer.penalty() for layer in self.layers))

    # -- passes --------------------------------------------------------------------------------
    def _forward(self, X: np.ndarray, training: bool) -> np.ndarray:
        a = X
        with np.errstate(over="ignore", invalid="ignore"):  # diverged weights: inf/NaN, reported by the loss
            for layer in self.layers:
                a = layer.call(a, training)
        return a

    def _loss(self, s: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
        """``(J without penalties, δ = ∂J/∂s)`` of the softmax cross-entropy against the targets ``t``
        (rows of class probabilities), smoothed to ``t' = (1 − ls)·t + ls/c``."""
        m, c = s.shape
        with np.errstate(over="ignore", invalid="ignore"):
            shifted = s - s.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # log softmax(s)
            t_logp = np.where(t > 0, t * logp, 0)  # t log softmax(s), with 0·log 0 = 0
            delta = np.exp(logp)  # δ = (softmax(s) − t') / m
            if self.label_smoothing == 0:
                e = -t_logp.sum(axis=1)  # −Σ_j t_j log softmax(s)_j
                delta -= t
            else:  # −Σ_j t'_j log softmax(s)_j with t' = (1 − ls)·t + ls/c, term by term
                ls = self.label_smoothing
                e = -(1 - ls) * t_logp.sum(axis=1) - (ls / c) * logp.sum(axis=1)
                delta -= s.dtype.type(ls / c)
                delta -= s.dtype.type(1 - ls) * t
            delta /= m
        return float(e.mean()), delta

    def forward(self, X, training: bool = False) -> np.ndarray:
        """The logits ``s`` for the batch ``X`` (``training=True``: dropout/noise active, batch
        statistics used and moving statistics updated)."""
        return self._forward(self._check_X(X), _flag(training, "training"))

    def predict(self, X) -> np.ndarray:
        """The model's output, the logits (as Keras' ``predict`` of this model), in inference mode."""
        return self.forward(X, training=False)

    def loss_and_grads(self, X, y, training: bool = True) -> tuple[float, list[np.ndarray]]:
        """``(J, [∂J/∂p for p in params])`` on the batch ``(X, y)`` by backpropagation; ``y`` integer
        labels ``(m,)`` or target distributions ``(m, c)``; ``J`` includes label smoothing and the
        penalties.  If the weights diverged, ``J`` is inf/NaN (the input is checked, the weights are
        not); a BN layer meeting inf/NaN raises :class:`NonFiniteError` instead and changes nothing."""
        X = self._check_X(X)
        t = check_targets(y, self.n_classes, X.shape[0], self.dtype)
        s = self._forward(X, _flag(training, "training"))
        self.last_logits = s  # this pass's logits (lib.training.fit's running accuracy)
        J, delta = self._loss(s, t)
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in reversed(self.layers[1:]):
                delta = layer.backprop(delta)
            first = self.layers[0]  # the gradient with respect to the data X is not needed
            first.backprop(delta, need_dx=False) if isinstance(first, (Dense, Maxout)) else first.backprop(delta)
        return J + self.penalty(), self.grads

    def evaluate(self, X, y) -> tuple[float, float]:
        """``(loss, accuracy)`` in inference mode: ``J`` (label smoothing and penalties included, as
        Keras' ``evaluate``) and the fraction of samples whose largest logit is the label (for
        target distributions: their largest target, as Keras' ``categorical_accuracy``)."""
        X = self._check_X(X)
        t = check_targets(y, self.n_classes, X.shape[0], self.dtype)
        s = self._forward(X, False)
        J, _ = self._loss(s, t)
        return J + self.penalty(), float(np.mean(np.argmax(s, axis=1) == np.argmax(t, axis=1)))

    def fit(self, X, y, optimizer, *, epochs: int, batch_size: int, validation_data=None, callbacks=(),
            shuffle: bool = True, seed=0, batch_transform=None):
        """Mini-batch training; see :func:`lib.training.fit`."""
        from lib.training import fit

        return fit(self, X, y, optimizer, epochs=epochs, batch_size=batch_size, validation_data=validation_data,
                   callbacks=callbacks, shuffle=shuffle, seed=seed, batch_transform=batch_transform)


# ----------------------------------------------------------------------------------------------
# from Keras
# ----------------------------------------------------------------------------------------------
def _regularizer_from_keras(reg, where: str):
    if reg is None:
        return None
    name = type(reg).__name__
    if name == "L1":
        return _regularizers.L1(float(reg.l1))
    if name == "L2":
        return _regularizers.L2(float(reg.l2))
    if name == "L1L2":
        return _regularizers.L1L2(float(reg.l1), float(reg.l2))
    raise ValueError(f"{where}: regularizer {reg!r} is not supported (only L1, L2, L1L2)")


def _layer_from_keras(kl) -> Layer | None:
    kind = type(kl).__name__
    cfg = kl.get_config()
    where = f"layer {kl.name!r} ({kind})"
    if kind == "InputLayer":
        return None
    if kind == "Dense":
        if not isinstance(cfg["activation"], str):
            raise ValueError(f"{where}: activation {cfg['activation']!r} is not supported")
        for extra in ("kernel_constraint", "bias_constraint", "activity_regularizer"):
            if cfg.get(extra) is not None:
                raise ValueError(f"{where}: {extra} is not supported")
        return Dense(cfg["units"], activation=cfg["activation"], use_bias=cfg["use_bias"],
                     kernel_regularizer=_regularizer_from_keras(kl.kernel_regularizer, where),
                     bias_regularizer=_regularizer_from_keras(kl.bias_regularizer, where))
    if kind == "Activation":
        if not isinstance(cfg["activation"], str):
            raise ValueError(f"{where}: activation {cfg['activation']!r} is not supported")
        return Activation(cfg["activation"])
    if kind == "ReLU" and cfg.get("max_value") is None and not cfg.get("negative_slope") and not cfg.get("threshold"):
        return Activation("relu")
    if kind == "LeakyReLU":
        return LeakyReLU(cfg["negative_slope"])
    if kind == "ELU":
        return ELU(cfg["alpha"])
    if kind == "PReLU":
        if cfg.get("shared_axes") is not None or kl.alpha_regularizer is not None:
            raise ValueError(f"{where}: shared_axes and alpha_regularizer are not supported")
        return PReLU()
    if kind == "BatchNormalization":
        axis = cfg["axis"]
        ndim = len(kl.input.shape) if getattr(kl, "_inbound_nodes", None) else None
        if axis not in (-1, [-1]) and not (ndim is not None and axis in (ndim - 1, [ndim - 1])):
            raise ValueError(f"{where}: only axis=-1 (the features) is supported, got axis={axis!r}")
        if cfg.get("renorm") or cfg.get("gamma_regularizer") or cfg.get("beta_regularizer"):
            raise ValueError(f"{where}: renorm and gamma/beta regularizers are not supported")
        return BatchNormalization(momentum=cfg["momentum"], epsilon=cfg["epsilon"], center=cfg["center"],
                                  scale=cfg["scale"])
    if kind == "LayerNormalization":
        if cfg["axis"] not in (-1, [-1]) or cfg.get("rms_scaling"):
            raise ValueError(f"{where}: only axis=-1 without rms_scaling is supported, got axis={cfg['axis']!r}")
        return LayerNormalization(epsilon=cfg["epsilon"], center=cfg["center"], scale=cfg["scale"])
    if kind == "Dropout":
        if cfg.get("noise_shape") is not None:
            raise ValueError(f"{where}: noise_shape is not supported")
        return Dropout(cfg["rate"], seed=cfg.get("seed"))
    if kind == "GaussianNoise":
        return GaussianNoise(cfg["stddev"], seed=cfg.get("seed"))
    raise ValueError(f"{where} has no lib.layers twin (supported: Dense, Activation, ReLU, LeakyReLU, ELU, PReLU, "
                     f"BatchNormalization, LayerNormalization, Dropout, GaussianNoise)")


def from_keras(keras_model, label_smoothing: float = 0.0) -> Sequential:
    """A :class:`Sequential` with the architecture and weights of a built ``keras.Sequential``
    (float32 or float64), ready to compare: same forward, loss, gradients and ``get_weights()``.
    Dropout/noise layers get Keras' seed (or None), so their random draws differ from Keras'."""
    if not hasattr(keras_model, "layers") or not hasattr(keras_model, "get_weights"):
        raise TypeError(f"keras_model must be a built keras.Sequential, got {type(keras_model).__name__}")
    if not keras_model.built:
        raise ValueError("keras_model must be built (give it an Input or call it once) before from_keras")
    layers = [layer for layer in map(_layer_from_keras, keras_model.layers) if layer is not None]
    model = Sequential(layers, label_smoothing=label_smoothing)
    dtype = np.dtype(keras_model.layers[0].dtype)
    model.build((None, *keras_model.input_shape[1:]), dtype=dtype)
    model.set_weights([np.asarray(w) for w in keras_model.get_weights()])
    return model
