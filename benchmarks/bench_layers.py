"""Time one training epoch of a ``lib.layers`` network against ``tf.keras`` ``Model.fit``, and the compute bound.

The task of issue #8 point 7: a 64-128-64-10 ReLU network (``Dense`` layers, logits out, sparse
softmax cross-entropy) on the 8×8 digits' training set (``lib.data.load_digits``: 1,077 images),
mini-batches of 32 (34 updates per epoch, the last one of 21 samples), Adam, float32.

* ``lib``: ``lib.training.fit(Sequential, …)`` — everything an epoch does (shuffling, forward,
  backward, Adam, the loss and accuracy logs, the callbacks' hooks);
* ``keras``: ``keras.Sequential.fit(…, shuffle=True, verbose=0)`` with ``metrics=["accuracy"]`` (the
  same logs), graph mode (``tf.function``), the default ``jit_compile="auto"``;
* ``matmul bound``: the epoch's floating-point operations divided by the rate NumPy reaches on the
  same matrix products (forward ``a·W``, backward ``aᵀ·δ`` and ``δ·Wᵀ``, for a batch of 32), i.e.
  the time of those products alone — what an epoch would take if nothing but the products cost.

Each epoch is timed from ``on_epoch_begin`` to ``on_epoch_end`` by a callback (the same hooks in both
libraries); the first ``--warmup`` epochs (Keras traces its graph in epoch 0) are excluded and the
median of the next ``--epochs`` is reported.  Target (issue #8): lib ≤ 0.25 × Keras per epoch.

Run from the repository root:  ``.venv/bin/python benchmarks/bench_layers.py [--epochs 15] [--warmup 2]``
(not collected by pytest).  NumPy runs on one BLAS thread (as the book does); TensorFlow on its defaults.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: import lib

from lib.callbacks import Callback  # noqa: E402
from lib.data import load_digits  # noqa: E402
from lib.layers import Dense, Sequential  # noqa: E402
from lib.notebook import import_tensorflow, limit_blas_threads  # noqa: E402
from lib.optimizers import Adam  # noqa: E402
from lib.training import fit  # noqa: E402

SIZES = (64, 128, 64, 10)
BATCH = 32


class EpochTimer(Callback):
    """Wall time of each epoch, from on_epoch_begin to on_epoch_end (works as a Keras callback too)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def lib_epochs(X, y, n: int) -> list[float]:
    model = Sequential([Dense(SIZES[1], activation="relu", seed=0), Dense(SIZES[2], activation="relu", seed=1),
                        Dense(SIZES[3], seed=2)])
    timer = EpochTimer()
    fit(model, X, y, Adam(1e-3), epochs=n, batch_size=BATCH, callbacks=[timer], seed=0)
    return timer.times


def keras_epochs(keras, X, y, n: int) -> list[float]:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((SIZES[0],)), keras.layers.Dense(SIZES[1], activation="relu"),
                              keras.layers.Dense(SIZES[2], activation="relu"), keras.layers.Dense(SIZES[3])])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self._start)

    timer = Timer()
    model.fit(X, y, batch_size=BATCH, epochs=n, shuffle=True, verbose=0, callbacks=[timer])
    return timer.times


def matmul_bound(N: int, repeats: int) -> tuple[float, float, float]:
    """(FLOPs of one epoch, NumPy's float32 matmul rate on the epoch's shapes in FLOP/s, bound in s)."""
    rng = np.random.default_rng(0)
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    products = []  # (a, b) operands of every product of one batch of 32
    for layer, (n_in, n_out) in enumerate(pairs):
        a = rng.random((BATCH, n_in), dtype=np.float32)
        W = rng.random((n_in, n_out), dtype=np.float32)
        d = rng.random((BATCH, n_out), dtype=np.float32)
        products += [(a, W), (a.T, d)]  # forward a·W, backward ∂W = aᵀ·δ
        if layer > 0:
            products.append((d, W.T))  # backward δ·Wᵀ (not needed for the input layer)
    per_sample = sum(2 * n_in * n_out * (3 if layer > 0 else 2) for layer, (n_in, n_out) in enumerate(pairs))
    flops = per_sample * N
    batch_flops = per_sample * BATCH

    def run():
        for a, b in products:
            a @ b

    for _ in range(50):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(20):
            run()
        times.append((time.perf_counter() - start) / 20)
    rate = batch_flops / statistics.median(times)
    return flops, rate, flops / rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=15, help="timed epochs (after the warm-up)")
    parser.add_argument("--warmup", type=int, default=2, help="epochs excluded from the median")
    parser.add_argument("--rounds", type=int, default=2, help="alternate lib and keras runs this many times")
    args = parser.parse_args()

    limit_blas_threads()
    tf = import_tensorflow()
    keras = tf.keras
    data = load_digits()
    X = data.X_train.astype(np.float32)
    y = data.y_train
    n = args.warmup + args.epochs
    print(f"# one epoch, {'-'.join(map(str, SIZES))} ReLU, N = {len(X)}, batch {BATCH}, Adam, float32 — "
          f"numpy {np.__version__}, tensorflow {tf.__version__}, keras {keras.__version__}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    ours, theirs = [], []
    for _ in range(args.rounds):  # alternate, so that a burst of load from other jobs hits both
        ours += lib_epochs(X, y, n)[args.warmup:]
        theirs += keras_epochs(keras, X, y, n)[args.warmup:]
    flops, rate, bound = matmul_bound(len(X), repeats=30)
    t_ours, t_keras = statistics.median(ours), statistics.median(theirs)
    print()
    print("| lib fit | keras fit | lib / keras | FLOPs per epoch | NumPy matmul rate | matmul bound | lib / bound |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {t_ours * 1e3:.2f} ms | {t_keras * 1e3:.2f} ms | {t_ours / t_keras:.3f} | {flops / 1e6:.1f} M "
          f"| {rate / 1e9:.2f} GFLOP/s | {bound * 1e3:.2f} ms | {t_ours / bound:.1f} |")
    print()
    print(f"target lib <= 0.25 x keras: {'met' if t_ours <= 0.25 * t_keras else 'NOT met'} ({t_ours / t_keras:.3f}); "
          f"spread (min-max over {len(ours)} epochs): lib {min(ours) * 1e3:.2f}-{max(ours) * 1e3:.2f} ms, "
          f"keras {min(theirs) * 1e3:.2f}-{max(theirs) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
