"""Time one ``lib.optimizers.Adam.step`` against tf.keras and against the memory-bandwidth bound.

For n = 10⁴ … 10⁷ float32 parameters (one array) it prints the median time of

* ``lib``: ``Adam.step([w], [g])`` — including its checks (shape, dtype, a finiteness pass over g);
* ``keras eager``: ``keras.optimizers.Adam.apply_gradients`` on a ``keras.Variable`` (eager mode);
* ``keras tf.function``: the same call inside a ``tf.function`` (for information: what ``model.fit`` runs);
* ``copy``: ``np.copyto`` of the four arrays an Adam step touches (w, g, v, s) into spare buffers —
  8 array streams (4 read, 4 written).  An Adam step needs at least 7 (read w, g, v, s; write w, v, s),
  so the bandwidth bound is taken as 7/8 of the copy time.

Targets (issue #3): at 10⁶ parameters ``lib`` ≤ ½ × keras eager, and ≤ 5 × the bandwidth bound.

Run from the repository root:  ``.venv/bin/python benchmarks/bench_adam.py [--sizes 4 5 6 7] [--repeats 30]``
(not collected by pytest).  Timings depend on the machine and its load; the script prints both.
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

from lib.notebook import import_tensorflow  # noqa: E402
from lib.optimizers import Adam  # noqa: E402


def median_time(fn, repeats: int, warmup: int = 3) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(n: int, repeats: int, tf, keras) -> dict[str, float]:
    rng = np.random.default_rng(0)
    w = rng.standard_normal(n).astype(np.float32)
    g = (rng.standard_normal(n) * 1e-2).astype(np.float32)

    ours = Adam(1e-3)
    params, grads = [w.copy()], [g]
    t_ours = median_time(lambda: ours.step(params, grads), repeats)

    variable = keras.Variable(w.copy())
    keras_opt = keras.optimizers.Adam(1e-3)
    g_tensor = tf.constant(g)
    t_eager = median_time(lambda: keras_opt.apply_gradients([(g_tensor, variable)]), repeats)

    variable_fn = keras.Variable(w.copy())
    keras_opt_fn = keras.optimizers.Adam(1e-3)
    keras_opt_fn.build([variable_fn])
    apply_fn = tf.function(lambda grad: keras_opt_fn.apply_gradients([(grad, variable_fn)]))
    t_graph = median_time(lambda: apply_fn(g_tensor), repeats)

    sources = [params[0], g, ours.state["v"][0], ours.state["s"][0]]
    targets = [np.empty_like(a) for a in sources]

    def copy_all() -> None:
        for src, dst in zip(sources, targets):
            np.copyto(dst, src)

    t_copy = median_time(copy_all, repeats)
    return {"ours": t_ours, "eager": t_eager, "graph": t_graph, "copy": t_copy, "bound": t_copy * 7 / 8}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 5, 6, 7], help="log10 of the parameter counts")
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per measurement (fewer for 10^7)")
    args = parser.parse_args()

    tf = import_tensorflow()
    keras = tf.keras
    print(f"# Adam step, float32 — numpy {np.__version__}, tensorflow {tf.__version__}, keras {keras.__version__}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    print()
    print("| parameters | lib Adam.step | keras eager | keras tf.function | copy w,g,v,s | lib / eager "
          "| lib / bound (7 streams) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    results = {}
    for k in args.sizes:
        n = 10**k
        repeats = max(5, args.repeats // (10 if k >= 7 else 1))
        r = bench(n, repeats, tf, keras)
        results[n] = r
        print(f"| 10^{k} | {r['ours'] * 1e3:.3f} ms | {r['eager'] * 1e3:.3f} ms | {r['graph'] * 1e3:.3f} ms "
              f"| {r['copy'] * 1e3:.3f} ms | {r['ours'] / r['eager']:.2f} | {r['ours'] / r['bound']:.2f} |")
    if 10**6 in results:
        r = results[10**6]
        ok_keras = r["ours"] <= 0.5 * r["eager"]
        ok_bound = r["ours"] <= 5 * r["bound"]
        print()
        print(f"targets at 10^6: lib <= 0.5 x keras eager: {'met' if ok_keras else 'NOT met'} "
              f"({r['ours'] / r['eager']:.2f}); lib <= 5 x bandwidth bound: {'met' if ok_bound else 'NOT met'} "
              f"({r['ours'] / r['bound']:.2f})")


if __name__ == "__main__":
    main()
