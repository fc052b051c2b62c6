"""Data for the book's experiments: mini-batches, the digits images, two moons.

* :func:`minibatches` — shuffle, then partition into mini-batches (week-10 notes on mini-batch
  gradient descent; university lecture §5 "미니배치"): every sample is used exactly once per epoch,
  and the last, smaller batch is kept.
* :func:`load_digits` — scikit-learn's bundled 8×8 handwritten digits (1,797 images, 10 classes),
  split 60/20/20 into train / validation / test.  Bundled with scikit-learn: nothing is downloaded.
* :func:`make_moons` — two interleaving half circles in 2-D, for pictures of decision boundaries.
* :func:`train_val_test_split` — the stratified split :func:`load_digits` uses, for any ``(X, y)``.
* :func:`load_seattle_temperatures` — NOAA's daily temperatures in Seattle, 2012–2015 (public
  domain, shipped in ``lib/data/``), the real series of the exponentially-weighted-averages chapter.

Samples are rows (``X.shape == (N, n_features)``), X is float, y is int64 class labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np

from lib.checks import as_generator, check_bool, check_int, check_seed

__all__ = ["Dataset", "minibatches", "iterate_minibatches", "load_digits", "make_moons", "train_val_test_split",
           "TemperatureSeries", "load_seattle_temperatures"]


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0:
        raise ValueError(f"X must have one row per sample (at least 1-D), got a scalar {X!r}")
    if y.ndim == 0:
        raise ValueError(f"y must have one entry per sample (at least 1-D), got a scalar {y!r}")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of samples, got len(X)={len(X)} and len(y)={len(y)}")
    return X, y


def minibatches(X, y, batch_size: int, *, shuffle: bool = True, seed=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield the mini-batches ``(X_batch, y_batch)`` of one epoch: shuffle, then partition.

    The ``N`` samples (rows of ``X``, entries of ``y``) are permuted (if ``shuffle``) and cut into
    ``⌈N / m⌉`` consecutive batches of ``m = batch_size``; the last one holds the ``N mod m`` leftover
    samples when ``m`` does not divide ``N`` (it is kept, not dropped, as Keras' ``fit`` does).  Every
    sample appears in exactly one batch.  ``batch_size = N`` is batch gradient descent,
    ``batch_size = 1`` stochastic gradient descent (week-10 notes).

    ``seed`` fixes the permutation: an int, a ``np.random.Generator`` (pass the *same* generator
    every epoch to get a new, reproducible order each epoch, as :meth:`lib.mlp.MLP.train` does) or
    ``None`` (fresh entropy).  Arguments are checked when this function is called, not when the
    first batch is requested; the work is :func:`iterate_minibatches`.  The batches are copies
    (fancy indexing) when shuffled, views when not.
    """
    X, y = _check_xy(X, y)
    batch_size = check_int(batch_size, "batch_size", "[1, inf)")
    rng = as_generator(seed) if check_bool(shuffle, "shuffle") else None
    return iterate_minibatches(X, y, batch_size, rng)


def iterate_minibatches(X: np.ndarray, y: np.ndarray, batch_size: int,
                        rng: np.random.Generator | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of mini-batches of ``X`` and ``y``: shuffle with ``rng`` (None: keep the order), then cut.

    The kernel of :func:`minibatches`, which checks the arguments first.
    """
    N = len(X)
    order = rng.permutation(N) if rng is not None else None  # shuffle
    for start in range(0, N, batch_size):  # partition into ⌈N/m⌉ batches; the last may be smaller
        if order is None:
            yield X[start : start + batch_size], y[start : start + batch_size]
        else:
            batch = order[start : start + batch_size]
            yield X[batch], y[batch]


@dataclass(frozen=True, repr=False)
class Dataset:
    """A train / validation / test split: ``X_*`` float arrays (samples as rows), ``y_*`` int64 labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_features(self) -> int:
        """Number of input features (columns of ``X_train``), e.g. 64 for the 8×8 digits."""
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes: ``1 + `` the largest label in any of the three parts."""
        return int(max(self.y_train.max(), self.y_val.max(), self.y_test.max())) + 1

    def __repr__(self) -> str:
        parts = ", ".join(f"{f.name}={getattr(self, f.name).shape}" for f in fields(self))
        return f"Dataset({parts})"


def train_val_test_split(X, y, *, val_fraction: float = 0.2, test_fraction: float = 0.2, seed: int = 0,
                         stratify: bool = True) -> Dataset:
    """Split ``(X, y)`` into train / validation / test, stratified by class, fixed by ``seed``.

    First ``⌈test_fraction · m⌉`` of the ``m`` samples are held out as the test set, then
    ``⌈val_fraction · m⌉`` are taken from the rest as the validation set (scikit-learn's
    ``train_test_split`` twice, so each part has the class proportions of the whole when
    ``stratify``).  The returned arrays are copies; ``X`` keeps its dtype, ``y`` becomes int64.
    """
    from sklearn.model_selection import train_test_split

    X, y = _check_xy(X, y)
    for name, frac in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if isinstance(frac, bool) or not isinstance(frac, (int, float, np.floating)) or not 0 < frac < 1:
            raise ValueError(f"{name} must be a number in (0, 1), got {frac!r}")
    if val_fraction + test_fraction >= 1:
        raise ValueError(
            f"val_fraction + test_fraction must be < 1 to leave training data, got {val_fraction} + {test_fraction}"
        )
    seed = check_seed(seed)
    y = np.asarray(y).astype(np.int64)
    m = len(y)
    # sizes as scikit-learn rounds a fraction (up), computed once from the whole set so that
    # 0.1/0.7 * 70 = 10.000000000000002 does not become 11
    n_test = math.ceil(round(test_fraction * m, 9))
    n_val = math.ceil(round(val_fraction * m, 9))
    if m - n_test - n_val < 1:
        raise ValueError(f"the split leaves no training data: {m} samples, {n_val} validation, {n_test} test")
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=n_test, random_state=seed, stratify=y if stratify else None
    )
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=n_val, random_state=seed, stratify=y_rest if stratify else None
    )
    return Dataset(X_train, y_train, X_val, y_val, X_test, y_test)


def load_digits(*, seed: int = 0) -> Dataset:
    """scikit-learn's 8×8 handwritten digits, split 60/20/20 into train / validation / test.

    1,797 grey-scale images of the digits 0-9 (about 180 per class), flattened to 64 pixels.  The
    pixel values 0..16 are divided by 16, so ``X`` is float64 in ``[0, 1]``; ``y`` is int64 in
    ``0..9``.  The split is stratified (each part has the class proportions of the whole) and fixed
    by ``seed``: 1,077 / 360 / 360 images.  The data ship with scikit-learn (nothing is
    downloaded).  ``X_train[i].reshape(8, 8)`` is the image.
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    seed = check_seed(seed)
    bunch = _sk_load_digits()
    X = bunch.data.astype(np.float64) / 16.0
    y = bunch.target.astype(np.int64)
    return train_val_test_split(X, y, val_fraction=0.2, test_fraction=0.2, seed=int(seed))


def make_moons(n_samples: int = 200, *, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D (scikit-learn's ``make_moons``); returns ``(X, y)``.

    ``X`` is float64 of shape ``(n_samples, 2)`` (samples as rows), ``y`` int64 in ``{0, 1}``
    (``n_samples // 2`` of class 0 … rounded as scikit-learn does).  ``noise`` is the standard
    deviation of the Gaussian noise added to each coordinate; ``seed`` fixes it (and the shuffle).
    Not linearly separable: a linear model cannot fit it, a small MLP can — a 2-D picture of a
    decision boundary.  Split it with :func:`train_val_test_split` when a validation set is needed.
    """
    from sklearn.datasets import make_moons as _sk_make_moons

    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise TypeError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    if n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.floating)):
        raise TypeError(f"noise must be a non-negative number, got {noise!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a non-negative finite number, got {noise!r}")
    seed = check_seed(seed)
    X, y = _sk_make_moons(n_samples=int(n_samples), noise=float(noise), shuffle=True, random_state=int(seed))
    return X.astype(np.float64), y.astype(np.int64)


@dataclass(frozen=True)
class TemperatureSeries:
    """Daily temperatures: ``dates`` (``datetime64[D]``), ``temp_max`` and ``temp_min`` (°C, float64)."""

    dates: np.ndarray
    temp_max: np.ndarray
    temp_min: np.ndarray

    @property
    def temp_mean(self) -> np.ndarray:
        """The daily mean ``(temp_max + temp_min) / 2`` (°C)."""
        return (self.temp_max + self.temp_min) / 2.0

    def year(self, year: int) -> "TemperatureSeries":
        """The days of one calendar year (2012 … 2015)."""
        years = self.dates.astype("datetime64[Y]").astype(int) + 1970
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
            raise TypeError(f"year must be an integer, got {year!r}")
        if year not in set(years.tolist()):
            raise ValueError(f"year must be one of {sorted(set(years.tolist()))}, got {year!r}")
        keep = years == year
        return TemperatureSeries(self.dates[keep], self.temp_max[keep], self.temp_min[keep])

    def __len__(self) -> int:
        return len(self.dates)


def load_seattle_temperatures() -> TemperatureSeries:
    """Daily maximum and minimum temperatures (°C) in Seattle, 2012-01-01 … 2015-12-31 (1,461 days).

    NOAA daily records (public domain), as bundled in the ``vega_datasets`` package and shipped with
    ``lib`` as ``lib/data/seattle_weather.csv`` (see ``lib/data/README.md``): nothing is downloaded.
    It plays the part of the London temperatures in the week-10 notes' exponentially weighted
    averages example.
    """
    from importlib.resources import files

    text = files("lib").joinpath("data", "seattle_weather.csv").read_text(encoding="utf-8")
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    dates = np.array([r[0] for r in rows], dtype="datetime64[D]")
    temp_max = np.array([float(r[1]) for r in rows])
    temp_min = np.array([float(r[2]) for r in rows])
    return TemperatureSeries(dates, temp_max, temp_min)
