"""Real tabular data with mixed scales and nominal variables, shipped with ``lib`` (nothing is
downloaded): the Palmer penguins (CC0; source and license in ``lib/data/penguins.md``).

Used by the chapter on preprocessing (university lecture §5.2.1: features of different scales,
all-positive features, nominal variables to one-hot codes).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from lib.checks import check_bool

__all__ = ["Penguins", "load_penguins", "PENGUIN_NUMERIC", "PENGUIN_NOMINAL"]

#: The measured columns (units in the names) and the nominal ones, in the CSV's names.
PENGUIN_NUMERIC: tuple[str, ...] = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
PENGUIN_NOMINAL: tuple[str, ...] = ("species", "island", "sex")


@dataclass(frozen=True)
class Penguins:
    """The penguins table split by kind: ``numeric`` ``(N, 4)`` float64 (columns
    :data:`PENGUIN_NUMERIC`), ``nominal`` ``(N, 3)`` str (columns :data:`PENGUIN_NOMINAL`; ``sex`` is
    ``"NA"`` where missing if such rows are kept), ``year`` ``(N,)`` int64, and ``species`` as class ids
    ``y`` (``0`` Adelie, ``1`` Chinstrap, ``2`` Gentoo; names in ``classes``)."""

    numeric: np.ndarray
    nominal: np.ndarray
    year: np.ndarray
    y: np.ndarray
    classes: tuple[str, ...]
    numeric_names: tuple[str, ...] = PENGUIN_NUMERIC
    nominal_names: tuple[str, ...] = PENGUIN_NOMINAL

    def __len__(self) -> int:
        return len(self.y)


def load_penguins(*, dropna: bool = True) -> Penguins:
    """The 344 Palmer penguins from ``lib/data/penguins.csv``.

    ``dropna=True`` (default) keeps the 333 rows without a missing value (the 2 rows without any
    measurement and the 9 more without ``sex`` are dropped); ``dropna=False`` keeps the 342 rows with
    all four measurements (``sex`` may be ``"NA"``).  Rows keep the file's order.
    """
    dropna = check_bool(dropna, "dropna")
    from importlib.resources import files

    text = files("lib").joinpath("data", "penguins.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    keep = [r for r in rows if all(r[c] != "NA" for c in PENGUIN_NUMERIC) and (not dropna or r["sex"] != "NA")]
    numeric = np.array([[float(r[c]) for c in PENGUIN_NUMERIC] for r in keep])
    nominal = np.array([[r[c] for c in PENGUIN_NOMINAL] for r in keep])
    classes = tuple(sorted({str(s) for s in nominal[:, 0]}))
    y = np.searchsorted(np.array(classes), nominal[:, 0]).astype(np.int64)
    year = np.array([int(r["year"]) for r in keep], dtype=np.int64)
    return Penguins(numeric=numeric, nominal=nominal, year=year, y=y, classes=classes)
