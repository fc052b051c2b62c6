"""Everything that converts between ``lib`` and tf.keras, in one place.

``lib``'s algorithms are NumPy only; the book compares them with tf.keras.  This module holds the
whole translation:

* :func:`optimizer_from_keras` — the :mod:`lib.optimizers` optimizer that reproduces a Keras optimizer
  (its configuration, ε convention, weight decay, clipping, schedule, and state if it has stepped);
* :func:`schedule_from_keras` / :func:`schedule_from_config` — the :mod:`lib.schedules` schedule equal to a
  ``keras.optimizers.schedules`` object (or its serialized config);
* :data:`KERAS_STATE` — which Keras optimizer variable holds each of our state arrays;
* :func:`keras_trajectory` — the iterates of a Keras optimizer on a :mod:`lib.landscapes` landscape,
  shaped like :func:`lib.runner.run`'s, for the chapters' side-by-side comparisons.

Only :func:`keras_trajectory` imports TensorFlow (through :func:`lib.notebook.import_tensorflow`);
the conversions read just a Keras object's class name, ``get_config()`` and variables.
"""

from __future__ import annotations

import inspect
import numbers
from typing import Any

import numpy as np

from lib import checks
from lib import optimizers as O
from lib import schedules as S
from lib.notebook import import_tensorflow

__all__ = ["KERAS_STATE", "keras_state_names", "optimizer_from_keras", "schedule_from_config",
           "schedule_from_keras", "keras_trajectory"]

#: Our optimizer class -> {our state name: the attribute of the tf.keras optimizer holding that variable}.
KERAS_STATE: dict[type, dict[str, str]] = {
    O.SGD: {"v": "momentums"},
    O.Adagrad: {"r": "_accumulators"},
    O.RMSprop: {"s": "_velocities", "v": "_momentums", "g_avg": "_average_gradients"},
    O.Adadelta: {"s": "_accumulated_grads", "h": "_accumulated_delta_vars"},
    O.Adam: {"v": "_momentums", "s": "_velocities", "s_max": "_velocity_hats"},  # and AdamW
    O.Nadam: {"v": "_momentums", "s": "_velocities", "mu_product": "_u_product"},
}


def keras_state_names(optimizer: O.Optimizer) -> dict[str, str]:
    """``{our state name: Keras attribute}`` for ``optimizer``'s class (empty if Keras has no counterpart)."""
    for cls in type(optimizer).__mro__:
        if cls in KERAS_STATE:
            return KERAS_STATE[cls]
    return {}


# ----------------------------------------------------------------------------------------------
# schedules
# ----------------------------------------------------------------------------------------------
_KERAS_SCHEDULES: dict[str, type[S.LearningRateSchedule]] = {
    "ExponentialDecay": S.ExponentialDecay,
    "InverseTimeDecay": S.InverseTimeDecay,
    "PiecewiseConstantDecay": S.PiecewiseConstantDecay,
    "PolynomialDecay": S.PolynomialDecay,
    "CosineDecay": S.CosineDecay,
    "CosineDecayRestarts": S.CosineDecayRestarts,
}


def schedule_from_config(class_name: str, config: dict[str, Any]) -> S.LearningRateSchedule:
    """Our schedule for a Keras schedule given by its class name and ``get_config()`` dict.

    An optimizer's ``get_config()["learning_rate"]`` holds a schedule as ``{"class_name": ...,
    "config": {...}}``: convert it with ``schedule_from_config(d["class_name"], d["config"])``.
    """
    if class_name not in _KERAS_SCHEDULES:
        raise NotImplementedError(
            f"no lib.schedules equivalent for Keras schedule {class_name!r}; supported: {sorted(_KERAS_SCHEDULES)}"
        )
    cls = _KERAS_SCHEDULES[class_name]
    kwargs = {k: v for k, v in config.items() if k != "name"}
    if class_name == "CosineDecay" and kwargs.get("warmup_target") is None:
        kwargs.pop("warmup_steps", None)  # Keras ignores warmup_steps without a warmup_target
    unknown = set(kwargs) - set(inspect.signature(cls).parameters)
    if unknown:
        raise NotImplementedError(f"Keras {class_name} option(s) {sorted(unknown)} are not supported")
    return cls(**kwargs)


def schedule_from_keras(keras_schedule: Any) -> S.LearningRateSchedule:
    """The :mod:`lib.schedules` schedule equal to a ``keras.optimizers.schedules`` object.

    Uses only the object's class name and ``get_config()``.  Raises ``NotImplementedError`` for
    custom schedules and ``TypeError`` for anything that is not a schedule.
    """
    if not hasattr(keras_schedule, "get_config") or not callable(keras_schedule):
        raise TypeError(f"keras_schedule must be a Keras LearningRateSchedule, got {type(keras_schedule).__name__}")
    return schedule_from_config(type(keras_schedule).__name__, keras_schedule.get_config())


# ----------------------------------------------------------------------------------------------
# optimizers
# ----------------------------------------------------------------------------------------------
_UNSUPPORTED_KERAS = {
    "use_ema": lambda v: bool(v),
    "gradient_accumulation_steps": lambda v: v is not None,
    "loss_scale_factor": lambda v: v is not None,
}


def _learning_rate(config: dict[str, Any]) -> checks.LearningRate:
    lr = config["learning_rate"]
    if isinstance(lr, dict):
        if lr.get("module") != "keras.optimizers.schedules" or "class_name" not in lr:
            raise NotImplementedError(f"cannot convert the Keras learning rate {lr.get('class_name', lr)!r}")
        return schedule_from_config(lr["class_name"], lr["config"])
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise NotImplementedError(f"cannot convert the Keras learning rate {lr!r} (a callable without a config?)")
    return float(lr)


def optimizer_from_keras(keras_optimizer: Any) -> O.Optimizer:
    """The :mod:`lib.optimizers` optimizer that reproduces a ``tf.keras`` optimizer exactly.

    Handles ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``, ``Adadelta`` and ``Nadam``, with
    their configuration (including the ε convention), ``weight_decay``, gradient clipping and a
    ``keras.optimizers.schedules`` learning rate (converted with :func:`schedule_from_config`).
    If the Keras optimizer has already taken steps, ``iterations`` and its state (as lists aligned
    with the variables it was built on) are copied too.  Settings with no counterpart here
    (``use_ema``, ``gradient_accumulation_steps``, ``loss_scale_factor``, variables excluded from weight
    decay) raise ``NotImplementedError`` naming the setting instead of being ignored.

    "Exactly" has one caveat, in float64: Keras casts several Python-float hyperparameters
    (``momentum``, ``beta_1``, ``beta_2``, ``rho``, the learning rate, Adagrad's initial accumulator …)
    through float32 before casting them to the variables' dtype (``ops.cast(0.9, "float64")`` is
    0.8999999761581421).  The optimizer returned here keeps the configured values (apart from
    Adagrad's accumulator), so with float64 variables it agrees with Keras to about 1e-7 relative
    unless the values are float32-representable (0.875, 2⁻⁵ …), when the agreement is to rounding
    error; in float32 the two agree to float32 rounding either way.
    """
    name = type(keras_optimizer).__name__
    if not hasattr(keras_optimizer, "get_config"):
        raise TypeError(f"keras_optimizer must be a keras.optimizers.Optimizer, got {name}")
    config = keras_optimizer.get_config()
    for key, is_set in _UNSUPPORTED_KERAS.items():
        if is_set(config.get(key)):
            raise NotImplementedError(f"Keras setting {key}={config[key]!r} has no counterpart in lib.optimizers")
    if getattr(keras_optimizer, "_exclude_from_weight_decay", None) or getattr(
        keras_optimizer, "_exclude_from_weight_decay_pattern", None
    ) is not None:
        raise NotImplementedError("Keras exclude_from_weight_decay(...) has no counterpart in lib.optimizers")

    common = {"learning_rate": _learning_rate(config)}
    for key in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
        # Keras skips clipping for a clip value of 0 ("if self.clipnorm and self.clipnorm > 0")
        value = config.get(key)
        common[key] = value if value or key == "weight_decay" else None
    c = config
    if name == "SGD":
        opt: O.Optimizer = O.SGD(momentum=float(c["momentum"]), nesterov=bool(c["nesterov"]), **common)
    elif name in ("Adam", "AdamW"):
        cls = O.Adam if name == "Adam" else O.AdamW
        opt = cls(beta_1=c["beta_1"], beta_2=c["beta_2"], epsilon=c["epsilon"], amsgrad=c["amsgrad"],
                  epsilon_placement="hat", **common)
    elif name == "RMSprop":
        opt = O.RMSprop(rho=c["rho"], momentum=c["momentum"], epsilon=c["epsilon"], centered=c["centered"],
                        epsilon_placement="inside", **common)
    elif name == "Adagrad":
        opt = O.Adagrad(initial_accumulator_value=float(np.float32(c["initial_accumulator_value"])),
                        epsilon=c["epsilon"], epsilon_placement="inside", **common)
    elif name == "Adadelta":
        opt = O.Adadelta(rho=c["rho"], epsilon=c["epsilon"], **common)
    elif name == "Nadam":
        opt = O.Nadam(beta_1=c["beta_1"], beta_2=c["beta_2"], epsilon=c["epsilon"], momentum_decay=1.0, **common)
    else:
        raise NotImplementedError(
            f"no lib.optimizers counterpart for Keras optimizer {name}; supported: "
            "SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Nadam"
        )

    iterations = getattr(keras_optimizer, "iterations", None)
    if iterations is not None:
        opt.iterations = int(np.asarray(iterations.numpy() if hasattr(iterations, "numpy") else iterations))
    if getattr(keras_optimizer, "built", False) and getattr(keras_optimizer, "_trainable_variables", None):
        _copy_keras_state(opt, keras_optimizer)
    return opt


def _copy_keras_state(opt: O.Optimizer, keras_optimizer: Any) -> None:
    """Copy a built Keras optimizer's variables into ``opt.state`` (lists aligned with its variables)."""
    def value(x: Any) -> np.ndarray:
        return np.array(x.numpy() if hasattr(x, "numpy") else x)

    variables = [value(v) for v in keras_optimizer._trainable_variables]
    opt.build(variables)
    for ours, theirs in keras_state_names(opt).items():
        if ours not in opt.state:
            continue
        keras_value = getattr(keras_optimizer, theirs)
        if isinstance(opt.state[ours], list):
            for array, x in zip(opt.state[ours], keras_value):
                np.copyto(array, value(x), casting="unsafe")
        else:
            opt.state[ours] = float(value(keras_value))


# ----------------------------------------------------------------------------------------------
# trajectories on a landscape
# ----------------------------------------------------------------------------------------------
def keras_trajectory(keras_optimizer: Any, landscape: Any, w0: Any, steps: int, *, dtype: Any = np.float64,
                     compiled: bool = False) -> np.ndarray:
    """The iterates of a tf.keras optimizer on a landscape, shape ``(steps + 1, d)``, as :func:`lib.runner.run`.

    The comparison every optimizer chapter makes: a ``tf.Variable`` starts at ``w0`` (in ``dtype``) and
    at each step the optimizer's ``apply_gradients`` receives ``landscape.grad`` evaluated at Keras'
    *own* current point, so the two runs are independent and any difference accumulates.  With
    ``compiled=True`` the update runs in a ``tf.function`` (faster for long runs; the same update).
    A used optimizer keeps its state and ``iterations``: pass a fresh one.
    """
    steps = checks.check_int(steps, "steps", "[0, inf)")
    if not callable(getattr(keras_optimizer, "apply_gradients", None)):
        raise TypeError(f"keras_optimizer must be a keras.optimizers.Optimizer, got {type(keras_optimizer).__name__}")
    tf = import_tensorflow()
    var = tf.Variable(np.array(w0, dtype=dtype))

    def apply(g: Any) -> None:
        keras_optimizer.apply_gradients([(g, var)])

    if compiled:
        apply = tf.function(apply)
    rows = [var.numpy().copy()]
    for _ in range(steps):
        apply(tf.constant(np.asarray(landscape.grad(var.numpy()), dtype=dtype)))
        rows.append(var.numpy().copy())
    return np.array(rows)
