"""Time lib.second_order.lbfgs against SciPy's L-BFGS-B on a 1,000-dimensional problem.

    .venv/bin/python benchmarks/bench_second_order.py
    .venv/bin/python benchmarks/bench_second_order.py --n 1000 --repeats 5

Problem: SciPy's n-dimensional Rosenbrock function (``scipy.optimize.rosen``/``rosen_der``) from
``x0 = (−1.2, 1, −1.2, 1, …)``, memory 10 for both, gradient tolerance 1e-6.  Reported: iterations,
function evaluations, wall time per iteration (median over the repeats) and the ratio lib / SciPy.
The goal of issue 14 is a ratio of at most 2 (SciPy's L-BFGS-B core is compiled code).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy import optimize as so

from lib.notebook import limit_blas_threads
from lib.second_order import lbfgs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    limit_blas_threads()
    x0 = np.tile([-1.2, 1.0], args.n // 2)
    rows = {}
    for name, run in {
        "lib lbfgs": lambda: lbfgs(so.rosen, x0, grad=so.rosen_der, memory=10, tol=1e-6, max_iter=20_000),
        "scipy L-BFGS-B": lambda: so.minimize(so.rosen, x0, jac=so.rosen_der, method="L-BFGS-B",
                                              options={"maxcor": 10, "gtol": 1e-6, "ftol": 0.0, "maxiter": 20_000}),
    }.items():
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            res = run()
            times.append(time.perf_counter() - start)
        t = statistics.median(times)
        rows[name] = (res.nit, res.nfev, t, t / res.nit, float(np.abs(res.x - 1).max()))
    print(f"n = {args.n}, median of {args.repeats} runs")
    print(f"{'':16s} {'nit':>6s} {'nfev':>6s} {'total':>9s} {'per iteration':>14s} {'max|x − 1|':>11s}")
    for name, (nit, nfev, t, per, err) in rows.items():
        print(f"{name:16s} {nit:6d} {nfev:6d} {t * 1e3:7.1f} ms {per * 1e6:11.1f} µs {err:11.1e}")
    ratio = rows["lib lbfgs"][3] / rows["scipy L-BFGS-B"][3]
    print(f"time per iteration, lib / SciPy: {ratio:.2f}  (goal: <= 2)")


if __name__ == "__main__":
    main()
