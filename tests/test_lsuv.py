"""Tests for lib/lsuv.py: unit output variance per Dense layer, orthogonal first step, nothing
written on failure, bad input."""

import numpy as np
import pytest

from lib.layers import ACTIVATIONS, Activation, Dense, Sequential
from lib.lsuv import lsuv_init


def _net(act="tanh", depth=6, width=32, seed=0):
    rng = np.random.default_rng(seed)
    return Sequential([Dense(width, act, kernel_initializer="random_normal", seed=rng) for _ in range(depth)]
                      + [Dense(4, seed=rng)])


def _variances(model, X):
    out, a = [], X
    for layer in model.layers:
        if isinstance(layer, Dense):
            z = a @ layer.params["kernel"] + layer.params["bias"]
            out.append(np.var(z))
            a = ACTIVATIONS[layer.activation][0](z)
        else:
            a = layer.call(a, False)
    return np.array(out)


@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("orthogonal", [True, False])
def test_every_dense_output_has_unit_variance_on_the_batch(act, orthogonal):
    X = np.random.default_rng(1).normal(size=(200, 16)) * 3 + 1
    model = _net(act)
    model.build(X)
    before = _variances(model, X)
    assert np.all(np.abs(before[1:] - 1) > 0.5)  # random_normal(0.05): far from unit variance
    report = lsuv_init(model, X, tol=0.01, orthogonal=orthogonal, seed=3)
    v = _variances(model, X)
    np.testing.assert_allclose(v, 1, atol=0.01)
    np.testing.assert_allclose(report.variance_after, v, rtol=1e-10)
    assert all(k >= 1 for k in report.iterations)


def test_orthogonal_step_then_scaling_keeps_orthogonal_directions():
    X = np.random.default_rng(2).normal(size=(300, 20))
    model = Sequential([Dense(20, "relu", seed=0), Activation("linear"), Dense(20, "relu", seed=1), Dense(3, seed=2)])
    lsuv_init(model, X, seed=0)
    W = model.layers[2].params["kernel"]
    c = (W.T @ W)[0, 0]
    np.testing.assert_allclose(W.T @ W, c * np.eye(20), atol=1e-10)  # a scaled orthogonal matrix


def test_zero_variance_raises_and_changes_nothing():
    X = np.zeros((10, 3))  # zero input and zero biases: every output is 0, its variance 0
    model = _net("tanh", depth=2, width=5)
    model.build(X)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="LSUV cannot rescale it"):
        lsuv_init(model, X)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"tol": 0.0}, ValueError, "tol must be a float in"),
    ({"max_iter": 0}, ValueError, "max_iter must be a positive integer"),
    ({"orthogonal": 1}, TypeError, "orthogonal must be True or False"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        lsuv_init(_net(), np.zeros((4, 3)) + np.arange(3), **kwargs)
    with pytest.raises(TypeError, match="model must be a lib.layers.Sequential"):
        lsuv_init([Dense(3)], np.zeros((4, 3)))
