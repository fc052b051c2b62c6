"""lib.notebook: the set-up every chapter runs, and the Keras side of the chapters' comparisons."""

import numpy as np
import pytest

from lib.landscapes import quadratic, rosenbrock
from lib.notebook import keras_trajectory, setup_notebook
from lib.optimizers import SGD, Adam, from_keras
from lib.runner import run


def test_keras_trajectory_equals_lib_for_sgd_with_momentum(keras):
    # float32-representable hyperparameters: Keras and lib then take bit-identical steps
    bowl = quadratic(10.0, rotation=0.4)
    path = keras_trajectory(keras.optimizers.SGD(learning_rate=2**-5, momentum=0.875), bowl, bowl.default_start, 100)
    assert path.shape == (101, 2) and path.dtype == np.float64
    np.testing.assert_array_equal(path, run(SGD(2**-5, momentum=0.875), bowl, bowl.default_start, 100))


@pytest.mark.parametrize("compiled", [False, True])
def test_keras_trajectory_matches_from_keras_adam(keras, compiled):
    banana = rosenbrock()
    keras_opt = keras.optimizers.Adam(learning_rate=2**-6, beta_1=0.875, beta_2=1 - 2**-9)
    ours = from_keras(keras_opt)  # before Keras runs: a used optimizer would hand over its state
    path = keras_trajectory(keras_opt, banana, banana.default_start, 50, compiled=compiled)
    assert np.abs(path - run(ours, banana, banana.default_start, 50)).max() < 1e-12


def test_keras_trajectory_in_float32(keras):
    bowl = quadratic(10.0)
    path = keras_trajectory(keras.optimizers.SGD(0.05), bowl, bowl.default_start, 20, dtype=np.float32)
    assert path.dtype == np.float32
    np.testing.assert_allclose(path, run(SGD(0.05), bowl, bowl.default_start.astype(np.float32), 20), rtol=1e-5)


def test_keras_trajectory_rejects_bad_input(keras):
    with pytest.raises(ValueError, match="steps must be a non-negative integer"):
        keras_trajectory(keras.optimizers.SGD(0.1), quadratic(), np.zeros(2), -1)
    with pytest.raises(TypeError, match="keras_optimizer must be"):
        keras_trajectory(Adam(), quadratic(), np.zeros(2), 1)


def test_setup_notebook_rejects_a_bad_seed():
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        setup_notebook(seed=-1)
