"""What every chapter's first (hidden) cell calls: seeds, quiet logs, the inline backend, the book's
figure style; and :func:`show_source`, the one way a chapter shows ``lib`` code.

TensorFlow is *not* part of ``lib``'s algorithms (they are NumPy only); it is imported here, on
request, because chapters compare with it and its start-up chatter must not end up in the book.
"""

from __future__ import annotations

import inspect
import os
import random
import sys
import textwrap
from types import ModuleType
from typing import Any

import numpy as np

from lib.checks import check_seed

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


def use_inline_backend() -> bool:
    """In a Jupyter/Colab kernel, draw figures with the inline backend (``%matplotlib inline``).

    Whatever ``MPLBACKEND`` says: with ``MPLBACKEND=Agg`` in the environment a kernel would otherwise
    draw nowhere, and the chapter's committed figures would be missing from its outputs.  Returns
    whether it switched (False outside a kernel, e.g. in a script or a test, where nothing changes).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return False
    shell.run_line_magic("matplotlib", "inline")
    return True


def setup_notebook(seed: int = 0, *, tensorflow: bool = False) -> None:
    """Make a chapter reproducible and quiet.

    Seeds Python's and NumPy's global generators (``lib`` itself only uses explicit ``seed``/``rng``
    arguments, but reader code may not), limits NumPy to one BLAS thread (:func:`limit_blas_threads`),
    selects the inline backend in a kernel (:func:`use_inline_backend`) and applies the book's figure
    style.  With
    ``tensorflow=True`` it also imports TensorFlow quietly (:func:`import_tensorflow`), seeds it and
    turns on deterministic ops, so that printed Keras numbers are the same on every run.
    """
    seed = check_seed(seed)
    for key, value in TF_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    random.seed(seed)
    np.random.seed(seed)
    limit_blas_threads()
    use_inline_backend()

    from lib.plotting import use_book_style

    use_book_style()
    if tensorflow:
        tf = import_tensorflow()
        tf.keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()


def source_code(obj: Any, *, start: str | None = None, stop: str | None = None) -> Any:
    """The source of a ``lib`` function, class or method as an ``IPython.display.Code`` (highlighted Python).

    ``start`` and ``stop`` cut an excerpt: from the first line containing ``start`` up to (not
    including) the first later line containing ``stop``, dedented.
    """
    from IPython.display import Code

    source = inspect.getsource(obj)
    if start is not None or stop is not None:
        lines = source.splitlines(keepends=True)
        first = 0 if start is None else next((i for i, line in enumerate(lines) if start in line), None)
        if first is None:
            raise ValueError(f"start={start!r} does not occur in the source of {obj!r}")
        last = len(lines) if stop is None else next((i for i in range(first + 1, len(lines)) if stop in lines[i]), None)
        if last is None:
            raise ValueError(f"stop={stop!r} does not occur after start={start!r} in the source of {obj!r}")
        source = textwrap.dedent("".join(lines[first:last]))
    return Code(source, language="python")


def show_source(obj: Any, *, start: str | None = None, stop: str | None = None) -> None:
    """Display the source of a ``lib`` function, class or method with syntax highlighting.

    The same in Jupyter, Colab and the HTML book: it displays an ``IPython.display.Code``, whose HTML
    (Pygments markup with its own style sheet) the notebook front-ends render and Jupyter Book
    (myst-nb) copies into the page; its plain-text form is the source itself.  ``start``/``stop`` cut
    an excerpt (see :func:`source_code`).  Returns nothing, so a cell ending with it shows the code once.
    """
    from IPython.display import display

    display(source_code(obj, start=start, stop=stop))
