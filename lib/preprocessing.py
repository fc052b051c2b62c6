"""Data preprocessing (university lecture "5. 딥러닝 최적화", §5.2.1 데이터 전처리).

* :class:`StandardScaler` — the normalization (5.9), ``x_i ← (x_i − μ_i) / σ_i`` per feature
  ("특징별로 독립적으로 적용"), scikit-learn's ``StandardScaler`` (σ the population standard
  deviation, ``ddof = 0``; a constant feature gets σ = 1, so it maps to 0 instead of NaN).
* :class:`MinMaxScaler` — the lecture's min–max transform ``x_i ← (x_i − min x_i)/(max x_i − min x_i)``,
  scikit-learn's ``MinMaxScaler`` with ``feature_range=(0, 1)`` (a constant feature maps to 0).
* :class:`OneHotEncoder` — nominal variables (명목 변수) to one-hot codes, one bit per value,
  scikit-learn's ``OneHotEncoder(sparse_output=False)`` with categories sorted per column.

All three follow scikit-learn's protocol: ``fit`` on the **training** split only (the statistics
are part of the model), then ``transform`` any split with the same statistics.  Samples are rows;
a float32 input gives float32 output (the statistics are kept in float64).  Arguments are checked
in the public methods; the kernels (:func:`standardize`, :func:`min_max_scale`, :func:`one_hot`)
hold only the equations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lib.checks import check_choice, check_finite, real_array

__all__ = ["standardize", "min_max_scale", "one_hot", "StandardScaler", "MinMaxScaler", "OneHotEncoder"]


# ----------------------------------------------------------------------------------------------
# kernels: the equations
# ----------------------------------------------------------------------------------------------
def standardize(X: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """(5.9): ``x_new = (x_old − μ) / σ``, feature by feature (columns)."""
    return (X - mu) / sigma


def min_max_scale(X: np.ndarray, x_min: np.ndarray, x_max: np.ndarray) -> np.ndarray:
    """``x_new = (x_old − min x) / (max x − min x)``, feature by feature (a constant feature: ÷ 1)."""
    span = np.where(x_max > x_min, x_max - x_min, 1.0)
    return (X - x_min) / span


def one_hot(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Integer codes ``0 … n_values−1`` to rows of ``n_values`` bits with a single 1; the code −1 (a value
    not seen in ``fit``) to a row of zeros.  (:func:`lib.losses.one_hot` is the checked form for class
    labels, which are never unknown.)"""
    return (codes[:, None] == np.arange(n_values)).astype(np.float64)


# ----------------------------------------------------------------------------------------------
# checks
# ----------------------------------------------------------------------------------------------
def _features(X, name: str = "X") -> np.ndarray:
    X = real_array(X, name, what="a 2-D array of real numbers (samples as rows)")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (samples as rows, features as columns), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample, got shape {X.shape}")
    return check_finite(X, name)


def _out_dtype(X: np.ndarray) -> np.dtype:
    return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)


class _Fitted:
    n_features_in_: int | None = None

    def _require_fit(self, X, name: str = "X") -> np.ndarray:
        if self.n_features_in_ is None:
            raise ValueError(f"{type(self).__name__} is not fitted yet: call fit(X_train) first")
        X = _features(X, name)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"{name} must have {self.n_features_in_} features (the scaler was fitted on "
                             f"them), got shape {X.shape}")
        return X

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)


class StandardScaler(_Fitted):
    """Normalization (5.9): per feature, subtract the training mean ``mean_`` (μ) and divide by the
    training standard deviation ``scale_`` (σ, population: ``ddof = 0``), as scikit-learn's
    ``StandardScaler``.  A feature that is constant on the training set gets ``scale_ = 1``."""

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X) -> "StandardScaler":
        """Learn μ and σ of every column of the training data ``X`` (shape ``(N, n_features)``)."""
        X = _features(X).astype(np.float64)
        N, mu, var = X.shape[0], X.mean(axis=0), X.var(axis=0)
        eps = np.finfo(np.float64).eps  # scikit-learn's rule for a constant feature: leave it unscaled
        constant = var <= N * eps * var + (N * mu * eps) ** 2
        self.mean_, self.scale_ = mu, np.where(constant, 1.0, np.sqrt(var))
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X) -> np.ndarray:
        """``(X − μ) / σ`` with the fitted statistics; dtype kept (float32 stays float32)."""
        X = self._require_fit(X)
        return standardize(X.astype(np.float64), self.mean_, self.scale_).astype(_out_dtype(X))

    def inverse_transform(self, X) -> np.ndarray:
        X = self._require_fit(X)
        return (X.astype(np.float64) * self.scale_ + self.mean_).astype(_out_dtype(X))


class MinMaxScaler(_Fitted):
    """Min–max scaling to ``[0, 1]`` with the training minimum ``data_min_`` and maximum
    ``data_max_`` per feature, as scikit-learn's ``MinMaxScaler()``; values of other splits may
    fall outside ``[0, 1]`` (no clipping, as scikit-learn's default)."""

    def __init__(self) -> None:
        self.data_min_: np.ndarray | None = None
        self.data_max_: np.ndarray | None = None

    def fit(self, X) -> "MinMaxScaler":
        X = _features(X).astype(np.float64)
        self.data_min_, self.data_max_ = X.min(axis=0), X.max(axis=0)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X) -> np.ndarray:
        X = self._require_fit(X)
        return min_max_scale(X.astype(np.float64), self.data_min_, self.data_max_).astype(_out_dtype(X))


class OneHotEncoder:
    """Nominal variables (lecture: 성별 남/여, 체질 태양인 … 소음인) to one-hot codes: a column with
    ``k`` distinct training values becomes ``k`` bits, the bit of its value set.  ``categories_``
    lists each column's values: sorted (``categories='auto'``, scikit-learn's default) or in the
    order given (``categories=[[…], …]``, e.g. the lecture's 태양인, 태음인, 소양인, 소음인); the output is the
    concatenation of the columns' codes in order, float64, as ``OneHotEncoder(sparse_output=False)``.

    ``handle_unknown="error"`` (default, as scikit-learn) rejects a value not seen in ``fit``;
    ``"ignore"`` encodes it as all zeros."""

    def __init__(self, categories: str | Sequence[Sequence] = "auto", handle_unknown: str = "error") -> None:
        check_choice(handle_unknown, "handle_unknown", ("error", "ignore"))
        if not (isinstance(categories, str) and categories == "auto"):
            if isinstance(categories, str) or not isinstance(categories, (list, tuple)):
                raise ValueError(f"categories must be 'auto' or a list of value lists (one per column), got {categories!r}")
            categories = [np.asarray(c) for c in categories]
            for j, c in enumerate(categories):
                if c.ndim != 1 or len(c) == 0 or len(np.unique(c)) != len(c):
                    raise ValueError(f"categories[{j}] must be a non-empty list of distinct values, got {list(c)!r}")
        self.categories = categories
        self.handle_unknown = handle_unknown
        self.categories_: list[np.ndarray] | None = None

    @staticmethod
    def _columns(X, name: str = "X") -> np.ndarray:
        try:
            X = np.asarray(X)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a 2-D array of category values, got {type(X).__name__}: {exc}") from None
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"{name} must be 2-D (samples as rows, one column per nominal variable) with at "
                             f"least one sample, got shape {X.shape}")
        if X.dtype.kind == "f" and not np.all(np.isfinite(X)):
            raise ValueError(f"{name} must not contain NaN or inf category values")
        return X

    def fit(self, X) -> "OneHotEncoder":
        """Learn the values of every column of ``X`` (shape ``(N, n_columns)``; strings or numbers)."""
        X = self._columns(X)
        if isinstance(self.categories, str):  # "auto": the sorted values seen in each column
            self.categories_ = [np.unique(X[:, j]) for j in range(X.shape[1])]
            return self
        if len(self.categories) != X.shape[1]:
            raise ValueError(f"categories must list {X.shape[1]} columns' values (X has {X.shape[1]} columns), "
                             f"got {len(self.categories)}")
        self.categories_ = list(self.categories)
        self._check_known(X)
        return self

    def transform(self, X) -> np.ndarray:
        """Each row to the concatenation of its columns' one-hot codes, shape ``(m, Σ_j k_j)``."""
        if self.categories_ is None:
            raise ValueError("OneHotEncoder is not fitted yet: call fit(X_train) first")
        X = self._columns(X)
        if X.shape[1] != len(self.categories_):
            raise ValueError(f"X must have {len(self.categories_)} columns (the encoder was fitted on them), "
                             f"got shape {X.shape}")
        if self.handle_unknown == "error":
            self._check_known(X)
        blocks = []
        for j, cats in enumerate(self.categories_):
            hits = X[:, j][:, None] == cats[None, :]          # (m, k): which value each row holds
            codes = np.where(hits.any(axis=1), hits.argmax(axis=1), -1)  # −1: unknown → all zeros
            blocks.append(one_hot(codes, len(cats)))
        return np.concatenate(blocks, axis=1)

    def _check_known(self, X: np.ndarray) -> None:
        for j, cats in enumerate(self.categories_):
            known = (X[:, j][:, None] == cats[None, :]).any(axis=1)
            if not np.all(known):
                raise ValueError(f"X[:, {j}] holds the value {X[:, j][~known][0].item()!r}, not seen in fit "
                                 f"(known: {cats.tolist()}); pass handle_unknown='ignore' to encode it as zeros")

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        """``"<column>_<value>"`` for every output bit, as scikit-learn names them."""
        if self.categories_ is None:
            raise ValueError("OneHotEncoder is not fitted yet: call fit(X_train) first")
        names = list(input_features) if input_features is not None else [f"x{j}" for j in range(len(self.categories_))]
        if len(names) != len(self.categories_):
            raise ValueError(f"input_features must name {len(self.categories_)} columns, got {len(names)}")
        return [f"{n}_{v}" for n, cats in zip(names, self.categories_) for v in cats]
