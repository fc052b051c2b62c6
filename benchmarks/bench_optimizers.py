"""µs per optimizer step on a 2-parameter landscape (one float64 array of 2 entries), and of the bare update.

    PYTHONPATH=. python benchmarks/bench_optimizers.py

Best of 7 repeats of 20,000 steps each (the minimum is the least disturbed by other processes).
"""

from __future__ import annotations

import timeit

import numpy as np

from lib import optimizers as O

try:  # after the split (issue 9): the update rules live in lib.updates
    from lib import updates as U
except ImportError:  # before
    U = O


def per_call(fn, number: int = 20_000, repeat: int = 7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    g = np.array([0.3, -0.2])
    for name, make, update in [
        ("SGD", lambda: O.SGD(0.01), lambda w, v, s: U.sgd_update(w, g, learning_rate=0.01)),
        ("Adam", lambda: O.Adam(0.001),
         lambda w, v, s: U.adam_update(w, g, v, s, 5, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                                       epsilon=1e-8)),
    ]:
        opt, params = make(), [np.array([1.0, -1.0])]
        grads = [g]
        opt.step(params, grads)
        step_us = per_call(lambda: opt.step(params, grads))
        w, v, s = np.array([1.0, -1.0]), np.zeros(2), np.zeros(2)
        update_us = per_call(lambda: update(w, v, s))
        print(f"{name:5s} step {step_us:5.1f} µs   (bare update {update_us:4.1f} µs)")
    # the snapshot and finiteness check cost passes over memory: a large float32 parameter
    rng = np.random.default_rng(0)
    big, gbig = [rng.standard_normal(1_000_000).astype(np.float32)], [rng.standard_normal(1_000_000).astype(np.float32)]
    for name, make in [("SGD", lambda: O.SGD(1e-6)), ("Adam", lambda: O.Adam(1e-6))]:
        opt = make()
        opt.step(big, gbig)
        print(f"{name:5s} step on 1e6 float32 parameters {per_call(lambda: opt.step(big, gbig), number=20):7.0f} µs")


if __name__ == "__main__":
    main()
