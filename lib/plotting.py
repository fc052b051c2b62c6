"""The book's figure style, set once, and the plots every chapter shares.

One colour per optimizer across the whole book (Okabe-Ito, colour-blind safe, extended with a few of
Paul Tol's muted colours); readable fonts; labelled axes.

* :func:`use_book_style`, :data:`PALETTE`, :data:`METHOD_COLORS`, :func:`method_color` — the style.
* :func:`plot_contours` — contour lines of a 2-D landscape (:mod:`lib.landscapes`).
* :func:`plot_trajectories` — optimizer paths (from :func:`lib.runner.run`) on those contours.
* :func:`plot_curves` — loss/accuracy curves, several seeds as mean and a shaded spread.

The plotting functions draw on the ``ax`` they are given (or a new figure) and return it; they never
call ``plt.show()`` — the chapter's cell does.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

#: Okabe & Ito's colour-blind-safe palette, in the order used for generic series.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]

#: The same colour for the same method in every chapter.
METHOD_COLORS = {
    "GD": "#000000",
    "SGD": "#000000",
    "Random search": "#999999",
    "Momentum": "#0072B2",
    "Nesterov": "#56B4E9",
    "Adagrad": "#009E73",
    "RMSprop": "#E69F00",
    "Adadelta": "#CC79A7",
    "Adam": "#D55E00",
    "AMSGrad": "#882255",
    "AdamW": "#AA4499",
    "Nadam": "#44AA99",
    "Newton": "#999933",
    "CG": "#CC6677",
    "BFGS": "#117733",
    "L-BFGS": "#332288",
    "tf.keras": "#777777",
}


def method_color(name: str) -> str:
    """The book-wide colour of a method (``"Adam"``, ``"Momentum"`` …); grey for unknown names."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    return METHOD_COLORS.get(name, "#777777")


def use_book_style() -> None:
    """Apply the book's matplotlib style (called by :func:`lib.notebook.setup_notebook`)."""
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 10,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "lines.linewidth": 1.8,
            "image.cmap": "viridis",
            "svg.hashsalt": "optdl",  # deterministic ids if a figure is saved as SVG
        }
    )


# ----------------------------------------------------------------------------------------------
# shared plots: contours of a landscape, optimizer paths on it, loss curves
# ----------------------------------------------------------------------------------------------
def _new_axes(ax):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        _, ax = plt.subplots()
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _check_limits(lim, name: str, default):
    if lim is None:
        return tuple(float(v) for v in default)
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (min, max) of numbers or None, got {lim!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be a pair (min, max) of finite numbers with min < max, got {lim!r}")
    return lo, hi


def _check_landscape(landscape) -> None:
    for attr in ("f", "bounds", "minimum"):
        if not hasattr(landscape, attr):
            raise TypeError(
                f"landscape must be a lib.landscapes.Landscape (with f, bounds, minimum), got {type(landscape).__name__}"
            )


def _series_colors(names) -> dict[str, str]:
    """Book colour for known method names; the palette, in order, for the others (no repeats)."""
    used = {METHOD_COLORS[n] for n in names if n in METHOD_COLORS}
    spare = iter([c for c in PALETTE if c not in used] + PALETTE)
    return {n: METHOD_COLORS[n] if n in METHOD_COLORS else next(spare) for n in names}


def plot_contours(landscape, ax=None, *, xlim=None, ylim=None, levels: int = 30, log: bool = True,
                  resolution: int = 201, equal_aspect: bool = True):
    """Contour lines of a 2-D landscape (:mod:`lib.landscapes`), its minimum marked with a star.

    The window defaults to ``landscape.bounds``.  With ``log=True`` the ``levels`` contour values
    are spaced geometrically above the minimum value ``f_min`` (from the smallest 0.2 % of the grid
    values up to the largest), so both the floor of a valley and its walls get lines; for a
    landscape without a minimum (the saddle) the levels are spaced linearly.  ``equal_aspect``
    keeps one unit the same length on both axes, so angles (zig-zags) look as they are.
    Returns the axes.
    """
    _check_landscape(landscape)
    ax = _new_axes(ax)
    xlim = _check_limits(xlim, "xlim", landscape.bounds[0])
    ylim = _check_limits(ylim, "ylim", landscape.bounds[1])
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ValueError(f"levels must be an integer >= 2, got {levels!r}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 10:
        raise ValueError(f"resolution must be an integer >= 10, got {resolution!r}")
    x = np.linspace(*xlim, int(resolution))
    y = np.linspace(*ylim, int(resolution))
    X, Y = np.meshgrid(x, y)
    Z = np.asarray(landscape.f(np.stack([X, Y])), dtype=np.float64)
    if log and landscape.minimum is not None:
        base = float(landscape.f_min) if getattr(landscape, "f_min", None) is not None else float(Z.min())
        D = Z - base
        hi = float(D.max())
        positive = D[D > 0]
        lo = max(float(np.quantile(positive, 0.002)), hi * 1e-8) if positive.size else hi * 1e-3
        values = base + np.geomspace(lo, hi, int(levels)) if hi > lo > 0 else None
    else:
        values = None
    if values is None:  # linear levels strictly inside the range of the grid values
        values = np.linspace(Z.min(), Z.max(), int(levels) + 2)[1:-1]
    # colour by the level's rank (dark = low), so geometric levels use the whole colour map
    line_colors = [mpl.colormaps["viridis"](v) for v in np.linspace(0.0, 0.92, len(values))]
    ax.contour(X, Y, Z, levels=values, colors=line_colors, linewidths=0.8, alpha=0.9)
    if landscape.minimum is not None:
        ax.plot(*landscape.minimum, marker="*", markersize=14, color="white", markeredgecolor="black",
                linestyle="none", zorder=5, label="_minimum")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    if equal_aspect:
        ax.set_aspect("equal", adjustable="box")
    ax.grid(False)
    return ax


def _check_trajectories(trajectories) -> dict[str, np.ndarray]:
    if not isinstance(trajectories, dict):
        raise TypeError(f"trajectories must be a dict {{name: array of shape (steps + 1, 2)}}, got {type(trajectories).__name__}")
    checked = {}
    for name, t in trajectories.items():
        if not isinstance(name, str):
            raise TypeError(f"trajectory names must be str, got {name!r}")
        a = np.asarray(t)
        if a.dtype.kind not in "iuf" or a.ndim != 2 or a.shape[1] != 2 or a.shape[0] < 1:
            raise ValueError(f"trajectory {name!r} must be a real array of shape (steps + 1, 2), got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"trajectory {name!r} must contain only finite points (lib.runner.run drops the rest)")
        checked[name] = a.astype(np.float64)
    return checked


def plot_trajectories(landscape, trajectories, ax=None, *, title=None, xlim=None, ylim=None,
                      markers: bool = True, legend: bool = True, levels: int = 30, log: bool = True):
    """Paths of optimizers drawn on the landscape's contour plot (:func:`plot_contours`).

    ``trajectories`` maps a label to an array of shape ``(steps + 1, 2)`` (what
    :func:`lib.runner.run` returns).  A label that is a method name of :data:`METHOD_COLORS`
    (``"GD"``, ``"Momentum"``, ``"Adam"`` …) gets that method's book-wide colour; other labels get the
    palette colours in order.  Each path starts at a hollow circle; with ``markers`` every iterate is
    a dot.  The view stays on the landscape's window (``xlim``/``ylim``), so a diverging path runs
    off the edge.  The title defaults to the landscape's name.  Returns the axes.
    """
    _check_landscape(landscape)
    paths = _check_trajectories(trajectories)
    ax = plot_contours(landscape, ax, xlim=xlim, ylim=ylim, levels=levels, log=log)
    colors = _series_colors(list(paths))
    for name, path in paths.items():
        ax.plot(path[:, 0], path[:, 1], color=colors[name], linewidth=1.6, marker="o" if markers else None,
                markersize=3.5, label=name, zorder=3)
        ax.plot(path[0, 0], path[0, 1], marker="o", markersize=9, markerfacecolor="none",
                markeredgecolor=colors[name], markeredgewidth=1.5, linestyle="none", zorder=4, label="_start")
    ax.set_title(landscape.name if title is None else title)
    if legend and paths:
        ax.legend(loc="best", framealpha=0.9)
    return ax


def plot_curves(curves, ax=None, *, xlabel: str, ylabel: str, logy: bool = False, title=None, x=None,
                spread: str = "minmax", colors=None):
    """Curves (loss per step, accuracy per epoch …) of several methods on one axes.

    ``curves`` maps a label to a 1-D array (one run: a line) or a 2-D array ``(runs, steps)``
    (several seeds: their mean as a line and their spread as a shaded band, ``spread="minmax"``
    for the band from the smallest to the largest run — the default — or ``"std"`` for mean ± one
    standard deviation; the legend says which).  Colours as in :func:`plot_trajectories`.  ``x``
    gives the x values (default ``0, 1, …``); ``logy`` puts the y axis on a log scale (for losses
    spanning decades).  Non-finite values (a diverged run) leave gaps.  ``colors`` maps some or all
    labels to a colour, overriding the book's choice (for series that are not methods, e.g. schedules
    of one optimizer).  Returns the axes.
    """
    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict {{name: 1-D or 2-D array}}, got {curves!r:.80}")
    if spread not in ("minmax", "std"):
        raise ValueError(f"spread must be 'minmax' or 'std', got {spread!r}")
    for arg, value in (("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"{arg} must be a non-empty str, got {value!r}")
    arrays = {}
    for name, c in curves.items():
        if not isinstance(name, str):
            raise TypeError(f"curve names must be str, got {name!r}")
        a = np.asarray(c)
        if a.dtype.kind not in "iuf" or a.ndim not in (1, 2) or a.shape[-1] < 1 or a.shape[0] < 1:
            raise ValueError(f"curve {name!r} must be a real array of shape (steps,) or (runs, steps), got shape {a.shape}")
        arrays[name] = a.astype(np.float64)
    if x is not None:
        x = np.asarray(x, dtype=np.float64)
        bad = [n for n, a in arrays.items() if x.shape != (a.shape[-1],)]
        if bad:
            raise ValueError(f"x must have one value per step, shape ({arrays[bad[0]].shape[-1]},), got shape {x.shape}")
    if colors is not None and (not isinstance(colors, dict) or set(colors) - set(arrays)):
        raise ValueError(f"colors must map curve names to colours, got keys {sorted(colors) if isinstance(colors, dict) else colors!r} "
                         f"for curves {sorted(arrays)}")
    ax = _new_axes(ax)
    colors = _series_colors(list(arrays)) | (colors or {})
    for name, a in arrays.items():
        steps = np.arange(a.shape[-1]) if x is None else x
        if a.ndim == 1:
            ax.plot(steps, a, color=colors[name], label=name)
            continue
        with np.errstate(invalid="ignore"):
            mean = a.mean(axis=0)
            if spread == "minmax":
                low, high, how = a.min(axis=0), a.max(axis=0), "band: min–max"
            else:
                sd = a.std(axis=0)
                low, high, how = mean - sd, mean + sd, "band: ±1 sd"
        ax.plot(steps, mean, color=colors[name], label=f"{name} (mean of {a.shape[0]} runs; {how})")
        ax.fill_between(steps, low, high, color=colors[name], alpha=0.2, linewidth=0)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="best")
    return ax


def explorer(draw, /, **controls):
    """Sliders that redraw a figure, for live Jupyter or Colab sessions; returns the widget to display.

    ``draw(**values)`` draws one matplotlib figure (it may end with ``plt.show()``).  ``controls`` maps
    ``draw``'s argument names to ipywidgets controls (``FloatSlider``, ``Checkbox`` …), to
    ``ipywidgets.fixed(value)`` or to plain values, which are passed unchanged.

    The figure is drawn only when a control changes.  The chapter draws the figure for the initial
    values in the cell above (that is what the HTML book shows); drawing nothing while the notebook
    is executed keeps ipywidgets' output capture out of unattended runs (nbclient, which
    ``scripts/execute_notebooks.py`` and the book build use, loses track of a cell whose output is
    captured by an ``Output`` widget at execution time under load, and waits for its time-out).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    if not callable(draw):
        raise TypeError(f"draw must be a function that draws a figure, got {type(draw).__name__}")
    live = {name: c for name, c in controls.items() if isinstance(c, widgets.ValueWidget)}
    fixed = {name: (c.value if isinstance(c, widgets.fixed) else c) for name, c in controls.items() if name not in live}
    if not live:
        raise ValueError("explorer needs at least one ipywidgets control (a slider, a checkbox …) among its keyword arguments")
    figure_area = widgets.Output()

    def redraw(change=None) -> None:
        with figure_area:
            figure_area.clear_output(wait=True)
            draw(**fixed, **{name: c.value for name, c in live.items()})
            plt.show()

    for control in live.values():
        control.observe(redraw, names="value")
    hint = widgets.HTML("<i>Move a control to redraw the figure (the figure above shows the initial values).</i>")
    box = widgets.VBox([*live.values(), hint, figure_area])
    box.redraw = redraw  # for tests, and for readers who want the figure without touching a slider
    return box
