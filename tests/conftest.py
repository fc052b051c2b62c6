"""Shared fixtures: TensorFlow (imported quietly, once) for the parity tests; they skip where it is not installed."""

import pytest

from lib.notebook import import_tensorflow, limit_blas_threads

limit_blas_threads()  # two test workers share two cores: no BLAS thread oversubscription


@pytest.fixture(scope="session")
def tf():
    """The ``tensorflow`` module, imported with its start-up logs silenced (tests using it skip without it)."""
    pytest.importorskip("tensorflow")
    return import_tensorflow()


@pytest.fixture(scope="session")
def keras(tf):
    """``tf.keras`` (Keras 3), the reference implementation the tests compare ``lib`` with."""
    return tf.keras
