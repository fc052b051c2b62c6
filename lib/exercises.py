"""Checkers for the "implement it" exercises: ``check_<name>(your_function)`` → :class:`CheckResult`.

Each checker runs *your* function and the ``lib`` reference on the same few inputs, chosen so that
the conventions the book discusses give different answers (ε inside or outside the square root,
bias correction or not, the momentum forms, the last short mini-batch …).  It prints one line per
case — ``✓`` or ``✗`` — and, for a failed case, what differs and by how much, in words, and which
classic mistake gives exactly your numbers when it recognises one.  Your function never makes a
checker raise: an exception inside it is reported as a failed case.  The result is truthy when every
case passes, so ``assert check_adam_update(my_adam)`` works in a notebook.

Your functions are *pure*: they take the current values and return the new ones (as in optax and
Ng's notebooks), e.g. ``adam_update(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon) ->
(w, v, s)``.  Each checker's docstring gives the signature.  The checker passes copies, so an update
that also works in place is fine.

The checkers, by chapter:

* 1 — :func:`check_numerical_gradient` (central differences ``(f, w, h) -> g``),
  :func:`check_gradient_descent_step` (``w − α·g``);
* 2 — :func:`check_softmax_cross_entropy` (``(logits, y) -> (loss, dlogits)``);
* 3 — :func:`check_minibatches` (shuffle and partition one epoch);
* 4 — :func:`check_ewma` (``v_t``, optionally bias-corrected);
* 5 — :func:`check_momentum_update` (the EWMA, undamped or Keras velocity form);
* 6 — :func:`check_adagrad_update`, :func:`check_rmsprop_update` (ε outside or inside the root);
* 7 — :func:`check_adam_update` (ε outside, ε-hat or inside);
* 8 — :func:`check_inverse_time_decay` (``α₀/(1 + decay_rate·step/decay_steps)``, staircase);
* 9 — :func:`check_standardize` (statistics of the training split), :func:`check_he_init`;
* 10 — :func:`check_batchnorm_backward` (``∂J/∂x, ∂J/∂γ, ∂J/∂β``);
* 11 — :func:`check_l2_step` (SGD on ``J + λ‖w‖²``), :func:`check_soft_threshold` (L1's proximal step);
* 12 — :func:`check_dropout` (inverted dropout, forward and backward);
* 13 — :func:`check_log_uniform` (a log-uniform sampler);
* 14 — :func:`check_two_loop_recursion` (L-BFGS's ``M·g``).

In a chapter an exercise has four executed code cells: the reader's template (its body raises
``NotImplementedError``, so the checker reports every case as failed without stopping the
notebook), then in the solution drop-down the solution with ``assert check_…(solution)`` and a
classic mistake with ``assert not check_…(mistake)``.  ``tests/test_exercises.py`` checks that every
checker passes the reference and fails each classic mistake listed in its ``MISTAKES`` entry.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lib.ewma import ewma
from lib.gradients import numerical_gradient
from lib.layers import BatchNormalization, Dropout
from lib.losses import softmax_cross_entropy
from lib.preprocessing import StandardScaler
from lib.regularizers import soft_threshold
from lib.schedules import InverseTimeDecay
from lib.second_order import two_loop_recursion
from lib.tuning import log_uniform
from lib.updates import adagrad_update, adam_update, apply_weight_decay, momentum_update, rmsprop_update, sgd_update

__all__ = [
    "CheckResult",
    "check_numerical_gradient",
    "check_gradient_descent_step",
    "check_softmax_cross_entropy",
    "check_minibatches",
    "check_ewma",
    "check_momentum_update",
    "check_adagrad_update",
    "check_rmsprop_update",
    "check_adam_update",
    "check_inverse_time_decay",
    "check_standardize",
    "check_he_init",
    "check_batchnorm_backward",
    "check_l2_step",
    "check_soft_threshold",
    "check_dropout",
    "check_log_uniform",
    "check_two_loop_recursion",
]


# ----------------------------------------------------------------------------------------------
# the engine: cases, comparison in words, the report
# ----------------------------------------------------------------------------------------------
@dataclass
class CheckResult:
    """What a checker found: ``passed`` (also the truth value) and one line per failed case."""

    name: str
    n_cases: int
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return (f"CheckResult({self.name}: {self.n_cases - len(self.failures)} of {self.n_cases} cases pass)")


@dataclass
class _Case:
    """One input: ``name`` says what it is in words; ``test(fn)`` returns ``None`` (pass) or what is wrong."""

    name: str
    test: Callable[[Callable], str | None]


def _fmt(x: Any) -> str:
    x = np.asarray(x)
    if x.ndim == 0:
        return f"{float(x):.6g}"
    with np.printoptions(precision=5, suppress=False, threshold=8, edgeitems=3):
        return np.array2string(x, separator=", ")


def _differ(expected: np.ndarray, got: Any, *, what: str, rtol: float, atol: float) -> str | None:
    """``None`` if ``got`` equals ``expected`` to the tolerance, else a sentence saying how it differs."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{what} should be an array of numbers; you returned {type(got).__name__} {got!r:.80}"
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return f"{what} has shape {got.shape}; it should have shape {expected.shape}"
    bad_value = ~np.isfinite(got) & np.isfinite(expected)
    if np.any(bad_value):
        i = tuple(int(k) for k in np.argwhere(bad_value)[0])
        where = f" at index {i}" if got.ndim else ""
        return f"{what} is {got[i]}{where} where it should be {expected[i]:.6g} (a division by zero or an overflow?)"
    close = np.isclose(got, expected, rtol=rtol, atol=atol) | (got == expected)
    if np.all(close):
        return None
    diff = np.where(close, 0.0, np.abs(got - expected))
    i = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    i = tuple(int(k) for k in i)
    where = f" at index {i}" if got.ndim else ""
    rel = diff[i] / abs(expected[i]) if expected[i] != 0 else math.inf
    if not math.isfinite(rel):
        size = f"{diff[i]:.3g}"
    elif rel < 1:
        size = f"{diff[i]:.3g} ({100 * rel:.2g} % of the value)"
    else:
        size = f"{diff[i]:.3g} ({rel:.2g} times the value itself)"
    digits = 6
    while f"{expected[i]:.{digits}g}" == f"{got[i]:.{digits}g}" and digits < 17:
        digits += 2  # show enough digits for the two numbers to look different
    return (f"{what} is off by {size}{where}: it should be {expected[i] + 0.0:.{digits}g}, "
            f"you returned {got[i] + 0.0:.{digits}g}")  # + 0.0: print −0 as 0


def _run(title: str, your_function: Callable, cases: Sequence[_Case], verbose: bool,
         diagnose: Callable[[_Case], str | None] | None = None) -> CheckResult:
    """Run every case, print the report, return the result.  An exception in ``your_function`` fails its case."""
    result = CheckResult(title, len(cases))
    lines = []
    if not callable(your_function):
        result.failures.append(f"{title} needs a function, got {type(your_function).__name__}")
        lines.append(f"✗ {result.failures[-1]}")
    else:
        for case in cases:
            # the reader's code (and the mistakes tried on it) may overflow or divide by zero: that is
            # reported as a failed case, not as warnings on stderr
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    problem = case.test(your_function)
                except Exception as e:  # noqa: BLE001 - the reader's code may raise anything; report it
                    problem = f"your function raised {type(e).__name__}: {e}"
                if problem is None:
                    lines.append(f"  ✓ {case.name}")
                    continue
                hint = diagnose(case) if diagnose is not None else None
            result.failures.append(f"{case.name}: {problem}")
            lines.append(f"  ✗ {case.name}\n      {problem}" + (f"\n      → {hint}" if hint else ""))
    if verbose:
        head = (f"{title}: all {result.n_cases} cases pass ✓" if result.passed else
                f"{title}: {len(result.failures)} of {result.n_cases} cases FAIL")
        print("\n".join([head, *lines]))
    return result


def _compare(title: str, your_function: Callable, reference: Callable, cases: Sequence[tuple[str, Callable]],
             mistakes: dict[str, Callable], *, rtol: float, atol: float, verbose: bool) -> CheckResult:
    """Cases ``(name, run)`` where ``run(fn)`` returns ``{output name: array}``; compared with the reference's.

    When a case fails, every ``mistakes[description]`` is run on it too; one that reproduces your
    numbers is named ("this is what you get if you …").
    """
    runs = dict(cases)
    last_got: dict[str, Any] = {}

    def make_test(name: str, run: Callable) -> Callable:
        def test(fn):
            expected = run(reference)
            last_got[name] = None
            got = run(fn)
            last_got[name] = got
            for key, value in expected.items():
                problem = _differ(value, got[key], what=key, rtol=rtol, atol=atol)
                if problem:
                    return problem
            return None
        return test

    def diagnose(case: _Case) -> str | None:
        got = last_got.get(case.name)
        if got is None:
            return None
        for description, wrong in mistakes.items():
            try:
                theirs = runs[case.name](wrong)
                if all(_differ(theirs[k], got[k], what=k, rtol=rtol, atol=atol) is None for k in theirs):
                    return f"this is exactly what you get if you {description}"
            except Exception:  # noqa: BLE001 - a mistake that cannot even run on this case explains nothing
                continue
        return None

    return _run(title, your_function, [_Case(n, make_test(n, r)) for n, r in cases], verbose, diagnose)


def _as_tuple(out: Any, n: int, names: str) -> tuple:
    if n == 1:
        return (out,)
    if not isinstance(out, (tuple, list)) or len(out) != n:
        raise TypeError(f"your function should return the tuple ({names}), got {type(out).__name__}")
    return tuple(out)


def _trajectory(fn: Callable, w0: np.ndarray, grads: np.ndarray, state0: Sequence[np.ndarray], names: str,
                with_t: bool = False, **hyper) -> dict[str, np.ndarray]:
    """Run ``fn(w, g, *state[, t], **hyper) -> (w, *state)`` over the gradients; values after every step."""
    w, state = w0.copy(), [s.copy() for s in state0]
    keys = [k.strip() for k in names.split(",")]
    history: dict[str, list] = {k: [] for k in keys}
    for t, g in enumerate(grads, start=1):
        args = (w.copy(), g.copy(), *[s.copy() for s in state]) + ((t,) if with_t else ())
        out = _as_tuple(fn(*args, **hyper), len(keys), names)
        w, state = np.array(out[0], dtype=np.float64), [np.array(s, dtype=np.float64) for s in out[1:]]
        for k, value in zip(keys, (w, *state)):
            history[k].append(value)
    return {f"{k} (after each of the {len(grads)} steps)": np.array(v) for k, v in history.items()}


def _steps_differ(expected: dict, got: dict, rtol: float, atol: float) -> str | None:
    """Like :func:`_differ` on trajectories, but names the first step at which they part."""
    for key, value in expected.items():
        g = np.asarray(got[key], dtype=np.float64)
        if g.shape != value.shape:
            return _differ(value, g, what=key, rtol=rtol, atol=atol)
        for step in range(value.shape[0]):
            name = key.split(" (")[0]
            problem = _differ(value[step], g[step], what=f"{name} after step {step + 1}", rtol=rtol, atol=atol)
            if problem:
                return problem
    return None


def _compare_steps(title: str, your_function: Callable, reference: Callable, cases: Sequence[tuple[str, Callable]],
                   mistakes: dict[str, Callable], *, rtol: float = 1e-6, atol: float = 1e-9,
                   verbose: bool) -> CheckResult:
    """:func:`_compare` for update rules: the report names the first step where your values part."""
    last_got: dict[str, Any] = {}
    runs = dict(cases)

    def make_test(name, run):
        def test(fn):
            expected = run(reference)
            last_got[name] = None
            got = run(fn)
            last_got[name] = got
            return _steps_differ(expected, got, rtol, atol)
        return test

    def diagnose(case):
        got = last_got.get(case.name)
        if got is None:
            return None
        for description, wrong in mistakes.items():
            try:
                if _steps_differ(runs[case.name](wrong), got, rtol, atol) is None:
                    return f"this is exactly what you get if you {description}"
            except Exception:  # noqa: BLE001
                continue
        return None

    return _run(title, your_function, [_Case(n, make_test(n, r)) for n, r in cases], verbose, diagnose)


# registry of the classic mistakes, filled next to each checker (the tests run every one)
MISTAKES: dict[str, dict[str, Callable]] = {}


# ----------------------------------------------------------------------------------------------
# chapter 1: numerical gradient, a gradient step
# ----------------------------------------------------------------------------------------------
def _numgrad_reference(f, w, h):
    return numerical_gradient(f, w, h, method="central")


def _numgrad_forward(f, w, h):
    return numerical_gradient(f, w, h, method="forward")


def _numgrad_one_h(f, w, h):
    return numerical_gradient(f, w, h, method="central") * 2.0


def _numgrad_no_restore(f, w, h):  # perturbs the caller's w and never puts it back
    w = np.asarray(w, dtype=np.float64)
    g = np.zeros_like(w)
    flat = w.reshape(-1)
    for i in range(flat.size):
        flat[i] += h
        fp = f(w)
        flat[i] -= 2 * h
        fm = f(w)
        g.flat[i] = (fp - fm) / (2 * h)
    return g


MISTAKES["numerical_gradient"] = {
    "use forward differences (f(w + h·e_i) − f(w))/h instead of central ones": _numgrad_forward,
    "divide the central difference by h instead of 2h": _numgrad_one_h,
    "perturb w itself and never restore it": _numgrad_no_restore,
}


def check_numerical_gradient(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(f, w, h) -> g``: the **central** difference ``(f(w + h·e_i) − f(w − h·e_i))/(2h)``
    for every entry ``i`` of ``w`` (any shape); ``f`` maps an array of ``w``'s shape to a number.

    Cases: a quadratic (exact for central differences), a cubic with a large ``h`` (central and
    forward differences part), a matrix-shaped ``w``, and that the caller's ``w`` is left as it was.
    """
    A = np.array([[3.0, 1.0], [1.0, 2.0]])

    def case(f, w, h, name):
        def run(fn):
            w_in = np.array(w, dtype=np.float64)
            g = fn(f, w_in, h)
            return {"the gradient": np.asarray(g)}
        return (name, run)

    def unchanged(fn):
        w = np.array([0.5, -1.0, 2.0])
        fn(lambda x: float(np.sum(x**3)), w, 1e-3)
        return {"w after the call (it must not change)": w}

    cases = [
        case(lambda w: float(0.5 * w @ A @ w), [1.0, -2.0], 1e-5,
             "J(w) = ½wᵀAw at w = (1, −2): ∇J = Aw = (1, −3)"),
        case(lambda w: float(np.sum(w**3)), [0.5, -1.0, 2.0], 0.1,
             "J(w) = Σw³ with h = 0.1: central differences are off by h² = 0.01, forward ones by 3hw"),
        case(lambda W: float(np.sum(np.sin(W)) + W[0, 1] * W[1, 0]), np.arange(6.0).reshape(2, 3) / 4, 1e-5,
             "a 2×3 matrix W: the gradient has W's shape"),
        ("the caller's w is left unchanged", unchanged),
    ]
    return _compare("check_numerical_gradient", your_function, _numgrad_reference, cases,
                    MISTAKES["numerical_gradient"], rtol=1e-6, atol=1e-8, verbose=verbose)


def _gd_reference(w, g, *, learning_rate):
    return sgd_update(np.array(w, dtype=np.float64), g, learning_rate=learning_rate)


MISTAKES["gradient_descent_step"] = {
    "add the gradient instead of subtracting it (uphill)": lambda w, g, *, learning_rate: w + learning_rate * g,
    "forget the learning rate": lambda w, g, *, learning_rate: w - g,
}


def check_gradient_descent_step(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(w, g, *, learning_rate) -> w_new``, one step ``w ← w − α·g`` (algorithm 5-1)."""
    def case(w, g, lr, name):
        return (name, lambda fn: {"w": np.asarray(fn(np.array(w, float), np.array(g, float), learning_rate=lr))})

    cases = [case([1.0, 2.0], [0.5, -4.0], 0.1, "w = (1, 2), g = (0.5, −4), α = 0.1: w becomes (0.95, 2.4)"),
             case(np.ones((2, 2)), [[1.0, 0.0], [0.0, -1.0]], 0.5, "a 2×2 matrix")]
    return _compare("check_gradient_descent_step", your_function, _gd_reference, cases,
                    MISTAKES["gradient_descent_step"], rtol=1e-9, atol=1e-12, verbose=verbose)


# ----------------------------------------------------------------------------------------------
# chapter 2: softmax cross-entropy and its gradient
# ----------------------------------------------------------------------------------------------
def _sce_no_mean(logits, y):
    loss, d = softmax_cross_entropy(logits, y)
    return loss * len(y), d * len(y)


def _sce_naive(logits, y):  # exp of the raw scores: overflows for large logits
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(logits)
        o = e / e.sum(axis=1, keepdims=True)
        m = len(y)
        onehot = np.eye(logits.shape[1])[y]
        return -np.mean(np.log(o[np.arange(m), y])), (o - onehot) / m


def _sce_sign(logits, y):
    loss, d = softmax_cross_entropy(logits, y)
    return loss, -d


def _sce_no_onehot(logits, y):
    loss, d = softmax_cross_entropy(logits, y)
    return loss, d + np.eye(logits.shape[1])[y] / len(y)


MISTAKES["softmax_cross_entropy"] = {
    "sum over the m rows instead of averaging": _sce_no_mean,
    "compute exp(s) without subtracting the largest score first (overflow)": _sce_naive,
    "return onehot(y) − softmax(s) (the gradient's sign flipped)": _sce_sign,
    "forget to subtract the one-hot label (return softmax(s)/m)": _sce_no_onehot,
}


def check_softmax_cross_entropy(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(logits, y) -> (loss, dlogits)``: the mean over the ``m`` rows of
    ``−ln softmax(s)_y`` (natural log) and its gradient ``(softmax(s) − onehot(y))/m``.

    ``logits`` has shape ``(m, c)``, ``y`` holds ``m`` integer labels.  Cases: the CS231n cat
    (loss 2.04), a batch of three (the mean), and scores of 1000 (a naive ``exp`` overflows).
    """
    def case(s, y, name):
        def run(fn):
            loss, d = _as_tuple(fn(np.array(s, dtype=np.float64), np.array(y)), 2, "loss, dlogits")
            return {"the loss": np.asarray(loss), "dlogits": np.asarray(d)}
        return (name, run)

    cases = [
        case([[3.2, 5.1, -1.7]], [0], "the CS231n cat: scores (3.2, 5.1, −1.7), label cat (0): loss 2.04"),
        case([[1.0, 2.0, 3.0, 0.5], [0.0, 0.0, 0.0, 0.0], [-1.0, 4.0, 0.5, 2.0]], [2, 1, 3],
             "a batch of m = 3 rows: the loss and the gradient are means over the rows"),
        case([[1000.0, 999.0, 0.0], [-1000.0, 0.0, 5.0]], [1, 0],
             "scores of ±1000: softmax must not overflow (subtract the largest score first)"),
    ]
    return _compare("check_softmax_cross_entropy", your_function, softmax_cross_entropy, cases,
                    MISTAKES["softmax_cross_entropy"], rtol=1e-7, atol=1e-10, verbose=verbose)


# ----------------------------------------------------------------------------------------------
# chapter 3: mini-batches of one epoch
# ----------------------------------------------------------------------------------------------
def _mb_reference(X, y, batch_size, seed):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    return [(X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(X), batch_size)]


def _mb_drop_last(X, y, batch_size, seed):
    return [b for b in _mb_reference(X, y, batch_size, seed) if len(b[1]) == batch_size]


def _mb_separate(X, y, batch_size, seed):
    rng = np.random.default_rng(seed)
    Xs, ys = X[rng.permutation(len(X))], y[rng.permutation(len(y))]
    return [(Xs[i:i + batch_size], ys[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def _mb_no_shuffle(X, y, batch_size, seed):
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def _mb_replacement(X, y, batch_size, seed):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(math.ceil(len(X) / batch_size)):
        idx = rng.integers(0, len(X), batch_size)
        out.append((X[idx], y[idx]))
    return out


def _mb_unseeded(X, y, batch_size, seed):
    return _mb_reference(X, y, batch_size, None)


MISTAKES["minibatches"] = {
    "drop the last, smaller batch": _mb_drop_last,
    "shuffle X and y with two different permutations": _mb_separate,
    "forget to shuffle": _mb_no_shuffle,
    "draw each batch at random with replacement": _mb_replacement,
    "ignore the seed": _mb_unseeded,
}


def check_minibatches(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(X, y, batch_size, seed) -> list of (X_batch, y_batch)``, one epoch of
    mini-batch gradient descent: shuffle the ``N`` samples (rows of ``X`` with their labels) with a
    generator made from ``seed``, then cut them into ``⌈N/m⌉`` batches of ``m = batch_size``, keeping
    the last, smaller one.  Any permutation is accepted, but the same seed must give the same batches.

    The data are built so that row ``i`` of ``X`` is ``(i, 1000 + i)`` and its label is ``i``: the
    checker can see which sample went where.
    """
    def data(N):
        i = np.arange(N)
        return np.stack([i, 1000 + i], axis=1).astype(np.float64), i.copy()

    def batches_of(fn, N, m, seed=0):
        X, y = data(N)
        out = [(np.asarray(a), np.asarray(b)) for a, b in fn(X, y, m, seed)]
        return out

    def partition(N, m):
        def test(fn):
            out = batches_of(fn, N, m)
            sizes = [len(b) for _, b in out]
            want = [m] * (N // m) + ([N % m] if N % m else [])
            if sorted(sizes, reverse=True) != want:
                return (f"the batch sizes are {sizes}; with N = {N} and m = {m} they should be {want} "
                        f"(⌈N/m⌉ = {len(want)} batches" + (f", the last holding the N mod m = {N % m} left over)"
                                                            if N % m else ")"))
            for Xb, yb in out:
                paired = np.array_equal(Xb[:, 0], yb) and np.array_equal(Xb[:, 1], 1000 + yb)
                if Xb.shape != (len(yb), 2) or not paired:
                    return "a row of X_batch is not with its own label: shuffle X and y with the same permutation"
            seen = np.sort(np.concatenate([yb for _, yb in out]))
            if not np.array_equal(seen, np.arange(N)):
                dup = int(len(seen) - len(np.unique(seen)))
                return (f"every sample must appear exactly once per epoch; {dup} appear twice and "
                        f"{N - len(np.unique(seen))} never")
            return None
        return test

    def shuffled(fn):
        order = np.concatenate([yb for _, yb in batches_of(fn, 100, 10)])
        if np.array_equal(order, np.arange(100)):
            return "the samples come out in their original order 0, 1, 2, …: shuffle them first"
        return None

    def seeded(fn):
        a = np.concatenate([yb for _, yb in batches_of(fn, 50, 8, seed=1)])
        b = np.concatenate([yb for _, yb in batches_of(fn, 50, 8, seed=1)])
        c = np.concatenate([yb for _, yb in batches_of(fn, 50, 8, seed=2)])
        if not np.array_equal(a, b):
            return "two calls with seed = 1 gave different batches: build the generator from the seed"
        if np.array_equal(a, c):
            return "seeds 1 and 2 gave the same order: the seed must choose the permutation"
        return None

    cases = [
        _Case("N = 12, m = 4: three full batches", partition(12, 4)),
        _Case("N = 10, m = 3: four batches, the last with the 1 sample left over", partition(10, 3)),
        _Case("m = N = 7 (batch gradient descent: one batch) ", partition(7, 7)),
        _Case("m = 1 (stochastic gradient descent: N batches of one)", partition(5, 1)),
        _Case("the order is shuffled", shuffled),
        _Case("the same seed gives the same batches, another seed another order", seeded),
    ]
    return _run("check_minibatches", your_function, cases, verbose)


# ----------------------------------------------------------------------------------------------
# chapter 4: exponentially weighted averages
# ----------------------------------------------------------------------------------------------
def _ewma_reference(theta, beta, bias_correction):
    return ewma(theta, beta, bias_correction)


def _ewma_start_first(theta, beta, bias_correction):
    v, out = theta[0], []
    for x in theta:
        v = beta * v + (1 - beta) * x
        out.append(v)
    out = np.array(out)
    if bias_correction:
        out = out / (1 - beta ** np.arange(1, len(theta) + 1))
    return out


def _ewma_t_from_0(theta, beta, bias_correction):
    out = ewma(theta, beta, False)
    if bias_correction:
        with np.errstate(divide="ignore"):
            out = out / (1 - beta ** np.arange(len(theta)))
    return out


def _ewma_swapped(theta, beta, bias_correction):
    return ewma(theta, 1 - beta, bias_correction) if beta > 0 else np.zeros_like(theta)


def _ewma_no_correction(theta, beta, bias_correction):
    return ewma(theta, beta, False)


MISTAKES["ewma"] = {
    "start from v₀ = θ₁ instead of v₀ = 0": _ewma_start_first,
    "count t from 0 in the correction 1 − β^t": _ewma_t_from_0,
    "swap the weights: v ← (1 − β)·v + β·θ": _ewma_swapped,
    "ignore bias_correction": _ewma_no_correction,
}


def check_ewma(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(theta, beta, bias_correction) -> v``: ``v_t = β·v_{t−1} + (1 − β)·θ_t`` from
    ``v_0 = 0``, for every ``t = 1 … T`` (``v[t−1]`` is ``v_t``), divided by ``1 − β^t`` when
    ``bias_correction`` is true.  ``theta`` is a 1-D array.
    """
    temps = np.array([4.4, 6.1, 5.0, 8.3, 7.2, 10.0, 12.8, 11.1, 9.4, 13.3])

    def case(theta, beta, bc, name):
        return (name, lambda fn: {"v": np.asarray(fn(np.array(theta, dtype=np.float64), beta, bc))})

    cases = [
        case(np.full(5, 10.0), 0.9, False, "θ = 10 every day, β = 0.9: v₁ = 1, v₂ = 1.9, … (too small: bias)"),
        case(np.full(5, 10.0), 0.9, True, "the same with bias correction: v̂_t = 10 from the first day"),
        case(temps, 0.5, False, "ten temperatures, β = 0.5 (a 2-day average)"),
        case(temps, 0.98, True, "ten temperatures, β = 0.98, bias-corrected"),
    ]
    return _compare("check_ewma", your_function, _ewma_reference, cases, MISTAKES["ewma"],
                    rtol=1e-9, atol=1e-12, verbose=verbose)


# ----------------------------------------------------------------------------------------------
# chapters 5–7: update rules (pure: return the new values)
# ----------------------------------------------------------------------------------------------
_MOMENTUM_FORMS = ("ewma", "undamped", "velocity")


def _momentum_reference(form: str) -> Callable:
    def ref(w, g, v, *, learning_rate, beta):
        if form == "velocity":  # Keras SGD(momentum=β): v ← β·v − α·g, w ← w + v
            sgd_update(w, g, v, learning_rate=learning_rate, momentum=beta)
        else:
            momentum_update(w, g, v, learning_rate=learning_rate, beta=beta, dampening=form == "ewma")
        return w, v
    return ref


def _momentum_old_v(form: str) -> Callable:  # moves w with the velocity of the previous step
    def wrong(w, g, v, *, learning_rate, beta):
        w = w - learning_rate * v if form != "velocity" else w + v
        return w, _momentum_reference(form)(np.zeros_like(w), g, v.copy(), learning_rate=learning_rate, beta=beta)[1]
    return wrong


def _momentum_mistakes(form: str) -> dict[str, Callable]:
    others = {f: _momentum_reference(f) for f in _MOMENTUM_FORMS if f != form}
    names = {"ewma": "use the EWMA form v ← β·v + (1 − β)·g, w ← w − α·v",
             "undamped": "leave out (1 − β): v ← β·v + g, w ← w − α·v",
             "velocity": "use Keras' velocity form v ← β·v − α·g, w ← w + v"}
    out = {names[f]: fn for f, fn in others.items()}
    out["update w with the previous step's v (update v first)"] = _momentum_old_v(form)
    return out


for _f in _MOMENTUM_FORMS:
    MISTAKES[f"momentum_update[{_f}]"] = _momentum_mistakes(_f)


def _momentum_cases(learning_rate: float = 0.1, beta: float = 0.9):
    g_const = np.tile([1.0, -2.0], (4, 1))
    rng = np.random.default_rng(0)
    g_rand = rng.standard_normal((6, 3))

    def case(grads, name, v0=None):
        def run(fn):
            v_init = np.zeros(grads.shape[1]) if v0 is None else np.asarray(v0, dtype=np.float64)
            return _trajectory(fn, np.ones(grads.shape[1]), grads, [v_init], "w, v",
                               learning_rate=learning_rate, beta=beta)
        return (name, run)

    return [
        case(g_const[:1], f"one step from v = 0, g = (1, −2), α = {learning_rate}, β = {beta} "
                          "(the forms differ already here)"),
        case(g_const, "four steps with the same gradient (v builds up)"),
        case(g_rand, "six steps with random gradients"),
        case(g_rand[:2], "two steps starting from a velocity v = (0.5, 0, −1)", v0=[0.5, 0.0, -1.0]),
    ]


def check_momentum_update(your_function: Callable, form: str = "ewma", *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(w, g, v, *, learning_rate, beta) -> (w, v)``, one step of momentum in the form
    ``form``:

    * ``"ewma"`` (Ng's week-10 notes §6): ``v ← β·v + (1 − β)·g``, ``w ← w − α·v``;
    * ``"undamped"`` (the boostcamp post, PyTorch's ``SGD(momentum=β)``): ``v ← β·v + g``, ``w ← w − α·v``;
    * ``"velocity"`` (the university lecture's eq. 5.12 with ``v`` pointing downhill, Keras'
      ``SGD(momentum=β)``): ``v ← β·v − α·g``, ``w ← w + v``.
    """
    if form not in _MOMENTUM_FORMS:
        raise ValueError(f"form must be one of {_MOMENTUM_FORMS}, got {form!r}")
    return _compare_steps(f"check_momentum_update (form={form!r})", your_function, _momentum_reference(form),
                          _momentum_cases(), MISTAKES[f"momentum_update[{form}]"], verbose=verbose)


_PLACEMENTS_2 = ("outside", "inside")


def _adagrad_reference(placement: str) -> Callable:
    def ref(w, g, r, *, learning_rate, epsilon):
        adagrad_update(w, g, r, learning_rate=learning_rate, epsilon=epsilon, epsilon_placement=placement)
        return w, r
    return ref


def _adagrad_w_before_r(w, g, r, *, learning_rate, epsilon):
    w = w - learning_rate * g / (epsilon + np.sqrt(r))
    return w, r + g * g


def _adagrad_no_sqrt(w, g, r, *, learning_rate, epsilon):
    r = r + g * g
    return w - learning_rate * g / (epsilon + r), r


MISTAKES["adagrad_update[outside]"] = {
    "put ε inside the square root: α·g/√(r + ε)": _adagrad_reference("inside"),
    "update w with the previous r (r updated after w)": _adagrad_w_before_r,
    "forget the square root: α·g/(r + ε)": _adagrad_no_sqrt,
}
MISTAKES["adagrad_update[inside]"] = {
    "put ε outside the square root: α·g/(√r + ε)": _adagrad_reference("outside"),
    "forget the square root: α·g/(r + ε)": _adagrad_no_sqrt,
}


def check_adagrad_update(your_function: Callable, epsilon_placement: str = "outside", *,
                         verbose: bool = True) -> CheckResult:
    """Check ``your_function(w, g, r, *, learning_rate, epsilon) -> (w, r)``, one step of AdaGrad::

        r ← r + g⊙g
        w ← w − α·g/(√r + ε)        epsilon_placement="outside" (the university lecture, algorithm 5-3)
        w ← w − α·g/√(r + ε)        epsilon_placement="inside"  (the boostcamp post, Keras)

    Cases with ``ε = 0.1`` and gradients of 0.01 make the placement matter; one starts from Keras'
    initial accumulator ``r = 0.1``.
    """
    if epsilon_placement not in _PLACEMENTS_2:
        raise ValueError(f"epsilon_placement must be one of {_PLACEMENTS_2}, got {epsilon_placement!r}")
    rng = np.random.default_rng(1)

    def case(grads, name, eps, r0=0.0):
        def run(fn):
            d = grads.shape[1]
            return _trajectory(fn, np.ones(d), grads, [np.full(d, r0)], "w, r", learning_rate=0.1, epsilon=eps)
        return (name, run)

    small = np.array([[0.01, -0.02, 0.5]] * 3)
    cases = [case(rng.standard_normal((5, 3)), "five steps, random gradients, ε = 1e-7", 1e-7),
             case(small, "gradients of 0.01 and ε = 0.1: here ε inside or outside √ matters", 0.1),
             case(small, "starting from Keras' initial accumulator r = 0.1, ε = 0.1", 0.1, r0=0.1)]
    return _compare_steps(f"check_adagrad_update (epsilon_placement={epsilon_placement!r})", your_function,
                          _adagrad_reference(epsilon_placement), cases,
                          MISTAKES[f"adagrad_update[{epsilon_placement}]"], verbose=verbose)


def _rmsprop_reference(placement: str) -> Callable:
    def ref(w, g, s, *, learning_rate, rho, epsilon):
        rmsprop_update(w, g, s, learning_rate=learning_rate, rho=rho, epsilon=epsilon, epsilon_placement=placement)
        return w, s
    return ref


def _rmsprop_no_one_minus(w, g, s, *, learning_rate, rho, epsilon):
    s = rho * s + g * g
    return w - learning_rate * g / (np.sqrt(s) + epsilon), s


def _rmsprop_w_before_s(w, g, s, *, learning_rate, rho, epsilon):
    w = w - learning_rate * g / (np.sqrt(s) + epsilon)
    return w, rho * s + (1 - rho) * g * g


def _rmsprop_swapped(w, g, s, *, learning_rate, rho, epsilon):
    s = (1 - rho) * s + rho * g * g
    return w - learning_rate * g / (np.sqrt(s) + epsilon), s


MISTAKES["rmsprop_update[outside]"] = {
    "put ε inside the square root: α·g/√(s + ε)": _rmsprop_reference("inside"),
    "leave out (1 − ρ): s ← ρ·s + g²": _rmsprop_no_one_minus,
    "swap the weights: s ← (1 − ρ)·s + ρ·g²": _rmsprop_swapped,
    "update w with the previous s (s updated after w)": _rmsprop_w_before_s,
}
MISTAKES["rmsprop_update[inside]"] = {
    "put ε outside the square root: α·g/(√s + ε)": _rmsprop_reference("outside"),
    "swap the weights: s ← (1 − ρ)·s + ρ·g²": _rmsprop_swapped,
}


def check_rmsprop_update(your_function: Callable, epsilon_placement: str = "outside", *,
                         verbose: bool = True) -> CheckResult:
    """Check ``your_function(w, g, s, *, learning_rate, rho, epsilon) -> (w, s)``, one step of RMSprop::

        s ← ρ·s + (1 − ρ)·g⊙g
        w ← w − α·g/(√s + ε)        epsilon_placement="outside" (Ng's week-10 notes §7, the lecture)
        w ← w − α·g/√(s + ε)        epsilon_placement="inside"  (the boostcamp post, Keras)
    """
    if epsilon_placement not in _PLACEMENTS_2:
        raise ValueError(f"epsilon_placement must be one of {_PLACEMENTS_2}, got {epsilon_placement!r}")
    rng = np.random.default_rng(2)

    def case(grads, name, eps, rho=0.9):
        def run(fn):
            d = grads.shape[1]
            return _trajectory(fn, np.ones(d), grads, [np.zeros(d)], "w, s", learning_rate=0.01, rho=rho,
                               epsilon=eps)
        return (name, run)

    cases = [case(rng.standard_normal((5, 3)), "five steps, random gradients, ρ = 0.9, ε = 1e-7", 1e-7),
             case(np.array([[0.01, -0.02, 0.5]] * 3), "gradients of 0.01 and ε = 0.1: ε's placement matters", 0.1),
             case(rng.standard_normal((4, 2)), "ρ = 0.5, a short memory of about two steps", 1e-7, rho=0.5)]
    return _compare_steps(f"check_rmsprop_update (epsilon_placement={epsilon_placement!r})", your_function,
                          _rmsprop_reference(epsilon_placement), cases,
                          MISTAKES[f"rmsprop_update[{epsilon_placement}]"], verbose=verbose)


_ADAM_PLACEMENTS = ("outside", "hat", "inside")


def _adam_reference(placement: str) -> Callable:
    def ref(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
        adam_update(w, g, v, s, t, learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                    epsilon_placement=placement)
        return w, v, s
    return ref


def _adam_no_correction(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
    v = beta_1 * v + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g * g
    return w - learning_rate * v / (np.sqrt(s) + epsilon), v, s


def _adam_t_from_0(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
    return _adam_reference("outside")(w, g, v, s, t + 1, learning_rate=learning_rate, beta_1=beta_1,
                                      beta_2=beta_2, epsilon=epsilon)


def _adam_in_place_correction(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
    # the university lecture's algorithm 5-5 as printed: the corrected values are stored
    v = (beta_1 * v + (1 - beta_1) * g) / (1 - beta_1**t)
    s = (beta_2 * s + (1 - beta_2) * g * g) / (1 - beta_2**t)
    return w - learning_rate * v / (np.sqrt(s) + epsilon), v, s


def _adam_betas_swapped(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
    return _adam_reference("outside")(w, g, v, s, t, learning_rate=learning_rate, beta_1=beta_2, beta_2=beta_1,
                                      epsilon=epsilon)


def _adam_mistakes(placement: str) -> dict[str, Callable]:
    names = {"outside": "put ε outside the root after correcting both moments: α·v̂/(√ŝ + ε)",
             "hat": ("fold the corrections into α_t = α·√(1 − β₂^t)/(1 − β₁^t) with ε̂ outside: "
                     "α_t·v/(√s + ε̂)"),
             "inside": "fold the corrections into α_t and put ε inside the root: α_t·v/√(s + ε)"}
    out = {names[p]: _adam_reference(p) for p in _ADAM_PLACEMENTS if p != placement}
    out.update({
        "leave out the bias correction": _adam_no_correction,
        "count t from 0 (the correction 1 − β^t of the next step)": _adam_t_from_0,
        "store the bias-corrected v̂ and ŝ in v and s (the lecture's algorithm 5-5 as printed)":
            _adam_in_place_correction,
        "swap β₁ and β₂": _adam_betas_swapped,
    })
    return out


for _p in _ADAM_PLACEMENTS:
    MISTAKES[f"adam_update[{_p}]"] = _adam_mistakes(_p)


def check_adam_update(your_function: Callable, epsilon_placement: str = "outside", *,
                      verbose: bool = True) -> CheckResult:
    """Check ``your_function(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon) -> (w, v, s)``, step
    ``t = 1, 2, …`` of Adam::

        v ← β₁·v + (1 − β₁)·g,   s ← β₂·s + (1 − β₂)·g⊙g         (v, s returned uncorrected)
        v̂ = v/(1 − β₁^t),        ŝ = s/(1 − β₂^t)
        w ← w − α·v̂/(√ŝ + ε)          epsilon_placement="outside" (the notes, the paper's algorithm 1)
        w ← w − α_t·v/(√s + ε̂)        "hat" (the paper's ε-hat, Keras)
        w ← w − α_t·v/√(s + ε)         "inside" (the boostcamp post),  α_t = α·√(1 − β₂^t)/(1 − β₁^t)

    Cases: the first step (bias correction matters most), ten steps, and ``ε = 0.1`` with small
    gradients (the three placements part).
    """
    if epsilon_placement not in _ADAM_PLACEMENTS:
        raise ValueError(f"epsilon_placement must be one of {_ADAM_PLACEMENTS}, got {epsilon_placement!r}")
    rng = np.random.default_rng(3)

    def case(grads, name, eps=1e-8, lr=0.01):
        def run(fn):
            d = grads.shape[1]
            return _trajectory(fn, np.ones(d), grads, [np.zeros(d), np.zeros(d)], "w, v, s", with_t=True,
                               learning_rate=lr, beta_1=0.9, beta_2=0.999, epsilon=eps)
        return (name, run)

    cases = [case(np.array([[0.5, -2.0, 1e-3]]), "the first step, t = 1: corrected, it is α·sign(g) for each weight"),
             case(rng.standard_normal((10, 3)), "ten steps with random gradients, β₁ = 0.9, β₂ = 0.999"),
             case(np.array([[0.01, -0.003, 0.2]] * 4), "gradients of 0.01 and ε = 0.1: where ε goes matters",
                  eps=0.1)]
    return _compare_steps(f"check_adam_update (epsilon_placement={epsilon_placement!r})", your_function,
                          _adam_reference(epsilon_placement), cases, MISTAKES[f"adam_update[{epsilon_placement}]"],
                          verbose=verbose)


# ----------------------------------------------------------------------------------------------
# chapter 8: a learning-rate schedule
# ----------------------------------------------------------------------------------------------
def _itd_reference(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    return float(InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase)(step))


def _itd_no_staircase(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    return initial_learning_rate / (1 + decay_rate * step / decay_steps)


def _itd_per_step(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    return initial_learning_rate / (1 + decay_rate * step)


def _itd_from_1(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    return _itd_reference(step + decay_steps, initial_learning_rate=initial_learning_rate, decay_steps=decay_steps,
                          decay_rate=decay_rate, staircase=staircase)


def _itd_round(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    p = round(step / decay_steps) if staircase else step / decay_steps
    return initial_learning_rate / (1 + decay_rate * p)


MISTAKES["inverse_time_decay"] = {
    "ignore staircase": _itd_no_staircase,
    "forget to divide the step by decay_steps": _itd_per_step,
    "count epochs from 1 (the first epoch already decayed)": _itd_from_1,
    "round step/decay_steps instead of flooring it": _itd_round,
}


def check_inverse_time_decay(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(step, *, initial_learning_rate, decay_steps, decay_rate, staircase=False) -> α``,
    Keras' ``InverseTimeDecay`` and the notes' ``α = α₀/(1 + decay_rate·epoch)``::

        α = α₀ / (1 + decay_rate · p),   p = step/decay_steps   (⌊step/decay_steps⌋ with staircase)

    ``step`` counts updates from 0; with ``decay_steps`` = updates per epoch and ``staircase=True``,
    ``p`` is the number of epochs completed.
    """
    def case(steps, name, **kw):
        def run(fn):
            return {"α at steps " + ", ".join(map(str, steps)): np.array([float(fn(s, **kw)) for s in steps])}
        return (name, run)

    cases = [
        case([0, 1, 2, 3, 4],
             "the notes' α₀ = 0.2, decay_rate = 1, one update per epoch: 0.2, 0.1, 0.067, 0.05, 0.04",
             initial_learning_rate=0.2, decay_steps=1, decay_rate=1.0),
        case([0, 10, 49, 50, 99, 100, 1000], "decay_steps = 50, smooth: α shrinks a little at every update",
             initial_learning_rate=0.5, decay_steps=50, decay_rate=0.5),
        case([0, 10, 30, 49, 50, 99, 100, 1000], "decay_steps = 50 and staircase=True: α drops once per 50 updates",
             initial_learning_rate=0.5, decay_steps=50, decay_rate=0.5, staircase=True),
    ]
    return _compare("check_inverse_time_decay", your_function, _itd_reference, cases, MISTAKES["inverse_time_decay"],
                    rtol=1e-9, atol=1e-12, verbose=verbose)


# ----------------------------------------------------------------------------------------------
# chapter 9: standardization fitted on the training split, He initialization
# ----------------------------------------------------------------------------------------------
def _std_reference(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def _std_each_own(X_train, X_test):
    return StandardScaler().fit_transform(X_train), StandardScaler().fit_transform(X_test)


def _std_both(X_train, X_test):
    scaler = StandardScaler().fit(np.vstack([X_train, X_test]))
    return scaler.transform(X_train), scaler.transform(X_test)


def _std_ddof1(X_train, X_test):
    mu, sd = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    return (X_train - mu) / sd, (X_test - mu) / sd


def _std_rows(X_train, X_test):
    f = lambda X: (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)  # noqa: E731
    return f(X_train), f(X_test)


MISTAKES["standardize"] = {
    "standardize the test split with its own mean and standard deviation": _std_each_own,
    "fit the statistics on the training and test splits together": _std_both,
    "use the sample standard deviation (ddof = 1) instead of the population one": _std_ddof1,
    "standardize each sample (row) instead of each feature (column)": _std_rows,
}


def check_standardize(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(X_train, X_test) -> (Z_train, Z_test)``: the lecture's (5.9)
    ``x ← (x − μ)/σ`` per feature (column), with ``μ`` and ``σ`` (population standard deviation,
    ``ddof = 0``, as scikit-learn's ``StandardScaler``) computed on the **training** split only and
    applied to both splits.
    """
    rng = np.random.default_rng(4)

    def case(X_train, X_test, name):
        def run(fn):
            Z_train, Z_test = _as_tuple(fn(X_train.copy(), X_test.copy()), 2, "Z_train, Z_test")
            return {"Z_train": np.asarray(Z_train), "Z_test": np.asarray(Z_test)}
        return (name, run)

    X1 = rng.normal([10.0, -3.0, 0.0], [2.0, 0.5, 100.0], size=(20, 3))
    cases = [
        case(X1, rng.normal([10.0, -3.0, 0.0], [2.0, 0.5, 100.0], size=(5, 3)),
             "three features on very different scales; 20 training rows, 5 test rows"),
        case(X1[:6], X1[6:8] + np.array([5.0, 0.0, 0.0]),
             "a test split whose first feature is shifted by +5: it must stay shifted after scaling"),
    ]
    return _compare("check_standardize", your_function, _std_reference, cases, MISTAKES["standardize"],
                    rtol=1e-9, atol=1e-12, verbose=verbose)


def _he_reference(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * math.sqrt(2.0 / n_in)


MISTAKES["he_init"] = {
    "use Xavier / LeCun's variance 1/n_in instead of He's 2/n_in":
        lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) * math.sqrt(1.0 / n_in),
    "divide by the fan-out n_out instead of the fan-in n_in":
        lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) * math.sqrt(2.0 / n_out),
    "multiply by the variance 2/n_in instead of the standard deviation √(2/n_in)":
        lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) * (2.0 / n_in),
    "return the lecture's (n_out, n_in) layout instead of samples-as-rows (n_in, n_out)":
        lambda n_in, n_out, rng: rng.standard_normal((n_out, n_in)) * math.sqrt(2.0 / n_in),
    "ignore rng (use NumPy's global generator)":
        lambda n_in, n_out, rng: np.random.standard_normal((n_in, n_out)) * math.sqrt(2.0 / n_in),
}


def check_he_init(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(n_in, n_out, rng) -> W``: He initialization for ReLU layers, weights of
    shape ``(n_in, n_out)`` (samples are rows: ``a = relu(x @ W)``) drawn from ``rng`` with mean 0 and
    standard deviation ``√(2/n_in)`` (normal or Keras' truncated normal: only the statistics are checked).

    A layer of 400 inputs and 100 outputs has 40,000 weights, so the standard deviation is measured
    to about 0.4 %; the checker allows 3 %.
    """
    n_in, n_out = 400, 100
    target = math.sqrt(2.0 / n_in)

    def draw(fn, seed):
        return np.asarray(fn(n_in, n_out, np.random.default_rng(seed)), dtype=np.float64)

    def shape(fn):
        W = draw(fn, 0)
        if W.shape != (n_in, n_out):
            return (f"W has shape {W.shape}; a layer from {n_in} inputs to {n_out} units needs ({n_in}, {n_out}) "
                    "(inputs as rows, so that x @ W works for a batch x of shape (m, n_in))")
        return None

    def std(fn):
        W = draw(fn, 0)
        sd = float(W.std())
        if abs(sd / target - 1) > 0.03:
            ratio = sd / target
            return (f"the standard deviation is {sd:.4f}; He's is √(2/n_in) = √(2/{n_in}) = {target:.4f} "
                    f"(yours is {ratio:.2f} times that; √(2/n_out) would be {math.sqrt(2 / n_out):.4f}, "
                    f"√(1/n_in) {math.sqrt(1 / n_in):.4f})")
        return None

    def mean(fn):
        W = draw(fn, 0)
        m, se = float(W.mean()), target / math.sqrt(W.size)
        if abs(m) > 4 * se:
            return f"the mean is {m:.4g}; it should be 0 (within ±{4 * se:.2g} for {W.size} weights)"
        return None

    def seeded(fn):
        a, b, c = draw(fn, 1), draw(fn, 1), draw(fn, 2)
        if not np.array_equal(a, b):
            return "two calls with the same rng seed gave different weights: draw from rng"
        if np.array_equal(a, c):
            return "two different seeds gave the same weights: draw from rng"
        return None

    cases = [_Case(f"shape ({n_in}, {n_out}) for {n_in} inputs and {n_out} units", shape),
             _Case(f"standard deviation √(2/n_in) = {target:.4f}", std),
             _Case("mean 0", mean),
             _Case("reproducible: the same rng seed gives the same weights", seeded)]
    return _run("check_he_init", your_function, cases, verbose)


# ----------------------------------------------------------------------------------------------
# chapter 10: the batch-normalization backward pass
# ----------------------------------------------------------------------------------------------
def _bn_reference(dy, x, gamma, epsilon):
    layer = BatchNormalization(epsilon=epsilon)
    layer.build(x.shape, x.dtype)
    layer.params["gamma"][...] = gamma
    layer.forward(x, training=True)
    dx = layer.backward(dy)
    return dx, layer.grads["gamma"], layer.grads["beta"]


def _bn_constant_stats(dy, x, gamma, epsilon):  # treats μ and σ² as constants (inference's backward)
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + epsilon)
    return dy * gamma / np.sqrt(x.var(0) + epsilon), (dy * x_hat).sum(0), dy.sum(0)


def _bn_unbiased(dy, x, gamma, epsilon):
    m = len(x)
    var = x.var(0, ddof=1)
    inv = 1 / np.sqrt(var + epsilon)
    x_hat = (x - x.mean(0)) * inv
    dxh = dy * gamma
    # derivative of x̂ with the unbiased variance: the last term scaled by m/(m − 1)
    dx = inv / m * (m * dxh - dxh.sum(0) - x_hat * (dxh * x_hat).sum(0) * m / (m - 1))
    return dx, (dy * x_hat).sum(0), dy.sum(0)


def _bn_no_gamma(dy, x, gamma, epsilon):
    return _bn_reference(dy, x, np.ones_like(gamma), epsilon)[0], *_bn_reference(dy, x, gamma, epsilon)[1:]


def _bn_mean_grads(dy, x, gamma, epsilon):
    dx, dg, db = _bn_reference(dy, x, gamma, epsilon)
    return dx, dg / len(x), db / len(x)


MISTAKES["batchnorm_backward"] = {
    "treat the batch mean and variance as constants (dx = dy·γ/√(σ² + ε))": _bn_constant_stats,
    "use the unbiased variance (ddof = 1) in the forward pass": _bn_unbiased,
    "forget γ in ∂J/∂x̂ = dy·γ": _bn_no_gamma,
    "average ∂J/∂γ and ∂J/∂β over the batch instead of summing": _bn_mean_grads,
}


def check_batchnorm_backward(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(dy, x, gamma, epsilon) -> (dx, dgamma, dbeta)``: the backward pass of batch
    normalization in training (the lecture's code 1, Keras' ``BatchNormalization``)::

        μ = mean of x over the m rows,  σ² = mean of (x − μ)² (biased)
        x̂ = (x − μ)/√(σ² + ε),  y = γ⊙x̂ + β
        ∂J/∂γ = Σ_rows dy⊙x̂,   ∂J/∂β = Σ_rows dy,   ∂J/∂x̂ = dy⊙γ
        ∂J/∂x = 1/(m√(σ² + ε)) · (m·∂J/∂x̂ − Σ_rows ∂J/∂x̂ − x̂⊙Σ_rows ∂J/∂x̂⊙x̂)

    ``x`` and ``dy`` have shape ``(m, n)``; ``gamma`` shape ``(n,)``.
    """
    rng = np.random.default_rng(5)

    def case(m, n, name, gamma=None, eps=1e-3, scale=1.0):
        x = rng.normal(2.0, scale, size=(m, n))
        dy = rng.standard_normal((m, n))
        g = np.ones(n) if gamma is None else np.asarray(gamma, dtype=np.float64)

        def run(fn):
            dx, dg, db = _as_tuple(fn(dy.copy(), x.copy(), g.copy(), eps), 3, "dx, dgamma, dbeta")
            return {"dx": np.asarray(dx), "dgamma": np.asarray(dg), "dbeta": np.asarray(db)}
        return (name, run)

    cases = [case(4, 3, "m = 4 rows, 3 features, γ = 1, ε = 1e-3"),
             case(8, 2, "γ = (2, −0.5): ∂J/∂x̂ = dy·γ", gamma=[2.0, -0.5]),
             case(3, 4, "m = 3 and features of scale 0.01: ε matters and so does the variance's divisor",
                  gamma=[1.0, 0.5, 1.5, -1.0], scale=0.05)]
    return _compare("check_batchnorm_backward", your_function, _bn_reference, cases, MISTAKES["batchnorm_backward"],
                    rtol=1e-7, atol=1e-10, verbose=verbose)


# ----------------------------------------------------------------------------------------------
# chapter 11: an L2 (weight decay) step, the L1 soft threshold
# ----------------------------------------------------------------------------------------------
def _l2_reference(w, g, *, learning_rate, lam):
    # SGD on J + λ‖w‖²: w ← w − α(g + 2λw) = (1 − 2αλ)w − αg  (lecture eq. 5.23)
    apply_weight_decay(w, learning_rate, 2.0 * lam)
    return sgd_update(w, g, learning_rate=learning_rate)


MISTAKES["l2_step"] = {
    "use λ instead of 2λ (the α/2 convention of the boostcamp post)":
        lambda w, g, *, learning_rate, lam: (1 - learning_rate * lam) * w - learning_rate * g,
    "decay by 2λ without the learning rate: (1 − 2λ)w − αg":
        lambda w, g, *, learning_rate, lam: (1 - 2 * lam) * w - learning_rate * g,
    "add the penalty's gradient with the wrong sign":
        lambda w, g, *, learning_rate, lam: (1 + 2 * learning_rate * lam) * w - learning_rate * g,
}


def check_l2_step(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(w, g, *, learning_rate, lam) -> w_new``: one gradient step on the penalized
    loss ``J(w) + λ‖w‖²`` (the university lecture's (5.21)–(5.23))::

        w ← w − α(g + 2λw) = (1 − 2αλ)·w − α·g

    With ``α = 0.01`` and ``λ = 2`` the weights shrink by the lecture's factor 0.96 before the step.
    """
    def case(w, g, lr, lam, name):
        return (name, lambda fn: {"w": np.asarray(fn(np.array(w, float), np.array(g, float),
                                                      learning_rate=lr, lam=lam))})

    cases = [case([1.0, -2.0, 0.5], [0.0, 0.0, 0.0], 0.01, 2.0,
                  "the lecture's α = 0.01, λ = 2, g = 0: w shrinks to 0.96·w"),
             case([1.0, -2.0, 0.5], [0.3, -1.0, 2.0], 0.1, 0.05, "α = 0.1, λ = 0.05 with a gradient")]
    return _compare("check_l2_step", your_function, _l2_reference, cases, MISTAKES["l2_step"], rtol=1e-9,
                    atol=1e-12, verbose=verbose)


MISTAKES["soft_threshold"] = {
    "take the subgradient step w − threshold·sign(w) (it overshoots past 0)":
        lambda w, threshold: w - threshold * np.sign(w),
    "set small weights to 0 but leave the others unchanged (hard threshold)":
        lambda w, threshold: np.where(np.abs(w) > threshold, w, 0.0),
    "clip at 0 without keeping the sign: max(w − threshold, 0)":
        lambda w, threshold: np.maximum(w - threshold, 0.0),
}


def check_soft_threshold(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(w, threshold) -> w_new``, the proximal step of an L1 penalty: every weight
    moves toward 0 by ``threshold`` (``= αλ``) and stops at 0::

        w_new = sign(w) · max(|w| − threshold, 0)
    """
    def case(w, th, name):
        return (name, lambda fn: {"w_new": np.asarray(fn(np.array(w, float), th))})

    cases = [case([2.0, -2.0, 0.5, -0.3, 0.0], 1.0,
                  "threshold 1: 2 → 1, −2 → −1, and 0.5, −0.3, 0 become exactly 0"),
             case([[0.05, -0.2], [0.11, -0.09]], 0.1, "a 2×2 matrix, threshold 0.1")]
    return _compare("check_soft_threshold", your_function, soft_threshold, cases,
                    MISTAKES["soft_threshold"], rtol=1e-9, atol=1e-12, verbose=verbose)


# ----------------------------------------------------------------------------------------------
# chapter 12: inverted dropout
# ----------------------------------------------------------------------------------------------
def _dropout_reference():
    def forward(x, rate, rng):
        layer = Dropout(rate, seed=rng)
        a = layer.forward(x, training=True)
        return a, layer

    def backward(da, cache):
        return cache.backward(da)
    return forward, backward


def _dropout_keep_prob():  # uses rate as the probability to KEEP (Ng's keep_prob)
    def forward(x, rate, rng):
        keep = rng.random(x.shape) < rate
        return x * keep / rate, keep / rate
    return forward, lambda da, mask: da * mask


def _dropout_no_scale():
    def forward(x, rate, rng):
        keep = rng.random(x.shape) >= rate
        return x * keep, keep
    return forward, lambda da, mask: da * mask


def _dropout_new_mask():
    def forward(x, rate, rng):
        keep = rng.random(x.shape) >= rate
        return x * keep / (1 - rate), (rate, rng)

    def backward(da, cache):
        rate, rng = cache
        return da * (rng.random(da.shape) >= rate) / (1 - rate)
    return forward, backward


def _dropout_backward_unscaled():
    def forward(x, rate, rng):
        keep = rng.random(x.shape) >= rate
        return x * keep / (1 - rate), keep
    return forward, lambda da, keep: da * keep


MISTAKES["dropout"] = {  # (forward, backward) pairs
    "use rate as the probability of keeping a unit (Ng's keep_prob) instead of dropping it": _dropout_keep_prob(),
    "drop units without scaling the kept ones by 1/(1 − rate)": _dropout_no_scale(),
    "draw a new mask in the backward pass": _dropout_new_mask(),
    "forget the 1/(1 − rate) in the backward pass": _dropout_backward_unscaled(),
}


def check_dropout(forward: Callable, backward: Callable, *, verbose: bool = True) -> CheckResult:
    """Check inverted dropout (the lecture's algorithm 5-8, Keras' ``Dropout(rate)``), in training:

    * ``forward(x, rate, rng) -> (a, cache)``: drop each unit with probability ``rate`` (draw from
      ``rng``), scale the kept ones by ``1/(1 − rate)``;
    * ``backward(da, cache) -> dx``: the same mask and scale, ``dx = da ⊙ r/(1 − rate)``.

    The mask is random, so the checker tests what must hold for *any* mask on 200,000 units:
    every output is 0 or ``x/(1 − rate)``, the fraction dropped is ``rate`` (±1 %), the mean output is
    the mean input, and the backward pass reuses the forward pass's mask.
    """
    rng0 = np.random.default_rng(6)
    x = rng0.uniform(0.5, 1.5, size=(1000, 200))

    def run(rate, seed=0):
        a, cache = _as_tuple(forward(x.copy(), rate, np.random.default_rng(seed)), 2, "a, cache")
        return np.asarray(a, dtype=np.float64), cache

    def values(rate):
        def test(_):
            a, _c = run(rate)
            if a.shape != x.shape:
                return f"a has shape {a.shape}; it should have x's shape {x.shape}"
            dropped = float(np.mean(a == 0))
            if abs(dropped - rate) > 0.01:
                return (f"you dropped {dropped:.1%} of the units; with rate = {rate} it should be {rate:.0%} "
                        "(rate is the probability of dropping a unit)")
            scaled = np.isclose(a, x / (1 - rate), rtol=1e-6)
            ok = (a == 0) | scaled
            if not np.all(ok):
                i = tuple(int(k) for k in np.argwhere(~ok)[0])
                return (f"a[{i}] = {a[i]:.4g} for x = {x[i]:.4g}; every output must be 0 (dropped) or "
                        f"x/(1 − rate) = {x[i] / (1 - rate):.4g} (kept and scaled)")
            return None
        return test

    def expectation(_):
        a, _c = run(0.3)
        ratio = float(a.mean() / x.mean())
        if abs(ratio - 1) > 0.01:
            return (f"the mean output is {ratio:.3f} times the mean input; inverted dropout keeps it at 1 "
                    "(scale the kept units by 1/(1 − rate))")
        return None

    def same_mask(_):
        a, cache = run(0.5, seed=1)
        da = np.ones_like(x)
        dx = np.asarray(backward(da, cache), dtype=np.float64)
        expected = np.where(a == 0, 0.0, 1 / (1 - 0.5))
        return _differ(expected, dx, what="dx for da = 1 (it should be 2 where the unit was kept, 0 where dropped)",
                       rtol=1e-9, atol=1e-12)

    def rate_zero(_):
        a, _c = run(0.0)
        return _differ(x, a, what="a with rate = 0 (nothing dropped)", rtol=1e-12, atol=0)

    cases = [_Case("rate = 0.2: outputs are 0 or x/0.8, 20 % dropped", values(0.2)),
             _Case("rate = 0.5: outputs are 0 or 2x, half dropped", values(0.5)),
             _Case("rate = 0: nothing changes", rate_zero),
             _Case("the mean output equals the mean input (rate = 0.3)", expectation),
             _Case("the backward pass uses the forward pass's mask and scale", same_mask)]
    return _run("check_dropout", forward, cases, verbose)


# ----------------------------------------------------------------------------------------------
# chapter 13: a log-uniform sampler
# ----------------------------------------------------------------------------------------------
def _log_uniform_reference(low, high, size, rng):
    # lib.tuning.log_uniform in the exercise's signature: 10^r, r uniform on [log10 low, log10 high]
    return log_uniform(low, high, size, rng=rng)


MISTAKES["log_uniform"] = {
    "sample uniformly between low and high (most samples land in the top decade)":
        lambda low, high, size, rng: rng.uniform(low, high, size),
    "raise 10 to a uniform number between low and high (without taking their logs)":
        lambda low, high, size, rng: 10.0 ** rng.uniform(low, high, size),
    "use the natural log for the exponent range but 10 as the base":
        lambda low, high, size, rng: 10.0 ** rng.uniform(math.log(low), math.log(high), size),
    "ignore rng": lambda low, high, size, rng: 10.0 ** np.random.uniform(math.log10(low), math.log10(high), size),
}


def check_log_uniform(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(low, high, size, rng) -> samples``, a sampler for a learning rate on the
    "appropriate scale" (week-11 notes): ``10^r`` with ``r`` uniform between ``log₁₀ low`` and
    ``log₁₀ high``, drawn from ``rng``.  Each decade between ``low`` and ``high`` then gets the same
    share of the samples.  Checked on 40,000 samples between 10⁻⁴ and 1 (a quarter per decade, ±2 %).
    """
    low, high, n = 1e-4, 1.0, 40_000

    def draw(fn, seed, lo=low, hi=high, size=n):
        return np.asarray(fn(lo, hi, size, np.random.default_rng(seed)), dtype=np.float64)

    def in_range(fn):
        x = draw(fn, 0)
        if x.shape != (n,):
            return f"you returned shape {x.shape} for size = {n}"
        if np.any(~np.isfinite(x)) or x.min() < low or x.max() > high:
            return (f"the samples span {x.min():.3g} … {x.max():.3g}; "
                    f"they must lie between low = {low:g} and high = {high:g}")
        return None

    def decades(fn):
        x = draw(fn, 0)
        edges = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
        shares = np.histogram(x, bins=edges)[0] / len(x)
        if np.all(np.abs(shares - 0.25) < 0.02):
            return None
        parts = ", ".join(f"{s:.1%} in [{a:g}, {b:g})" for s, a, b in zip(shares, edges[:-1], edges[1:]))
        return f"each of the 4 decades should get 25 % of the samples; yours: {parts}"

    def other_range(fn):
        x = draw(fn, 0, 0.9, 0.999, 20_000)  # not decade-aligned
        r = (np.log10(x) - math.log10(0.9)) / (math.log10(0.999) - math.log10(0.9))
        if x.min() < 0.9 or x.max() > 0.999 or abs(float(np.mean(r < 0.5)) - 0.5) > 0.02:
            below = float(np.mean(x < math.sqrt(0.9 * 0.999)))
            return ("between 0.9 and 0.999, half of the samples should lie below the geometric mean "
                    f"√(0.9·0.999) = {math.sqrt(0.9 * 0.999):.4f}; {below:.1%} do")
        return None

    def seeded(fn):
        a, b, c = draw(fn, 1, size=50), draw(fn, 1, size=50), draw(fn, 2, size=50)
        if not np.array_equal(a, b):
            return "the same rng seed gave different samples: draw from rng"
        if np.array_equal(a, c):
            return "different seeds gave the same samples: draw from rng"
        return None

    cases = [_Case(f"{n} samples between {low:g} and {high:g}", in_range),
             _Case("a quarter of them in each decade 10⁻⁴…10⁻³…10⁻²…10⁻¹…1", decades),
             _Case("between 0.9 and 0.999: half below the geometric mean", other_range),
             _Case("reproducible: the same rng seed gives the same samples", seeded)]
    return _run("check_log_uniform", your_function, cases, verbose)


# ----------------------------------------------------------------------------------------------
# chapter 14: the L-BFGS two-loop recursion
# ----------------------------------------------------------------------------------------------
def _two_loop_identity_start(g, S, Y):  # H₀ = I instead of γI
    q = np.array(g, dtype=np.float64)
    k = len(S)
    rho = [1.0 / float(Y[i] @ S[i]) for i in range(k)]
    a = [0.0] * k
    for i in reversed(range(k)):
        a[i] = rho[i] * float(S[i] @ q)
        q -= a[i] * Y[i]
    r = q
    for i in range(k):
        b = rho[i] * float(Y[i] @ r)
        r += (a[i] - b) * S[i]
    return r


def _two_loop_wrong_order(g, S, Y):  # both loops over the pairs oldest → newest
    q = np.array(g, dtype=np.float64)
    k = len(S)
    rho = [1.0 / float(Y[i] @ S[i]) for i in range(k)]
    a = [0.0] * k
    for i in range(k):
        a[i] = rho[i] * float(S[i] @ q)
        q -= a[i] * Y[i]
    r = q * (float(S[-1] @ Y[-1]) / float(Y[-1] @ Y[-1])) if k else q
    for i in range(k):
        b = rho[i] * float(Y[i] @ r)
        r += (a[i] - b) * S[i]
    return r


def _two_loop_oldest_gamma(g, S, Y):  # γ from the oldest pair
    if not len(S):
        return np.array(g, dtype=np.float64)
    gamma_old = float(S[0] @ Y[0]) / float(Y[0] @ Y[0])
    q = np.array(g, dtype=np.float64)
    k = len(S)
    rho = [1.0 / float(Y[i] @ S[i]) for i in range(k)]
    a = [0.0] * k
    for i in reversed(range(k)):
        a[i] = rho[i] * float(S[i] @ q)
        q -= a[i] * Y[i]
    r = q * gamma_old
    for i in range(k):
        b = rho[i] * float(Y[i] @ r)
        r += (a[i] - b) * S[i]
    return r


MISTAKES["two_loop_recursion"] = {
    "start the second loop from H₀ = I instead of γI, γ = sᵀy/yᵀy": _two_loop_identity_start,
    "run the first loop from the oldest pair to the newest (it must go newest → oldest)": _two_loop_wrong_order,
    "take γ from the oldest pair instead of the newest": _two_loop_oldest_gamma,
    "return the direction −M·g instead of M·g": lambda g, S, Y: -two_loop_recursion(g, S, Y),
}


def check_two_loop_recursion(your_function: Callable, *, verbose: bool = True) -> CheckResult:
    """Check ``your_function(g, S, Y) -> M·g``: the L-BFGS two-loop recursion (Nocedal & Wright,
    algorithm 7.4) for the pairs ``S = [s_1 … s_k]``, ``Y = [y_1 … y_k]`` (lists of 1-D arrays,
    oldest first), with initial matrix ``γI``, ``γ = s_kᵀy_k / y_kᵀy_k`` of the newest pair::

        q ← g;  for i = k … 1:  a_i ← ρ_i s_iᵀq,  q ← q − a_i y_i        (ρ_i = 1/y_iᵀs_i)
        r ← γ q;  for i = 1 … k:  b ← ρ_i y_iᵀr,  r ← r + (a_i − b) s_i
        return r                                                          (the direction is −r)

    The expected values are those of BFGS' inverse-Hessian update applied to ``γI`` pair by pair
    (checked in ``tests/test_second_order.py``).  With no pairs, ``M = I``.
    """
    rng = np.random.default_rng(7)
    A = np.diag([1.0, 3.0, 10.0, 30.0])  # a quadratic: y = A s

    def pairs(k, n=4):
        S = [rng.standard_normal(n) for _ in range(k)]
        return S, [A[:n, :n] @ s for s in S]

    def case(k, name):
        S, Y = pairs(k)
        g = rng.standard_normal(4)

        def run(fn):
            return {"M·g": np.asarray(fn(g.copy(), [s.copy() for s in S], [y.copy() for y in Y]))}
        return (name, run)

    S3, Y3 = pairs(3)

    def secant(fn):
        S, Y = S3, Y3
        return {"M·y_k (the secant condition: it must equal s_k)":
                np.asarray(fn(Y[-1].copy(), [s.copy() for s in S], [y.copy() for y in Y]))}

    cases = [case(0, "no pairs yet: M = I, so M·g = g"),
             case(1, "one pair (s, y)"),
             case(3, "three pairs from the quadratic ½wᵀAw, A = diag(1, 3, 10, 30)"),
             ("the newest pair: M·y_k = s_k", secant)]
    return _compare("check_two_loop_recursion", your_function, two_loop_recursion, cases,
                    MISTAKES["two_loop_recursion"], rtol=1e-8, atol=1e-11, verbose=verbose)
