"""The optimizers: the bookkeeping around the update rules of :mod:`lib.updates`.

One small class per algorithm, as in Keras: its hyperparameters are declared once, in a table of
:class:`Hyperparameter` entries (name, default, allowed values), which the constructor, the setters,
:meth:`Optimizer.get_config` and ``repr`` all read; a bad value is rejected when it is *set*, so a
step does not re-validate anything.  Every optimizer has the same two methods a training loop needs:

* ``lookahead(params)``: the point at which the caller must evaluate the gradient.  For every
  optimizer but :class:`NesterovLookahead` that is ``params`` itself (the very same object);
  Nesterov's look-ahead form returns new arrays ``w − α·β·v``.
* ``step(params, grads) -> params``: ``grads`` evaluated at ``lookahead(params)``, for a list (or
  tuple, or dict) of float32/float64 arrays; the arrays are updated in place and the same container
  is returned.  ``grads`` must match ``params`` in number (or keys) and shapes; gradients are cast to
  each parameter's dtype, so dtype in = dtype out.

So one loop drives them all::

    point = optimizer.lookahead(params)
    optimizer.step(params, gradient(point))

A step is all-or-nothing.  ``params``, ``grads`` and the learning rate are checked before anything is
written; after the update, the updated parameters and state are checked for finiteness, and if
anything overflowed or became NaN (a float32 gradient of 1e20 squares to ``inf``; ε = 0 divides 0 by
0), parameters, state and ``iterations`` are restored and ``FloatingPointError`` names the parameter
and the step.  A gradient that shares memory with its parameter (``step([w], [w])``) is copied first.

``state``: a dict from the notes' names to one array per parameter (a list aligned with ``params``,
or a dict with the same keys), created at the first step (or by :meth:`Optimizer.build`):

====================  ================================================================
optimizer             ``state``
====================  ================================================================
SGD (momentum > 0)    ``v`` velocity
Momentum              ``v`` EWMA of gradients (week-10 §6 ``v_dw``; boostcamp ``a``)
NesterovLookahead     ``v``
Adagrad               ``r`` sum of squared gradients (algorithm 5-3 ``r``)
RMSprop               ``s`` EWMA of g² (week-10 §7 ``S_dw``); ``v`` momentum buffer if momentum > 0;
                      ``g_avg`` EWMA of g if centered
Adadelta              ``s`` EWMA of g²; ``h`` EWMA of Δw² (the boostcamp post's ``H``)
Adam, AdamW           ``v`` first moment (week-10 §8 ``V_dw``); ``s`` second moment (``S_dw``);
                      ``s_max`` if amsgrad
Nadam                 ``v``, ``s`` as Adam; ``mu_product`` (a float, ∏ μ_i)
====================  ================================================================

The week-10 notes call Adam's first moment ``V`` and its second ``S``; the Adam paper and Keras call
them ``m`` and ``v``.  This module uses the notes' names throughout.  ``iterations`` counts the steps
taken (settable, as in Keras); the bias corrections use ``t = iterations + 1`` and a schedule is
evaluated at ``iterations``.  ``weight_decay`` (every optimizer) is decoupled decay as Keras applies
it before the update, ``w ← w − α·λ·w``; ``clipnorm`` / ``clipvalue`` / ``global_clipnorm`` clip the
gradients first, as in Keras.

Where the notes and Keras differ, the default is the notes' (lecture) form and an option gives
Keras'; :func:`lib.keras_compat.optimizer_from_keras` picks the options that reproduce a given
``tf.keras`` optimizer exactly.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator
from typing import Any, Literal, Union

import numpy as np

from lib import checks
from lib.checks import LearningRate
from lib.updates import (
    adadelta_update,
    adagrad_update,
    apply_weight_decay,
    momentum_update,
    nadam_update,
    nesterov_momentum_factor,
    rmsprop_update,
    sgd_update,
)

__all__ = [
    "Hyperparameter",
    "Optimizer",
    "SGD",
    "Momentum",
    "NesterovLookahead",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "Nadam",
]

Params = Union[list, tuple, dict]


# ==============================================================================================
# hyperparameters: declared once
# ==============================================================================================
class Hyperparameter:
    """One constructor argument of an optimizer: its default and its check, declared once.

    A class attribute ``beta_1 = Hyperparameter(0.9, "[0, 1)")`` gives the constructor argument
    ``beta_1=0.9``, an attribute whose setter rejects a value outside ``[0, 1)`` (so a step never
    re-validates), and an entry in ``get_config()`` and ``repr``.  ``spec`` is an interval (a float
    in it), ``bool``, a tuple of allowed values, or a function ``check(value, name) -> value``.
    ``optional=True`` allows ``None``; ``keyword_only=True`` for the options every optimizer shares.
    """

    def __init__(self, default: Any, spec: Any, *, optional: bool = False, keyword_only: bool = False) -> None:
        self.default = default
        self.spec = spec
        self.optional = optional
        self.keyword_only = keyword_only
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def check(self, value: Any) -> Any:
        if value is None and self.optional:
            return None
        if self.spec is bool:
            return checks.check_bool(value, self.name)
        if isinstance(self.spec, tuple):
            return checks.check_choice(value, self.name, self.spec)
        if isinstance(self.spec, str):
            return checks.check_float(value, self.name, self.spec, allow_none=self.optional)
        return self.spec(value, self.name)

    # No __get__: the value lives in the instance's __dict__ under the same name, so reading it is a
    # plain attribute lookup (a step reads a dozen of them); only setting goes through the check.
    def __set__(self, obj: Any, value: Any) -> None:
        new, old = self.check(value), obj.__dict__.get(self.name)
        obj.__dict__[self.name] = new
        try:
            obj._hyperparameter_changed(self.name)
        except ValueError:
            obj.__dict__[self.name] = old
            raise


# ==============================================================================================
# the private fast path of Adam (the kernel a reader sees is lib.updates.adam_update)
# ==============================================================================================
#: Elements per block when the Adam-type updates stream large arrays: a block of each array
#: (w, g, v, s and the scratch: 5 × 1 MiB in float32) stays in cache across the update's dozen
#: passes, so main memory sees each array about once per step.  The math is unchanged (elementwise).
BLOCK = 1 << 18


def _adam_folded(w: np.ndarray, g: np.ndarray, v: np.ndarray, s: np.ndarray, t: int, learning_rate: float,
                 beta_1: float, beta_2: float, epsilon_hat: float, inside: bool, s_max: np.ndarray | None,
                 tmp: np.ndarray) -> None:
    """Adam in the ε-hat form, ``w ← w − α_t·v/(√s + ε̂)`` (``inside``: ``α_t·v/√(s + ε̂)``), through one scratch array.

    The same numbers as :func:`lib.updates.adam_update` (``tests/test_optimizers.py`` compares them
    over many steps) with about half the passes over memory and no temporary arrays; the paper's
    form is this with ``ε̂ = ε·√(1 − β₂^t)``.
    """
    v *= beta_1
    np.multiply(g, 1.0 - beta_1, out=tmp)
    v += tmp
    s *= beta_2
    np.square(g, out=tmp)
    tmp *= 1.0 - beta_2
    s += tmp
    if s_max is not None:
        np.maximum(s_max, s, out=s_max)
        s = s_max
    alpha_t = learning_rate * math.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)
    if inside:
        np.add(s, epsilon_hat, out=tmp)
        np.sqrt(tmp, out=tmp)
    else:
        np.sqrt(s, out=tmp)
        tmp += epsilon_hat
    np.divide(v, tmp, out=tmp)
    tmp *= alpha_t
    w -= tmp


def _blocks(*arrays: np.ndarray | None) -> Iterator[tuple]:
    """Matching flat blocks of same-shape C-contiguous arrays (``None`` entries pass through).

    Arrays of at most :data:`BLOCK` elements, or any that is not C-contiguous, come back whole.
    """
    present = [a for a in arrays if a is not None]
    n = present[0].size
    if n <= BLOCK or not all(a.flags.c_contiguous for a in present):
        yield arrays
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    for start in range(0, n, BLOCK):
        yield tuple(None if f is None else f[start:start + BLOCK] for f in flat)


def _scratch_for(w: np.ndarray, scratch: np.ndarray | None) -> np.ndarray:
    """The scratch buffer shaped for ``w``'s block (a flat ``BLOCK``-sized buffer, or ``w``'s shape)."""
    if scratch is not None and w.size <= scratch.size:
        return scratch[: w.size].reshape(w.shape)
    return np.empty_like(w)


def _all_finite(a: np.ndarray) -> bool:
    """Whether every entry of ``a`` is finite, as cheaply as possible (it runs on every array a step writes)."""
    if a.size <= 16:  # a Python loop beats np.isfinite(a).all()'s reduction set-up on tiny arrays
        return all(map(math.isfinite, a.ravel().tolist()))
    if a.flags.c_contiguous:
        # a·a is inf or NaN if any entry is, and BLAS computes it in half the time of isfinite + all;
        # a non-finite a·a from huge *finite* entries (overflow of the squares) falls through to the
        # exact test below, so the answer is always exact
        flat = a.reshape(-1)
        if math.isfinite(float(np.dot(flat, flat))):
            return True
    return bool(np.isfinite(a).all())


# ==============================================================================================
# the base class
# ==============================================================================================
class Optimizer:
    """Base class: hyperparameters, state, ``iterations``, ``lookahead`` and the all-or-nothing ``step``.

    A subclass declares its hyperparameters as :class:`Hyperparameter` class attributes and defines
    ``_state_names()`` (its per-parameter state) and ``_update(w, g, state, lr, t, scratch)`` (one
    parameter, in place, by calling a rule of :mod:`lib.updates`).
    """

    learning_rate = Hyperparameter(0.01, checks.check_learning_rate)
    weight_decay = Hyperparameter(None, "[0, inf)", optional=True, keyword_only=True)
    clipnorm = Hyperparameter(None, "(0, inf)", optional=True, keyword_only=True)
    clipvalue = Hyperparameter(None, "(0, inf)", optional=True, keyword_only=True)
    global_clipnorm = Hyperparameter(None, "(0, inf)", optional=True, keyword_only=True)

    _uses_scratch: bool = False
    _hyperparameters: tuple[Hyperparameter, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect the class's hyperparameters (base first; a redefinition keeps its place) and its signature."""
        super().__init_subclass__(**kwargs)
        table: dict[str, Hyperparameter] = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                if isinstance(attr, Hyperparameter):
                    table[name] = attr
        positional = [h for h in table.values() if not h.keyword_only]
        keyword = [h for h in table.values() if h.keyword_only]
        cls._hyperparameters = tuple(positional + keyword)
        cls.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(h.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=h.default)
               for h in positional]
            + [inspect.Parameter(h.name, inspect.Parameter.KEYWORD_ONLY, default=h.default) for h in keyword]
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            bound = type(self).__signature__.bind(*args, **kwargs)  # type: ignore[attr-defined]
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}(): {exc}") from None
        bound.apply_defaults()
        self._iterations = 0
        self.state: dict[str, Any] = {}
        self._layout: tuple | None = None  # (is_dict, keys, shapes, dtypes, state names) once built
        self._scratch: dict[Any, np.ndarray] = {}
        self._snapshot: dict[Any, list[np.ndarray]] = {}
        self._stale = False
        for h in self._hyperparameters:
            setattr(self, h.name, bound.arguments[h.name])

    # ------------------------------------------------------------------ hyperparameters
    def _hyperparameter_changed(self, name: str) -> None:
        """Called by every setter: cross-checks, and whether the built state still fits."""
        clips = [n for n in ("clipnorm", "clipvalue", "global_clipnorm") if self.__dict__.get(n) is not None]
        if len(clips) > 1:
            raise ValueError(f"set at most one of clipnorm, clipvalue and global_clipnorm, got {', '.join(clips)}")
        if self.__dict__.get("_layout") is not None:
            self._stale = self._layout[4] != self._state_names()

    @property
    def iterations(self) -> int:
        """Number of steps taken so far (settable, as Keras' ``optimizer.iterations``)."""
        return self._iterations

    @iterations.setter
    def iterations(self, value: int) -> None:
        self._iterations = checks.check_int(value, "iterations", "[0, inf)")

    @property
    def current_learning_rate(self) -> float:
        """The learning rate the next step will use (the schedule evaluated at ``iterations``)."""
        lr = self.learning_rate
        if not callable(lr):
            return lr
        try:
            value = float(lr(self._iterations))
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"learning_rate schedule {lr!r} did not return a number at step {self._iterations}: {exc}"
            ) from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                f"learning_rate schedule {lr!r} returned {value!r} at step {self._iterations}; "
                "a learning rate must be a non-negative float"
            )
        return value

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments."""
        return {h.name: getattr(self, h.name) for h in self._hyperparameters}

    def __repr__(self) -> str:
        args = ", ".join(f"{h.name}={getattr(self, h.name)!r}" for h in self._hyperparameters
                         if not (h.keyword_only and getattr(self, h.name) is None))
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ state
    def _state_names(self) -> tuple[str, ...]:
        return ()

    def _init_state(self, name: str, w: np.ndarray) -> np.ndarray:
        return np.zeros_like(w)

    def _init_global_state(self) -> dict[str, Any]:
        return {}

    def build(self, params: Params) -> None:
        """Create the (zero) state for ``params`` without taking a step (the first ``step`` does it too)."""
        keys = self._check_params(params)
        if self._layout is None:
            self._build(params, keys)
        else:
            self._check_layout(params, keys)

    def _build(self, params: Params, keys: list) -> None:
        is_dict = isinstance(params, dict)
        self.state = {}
        for name in self._state_names():
            arrays = [self._init_state(name, params[k]) for k in keys]
            self.state[name] = dict(zip(keys, arrays)) if is_dict else arrays
        self._global_names = tuple(self._init_global_state())
        self.state.update(self._init_global_state())
        self._scratch = ({k: np.empty(min(params[k].size, BLOCK), params[k].dtype) for k in keys}
                         if self._uses_scratch else {})
        # one snapshot buffer per array a step writes (the parameter and its state), for the rollback
        self._snapshot = {k: [np.empty_like(params[k]) for _ in range(1 + len(self._state_names()))] for k in keys}
        self._layout = (is_dict, tuple(keys), tuple(params[k].shape for k in keys),
                        tuple(params[k].dtype for k in keys), self._state_names())
        self._stale = False

    def _check_layout(self, params: Params, keys: list) -> None:
        is_dict, keys0, shapes0, dtypes0, names0 = self._layout  # type: ignore[misc]
        if self._stale:
            raise ValueError(
                f"the optimizer's state {list(names0)} was built for other hyperparameters (now it would be "
                f"{list(self._state_names())}); call reset() after changing momentum, centered or amsgrad"
            )
        if is_dict != isinstance(params, dict) or tuple(keys) != keys0:
            what = f"keys {sorted(map(str, keys0))}" if is_dict else f"{len(keys0)} arrays in a list"
            raise ValueError(f"the optimizer's state was built for params with {what}; call reset() to use new params")
        for k, shape, dtype in zip(keys, shapes0, dtypes0):
            if params[k].shape != shape or params[k].dtype != dtype:
                raise ValueError(
                    f"params[{k!r}] has shape {params[k].shape} and dtype {params[k].dtype}, but the optimizer's "
                    f"state was built for shape {shape} and dtype {dtype}; call reset() to use new params"
                )

    def reset(self) -> None:
        """Forget the state and set ``iterations`` to 0."""
        self.state = {}
        self._layout = None
        self._scratch = {}
        self._snapshot = {}
        self._stale = False
        self._iterations = 0

    # ------------------------------------------------------------------ checks of params and grads
    @staticmethod
    def _check_params(params: Params) -> list:
        if isinstance(params, dict):
            keys = list(params)
        elif isinstance(params, (list, tuple)):
            keys = list(range(len(params)))
        else:
            raise TypeError(f"params must be a list, tuple or dict of NumPy arrays, got {type(params).__name__}")
        if not keys:
            raise ValueError("params is empty: nothing to optimize")
        for k in keys:
            w = params[k]
            if not isinstance(w, np.ndarray):
                raise TypeError(
                    f"params[{k!r}] must be a NumPy array (it is updated in place), got {type(w).__name__}"
                )
            if w.dtype != np.float64 and w.dtype != np.float32:
                raise TypeError(
                    f"params[{k!r}] must be a float32 or float64 array, got dtype {w.dtype}"
                    + (" (too few bits for the optimizer's state: use float32)" if w.dtype == np.float16 else "")
                )
            if not w.flags.writeable:
                raise ValueError(f"params[{k!r}] is read-only; the optimizer updates parameters in place")
        return keys

    def _check_grads(self, params: Params, grads: Any, keys: list, iterations: int) -> list[np.ndarray]:
        if isinstance(params, dict):
            if not isinstance(grads, dict):
                raise TypeError(
                    f"params is a dict, so grads must be a dict with the same keys, got {type(grads).__name__}"
                )
            if len(grads) != len(keys) or any(k not in grads for k in keys):
                missing = [k for k in keys if k not in grads]
                extra = [k for k in grads if k not in params]
                raise ValueError(f"grads must have the same keys as params: missing {missing}, unexpected {extra}")
        else:
            if not isinstance(grads, (list, tuple)):
                raise TypeError(f"params is a list, so grads must be a list of arrays, got {type(grads).__name__}")
            if len(grads) != len(keys):
                raise ValueError(
                    f"got {len(grads)} gradients for {len(keys)} parameters; pass one gradient per parameter"
                )
        out = []
        for k in keys:
            w, g = params[k], grads[k]
            if not isinstance(g, np.ndarray):
                try:
                    g = np.asarray(g)
                except (TypeError, ValueError):
                    raise TypeError(
                        f"grads[{k!r}] must be an array of real numbers, got {type(grads[k]).__name__}"
                    ) from None
            if g.dtype.kind not in "iuf":
                raise TypeError(f"grads[{k!r}] must be an array of real numbers, got dtype {g.dtype}")
            if g.shape != w.shape:
                raise ValueError(f"grads[{k!r}] has shape {g.shape}, but params[{k!r}] has shape {w.shape}")
            if g.dtype != w.dtype:
                with np.errstate(over="ignore"):
                    g = g.astype(w.dtype)  # a new array
            elif self.weight_decay is not None and np.may_share_memory(g, w):
                # step([w], [w]): weight decay writes w before the update reads g (the rules in
                # lib.updates read all of g before they write w, so only the decay needs the copy)
                g = g.copy()
            if not _all_finite(g):
                bad = tuple(int(i) for i in np.argwhere(~np.isfinite(g))[0])
                cast = "" if g.dtype == np.asarray(grads[k]).dtype else f" (after conversion to {g.dtype})"
                raise FloatingPointError(
                    f"non-finite gradient for params[{k!r}] at step {iterations + 1} (iterations={iterations}): "
                    f"{g[bad]} at index {bad}{cast}; no parameter, state or iterations was changed"
                )
            out.append(g)
        return out

    def _clip(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """Keras' gradient clipping (new arrays; the caller's gradients are never modified)."""
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:  # per tensor: g·c / max(‖g‖, c)
            c = self.clipnorm
            return [g * c / max(float(np.sqrt(np.sum(g * g))), c) for g in grads]
        if self.global_clipnorm is not None:  # all tensors together: g·c·min(1/‖G‖, 1/c)
            c = self.global_clipnorm
            norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
            scale = c * min(1.0 / norm if norm > 0 else math.inf, 1.0 / c)
            return [g * scale for g in grads]
        return grads

    # ------------------------------------------------------------------ the protocol
    def lookahead(self, params: Params) -> Params:
        """Where the gradient for the next :meth:`step` must be evaluated: ``params`` itself here.

        (:class:`NesterovLookahead` overrides it.)  A training loop calls
        ``step(params, gradient(lookahead(params)))`` and works with every optimizer.
        """
        return params

    def step(self, params: Params, grads: Any) -> Params:
        """Update ``params`` in place with ``grads`` (evaluated at ``lookahead(params)``) and return ``params``.

        All-or-nothing: bad input raises before anything is written, and a step that would leave a
        non-finite parameter or state entry is undone (``FloatingPointError``).
        """
        keys = self._check_params(params)
        grads = self._check_grads(params, grads, keys, self._iterations)
        lr = self.current_learning_rate
        first = self._layout is None
        if first:
            self._build(params, keys)
        else:
            self._check_layout(params, keys)
        try:
            self._commit(params, keys, self._clip(grads), lr)
        except FloatingPointError:
            if first:  # a failed first step leaves the optimizer unbuilt, as it found it
                self.state, self._layout, self._scratch, self._snapshot = {}, None, {}, {}
            raise
        return params

    def _commit(self, params: Params, keys: list, grads: list[np.ndarray], lr: float) -> None:
        """Snapshot what the step writes, update every parameter, check it all for finiteness, count the step.

        The snapshot buffers are allocated once (at build); restoring from them happens only on failure.
        """
        t = self._iterations + 1
        names = self._layout[4]  # type: ignore[index]
        written = []  # per parameter: [w, its state arrays…], the arrays this step writes
        for k in keys:
            arrays = [params[k]] + [self.state[name][k] for name in names]
            for buffer, a in zip(self._snapshot[k], arrays):
                np.copyto(buffer, a)
            written.append(arrays)
        saved_globals = {name: self.state[name] for name in self._global_names}
        if self.__dict__.get("epsilon") == 0:  # the notes' formulas without ε: 0/0 is caught below
            with np.errstate(divide="ignore", invalid="ignore"):
                self._apply(params, keys, grads, lr, t)
        else:
            self._apply(params, keys, grads, lr, t)
        for k, arrays in zip(keys, written):
            for label, a in zip(("params",) + names, arrays):
                if not _all_finite(a):
                    message = self._non_finite_message(k, label, a, t)
                    for kk, arrays_ in zip(keys, written):
                        for buffer, a_ in zip(self._snapshot[kk], arrays_):
                            np.copyto(a_, buffer)
                    self.state.update(saved_globals)
                    raise FloatingPointError(message)
        self._iterations = t

    def _apply(self, params: Params, keys: list, grads: list[np.ndarray], lr: float, t: int) -> None:
        """Weight decay, then the update rule, for every parameter (in place)."""
        self._begin_step(t)
        names = self._layout[4]  # type: ignore[index]
        for k, g in zip(keys, grads):
            w = params[k]
            if self.weight_decay is not None:
                apply_weight_decay(w, lr, self.weight_decay)
            self._update(w, g, {name: self.state[name][k] for name in names}, lr, t, self._scratch.get(k))

    def _non_finite_message(self, k: Any, label: str, a: np.ndarray, t: int) -> str:
        where = f"params[{k!r}]" if label == "params" else f"state[{label!r}][{k!r}] of params[{k!r}]"
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        if self.__dict__.get("epsilon") == 0:
            cause = "epsilon=0 divides 0 by 0 where a gradient and its accumulator are both zero; use epsilon > 0"
        else:
            cause = f"overflow in {a.dtype} (the gradient or the learning rate is too large)"
        return (f"non-finite value in {where} at step {t} (iterations={t - 1}), index {bad}: {cause}. "
                "No parameter, state or iterations was changed")

    def _begin_step(self, t: int) -> None:
        """Per-step (not per-parameter) state changes, e.g. Nadam's Π_t."""

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], lr: float, t: int,
                scratch: np.ndarray | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


# ==============================================================================================
# the algorithms
# ==============================================================================================
class SGD(Optimizer):
    """Gradient descent with optional momentum, in Keras' velocity form — see :func:`lib.updates.sgd_update`.

    ``SGD(α)`` is the lecture's plain gradient descent ``w ← w − α·g`` (algorithm 5-1, week-10
    notes §1); ``momentum=μ`` gives ``v ← μv − αg, w ← w + v`` (university lecture eq. 5.12) and
    ``nesterov=True`` Keras' reformulated Nesterov momentum.  Same arguments and defaults as
    ``keras.optimizers.SGD``.  State: ``v`` (only when ``momentum > 0``).
    """

    learning_rate = Hyperparameter(0.01, checks.check_learning_rate)
    momentum = Hyperparameter(0.0, "[0, 1)")
    nesterov = Hyperparameter(False, bool)

    def _state_names(self) -> tuple[str, ...]:
        return ("v",) if self.momentum > 0 else ()

    def _update(self, w, g, state, lr, t, scratch):
        sgd_update(w, g, state.get("v"), learning_rate=lr, momentum=self.momentum, nesterov=self.nesterov)


class Momentum(Optimizer):
    """Momentum as the week-10 notes §6 write it: ``v ← βv + (1 − β)g, w ← w − αv`` — see :func:`lib.updates.momentum_update`.

    ``dampening=False`` drops the ``(1 − β)`` (the boostcamp post's ``a ← βa + g``; the
    university lecture's eq. 5.12 with ``ρ`` folded into ``v``).  Converting to Keras: this is
    ``keras.optimizers.SGD(learning_rate=α·(1 − β), momentum=β)`` (damped) or
    ``SGD(learning_rate=α, momentum=β)`` (undamped); Keras' velocity is ``−α·v`` in both cases.
    State: ``v``.
    """

    learning_rate = Hyperparameter(0.01, checks.check_learning_rate)
    beta = Hyperparameter(0.9, "[0, 1)")
    dampening = Hyperparameter(True, bool)

    def _state_names(self) -> tuple[str, ...]:
        return ("v",)

    def _update(self, w, g, state, lr, t, scratch):
        momentum_update(w, g, state["v"], learning_rate=lr, beta=self.beta, dampening=self.dampening)


class NesterovLookahead(Momentum):
    """Nesterov's accelerated gradient in its look-ahead form (boostcamp post §3; university lecture algorithm 5-2)::

        g = ∇L(w − α·β·v)                 the gradient at the look-ahead point
        v ← β·v + g                       (dampening=True: β·v + (1 − β)·g)
        w ← w − α·v

    The caller evaluates the gradient at :meth:`lookahead` ``(params)`` (new arrays ``w − α·β·v``,
    after weight decay if any) and passes it to :meth:`step`, as for every optimizer.

    Keras' ``SGD(learning_rate=α, momentum=β, nesterov=True)`` is the same method written in the
    look-ahead point ``φ = w − αβv``: started from the same point, Keras' iterate equals our ``φ`` at
    every step (for ``dampening=False``; ``tests/test_optimizers.py`` checks it).
    Algorithm 5-2's ``θ̃ = θ + αv, v ← αv − ρg, θ ← θ + v`` is this with ``v_5-2 = −ρ·v``.
    State: ``v``.
    """

    dampening = Hyperparameter(False, bool)

    def lookahead(self, params: Params) -> Params:
        """The look-ahead point ``w − α·β·v`` (after weight decay, if any), as new arrays in ``params``' container."""
        keys = self._check_params(params)
        if self._layout is not None:
            self._check_layout(params, keys)
        lr = self.current_learning_rate
        out: dict | list = {} if isinstance(params, dict) else [None] * len(keys)
        for k in keys:
            w = params[k]
            point = w - w * self.weight_decay * lr if self.weight_decay is not None else w.copy()
            if self._layout is not None:
                point -= self.state["v"][k] * (lr * self.beta)
            out[k] = point
        return tuple(out) if isinstance(params, tuple) else out


class Adagrad(Optimizer):
    """AdaGrad (university lecture algorithm 5-3) — see :func:`lib.updates.adagrad_update`.

    Lecture defaults: ``r`` starts at 0 and ``ε`` is outside the root, ``α/(ε + √r)``.  Keras:
    ``initial_accumulator_value=0.1, epsilon_placement="inside"`` (``α/√(r + ε)``, as the
    boostcamp post writes it).  State: ``r``.
    """

    learning_rate = Hyperparameter(0.001, checks.check_learning_rate)
    initial_accumulator_value = Hyperparameter(0.0, "[0, inf)")
    epsilon = Hyperparameter(1e-7, "[0, inf)")
    epsilon_placement = Hyperparameter("outside", ("outside", "inside"))

    def _state_names(self) -> tuple[str, ...]:
        return ("r",)

    def _init_state(self, name, w):
        return np.full_like(w, self.initial_accumulator_value)

    def _update(self, w, g, state, lr, t, scratch):
        adagrad_update(w, g, state["r"], learning_rate=lr, epsilon=self.epsilon,
                       epsilon_placement=self.epsilon_placement)


class RMSprop(Optimizer):
    """RMSProp (week-10 notes §7; university lecture algorithm 5-4) — see :func:`lib.updates.rmsprop_update`.

    ``rho`` is the notes' ``β₂`` (algorithm 5-4's ``α``).  Lecture default: ``ε`` outside the root,
    ``α·g/(√s + ε)``; Keras: ``epsilon_placement="inside"`` (``α·g/√(s + ε)``, as the boostcamp
    post writes it).  ``momentum`` and ``centered`` are Keras' variants.
    State: ``s``; ``v`` if ``momentum > 0``; ``g_avg`` if ``centered``.
    """

    learning_rate = Hyperparameter(0.001, checks.check_learning_rate)
    rho = Hyperparameter(0.9, "[0, 1)")
    momentum = Hyperparameter(0.0, "[0, 1)")
    epsilon = Hyperparameter(1e-8, "[0, inf)")
    centered = Hyperparameter(False, bool)
    epsilon_placement = Hyperparameter("outside", ("outside", "inside"))

    def _state_names(self) -> tuple[str, ...]:
        return ("s",) + (("v",) if self.momentum > 0 else ()) + (("g_avg",) if self.centered else ())

    def _update(self, w, g, state, lr, t, scratch):
        rmsprop_update(w, g, state["s"], learning_rate=lr, rho=self.rho, epsilon=self.epsilon,
                       epsilon_placement=self.epsilon_placement, momentum=self.momentum,
                       v=state.get("v"), g_avg=state.get("g_avg"))


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012; boostcamp post §5) — see :func:`lib.updates.adadelta_update`.

    Paper defaults (``learning_rate=1``: Adadelta needs none, ``rho=0.95``, ``ε=1e-6``); Keras
    multiplies the step by its ``learning_rate`` (default 0.001) and uses ``ε=1e-7``.
    State: ``s`` (EWMA of g²), ``h`` (EWMA of Δw²).
    """

    learning_rate = Hyperparameter(1.0, checks.check_learning_rate)
    rho = Hyperparameter(0.95, "[0, 1)")
    epsilon = Hyperparameter(1e-6, "[0, inf)")

    def _state_names(self) -> tuple[str, ...]:
        return ("s", "h")

    def _update(self, w, g, state, lr, t, scratch):
        adadelta_update(w, g, state["s"], state["h"], learning_rate=lr, rho=self.rho, epsilon=self.epsilon)


class Adam(Optimizer):
    """Adam (week-10 notes §8) — see :func:`lib.updates.adam_update`.

    Defaults are the notes' (and the paper's): ``α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8`` added
    to ``√ŝ`` after bias correction (``epsilon_placement="outside"``).  tf.keras' ``Adam`` is
    ``epsilon_placement="hat", epsilon=1e-7``; ``"inside"`` is the boostcamp post's form.
    ``amsgrad=True`` is AMSGrad.  State: ``v`` (first moment), ``s`` (second moment), ``s_max``
    (AMSGrad only).

    The step runs a folded form of :func:`lib.updates.adam_update` (both bias corrections in the
    step size, ``ε̂ = ε·√(1 − β₂^t)`` for the paper's ε), which makes about half the passes over
    memory; ``tests/test_optimizers.py`` checks that the two agree over many steps.
    """

    learning_rate = Hyperparameter(0.001, checks.check_learning_rate)
    beta_1 = Hyperparameter(0.9, "[0, 1)")
    beta_2 = Hyperparameter(0.999, "[0, 1)")
    epsilon = Hyperparameter(1e-8, "[0, inf)")
    amsgrad = Hyperparameter(False, bool)
    epsilon_placement = Hyperparameter("outside", ("outside", "hat", "inside"))
    _uses_scratch = True

    def _state_names(self) -> tuple[str, ...]:
        return ("v", "s", "s_max") if self.amsgrad else ("v", "s")

    def _update(self, w, g, state, lr, t, scratch):
        placement = self.epsilon_placement
        # the paper's ε after bias correction is ε̂ = ε·√(1 − β₂^t) before it (lib.updates.adam_update)
        eps_hat = self.epsilon * math.sqrt(1.0 - self.beta_2**t) if placement == "outside" else self.epsilon
        for w_, g_, v_, s_, s_max_ in _blocks(w, g, state["v"], state["s"], state.get("s_max")):
            _adam_folded(w_, g_, v_, s_, t, lr, self.beta_1, self.beta_2, eps_hat, placement == "inside", s_max_,
                         _scratch_for(w_, scratch))


def _adamw_weight_decay(value: Any, name: str) -> float:
    if value is None:
        raise ValueError(f"{name} must be a non-negative float for AdamW (use Adam for no decay), got None")
    return checks.check_float(value, name, "[0, inf)")


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter): Adam with decoupled weight decay ``w ← w − α·λ·w`` before each Adam update.

    The decay does not pass through ``v`` and ``s`` — unlike an L2 term ``λ‖w‖²`` in the loss,
    whose gradient Adam would rescale per coordinate.  As in Keras (and PyTorch) the decay is scaled by
    the current learning rate ``α``; ``weight_decay`` defaults to Keras' 0.004 and cannot be None.
    """

    weight_decay = Hyperparameter(0.004, _adamw_weight_decay, keyword_only=True)


class Nadam(Optimizer):
    """Nadam (Dozat 2016): Adam with Nesterov momentum — see :func:`lib.updates.nadam_update`.

    ``momentum_decay`` is ψ in the momentum schedule ``μ_t = β₁(1 − ½·0.96^(ψt))``: the paper
    (and PyTorch) use ψ = 0.004, tf.keras 3 uses ``0.96^t``, i.e. ψ = 1
    (:func:`lib.keras_compat.optimizer_from_keras` sets it).
    State: ``v``, ``s`` and the float ``mu_product`` = Π_t = μ_1·…·μ_t.
    """

    learning_rate = Hyperparameter(0.001, checks.check_learning_rate)
    beta_1 = Hyperparameter(0.9, "[0, 1)")
    beta_2 = Hyperparameter(0.999, "[0, 1)")
    epsilon = Hyperparameter(1e-8, "[0, inf)")
    momentum_decay = Hyperparameter(0.004, "[0, inf)")
    _uses_scratch = True

    def _state_names(self) -> tuple[str, ...]:
        return ("v", "s")

    def _init_global_state(self) -> dict[str, Any]:
        return {"mu_product": 1.0}

    def _begin_step(self, t: int) -> None:
        self.state["mu_product"] *= nesterov_momentum_factor(t, self.beta_1, self.momentum_decay)

    def _update(self, w, g, state, lr, t, scratch):
        mu_t = nesterov_momentum_factor(t, self.beta_1, self.momentum_decay)
        mu_next = nesterov_momentum_factor(t + 1, self.beta_1, self.momentum_decay)
        for w_, g_, v_, s_ in _blocks(w, g, state["v"], state["s"]):
            nadam_update(w_, g_, v_, s_, t, learning_rate=lr, beta_1=self.beta_1, beta_2=self.beta_2,
                         epsilon=self.epsilon, mu_t=mu_t, mu_next=mu_next, mu_product=self.state["mu_product"],
                         tmp=_scratch_for(w_, scratch))
