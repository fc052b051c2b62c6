"""What every chapter's first (hidden) cell calls: seeds, quiet logs, the book's figure style.

TensorFlow is *not* part of ``lib``'s algorithms (they are NumPy only); it is imported here, on
request, because chapters compare with it and its start-up chatter must not end up in the book.
"""

from __future__ import annotations

import os
import random
import sys
from types import ModuleType

import numpy as np

#: Environment set before TensorFlow is imported: no C++ info logs, and no oneDNN kernels, whose
#: changing summation order would make printed Keras numbers differ in the last digits between runs.
TF_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


def import_tensorflow() -> ModuleType:
    """Import TensorFlow with its start-up logs silenced and return the module.

    TensorFlow 2.21 writes a few lines ("Could not find cuda drivers ...") straight to file
    descriptor 2 before its logging is configured, ignoring ``TF_CPP_MIN_LOG_LEVEL``; Jupyter shows
    such lines in the cell.  They are informational, so we point fd 2 at ``/dev/null`` during the
    import and the first op (which loads the rest of the runtime), then restore it.
    """
    for key, value in TF_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved_fd = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import logging

        import tensorflow as tf

        tf.get_logger().setLevel(logging.ERROR)
        tf.constant(0.0) + 0.0  # first op: loads the kernels (and prints their banner) now
    finally:
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        os.close(devnull)
    return tf


def limit_blas_threads() -> None:
    """Use one BLAS/OpenMP thread for NumPy (for the rest of the process).

    The book's matrices are small: one thread is as fast, and it is immune to a busy machine, where
    multi-threaded BLAS on two shared cores was measured 100× slower for one full-batch gradient of
    the digits MLP.  It also makes timings measure the algorithm, not thread scheduling.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def setup_notebook(seed: int = 0, *, tensorflow: bool = False) -> None:
    """Make a chapter reproducible and quiet.

    Seeds Python's and NumPy's global generators (``lib`` itself only uses explicit ``seed``/``rng``
    arguments, but reader code may not), limits NumPy to one BLAS thread (:func:`limit_blas_threads`)
    and applies the book's figure style.  With
    ``tensorflow=True`` it also imports TensorFlow quietly (:func:`import_tensorflow`), seeds it and
    turns on deterministic ops, so that printed Keras numbers are the same on every run.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    for key, value in TF_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    random.seed(seed)
    np.random.seed(seed)
    limit_blas_threads()

    from lib.plotting import use_book_style

    use_book_style()
    if tensorflow:
        tf = import_tensorflow()
        tf.keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()


def keras_trajectory(keras_optimizer, landscape, w0, steps: int, *, dtype=np.float64, compiled: bool = False) -> np.ndarray:
    """The iterates of a tf.keras optimizer on a landscape, shape ``(steps + 1, d)``, as :func:`lib.runner.run`.

    The comparison every optimizer chapter makes: a ``tf.Variable`` starts at ``w0`` (in ``dtype``) and
    at each step the optimizer's ``apply_gradients`` receives ``landscape.grad`` evaluated at Keras'
    *own* current point, so the two runs are independent and any difference accumulates.  With
    ``compiled=True`` the update runs in a ``tf.function`` (faster for long runs; the same update).
    A used optimizer keeps its state and ``iterations``: pass a fresh one.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not callable(getattr(keras_optimizer, "apply_gradients", None)):
        raise TypeError(f"keras_optimizer must be a keras.optimizers.Optimizer, got {type(keras_optimizer).__name__}")
    tf = import_tensorflow()
    var = tf.Variable(np.array(w0, dtype=dtype))

    def apply(g):
        keras_optimizer.apply_gradients([(g, var)])

    if compiled:
        apply = tf.function(apply)
    rows = [var.numpy().copy()]
    for _ in range(int(steps)):
        apply(tf.constant(np.asarray(landscape.grad(var.numpy()), dtype=dtype)))
        rows.append(var.numpy().copy())
    return np.array(rows)
