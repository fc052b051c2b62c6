"""lib.exercises: every checker passes the lib reference and fails every classic mistake it lists.

A checker that passed a mistake would tell a reader their wrong code is right; one that failed the
reference would be unusable.  Both directions are tested for every checker and every convention
(ε placement, momentum form), plus what the report says (the failing case, the size of the error,
the mistake recognised) and that a reader's exception or warning never escapes the checker.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lib.exercises as E
from lib.regularizers import soft_threshold

# checker → (how to call it, the reference it must pass, the key of its mistakes in E.MISTAKES)
CHECKERS = {
    "numerical_gradient": (E.check_numerical_gradient, E._numgrad_reference),
    "gradient_descent_step": (E.check_gradient_descent_step, E._gd_reference),
    "softmax_cross_entropy": (E.check_softmax_cross_entropy, E.softmax_cross_entropy),
    "minibatches": (E.check_minibatches, E._mb_reference),
    "ewma": (E.check_ewma, E._ewma_reference),
    "inverse_time_decay": (E.check_inverse_time_decay, E._itd_reference),
    "standardize": (E.check_standardize, E._std_reference),
    "he_init": (E.check_he_init, E._he_reference),
    "batchnorm_backward": (E.check_batchnorm_backward, E._bn_reference),
    "l2_step": (E.check_l2_step, E._l2_reference),
    "soft_threshold": (E.check_soft_threshold, soft_threshold),
    "log_uniform": (E.check_log_uniform, E._log_uniform_reference),
    "two_loop_recursion": (E.check_two_loop_recursion, E.two_loop_recursion),
}
for _form in ("ewma", "undamped", "velocity"):
    CHECKERS[f"momentum_update[{_form}]"] = (
        lambda fn, _f=_form, **kw: E.check_momentum_update(fn, _f, **kw), E._momentum_reference(_form))
for _p in ("outside", "inside"):
    CHECKERS[f"adagrad_update[{_p}]"] = (
        lambda fn, _q=_p, **kw: E.check_adagrad_update(fn, _q, **kw), E._adagrad_reference(_p))
    CHECKERS[f"rmsprop_update[{_p}]"] = (
        lambda fn, _q=_p, **kw: E.check_rmsprop_update(fn, _q, **kw), E._rmsprop_reference(_p))
for _p in ("outside", "hat", "inside"):
    CHECKERS[f"adam_update[{_p}]"] = (lambda fn, _q=_p, **kw: E.check_adam_update(fn, _q, **kw), E._adam_reference(_p))

MISTAKE_CASES = [(key, name) for key in CHECKERS for name in E.MISTAKES[key]]


def test_every_public_checker_is_tested():
    tested = {key.split("[")[0] for key in CHECKERS} | {"dropout"}
    public = {name.removeprefix("check_") for name in E.__all__ if name.startswith("check_")}
    assert public == tested
    assert set(E.MISTAKES) == set(CHECKERS) | {"dropout"}


@pytest.mark.parametrize("key", list(CHECKERS))
def test_reference_passes(key, capsys):
    check, reference = CHECKERS[key]
    result = check(reference)
    assert result and result.passed and not result.failures
    out = capsys.readouterr().out
    assert f"all {result.n_cases} cases pass ✓" in out and "✗" not in out


@pytest.mark.parametrize(("key", "mistake"), MISTAKE_CASES, ids=[f"{k}: {m[:40]}" for k, m in MISTAKE_CASES])
def test_classic_mistake_fails(key, mistake):
    check, _ = CHECKERS[key]
    result = check(E.MISTAKES[key][mistake], verbose=False)
    assert not result and result.failures


def test_dropout_reference_passes_and_mistakes_fail():
    forward, backward = E._dropout_reference()
    assert E.check_dropout(forward, backward, verbose=False)
    for name, (f, b) in E.MISTAKES["dropout"].items():
        assert not E.check_dropout(f, b, verbose=False), name


@pytest.mark.parametrize("form", ["ewma", "undamped", "velocity"])
def test_the_momentum_forms_tell_each_other_apart(form):
    for other in {"ewma", "undamped", "velocity"} - {form}:
        assert not E.check_momentum_update(E._momentum_reference(other), form, verbose=False)


@pytest.mark.parametrize("placement", ["outside", "hat", "inside"])
def test_adam_placements_tell_each_other_apart(placement):
    for other in {"outside", "hat", "inside"} - {placement}:
        result = E.check_adam_update(E._adam_reference(other), placement, verbose=False)
        # only the ε = 0.1 case (and for "inside", also tiny gradients) separates them; it must fail
        assert not result and any("ε = 0.1" in f for f in result.failures)


def test_report_names_case_size_and_mistake(capsys):
    result = E.check_adam_update(E._adam_no_correction)
    out = capsys.readouterr().out
    assert not result
    assert "3 of 3 cases FAIL" in out
    assert "the first step, t = 1" in out
    # the uncorrected first step is α(1 − β₁)/√(1 − β₂)·sign(g) = 3.162α instead of α
    # (α = 0.01, g = −2 at w = 1: 1.0316 instead of 1.01)
    assert "w after step 1 is off by 0.0216" in out and "it should be 1.01, you returned 1.03162" in out
    assert "this is exactly what you get if you leave out the bias correction" in out


def test_rmsprop_report_recognises_epsilon_inside(capsys):
    E.check_rmsprop_update(E._rmsprop_reference("inside"))
    out = capsys.readouterr().out
    assert "✗ gradients of 0.01 and ε = 0.1" in out  # the case made to tell the placements apart
    assert "put ε inside the square root" in out


def test_a_readers_exception_is_a_failed_case_not_an_error(capsys):
    def broken(w, g, v, s, t, **kw):
        raise ZeroDivisionError("oops")

    result = E.check_adam_update(broken)
    assert not result
    assert "your function raised ZeroDivisionError: oops" in capsys.readouterr().out


def test_wrong_return_shape_and_type_are_explained():
    result = E.check_numerical_gradient(lambda f, w, h: 1.0, verbose=False)
    assert any("has shape ()" in f and "should have shape (2,)" in f for f in result.failures)
    result = E.check_adam_update(lambda w, g, v, s, t, **kw: w, verbose=False)
    assert any("should return the tuple (w, v, s)" in f for f in result.failures)


def test_overflow_in_readers_code_gives_no_warning_and_is_reported():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = E.check_softmax_cross_entropy(E._sce_naive, verbose=False)
    assert len(result.failures) == 1 and "±1000" in result.failures[0] and "overflow" in result.failures[0]


def test_a_non_function_is_reported():
    assert not E.check_ewma(None, verbose=False)


def test_checker_does_not_let_in_place_updates_leak_between_cases():
    # an update that works in place and returns its arguments is as good as a pure one
    def in_place(w, g, v, s, t, *, learning_rate, beta_1, beta_2, epsilon):
        v *= beta_1
        v += (1 - beta_1) * g
        s *= beta_2
        s += (1 - beta_2) * g * g
        w -= learning_rate * (v / (1 - beta_1**t)) / (np.sqrt(s / (1 - beta_2**t)) + epsilon)
        return w, v, s

    assert E.check_adam_update(in_place, verbose=False)


def test_unknown_convention_is_a_clear_error():
    with pytest.raises(ValueError, match="form must be one of"):
        E.check_momentum_update(E._momentum_reference("ewma"), "nesterov")
    with pytest.raises(ValueError, match="epsilon_placement must be one of"):
        E.check_adam_update(E._adam_reference("outside"), "hat-inside")


# ----------------------------------------------------------------------------------------------
# the chapters' exercises (scripts/add_exercise.py): template fails, solution passes, mistake fails
# ----------------------------------------------------------------------------------------------
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import add_exercise  # noqa: E402


@pytest.mark.parametrize("chapter", sorted(add_exercise.CH))
def test_chapter_exercise_cells(chapter, capsys):
    cells = add_exercise.CH[chapter]
    assert [c.cell_type for c in cells] == ["markdown", "code", "markdown", "code", "markdown", "code", "markdown"]
    label = cells[0].source.split(":label: ")[1].split()[0]
    assert label.endswith("-implement") and f"{{solution-start}} {label}" in cells[2].source
    namespace: dict = {}
    exec("import math\nimport numpy as np", namespace)
    exec(cells[1].source, namespace)  # the reader's template: runs, and its checker reports failures
    assert "result" in namespace and not namespace["result"]
    assert "raised NotImplementedError" in capsys.readouterr().out
    solution, mistake = cells[3].source, cells[5].source
    assert "assert check_" in solution and "assert not check_" in mistake
    exec(solution, namespace)  # its asserts: the solution passes its checker …
    exec(mistake, namespace)  # … and the classic mistake fails it
    out = capsys.readouterr().out
    assert "all" in out and "pass ✓" in out and "FAIL" in out


def test_chapters_hold_the_exercise_as_the_script_writes_it():
    book = Path(__file__).resolve().parents[1] / "book"
    for chapter, cells in add_exercise.CH.items():
        paths = list(book.glob(f"{chapter}_*.ipynb"))
        if not paths:
            continue  # a chapter being written
        nb = nbformat.read(paths[0], as_version=4)
        label = cells[0].source.split(":label: ")[1].split()[0]
        starts = [i for i, c in enumerate(nb.cells) if f":label: {label}" in c.source]
        if not starts:
            continue  # not added yet (chapters 1, 4, 5, 7 and 10-13: the coordinator adds them)
        assert [c.source for c in nb.cells[starts[0]:starts[0] + 7]] == [c.source for c in cells], paths[0].name
