"""Data augmentation: translations and rotations of small images, mixup and CutMix — mini-batch
transforms for ``lib.training.fit(…, batch_transform=…)``, which trains on freshly transformed batches.

Mirrors the university lecture "5. 딥러닝 최적화", §5.4.3 데이터 확대 (affine transformations of
handwritten digits: translation, rotation, reflection; Krizhevsky's crops at prediction time) and the
mixing methods behind the boostcamp post's "label smoothing" figure (mixup, Zhang et al. 2018;
CutMix, Yun et al. 2019, arXiv 1905.04899)::

    affine:  x'(p) = x(c + R(−θ)(p − d − c))    every output pixel p reads the input at the rotated
                                                and shifted position (bilinear interpolation, 0 outside);
                                                c the image centre, θ the angle, d = (dy, dx) the shift
    mixup:   λ ~ Beta(a, a),  x' = λ x_i + (1 − λ) x_π(i),       t' = λ t_i + (1 − λ) t_π(i)
    CutMix:  λ ~ Beta(a, a),  x' = M ⊙ x_i + (1 − M) ⊙ x_π(i),   t' = λ' t_i + (1 − λ') t_π(i)
             (M is 0 on a box of area ≈ (1 − λ)·hw, 1 elsewhere; λ' = the fraction of M that is 1)

Images are ``(m, h, w)`` arrays, or rows ``(m, h·w)`` with ``shape=(h, w)``; targets ``t`` are rows
of class probabilities (one-hot or soft).  One ``λ`` and one partner permutation ``π`` per mini-batch,
as in both papers' reference code.  Randomness only through ``seed``/``rng``; dtype in = dtype out.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from lib import checks

__all__ = ["affine", "translate", "rotate", "random_affine", "mixup", "cutmix"]


def _images(x, shape, name: str = "images") -> tuple[np.ndarray, tuple[int, ...]]:
    """``x`` as a float ``(m, h, w)`` stack, and the shape to give the result back."""
    x = checks.check_finite(checks.float_array(x, name), name)
    if shape is None:
        if x.ndim != 3:
            raise ValueError(f"{name} must have shape (m, h, w), or be rows (m, h·w) with shape=(h, w), got shape {x.shape}")
        return x, x.shape
    if (not isinstance(shape, tuple) or len(shape) != 2
            or not all(isinstance(d, (int, np.integer)) and d > 0 for d in shape)):
        raise ValueError(f"shape must be a tuple (h, w) of positive ints, got {shape!r}")
    if x.ndim != 2 or x.shape[1] != shape[0] * shape[1]:
        raise ValueError(f"{name} must be rows of shape (m, {shape[0] * shape[1]}) for shape={shape}, got shape {x.shape}")
    return x.reshape(-1, *shape), x.shape


def _per_sample(v, m: int, width: int, name: str) -> np.ndarray:
    v = checks.check_finite(checks.real_array(v, name), name).astype(np.float64)
    want = (m,) if width == 1 else (m, width)
    if width == 1 and v.ndim == 0 or width > 1 and v.shape == (width,):
        v = np.broadcast_to(v, want)
    if v.shape != want:
        raise ValueError(f"{name} must have shape {want} (one per image), got shape {v.shape}")
    return v


def _affine(x: np.ndarray, theta: np.ndarray, d: np.ndarray, order: int) -> np.ndarray:
    """The kernel: every output pixel p of image k reads image k at c + R(−θ_k)(p − d_k − c)."""
    m, h, w = x.shape
    c = np.array([(h - 1) / 2, (w - 1) / 2])
    grid = np.stack(np.meshgrid(np.arange(h), np.arange(w), indexing="ij"), axis=-1)      # (h, w, 2): p
    q = grid[None] - d[:, None, None, :] - c                                              # p − d − c
    cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    # R(−θ) in (row, col) coordinates; positive θ turns the picture counter-clockwise on the screen
    rows = c[0] + cos * q[..., 0] + sin * q[..., 1]
    cols = c[1] - sin * q[..., 0] + cos * q[..., 1]
    k = np.broadcast_to(np.arange(m, dtype=np.float64)[:, None, None], rows.shape)
    return ndimage.map_coordinates(x, np.stack([k, rows, cols]), order=order, mode="grid-constant", cval=0.0)


def affine(images, angles=0.0, shifts=(0.0, 0.0), *, shape: tuple[int, int] | None = None, order: int = 1) -> np.ndarray:
    """Rotate image k by ``angles[k]`` degrees (counter-clockwise, about its centre) and then shift it
    by ``shifts[k] = (dy, dx)`` pixels (down, right); bilinear interpolation (``order=1``; 0:
    nearest, 3: cubic); outside the image is 0, and interpolation runs across the edge (SciPy's
    ``mode="grid-constant"``, Keras' ``fill_mode="constant"``).  A rotation alone equals
    ``scipy.ndimage.rotate(…, reshape=False, mode="grid-constant")``, a shift alone
    ``scipy.ndimage.shift``; both together are one interpolation for the whole batch (one
    ``map_coordinates`` call), not two successive ones."""
    x, out_shape = _images(images, shape)
    order = checks.check_int(order, "order", "[0, 5]")
    theta = np.deg2rad(_per_sample(angles, len(x), 1, "angles"))
    d = _per_sample(shifts, len(x), 2, "shifts")
    return _affine(x, theta, d, order).astype(x.dtype, copy=False).reshape(out_shape)


def translate(images, shifts, *, shape: tuple[int, int] | None = None, order: int = 1) -> np.ndarray:
    """Shift image k by ``shifts[k] = (dy, dx)`` pixels (``scipy.ndimage.shift``, zeros enter)."""
    return affine(images, 0.0, shifts, shape=shape, order=order)


def rotate(images, angles, *, shape: tuple[int, int] | None = None, order: int = 1) -> np.ndarray:
    """Rotate image k by ``angles[k]`` degrees counter-clockwise (``scipy.ndimage.rotate``, ``reshape=False``)."""
    return affine(images, angles, (0.0, 0.0), shape=shape, order=order)


def random_affine(images, *, max_shift: float = 1.0, max_degrees: float = 0.0, integer_shifts: bool = True,
                  shape: tuple[int, int] | None = None, seed=None) -> np.ndarray:
    """A random rotation in ``[−max_degrees, max_degrees]`` and a random shift in
    ``[−max_shift, max_shift]`` pixels per axis for every image (integers if ``integer_shifts``),
    drawn independently per image: the lecture's translation and rotation augmentation."""
    x, _ = _images(images, shape)
    max_shift = checks.check_float(max_shift, "max_shift", "[0, inf)")
    max_degrees = checks.check_float(max_degrees, "max_degrees", "[0, 180]")
    rng = checks.as_generator(seed)
    m = len(x)
    if integer_shifts:
        shifts = rng.integers(-math.floor(max_shift), math.floor(max_shift) + 1, size=(m, 2)).astype(np.float64)
    else:
        shifts = rng.uniform(-max_shift, max_shift, size=(m, 2))
    angles = rng.uniform(-max_degrees, max_degrees, size=m)
    return affine(images, angles, shifts, shape=shape)


def _check_targets(x: np.ndarray, t, name: str = "t") -> np.ndarray:
    t = checks.check_finite(checks.float_array(t, name), name)
    if t.ndim != 2 or len(t) != len(x):
        raise ValueError(f"{name} must have shape (m, classes) with m = {len(x)} (the images), got shape {t.shape}")
    return t


def mixup(x, t, *, alpha: float = 0.2, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Mixup (Zhang et al. 2018): ``λ ~ Beta(alpha, alpha)``, a random partner ``π(i)`` for every
    sample, ``x' = λx + (1 − λ)x_π``, ``t' = λt + (1 − λ)t_π``.  Works on any rows or images."""
    x = checks.check_finite(checks.float_array(x, "x"), "x")
    t = _check_targets(x, t)
    alpha = checks.check_float(alpha, "alpha", "(0, inf)")
    rng = checks.as_generator(seed)
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(len(x))
    return _mix(x, t, lam, perm)


def _mix(x: np.ndarray, t: np.ndarray, lam: float, perm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x_mix = x.dtype.type(lam) * x + x.dtype.type(1 - lam) * x[perm]
    t_mix = t.dtype.type(lam) * t + t.dtype.type(1 - lam) * t[perm]
    return x_mix, t_mix


def cutmix(x, t, *, alpha: float = 1.0, shape: tuple[int, int] | None = None, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """CutMix (Yun et al. 2019): ``λ ~ Beta(alpha, alpha)``; a box of size ``h√(1−λ) × w√(1−λ)``
    (rounded) at a uniformly random centre, clipped to the image, is pasted from the partner
    ``x_π`` into every image; the targets mix by the area actually kept, ``λ' = 1 − box/(hw)``."""
    x, out_shape = _images(x, shape, "x")
    t = _check_targets(x, t)
    alpha = checks.check_float(alpha, "alpha", "(0, inf)")
    rng = checks.as_generator(seed)
    m, h, w = x.shape
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(m)
    cut_h, cut_w = int(h * math.sqrt(1 - lam)), int(w * math.sqrt(1 - lam))
    cy, cx = rng.integers(h), rng.integers(w)
    y0, y1 = np.clip([cy - cut_h // 2, cy + cut_h // 2], 0, h)
    x0, x1 = np.clip([cx - cut_w // 2, cx + cut_w // 2], 0, w)
    mixed = x.copy()
    mixed[:, y0:y1, x0:x1] = x[perm, y0:y1, x0:x1]
    kept = 1 - (y1 - y0) * (x1 - x0) / (h * w)                 # λ': the fraction of the image still x_i
    t_mix = t.dtype.type(kept) * t + t.dtype.type(1 - kept) * t[perm]
    return mixed.reshape(out_shape), t_mix
