"""Layer-sequential unit-variance (LSUV) initialization, Mishkin & Matas (2016), "All you need is a
good init" — one of the "other methods" of the university lecture §5.2.2 ("가중치 분포가 아니라
노드의 출력값 분포가 일정하도록 강제화"):

    1. orthogonal initialization of every weight matrix (Saxe et al. 2014)          (수직 규칙)
    2. for each layer l = 1 … L, on one mini-batch X_B:
           repeat:  B = the layer's output z = a_{l−1} W + b on X_B
                    if |Var(B) − 1| < tol or max_iter reached: stop
                    W ← W / √Var(B)                                                (분산이 1이 될 때까지)

``Var(B)`` is the variance of all the entries of the layer's linear output ``z`` (before its
activation), as the paper's ``Var(B_L)``.  Each layer is scaled after the layers below it, so its
input is already the one the final network gives it.  The biases are left as they are (zero by
default): with a zero bias the scaling is exact in one step, ``Var(zW/√v) = Var(z)/v = 1``.

Works on a :class:`lib.layers.Sequential` through its public parts (``layers``, ``params``,
``call``); ``Dense`` layers are scaled, other layers are run through.  :func:`lsuv_rescale` is step 2
(the algorithm, as the chapter shows it); :func:`lsuv_init` checks the arguments, does step 1 and
writes the kernels only once every layer has been computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lib.checks import as_generator, check_bool, check_float, check_int
from lib.layers import ACTIVATIONS, Dense, Orthogonal, Sequential

__all__ = ["LSUVReport", "lsuv_init", "lsuv_rescale"]


@dataclass(frozen=True)
class LSUVReport:
    """Per ``Dense`` layer (in order): the variance of ``z`` on the batch before LSUV touched the
    layer (after the orthogonal step if any), after it, and the number of rescalings done."""

    variance_before: tuple[float, ...]
    variance_after: tuple[float, ...]
    iterations: tuple[int, ...]


def lsuv_rescale(layers, X: np.ndarray, kernels: dict, *, tol: float, max_iter: int) -> LSUVReport:
    """Step 2 on the batch ``X``: for each ``Dense`` layer, from the input up, ``W ← W/√Var(z)`` until
    ``|Var(z) − 1| < tol`` (at most ``max_iter`` times).  ``kernels`` maps ``id(layer)`` to the
    layer's starting kernel and receives the rescaled one; the layers themselves are not changed."""
    before, after, iterations = [], [], []
    a = X
    for layer in layers:
        if not isinstance(layer, Dense):
            a = layer.call(a, False)                       # e.g. a separate activation layer
            continue
        W = kernels[id(layer)]
        b = layer.params["bias"] if layer.use_bias else 0
        v, k = float(np.var(a @ W + b)), 0                  # Var(B): all entries of z on the batch
        before.append(v)
        while abs(v - 1) >= tol and k < max_iter:
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"the output variance of {layer!r} is {v}: LSUV cannot rescale it "
                                 f"(nothing was changed)")
            W = W / math.sqrt(v)                           # W ← W / √Var(B)
            v, k = float(np.var(a @ W + b)), k + 1
        kernels[id(layer)] = W
        after.append(v)
        iterations.append(k)
        a = ACTIVATIONS[layer.activation][0](a @ W + b)    # the layer's output, input of the next
    return LSUVReport(tuple(before), tuple(after), tuple(iterations))


def lsuv_init(model: Sequential, X_batch, *, tol: float = 0.1, max_iter: int = 10, orthogonal: bool = True,
              seed: int | np.random.Generator | None = 0) -> LSUVReport:
    """LSUV-initialize ``model``'s ``Dense`` kernels in place on the mini-batch ``X_batch``.

    ``orthogonal=True`` first redraws every ``Dense`` kernel from Keras' ``Orthogonal()`` with ``seed``
    (step 1); ``False`` keeps the current kernels (LSUV as a correction of any initializer).
    ``tol``: stop when ``|Var(z) − 1| < tol`` (the paper's ``Tol_var``, 0.1); ``max_iter``: at most this
    many rescalings per layer.  Nothing is written if a variance is zero or not finite (ValueError).
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a lib.layers.Sequential, got {type(model).__name__}")
    tol = check_float(tol, "tol", "(0, 1)")
    max_iter = check_int(max_iter, "max_iter", "[1, inf)")
    orthogonal = check_bool(orthogonal, "orthogonal")
    rng = as_generator(seed)
    model.build(X_batch)  # checks X_batch (finite floats, the network's shape)
    X = np.asarray(X_batch, dtype=model.dtype)
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    kernels = {id(layer): layer.params["kernel"].copy() for layer in dense}
    if orthogonal:  # step 1 (수직 규칙)
        for layer in dense:
            kernels[id(layer)] = Orthogonal()(kernels[id(layer)].shape, rng, model.dtype)
    report = lsuv_rescale(model.layers, X, kernels, tol=tol, max_iter=max_iter)
    for layer in dense:  # every layer computed: now write
        layer.params["kernel"][...] = kernels[id(layer)]
    return report
