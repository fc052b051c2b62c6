"""Tests for lib/tuning.py: the log-scale samplers' distributions (a quarter of the samples per decade,
log10(1 − β) uniform), Range and its zoom, algorithm 5-9 (grid / random search, coarse to fine), the
TrialNumberSampler, run_parallel with two worker processes on a temporary SQLite file, the command line,
and the errors for bad input."""

import math
import os
import time

import numpy as np
import optuna
import pytest
from scipy import stats

from lib import tuning as T


# ------------------------------------------------------------------------------------------------
# samplers
# ------------------------------------------------------------------------------------------------
def test_log_uniform_puts_a_quarter_of_the_samples_in_each_decade():
    x = T.log_uniform(1e-4, 1.0, 200_000, rng=0)
    counts = np.histogram(np.log10(x), bins=[-4, -3, -2, -1, 0])[0] / x.size
    assert np.allclose(counts, 0.25, atol=0.005)
    assert x.min() >= 1e-4 and x.max() < 1.0 and x.dtype == np.float64
    # the uniform scale the notes warn about: 90 % land in [0.1, 1]
    u = np.random.default_rng(0).uniform(1e-4, 1.0, 200_000)
    assert abs(np.mean(u >= 0.1) - 0.9) < 0.005


def test_log_uniform_is_uniform_in_the_exponent():
    r = np.log10(T.log_uniform(1e-3, 10.0, 5000, rng=1))
    assert stats.kstest((r + 3) / 4, "uniform").pvalue > 0.01


def test_log_uniform_scalar_seed_and_generator():
    a = T.log_uniform(1e-4, 1, rng=3)
    assert isinstance(a, float) and 1e-4 <= a < 1
    assert a == T.log_uniform(1e-4, 1, rng=3)                       # same seed, same draw
    g = np.random.default_rng(3)
    assert T.log_uniform(1e-4, 1, rng=g) == a and T.log_uniform(1e-4, 1, rng=g) != a   # a generator advances
    assert T.log_uniform(1e-4, 1, (2, 3), rng=0).shape == (2, 3)


def test_log_uniform_beta_is_uniform_in_log10_of_one_minus_beta():
    beta = T.log_uniform_beta(0.9, 0.999, 20_000, rng=0)
    r = np.log10(1 - beta)
    assert r.min() >= -3 - 1e-12 and r.max() <= -1 + 1e-12
    assert stats.kstest((r + 3) / 2, "uniform").pvalue > 0.01
    assert abs(np.mean(beta < 0.99) - 0.5) < 0.01                  # [0.9, 0.99] and [0.99, 0.999]: half each
    window = 1 / (1 - beta)                                         # the averaging window is log-uniform in [10, 1000]
    assert abs(np.mean(window < 100) - 0.5) < 0.01


def test_quiz_3_option_gives_beta_in_0_9_to_0_99():
    r = np.random.default_rng(0).random(10_000)
    beta = 1 - 10 ** (-r - 1)
    assert beta.min() >= 0.9 and beta.max() <= 0.99


@pytest.mark.parametrize("low, high, name", [(0.0, 1.0, "low"), (-1e-3, 1.0, "low"), (1.0, 1.0, "low"),
                                             (1.0, 0.1, "low"), (1e-4, math.inf, "high")])
def test_log_uniform_refuses_bad_ranges_naming_them(low, high, name):
    with pytest.raises(ValueError, match=name):
        T.log_uniform(low, high)


@pytest.mark.parametrize("low, high, name", [(0.9, 1.0, "high"), (0.9, 1.5, "high"), (0.99, 0.9, "low"),
                                             (-0.1, 0.9, "low"), (0.9, 0.9, "low")])
def test_log_uniform_beta_refuses_bad_ranges_naming_them(low, high, name):
    with pytest.raises(ValueError, match=name):
        T.log_uniform_beta(low, high)


def test_samplers_refuse_bad_size_and_rng():
    with pytest.raises(TypeError, match="size"):
        T.log_uniform(1e-3, 1, 2.5)
    with pytest.raises(ValueError, match="size"):
        T.log_uniform(1e-3, 1, -1)
    with pytest.raises(TypeError, match="rng"):
        T.log_uniform_beta(rng="zero")
    with pytest.raises(TypeError, match="low"):
        T.log_uniform("0.1", 1)


# ------------------------------------------------------------------------------------------------
# Range
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scale, low, high", [("linear", -1.0, 2.0), ("log", 1e-5, 1e-1), ("beta", 0.9, 0.9999),
                                              ("int", 16, 64)])
def test_range_samples_inside_and_round_trips(scale, low, high):
    rg = T.Range(low, high, scale)
    x = rg.sample(0, 1000)
    assert x.min() >= low and x.max() <= high
    assert np.allclose(rg.from_r(rg.to_r(x)), x, rtol=1e-12)
    r = rg.to_r(x)                                                 # uniform in its coordinate
    lo, hi = np.sort(rg.to_r([low, high]))
    assert stats.kstest((r - lo) / (hi - lo), "uniform").pvalue > 1e-3 or scale == "int"
    if scale == "int":
        assert set(np.unique(x)) == set(range(16, 65)) and isinstance(rg.sample(0), int)


def test_range_zoom_narrows_around_the_values_and_stays_inside():
    rg = T.Range(1e-6, 1.0, "log")
    z = rg.zoom([1e-3, 1e-2], margin=0.5)
    assert z.scale == "log" and math.isclose(z.low, 10**-3.5) and math.isclose(z.high, 10**-1.5)
    edge = rg.zoom([0.5, 0.9], margin=1.0)
    assert edge.high == 1.0 and edge.low > 1e-6                   # clipped to the old range
    b = T.Range(0.9, 0.999, "beta").zoom([0.99], margin=0.1)      # one value: a small range around it
    assert b.low < 0.99 < b.high
    with pytest.raises(ValueError, match="values"):
        rg.zoom([])


@pytest.mark.parametrize("args, err, name", [((0.0, 1.0, "log"), ValueError, "low"), ((1.0, 0.5), ValueError, "low"),
                                             ((0.9, 1.0, "beta"), ValueError, "high"),
                                             ((0, 1, "cubic"), ValueError, "scale"),
                                             ((0.5, 3, "int"), TypeError, "int")])
def test_range_refuses_bad_input(args, err, name):
    with pytest.raises(err, match=name):
        T.Range(*args)


# ------------------------------------------------------------------------------------------------
# algorithm 5-9
# ------------------------------------------------------------------------------------------------
def bump(x, y):
    """A smooth score with its maximum 1 at (x, y) = (0.3, 0.7)."""
    return 1.0 - (x - 0.3) ** 2 - (y - 0.7) ** 2


def test_search_keeps_the_best_like_algorithm_5_9():
    values = [0.2, 0.9, float("nan"), 0.5, 0.9]
    seen = []
    res = T.search(lambda q: q, [{"q": v} for v in values], callback=seen.append)
    assert res.best.number == 1 and res.best.value == 0.9           # first of the ties, NaN never wins
    assert [t.number for t in seen] == list(range(5))
    low = T.search(lambda q: q, [{"q": v} for v in values], maximize=False)
    assert low.best.value == 0.2
    assert [t.value for t in res.top(2)] == [0.9, 0.9] and res.top(5)[-1].number == 2
    nans = T.search(lambda q: q, [{"q": float("nan")}])
    assert nans.best is None


def test_grid_has_q_to_the_m_points_and_grid_search_finds_the_grid_maximum():
    space = {"x": np.linspace(0, 1, 5), "y": np.linspace(0, 1, 5)}
    assert len(T.grid(space)) == 25 and len(T.grid({**space, "z": [1, 2, 3]})) == 75
    res = T.grid_search(bump, space)
    assert (res.best.params["x"], res.best.params["y"]) == (0.25, 0.75)


def test_random_search_is_reproducible_and_beats_the_grid_on_the_important_axis():
    space = {"x": T.Range(0.0, 1.0), "y": T.Range(0.0, 1.0)}
    a, b = T.random_search(bump, space, 25, seed=4), T.random_search(bump, space, 25, seed=4)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert len({t.params["x"] for t in a.trials}) == 25            # 25 distinct values of x (the grid has 5)


def test_coarse_to_fine_zooms_inside_and_improves():
    space = {"x": T.Range(1e-4, 1.0, "log"), "y": T.Range(0.0, 1.0)}

    def score(x, y):
        return -(np.log10(x) + 2) ** 2 - (y - 0.5) ** 2            # best at x = 0.01, y = 0.5

    rounds = T.coarse_to_fine(score, space, 30, rounds=3, keep=5, seed=0)
    assert len(rounds) == 3
    for (outer, _), (inner, _) in zip(rounds, rounds[1:]):
        for name in space:
            assert outer[name].low <= inner[name].low < inner[name].high <= outer[name].high
            assert name == "y" or inner[name].high / inner[name].low < outer[name].high / outer[name].low
    assert rounds[-1][1].best.value > rounds[0][1].best.value
    assert rounds[-1][0]["x"].low < 0.01 < rounds[-1][0]["x"].high


def test_search_refuses_bad_input():
    with pytest.raises(TypeError, match="evaluate"):
        T.search(3, [{}])
    with pytest.raises(ValueError, match="space"):
        T.grid({"x": []})
    with pytest.raises(TypeError, match="Range"):
        T.random_configs({"x": (0, 1)}, 3)
    with pytest.raises(ValueError, match="n"):
        T.random_configs({"x": T.Range(0.0, 1.0)}, 0)
    with pytest.raises(ValueError, match="rounds"):
        T.coarse_to_fine(bump, {"x": T.Range(0.0, 1.0)}, 5, rounds=0)


# ------------------------------------------------------------------------------------------------
# Optuna: the trial-number sampler and run_parallel
# ------------------------------------------------------------------------------------------------
def suggest_all(trial):
    return (trial.suggest_float("lr", 1e-4, 1.0, log=True), trial.suggest_float("u", -1.0, 1.0),
            trial.suggest_int("units", 16, 64), trial.suggest_int("batch", 8, 256, log=True),
            trial.suggest_float("q", 0.0, 1.0, step=0.25), trial.suggest_categorical("act", ["relu", "tanh"]))


def test_trial_number_sampler_depends_on_the_trial_number_only():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    a = optuna.create_study(sampler=T.TrialNumberSampler(7))
    a.optimize(lambda t: float(len(str(suggest_all(t)))), n_trials=6)
    b = optuna.create_study(sampler=T.TrialNumberSampler(7))
    b.optimize(lambda t: float(len(str(suggest_all(t)))), n_trials=6)
    pa, pb = [t.params for t in a.trials], [t.params for t in b.trials]
    assert pa == pb and len({p["lr"] for p in pa}) == 6
    c = optuna.create_study(sampler=T.TrialNumberSampler(8))
    c.optimize(lambda t: float(len(str(suggest_all(t)))), n_trials=1)
    assert c.trials[0].params["lr"] != pa[0]["lr"]
    for p in pa:
        assert 1e-4 <= p["lr"] <= 1 and 16 <= p["units"] <= 64 and 8 <= p["batch"] <= 256 and p["q"] in (0, .25, .5, .75, 1)
    lrs = []
    s = optuna.create_study(sampler=T.TrialNumberSampler(0))
    s.optimize(lambda t: lrs.append(t.suggest_float("lr", 1e-4, 1.0, log=True)) or 0.0, n_trials=400)
    assert stats.kstest((np.log10(lrs) + 4) / 4, "uniform").pvalue > 0.01


def quadratic(trial):
    """A cheap objective whose value is a function of its parameters only; it sleeps so both workers get work."""
    x = trial.suggest_float("x", -2.0, 2.0)
    y = trial.suggest_float("y", 1e-3, 1.0, log=True)
    time.sleep(0.05)
    return (x - 0.5) ** 2 + math.log10(y) ** 2


def failing(trial):
    trial.suggest_float("x", 0.0, 1.0)
    raise RuntimeError("boom")


def test_run_parallel_two_processes_nothing_lost_or_duplicated_and_a_second_call_continues(tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    study = T.run_parallel(quadratic, n_trials=10, n_workers=2, storage=url, study_name="q")
    trials = study.trials
    assert len(trials) == 10 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    assert sorted(t.number for t in trials) == list(range(10))
    workers = {t.user_attrs["worker"] for t in trials}
    assert len(workers) == 2 and os.getpid() not in workers        # two worker processes, not this one
    for t in trials:                                                # each stored value is its parameters' value
        assert math.isclose(t.value, (t.params["x"] - 0.5) ** 2 + math.log10(t.params["y"]) ** 2)
    again = T.run_parallel(quadratic, n_trials=5, n_workers=2, storage=url, study_name="q")
    assert sorted(t.number for t in again.trials) == list(range(15))
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in again.trials)
    # reproducible: the same seed on a fresh storage gives the same trials, number by number
    other = T.run_parallel(quadratic, n_trials=6, n_workers=3, storage=f"sqlite:///{tmp_path / 'b.db'}",
                           study_name="q")
    assert [t.params for t in other.trials] == [t.params for t in sorted(trials, key=lambda t: t.number)[:6]]


def test_run_parallel_reports_a_failing_worker(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    with pytest.raises(RuntimeError, match="worker"):
        T.run_parallel(failing, n_trials=2, n_workers=2, storage=url, study_name="f")
    states = {t.state for t in optuna.load_study(study_name="f", storage=url).trials}
    assert states == {optuna.trial.TrialState.FAIL}


@pytest.mark.parametrize("kwargs, err, name", [
    ({"n_trials": 0}, ValueError, "n_trials"), ({"n_workers": 0}, ValueError, "n_workers"),
    ({"n_trials": 2.5}, TypeError, "n_trials"), ({"storage": "not a url"}, ValueError, "storage"),
    ({"storage": "sqlite://"}, ValueError, "storage"), ({"storage": 3}, TypeError, "storage"),
    ({"direction": "up"}, ValueError, "direction"), ({"study_name": ""}, ValueError, "study_name"),
])
def test_run_parallel_refuses_bad_input(tmp_path, kwargs, err, name):
    args = dict(n_trials=2, n_workers=2, storage=f"sqlite:///{tmp_path / 'x.db'}", study_name="x") | kwargs
    with pytest.raises(err, match=name):
        T.run_parallel(quadratic, **args)
    with pytest.raises(TypeError, match="objective"):
        T.run_parallel(None, n_trials=1, n_workers=1, storage=f"sqlite:///{tmp_path / 'y.db'}", study_name="y")


def test_run_parallel_refuses_a_direction_other_than_the_stored_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    T.run_parallel(quadratic, n_trials=1, n_workers=1, storage=url, study_name="d")
    with pytest.raises(ValueError, match="direction"):
        T.run_parallel(quadratic, n_trials=1, n_workers=1, storage=url, study_name="d", direction="maximize")


def test_command_line_runs_one_worker_on_the_shared_study(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert T.main(["--storage", url, "--study-name", "c", "--n-trials", "2",
                   "--objective", "tests.test_tuning:quadratic"]) == 0
    assert T.main(["--storage", url, "--study-name", "c", "--n-trials", "1",
                   "--objective", "tests.test_tuning:quadratic"]) == 0
    out = capsys.readouterr().out
    assert "3 complete trials" in out
    with pytest.raises(ValueError, match="objective"):
        T.main(["--storage", url, "--study-name", "c", "--n-trials", "1", "--objective", "nocolon"])


def test_train_digits_learns_and_refuses_an_unknown_optimizer():
    from lib.data import load_digits

    data = load_digits(seed=0)
    good = T.train_digits(0.3, epochs=5, data=data)
    assert good > 0.85
    assert T.train_digits(0.3, epochs=5, data=data) == good         # seeded
    assert T.train_digits(1e-3, optimizer="adam", epochs=5, data=data) > 0.5
    with pytest.raises(ValueError, match="optimizer"):
        T.train_digits(0.1, optimizer="lbfgs", data=data)


def test_two_workers_started_by_hand_share_one_study(tmp_path):
    """`python -m lib.tuning` in two separate OS processes at once (as from two terminals): one study, 6 trials."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    url = f"sqlite:///{tmp_path / 'hand.db'}"
    cmd = [sys.executable, "-m", "lib.tuning", "--storage", url, "--study-name", "h", "--n-trials", "3",
           "--objective", "tests.test_tuning:quadratic"]
    env = dict(os.environ, PYTHONPATH=str(root))
    procs = [subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    trials = optuna.load_study(study_name="h", storage=url).trials
    assert sorted(t.number for t in trials) == list(range(6))
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    assert len({t.user_attrs["worker"] for t in trials}) == 2
