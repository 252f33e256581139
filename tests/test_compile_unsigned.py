"""jm.compile of code on unsigned integer arrays (uint8 images, counters): compared with plain
NumPy 2 (values, dtypes, wrap-around, NEP 50 promotion), and required to run as a graph, or to
run as plain Python where janus refuses an unsigned op."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, converted

U8 = np.array([[0, 1, 7, 127], [128, 200, 254, 255]], np.uint8)
V8 = np.array([[3, 0, 255, 128], [1, 100, 2, 255]], np.uint8)


def normalise(img):
    x = img.astype(np.float32) / 255.0
    back = np.clip(x * 255.0 + 0.5, 0, 255).astype(np.uint8)  # round trip to 8 bits
    return (x - x.mean()) / (x.std() + 1e-6), x.max(), img.mean(), img.sum(axis=0), back


def histogram_like(img, edges):
    return np.stack([((img >= lo) & (img < hi)).sum() for lo, hi in zip(edges[:-1], edges[1:])])


def wrap_around(a, b):
    return (a + b, a - b, a * b, a + 1, a - 1, 2 * a, -a, a // b, a % b, np.maximum(a, b),
            np.minimum(a, b), a > b, a <= b, a == b, a & b, a | b, a ^ b, ~a, a >> 3, a << 2,
            np.where(a > b, a, b), np.concatenate([a, b]), a[1, ::-1][:3], a[:, 1:3], a.T,
            a.max(axis=1), a.min(), np.abs(a), a ** b, a ** 3, np.sign(a), np.fmod(a, b),
            np.floor(a), np.isnan(a), np.divmod(a, b), a.cumsum(), np.cumprod(a, axis=1),
            np.cumsum(a, axis=0, dtype=a.dtype), np.argmax(a, axis=1), np.argmin(a),
            np.sort(a, axis=1), np.argsort(a.reshape(-1), kind="stable"), np.median(a))


def casts(a, f, i):
    return (a.astype(np.int8), a.astype(np.int16), a.astype(np.uint16), a.astype(np.uint64),
            a.astype(np.float16), a.astype(np.float64), a.astype(bool), a + i, i.astype(np.uint8),
            f.astype(np.uint8), f.astype(np.uint16), f.astype(np.uint32), (a + 0.5).dtype.name,
            a.astype(np.uint32) * np.uint32(4000000000), f.astype(np.float32).astype(np.uint8),
            (f * 2.0**54 + 2.0**63).astype(np.uint64), -f, (-f).astype(np.uint8),
            (-f).astype(np.uint32), (-f).astype(np.uint64))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64])
def test_wrap_around_arithmetic_compiles(dtype):
    info = np.iinfo(dtype)
    a = np.array([[0, 1, 7, info.max // 2], [info.max // 2 + 1, 200, info.max - 1, info.max]],
                 dtype)
    b = np.array([[3, 0, info.max, 128], [1, 100, 2, info.max]], dtype)
    converted(wrap_around, a, b)


def test_image_normalisation_pipeline_compiles():
    img = np.random.default_rng(0).integers(0, 256, (16, 24), dtype=np.uint8)
    converted(normalise, img)


def test_histogram_like_comparison_compiles():
    img = np.random.default_rng(1).integers(0, 256, (32, 32), dtype=np.uint8)
    converted(histogram_like, img, [0, 64, 128, 192, 256])


def test_casts_to_and_from_unsigned_compile():
    """Floats truncate toward zero; negative ones wrap as NumPy's x86-64 build gives them
    (-1.0 -> 255, through int32 for uint8/16 and int64 for uint32)."""
    f = np.array([[0.0, 1.9, 254.99, 255.0], [-0.0, 17.5, 3.2, 100.7]])
    i = np.array([[-1, 0, 127, 5], [3, -128, 9, 1]], np.int8)
    converted(casts, U8, f, i)


def weak_ints(a):
    return a + 1, a * 2, (a + 255).dtype.name


def overflowing(a):
    return a + 300


def reciprocal(a):
    return np.reciprocal(a)


def test_python_int_promotion_follows_nep50():
    converted(weak_ints, U8)
    compiled = jm.compile(overflowing)
    for _ in range(2):
        check(compiled, U8)  # OverflowError, as NumPy 2 raises
    assert compiled.stats.graph_calls == 0


def test_an_unsigned_op_janus_does_not_convert_runs_as_plain_python():
    compiled = jm.compile(reciprocal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(3):
            check(compiled, U8)
    assert compiled.stats.graph_calls == 0
    assert any("unsigned" in r for r in compiled.reasons), compiled.reasons


LUT = np.arange(256, dtype=np.uint8)[::-1].copy()


def indexing_and_writes(a, s, idx):
    a = a.copy()
    a[0, 1] = 250
    a[1, :2] = np.array([3, 255], np.uint8)
    a += 3
    return (a, a + s, s * 2, LUT[:4] + a[0, :4], np.zeros(3, np.uint8), np.full(2, 7, np.uint16),
            np.clip(a, 10, 200), a[1][idx], a[a > 100], np.nonzero(a > 128), a.reshape(-1)[::3],
            np.stack([a, a[::-1]]), np.broadcast_to(a[0], (3, 4)))


def test_indexing_writes_and_constants_on_uint8_compile():
    converted(indexing_and_writes, U8.copy(), np.uint8(200), np.array([0, 3, -1]))


def compare_out_of_range(a):
    return a > -1, a < 256, a == 300, -5 < a, a != 70000, a <= 2**70


def test_comparisons_with_python_ints_outside_the_dtype_are_exact():
    """NumPy 2 compares uint8 with any Python int exactly; so does the graph (in int64)."""
    converted(compare_out_of_range, U8)
    converted(compare_out_of_range, np.array([0, 1, 2**32 - 1], np.uint32))


def compare_uint64_out_of_range(a):
    return a > -1


def add_python_int(a, n):
    return a + n, a < n


def test_a_run_time_python_int_outside_uint8_raises_overflow_error_as_numpy_does():
    """Once n is a run-time input, a guard checks it fits uint8: 300 and -1 fail it and the
    call re-runs as plain Python, raising NumPy's OverflowError."""
    compiled = jm.compile(add_python_int)
    for n in [1, 2, 3, 4, 5, 300, -1, 7]:
        check(compiled, U8, n)
    assert compiled.stats.graph_calls >= 4, compiled.reasons


def store_int16(a):
    a = a.copy()
    a[1, :2] = np.array([300, -1], np.int16)
    return a


def unique(a):
    return np.unique(a)


@pytest.mark.parametrize("fn", [compare_uint64_out_of_range, store_int16, unique])
def test_what_janus_refuses_on_unsigned_runs_as_plain_python(fn):
    """NumPy 2 compares uint64 with any Python int and stores int16 into uint8 with
    wrap-around; janus refuses these (and unique of unsigned arrays): the calls run as plain
    Python, with the same results."""
    compiled = jm.compile(fn)
    arg = np.array([0, 2**64 - 1], np.uint64) if fn is compare_uint64_out_of_range else U8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(3):
            check(compiled, arg)
    assert compiled.stats.graph_calls == 0
    assert compiled.reasons, compiled.stats


def batch_pipeline(a):
    return a.astype(np.float32) / 255.0, a + 1, a.max(axis=1), a


def test_uint8_batches_of_changing_size_share_one_symbolic_graph():
    compiled = jm.compile(batch_pipeline)
    rng = np.random.default_rng(2)
    for n in [3, 5, 7, 9, 11, 6]:
        check(compiled, rng.integers(0, 256, (n, 4), dtype=np.uint8))
    assert compiled.stats.compilations == 2, compiled.reasons
    assert compiled.stats.graph_calls == 4, compiled.reasons


def loop_wraps(a, n):
    for _ in range(n):
        a = a * 3 + 1
    return a, a > 100


def test_a_uint8_array_carried_through_a_loop_of_varying_trip_count():
    """The trip count becomes a run-time value: the uint8 array is carried by the loop."""
    compiled = jm.compile(loop_wraps)
    a = np.array([1, 2, 200, 255], np.uint8)
    for n in [3, 4, 5, 6, 7, 9]:
        check(compiled, a, n)
    assert compiled.stats.compilations == 2, compiled.reasons
    assert compiled.stats.graph_calls == 4, compiled.reasons


def statistics_and_methods(a):
    total = 0
    if a[0, 0] > 100:  # a branch on a uint8 element
        total = int(a[1, 2]) + 1
    return (np.std(a), np.var(a, axis=0), np.diff(a), np.ptp(a, axis=1), np.count_nonzero(a),
            a[0, 0].item(), float(a[1, 3]), bool(a[0, 1]), total, a.T.copy(), np.flip(a),
            np.tile(a, 2), np.repeat(a, 2), np.roll(a, 1), np.pad(a, 1), np.average(a, axis=0),
            np.all(a), np.any(a > 200), np.logical_not(a), np.linalg.norm(a.astype(np.float32)))


def test_statistics_and_scalar_conversions_of_uint8_compile():
    compiled = jm.compile(statistics_and_methods)
    for _ in range(3):  # the branch needs a second profiled call
        check(compiled, U8)
    assert compiled.stats.graph_calls == 1, compiled.reasons


def item_of_uint64(a):
    return a[0].item()


def test_a_uint64_element_as_a_python_int_runs_as_plain_python():
    compiled = jm.compile(item_of_uint64)
    for _ in range(3):
        check(compiled, np.array([2**64 - 1, 1], np.uint64))
    assert compiled.stats.graph_calls == 0


def uint64_constants(a):
    return (a + (2**64 - 1), a == 2**64 - 1, np.where(a > 5, a, 2**64 - 2),
            np.array([2**64 - 1, 5], np.uint64) - a[:2], a.max(), a.sum(), a // 3)


def test_uint64_values_beyond_int64_compile():
    converted(uint64_constants, np.array([0, 2**64 - 1, 7, 2**63], np.uint64))


def full_beyond_int64(a):
    return np.full(2, 2**64 - 1, np.uint64)


def test_a_fill_beyond_int64_runs_as_plain_python():
    compiled = jm.compile(full_beyond_int64)
    for _ in range(3):
        check(compiled, U8)
    assert compiled.stats.graph_calls == 0
    assert not any("internal error" in r for r in compiled.reasons), compiled.reasons


def arrays_of_dtype(a, n):
    return (np.array([2**64 - 1, 5], np.uint64), np.array([n, 7], np.uint8) + a[:2],
            np.array(3, np.uint8), np.array([1.5, -0.5], np.int32), np.array([[1, 2], [3, 4]],
                                                                               np.uint16))


def test_np_array_with_dtype_converts_each_python_int_as_numpy_does():
    """np.array([n, 7], np.uint8) raises OverflowError for n = 300 (a guard sends that call to
    plain Python); np.array([2**64 - 1, 5], np.uint64) is exact, not a float64 cast."""
    compiled = jm.compile(arrays_of_dtype)
    for n in [1, 2, 3, 4, 300, 5]:
        check(compiled, U8[0], n)
    assert compiled.stats.graph_calls >= 3, compiled.reasons


def array_out_of_range(a):
    return np.array([300, 1], np.uint8)


def test_np_array_of_an_int_outside_the_dtype_runs_as_plain_python():
    compiled = jm.compile(array_out_of_range)
    for _ in range(3):
        check(compiled, U8)
    assert compiled.stats.graph_calls == 0


def counts_at(a, idx):
    h = np.zeros(4, np.uint8)
    np.add.at(h, idx, 200)  # wraps at 256
    m = a.copy()
    np.maximum.at(m, idx, np.uint8(130))
    b = a.copy()
    b[idx] = 250
    return h, m, b


def test_ufunc_at_and_fancy_writes_on_uint8_compile():
    converted(counts_at, U8[1], np.array([0, 1, 1, 3, 1]))


def products(a, b, w):
    return (a @ b.T, np.dot(a[0], b[1]), np.outer(a[0], b[1]), np.einsum("ij,ij->i", a, b),
            np.tensordot(a, b, axes=([1], [1])), np.inner(a, b), a.astype(np.uint16) @ b.T,
            np.matmul(a, w), a @ b[0], np.einsum("ii->", a[:, :2]), np.dot(a, b.T) + np.uint8(1))


def test_products_and_sums_of_unsigned_arrays_wrap_as_numpy_does():
    """matmul, dot, outer, einsum, tensordot and inner on uint8 values of 128 and above: the
    products and sums wrap at 256 (uint16 at 65536) as NumPy's loops do; uint8 with int8
    promotes to int16."""
    converted(products, U8, V8, np.array([[1, -1], [2, 0], [-128, 127], [3, 5]], np.int8))
    big = np.full((2, 3), 2**32 - 1, np.uint32)
    converted(products, big, big, np.ones((3, 2), np.int64))
