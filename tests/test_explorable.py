"""lib.explorable: every grid point's traces are in the figure, and each slider position shows exactly them."""

from __future__ import annotations

import itertools
import json
import sys

import numpy as np
import plotly.graph_objects as go
import pytest

from lib.explorable import ExplorableFigure, explorable, landscape_contours
from lib.landscapes import lecture_quadratic

X = np.linspace(0.0, 1.0, 5)


def lines(a, b=0.0):
    """Two traces per grid point: a line and a label (the label hidden from the legend)."""
    return [go.Scatter(x=X, y=a * X + b, name="line"),
            go.Scatter(x=[0.5], y=[a], mode="text", text=[f"a = {a}"], showlegend=False)]


def shown(fig: ExplorableFigure, positions: tuple[int, ...]) -> set[int]:
    """Indices of the traces a reader sees with the sliders at ``positions``, applying the slider steps
    the way plotly.js does (restyle of the given attributes on the given traces)."""
    data = [dict(t) for t in json.loads(fig.figure.to_json())["data"]]
    for slider, position in zip(fig.figure.layout.sliders, positions):
        change, indices = slider.steps[position].args
        for attr, values in change.items():
            for k, v in zip(indices, values):
                data[k][attr] = v
    return {k for k, t in enumerate(data) if t.get("visible", True) is not False and t.get("opacity", 1) > 0}


def test_one_parameter_each_step_shows_exactly_its_traces():
    fig = explorable(lines, {"a": [1.0, 2.0, 3.0]}, base=go.Figure(go.Scatter(x=X, y=X, name="static")))
    assert len(fig.figure.data) == 1 + 3 * 2 and len(fig.figure.layout.sliders) == 1
    for i, a in enumerate((1.0, 2.0, 3.0)):
        visible = shown(fig, (i,))
        assert visible == {0, 1 + 2 * i, 2 + 2 * i}
        assert np.allclose(fig.figure.data[1 + 2 * i].y, a * X)
    assert shown(fig, (fig.figure.layout.sliders[0].active,)) == {0, 1, 2}  # initial: the first value


def test_two_parameters_compose_visible_and_opacity():
    grid = {"a": [1.0, 2.0], "b": [0.0, 10.0, 20.0]}
    fig = explorable(lines, grid, initial={"a": 2.0, "b": 20.0})
    points = list(itertools.product(grid["a"], grid["b"]))
    for i, j in itertools.product(range(2), range(3)):
        k = points.index((grid["a"][i], grid["b"][j]))
        assert shown(fig, (i, j)) == {2 * k, 2 * k + 1}
        assert np.allclose(fig.figure.data[2 * k].y, grid["a"][i] * X + grid["b"][j])
    # what is drawn before any slider moves is the initial point, legend entries included
    data = fig.figure.data
    on = [k for k, t in enumerate(data) if t.visible is not False and t.opacity > 0]
    assert on == [2 * points.index((2.0, 20.0)), 2 * points.index((2.0, 20.0)) + 1]
    assert [k for k, t in enumerate(data) if t.visible is not False and t.showlegend is not False and t.opacity > 0] == on[:1]
    assert [s.active for s in fig.figure.layout.sliders] == [1, 2]
    assert [s.steps[1].label for s in fig.figure.layout.sliders] == ["2.0", "10.0"]


def test_traces_at_returns_what_draw_made():
    fig = explorable(lines, {"a": [1.0, 2.0], "b": [0.0, 5.0]})
    line, label = fig.traces_at(a=2.0, b=5.0)
    assert np.allclose(line["y"], 2.0 * X + 5.0) and list(label["text"]) == ["a = 2.0"]
    with pytest.raises(ValueError, match="not a grid point"):
        fig.traces_at(a=3.0, b=5.0)
    with pytest.raises(ValueError, match="exactly the grid's parameters"):
        fig.traces_at(a=2.0)


def test_display_is_reproducible_and_serves_plotly_from_the_page():
    bundle = explorable(lines, {"a": [1.0, 2.0]})._repr_mimebundle_()
    again = explorable(lines, {"a": [1.0, 2.0]})._repr_mimebundle_()
    assert bundle == again  # same figure, same output (nbval compares it)
    other = explorable(lines, {"a": [1.0, 3.0]})._repr_mimebundle_()
    div_id = bundle["text/html"].split('id="')[1].split('"')[0]
    assert div_id.startswith("explorable-") and div_id not in other["text/html"]
    assert "<script src" not in bundle["text/html"] and "cdn" not in bundle["text/html"]  # the page brings plotly.js
    assert bundle["application/vnd.plotly.v1+json"]["layout"]["sliders"]  # Jupyter's plotly renderer
    assert bundle["text/plain"] == "<explorable figure: a (2 values)>"


def test_in_colab_the_html_loads_plotly_itself(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", object())
    bundle = explorable(lines, {"a": [1.0, 2.0]})._repr_mimebundle_()
    assert '<script charset="utf-8" src="https://cdn.plot.ly/' in bundle["text/html"]
    assert "application/vnd.plotly.v1+json" not in bundle


def test_landscape_contours_are_log_spaced_above_the_minimum():
    land = lecture_quadratic()
    trace = landscape_contours(land, resolution=41)
    assert np.asarray(trace.z).shape == (41, 41)
    assert trace.x[0] == pytest.approx(land.bounds[0][0]) and trace.y[-1] == pytest.approx(land.bounds[1][1])
    z = np.asarray(trace.z, dtype=float)
    X_, Y_ = np.meshgrid(np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float))
    above = land.f(np.stack([X_, Y_])) - land.f_min
    mask = above > 1e-6 * above.max()  # below that the lines stop (the floor of the logarithm)
    assert np.allclose(z[mask], np.log10(above[mask]), atol=1e-4)
    assert np.all(z[~mask] == z.min())


@pytest.mark.parametrize(
    "grid, error, message",
    [
        ({}, ValueError, "one or two parameters"),
        ({"a": [1], "b": [1], "c": [1]}, ValueError, "one or two parameters"),
        ({"a": []}, ValueError, "non-empty sequence of distinct values"),
        ({"a": [1.0, 1.0]}, ValueError, "non-empty sequence of distinct values"),
        ({"not a name": [1.0]}, TypeError, "identifiers"),
    ],
)
def test_bad_grids_are_refused(grid, error, message):
    with pytest.raises(error, match=message):
        explorable(lines, grid)


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="draw must be a function"):
        explorable("lines", {"a": [1.0]})
    with pytest.raises(ValueError, match=r"initial\['a'\] must be one of"):
        explorable(lines, {"a": [1.0, 2.0]}, initial={"a": 1.5})
    with pytest.raises(ValueError, match="no trace-level opacity"):
        explorable(lambda a, b: [go.Scatter(x=X, y=a * X + b, opacity=0.5)], {"a": [1.0], "b": [0.0]})
    with pytest.raises(ValueError, match="returned no traces"):
        explorable(lambda a: [], {"a": [1.0]})
    with pytest.raises(ValueError, match="levels must be an integer >= 2"):
        landscape_contours(lecture_quadratic(), levels=1)
    with pytest.raises(TypeError, match="Landscape"):
        landscape_contours("ravine")
