"""Explorable figures: sliders that work without a kernel — in the HTML book, in Jupyter and in Colab.

A chapter describes what to draw for one point of a small grid of parameter values (a function that
returns plotly traces); :func:`explorable` calls it for *every* grid point, here in Python, and puts
all the traces into one plotly figure.  A slider only chooses which traces are shown (plotly's own
sliders, which run in plotly.js in the page: no kernel, no hand-written JavaScript).  So the figure
a reader explores is made of numbers ``lib`` computed, and a chapter can assert them
(:meth:`ExplorableFigure.traces_at`) before it shows them.

With one parameter the slider switches the traces' ``visible``; with two, the first slider switches
``visible`` and the second ``opacity`` (with the legend entry and the hover labels), so a trace is
seen exactly when both sliders point at its grid point.

Where the figure is displayed:

* the HTML book: the page loads ``plotly.min.js`` from the build (``scripts/offline_assets.py``
  copies the pinned plotly package's copy there) and the output's HTML draws the figure;
* Jupyter (Lab, Notebook 7): the ``application/vnd.plotly.v1+json`` output, drawn by the plotly
  extension that ``pip install plotly`` brings;
* Colab: HTML that loads plotly.js from plotly's CDN (Colab itself is online).

* :func:`explorable` — the figure; :class:`ExplorableFigure` — what it returns.
* :func:`landscape_contours` — contour lines of a 2-D landscape as a plotly trace.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from lib.plotting import PALETTE

#: plotly's display options for every explorable figure: no plotly logo; the width follows the page.
CONFIG = {"displaylogo": False, "responsive": True}

#: The book's look (lib.plotting's palette, readable fonts), under what a chapter's ``base`` sets.
BOOK_LAYOUT = {"template": "plotly_white", "colorway": PALETTE, "font": {"size": 13}, "height": 450,
               "margin": {"t": 90, "l": 60, "r": 20}}

#: Height (px) added below the plot for each slider.
SLIDER_HEIGHT = 90


def _check_grid(grid) -> dict[str, tuple]:
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= 2:
        raise ValueError(f"grid must be a dict {{parameter name: values}} with one or two parameters, got {grid!r}")
    checked = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"grid's parameter names must be identifiers (draw's keyword arguments), got {name!r}")
        values = tuple(values.tolist() if isinstance(values, np.ndarray) else values)
        if not values or len(set(values)) != len(values):
            raise ValueError(f"grid[{name!r}] must be a non-empty sequence of distinct values, got {values!r}")
        checked[name] = values
    return checked


class ExplorableFigure:
    """A plotly figure with one trace set per grid point and a slider per parameter (see :func:`explorable`).

    ``grid`` maps each parameter to its values; ``figure`` is the ``plotly.graph_objects.Figure``;
    :meth:`traces_at` gives the traces drawn for one grid point, as plain dicts of NumPy arrays.
    Displaying it (the last line of a cell) shows the figure in Jupyter, Colab and the HTML book.
    """

    def __init__(self, figure, grid: dict[str, tuple], points: dict[tuple, list[dict]]):
        self.figure = figure
        self.grid = grid
        self._points = points

    def traces_at(self, **point: Any) -> list[dict]:
        """The traces drawn for one grid point, e.g. ``traces_at(beta=0.9)``."""
        if set(point) != set(self.grid):
            raise ValueError(f"traces_at needs exactly the grid's parameters {list(self.grid)}, got {sorted(point)}")
        key = tuple(point[name] for name in self.grid)
        if key not in self._points:
            raise ValueError(f"{point} is not a grid point; the grid is {self.grid}")
        return self._points[key]

    def __repr__(self) -> str:
        sizes = " × ".join(f"{name} ({len(v)} values)" for name, v in self.grid.items())
        return f"<explorable figure: {sizes}>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        import plotly.io as pio

        spec = json.loads(self.figure.to_json())
        # a div id that depends on the figure only, so that re-running the notebook gives the same output
        digest = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
        in_colab = "google.colab" in sys.modules
        html = pio.to_html(self.figure, config=CONFIG, full_html=False, div_id=f"explorable-{digest}",
                           include_plotlyjs="cdn" if in_colab else False)
        bundle = {"text/plain": repr(self), "text/html": html}
        if not in_colab:
            bundle["application/vnd.plotly.v1+json"] = {**spec, "config": CONFIG}
        return bundle


def explorable(draw: Callable[..., Sequence[Any]], grid: Mapping[str, Sequence[Any]], *, base=None,
               initial: Mapping[str, Any] | None = None, labels: Mapping[str, str] | None = None,
               formats: Mapping[str, str] | None = None) -> ExplorableFigure:
    """A figure whose sliders explore ``draw`` over ``grid``, with every grid point computed now.

    ``draw(**point)`` returns the plotly traces (``go.Scatter(...)`` or dicts) to show for one grid
    point; it is called once for each point of ``grid``, a dict of one or two parameters
    (``{"beta": [0.5, 0.9, 0.99]}``).  ``base`` is a plotly figure with what does not change (contour
    lines, data points, axes, subplots, titles); its traces are always shown.  ``initial`` is the grid
    point shown first (default: each parameter's first value); ``labels`` the slider captions
    (``{"beta": "β"}``) and ``formats`` how the slider writes the values (``{"beta": ".3f"}``).
    With two parameters the second slider works through the traces' ``opacity``, so ``draw``'s traces
    must not set it (``marker={"opacity": ...}`` is fine).
    Returns an :class:`ExplorableFigure`; display it to show the figure.
    """
    import plotly.graph_objects as go

    if not callable(draw):
        raise TypeError(f"draw must be a function of the grid's parameters returning plotly traces, got {type(draw).__name__}")
    grid = _check_grid(grid)
    names = list(grid)
    labels = {name: name for name in names} | dict(labels or {})
    formats = {name: "" for name in names} | dict(formats or {})
    initial = {name: values[0] for name, values in grid.items()} | dict(initial or {})
    for name in names:
        if initial[name] not in grid[name]:
            raise ValueError(f"initial[{name!r}] must be one of grid[{name!r}] = {grid[name]}, got {initial[name]!r}")
    start = tuple(grid[name].index(initial[name]) for name in names)
    figure = go.Figure(base) if base is not None else go.Figure()
    chapter_layout = figure.layout.to_plotly_json()
    chapter_layout.pop("template", None)  # plotly's default, which every new figure gets
    figure.layout = go.Layout(BOOK_LAYOUT | chapter_layout)  # the chapter's layout wins
    n_static = len(figure.data)

    points: dict[tuple, list[dict]] = {}
    owner: list[tuple[int, ...]] = []  # the grid indices of each dynamic trace
    for index in itertools.product(*(range(len(grid[name])) for name in names)):
        point = {name: grid[name][i] for name, i in zip(names, index)}
        traces = list(draw(**point))
        if not traces:
            raise ValueError(f"draw({point}) returned no traces")
        for trace in traces:
            figure.add_trace(trace)
            owner.append(index)
        points[tuple(point.values())] = [t.to_plotly_json() for t in figure.data[-len(traces):]]
    dynamic = list(range(n_static, len(figure.data)))
    if len(names) == 2 and any(figure.data[k].opacity is not None for k in dynamic):
        raise ValueError("with two parameters the second slider sets each trace's opacity: give draw's traces "
                         "no trace-level opacity (use marker={'opacity': ...} or an rgba colour)")
    shows_legend = [figure.data[k].showlegend is not False for k in dynamic]
    hover = [figure.data[k].hoverinfo or "all" for k in dynamic]

    def visible(i: int) -> list[bool]:
        return [o[0] == i for o in owner]

    def second(j: int) -> dict[str, list]:
        on = [o[1] == j for o in owner]
        return {"opacity": [1.0 if s else 0.0 for s in on],
                "showlegend": [s and legend for s, legend in zip(on, shows_legend)],
                "hoverinfo": [h if s else "skip" for s, h in zip(on, hover)]}

    for k, v in zip(dynamic, visible(start[0])):
        figure.data[k].visible = v
    if len(names) == 2:
        for attr, values in second(start[1]).items():
            for k, v in zip(dynamic, values):
                setattr(figure.data[k], attr, v)

    sliders = []
    for axis, name in enumerate(names):
        steps = []
        for i, value in enumerate(grid[name]):
            change = {"visible": visible(i)} if axis == 0 else second(i)
            steps.append({"method": "restyle", "args": [change, dynamic], "label": format(value, formats[name])})
        sliders.append({"active": start[axis], "steps": steps, "currentvalue": {"prefix": f"{labels[name]} = "},
                        "x": 0.0, "len": 1.0, "y": 0.0, "yanchor": "top",
                        "pad": {"t": 45 + SLIDER_HEIGHT * axis, "b": 10}})
    height = figure.layout.height + SLIDER_HEIGHT * len(names)
    margin_bottom = 50 + SLIDER_HEIGHT * len(names)
    figure.update_layout(sliders=sliders, height=height, margin={"b": margin_bottom})
    return ExplorableFigure(figure, grid, points)


def landscape_contours(landscape, *, xlim=None, ylim=None, levels: int = 25, resolution: int = 121,
                       xaxis: str = "x", yaxis: str = "y"):
    """Contour lines of a 2-D landscape (:mod:`lib.landscapes`) as a plotly trace.

    The lines are equally spaced in ``log10(J − J_min)``, so a valley's floor and its walls both get
    lines (the same idea as :func:`lib.plotting.plot_contours`); the window defaults to
    ``landscape.bounds``.  ``xaxis``/``yaxis`` place the trace on a subplot (``"x2"``, ``"y2"``).
    """
    import plotly.graph_objects as go

    for attr in ("f", "bounds"):
        if not hasattr(landscape, attr):
            raise TypeError(f"landscape must be a lib.landscapes.Landscape, got {type(landscape).__name__}")
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ValueError(f"levels must be an integer >= 2, got {levels!r}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 10:
        raise ValueError(f"resolution must be an integer >= 10, got {resolution!r}")
    (x0, x1), (y0, y1) = xlim or landscape.bounds[0], ylim or landscape.bounds[1]
    x = np.linspace(x0, x1, int(resolution))
    y = np.linspace(y0, y1, int(resolution))
    X, Y = np.meshgrid(x, y)
    Z = np.asarray(landscape.f(np.stack([X, Y])), dtype=np.float64)
    f_min = getattr(landscape, "f_min", None)
    base = float(Z.min()) if f_min is None else float(f_min)
    span = float(Z.max()) - base
    logz = np.log10(np.maximum(Z - base, span * 1e-6))
    return go.Contour(x=x.astype(np.float32), y=y.astype(np.float32), z=logz.astype(np.float32),
                      xaxis=xaxis, yaxis=yaxis, ncontours=int(levels), colorscale="Viridis",
                      contours={"coloring": "lines"}, line={"width": 1}, showscale=False,
                      hoverinfo="skip", showlegend=False, name="log10(J − J_min)")
