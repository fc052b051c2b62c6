"""Tests for lib/ensembles.py: bootstrap draws (distinct fraction 1 − 1/e), averaging and voting
equal to scikit-learn's BaggingClassifier / VotingClassifier on shared estimators, tie-breaking,
accuracy by ensemble size, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import BaggingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from lib import ensembles as E
from lib.data import load_digits


def test_bootstrap_indices_shape_range_and_distinct_fraction():
    idx = E.bootstrap_indices(1000, 50, seed=0)
    assert idx.shape == (50, 1000) and idx.min() >= 0 and idx.max() < 1000
    distinct = np.mean([len(np.unique(row)) for row in idx]) / 1000
    assert distinct == pytest.approx(1 - (1 - 1 / 1000) ** 1000, abs=0.01)   # ≈ 1 − 1/e = 0.632
    np.testing.assert_array_equal(idx, E.bootstrap_indices(1000, 50, seed=0))


def test_bagging_with_sklearns_draws_equals_bagging_classifier():
    d = load_digits(seed=0)
    bag = BaggingClassifier(KNeighborsClassifier(3), n_estimators=7, random_state=1).fit(d.X_train, d.y_train)
    members = [KNeighborsClassifier(3).fit(d.X_train[i], d.y_train[i]) for i in bag.estimators_samples_]
    ours = E.average(np.stack([m.predict_proba(d.X_test) for m in members]))
    np.testing.assert_allclose(ours, bag.predict_proba(d.X_test), atol=1e-15)
    np.testing.assert_array_equal(ours.argmax(1), bag.predict(d.X_test))


@pytest.mark.parametrize("voting", ["hard", "soft"])
def test_vote_and_average_equal_voting_classifier(voting):
    d = load_digits(seed=0)
    est = [("knn", KNeighborsClassifier(1)), ("lr", LogisticRegression(max_iter=500)),
           ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)), ("knn7", KNeighborsClassifier(7))]
    vc = VotingClassifier(est, voting=voting).fit(d.X_train, d.y_train)
    probas = np.stack([m.predict_proba(d.X_test) for m in vc.estimators_])
    ours = E.vote(probas) if voting == "hard" else E.average(probas).argmax(1)
    np.testing.assert_array_equal(ours, vc.predict(d.X_test))


def test_vote_ties_go_to_the_smallest_class_and_majority_wins():
    p = np.zeros((4, 3, 3))
    # sample 0: votes 2, 1, 1, 2 → tie between 1 and 2 → 1;  sample 1: 0, 2, 2, 2 → 2;  sample 2: 2, 0, 1, 2 → 2
    for k, labels in enumerate([(2, 0, 2), (1, 2, 0), (1, 2, 1), (2, 2, 2)]):
        p[k, np.arange(3), labels] = 1.0
    np.testing.assert_array_equal(E.vote(p), [1, 2, 2])


def test_averaging_can_disagree_with_voting():
    # two unsure members vote class 0, one confident member says class 1: voting → 0, averaging → 1
    p = np.array([[[0.55, 0.45]], [[0.55, 0.45]], [[0.01, 0.99]]])
    assert E.vote(p)[0] == 0 and E.average(p).argmax(1)[0] == 1


@given(K=st.integers(1, 6), m=st.integers(1, 20), c=st.integers(2, 5), seed=st.integers(0, 1000))
@settings(max_examples=40, deadline=None)
def test_accuracy_by_size_first_entry_is_the_first_member(K, m, c, seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(c), size=(K, m))
    y = rng.integers(0, c, m)
    for method in ("average", "vote"):
        acc = E.accuracy_by_size(p, y, method=method)
        assert acc.shape == (K,)
        assert acc[0] == pytest.approx(np.mean(p[0].argmax(1) == y))
    assert E.accuracy_by_size(p, y, method="average")[-1] == pytest.approx(np.mean(p.mean(0).argmax(1) == y))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: E.bootstrap_indices(0, 3), ValueError, "n_samples"),
    (lambda: E.bootstrap_indices(10, 1.5), TypeError, "n_estimators"),
    (lambda: E.average(np.zeros((3, 4))), ValueError, "probas must have shape \\(K predictors"),
    (lambda: E.vote(np.full((2, 3, 2), np.nan)), ValueError, "probas"),
    (lambda: E.accuracy_by_size(np.ones((2, 3, 2)) / 2, [0, 1, 1], method="max"), ValueError, "method must be one of"),
    (lambda: E.accuracy_by_size(np.ones((2, 3, 2)) / 2, [0, 1, 2]), ValueError, "y"),
])
def test_bad_input_raises_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
