"""Tests for lib/data.py: mini-batches partition the data, the digits split, two moons, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.data import Dataset, iterate_minibatches, load_digits, make_moons, minibatches, train_val_test_split


# ------------------------------------------------------------------------------------------------
# minibatches
# ------------------------------------------------------------------------------------------------
@settings(max_examples=80, deadline=None)
@given(m=st.integers(1, 60), batch_size=st.integers(1, 70), seed=st.integers(0, 2**32 - 1), shuffle=st.booleans())
def test_minibatches_partition_the_data_exactly_once_per_epoch(m, batch_size, seed, shuffle):
    X = np.arange(m * 2, dtype=float).reshape(m, 2)
    y = np.arange(m)
    batches = list(minibatches(X, y, batch_size, shuffle=shuffle, seed=seed))
    # ceil(m / batch_size) batches, all full except possibly the last, which is kept
    assert len(batches) == -(-m // batch_size)
    sizes = [len(yb) for _, yb in batches]
    assert all(s == batch_size for s in sizes[:-1])
    assert sizes[-1] == m - batch_size * (len(batches) - 1)
    # every sample exactly once, rows of X still paired with their labels
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), y)
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb, X[yb])
    if not shuffle:
        np.testing.assert_array_equal(seen, y)


def test_minibatches_shuffle_is_reproducible_and_a_generator_gives_new_orders_each_epoch():
    X, y = np.zeros((50, 3)), np.arange(50)
    order = lambda seed: np.concatenate([yb for _, yb in minibatches(X, y, 8, seed=seed)])  # noqa: E731
    np.testing.assert_array_equal(order(3), order(3))
    assert not np.array_equal(order(3), order(4))
    assert not np.array_equal(order(3), y)  # it is shuffled (P(identity) = 1/50!)
    rng = np.random.default_rng(3)
    first, second = order(rng), order(rng)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, order(3))  # default_rng(3) drawn once == seed 3
    rng2 = np.random.default_rng(3)
    np.testing.assert_array_equal([order(rng2), order(rng2)], [first, second])


def test_minibatches_is_its_kernel_after_the_checks():
    """minibatches(seed=s) yields exactly iterate_minibatches(rng=default_rng(s)) (the code chapter 3 shows)."""
    X, y = np.arange(46.0).reshape(23, 2), np.arange(23)
    for seed, shuffle in [(3, True), (None, False)]:
        rng = np.random.default_rng(seed) if shuffle else None
        ours = list(minibatches(X, y, 5, shuffle=shuffle, seed=seed))
        kernel = list(iterate_minibatches(X, y, 5, rng))
        assert len(ours) == len(kernel) == 5
        for (xa, ya), (xb, yb) in zip(ours, kernel):
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)


def test_minibatches_is_a_generator_and_checks_arguments_before_iteration():
    gen = minibatches(np.zeros((5, 2)), np.zeros(5), 2, shuffle=False)
    assert iter(gen) is gen
    Xb, yb = next(gen)
    assert Xb.shape == (2, 2) and yb.shape == (2,)
    with pytest.raises(ValueError):  # raised at the call, not at the first next()
        minibatches(np.zeros((5, 2)), np.zeros(4), 2)


@pytest.mark.parametrize("batch_size,exc,match", [
    (0, ValueError, "batch_size must be a positive integer, got 0"),
    (-3, ValueError, "batch_size must be a positive integer, got -3"),
    (2.0, TypeError, "batch_size must be a positive integer, got float: 2.0"),
    (True, TypeError, "batch_size must be a positive integer, got bool: True"),
    ("8", TypeError, "batch_size must be a positive integer, got str: '8'"),
])
def test_minibatches_bad_batch_size(batch_size, exc, match):
    with pytest.raises(exc, match=match):
        minibatches(np.zeros((5, 2)), np.zeros(5), batch_size)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(X=np.zeros((5, 2)), y=np.zeros(4)), ValueError, r"same number of samples, got len\(X\)=5 and len\(y\)=4"),
    (dict(X=3.0, y=np.zeros(4)), ValueError, "X must have one row per sample"),
    (dict(X=np.zeros((5, 2)), y=np.zeros(5), seed=-1), ValueError, "seed must be a non-negative integer, got -1"),
    (dict(X=np.zeros((5, 2)), y=np.zeros(5), seed=1.5), TypeError, "seed must be a non-negative integer"),
    (dict(X=np.zeros((5, 2)), y=np.zeros(5), shuffle="yes"), TypeError, "shuffle must be True or False"),
])
def test_minibatches_bad_input(kwargs, exc, match):
    X, y = kwargs.pop("X"), kwargs.pop("y")
    with pytest.raises(exc, match=match):
        minibatches(X, y, 2, **kwargs)


# ------------------------------------------------------------------------------------------------
# load_digits
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_load_digits_shapes_dtypes_and_scaling(digits):
    from sklearn.datasets import load_digits as sk_load_digits

    assert isinstance(digits, Dataset)
    # 1,797 images: 60 / 20 / 20 -> 1,077 / 360 / 360
    assert (len(digits.y_train), len(digits.y_val), len(digits.y_test)) == (1077, 360, 360)
    for X, y in [(digits.X_train, digits.y_train), (digits.X_val, digits.y_val), (digits.X_test, digits.y_test)]:
        assert X.dtype == np.float64 and y.dtype == np.int64
        assert X.shape[1] == 64
        assert X.min() == 0.0 and X.max() == 1.0
        np.testing.assert_array_equal(X * 16, np.round(X * 16))  # pixel / 16, pixels are 0..16
    assert digits.n_features == 64 and digits.n_classes == 10
    # together the three parts are exactly scikit-learn's data set (as multisets of (image, label) rows)
    sk = sk_load_digits()
    ours = np.vstack([np.column_stack([X * 16, y]) for X, y in [
        (digits.X_train, digits.y_train), (digits.X_val, digits.y_val), (digits.X_test, digits.y_test)]])
    theirs = np.column_stack([sk.data, sk.target])
    np.testing.assert_array_equal(ours[np.lexsort(ours.T)], theirs[np.lexsort(theirs.T)])


def test_load_digits_split_is_stratified(digits):
    whole = np.bincount(np.concatenate([digits.y_train, digits.y_val, digits.y_test])) / 1797
    for y in (digits.y_train, digits.y_val, digits.y_test):
        # each class within one sample of its share of the whole data set
        np.testing.assert_array_less(np.abs(np.bincount(y, minlength=10) - whole * len(y)), 1.0 + 1e-9)


def test_load_digits_seed_fixes_the_split(digits):
    again = load_digits(seed=0)
    other = load_digits(seed=1)
    np.testing.assert_array_equal(again.X_train, digits.X_train)
    np.testing.assert_array_equal(again.y_test, digits.y_test)
    assert not np.array_equal(other.X_train, digits.X_train)
    assert "X_train=(1077, 64)" in repr(digits)


@pytest.mark.parametrize("seed,exc", [(-1, ValueError), (0.5, TypeError), (None, TypeError)])
def test_load_digits_bad_seed(seed, exc):
    with pytest.raises(exc, match="seed must be a non-negative integer"):
        load_digits(seed=seed)


# ------------------------------------------------------------------------------------------------
# train_val_test_split and make_moons
# ------------------------------------------------------------------------------------------------
def test_train_val_test_split_fractions_and_disjointness():
    X = np.arange(200, dtype=np.float32).reshape(100, 2)
    y = np.repeat([0, 1], 50)
    d = train_val_test_split(X, y, val_fraction=0.1, test_fraction=0.3, seed=5)
    assert (len(d.y_train), len(d.y_val), len(d.y_test)) == (60, 10, 30)
    assert d.X_train.dtype == np.float32 and d.y_train.dtype == np.int64
    ids = np.concatenate([d.X_train[:, 0], d.X_val[:, 0], d.X_test[:, 0]])
    np.testing.assert_array_equal(np.sort(ids), X[:, 0])


@pytest.mark.parametrize("kwargs,match", [
    (dict(val_fraction=0.0), r"val_fraction must be a number in \(0, 1\), got 0.0"),
    (dict(test_fraction=1.5), r"test_fraction must be a number in \(0, 1\), got 1.5"),
    (dict(val_fraction=0.5, test_fraction=0.5), "val_fraction \\+ test_fraction must be < 1"),
])
def test_train_val_test_split_bad_fractions(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_val_test_split(np.zeros((20, 2)), np.repeat([0, 1], 10), **kwargs)


def test_make_moons_wraps_sklearn():
    from sklearn.datasets import make_moons as sk_make_moons

    X, y = make_moons(n_samples=101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    X_sk, y_sk = sk_make_moons(n_samples=101, noise=0.1, random_state=3)
    np.testing.assert_array_equal(X, X_sk)
    np.testing.assert_array_equal(y, y_sk)
    X0, y0 = make_moons(n_samples=50, noise=0.0, seed=0)
    # without noise each moon is a unit half circle: class 0 centred at (0, 0), class 1 at (1, 0.5)
    centre = np.where(y0[:, None] == 0, [0.0, 0.0], [1.0, 0.5])
    np.testing.assert_allclose(np.hypot(*(X0 - centre).T), 1.0, atol=1e-12)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(n_samples=1), ValueError, "n_samples must be an integer >= 2, got 1"),
    (dict(n_samples=10.0), TypeError, "n_samples must be an integer >= 2, got 10.0"),
    (dict(noise=-0.1), ValueError, "noise must be a non-negative finite number, got -0.1"),
    (dict(seed=-2), ValueError, "seed must be a non-negative integer, got -2"),
])
def test_make_moons_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_moons(**kwargs)


# --- Seattle temperatures (lib/data/seattle_weather.csv, NOAA via vega_datasets 0.9.0) -------------

def test_seattle_temperatures_are_the_shipped_noaa_series():
    from lib.data import load_seattle_temperatures

    s = load_seattle_temperatures()
    assert len(s) == 1461  # 2012 (leap) + 2013 + 2014 + 2015 = 366 + 365 + 365 + 365 days
    assert s.dates[0] == np.datetime64("2012-01-01") and s.dates[-1] == np.datetime64("2015-12-31")
    assert np.all(np.diff(s.dates).astype(int) == 1)  # consecutive days, none missing
    # first and last rows of the original vega_datasets file: 2012/01/01 12.8 5.0; 2015/12/31 5.6 -2.1
    assert (s.temp_max[0], s.temp_min[0], s.temp_max[-1], s.temp_min[-1]) == (12.8, 5.0, 5.6, -2.1)
    assert np.all(s.temp_min <= s.temp_max)
    np.testing.assert_allclose(s.temp_mean[0], 8.9)


def test_seattle_temperatures_one_year():
    from lib.data import load_seattle_temperatures

    s = load_seattle_temperatures()
    assert len(s.year(2012)) == 366 and len(s.year(2013)) == 365
    with pytest.raises(ValueError, match="year must be one of"):
        s.year(1999)
    with pytest.raises(TypeError, match="year must be an integer"):
        s.year("2012")
