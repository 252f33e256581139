"""numpy.nanmedian, numpy.nanquantile and numpy.nanpercentile inside compiled functions,
compared with plain NumPy: NaNs anywhere, all-NaN slices (NaN), axis=None/int/keepdims, q as a
scalar or an array, every float dtype, and the paths NumPy takes (np.median of the non-NaN
values for a flattened array or a long axis, np.ma.median along a short one)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, converted

NAN = np.nan
A = np.array([[1.0, NAN, 3.0, 2.5, NAN], [NAN, NAN, NAN, NAN, NAN], [4.0, -1.0, NAN, 7.0, 8.0],
              [np.inf, 2.0, NAN, -0.0, 1e30]])


def medians(a):
    return (np.nanmedian(a), np.nanmedian(a, axis=0), np.nanmedian(a, axis=1),
            np.nanmedian(a, axis=-1, keepdims=True), np.nanmedian(a, keepdims=True),
            np.nanmedian(a[0]), np.nanmedian(a[1]), np.nanmedian(a, axis=(0,)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_nanmedian_matches_numpy(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        converted(medians, A.astype(dtype), graph_calls=2)


def quantiles(a):
    return (np.nanquantile(a, 0.3), np.nanquantile(a, [0.0, 0.25, 0.5, 1.0], axis=0),
            np.nanquantile(a, 0.75, axis=1, keepdims=True), np.nanpercentile(a, 40),
            np.nanpercentile(a, [10, 90.5], axis=1), np.nanquantile(a[1], 1.0),
            np.nanquantile(a, np.array([[0.1, 0.9]]), axis=1), np.nanpercentile(a[0], 50))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_nanquantile_and_nanpercentile_match_numpy(dtype):
    """A scalar q keeps the array's dtype (a weak weight); an array q computes in float64."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        converted(quantiles, A.astype(dtype), graph_calls=2)


def median_paths(a):
    return np.nanmedian(a, axis=1), np.nanmedian(a[0]), np.nanmedian(a, axis=0)


def test_nanmedian_takes_numpys_path_for_each_axis_length():
    """Along an axis shorter than 600 NumPy halves low + high in the array's dtype (an odd
    count adds the middle value to itself, so 1e308 overflows to inf); flattened or 1-D it takes
    the middle value; along 600 or more it is np.median per slice."""
    huge = np.array([[1e308, 1e308, 1e308, NAN], [1.0, 2.0, 3.0, 4.0]])
    converted(median_paths, huge, graph_calls=2)
    rng = np.random.default_rng(1)
    long = rng.standard_normal((3, 700))
    long[rng.random(long.shape) < 0.3] = NAN
    long[1] = NAN
    converted(median_paths, long, graph_calls=2)
    converted(median_paths, long.astype(np.float16), graph_calls=2)


def quantile_array_q(a):
    return np.nanquantile(a, np.array([0.5, 0.1]), axis=1)


def test_an_all_nan_first_slice_that_would_set_numpys_dtype_runs_as_plain_python():
    """float32 data with float64 q: NumPy's all-NaN first slice gives a float32 NaN, and
    apply_along_axis then makes the whole result float32; the graph guards it is not all NaN."""
    f = jm.compile(quantile_array_q)
    good = np.array([[1.0, 2.0], [NAN, NAN]], np.float32)
    bad = good[::-1].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for a in (good, good, good, bad, good):
            check(f, a)
    assert f.stats.graph_calls == 3, f.reasons
    assert f.stats.fallbacks == 1, f.reasons


def integers(a):
    return (np.nanmedian(a, axis=1), np.nanquantile(a, 0.4), np.nanpercentile(a, [5, 50], axis=0),
            np.nanmedian(a))


def test_on_integers_the_nan_functions_are_the_plain_ones():
    converted(integers, np.random.default_rng(2).integers(-5, 5, (4, 6)), graph_calls=2)


def overwrite(a):
    return np.nanmedian(a, overwrite_input=True)


def several_axes(a):
    return np.nanquantile(a, 0.5, axis=(0, 1))


def other_method(a):
    return np.nanpercentile(a, 50, method="nearest")


@pytest.mark.parametrize("fn, reason", [
    (overwrite, "overwrite_input=True"), (several_axes, "several axes"),
    (other_method, "only method='linear'")])
def test_what_is_not_converted_runs_as_plain_python(fn, reason):
    f = jm.compile(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(3):
            check(f, A.copy())
    assert f.stats.graph_calls == 0
    assert any(reason in r for r in f.reasons), f.reasons
