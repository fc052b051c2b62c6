"""lib.plotting: the style, the book-wide colours, contour/trajectory/curve plots (Agg backend), bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from lib import landscapes  # noqa: E402
from lib.plotting import (  # noqa: E402
    METHOD_COLORS,
    PALETTE,
    method_color,
    plot_contours,
    plot_curves,
    plot_trajectories,
    use_book_style,
)
from lib.runner import run  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    use_book_style()
    yield
    plt.close("all")


def contour_set(ax) -> ContourSet:
    (cs,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    return cs


def lines_by_label(ax) -> dict:
    return {line.get_label(): line for line in ax.get_lines()}


def test_style_and_method_colors():
    assert matplotlib.rcParams["axes.grid"] is True
    assert method_color("Adam") == METHOD_COLORS["Adam"]
    assert method_color("no such method") == "#777777"
    assert len(set(PALETTE)) == len(PALETTE)
    with pytest.raises(TypeError, match="name must be a str"):
        method_color(3)


def test_every_method_has_its_own_colour():
    # "SGD" is another name for "GD"; every other method has a colour no other method has
    distinct = {name: color.lower() for name, color in METHOD_COLORS.items() if name != "SGD"}
    assert METHOD_COLORS["SGD"] == METHOD_COLORS["GD"]
    assert len(set(distinct.values())) == len(distinct), distinct
    for name in ("Newton", "CG", "BFGS", "L-BFGS"):  # the second-order methods of chapter 14
        assert method_color(name) == METHOD_COLORS[name] != "#777777"


def test_plot_contours_draws_log_spaced_levels_above_the_minimum_and_marks_it():
    L = landscapes.lecture_quadratic()
    ax = plot_contours(L, levels=12)
    levels = contour_set(ax).levels - L.f_min
    assert len(levels) == 12
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # geometric spacing
    assert ratios[0] > 1
    star = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert len(star) == 1
    np.testing.assert_array_equal(np.ravel(star[0].get_xydata()), L.minimum)
    assert ax.get_xlim() == L.bounds[0] and ax.get_ylim() == L.bounds[1]
    assert ax.get_xlabel() == "$w_1$" and ax.get_ylabel() == "$w_2$"


def test_plot_contours_uses_linear_levels_without_a_minimum_or_when_asked():
    ax = plot_contours(landscapes.saddle(), levels=10)
    np.testing.assert_allclose(np.diff(contour_set(ax).levels), np.diff(contour_set(ax).levels)[0], rtol=1e-9)
    assert not [line for line in ax.get_lines() if line.get_marker() == "*"]  # no minimum to mark
    ax = plot_contours(landscapes.rosenbrock(), levels=10, log=False, xlim=(-1, 1), ylim=(0, 2))
    np.testing.assert_allclose(np.diff(contour_set(ax).levels), np.diff(contour_set(ax).levels)[0], rtol=1e-9)
    assert ax.get_xlim() == (-1.0, 1.0) and ax.get_ylim() == (0.0, 2.0)


def test_plot_trajectories_draws_each_path_in_its_method_colour():
    L = landscapes.lecture_quadratic()
    paths = {
        "GD": run(lambda w, g: w - 0.2 * g, L, L.default_start, 10),
        "Adam": run(lambda w, g: w - 0.05 * np.sign(g), L, L.default_start, 10),
        "α = 0.1": run(lambda w, g: w - 0.1 * g, L, L.default_start, 10),
        "α = 0.01": run(lambda w, g: w - 0.01 * g, L, L.default_start, 10),
    }
    fig, ax = plt.subplots()
    assert plot_trajectories(L, paths, ax) is ax
    lines = lines_by_label(ax)
    for name, path in paths.items():
        np.testing.assert_array_equal(lines[name].get_xydata(), path)
    assert to_hex(lines["GD"].get_color()) == METHOD_COLORS["GD"].lower()
    assert to_hex(lines["Adam"].get_color()) == METHOD_COLORS["Adam"].lower()
    others = [to_hex(lines[n].get_color()) for n in ("α = 0.1", "α = 0.01")]
    assert others == [c.lower() for c in PALETTE if c != METHOD_COLORS["Adam"]][:2]  # palette, no clash
    assert ax.get_title() == L.name
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(paths)
    assert len(ax.get_lines()) == 1 + 2 * len(paths)  # the star, each path and its start circle


def test_plot_trajectories_options():
    L = landscapes.rosenbrock()
    path = run(lambda w, g: w - 1e-3 * g, L, L.default_start, 5)
    ax = plot_trajectories(L, {"GD": path}, title="custom", markers=False, legend=False)
    assert ax.get_title() == "custom"
    assert ax.get_legend() is None
    assert lines_by_label(ax)["GD"].get_marker() in ("None", None, "")


def test_plot_curves_lines_and_mean_with_minmax_or_std_band():
    runs = np.array([[3.0, 2.0, 1.0], [5.0, 2.0, 0.5]])
    fig, ax = plt.subplots()
    plot_curves({"GD": np.array([4.0, 3.0, 2.0]), "Adam": runs}, ax, xlabel="step", ylabel="loss", logy=True)
    lines = lines_by_label(ax)
    np.testing.assert_array_equal(lines["GD"].get_ydata(), [4.0, 3.0, 2.0])
    adam = lines["Adam (mean of 2 runs; band: min–max)"]
    np.testing.assert_array_equal(adam.get_ydata(), [4.0, 2.0, 0.75])
    assert to_hex(adam.get_color()) == METHOD_COLORS["Adam"].lower()
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == 0.5 and ys.max() == 5.0
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    ax = plot_curves({"Adam": runs}, xlabel="step", ylabel="loss", spread="std", x=[10, 20, 30])
    line = lines_by_label(ax)["Adam (mean of 2 runs; band: ±1 sd)"]
    np.testing.assert_array_equal(line.get_xdata(), [10, 20, 30])
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert band.get_paths()[0].vertices[:, 1].max() == pytest.approx(5.0)  # mean 4 + sd 1 at step 0


def test_bad_input_is_rejected():
    L = landscapes.lecture_quadratic()
    with pytest.raises(TypeError, match="trajectories must be a dict"):
        plot_trajectories(L, [np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"shape \(steps \+ 1, 2\)"):
        plot_trajectories(L, {"GD": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="only finite points"):
        plot_trajectories(L, {"GD": np.array([[0.0, 1.0], [np.inf, 0.0]])})
    with pytest.raises(TypeError, match="landscape must be a lib.landscapes.Landscape"):
        plot_contours(lambda w: 0.0)
    with pytest.raises(ValueError, match="xlim must be a pair"):
        plot_contours(L, xlim=(1.0, 0.0))
    with pytest.raises(ValueError, match="levels must be an integer >= 2"):
        plot_contours(L, levels=1)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_contours(L, ax="left")
    with pytest.raises(TypeError, match="curves must be a non-empty dict"):
        plot_curves({}, xlabel="step", ylabel="loss")
    with pytest.raises(ValueError, match=r"shape \(steps,\) or \(runs, steps\)"):
        plot_curves({"GD": np.zeros((2, 2, 2))}, xlabel="step", ylabel="loss")
    with pytest.raises(ValueError, match="spread must be"):
        plot_curves({"GD": np.zeros(3)}, xlabel="step", ylabel="loss", spread="iqr")
    with pytest.raises(ValueError, match="x must have one value per step"):
        plot_curves({"GD": np.zeros(3)}, xlabel="step", ylabel="loss", x=[1, 2])
    with pytest.raises(TypeError, match="xlabel must be a non-empty str"):
        plot_curves({"GD": np.zeros(3)}, xlabel="", ylabel="loss")


def test_plot_curves_accepts_colours_for_its_series():
    import matplotlib.pyplot as plt

    from lib.plotting import plot_curves

    ax = plot_curves({"constant": np.ones(5), "cosine": np.arange(5.0)}, xlabel="epoch", ylabel="α",
                     colors={"cosine": "#123456"})
    lines = {line.get_label(): line.get_color() for line in ax.get_lines()}
    assert lines["cosine"] == "#123456"
    with pytest.raises(ValueError, match="colors must map curve names"):
        plot_curves({"a": np.ones(3)}, xlabel="x", ylabel="y", colors={"b": "red"})
    plt.close("all")


def test_explorer_redraws_with_the_controls_values_only_when_they_change():
    import ipywidgets as widgets

    from lib.plotting import explorer

    calls = []

    def draw(alpha, beta, steps):
        calls.append((alpha, beta, steps))
        plt.plot([0, 1], [alpha, beta])

    alpha = widgets.FloatSlider(value=0.5, min=0.0, max=1.0)
    box = explorer(draw, alpha=alpha, beta=widgets.Checkbox(value=False), steps=widgets.fixed(100))
    assert calls == []  # nothing is drawn (no output capture) until a control changes
    alpha.value = 0.25
    assert calls == [(0.25, False, 100)]
    assert alpha in box.children
    plt.close("all")


def test_explorer_rejects_bad_input():
    from lib.plotting import explorer

    with pytest.raises(TypeError, match="draw must be a function"):
        explorer(3, alpha=1.0)
    with pytest.raises(ValueError, match="at least one ipywidgets control"):
        explorer(lambda alpha: None, alpha=1.0)
