"""The book's optimizer testbed: the same problems, start points and fair learning-rates for every method.

The optimizer chapters (momentum, adaptive learning rates, Adam, learning-rate decay) compare their
methods in the same two ways, so that a figure in one chapter can be set beside a figure in another:

1. **Trajectories** on four landscapes (:func:`landscape_suite`): an elongated (ill-conditioned)
   quadratic, Rosenbrock's valley, a saddle and Beale's function, each from its
   ``default_start``.  Every method gets its learning rate from the same small sweep
   (:func:`sweep_landscape`), never by hand: the rate whose run scores best
   (:func:`score_trajectory`) after a fixed number of steps.
2. **Real training**: the digits MLP (:func:`digits_experiment`), learning rate chosen by a sweep
   on the *validation* loss with seed 0, then trained with several seeds (weights and mini-batch
   order both change with the seed); the curves are reported as mean and spread over the seeds and
   the *test* accuracy is reported once, at the end.

A method is given as a factory ``make(learning_rate) -> optimizer`` (e.g.
``lambda lr: Momentum(lr, beta=0.9)``), so that each run starts with a fresh optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lib.data import Dataset, load_digits
from lib.landscapes import Landscape, beale, quadratic, rosenbrock, saddle
from lib.mlp import MLP
from lib.runner import run

__all__ = [
    "landscape_suite", "score_trajectory", "LandscapeSweep", "sweep_landscape", "compare_on_landscapes",
    "plot_testbed", "DigitsResult", "digits_experiment", "log_grid",
]

Factory = Callable[[float], object]

#: Below this value the saddle counts as escaped (the start is at J = 1; the window's lowest J is −2.25).
SADDLE_ESCAPE_LEVEL = -1.0


def landscape_suite(condition_number: float = 25.0) -> dict[str, Landscape]:
    """The four landscapes of the testbed, keyed by a short name.

    ``"ravine"`` is :func:`lib.landscapes.quadratic` with the given condition number, rotated by 30°
    so that no coordinate axis is an eigenvector (a per-coordinate method cannot simply align with
    it); ``"rosenbrock"``, ``"saddle"`` and ``"beale"`` are the landscapes of the same names.
    """
    return {
        "ravine": quadratic(condition_number, rotation=math.radians(30.0)),
        "rosenbrock": rosenbrock(),
        "saddle": saddle(),
        "beale": beale(),
    }


def log_grid(low: float, high: float, per_decade: int = 3) -> np.ndarray:
    """Learning rates from ``low`` to ``high`` spaced evenly on a log scale, ``per_decade`` per decade.

    >>> log_grid(1e-3, 1e-1, 2).round(5).tolist()
    [0.001, 0.00316, 0.01, 0.03162, 0.1]
    """
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not (
            math.isfinite(value) and value > 0
        ):
            raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low!r}, high={high!r}")
    if isinstance(per_decade, bool) or not isinstance(per_decade, (int, np.integer)) or per_decade < 1:
        raise ValueError(f"per_decade must be a positive integer, got {per_decade!r}")
    n = int(round(math.log10(high / low) * per_decade)) + 1
    return np.logspace(math.log10(low), math.log10(high), n)


def score_trajectory(landscape: Landscape, trajectory: np.ndarray, steps: int) -> float:
    """How well a run did; lower is better, ``inf`` for a run that diverged.

    * A run that stopped early (a non-finite iterate: :func:`lib.runner.run` returns fewer than
      ``steps + 1`` rows) scores ``inf``; so does a run on a landscape with a minimum that left
      three times the drawn window at *any* step (unstable, even if a decaying rate brought it back).
    * On a landscape with a minimum, the score is the gap ``J(w_T) − J_min`` after ``steps`` steps.
    * On the saddle (no minimum; ``J`` is unbounded below) the goal is to *escape*: the score is the
      first step at which ``J < −1`` (:data:`SADDLE_ESCAPE_LEVEL`) while ``w1`` stays in the window,
      and ``steps + 1 + (J(w_T) + 1)`` for a run that did not escape (still near the saddle point,
      ranked by how far down it got).
    """
    trajectory = np.asarray(trajectory, dtype=np.float64)
    if trajectory.ndim != 2 or trajectory.shape[1] != 2 or len(trajectory) < 1:
        raise ValueError(f"trajectory must have shape (steps + 1, 2), got {trajectory.shape}")
    if len(trajectory) < steps + 1:
        return math.inf
    (x0, x1), (y0, y1) = landscape.bounds
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    final = trajectory[-1]
    if landscape.minimum is not None:
        if np.any(np.abs(trajectory[:, 0] - cx) > 3 * hx) or np.any(np.abs(trajectory[:, 1] - cy) > 3 * hy):
            return math.inf
        return float(landscape.f(final) - landscape.f_min)
    with np.errstate(over="ignore", invalid="ignore"):  # a run that escaped far away: J overflows to -inf
        values = landscape.f(trajectory.T)
    inside = np.abs(trajectory[:, 0] - cx) <= hx
    escaped = np.flatnonzero((values < SADDLE_ESCAPE_LEVEL) & inside)
    if escaped.size:
        return float(escaped[0])
    if not np.all(inside):
        return math.inf
    return float(steps + 1 + (values[-1] - SADDLE_ESCAPE_LEVEL))


@dataclass(frozen=True)
class LandscapeSweep:
    """The result of :func:`sweep_landscape` for one method on one landscape."""

    learning_rates: np.ndarray  #: the rates tried
    scores: np.ndarray  #: :func:`score_trajectory` of each run (``inf``: diverged)
    trajectories: tuple  #: the run of each rate, arrays of shape ``(≤ steps + 1, 2)``

    @property
    def best_index(self) -> int:
        """Index of the best rate (the smallest score; the smaller rate on a tie)."""
        if not np.any(np.isfinite(self.scores)):
            raise ValueError("every learning rate of the sweep diverged: widen the grid towards smaller rates")
        return int(np.argmin(self.scores))

    @property
    def best_learning_rate(self) -> float:
        return float(self.learning_rates[self.best_index])

    @property
    def best_trajectory(self) -> np.ndarray:
        return self.trajectories[self.best_index]

    @property
    def best_score(self) -> float:
        return float(self.scores[self.best_index])


def _check_factory(make: Factory, name: str = "make") -> None:
    if not callable(make):
        raise TypeError(f"{name} must be a function learning_rate -> optimizer, got {type(make).__name__}")


def _check_rates(learning_rates) -> np.ndarray:
    rates = np.asarray(learning_rates, dtype=np.float64)
    if rates.ndim != 1 or rates.size == 0 or not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(f"learning_rates must be a non-empty 1-D sequence of positive numbers, got {learning_rates!r}")
    return rates


def sweep_landscape(make: Factory, landscape: Landscape, learning_rates, steps: int, *, start=None) -> LandscapeSweep:
    """Run ``make(lr)`` for every rate from the same start for ``steps`` steps, and score each run."""
    _check_factory(make)
    rates = _check_rates(learning_rates)
    w0 = landscape.default_start if start is None else np.asarray(start, dtype=np.float64)
    runs = tuple(run(make(float(lr)), landscape, w0, steps) for lr in rates)
    scores = np.array([score_trajectory(landscape, r, steps) for r in runs])
    return LandscapeSweep(rates, scores, runs)


def compare_on_landscapes(methods: Mapping[str, Factory], learning_rates, steps: int,
                          landscapes: Mapping[str, Landscape] | None = None) -> dict[str, dict[str, LandscapeSweep]]:
    """:func:`sweep_landscape` for every method on every landscape: ``result[landscape][method]``.

    ``learning_rates`` is one grid for all methods, or a mapping ``{method: grid}`` (methods whose
    useful rates differ by decades, e.g. Adadelta's ``learning_rate=1``).
    """
    if not isinstance(methods, Mapping) or not methods:
        raise TypeError(f"methods must be a non-empty mapping {{name: learning_rate -> optimizer}}, got {methods!r:.80}")
    landscapes = landscape_suite() if landscapes is None else landscapes
    grids = learning_rates if isinstance(learning_rates, Mapping) else {name: learning_rates for name in methods}
    missing = [name for name in methods if name not in grids]
    if missing:
        raise ValueError(f"learning_rates has no grid for the methods {missing}")
    return {
        key: {name: sweep_landscape(make, landscape, grids[name], steps) for name, make in methods.items()}
        for key, landscape in landscapes.items()
    }


def plot_testbed(results: Mapping[str, Mapping[str, LandscapeSweep]],
                 landscapes: Mapping[str, Landscape] | None = None, *, markers: bool = False):
    """One panel per landscape with every method's best run; the legend gives the chosen rate.

    Returns the figure (small multiples, one row).  Call ``plt.show()`` after it.
    """
    import matplotlib.pyplot as plt

    from lib.plotting import plot_trajectories

    landscapes = landscape_suite() if landscapes is None else landscapes
    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 4.0), squeeze=False)
    for ax, (key, sweeps) in zip(axes[0], results.items()):
        paths = {f"{name}": sweep.best_trajectory for name, sweep in sweeps.items()}
        plot_trajectories(landscapes[key], paths, ax, markers=markers, legend=False)
        for line in ax.get_lines():
            name = line.get_label()
            if name in sweeps:
                line.set_label(f"{name} (α={sweeps[name].best_learning_rate:.3g})")
        ax.legend(loc="best", fontsize=8, framealpha=0.9)
    fig.tight_layout()
    return fig


@dataclass(frozen=True)
class DigitsResult:
    """What :func:`digits_experiment` measured for one method."""

    learning_rates: np.ndarray  #: the rates swept (seed 0)
    sweep_val_loss: np.ndarray  #: final validation loss of each swept rate (``inf``: diverged)
    learning_rate: float  #: the rate chosen (lowest final validation loss)
    train_loss: np.ndarray  #: ``(seeds, epochs + 1)`` training loss, epoch 0 = before training
    val_loss: np.ndarray  #: ``(seeds, epochs + 1)`` validation loss
    val_accuracy: np.ndarray  #: ``(seeds, epochs + 1)``
    test_accuracy: np.ndarray  #: ``(seeds,)`` test accuracy after the last epoch


def _curves(model: MLP, data: Dataset, make: Factory, lr: float, *, epochs: int, batch_size: int, seed: int):
    start = (*model.evaluate(data.X_train, data.y_train), *model.evaluate(data.X_val, data.y_val))
    history = model.train(data.X_train, data.y_train, make(lr), epochs=epochs, batch_size=batch_size, seed=seed,
                          X_val=data.X_val, y_val=data.y_val)
    pad = epochs - len(history.epoch_train_loss)  # a diverged run ends early: pad with inf / nan

    def full(first, values, fill):
        return np.concatenate([[first], values, np.full(pad, fill)])

    return (full(start[0], history.epoch_train_loss, np.inf), full(start[2], history.epoch_val_loss, np.inf),
            full(start[3], history.epoch_val_accuracy, np.nan))


def digits_experiment(make: Factory, learning_rates, *, epochs: int = 10, batch_size: int = 64,
                      seeds: Sequence[int] = (0, 1, 2, 3, 4), hidden: Sequence[int] = (32,),
                      activation: str = "relu", data: Dataset | None = None) -> DigitsResult:
    """Train the digits MLP with a method: a learning-rate sweep, then several seeds.

    1. For every rate, train ``MLP([64, *hidden, 10], seed=0)`` for ``epochs`` epochs (mini-batch
       order seed 0) and record the final validation loss; the rate with the lowest wins.
    2. With that rate, train once per seed ``s`` (initial weights *and* mini-batch order from ``s``);
       record the loss and accuracy curves, and the test accuracy at the end.
    """
    _check_factory(make)
    rates = _check_rates(learning_rates)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    data = load_digits(seed=0) if data is None else data
    sizes = [data.X_train.shape[1], *hidden, int(data.y_train.max()) + 1]
    sweep_runs = []  # seed 0 of step 2 is the sweep's run at the chosen rate: kept, not trained again
    for lr in rates:
        model = MLP(sizes, activation, seed=0)
        sweep_runs.append((model, _curves(model, data, make, float(lr), epochs=epochs, batch_size=batch_size, seed=0)))
    final_val = np.array([v[-1] if np.isfinite(v[-1]) else np.inf for _, (_, v, _) in sweep_runs])
    if not np.any(np.isfinite(final_val)):
        raise ValueError("every learning rate of the sweep diverged: widen the grid towards smaller rates")
    best_index = int(np.argmin(final_val))
    best = float(rates[best_index])
    train, val, acc, test = [], [], [], []
    for s in seeds:
        if int(s) == 0:
            model, (t, v, a) = sweep_runs[best_index]
        else:
            model = MLP(sizes, activation, seed=int(s))
            t, v, a = _curves(model, data, make, best, epochs=epochs, batch_size=batch_size, seed=int(s))
        train.append(t), val.append(v), acc.append(a)
        test.append(model.evaluate(data.X_test, data.y_test)[1])
    return DigitsResult(rates, final_val, best, np.array(train), np.array(val), np.array(acc), np.array(test))
