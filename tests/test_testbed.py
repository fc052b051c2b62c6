"""lib.testbed: the scores, sweeps and digits experiment every optimizer chapter relies on."""

import math

import numpy as np
import pytest

from lib.data import load_digits
from lib.landscapes import quadratic, saddle
from lib.mlp import MLP
from lib.optimizers import SGD
from lib.runner import run
from lib.testbed import (
    SADDLE_ESCAPE_LEVEL,
    compare_on_landscapes,
    digits_experiment,
    log_grid,
    plot_testbed,
    score_trajectory,
    sweep_landscape,
    landscape_suite,
)


def gd(lr):
    return lambda w, g: w - lr * g


def test_log_grid_is_evenly_spaced_in_decades():
    np.testing.assert_allclose(log_grid(1e-3, 1e-1, 2), [1e-3, 10**-2.5, 1e-2, 10**-1.5, 1e-1])
    assert len(log_grid(1e-4, 1.0, 3)) == 13


@pytest.mark.parametrize("args, match", [((0.0, 1.0), "low must be"), ((1.0, 0.1), "smaller than high"),
                                         ((1e-3, 1.0, 0), "per_decade")])
def test_log_grid_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        log_grid(*args)


def test_landscape_suite_has_four_landscapes_with_their_starts():
    lands = landscape_suite()
    assert list(lands) == ["ravine", "rosenbrock", "saddle", "beale"]
    ravine = lands["ravine"]
    eig = np.linalg.eigvalsh(ravine.hessian(ravine.default_start))
    assert eig.max() / eig.min() == pytest.approx(25.0)
    # rotated: neither coordinate axis is an eigenvector (off-diagonal Hessian entry non-zero)
    assert abs(ravine.hessian(ravine.default_start)[0, 1]) > 1.0


def test_score_is_the_gap_to_the_minimum_and_inf_for_a_diverged_run():
    bowl = quadratic(10.0)
    path = run(gd(0.1), bowl, bowl.default_start, 50)
    assert score_trajectory(bowl, path, 50) == pytest.approx(float(bowl.f(path[-1])))
    assert score_trajectory(bowl, path[:10], 50) == math.inf  # fewer rows: the run stopped (non-finite)
    far = path.copy()
    far[-1] = [100.0, 0.0]  # finite but far outside the window
    assert score_trajectory(bowl, far, 50) == math.inf
    excursion = path.copy()
    excursion[20] = [0.0, 1e6]  # left the window on the way and came back (e.g. a decaying rate)
    assert score_trajectory(bowl, excursion, 50) == math.inf


def test_saddle_score_is_the_escape_step():
    s = saddle()
    alpha, steps = 0.1, 60
    path = run(gd(alpha), s, s.default_start, steps)
    # closed form of gradient descent on w1² − w2²: w1 = (1 − 2α)^t, w2 = 0.01 (1 + 2α)^t
    t = np.arange(steps + 1)
    f = (1 - 2 * alpha) ** (2 * t) - (0.01 * (1 + 2 * alpha) ** t) ** 2
    expected = int(np.flatnonzero(f < SADDLE_ESCAPE_LEVEL)[0])
    assert score_trajectory(s, path, steps) == expected
    slow = run(gd(0.001), s, s.default_start, steps)  # does not escape in 60 steps
    assert score_trajectory(s, slow, steps) > steps


def test_sweep_picks_the_best_rate_and_flags_divergence():
    # gradient descent on a quadratic with curvatures 1 and 10: stable below 2/10, fastest near 2/11
    bowl = quadratic(10.0)
    sweep = sweep_landscape(gd, bowl, [0.05, 0.1, 0.18, 0.25], 100)
    assert sweep.scores[3] == math.inf
    assert sweep.best_learning_rate == 0.18
    assert np.all(np.diff(sweep.scores[:3]) < 0)
    np.testing.assert_array_equal(sweep.best_trajectory, run(gd(0.18), bowl, bowl.default_start, 100))


def test_sweep_where_everything_diverges_says_so():
    sweep = sweep_landscape(gd, quadratic(10.0), [1.0, 2.0], 50)
    with pytest.raises(ValueError, match="every learning rate of the sweep diverged"):
        sweep.best_learning_rate


def test_compare_runs_each_method_on_each_landscape_and_the_plot_shows_each_best_run():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = {"GD": lambda lr: SGD(lr), "Momentum": lambda lr: SGD(lr, momentum=0.9)}
    grids = {"GD": [1e-3, 1e-2], "Momentum": [1e-3, 3e-3]}
    results = compare_on_landscapes(methods, grids, 20)
    suite = landscape_suite()
    assert list(results) == list(suite)
    for key, sweeps in results.items():
        assert list(sweeps) == list(methods)
        for name, sweep in sweeps.items():  # the very sweep of that method, its grid, on that landscape
            alone = sweep_landscape(methods[name], suite[key], grids[name], 20)
            np.testing.assert_array_equal(sweep.learning_rates, grids[name])
            np.testing.assert_array_equal(sweep.scores, alone.scores)
            for a, b in zip(sweep.trajectories, alone.trajectories):
                np.testing.assert_array_equal(a, b)
    assert results["ravine"]["GD"].scores[0] != results["ravine"]["Momentum"].scores[0]  # not one run twice
    fig = plot_testbed(results)
    assert len(fig.axes) == len(suite)
    for ax, (key, sweeps) in zip(fig.axes, results.items()):
        lines = {line.get_label(): line for line in ax.get_lines()}
        for name, sweep in sweeps.items():  # every method's best run is drawn, labelled with its rate
            line = lines[f"{name} (α={sweep.best_learning_rate:.3g})"]
            np.testing.assert_array_equal(np.asarray(line.get_xdata()), sweep.best_trajectory[:, 0])
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert len(legend) == len(sweeps)
    plt.close(fig)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"make": 3}, TypeError, "make must be a function"),
    ({"learning_rates": []}, ValueError, "learning_rates must be"),
    ({"learning_rates": [0.1, -1.0]}, ValueError, "learning_rates must be"),
])
def test_sweep_rejects_bad_input(kwargs, error, match):
    args = {"make": gd, "landscape": quadratic(), "learning_rates": [0.1], "steps": 5} | kwargs
    with pytest.raises(error, match=match):
        sweep_landscape(**args)


def test_compare_needs_a_grid_per_method():
    with pytest.raises(ValueError, match="no grid for the methods"):
        compare_on_landscapes({"GD": gd, "Other": gd}, {"GD": [0.1]}, 5)


def test_digits_experiment_sweeps_then_repeats_over_seeds():
    data = load_digits(seed=0)
    result = digits_experiment(lambda lr: SGD(lr), [0.05, 0.5], epochs=2, seeds=(0, 1), data=data)
    assert result.learning_rate == float(result.learning_rates[np.argmin(result.sweep_val_loss)])
    assert result.train_loss.shape == result.val_loss.shape == result.val_accuracy.shape == (2, 3)
    # the run with seed 0 is exactly an MLP trained with seed 0 for weights and mini-batch order
    model = MLP([64, 32, 10], "relu", seed=0)
    history = model.train(data.X_train, data.y_train, SGD(result.learning_rate), epochs=2, batch_size=64, seed=0,
                          X_val=data.X_val, y_val=data.y_val)
    np.testing.assert_allclose(result.val_loss[0, 1:], history.epoch_val_loss, rtol=1e-12)
    assert result.test_accuracy[0] == pytest.approx(model.evaluate(data.X_test, data.y_test)[1])
    # and the seeds differ (different initial weights and batches)
    assert result.val_loss[0, -1] != result.val_loss[1, -1]


def test_saddle_score_of_a_run_that_flew_off_is_quiet(recwarn):
    s = saddle()
    path = run(gd(1.5), s, s.default_start, 300)  # w2 grows 4× per step: J = w1² − w2² overflows
    score_trajectory(s, path, 300)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
