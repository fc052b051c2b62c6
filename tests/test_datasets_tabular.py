"""Tests for lib/datasets_tabular.py: the shipped Palmer penguins file, its rows and columns."""

import hashlib
from importlib.resources import files

import numpy as np
import pytest

from lib.datasets_tabular import PENGUIN_NUMERIC, load_penguins


def test_shipped_file_is_the_documented_one():
    data = files("lib").joinpath("data", "penguins.csv").read_bytes()
    # the SHA-256 named in lib/data/penguins.md (palmerpenguins 0.1.6 on PyPI)
    assert hashlib.sha256(data).hexdigest() == "f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93"
    md = files("lib").joinpath("data", "penguins.md").read_text(encoding="utf-8")
    assert "CC0" in md and "Gorman" in md


def test_penguins_rows_columns_and_first_row():
    p = load_penguins()
    assert len(p) == 333 and p.numeric.shape == (333, 4) and p.nominal.shape == (333, 3)
    assert p.classes == ("Adelie", "Chinstrap", "Gentoo")
    np.testing.assert_array_equal(np.bincount(p.y), [146, 68, 119])  # the published counts without NA
    np.testing.assert_array_equal(p.numeric[0], [39.1, 18.7, 181.0, 3750.0])  # first row of the CSV
    assert list(p.nominal[0]) == ["Adelie", "Torgersen", "male"] and p.year[0] == 2007
    assert p.numeric_names == PENGUIN_NUMERIC
    assert set(p.nominal[:, 2]) == {"female", "male"}
    full = load_penguins(dropna=False)
    assert len(full) == 342 and "NA" in set(full.nominal[:, 2])
    assert np.all(np.isfinite(full.numeric))


def test_bad_argument():
    with pytest.raises(TypeError, match="dropna must be True or False"):
        load_penguins(dropna="yes")
