"""lib.momentum_theory: the iteration matrices against the optimizers they model, the closed-form rates
against eigenvalues computed independently (SciPy), the predicted rates against rates measured on
lib.optimizers runs, golden values of the optimal parameters, properties, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import momentum_theory as MT
from lib import optimizers as O
from lib.landscapes import quadratic
from lib.runner import run

alphas = st.floats(1e-3, 5.0)
betas = st.floats(0.0, 0.99)
curvatures = st.floats(-3.0, 30.0)


def companion_rate(trace: float, det: float) -> float:
    """Spectral radius of the two-step recursion e_{t+1} = trace·e_t − det·e_{t−1}, by SciPy."""
    return float(np.max(np.abs(scipy.linalg.eigvals(np.array([[trace, -det], [1.0, 0.0]])))))


# ----------------------------------------------------------------------------------------------
# the matrices model the optimizers of lib.optimizers step for step
# ----------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(alpha=st.floats(1e-3, 0.5), beta=st.floats(0.01, 0.99), lam=st.floats(0.1, 10.0), w0=st.floats(-3.0, 3.0))
def test_momentum_matrix_is_one_step_of_keras_form_sgd(alpha, beta, lam, w0):
    """(w, u) ← M (w, u) is SGD(α, momentum=β) on ½λw², u being its velocity state v."""
    opt = O.SGD(alpha, momentum=beta)
    w = [np.array([w0])]
    z = np.array([w0, 0.0])
    M = MT.momentum_matrix(alpha, beta, lam)
    for _ in range(20):
        opt.step(w, [lam * w[0]])
        z = M @ z
        np.testing.assert_allclose([w[0][0], opt.state["v"][0][0]], z, rtol=1e-9, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(alpha=st.floats(1e-3, 0.5), beta=st.floats(0.01, 0.99), lam=st.floats(0.1, 10.0), w0=st.floats(-3.0, 3.0))
def test_nesterov_matrix_is_one_step_of_lookahead_nesterov(alpha, beta, lam, w0):
    """(w, u) ← N (w, u) is NesterovLookahead(α, β) on ½λw² with u = −α·a (the post's a)."""
    opt = O.NesterovLookahead(alpha, beta=beta)
    w = [np.array([w0])]
    z = np.array([w0, 0.0])
    N = MT.nesterov_matrix(alpha, beta, lam)
    for _ in range(20):
        opt.step(w, [lam * opt.lookahead(w)[0]])
        z = N @ z
        np.testing.assert_allclose([w[0][0], -alpha * opt.state["v"][0][0]], z, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# closed-form rates against eigenvalues computed independently
# ----------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(alpha=alphas, beta=betas, lam=curvatures)
def test_momentum_rate_is_spectral_radius(alpha, beta, lam):
    """Against SciPy on the two-step form w_{t+1} = (1 + β − αλ)w_t − β w_{t−1} (built here, not taken
    from the module), and against NumPy on momentum_matrix.  A double root is ill-conditioned for an
    eigensolver (error ~ √eps), hence rtol 1e-6."""
    expected = companion_rate(1 + beta - alpha * lam, beta)
    got = MT.momentum_rate(alpha, beta, lam)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-12)
    assert got == pytest.approx(np.max(np.abs(np.linalg.eigvals(MT.momentum_matrix(alpha, beta, lam)))),
                                rel=1e-6, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(alpha=alphas, beta=betas, lam=curvatures)
def test_nesterov_rate_is_spectral_radius(alpha, beta, lam):
    c = 1 - alpha * lam
    expected = companion_rate((1 + beta) * c, beta * c)
    assert MT.nesterov_rate(alpha, beta, lam) == pytest.approx(expected, rel=1e-6, abs=1e-12)
    assert MT.nesterov_rate(alpha, beta, lam) == pytest.approx(
        np.max(np.abs(np.linalg.eigvals(MT.nesterov_matrix(alpha, beta, lam)))), rel=1e-6, abs=1e-12)


def test_rates_broadcast_over_a_grid():
    a, b = np.meshgrid(np.linspace(0.05, 4.0, 7), np.linspace(0.0, 0.95, 5))
    grid = MT.momentum_rate(a, b, 1.0)
    assert grid.shape == a.shape
    elementwise = np.vectorize(lambda x, y: MT.momentum_rate(float(x), float(y), 1.0))(a, b)
    np.testing.assert_array_equal(grid, elementwise)
    assert MT.gd_rate(np.array([0.5, 1.5]), 1.0).tolist() == [0.5, 0.5]
    assert MT.is_stable(np.array([1.0, 3.0, 4.0]), 0.9, 1.0).tolist() == [True, True, False]


# ----------------------------------------------------------------------------------------------
# golden values (each number worked out by hand from the formula named)
# ----------------------------------------------------------------------------------------------
def test_golden_optimal_parameters():
    # κ = 100: α* = 4/(√100 + √1)² = 4/121, β* = ((10 − 1)/(10 + 1))² = 81/121, rate 9/11
    alpha, beta = MT.optimal_momentum(1.0, 100.0)
    assert alpha == pytest.approx(4 / 121, rel=1e-15) and beta == pytest.approx(81 / 121, rel=1e-15)
    assert MT.quadratic_rate(alpha, beta, [1.0, 100.0]) == pytest.approx(9 / 11, rel=1e-7)
    # the ravine of the testbed, κ = 25 with λ = 1, 25: α* = 4/36, β* = (4/6)²
    assert MT.optimal_momentum(1.0, 25.0) == pytest.approx((1 / 9, 4 / 9), rel=1e-15)
    # gradient descent: α* = 2/(1 + 25), rate 24/26
    assert MT.optimal_gd(1.0, 25.0) == pytest.approx((2 / 26, 24 / 26), rel=1e-15)
    # scale invariance: curvatures (2, 200) have κ = 100 too, the rates are the same, α* halves
    assert MT.optimal_momentum(2.0, 200.0) == pytest.approx((2 / 121, 81 / 121), rel=1e-15)


def test_golden_rates():
    # β = 0.9, αλ = 0.1: (1.8)² − 3.6 < 0, complex roots: √0.9
    assert MT.momentum_rate(0.1, 0.9, 1.0) == pytest.approx(math.sqrt(0.9), rel=1e-15)
    # β = 0.25, αλ = 0.25: z² − z + 0.25 = (z − ½)², a double root ½
    assert MT.momentum_rate(0.25, 0.25, 1.0) == pytest.approx(0.5, rel=1e-15)
    # β = 0.5, αλ = 3 (= 2(1 + β)): z² + 1.5z + 0.5 = (z + 1)(z + ½), on the stability edge
    assert MT.momentum_rate(3.0, 0.5, 1.0) == pytest.approx(1.0, rel=1e-15)
    assert not MT.is_stable(3.0, 0.5, 1.0) and MT.is_stable(2.999, 0.5, 1.0)
    # saddle direction λ = −2, α = 0.1, β = 0.9: z² − 2.1z + 0.9, roots 1.5 and 0.6
    assert MT.momentum_rate(0.1, 0.9, -2.0) == pytest.approx(1.5, rel=1e-15)
    assert MT.gd_rate(0.1, -2.0) == pytest.approx(1.2, rel=1e-15)
    # Nesterov, β = 0.5, αλ = 0.5: z² − 0.75z + 0.25, complex: √(β(1 − αλ)) = ½
    assert MT.nesterov_rate(0.5, 0.5, 1.0) == pytest.approx(0.5, rel=1e-15)
    # iterations: 0.5^20 < 1e-6 < 0.5^19; (9/11)^69 < 1e-6 < (9/11)^68
    assert MT.iterations_needed(0.5, 1e-6) == 20
    assert MT.iterations_needed(9 / 11, 1e-6) == 69
    assert MT.iterations_needed(0.1, 1e-6) == 6  # exactly 0.1^6: no off-by-one at equality
    assert MT.iterations_needed(0.0, 1e-6) == 1


def test_convert_learning_rate():
    # the notes: dropping (1 − β) scales v by 1/(1 − β), so α must shrink by (1 − β)
    assert MT.convert_learning_rate(0.5, 0.9, "ewma", "undamped") == pytest.approx(0.05, rel=1e-15)
    assert MT.convert_learning_rate(0.05, 0.9, "velocity", "ewma") == pytest.approx(0.5, rel=1e-15)
    assert MT.convert_learning_rate(0.05, 0.9, "undamped", "velocity") == 0.05
    assert MT.convert_learning_rate(0.3, 0.0, "ewma", "velocity") == 0.3


def test_converted_forms_take_identical_steps():
    """The three forms with converted learning rates give the same trajectory (lib.optimizers)."""
    land = quadratic(25.0, rotation=math.radians(30.0))
    a_ewma, beta = 0.5, 0.9
    runs = [
        run(O.Momentum(a_ewma, beta=beta), land, land.default_start, 200),
        run(O.Momentum(MT.convert_learning_rate(a_ewma, beta, "ewma", "undamped"), beta=beta, dampening=False),
            land, land.default_start, 200),
        run(O.SGD(MT.convert_learning_rate(a_ewma, beta, "ewma", "velocity"), momentum=beta), land,
            land.default_start, 200),
    ]
    assert runs[0].shape == (201, 2)
    for other in runs[1:]:
        assert np.max(np.abs(other - runs[0])) < 1e-13


# ----------------------------------------------------------------------------------------------
# predicted rates = rates measured on lib.optimizers runs
# ----------------------------------------------------------------------------------------------
CASES = [  # (method, α, β, κ): over-damped, under-damped, optimal (double roots), Nesterov, GD, diverging
    ("momentum", 0.01, 0.3, 25.0),
    ("momentum", 0.05, 0.9, 25.0),
    ("momentum", 1 / 9, 4 / 9, 25.0),
    ("nesterov", 0.02, 0.8, 10.0),
    ("gd", 0.07, 0.0, 25.0),
    ("momentum", 0.16, 0.9, 25.0),
]


@pytest.mark.parametrize("method, alpha, beta, kappa", CASES)
def test_measured_rate_of_optimizer_runs_matches_prediction(method, alpha, beta, kappa):
    land = quadratic(kappa, rotation=0.4)  # eigenvalues 1 and κ, minimum at the origin
    predicted = MT.quadratic_rate(alpha, beta, [1.0, kappa], nesterov=method == "nesterov")
    make = {"momentum": lambda: O.SGD(alpha, momentum=beta), "gd": lambda: O.SGD(alpha),
            "nesterov": lambda: O.NesterovLookahead(alpha, beta=beta)}[method]
    steps = min(3000, int(abs(math.log(1e-250) / math.log(predicted))))
    trajectory = run(make(), land, land.default_start, steps)
    measured = MT.measured_rate(trajectory, land.minimum)
    assert measured == pytest.approx(predicted, rel=1e-3)
    if predicted > 1:  # the runner stopped the diverging run before overflow
        assert len(trajectory) < steps + 1 or np.abs(trajectory[-1]).max() > 1e100


def test_measured_rate_of_a_geometric_sequence_is_exact():
    t = np.arange(60)[:, None]
    trajectory = 0.5**t * np.array([1.0, -2.0]) + np.array([3.0, 1.0])  # converging to (3, 1) at ½
    assert MT.measured_rate(trajectory, [3.0, 1.0]) == pytest.approx(0.5, rel=1e-9)
    # the floor stops the fit where rounding noise (~1e-16·|w*|) takes over; no floor: a wrong slope
    assert MT.measured_rate(trajectory, [3.0, 1.0], floor=0.0) != pytest.approx(0.5, rel=1e-3)
    growing = 1.5**t * np.array([1e-3, 0.0])
    assert MT.measured_rate(growing, [0.0, 0.0]) == pytest.approx(1.5, rel=1e-12)


def test_measured_rate_survives_a_spiral_through_the_minimum():
    """w_t = 0.8^t·cos(πt/2): a quarter turn per step, so ‖w_t − w*‖ is exactly 0 at every odd t (the
    distance alone would stop the fit at t = 1); the pair (w_t, w_{t−1}) never vanishes."""
    t = np.arange(100)
    cos = np.array([1.0, 0.0, -1.0, 0.0])[t % 4]
    trajectory = np.column_stack([0.8**t * cos, np.zeros(100)])
    assert np.count_nonzero(trajectory[:, 0] == 0.0) == 50
    # the pair's norm is a staircase ρ^t, ρ^t, ρ^(t+2), …: its slope is log ρ up to 1/(length of the fit)
    assert MT.measured_rate(trajectory, [0.0, 0.0]) == pytest.approx(0.8, rel=1e-3)


def test_measured_rate_ignores_rows_after_a_non_finite_one():
    t = np.arange(40)[:, None]
    trajectory = np.vstack([0.8**t * np.array([1.0, 1.0]), [[np.inf, 0.0]], [[5.0, 5.0]]])
    assert MT.measured_rate(trajectory, [0.0, 0.0]) == pytest.approx(0.8, rel=1e-12)


# ----------------------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(alpha=alphas, beta=betas, lam=curvatures)
def test_rate_is_at_least_sqrt_beta_and_beta_zero_is_gd(alpha, beta, lam):
    """The roots' product is β, so the larger modulus is ≥ √β; β = 0 is gradient descent."""
    assert MT.momentum_rate(alpha, beta, lam) >= math.sqrt(beta) * (1 - 1e-12)
    assert MT.momentum_rate(alpha, 0.0, lam) == pytest.approx(MT.gd_rate(alpha, lam), rel=1e-12, abs=1e-15)
    assert MT.nesterov_rate(alpha, 0.0, lam) == pytest.approx(MT.gd_rate(alpha, lam), rel=1e-12, abs=1e-15)


@settings(max_examples=300, deadline=None)
@given(alpha=alphas, beta=betas, lam=curvatures, nesterov=st.booleans())
def test_is_stable_iff_rate_below_one(alpha, beta, lam, nesterov):
    rate = (MT.nesterov_rate if nesterov else MT.momentum_rate)(alpha, beta, lam)
    if abs(rate - 1) > 1e-9:  # away from the boundary, where rounding decides
        assert MT.is_stable(alpha, beta, lam, nesterov=nesterov) == (rate < 1)


@settings(max_examples=100, deadline=None)
@given(lam_min=st.floats(1e-3, 10.0), kappa=st.floats(1.0, 1e4), where=st.floats(0.0, 1.0))
def test_optimal_momentum_gives_sqrt_beta_everywhere_and_beats_gd(lam_min, kappa, where):
    lam_max = lam_min * kappa
    alpha, beta = MT.optimal_momentum(lam_min, lam_max)
    lam = lam_min + where * (lam_max - lam_min)
    root_kappa = math.sqrt(kappa)
    assert math.sqrt(beta) == pytest.approx((root_kappa - 1) / (root_kappa + 1), rel=1e-9, abs=1e-12)
    # every curvature in [λ_min, λ_max] converges at √β* (up to rounding at the double roots)
    assert MT.momentum_rate(alpha, beta, lam) == pytest.approx(math.sqrt(beta), rel=1e-6, abs=1e-9)
    assert math.sqrt(beta) <= MT.optimal_gd(lam_min, lam_max)[1] + 1e-12
    # and it is optimal: no other (α, β) nearby does better on both ends
    for da, db in ((1.05, 1.0), (0.95, 1.0), (1.0, 1.02), (1.0, 0.98)):
        other = MT.quadratic_rate(alpha * da, min(beta * db, 0.999), [lam_min, lam_max])
        assert other >= math.sqrt(beta) * (1 - 1e-9)


# ----------------------------------------------------------------------------------------------
# bad input: a clear error naming the argument and the value
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: MT.momentum_rate(-0.1, 0.9, 1.0), ValueError, r"alpha .* must be a positive finite float, got -0.1"),
        (lambda: MT.momentum_rate(0.0, 0.9, 1.0), ValueError, r"alpha .* positive .* got 0.0"),
        (lambda: MT.momentum_rate(0.1, 1.0, 1.0), ValueError, r"beta .* must be in \[0, 1\), got 1.0"),
        (lambda: MT.momentum_rate(0.1, -0.5, 1.0), ValueError, r"beta .* got -0.5"),
        (lambda: MT.momentum_rate(0.1, 0.9, float("nan")), ValueError, r"lam must be finite, got nan"),
        (lambda: MT.momentum_rate(0.1, np.array([0.5, 1.5]), 1.0), ValueError, r"beta .* got 1.5"),
        (lambda: MT.momentum_rate("0.1", 0.9, 1.0), TypeError, r"alpha must be a real number"),
        (lambda: MT.momentum_rate(True, 0.9, 1.0), TypeError, r"alpha must be a real number .* got bool"),
        (lambda: MT.momentum_rate(0.1, 0.9, []), TypeError, r"lam must be a real number or a non-empty array"),
        (lambda: MT.momentum_matrix(0.1, 0.9, np.array([1.0, 2.0])), TypeError, r"lam must be a real number"),
        (lambda: MT.nesterov_matrix(0.1, 1.2, 1.0), ValueError, r"beta .* got 1.2"),
        (lambda: MT.gd_rate(float("inf"), 1.0), ValueError, r"alpha must be finite, got inf"),
        (lambda: MT.is_stable(0.1, 0.9, 1.0, nesterov="yes"), TypeError, r"nesterov must be True or False"),
        (lambda: MT.quadratic_rate(0.1, 0.9, [1.0, 25.0], nesterov=1), TypeError, r"nesterov must be True or False"),
        (lambda: MT.optimal_momentum(0.0, 10.0), ValueError, r"lam_min must be a positive finite float .* got 0.0"),
        (lambda: MT.optimal_momentum(10.0, 1.0), ValueError, r"lam_max must be >= lam_min"),
        (lambda: MT.optimal_gd(-1.0, 10.0), ValueError, r"lam_min must be a positive"),
        (lambda: MT.convert_learning_rate(0.1, 0.9, "ewma", "keras"), ValueError,
         r"target must be one of 'ewma', 'undamped', 'velocity', got 'keras'"),
        (lambda: MT.convert_learning_rate(0.1, 0.9, "EWMA", "velocity"), ValueError, r"source must be one of"),
        (lambda: MT.convert_learning_rate(-1.0, 0.9, "ewma", "velocity"), ValueError, r"alpha .* got -1.0"),
        (lambda: MT.iterations_needed(1.0), ValueError, r"rate must be in \[0, 1\) .* got 1.0"),
        (lambda: MT.iterations_needed(0.5, 0.0), ValueError, r"tolerance must be in \(0, 1\), got 0.0"),
        (lambda: MT.measured_rate(np.zeros(5), [0.0]), ValueError, r"trajectory must be a real array of shape"),
        (lambda: MT.measured_rate(np.ones((5, 2)), [0.0]), ValueError, r"minimum must be a real array of shape \(2,\)"),
        (lambda: MT.measured_rate(np.ones((5, 2)), [0.0, 0.0], tail=0.0), ValueError, r"tail must be in \(0, 1\]"),
        (lambda: MT.measured_rate(np.ones((5, 2)), [0.0, 0.0], floor=-1.0), ValueError, r"floor must be"),
        (lambda: MT.measured_rate(np.ones((3, 2)), [0.0, 0.0]), ValueError, r"too short to measure a rate"),
        (lambda: MT.measured_rate(np.ones((50, 2)), [1.0, 1.0]), ValueError, r"too short .* above the floor"),
    ],
)
def test_bad_input(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_inputs_are_not_modified():
    a, b = np.array([0.1, 0.2]), np.array([0.5, 0.9])
    trajectory = 0.5 ** np.arange(30)[:, None] * np.ones((1, 2))
    before = trajectory.copy()
    MT.momentum_rate(a, b, 1.0)
    MT.measured_rate(trajectory, np.zeros(2))
    assert a.tolist() == [0.1, 0.2] and b.tolist() == [0.5, 0.9]
    np.testing.assert_array_equal(trajectory, before)
