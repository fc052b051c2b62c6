"""Tests for lib/augmentation.py: rotations and shifts equal to scipy.ndimage and to Keras'
RandomRotation / RandomTranslation (fill_mode="constant"), mixup and CutMix targets, dtype, and bad
input.  Training on transformed mini-batches is lib.training.fit(…, batch_transform=…), tested in
tests/test_training.py."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from lib import augmentation as A
from lib.data import load_digits


def _digits(m=20, dtype=np.float64):
    return load_digits(seed=0).X_train[:m].reshape(-1, 8, 8).astype(dtype)


@pytest.mark.parametrize("angle", [-30.0, -7.5, 0.0, 12.0, 45.0, 90.0, 180.0])
def test_rotate_equals_scipy_ndimage_rotate(angle):
    x = _digits()
    ref = np.stack([ndimage.rotate(i, angle, reshape=False, order=1, mode="grid-constant") for i in x])
    np.testing.assert_allclose(A.rotate(x, angle), ref, atol=1e-12)


@given(dy=st.floats(-3, 3), dx=st.floats(-3, 3))
@settings(max_examples=25, deadline=None)
def test_translate_equals_scipy_ndimage_shift(dy, dx):
    x = _digits(5)
    ref = np.stack([ndimage.shift(i, (dy, dx), order=1, mode="grid-constant") for i in x])
    np.testing.assert_allclose(A.translate(x, (dy, dx)), ref, atol=1e-12)


def test_integer_shift_moves_pixels_exactly_and_zeros_enter():
    x = np.arange(16.0).reshape(1, 4, 4) + 1
    out = A.translate(x, (1, -2))
    expected = np.zeros_like(x)
    expected[0, 1:, :2] = x[0, :-1, 2:]          # down 1, left 2, by hand
    np.testing.assert_array_equal(out, expected)


def test_per_image_parameters_and_rows_with_shape():
    x = _digits(3)
    out = A.affine(x.reshape(3, 64), [0.0, 90.0, 10.0], [(0, 0), (0, 0), (1, 0)], shape=(8, 8))
    assert out.shape == (3, 64)
    np.testing.assert_allclose(out[0], x[0].ravel())
    np.testing.assert_allclose(out[1].reshape(8, 8), np.rot90(x[1]), atol=1e-12)   # 90° counter-clockwise
    ref = ndimage.shift(ndimage.rotate(x[2], 10.0, reshape=False, order=1, mode="grid-constant"), (1, 0), order=1,
                        mode="grid-constant")
    # one interpolation instead of two: equal away from the border row that the shift brings in
    np.testing.assert_allclose(out[2].reshape(8, 8)[1:], ref[1:], atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_in_equals_dtype_out(dtype):
    x = _digits(4, dtype)
    assert A.rotate(x, 10.0).dtype == dtype
    assert A.random_affine(x, max_shift=1, max_degrees=15, seed=0).dtype == dtype
    t = np.eye(10, dtype=dtype)[:4]
    assert all(a.dtype == dtype for a in A.mixup(x.reshape(4, 64), t, seed=0))
    assert all(a.dtype == dtype for a in A.cutmix(x, t, seed=0))


def test_caller_data_untouched():
    x = _digits(6)
    t = np.eye(10)[:6]
    x0, t0 = x.copy(), t.copy()
    A.random_affine(x, max_shift=1, max_degrees=20, seed=1)
    A.mixup(x, t, seed=1)
    A.cutmix(x, t, seed=1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(t, t0)


@pytest.mark.parametrize("factors", [(1 / 8, 0.0), (-2 / 8, 1 / 8), (0.0, -3 / 8)])
def test_translation_equals_keras_random_translation(keras, factors):
    fy, fx = factors
    x = _digits(16, np.float32)
    layer = keras.layers.RandomTranslation((fy, fy), (fx, fx), fill_mode="constant", interpolation="bilinear", seed=0)
    theirs = np.asarray(layer(x[..., None], training=True))[..., 0]
    np.testing.assert_allclose(A.translate(x, (8 * fy, 8 * fx)), theirs, atol=1e-6)


@pytest.mark.parametrize("degrees", [-25.0, 10.0, 33.0])
def test_rotation_equals_keras_random_rotation(keras, degrees):
    x = _digits(16, np.float32)
    layer = keras.layers.RandomRotation((degrees / 360, degrees / 360), fill_mode="constant", interpolation="bilinear",
                                        seed=0)
    theirs = np.asarray(layer(x[..., None], training=True))[..., 0]
    np.testing.assert_allclose(A.rotate(x, degrees), theirs, atol=1e-5)


def test_random_affine_draws_within_range_and_is_reproducible():
    x = _digits(200)
    a = A.random_affine(x, max_shift=1, seed=3)
    b = A.random_affine(x, max_shift=1, seed=3)
    np.testing.assert_array_equal(a, b)
    # every integer shift of at most one pixel is one of the 9 shifted versions of its image
    views = np.stack([A.translate(x, (dy, dx)) for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    assert all(any(np.array_equal(a[k], v[k]) for v in views) for k in range(len(x)))
    assert not np.array_equal(a, x)


def test_mixup_is_a_convex_combination_of_pairs():
    rng = np.random.default_rng(0)
    x, t = rng.random((10, 5)), np.eye(3)[rng.integers(0, 3, 10)]
    xm, tm = A.mixup(x, t, alpha=0.4, seed=7)
    r = np.random.default_rng(7)
    lam, perm = r.beta(0.4, 0.4), r.permutation(10)     # the draws mixup makes, in its order
    np.testing.assert_allclose(xm, lam * x + (1 - lam) * x[perm])
    np.testing.assert_allclose(tm, lam * t + (1 - lam) * t[perm])
    np.testing.assert_allclose(tm.sum(axis=1), 1)


def test_cutmix_targets_are_the_pasted_area():
    rng = np.random.default_rng(0)
    for seed in range(50):
        x = rng.random((6, 8, 8)) + 1                  # no zeros: every pasted pixel changes
        t = np.eye(6)                                   # sample k is class k: its weight is the kept area
        xc, tc = A.cutmix(x, t, alpha=1.0, seed=seed)
        perm = np.random.default_rng(seed)
        perm.beta(1.0, 1.0)
        perm = perm.permutation(6)
        for k in range(6):
            if perm[k] == k:
                continue
            kept = np.mean(xc[k] == x[k])
            assert tc[k, k] == pytest.approx(kept)
            assert tc[k, perm[k]] == pytest.approx(1 - kept)
        np.testing.assert_allclose(tc.sum(axis=1), 1)


@pytest.mark.parametrize("call, match", [
    (lambda: A.rotate(np.zeros((2, 64)), 10.0), "shape \\(m, h, w\\)"),
    (lambda: A.rotate(np.zeros((2, 64)), 10.0, shape=(8, 7)), "rows of shape \\(m, 56\\)"),
    (lambda: A.rotate(np.zeros((2, 8, 8)), [1.0, 2.0, 3.0]), "angles must have shape \\(2,\\)"),
    (lambda: A.translate(np.zeros((2, 8, 8)), (1.0, 2.0, 3.0)), "shifts must have shape"),
    (lambda: A.random_affine(np.zeros((2, 8, 8)), max_shift=-1), "max_shift"),
    (lambda: A.mixup(np.zeros((3, 4)), np.eye(2)), "t must have shape \\(m, classes\\) with m = 3"),
    (lambda: A.mixup(np.zeros((2, 4)), np.eye(2), alpha=0.0), "alpha"),
    (lambda: A.rotate(np.full((1, 8, 8), np.nan), 1.0), "images"),
])
def test_bad_input_raises_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
