"""Hyperparameter tuning: the right scale, grid and random search, coarse to fine, and many workers.

Mirrors the week-11 study notes ("튜닝 프로세스": random values instead of a grid, coarse to fine, the
appropriate scale — a log scale for α, ``1 − β`` for β —, panda vs caviar) and the university lecture
"5. 딥러닝 최적화" §5.5 (algorithm 5-9, grid vs random search, log-space search, the coarse-to-fine
printout).

* :func:`log_uniform`, :func:`log_uniform_beta` — the notes' samplers: ``α = 10^r`` with ``r`` uniform
  between the logs of the ends; ``β = 1 − 10^r``.
* :class:`Range` — one hyperparameter's range on its scale (``"linear"``, ``"log"``, ``"beta"``, ``"int"``);
  it samples and it zooms (coarse to fine).
* :func:`search` — algorithm 5-9 (generate a combination, train, measure on validation, keep the best);
  :func:`grid_search` and :func:`random_search` differ only in line 3, how the combinations are made;
  :func:`coarse_to_fine` repeats random search in the region of the best trials.
* :func:`run_parallel` — the "caviar" approach on a real engine: one `Optuna <https://optuna.org>`_
  study whose trials run in ``n_workers`` separate worker processes sharing it through a storage
  (a SQLite file by default; a PostgreSQL or MySQL URL spreads it over machines).  A second call
  continues the study.  ``python -m lib.tuning`` starts one worker by hand (see :func:`main`).
* :func:`train_digits`, :func:`digits_objective` — the chapter's objective: a small
  :class:`lib.mlp.MLP` trained with :func:`lib.training.fit` on :func:`lib.data.load_digits`.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import itertools
import math
import multiprocessing
import os
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from lib import checks

__all__ = [
    "log_uniform",
    "log_uniform_beta",
    "Range",
    "Trial",
    "SearchResult",
    "search",
    "grid",
    "grid_search",
    "random_configs",
    "random_search",
    "coarse_to_fine",
    "TrialNumberSampler",
    "run_worker",
    "run_parallel",
    "train_digits",
    "digits_objective",
    "main",
]


# ------------------------------------------------------------------------------------------------
# the appropriate scale
# ------------------------------------------------------------------------------------------------
def _check_size(size: Any) -> Any:
    if size is None:
        return None
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        return checks.check_int(size, "size")
    if isinstance(size, tuple):
        return tuple(checks.check_int(s, "size") for s in size)
    raise TypeError(f"size must be None, a non-negative integer or a tuple of them, got {size!r}")


def _draw(rng: np.random.Generator, r_low: float, r_high: float, size: Any) -> Any:
    """``r`` uniform in ``[r_low, r_high)``: a float for ``size=None``, else an array."""
    r = rng.uniform(r_low, r_high, size)
    return float(r) if size is None else r


def log_uniform(low: float, high: float, size: Any = None, *, rng: Any = None) -> Any:
    """Sample on a log scale: ``10^r`` with ``r`` uniform in ``[log10 low, log10 high)``.

    The week-11 notes' example 1 is ``log_uniform(1e-4, 1)``: ``r = -4 * np.random.rand()``,
    ``α = 10^r``; every decade between ``low`` and ``high`` gets the same share of the samples.
    ``size``: None (one Python float) or an int/tuple shape (a float64 array).  ``rng``: a seed, a
    ``np.random.Generator`` or None (fresh entropy).
    """
    low = checks.check_float(low, "low", "(0, inf)")
    high = checks.check_float(high, "high", "(0, inf)")
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
    size, rng = _check_size(size), checks.as_generator(rng, "rng")
    r = _draw(rng, math.log10(low), math.log10(high), size)
    return 10.0**r


def log_uniform_beta(low: float = 0.9, high: float = 0.999, size: Any = None, *, rng: Any = None) -> Any:
    """Sample an averaging coefficient β on the scale of ``1 − β``: ``β = 1 − 10^r``.

    ``r`` is uniform in ``[log10(1 − high), log10(1 − low)]``: for the defaults ``r ∈ [−3, −1]``, the
    week-11 notes' choice, so ``[0.9, 0.99]`` and ``[0.99, 0.999]`` get half of the samples each (the
    window ``1/(1 − β)`` is log-uniform).  ``high`` must be below 1 (``1 − β = 0`` has no logarithm).
    """
    low = checks.check_float(low, "low", "[0, 1)")
    high = checks.check_float(high, "high", "[0, 1)")
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
    size, rng = _check_size(size), checks.as_generator(rng, "rng")
    r = _draw(rng, math.log10(1.0 - high), math.log10(1.0 - low), size)
    return 1.0 - 10.0**r


_SCALES = ("linear", "log", "beta", "int")


@dataclass(frozen=True)
class Range:
    """One hyperparameter's range ``[low, high]`` and the scale on which it is searched.

    ``scale``: ``"linear"`` (uniform), ``"log"`` (:func:`log_uniform`), ``"beta"`` (:func:`log_uniform_beta`,
    uniform in ``log10(1 − x)``) or ``"int"`` (uniform integers ``low..high``).  A search works in
    the coordinate ``r`` in which the scale is uniform (:meth:`to_r`): ``x``, ``log10 x``,
    ``log10(1 − x)``; zooming (:meth:`zoom`) narrows the range in that coordinate.
    """

    low: float
    high: float
    scale: str = "linear"

    def __post_init__(self) -> None:
        scale = checks.check_choice(self.scale, "scale", _SCALES)
        spec = {"linear": "(-inf, inf)", "log": "(0, inf)", "beta": "[0, 1)", "int": "(-inf, inf)"}[scale]
        low = checks.check_float(self.low, "low", spec, keep_int=scale == "int")
        high = checks.check_float(self.high, "high", spec, keep_int=scale == "int")
        if scale == "int" and not (isinstance(low, int) and isinstance(high, int)):
            raise TypeError(f"low and high of an 'int' range must be integers, got low={self.low!r}, high={self.high!r}")
        if not low < high:
            raise ValueError(f"low must be smaller than high, got low={self.low!r}, high={self.high!r}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def to_r(self, x: Any) -> Any:
        """The coordinate in which the scale is uniform: ``x``, ``log10 x`` or ``log10(1 − x)``."""
        x = np.asarray(x, dtype=np.float64)
        if self.scale == "log":
            return np.log10(x)
        return np.log10(1.0 - x) if self.scale == "beta" else x

    def from_r(self, r: Any) -> Any:
        """Inverse of :meth:`to_r` (integers rounded)."""
        r = np.asarray(r, dtype=np.float64)
        if self.scale == "log":
            return 10.0**r
        if self.scale == "beta":
            return 1.0 - 10.0**r
        return np.rint(r) if self.scale == "int" else r

    def sample(self, rng: Any = None, size: Any = None) -> Any:
        """Draws uniform on the scale (a Python float/int for ``size=None``)."""
        rng, size = checks.as_generator(rng, "rng"), _check_size(size)
        if self.scale == "log":
            return log_uniform(self.low, self.high, size, rng=rng)
        if self.scale == "beta":
            return log_uniform_beta(self.low, self.high, size, rng=rng)
        if self.scale == "int":
            x = rng.integers(self.low, self.high + 1, size)
            return int(x) if size is None else x
        return _draw(rng, self.low, self.high, size)

    def zoom(self, values: Any, margin: float = 0.1) -> Range:
        """The narrower range around ``values`` (e.g. those of the best trials): from their smallest
        to their largest ``r``, widened by ``margin`` × that width on both sides, kept inside this range."""
        with np.errstate(divide="ignore", invalid="ignore"):  # a value outside the scale's domain: refused below
            r = self.to_r(checks.real_array(values, "values")).ravel()
        if r.size == 0 or not np.all(np.isfinite(r)):
            raise ValueError(f"values must be at least one point inside the range, got {values!r}")
        margin = checks.check_float(margin, "margin", "[0, inf)")
        ends = np.sort(self.to_r([self.low, self.high]))
        lo, hi = float(r.min()), float(r.max())
        width = max(hi - lo, 1e-3 * (ends[1] - ends[0]))
        lo, hi = max(lo - margin * width, ends[0]), min(hi + margin * width, ends[1])
        x = np.sort(self.from_r([lo, hi]))
        if self.scale == "int":
            a, b = int(x[0]), int(x[1])
            return Range(a, b if b > a else a + 1, "int")
        return Range(float(x[0]), float(x[1]), self.scale)


# ------------------------------------------------------------------------------------------------
# algorithm 5-9: grid and random search
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Trial:
    """One combination ``params`` (line 3 of algorithm 5-9) and its validation score ``value`` (line 5)."""

    number: int
    params: dict[str, Any]
    value: float


@dataclass(frozen=True)
class SearchResult:
    """The trials of a search in the order they ran; ``best`` is algorithm 5-9's ``Ĥ`` and ``q_max``."""

    trials: list[Trial]
    maximize: bool = True
    best: Trial | None = field(default=None)

    @property
    def values(self) -> np.ndarray:
        """Every trial's score, in order."""
        return np.array([t.value for t in self.trials], dtype=np.float64)

    def top(self, k: int) -> list[Trial]:
        """The ``k`` best trials, best first (NaN scores last)."""
        k = checks.check_int(k, "k", "[1, inf)")
        sign = -1.0 if self.maximize else 1.0
        return sorted(self.trials, key=lambda t: (math.isnan(t.value), sign * t.value if not math.isnan(t.value) else 0))[:k]


def search(evaluate: Callable[..., float], candidates: Iterable[Mapping[str, Any]], *, maximize: bool = True,
           callback: Callable[[Trial], None] | None = None) -> SearchResult:
    """Algorithm 5-9 of the lecture (하이퍼 매개변수 최적화)::

        q_max = −∞
        repeat (for each candidate H̃)            line 3: generate a combination H̃
            q = evaluate(**H̃)                     lines 4–5: train with H̃, measure q on validation
            if q > q_max: q_max, Ĥ = q, H̃        line 6: keep the best
        until the candidates run out              line 7: the stopping condition

    ``maximize=False`` keeps the smallest ``q`` (an error).  ``callback(trial)`` sees each trial
    as it finishes (to print the lecture's log).  NaN scores never win.
    """
    if not callable(evaluate):
        raise TypeError(f"evaluate must be callable, got {evaluate!r}")
    maximize = checks.check_bool(maximize, "maximize")
    trials, best = [], None
    sign = 1.0 if maximize else -1.0
    for number, params in enumerate(candidates):
        q = float(evaluate(**params))
        trial = Trial(number, dict(params), q)
        trials.append(trial)
        if not math.isnan(q) and (best is None or sign * q > sign * best.value):
            best = trial
        if callback is not None:
            callback(trial)
    return SearchResult(trials, maximize, best)


def grid(space: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the listed values (``q^m`` of them for ``m`` hyperparameters of ``q`` values)."""
    if not isinstance(space, Mapping) or not space:
        raise ValueError(f"space must be a non-empty mapping name -> list of values, got {space!r}")
    for name, values in space.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)) or len(values) == 0:
            raise ValueError(f"space[{name!r}] must be a non-empty list of values, got {values!r}")
    names = list(space)
    return [dict(zip(names, combo)) for combo in itertools.product(*(space[n] for n in names))]


def random_configs(space: Mapping[str, Range], n: int, *, rng: Any = None) -> list[dict[str, Any]]:
    """``n`` combinations drawn independently, each hyperparameter uniform on its :class:`Range`'s scale."""
    if not isinstance(space, Mapping) or not space:
        raise ValueError(f"space must be a non-empty mapping name -> Range, got {space!r}")
    for name, r in space.items():
        if not isinstance(r, Range):
            raise TypeError(f"space[{name!r}] must be a lib.tuning.Range, got {r!r}")
    n = checks.check_int(n, "n", "[1, inf)")
    rng = checks.as_generator(rng, "rng")
    draws = {name: r.sample(rng, n) for name, r in space.items()}  # one column per hyperparameter
    return [{name: (int(v[i]) if space[name].scale == "int" else float(v[i])) for name, v in draws.items()}
            for i in range(n)]


def grid_search(evaluate: Callable[..., float], space: Mapping[str, Sequence[Any]], *, maximize: bool = True,
                callback: Callable[[Trial], None] | None = None) -> SearchResult:
    """Algorithm 5-9 over :func:`grid` ``(space)`` (격자 탐색)."""
    return search(evaluate, grid(space), maximize=maximize, callback=callback)


def random_search(evaluate: Callable[..., float], space: Mapping[str, Range], n_trials: int, *, seed: Any = 0,
                  maximize: bool = True, callback: Callable[[Trial], None] | None = None) -> SearchResult:
    """Algorithm 5-9 over ``n_trials`` :func:`random_configs` (임의 탐색)."""
    return search(evaluate, random_configs(space, n_trials, rng=seed), maximize=maximize, callback=callback)


def coarse_to_fine(evaluate: Callable[..., float], space: Mapping[str, Range], n_trials: int, *, rounds: int = 2,
                   keep: int = 5, margin: float = 0.1, seed: Any = 0, maximize: bool = True,
                   callback: Callable[[Trial], None] | None = None) -> list[tuple[dict[str, Range], SearchResult]]:
    """Coarse to fine (정밀화 접근): random search, then again inside the region of the ``keep`` best.

    Round 1 searches ``space``; each later round searches every :class:`Range` zoomed
    (:meth:`Range.zoom`) to the ``keep`` best trials of the round before.  Returns
    ``[(space, result), …]``, one pair per round; all rounds draw from one generator seeded by ``seed``.
    """
    rounds = checks.check_int(rounds, "rounds", "[1, inf)")
    keep = checks.check_int(keep, "keep", "[1, inf)")
    rng = checks.as_generator(seed, "seed")
    out, current = [], dict(space)
    for _ in range(rounds):
        result = search(evaluate, random_configs(current, n_trials, rng=rng), maximize=maximize, callback=callback)
        out.append((current, result))
        best = result.top(keep)
        current = {name: r.zoom([t.params[name] for t in best], margin) for name, r in current.items()}
    return out


# ------------------------------------------------------------------------------------------------
# the caviar approach: one Optuna study, many worker processes
# ------------------------------------------------------------------------------------------------
class TrialNumberSampler(optuna.samplers.BaseSampler):
    """Random search in which trial ``k`` draws each parameter from the seed ``(seed, k, name)``.

    Whichever worker runs trial ``k``, and in whatever order the trials finish, trial ``k`` gets the
    same parameters, so a parallel study is reproducible (Optuna's ``RandomSampler`` draws from one
    stream per process instead).  Floats and integers on a log scale use :func:`log_uniform`.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = checks.check_seed(seed, "seed")

    def __repr__(self) -> str:
        return f"TrialNumberSampler(seed={self.seed})"

    def infer_relative_search_space(self, study, trial) -> dict:
        return {}

    def sample_relative(self, study, trial, search_space) -> dict:
        return {}

    def reseed_rng(self) -> None:  # each trial's seed is its number: nothing to reseed
        pass

    def sample_independent(self, study, trial, param_name: str, param_distribution) -> Any:
        d = param_distribution
        rng = np.random.default_rng([self.seed, trial.number, zlib.crc32(param_name.encode())])
        if isinstance(d, CategoricalDistribution):
            return d.choices[int(rng.integers(len(d.choices)))]
        if not isinstance(d, (FloatDistribution, IntDistribution)):
            raise TypeError(f"TrialNumberSampler cannot sample {d!r}")
        integer = isinstance(d, IntDistribution)
        if d.low == d.high:
            return d.low
        if d.log:  # integers as Optuna does: log-uniform over [low − ½, high + ½], then rounded
            x = log_uniform(d.low - 0.5, d.high + 0.5, rng=rng) if integer else log_uniform(d.low, d.high, rng=rng)
            return int(min(max(round(x), d.low), d.high)) if integer else float(x)
        if d.step is not None:
            x = d.low + int(rng.integers(int(round((d.high - d.low) / d.step)) + 1)) * d.step
            return int(x) if integer else float(x)
        return float(rng.uniform(d.low, d.high))


def _check_storage(storage: Any) -> str:
    """An Optuna RDB storage URL that several processes can share."""
    if not isinstance(storage, str):
        raise TypeError(f"storage must be a database URL string such as 'sqlite:///tuning.db', got {storage!r}")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(storage)
    except (ArgumentError, ValueError):
        raise ValueError(f"storage must be a database URL such as 'sqlite:///tuning.db' or "
                         f"'postgresql://user:password@host/dbname', got {storage!r}") from None
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError(f"storage must name a SQLite *file* ('sqlite:///path/to/file.db') that worker processes "
                         f"can share, got the in-memory database {storage!r}")
    return storage


def _open_storage(storage: str):
    """``optuna.storages.RDBStorage(storage)``; a SQLite file in WAL mode (see :func:`_sqlite_connection`)."""
    from sqlalchemy.engine import make_url

    url = make_url(storage)
    kwargs = {}
    if url.get_backend_name() == "sqlite":
        kwargs = {"creator": functools.partial(_sqlite_connection, url.database)}
    from sqlalchemy.exc import IntegrityError, OperationalError

    for attempt in range(6):  # workers started at once on a new database race to create its tables:
        try:                  # the loser finds them created on the next attempt
            return optuna.storages.RDBStorage(storage, engine_kwargs=kwargs)
        except (IntegrityError, OperationalError):
            if attempt == 5:
                raise
            time.sleep(0.2 * (attempt + 1))


def _sqlite_connection(path: str) -> sqlite3.Connection:
    """A connection to the shared SQLite file: wait up to 60 s for a busy file (another worker writing);
    write-ahead log and ``synchronous=NORMAL``, so a commit does not wait for the disk (an Optuna trial
    makes about seven): a crashed *process* loses nothing; a power cut may lose the last commits."""
    con = sqlite3.connect(path, timeout=60.0, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    return con


def _check_direction(direction: Any) -> str:
    if direction not in ("minimize", "maximize"):
        raise ValueError(f"direction must be 'minimize' or 'maximize', got {direction!r}")
    return direction


def _check_study_name(study_name: Any) -> str:
    if not isinstance(study_name, str) or not study_name.strip():
        raise ValueError(f"study_name must be a non-empty string, got {study_name!r}")
    return study_name


class _Quiet:
    """Optuna's INFO log (one line per trial on stderr) off inside the block."""

    def __enter__(self):
        self.level = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna.logging.WARNING)

    def __exit__(self, *exc):
        optuna.logging.set_verbosity(self.level)


def _create_study(storage: str, study_name: str, direction: str, sampler=None):
    with _Quiet():
        study = optuna.create_study(storage=_open_storage(storage), study_name=study_name, direction=direction,
                                    sampler=sampler, load_if_exists=True)
    stored = study.direction.name.lower()
    if stored != direction:
        raise ValueError(f"direction must match the stored study {study_name!r} ({stored!r}), got {direction!r}")
    return study


def run_worker(objective: Callable[[Any], float], *, storage: str, study_name: str, n_trials: int,
               direction: str = "minimize", sampler=None, seed: int = 0) -> None:
    """Run ``n_trials`` trials of the study ``study_name`` in this process (one worker).

    The study is created if the storage does not hold it yet.  Each trial records the worker's
    process id as the user attribute ``"worker"``.  ``sampler`` (default :class:`TrialNumberSampler`
    ``(seed)``) proposes the parameters; an exception in ``objective`` marks the trial FAIL and is raised.
    """
    n_trials = checks.check_int(n_trials, "n_trials", "[1, inf)")
    storage, study_name = _check_storage(storage), _check_study_name(study_name)
    sampler = TrialNumberSampler(seed) if sampler is None else sampler
    study = _create_study(storage, study_name, _check_direction(direction), sampler)
    pid = os.getpid()

    def tagged(trial):
        trial.set_user_attr("worker", pid)
        return objective(trial)

    with _Quiet():
        study.optimize(tagged, n_trials=n_trials, catch=())


def _worker_process(objective, storage, study_name, n_trials, direction, sampler, seed, reseed) -> None:
    if sampler is not None and reseed:
        sampler.reseed_rng()  # a forked copy of a seeded sampler would repeat the other workers' draws
    run_worker(objective, storage=storage, study_name=study_name, n_trials=n_trials, direction=direction,
               sampler=sampler, seed=seed)


def run_parallel(objective: Callable[[Any], float], *, n_trials: int, n_workers: int,
                 storage: str = "sqlite:///tuning.db", study_name: str, direction: str = "minimize",
                 sampler=None, seed: int = 0):
    """Run ``n_trials`` trials of one Optuna study in ``n_workers`` worker processes; return the study.

    The workers share the study through ``storage``, an Optuna RDB storage URL: by default the SQLite
    file ``tuning.db`` in the working directory (no server needed); ``postgresql://…`` or
    ``mysql://…`` lets workers on other machines join (start them with ``python -m lib.tuning``).
    Each worker runs its share of the trials (``n_trials`` split as evenly as possible), so exactly
    ``n_trials`` new trials are run and stored — none lost, none run twice.  A second call on the same
    storage and ``study_name`` adds ``n_trials`` more.

    ``objective(trial) -> float`` receives an ``optuna.Trial``.  Workers are started with ``fork``
    where the platform has it (objectives defined in a notebook work); with ``spawn`` (macOS,
    Windows) the objective must be importable.  The default ``sampler`` is :class:`TrialNumberSampler`
    ``(seed)``: trial ``k``'s parameters depend on ``k`` only, so the study's trials do not depend on
    which worker ran them.  Another sampler (e.g. ``optuna.samplers.TPESampler``) is reseeded in each
    worker.  Raises ``RuntimeError`` if a worker fails (its trial is stored as FAIL).
    """
    if not callable(objective):
        raise TypeError(f"objective must be a callable objective(trial) -> float, got {objective!r}")
    n_trials = checks.check_int(n_trials, "n_trials", "[1, inf)")
    n_workers = checks.check_int(n_workers, "n_workers", "[1, inf)")
    storage, study_name = _check_storage(storage), _check_study_name(study_name)
    direction = _check_direction(direction)
    seed = checks.check_seed(seed, "seed")
    _create_study(storage, study_name, direction)  # once, before the workers race to create it
    shares = [n_trials // n_workers + (i < n_trials % n_workers) for i in range(n_workers)]
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    workers = [ctx.Process(target=_worker_process, name=f"tuning-worker-{i}",
                           args=(objective, storage, study_name, k, direction, sampler, seed, sampler is not None))
               for i, k in enumerate(shares) if k > 0]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    failed = [f"{w.name} (exit code {w.exitcode})" for w in workers if w.exitcode != 0]
    if failed:
        raise RuntimeError(f"worker processes failed: {', '.join(failed)}; their trials are stored as FAIL "
                           f"in study {study_name!r}")
    with _Quiet():
        return optuna.load_study(study_name=study_name, storage=_open_storage(storage),
                                 sampler=TrialNumberSampler(seed) if sampler is None else sampler)


# ------------------------------------------------------------------------------------------------
# the chapter's objective: a small network on the digits
# ------------------------------------------------------------------------------------------------
def train_digits(learning_rate: float, *, l2: float = 0.0, hidden: Sequence[int] = (32,), batch_size: int = 64,
                 epochs: int = 5, optimizer: str = "momentum", beta: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, decay: float = 0.0, seed: int = 0, data=None,
                 callbacks: Sequence[Any] = ()) -> float:
    """Validation accuracy of ``MLP([64, *hidden, 10], "relu", seed=seed, l2=l2)`` after ``epochs`` epochs.

    ``optimizer``: ``"momentum"`` (``lib.optimizers.Momentum(α, β)``, ``v ← βv + (1−β)g``) or
    ``"adam"`` (``Adam(α, β, β₂, ε)``); ``decay`` is the week-10 notes' ``α = α₀/(1 + decay·epoch)``
    (``lib.schedules.InverseTimeDecay`` per epoch).  The mini-batch order is seeded by ``seed`` too.
    ``data``: a :class:`lib.data.Dataset` (default ``load_digits(seed=0)``).  ``callbacks`` (e.g. one
    that reports to an Optuna trial for pruning) see ``val_loss`` and ``val_accuracy``.  A run whose loss
    became non-finite scores its (chance-level) accuracy like any other.
    """
    from lib import optimizers
    from lib.data import load_digits
    from lib.mlp import MLP
    from lib.schedules import InverseTimeDecay
    from lib.training import fit

    data = load_digits(seed=0) if data is None else data
    model = MLP([data.n_features, *hidden, data.n_classes], "relu", seed=seed, l2=l2)
    steps = math.ceil(len(data.X_train) / batch_size)
    lr = InverseTimeDecay(learning_rate, steps, decay, staircase=True) if decay else learning_rate
    if optimizer == "adam":
        opt = optimizers.Adam(lr, beta, beta_2, epsilon)
    elif optimizer == "momentum":
        opt = optimizers.Momentum(lr, beta)
    else:
        raise ValueError(f"optimizer must be 'momentum' or 'adam', got {optimizer!r}")
    validation = (data.X_val, data.y_val) if callbacks else None  # callbacks see val_loss, val_accuracy
    fit(model.network, data.X_train, data.y_train, opt, epochs=epochs, batch_size=batch_size, seed=seed,
        validation_data=validation, callbacks=callbacks)
    return model.evaluate(data.X_val, data.y_val)[1]


def digits_objective(trial) -> float:
    """An Optuna objective: validation *error* of :func:`train_digits` over ``α`` (log) and ``l2`` (log).

    Importable, so ``python -m lib.tuning --objective lib.tuning:digits_objective`` can run it.
    """
    lr = trial.suggest_float("learning_rate", 1e-3, 1.0, log=True)
    l2 = trial.suggest_float("l2", 1e-6, 1e-1, log=True)
    return 1.0 - train_digits(lr, l2=l2, epochs=5, seed=trial.number)


# ------------------------------------------------------------------------------------------------
# command line: one worker, started by hand
# ------------------------------------------------------------------------------------------------
def _load_objective(spec: str) -> Callable:
    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"objective must look like 'package.module:function', got {spec!r}")
    return getattr(importlib.import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m lib.tuning --storage URL --study-name NAME --n-trials K [--objective module:function]``.

    Runs one worker: ``K`` trials of the shared study, in this process.  Start it in several
    terminals (or on several machines, with a PostgreSQL/MySQL ``--storage``) to run them in parallel.
    """
    parser = argparse.ArgumentParser(prog="python -m lib.tuning", description=main.__doc__.split("\n\n")[1])
    parser.add_argument("--storage", default="sqlite:///tuning.db", help="Optuna storage URL (default: %(default)s)")
    parser.add_argument("--study-name", required=True)
    parser.add_argument("--n-trials", type=int, required=True, help="trials this worker runs")
    parser.add_argument("--objective", default="lib.tuning:digits_objective", help="module:function (default: %(default)s)")
    parser.add_argument("--direction", default="minimize", choices=["minimize", "maximize"])
    parser.add_argument("--seed", type=int, default=0, help="seed of the TrialNumberSampler (default: %(default)s)")
    args = parser.parse_args(argv)
    run_worker(_load_objective(args.objective), storage=args.storage, study_name=args.study_name,
               n_trials=args.n_trials, direction=args.direction, seed=args.seed)
    with _Quiet():
        study = optuna.load_study(study_name=args.study_name, storage=_open_storage(args.storage))
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    print(f"study {args.study_name!r}: {len(done)} complete trials; best value {study.best_value:.6g} "
          f"with {study.best_params}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
