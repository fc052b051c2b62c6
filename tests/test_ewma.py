"""lib.ewma: the notes' worked numbers, parity with SciPy and with Keras' BatchNormalization moving
mean, properties of the weights and of bias correction, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.signal import lfilter

from lib.ewma import effective_window, ewma, ewma_weights, half_life, steps_to_decay, total_weight

finite = st.floats(-1e6, 1e6, allow_nan=False)
betas = st.floats(0.0, 0.999)


# ----------------------------------------------------------------------------------------------
# golden values from the week-10 notes
# ----------------------------------------------------------------------------------------------
def test_golden_bias_correction_example():
    # §5 (β = 0.98): v_1 = 0.02·θ_1, v_2 = 0.0196·θ_1 + 0.02·θ_2, and 1 − β² = 0.0396.
    # With θ = (10, 20): v_1 = 0.2, v_2 = 0.196 + 0.4 = 0.596, v̂_2 = 0.596/0.0396 = 15.0505…
    v = ewma([10.0, 20.0], 0.98)
    np.testing.assert_allclose(v, [0.2, 0.596], rtol=1e-14)
    v_hat = ewma([10.0, 20.0], 0.98, bias_correction=True)
    np.testing.assert_allclose(v_hat, [10.0, 0.596 / 0.0396], rtol=1e-14)
    assert total_weight(0.98, 2) == pytest.approx(0.0396, rel=1e-14)


def test_golden_weights_and_windows():
    # §4 (β = 0.9): v_100 = 0.1·θ_100 + 0.1·0.9·θ_99 + 0.1·0.9²·θ_98 + …
    np.testing.assert_allclose(ewma_weights(0.9, 3), [0.1, 0.09, 0.081], rtol=1e-14)
    # §3: β = 0.9 averages ≈ 10 days, 0.98 ≈ 50, 0.5 ≈ 2
    assert [effective_window(b) for b in (0.9, 0.98, 0.5)] == pytest.approx([10, 50, 2], rel=1e-12)
    # §4: after 1/(1 − β) = 10 steps a weight is 0.9^10 = 0.3487 of the newest ("about 1/3"),
    # close to 1/e = 0.368: the exact 1/e point is −1/ln 0.9 = 9.49 steps
    assert 0.9**10 == pytest.approx(0.348678, abs=1e-6)
    assert steps_to_decay(0.9, 1 / math.e) == pytest.approx(-1 / math.log(0.9), rel=1e-14)
    assert steps_to_decay(0.9, 1 / math.e) == pytest.approx(9.4912, abs=1e-4)
    # half-lives: ln ½ / ln β = 6.579 (β = 0.9) and 34.31 (β = 0.98)
    assert half_life(0.9) == pytest.approx(6.5788, abs=1e-4)
    assert half_life(0.98) == pytest.approx(34.3096, abs=1e-4)


# ----------------------------------------------------------------------------------------------
# parity with SciPy and Keras
# ----------------------------------------------------------------------------------------------
def test_parity_with_scipy_lfilter():
    """v_t = βv_{t−1} + (1 − β)θ_t is the IIR filter b = [1 − β], a = [1, −β] with zero initial state."""
    theta = np.random.default_rng(0).normal(15, 8, size=(365, 3))  # a year of temperatures, 3 cities
    for beta in (0.5, 0.9, 0.98):
        reference = lfilter([1 - beta], [1, -beta], theta, axis=0)
        np.testing.assert_allclose(ewma(theta, beta), reference, rtol=1e-12, atol=1e-12)


def test_parity_with_keras_batchnorm_moving_mean(keras):
    """Keras' BatchNormalization keeps moving_mean ← momentum·moving_mean + (1 − momentum)·batch_mean
    from 0: feeding batches whose mean is θ_t makes moving_mean equal v_t — bit for bit in float32."""
    theta = np.random.default_rng(1).normal(15, 8, size=(60, 4)).astype(np.float32)
    layer = keras.layers.BatchNormalization(momentum=0.9)
    reference = []
    for t in range(60):
        layer(np.stack([theta[t], theta[t]]), training=True)  # two equal rows: the batch mean is exactly θ_t
        reference.append(layer.moving_mean.numpy())
    ours = ewma(theta, 0.9)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, np.array(reference))


# ----------------------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(theta=hnp.arrays(np.float64, st.integers(1, 40), elements=finite), beta=betas)
def test_ewma_is_the_weighted_sum_of_the_notes(theta, beta):
    """v_T = Σ_k (1 − β)β^k θ_{T−k} (week-10 §4); the weights sum to 1 − β^T."""
    weights = ewma_weights(beta, len(theta))
    assert weights.sum() == pytest.approx(total_weight(beta, len(theta)), rel=1e-12, abs=1e-15)
    scale = np.max(np.abs(theta)) + 1e-300
    assert abs(ewma(theta, beta)[-1] - weights @ theta[::-1]) <= 1e-12 * scale


@settings(max_examples=50, deadline=None)
@given(theta=hnp.arrays(np.float64, st.integers(1, 40), elements=finite), beta=betas)
def test_bias_corrected_average_stays_within_the_data(theta, beta):
    """v̂_t is a weighted *average* (weights sum to 1): it lies between min θ and max θ;
    without correction |v_t| ≤ (1 − β^t)·max|θ| can be far below the data (the notes' 'too small' start)."""
    v_hat = ewma(theta, beta, bias_correction=True)
    tol = 1e-12 * (np.max(np.abs(theta)) + 1e-300)
    running_min, running_max = np.minimum.accumulate(theta), np.maximum.accumulate(theta)
    assert np.all(v_hat >= running_min - tol) and np.all(v_hat <= running_max + tol)
    t = np.arange(1, len(theta) + 1)
    assert np.all(np.abs(ewma(theta, beta)) <= (1 - beta**t) * np.max(np.abs(theta)) + tol)


@settings(max_examples=30, deadline=None)
@given(c=finite, n=st.integers(1, 60), beta=betas)
def test_bias_correction_recovers_a_constant(c, n, beta):
    np.testing.assert_allclose(ewma(np.full(n, c), beta, bias_correction=True), c, rtol=1e-12, atol=1e-300)


@settings(max_examples=30, deadline=None)
@given(theta=hnp.arrays(np.float64, (20, 3), elements=finite), beta=betas)
def test_columns_are_averaged_independently_and_beta_zero_is_identity(theta, beta):
    v = ewma(theta, beta)
    for j in range(3):
        np.testing.assert_array_equal(v[:, j], ewma(theta[:, j], beta))
    np.testing.assert_array_equal(ewma(theta, 0.0), theta)


def test_dtype_and_shape():
    assert ewma(np.ones(5, np.float32), 0.9).dtype == np.float32
    assert ewma(np.ones(5, np.float32), 0.9, bias_correction=True).dtype == np.float32
    assert ewma([1, 2, 3], 0.5).dtype == np.float64
    assert ewma(np.zeros((0, 2)), 0.5).shape == (0, 2)


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: ewma([1.0], 1.0), ValueError, r"beta must be a float in \[0, 1\), got 1\.0"),
        (lambda: ewma([1.0], -0.1), ValueError, r"beta must be a float in \[0, 1\), got -0\.1"),
        (lambda: ewma([1.0], float("nan")), ValueError, r"beta must be a float in \[0, 1\), got nan"),
        (lambda: ewma([1.0], "0.9"), TypeError, r"beta must be a float in \[0, 1\), got str"),
        (lambda: ewma([1.0, np.nan], 0.9), ValueError, r"values must be finite, got nan at index \(1,\)"),
        (lambda: ewma(3.0, 0.9), ValueError, r"values must have at least one axis"),
        (lambda: ewma(["a"], 0.9), TypeError, r"values must be an array of real numbers"),
        (lambda: ewma([1.0], 0.9, bias_correction="yes"), TypeError, r"bias_correction must be True or False"),
        (lambda: ewma_weights(0.9, -1), ValueError, r"n must be a non-negative integer, got -1"),
        (lambda: ewma_weights(0.9, 2.5), TypeError, r"n must be a non-negative integer, got float: 2\.5"),
        (lambda: total_weight(0.9, -2), ValueError, r"t must be a non-negative integer"),
        (lambda: effective_window(1.0), ValueError, r"beta must be a float in \[0, 1\)"),
        (lambda: steps_to_decay(0.9, 1.0), ValueError, r"fraction must be a float in \(0, 1\), got 1\.0"),
        (lambda: half_life(1.2), ValueError, r"beta must be a float in \[0, 1\), got 1\.2"),
    ],
)
def test_bad_input(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
