"""The book's figure style, set once, and the plots every chapter shares.

One colour per optimizer across the whole book (Okabe-Ito, colour-blind safe, extended with a few of
Paul Tol's muted colours); readable fonts; labelled axes.
"""

from __future__ import annotations

import matplotlib as mpl

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
