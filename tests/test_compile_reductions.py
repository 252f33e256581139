"""jm.compile on reductions, scans, statistics and sorting, compared with plain NumPy.

Each function is called twice through the oracle: the first call is profiled (plain Python),
the second is answered by the graph, so `graph_calls == 1` shows the conversion. Functions
return several results at once to keep the number of compiled graphs small. The fallback
cases check that what cannot match NumPy exactly (implementation-defined orders, data-dependent
sizes, writes to the caller's arrays) runs as plain Python.
"""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, stats

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

RNG = np.random.default_rng(3)
F32 = RNG.standard_normal((4, 6)).astype(np.float32)
F32_NAN = F32.copy()
F32_NAN[0, :] = np.nan  # an all-NaN row
F32_NAN[2, [1, 4]] = np.nan
F64 = RNG.uniform(-5, 5, (4, 6))
I32 = RNG.integers(-6, 7, (4, 6)).astype(np.int32)
TIED = np.round(F32 * 2)  # many ties


def converted(fn, *args) -> jm.JanusFunction:
    """`fn` compiled; its second call must be answered by the graph."""
    f = jm.compile(fn)
    check(f, *args)
    check(f, *args)
    assert stats(f)[1] == 1, f.reasons[-3:]
    return f


def not_converted(fn, *args) -> jm.JanusFunction:
    """`fn` compiled; no call is answered by a graph (a reason or a failed guard), and every
    call still equals plain Python."""
    f = jm.compile(fn)
    check(f, *args)
    check(f, *args)
    assert stats(f)[1] == 0
    return f


# ---------------------------------------------------------------------------------------------
# Scans
# ---------------------------------------------------------------------------------------------


def scans(x):
    return (np.cumsum(x), np.cumsum(x, axis=0), x.cumsum(-1), np.cumprod(x, axis=1),
            x.cumprod(), np.cumsum(x, axis=1, dtype=np.float64))


def diffs(x):
    return (np.diff(x), np.diff(x, axis=0), np.diff(x, n=2, prepend=0),
            np.diff(x, axis=0, append=x[:1]), np.diff(x > 0), np.diff(x, n=9))


@pytest.mark.parametrize("x", [F32, I32, F32_NAN], ids=["f32", "i32", "nan"])
def test_scans_and_diff(x) -> None:
    converted(scans, x)
    converted(diffs, x)


def long_cumsum(x):
    return np.cumsum(x)


def test_long_float32_cumsum_matches_numpy_exactly() -> None:
    x = RNG.uniform(0, 1, 100000).astype(np.float32)
    f = converted(long_cumsum, x)
    np.testing.assert_array_equal(f(x), np.cumsum(x))


# ---------------------------------------------------------------------------------------------
# Reductions: keepdims, where=, initial=, var/std, all/any, argmax/argmin
# ---------------------------------------------------------------------------------------------


def reductions(x):
    return (np.sum(x, axis=1, keepdims=True), np.var(x, axis=0, ddof=1), np.std(x, ddof=2),
            np.var(x, axis=(0, 1), keepdims=True), np.all(x > -1, axis=0),
            np.any(x > 1, axis=1, keepdims=True), np.argmax(x, axis=1, keepdims=True),
            np.argmin(x, keepdims=True), x.max(axis=0, keepdims=True))


def masked_reductions(x):
    return (np.sum(x, where=x > 0), x.sum(axis=1, where=x < 0, keepdims=True),
            np.prod(x, axis=0, where=x != 0), np.max(x, axis=1, where=x < 0, initial=-50),
            np.min(x, initial=0), np.sum(x, initial=10), x.prod(axis=1, initial=2),
            np.all(x, axis=0, where=x > 1), np.any(x, where=x > 100),
            np.max(x[:, :0], axis=1, initial=7), np.mean(x, where=x > 0),
            x.mean(axis=1, where=x < 0, keepdims=True), np.mean(x, axis=0, where=x > 100),
            np.mean(x, axis=1, dtype=np.float32, where=x != 0))


@pytest.mark.parametrize("x", [F32, I32, F64], ids=["f32", "i32", "f64"])
def test_reductions_keepdims_where_initial(x) -> None:
    converted(reductions, x)
    converted(masked_reductions, x)


def test_float16_masked_reductions() -> None:
    converted(masked_reductions, np.round(F32 * 4).astype(np.float16) / 4)


def max_where_without_initial(x):
    return np.max(x, where=x > 0)


def test_max_with_where_needs_initial() -> None:
    not_converted(max_where_without_initial, F32)


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------


def statistics(x):
    return (np.ptp(x), np.ptp(x, axis=1, keepdims=True), np.count_nonzero(x),
            np.count_nonzero(x > 0, axis=0), np.count_nonzero(x, axis=1, keepdims=True),
            np.average(x), np.average(x, axis=0, returned=True),
            np.average(x, axis=1, weights=np.arange(6.0) + 1, returned=True),
            np.average(x, weights=x * x + 1, keepdims=True))


def quantiles(x):
    return (np.median(x), np.median(x, axis=0), np.median(x[:, :5], axis=1, keepdims=True),
            np.quantile(x, 0.3), np.quantile(x, [0.1, 0.5, 0.9], axis=1),
            np.percentile(x, 75, axis=0, keepdims=True), np.quantile(x, np.float64(0.25), axis=1),
            np.percentile(x, np.array([10.0, 60.0, 100.0])), np.quantile(x, 1.0, axis=0))


@pytest.mark.parametrize("x", [F32, I32, F32_NAN, F64], ids=["f32", "i32", "nan", "f64"])
def test_statistics(x) -> None:
    converted(statistics, x)
    converted(quantiles, x)


def overwrites(x, fn, q):
    y = x * 2  # an array the function owns: NumPy partially sorts it in place
    r = fn(y, axis=0, overwrite_input=True) if q is None else fn(y, q, overwrite_input=True)
    return r, y


@pytest.mark.parametrize("fn,q", [(np.median, None), (np.quantile, 0.3),
                                  (np.percentile, 40.0)], ids=["median", "quantile", "pct"])
def test_overwrite_input_runs_as_plain_python(fn, q) -> None:
    f = jm.compile(overwrites)
    for _ in range(2):
        check(f, F32, fn, q)
    assert f.stats.graph_calls == 0
    assert any("overwrite_input=True" in str(r) for r in f.reasons), f.reasons


def nan_reductions(x):
    return (np.nansum(x), np.nansum(x, axis=1), np.nanprod(x, axis=0, keepdims=True),
            np.nanmax(x, axis=1), np.nanmin(x), np.nanmean(x), np.nanmean(x, axis=1),
            np.nanmean(x, axis=0, keepdims=True), np.nanvar(x), np.nanvar(x, axis=1),
            np.nanstd(x, axis=0, ddof=1), np.nanstd(x, axis=1, ddof=4, keepdims=True))


@pytest.mark.parametrize("x", [F32, F32_NAN, I32], ids=["f32", "nan", "i32"])
def test_nan_reductions(x) -> None:
    converted(nan_reductions, x)


def masked_mean(x, m, xn):
    return ((x * m).sum() / m.sum(), (x * m).sum(axis=1) / m.sum(axis=1), np.nanmean(xn, axis=1),
            np.nanmean(np.where(m > 0, x, np.nan), axis=0), np.mean(x, where=m > 0))


def test_masked_mean() -> None:
    converted(masked_mean, F32, (F32 > 0).astype(np.float32), F32_NAN)


def weights_summing_to_zero(x, w):
    return np.average(x, axis=0, weights=w)


def test_average_guards_weights_summing_to_zero() -> None:
    f = converted(weights_summing_to_zero, F64, np.array([1.0, 2.0, 3.0, 4.0]))
    check(f, F64, np.array([1.0, -1.0, 2.0, -2.0]))  # ZeroDivisionError, as plain Python
    assert stats(f)[3] == 1


# ---------------------------------------------------------------------------------------------
# Sorting
# ---------------------------------------------------------------------------------------------


def sorting(x):
    return (np.sort(x), np.sort(x, axis=0), np.sort(x, axis=None), np.argsort(x, kind="stable"),
            np.argsort(x, axis=0, stable=True), x.argsort(axis=None, kind="mergesort"))


def topk(x):
    return np.argsort(x, axis=-1)[:, ::-1][:, :3], np.argsort(-x)[:, :2]


def sort_in_place(x):
    y = x * 2
    y.sort(axis=0)
    z = x + 1
    z[1].sort()
    return y, z


def searching(x):
    edges = np.sort(x[0])
    return (np.searchsorted(edges, x), np.searchsorted(edges, 0.5, side="right"),
            x[1].searchsorted(x[2], sorter=np.argsort(x[1], kind="stable")))


@pytest.mark.parametrize("x", [F32, TIED, I32, F32_NAN], ids=["f32", "tied", "i32", "nan"])
def test_sorting(x) -> None:
    converted(sorting, x)
    converted(sort_in_place, x)
    converted(searching, x)


def test_topk_via_argsort() -> None:
    converted(topk, F32)  # no ties: NumPy's default argsort order is the only one


def test_default_argsort_with_ties_runs_as_plain_python() -> None:
    f = jm.compile(topk)
    check(f, F32)
    check(f, F32)
    check(f, TIED)  # ties: the graph's guard fails, the call re-runs as plain Python
    assert stats(f)[1:4] == (1, 2, 1)


def unsorted_search(a, v):
    return np.searchsorted(a, v)


def test_searchsorted_guards_a_sorted_array() -> None:
    f = converted(unsorted_search, np.array([1.0, 2.0, 3.0]), np.array([2.5]))
    check(f, np.array([3.0, 1.0, 2.0]), np.array([2.5]))
    assert stats(f)[3] == 1


def partition(x):
    return np.partition(x, 2)


def argpartition(x):
    return np.argpartition(x, 1, axis=0)


def sort_caller_array(x):
    x.sort()
    return x


def test_sort_of_the_callers_array_is_written_back() -> None:
    f = jm.compile(sort_caller_array)
    for _ in range(3):
        check(f, F32)
    assert f.stats.graph_calls == 2, f.reasons


@pytest.mark.parametrize("fn", [partition, argpartition])
def test_not_converted(fn) -> None:
    f = not_converted(fn, F32)
    assert f.reasons


def ptp_method(x):
    return x.ptp()  # NumPy 2 has no ndarray.ptp: AttributeError, as in plain Python


def test_ndarray_ptp_does_not_exist() -> None:
    not_converted(ptp_method, F32)


# ---------------------------------------------------------------------------------------------
# Edge values: zero-size dims, inf and NaN, negative axes, 0-d inputs
# ---------------------------------------------------------------------------------------------

INF = np.array([[np.inf, -np.inf, 1.0, 2.0], [np.nan, np.inf, np.inf, -0.0],
                [0.0, -np.inf, np.nan, 3.0]], np.float32)


def on_zero_size(x):
    return (np.cumsum(x, axis=-2), np.diff(x, axis=-1), np.nansum(x, axis=0), np.nanmean(x, axis=-2),
            np.nanvar(x, axis=0), np.count_nonzero(x, axis=-1), np.sort(x, axis=-2),
            np.argsort(x, axis=0, kind="stable"), np.sum(x, axis=0, where=x > 0, initial=1),
            np.cumprod(x))


@pytest.mark.parametrize("shape", [(0, 4), (3, 0), (0, 0)])
def test_zero_size_arrays(shape) -> None:
    converted(on_zero_size, np.zeros(shape, np.float32))


def on_specials(x):
    return (np.cumsum(x, axis=-1), np.cumprod(x, axis=-2), np.diff(x, axis=-2), np.ptp(x, axis=-1),
            np.median(x, axis=-1), np.quantile(x, [0.0, 0.5, 1.0], axis=-2), np.nanmax(x, axis=-1),
            np.nanmin(x, axis=-2), np.nanmean(x, axis=-1), np.nanstd(x), np.sort(x, axis=-1),
            np.argsort(x, axis=-2, kind="stable"), np.searchsorted(np.sort(x[0]), x))


def test_inf_nan_and_negative_axes() -> None:
    converted(on_specials, INF)


def on_scalars(s):
    return np.cumsum(s), np.cumsum(s, axis=-1), np.cumprod(s, axis=0), np.diff(s, n=0)


def test_zero_d_and_n_zero_diff() -> None:
    converted(on_scalars, np.array(2.5, np.float32))
    converted(diff_n0, F32)


def diff_n0(x):
    return np.diff(x, n=0)  # the array itself, as in NumPy


# ---------------------------------------------------------------------------------------------
# Gathers feeding reductions (IREE 3.13 fuses them wrongly: ops/sorting.py `barrier`)
# ---------------------------------------------------------------------------------------------


def gathered_then_reduced(x):
    edges = np.take(x[1], np.array([0, 2, 5, 1, 4, 3]))
    order = np.argsort(x, axis=1, kind="stable")
    return (np.searchsorted(np.sort(edges), x[2]), np.sort(x, axis=1)[:, -1].max(),
            order.sum(axis=0), np.quantile(x, [0.2, 0.8], axis=1).sum(axis=1),
            np.median(x, axis=0).max())


def test_sorted_and_gathered_values_feed_reductions() -> None:
    converted(gathered_then_reduced, F32)


def float_extrema(x):
    return x.max(), x.min(), x.max(axis=0), x.min(axis=1), np.amax(x, axis=0, keepdims=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_max_min_over_integer_keys_keep_numpys_nan_zero_and_inf(dtype):
    """max/min reduce order-preserving integer keys: NaN still wins, -0.0 < +0.0, infs stay."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((37, 300)).astype(dtype)
    f = jm.compile(float_extrema)
    for v in (x, np.where(x > 1.5, np.nan, x), -np.abs(x), np.where(x > 0, -0.0, 0.0),
              np.full(x.shape, -np.inf), np.full(x.shape, np.inf)):
        check(f, v.astype(dtype))
    assert f.stats.graph_calls == 5, f.reasons


def sums_with_dtype(x, u):
    return (x.sum(dtype=np.int32), np.prod(x, dtype=np.int8), x.sum(axis=0, dtype=np.int16),
            np.nansum(x, dtype=np.int32), x.sum(dtype=bool), np.mean(x, dtype=np.float32),
            u.sum(dtype=np.uint8), u.prod(axis=1, dtype=np.uint16))


def test_sum_and_prod_with_dtype_return_that_dtype_wrapped():
    """NumPy accumulates in the dtype= given (int32 stays int32, uint8 wraps at 256); janus sums
    small ints in 64 bits and casts the result to it, the same low bits."""
    x = np.array([[100, 120, 7], [-3, 100, 5]], np.int32) * 10**6
    converted(sums_with_dtype, x, np.array([[200, 100, 255], [3, 250, 9]], np.uint8))


def mean_in_int(x):
    return np.mean(x, dtype=np.int64)


def test_mean_with_an_integer_dtype_runs_as_plain_python():
    not_converted(mean_in_int, I32)
