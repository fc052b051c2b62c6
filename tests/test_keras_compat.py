"""lib.keras_compat: the Keras side of the chapters' comparisons (trajectories on a landscape) and the
conversions' bookkeeping.  (Optimizer and schedule conversions are exercised in every parity test of
tests/test_optimizers.py and tests/test_schedules.py.)"""

import numpy as np
import pytest

from lib import optimizers as O
from lib.keras_compat import KERAS_STATE, keras_state_names, keras_trajectory, optimizer_from_keras
from lib.landscapes import quadratic, rosenbrock
from lib.runner import run


def test_keras_trajectory_equals_lib_for_sgd_with_momentum(keras):
    # float32-representable hyperparameters: Keras and lib then take bit-identical steps
    bowl = quadratic(10.0, rotation=0.4)
    path = keras_trajectory(keras.optimizers.SGD(learning_rate=2**-5, momentum=0.875), bowl, bowl.default_start, 100)
    assert path.shape == (101, 2) and path.dtype == np.float64
    np.testing.assert_array_equal(path, run(O.SGD(2**-5, momentum=0.875), bowl, bowl.default_start, 100))


@pytest.mark.parametrize("compiled", [False, True])
def test_keras_trajectory_matches_the_converted_adam(keras, compiled):
    banana = rosenbrock()
    keras_opt = keras.optimizers.Adam(learning_rate=2**-6, beta_1=0.875, beta_2=1 - 2**-9)
    ours = optimizer_from_keras(keras_opt)  # before Keras runs: a used optimizer would hand over its state
    path = keras_trajectory(keras_opt, banana, banana.default_start, 50, compiled=compiled)
    assert np.abs(path - run(ours, banana, banana.default_start, 50)).max() < 1e-12


def test_keras_trajectory_in_float32(keras):
    bowl = quadratic(10.0)
    path = keras_trajectory(keras.optimizers.SGD(0.05), bowl, bowl.default_start, 20, dtype=np.float32)
    assert path.dtype == np.float32
    np.testing.assert_allclose(path, run(O.SGD(0.05), bowl, bowl.default_start.astype(np.float32), 20), rtol=1e-5)


def test_keras_trajectory_rejects_bad_input(keras):
    with pytest.raises(ValueError, match="steps must be a non-negative integer, got -1"):
        keras_trajectory(keras.optimizers.SGD(0.1), quadratic(), np.zeros(2), -1)
    with pytest.raises(TypeError, match="keras_optimizer must be"):
        keras_trajectory(O.Adam(), quadratic(), np.zeros(2), 1)


def test_keras_state_names_cover_every_state_array(keras):
    """Each of our state arrays has a Keras variable, and that attribute exists on the built Keras optimizer."""
    for ours, theirs in [(O.SGD(momentum=0.5), keras.optimizers.SGD(momentum=0.5)),
                         (O.Adagrad(), keras.optimizers.Adagrad()),
                         (O.RMSprop(momentum=0.5, centered=True), keras.optimizers.RMSprop(momentum=0.5, centered=True)),
                         (O.Adadelta(), keras.optimizers.Adadelta()),
                         (O.Adam(amsgrad=True), keras.optimizers.Adam(amsgrad=True)),
                         (O.AdamW(), keras.optimizers.AdamW()),
                         (O.Nadam(), keras.optimizers.Nadam())]:
        ours.build([np.zeros(3)])
        theirs.build([keras.Variable(np.zeros(3))])
        names = keras_state_names(ours)
        assert set(ours.state) <= set(names), type(ours).__name__
        for name in ours.state:
            assert hasattr(theirs, names[name]), (type(ours).__name__, name)
    assert keras_state_names(O.AdamW()) is KERAS_STATE[O.Adam]
    assert keras_state_names(O.Momentum()) == {}  # no Keras class keeps an EWMA of gradients
