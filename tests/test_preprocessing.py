"""Tests for lib/preprocessing.py: equal to scikit-learn's StandardScaler, MinMaxScaler and
OneHotEncoder on real and random data, fitted statistics reused on other splits, dtype, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import preprocessing as skp
from sklearn.datasets import load_breast_cancer, load_wine

from lib.datasets_tabular import load_penguins
from lib.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler, min_max_scale, one_hot, standardize


def _real_sets():
    p = load_penguins()
    return {"penguins": p.numeric, "breast_cancer": load_breast_cancer().data, "wine": load_wine().data}


@pytest.mark.parametrize("name", ["penguins", "breast_cancer", "wine"])
@pytest.mark.parametrize("ours, theirs", [(StandardScaler, skp.StandardScaler), (MinMaxScaler, skp.MinMaxScaler)])
def test_scalers_equal_scikit_learn_fitted_on_train_applied_to_test(name, ours, theirs):
    X = _real_sets()[name]
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(X))
    train, test = X[idx[: len(X) * 2 // 3]], X[idx[len(X) * 2 // 3:]]
    a, b = ours().fit(train), theirs().fit(train)
    np.testing.assert_allclose(a.transform(test), b.transform(test), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.fit_transform(train), b.fit_transform(train), rtol=1e-12, atol=1e-12)


def test_standard_scaler_statistics_are_the_training_mean_and_population_std():
    X = np.array([[1.0, 10.0], [2.0, 30.0], [6.0, 20.0]])
    s = StandardScaler().fit(X)
    np.testing.assert_allclose(s.mean_, [3.0, 20.0])
    np.testing.assert_allclose(s.scale_, [np.sqrt(14 / 3), np.sqrt(200 / 3)])  # ddof = 0, by hand
    Z = s.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-14)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-14)
    # a test row is transformed with the *training* statistics
    np.testing.assert_allclose(s.transform([[3.0, 20.0 + np.sqrt(200 / 3)]]), [[0.0, 1.0]], atol=1e-15)


def test_min_max_scaler_maps_training_range_to_unit_interval_and_does_not_clip_other_data():
    X = np.array([[1.0, -2.0], [3.0, 2.0], [2.0, 0.0]])
    s = MinMaxScaler().fit(X)
    np.testing.assert_allclose(s.transform(X), [[0, 0], [1, 1], [0.5, 0.5]])
    np.testing.assert_allclose(s.transform([[5.0, -4.0]]), [[2.0, -0.5]])


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 12), st.integers(1, 4)), elements=st.integers(-10**6, 10**6)))
def test_scalers_match_scikit_learn_on_random_data_including_constant_columns(X):
    X = X / 1000.0  # values in [-1000, 1000] with 3 decimals (denormal-size variances are out of scope)
    X = np.concatenate([X, np.full((len(X), 1), 7.25)], axis=1)  # always one constant feature
    np.testing.assert_allclose(StandardScaler().fit_transform(X), skp.StandardScaler().fit_transform(X),
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(MinMaxScaler().fit_transform(X), skp.MinMaxScaler().fit_transform(X),
                               rtol=1e-9, atol=1e-9)


def test_dtype_in_is_dtype_out_and_kernels_are_the_equations():
    X = np.arange(12, dtype=np.float32).reshape(4, 3) ** 1.5
    for scaler in (StandardScaler(), MinMaxScaler()):
        assert scaler.fit_transform(X).dtype == np.float32
    assert StandardScaler().fit_transform(X.astype(int)).dtype == np.float64
    mu, sd = np.array([1.0, 2.0]), np.array([2.0, 4.0])
    np.testing.assert_array_equal(standardize(np.array([[3.0, 10.0]]), mu, sd), [[1.0, 2.0]])
    np.testing.assert_array_equal(min_max_scale(np.array([[3.0, 10.0]]), mu, np.array([5.0, 2.0])), [[0.5, 8.0]])
    np.testing.assert_array_equal(one_hot(np.array([2, 0, -1]), 3), [[0, 0, 1], [1, 0, 0], [0, 0, 0]])


def test_scalers_do_not_change_the_callers_data():
    X = np.array([[1.0, 2.0], [3.0, 5.0]])
    before = X.copy()
    StandardScaler().fit(X).transform(X)
    MinMaxScaler().fit(X).transform(X)
    np.testing.assert_array_equal(X, before)


def test_one_hot_equals_scikit_learn_on_the_penguins_nominal_columns():
    p = load_penguins(dropna=False)
    ours, theirs = OneHotEncoder(), skp.OneHotEncoder(sparse_output=False)
    np.testing.assert_array_equal(ours.fit_transform(p.nominal), theirs.fit_transform(p.nominal))
    for a, b in zip(ours.categories_, theirs.categories_):
        np.testing.assert_array_equal(a, b)
    assert ours.get_feature_names_out(p.nominal_names) == list(theirs.get_feature_names_out(p.nominal_names))


def test_one_hot_with_the_lectures_categories_encodes_its_sample_as_printed():
    # lecture §5.2.1: (1.755, 65.5, 122, 남, 소양인) → (1.755, 65.5, 122, [1, 0], [0, 0, 1, 0])
    cats = [["남", "여"], ["태양인", "태음인", "소양인", "소음인"]]
    enc = OneHotEncoder(categories=cats).fit([["남", "태양인"]])
    np.testing.assert_array_equal(enc.transform([["남", "소양인"]]), [[1, 0, 0, 0, 1, 0]])
    sk = skp.OneHotEncoder(categories=cats, sparse_output=False).fit([["남", "태양인"]])
    X = [["여", "소음인"], ["남", "태음인"], ["남", "소양인"]]
    np.testing.assert_array_equal(enc.transform(X), sk.transform(X))


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 15), st.integers(1, 3)), elements=st.integers(-3, 3)))
def test_one_hot_matches_scikit_learn_on_random_integer_codes_and_has_one_bit_per_column(X):
    ours = OneHotEncoder().fit_transform(X)
    np.testing.assert_array_equal(ours, skp.OneHotEncoder(sparse_output=False).fit_transform(X))
    np.testing.assert_array_equal(ours.sum(axis=1), X.shape[1])


def test_one_hot_unknown_values_error_or_zeros():
    enc = OneHotEncoder().fit([["a"], ["b"]])
    with pytest.raises(ValueError, match=r"X\[:, 0\] holds the value 'c', not seen in fit"):
        enc.transform([["c"]])
    ign = OneHotEncoder(handle_unknown="ignore").fit([["a"], ["b"]])
    np.testing.assert_array_equal(ign.transform([["c"], ["b"]]), [[0, 0], [0, 1]])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: StandardScaler().transform([[1.0]]), ValueError, "not fitted yet"),
    (lambda: StandardScaler().fit([1.0, 2.0]), ValueError, "X must be 2-D"),
    (lambda: StandardScaler().fit(np.zeros((0, 2))), ValueError, "at least one sample"),
    (lambda: StandardScaler().fit([[1.0], [np.nan]]), ValueError, "finite"),
    (lambda: MinMaxScaler().fit([["a"]]), TypeError, "X must be a 2-D array of real numbers"),
    (lambda: MinMaxScaler().fit([[1.0, 2.0]]).transform([[1.0]]), ValueError, "must have 2 features"),
    (lambda: OneHotEncoder(handle_unknown="skip"), ValueError, "handle_unknown must be one of"),
    (lambda: OneHotEncoder().transform([["a"]]), ValueError, "not fitted yet"),
    (lambda: OneHotEncoder().fit([["a"]]).transform([["a", "b"]]), ValueError, "must have 1 columns"),
    (lambda: OneHotEncoder(categories=[["a", "a"]]), ValueError, "distinct"),
    (lambda: OneHotEncoder(categories=[["a"]]).fit([["a", "b"]]), ValueError, "categories must list 2"),
])
def test_bad_input_is_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
