"""lib.schedules: parity with keras.optimizers.schedules, the notes' table, properties, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import schedules as S
from lib.keras_compat import schedule_from_config, schedule_from_keras

STEPS = sorted(set(range(0, 301, 7)) | {1, 2, 9, 10, 11, 19, 20, 21, 49, 50, 51, 99, 100, 101, 199, 200, 201, 250})

# Keras class name -> list of (constructor kwargs); the same kwargs build ours
KERAS_CASES = {
    "ExponentialDecay": [
        dict(initial_learning_rate=0.1, decay_steps=25, decay_rate=0.95),
        dict(initial_learning_rate=0.2, decay_steps=10, decay_rate=0.5, staircase=True),
    ],
    "InverseTimeDecay": [
        dict(initial_learning_rate=0.2, decay_steps=1, decay_rate=1.0),
        dict(initial_learning_rate=0.05, decay_steps=20, decay_rate=0.3, staircase=True),
    ],
    "PiecewiseConstantDecay": [
        dict(boundaries=[10, 100, 200], values=[0.1, 0.05, 0.01, 0.001]),
    ],
    "PolynomialDecay": [
        dict(initial_learning_rate=0.1, decay_steps=150, end_learning_rate=0.001, power=2.0),
        dict(initial_learning_rate=0.1, decay_steps=40, end_learning_rate=0.01, power=0.5, cycle=True),
    ],
    "CosineDecay": [
        dict(initial_learning_rate=0.1, decay_steps=200, alpha=0.05),
        dict(initial_learning_rate=0.0, decay_steps=150, alpha=0.1, warmup_target=0.3, warmup_steps=50),
        dict(initial_learning_rate=0.01, decay_steps=100, warmup_target=0.1, warmup_steps=20),
    ],
    "CosineDecayRestarts": [
        dict(initial_learning_rate=0.1, first_decay_steps=30, t_mul=2.0, m_mul=0.8, alpha=0.05),
        dict(initial_learning_rate=0.1, first_decay_steps=40, t_mul=1.0, m_mul=0.5),
    ],
}
PARAMS = [(name, kw) for name, cases in KERAS_CASES.items() for kw in cases]


@pytest.mark.parametrize("name, kwargs", PARAMS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PARAMS)])
def test_parity_with_keras(keras, name, kwargs):
    """Every Keras schedule, non-default arguments, steps 0-300: equal to float32 rounding.

    Keras evaluates in float32 (the dtype of a Python-float initial_learning_rate), we in float64;
    measured worst difference 1.3e-7 of the schedule's largest value (float32 rounding in pow/cos).
    """
    keras_schedule = getattr(keras.optimizers.schedules, name)(**kwargs)
    ours = getattr(S, name)(**kwargs)
    assert schedule_from_keras(keras_schedule) == ours
    reference = np.array([float(keras_schedule(step)) for step in STEPS])
    values = ours(np.array(STEPS))
    scale = max(float(np.max(np.abs(reference))), 1e-30)
    assert np.max(np.abs(values - reference)) / scale < 1e-6
    assert [ours(step) for step in STEPS[:5]] == list(values[:5])  # scalar calls agree with array calls


def test_golden_notes_table():
    # week-10 notes §9: α₀ = 0.2, decay_rate = 1 -> epochs 1, 2, 3, 4 give 0.1, 0.067, 0.05, 0.04
    # (0.2/2, 0.2/3, 0.2/4, 0.2/5); epoch k is step k with decay_steps = 1.
    schedule = S.InverseTimeDecay(0.2, decay_steps=1, decay_rate=1)
    assert [round(schedule(epoch), 3) for epoch in (1, 2, 3, 4)] == [0.1, 0.067, 0.05, 0.04]
    assert schedule(2) == pytest.approx(0.2 / 3, rel=1e-15)
    # 0.95^epoch · α₀ with α₀ = 0.2 and 100 steps per epoch: 0.2, 0.19, 0.1805, 0.171475 at epochs 0-3
    exp = S.ExponentialDecay(0.2, decay_steps=100, decay_rate=0.95, staircase=True)
    assert [exp(100 * e + 50) for e in range(4)] == pytest.approx([0.2, 0.19, 0.1805, 0.171475], rel=1e-14)
    # k/√epoch · α₀ with k = 1, α₀ = 0.2 and epochs counted from 1: epochs 1, 4, 9 -> 0.2, 0.1, 0.2/3
    isq = S.InverseSqrtDecay(0.2, decay_steps=1)
    assert [isq(0), isq(3), isq(8)] == pytest.approx([0.2, 0.1, 0.2 / 3], rel=1e-15)
    assert S.InverseSqrtDecay(0.2, decay_steps=1, k=3.0)(3) == pytest.approx(0.3, rel=1e-15)
    # the discrete staircase: halve every 10 steps -> 0.1 (steps 0-9), 0.05 (10-19), 0.025 (20-29)
    stair = S.StepDecay(0.1, decay_steps=10)
    assert [stair(9), stair(10), stair(19), stair(20)] == [0.1, 0.05, 0.05, 0.025]


def test_golden_cosine_and_piecewise():
    # cosine: half-way the cosine term is ½, so α = α₀((1 − alpha)/2 + alpha) = 0.1·(0.45 + 0.1) = 0.055
    assert S.CosineDecay(0.1, 100, alpha=0.1)(50) == pytest.approx(0.055, rel=1e-15)
    assert S.CosineDecay(0.1, 100, alpha=0.1)(1000) == pytest.approx(0.01, rel=1e-15)  # floor α₀·alpha
    # warm-up from 0 to 0.3 in 50 steps: step 25 -> 0.15; then the cosine starts at 0.3
    warm = S.CosineDecay(0.0, 100, warmup_target=0.3, warmup_steps=50)
    assert warm(25) == pytest.approx(0.15, rel=1e-15) and warm(50) == pytest.approx(0.3, rel=1e-15)
    # Keras' convention: values[i] holds up to and including boundaries[i]
    pw = S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [pw(10), pw(11), pw(20), pw(21)] == [1.0, 0.5, 0.5, 0.1]
    # polynomial, power 1: linear from 0.1 to 0.0 over 10 steps -> 0.05 at step 5
    assert S.PolynomialDecay(0.1, 10, end_learning_rate=0.0)(5) == pytest.approx(0.05, rel=1e-15)


def test_step_decay_is_staircase_exponential_decay():
    steps = np.arange(0, 500)
    np.testing.assert_array_equal(S.StepDecay(0.3, 37, factor=0.5)(steps),
                                  S.ExponentialDecay(0.3, 37, 0.5, staircase=True)(steps))


def test_inverse_sqrt_matches_formula():
    """No Keras counterpart: compare with the notes' formula evaluated directly."""
    schedule = S.InverseSqrtDecay(0.5, decay_steps=40, k=0.8, staircase=True)
    for step in range(0, 400, 13):
        epoch = step // 40 + 1  # epochs counted from 1
        assert schedule(step) == pytest.approx(0.8 / math.sqrt(epoch) * 0.5, rel=1e-15)


DECAYS = [
    lambda a, d: S.ExponentialDecay(a, d, 0.9),
    lambda a, d: S.ExponentialDecay(a, d, 0.5, staircase=True),
    lambda a, d: S.InverseTimeDecay(a, d, 0.7),
    lambda a, d: S.InverseTimeDecay(a, d, 2.0, staircase=True),
    lambda a, d: S.PolynomialDecay(a, d, end_learning_rate=a / 10, power=1.5),
    lambda a, d: S.CosineDecay(a, d, alpha=0.2),
    lambda a, d: S.InverseSqrtDecay(a, d, k=1.0),
    lambda a, d: S.StepDecay(a, d),
]


@settings(max_examples=40, deadline=None)
@given(which=st.integers(0, len(DECAYS) - 1), alpha0=st.floats(1e-6, 10.0), decay_steps=st.integers(1, 500),
       steps=st.lists(st.integers(0, 100_000), min_size=2, max_size=20))
def test_decays_are_non_increasing_and_start_at_alpha0(which, alpha0, decay_steps, steps):
    schedule = DECAYS[which](alpha0, decay_steps)
    values = schedule(np.sort(steps))
    assert schedule(0) == pytest.approx(alpha0, rel=1e-15)
    assert np.all(np.diff(values) <= 1e-15 * alpha0)
    assert np.all((values >= 0) & (values <= alpha0 * (1 + 1e-15)))


@settings(max_examples=40, deadline=None)
@given(alpha0=st.floats(1e-4, 1.0), decay_steps=st.integers(1, 100), k=st.integers(0, 50),
       offset=st.integers(0, 99))
def test_staircase_is_constant_within_a_period_and_agrees_at_its_start(alpha0, decay_steps, k, offset):
    offset %= decay_steps
    for cls, rate in ((S.ExponentialDecay, 0.8), (S.InverseTimeDecay, 0.8)):
        stair, smooth = cls(alpha0, decay_steps, rate, staircase=True), cls(alpha0, decay_steps, rate)
        assert stair(k * decay_steps + offset) == stair(k * decay_steps)
        assert stair(k * decay_steps) == pytest.approx(smooth(k * decay_steps), rel=1e-12)


@pytest.mark.parametrize(
    "factory, exc, message",
    [
        (lambda: S.ExponentialDecay(0.1, 0, 0.9), ValueError, r"decay_steps must be a positive float, got 0"),
        (lambda: S.InverseTimeDecay(0.1, -5, 0.5), ValueError, r"decay_steps must be a positive float, got -5"),
        (lambda: S.ExponentialDecay(-0.1, 10, 0.9), ValueError, r"initial_learning_rate must be a non-negative float, got -0\.1"),
        (lambda: S.ExponentialDecay(float("nan"), 10, 0.9), ValueError, r"initial_learning_rate must be a non-negative float, got nan"),
        (lambda: S.ExponentialDecay("0.1", 10, 0.9), TypeError,
         r"initial_learning_rate must be a non-negative float, got str"),
        (lambda: S.ExponentialDecay(0.1, 10, 0.0), ValueError, r"decay_rate must be a positive float, got 0\.0"),
        (lambda: S.InverseTimeDecay(0.1, 10, -1.0), ValueError, r"decay_rate must be a non-negative float, got -1\.0"),
        (lambda: S.ExponentialDecay(0.1, 10, 0.9, staircase=1), TypeError, r"staircase must be True or False"),
        (lambda: S.PiecewiseConstantDecay([10, 20], [0.1, 0.01]), ValueError, r"one more entry than boundaries"),
        (lambda: S.PiecewiseConstantDecay([20, 10], [0.1, 0.01, 0.001]), ValueError, r"strictly increasing"),
        (lambda: S.PiecewiseConstantDecay([10], [0.1, -0.01]), ValueError, r"values\[1\] must be a non-negative float"),
        (lambda: S.PiecewiseConstantDecay(10, [0.1]), TypeError, r"boundaries and values must be lists"),
        (lambda: S.CosineDecay(0.1, 100, alpha=1.5), ValueError, r"alpha must be a float in \[0, 1\], got 1\.5"),
        (lambda: S.CosineDecay(0.1, 100, warmup_target=-1.0, warmup_steps=5), ValueError,
         r"warmup_target must be a non-negative float"),
        (lambda: S.CosineDecayRestarts(0.1, 0), ValueError, r"first_decay_steps must be a positive float"),
        (lambda: S.CosineDecayRestarts(0.1, 10, t_mul=0.5), ValueError, r"t_mul must be a float >= 1, got 0\.5"),
        (lambda: S.PolynomialDecay(0.1, 10, power=-1.0), ValueError, r"power must be a non-negative float"),
        (lambda: S.StepDecay(0.1, 10, factor=1.5), ValueError, r"factor must be a float in \[0, 1\], got 1\.5"),
        (lambda: S.InverseSqrtDecay(0.1, k=-1.0), ValueError, r"k must be a non-negative float, got -1\.0"),
    ],
)
def test_bad_arguments(factory, exc, message):
    with pytest.raises(exc, match=message):
        factory()


def test_bad_steps():
    schedule = S.ExponentialDecay(0.1, 10, 0.9)
    with pytest.raises(ValueError, match=r"step must be finite and >= 0, got -1"):
        schedule(-1)
    with pytest.raises(ValueError, match="step must be finite"):
        schedule(np.array([0, np.nan]))
    with pytest.raises(TypeError, match="step must be a non-negative number"):
        schedule("3")
    with pytest.raises(TypeError, match="step must be a non-negative number"):
        schedule(True)


def test_from_keras_rejects_what_has_no_counterpart(keras):
    class Halving(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.1 / (step + 1)

        def get_config(self):
            return {}

    with pytest.raises(NotImplementedError, match="Halving"):
        schedule_from_keras(Halving())
    with pytest.raises(TypeError, match="keras_schedule must be a Keras LearningRateSchedule"):
        schedule_from_keras(0.1)
    with pytest.raises(NotImplementedError, match="option"):
        schedule_from_config("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=1, decay_rate=0.5, cycle=True))
