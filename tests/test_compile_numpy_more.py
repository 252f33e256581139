"""More NumPy 2 functions through `jm.compile`: select, digitize, isneginf/isposinf,
cumulative_sum/cumulative_prod, vecdot/matvec/vecmat, trapezoid, polyval, unravel_index, the
index helpers computed from constants (triu_indices, ix_, ...), ufunc.reduce and
ufunc.accumulate, and the reason given for out=. Each is compared with the plain function by
the oracle (values, dtypes, result kinds, views and aliasing, exceptions) over edge values (NaN,
inf, empty arrays, negative axes, int/bool/float32/float64 dtypes) and shown to run as a graph
on its second call; what is not converted runs as plain Python with a reason, and what NumPy
raises the call raises.
"""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, check_plain, converted, load_source

# NaN and inf inputs make NumPy warn (inf * 0 in polyval, inf - inf in cumsum): not compared.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

RNG = np.random.default_rng(5)
F = np.array([-np.inf, -2.0, -0.0, 0.0, 1.0, 1.5, 2.0, np.nan, np.inf])
F32 = RNG.standard_normal((3, 4)).astype(np.float32)
A34 = RNG.standard_normal((3, 4))
I34 = RNG.integers(-5, 5, (3, 4))
I8 = np.array([1, 100, -3, 5, 127, -128], dtype=np.int8)
U8 = np.array([0, 3, 255, 9, 17], dtype=np.uint8)
BOOLS = np.array([True, False, True, True])
EMPTY = np.zeros((0, 3))
BINS = np.array([-1.0, 1.0, 1.0, 3.0])
V3 = np.array([1.0, -2.0, 0.5])
M23 = np.arange(6.0).reshape(2, 3) - 1.5

CONVERTED = [
    # select: the first true condition wins, dtypes from choices and default (Python numbers
    # weakly), broadcasting, 0-d results, arrays as lists of rows
    ("x", "np.select([x > 0, x < -1], [x, -x], default=5)", (F,)),
    ("x", "np.select([x > 0, x > 1], [x, x ** 2])", (F,)),
    ("a", "np.select([a > 0], [a], 300), np.select([a > 0], [300], a)", (I8,)),
    ("a", "np.select([a > 0], [a], 1.5), np.select([a < 0], [a], np.float32(2))", (I8,)),
    ("x", "np.select([x > 0, x < 1], [x, 2.5], x[0])", (A34,)),
    ("x", "np.select([x > 0], [x], x[:, :1])", (F32,)),
    ("x", "np.select([x[0] > 0], [x])", (A34,)),
    ("x", "np.select([True], [1]), np.select([x[0] > 0], [x[0]])", (F,)),
    ("b", "np.select([b, ~b], [b, 2], 7)", (BOOLS,)),
    ("x", "np.select(x > 0, x)", (A34,)),
    ("x", "np.select([x > 0], [x.astype(np.float16)], 1e4 + 3)", (F,)),
    ("x", "np.select([x > 0], [x])", (EMPTY,)),
    # digitize: constant bins (increasing, decreasing, ties, empty), graph bins, right=, NaN x
    ("x", "np.digitize(x, [1, 2]), np.digitize(x, [1, 2], right=True)", (F,)),
    ("x", "np.digitize(x, [2, 1]), np.digitize(x, [2, 1], right=True)", (F,)),
    ("x", "np.digitize(x, [1.0, 1.0]), np.digitize(x, []), np.digitize(x, [3, 3, -1])", (F,)),
    ("x", "np.digitize(x[4], [1, 2]), np.digitize(1.5, [1, 2])", (F,)),
    ("x, bins", "np.digitize(x, bins), np.digitize(x, bins, True)", (F, BINS)),
    ("a, bins", "np.digitize(a, bins)", (I8, BINS)),
    ("a, bins", "np.digitize(a, bins)", (I34, np.array([-2, 0, 3]))),
    ("a", "np.digitize(a, [0, 100])", (U8,)),
    ("a, bins", "np.digitize(a, bins[:0]), np.digitize(a, bins[:1])", (A34, BINS)),
    ("b", "np.digitize(b, [0, 1])", (BOOLS,)),
    # isneginf / isposinf: signed infinities, ints and bools, scalars
    ("x", "np.isneginf(x), np.isposinf(x)", (F,)),
    ("x", "np.isneginf(x), np.isposinf(x)", (F.astype(np.float32),)),
    ("a", "np.isneginf(a), np.isposinf(a)", (I8,)),
    ("b", "np.isneginf(b), np.isposinf(b)", (BOOLS,)),
    ("x", "np.isneginf(x[0]), np.isposinf(x[-1]), np.isposinf(float(x[-1]))", (F,)),
    ("x", "np.isposinf([1.0, np.inf]), np.isneginf(-np.inf), np.isposinf(x)", (EMPTY,)),
    # cumulative_sum / cumulative_prod: at least 1-d, axis, dtype, include_initial
    ("x", "np.cumulative_sum(x), np.cumulative_prod(x)", (F,)),
    ("a", "np.cumulative_sum(a), np.cumulative_prod(a, include_initial=True)", (I8,)),
    ("a", "np.cumulative_sum(a, dtype=np.int8), np.cumulative_sum(a, include_initial=True)",
     (U8,)),
    ("b", "np.cumulative_sum(b, include_initial=True), "
     "np.cumulative_prod(b, dtype=np.bool_, include_initial=True)", (BOOLS,)),
    ("x", "np.cumulative_sum(x, axis=-1, include_initial=True), "
     "np.cumulative_prod(x, axis=0)", (A34,)),
    ("x", "np.cumulative_sum(x, axis=(0,)), np.cumulative_prod(x, axis=1, dtype=np.float64)",
     (F32,)),
    ("x", "np.cumulative_sum(x[0, 0]), np.cumulative_prod(3, include_initial=True)", (F32,)),
    ("x", "np.cumulative_sum(x, axis=0, include_initial=True), "
     "np.cumulative_prod(x, axis=1, include_initial=True)", (EMPTY,)),
    # vecdot / matvec / vecmat: loop dtypes, broadcast loop dims, axis=, keepdims=, empty
    ("a, v", "np.vecdot(a, v), np.vecdot(v, v), np.vecdot(a, a, axis=0)", (M23, V3)),
    ("a, v", "np.vecdot(a, v, keepdims=True), np.vecdot(a, a, axis=0, keepdims=True)",
     (M23, V3)),
    ("a", "np.vecdot(a[:, None, :], a[None, :2, :])", (A34,)),
    ("a", "np.vecdot(a, a), np.vecdot(a, a.astype(np.uint8))", (I8,)),
    ("a", "np.vecdot(a, a), np.vecdot(a, a[::-1].copy())", (BOOLS,)),
    ("a, v", "np.vecdot(a, v)", (F32, A34[0])),
    ("a", "np.vecdot(a, a[0])", (EMPTY.T,)),
    ("a, v", "np.matvec(a, v), np.matvec(a, a), np.matvec(a[None], a[:, None])", (M23, V3)),
    ("a, v", "np.vecmat(v[:2], a), np.vecmat(a, a.T)", (M23, V3)),
    ("a", "np.matvec(a, a[0]), np.vecmat(a[:, 0], a)", (I34,)),
    ("a, b", "np.matvec(a, b), np.vecmat(b[:3], a)", (F32, BOOLS)),
    # trapezoid: dx, 1-d and n-d x, axes, ints and bools in float64, float32, short axes
    ("y", "np.trapezoid(y), np.trapezoid(y, axis=0), np.trapezoid(y, dx=0.5)", (A34,)),
    ("y", "np.trapezoid(y, x=[0, 1, 3, 4]), np.trapezoid(y, x=y), np.trapezoid(y, x=[0, 2])",
     (A34,)),
    ("y", "np.trapezoid(y, x=[0, 1, 2], axis=-2), np.trapezoid(y, dx=np.float32(2))", (F32,)),
    ("y", "np.trapezoid(y), np.trapezoid(y > 0)", (I8,)),
    ("y", "np.trapezoid(y), np.trapezoid(y[:1]), np.trapezoid(y[:0]), np.trapezoid([1, 2, 3])",
     (F,)),
    ("y", "np.trapezoid(y, axis=0), np.trapezoid(y)", (EMPTY,)),
    ("y, d", "np.trapezoid(y, dx=d)", (A34, 0.25)),
    # polyval: Horner in NumPy's dtypes, constant and graph coefficients, scalars, empty p
    ("x", "np.polyval([1, 2, 3], x), np.polyval([1.5], x), np.polyval([], x)", (F,)),
    ("x", "np.polyval([1, 2, 3], 2), np.polyval([1, 2], 2.0), np.polyval([], 2.0)", (F,)),
    ("p, x", "np.polyval(p, x), np.polyval(p, x[3]), np.polyval(p, float(x[4]))", (V3, F)),
    ("p, x", "np.polyval(p, x)", (M23, V3)),
    ("a", "np.polyval(a, a), np.polyval(a[:3], np.int8(2)), np.polyval([1, 2], a > 0)", (I8,)),
    ("p, x", "np.polyval(p, x)", (F32[0], F32)),
    ("p, x", "np.polyval([p[0], 2.0], x)", (V3, A34)),
    # unravel_index: graph and constant indices, C and F order, 0-d, empty, int8/bool indices
    ("a, i", "np.unravel_index(i, (3, 4)), np.unravel_index(i, (3, 4), order='F')",
     (A34, np.array([5, 0, 11, 3]))),
    ("a, i", "np.unravel_index(i[0], a.shape), np.unravel_index(int(i[1]), (2, 2, 3))",
     (A34, np.array([5, 0, 11, 3]))),
    ("a, i", "a[np.unravel_index(i, a.shape)], np.unravel_index(i, 12)",
     (A34, np.array([5, 0, 11, 3]))),
    ("i", "np.unravel_index(i, (2, 3)), np.unravel_index(i > 0, (2, 3))",
     (np.array([[1], [5]], np.int8),)),
    ("i", "np.unravel_index(i[:0], (3, 4)), np.unravel_index(i[0] % 1, ())",
     (np.array([5, 0, 11, 3]),)),
    ("a", "np.unravel_index(5, (3, 4)), np.unravel_index([5, 11], a.shape)", (A34,)),
    # index helpers on constants, computed by NumPy now (diag_indices: one array twice)
    ("a", "np.triu_indices(3, 1), a[np.triu_indices(3, 1)], np.tril_indices(3, m=4)", (A34,)),
    ("a", "np.diag_indices(3), a[np.diag_indices(3)], np.diag_indices(2, 3)", (A34,)),
    ("a", "np.indices((2, 3)), np.indices((2, 3), sparse=True), np.indices(a.shape)[0] + a",
     (A34,)),
    ("a", "np.ix_([0, 2], [1, 3]), a[np.ix_([0, 2], [1, 3])], np.ix_([True, False, True])",
     (A34,)),
    ("a", "np.ravel_multi_index(([0, 1], [1, 2]), a.shape), np.triu_indices(len(a))", (A34,)),
    ("a", "np.triu_indices_from(a), np.tril_indices_from(a, -1), np.diag_indices_from(a[:3, :3])",
     (A34,)),
    # ix_ of integer index arrays from the graph: views of them
    ("a, i, j", "np.ix_(i, j), a[np.ix_(i, j)], np.ix_(i, [1, 2]), np.ix_(i, [])",
     (A34, np.array([2, 0]), np.array([3, 1, 1]))),
    # ufunc.reduce: reduce's axis=0 default, None, tuples, negative axes, keepdims, dtype,
    # initial, where, 0-d arrays, empty arrays, the small-int accumulators
    ("a", "np.add.reduce(a), np.multiply.reduce(a, axis=-1), np.add.reduce(a, axis=None)",
     (A34,)),
    ("a", "np.maximum.reduce(a), np.minimum.reduce(a, axis=1), np.maximum.reduce(a, None)",
     (F32,)),
    ("x", "np.maximum.reduce(x), np.minimum.reduce(x), np.add.reduce(x)", (F,)),
    ("a", "np.add.reduce(a), np.multiply.reduce(a), np.add.reduce(a, dtype=np.int8)", (I8,)),
    ("a", "np.add.reduce(a), np.multiply.reduce(a, keepdims=True), np.maximum.reduce(a)", (U8,)),
    ("b", "np.add.reduce(b), np.logical_and.reduce(b), np.logical_or.reduce(b), "
     "np.maximum.reduce(b), np.minimum.reduce(b)", (BOOLS,)),
    ("a", "np.logical_and.reduce(a), np.logical_or.reduce(a, axis=1, keepdims=True)", (I34,)),
    ("x", "np.logical_and.reduce(x), np.logical_or.reduce(x[:0]), np.logical_and.reduce(x[:0])",
     (F,)),
    ("a", "np.add.reduce(a, axis=(0, 1), keepdims=True), np.add.reduce(a, (-1, 0))", (A34,)),
    ("a", "np.add.reduce(a, 0, None, None, True), np.add.reduce(a, None, np.float32)", (A34,)),
    ("a", "np.add.reduce(a, axis=()), np.maximum.reduce(a, axis=())", (I34,)),
    ("a", "np.add.reduce(a, axis=()), np.multiply.reduce(a > 0, axis=()), "
     "np.add.reduce(a[0], keepdims=True), np.maximum.reduce(a[1], keepdims=True)", (I8,)),
    ("a", "np.add.reduce(a, initial=1000), np.maximum.reduce(a, initial=3), "
     "np.minimum.reduce(a, axis=1, initial=0)", (I34,)),
    ("a", "np.add.reduce(a, where=a > 0), np.add.reduce(a, where=a > 0, initial=1.0), "
     "np.maximum.reduce(a, axis=1, where=a > 0, initial=-1.0), "
     "np.logical_and.reduce(a, where=a > 0)", (A34,)),
    ("x", "np.add.reduce(x), np.maximum.reduce(x, initial=1.0), np.multiply.reduce(x, axis=1)",
     (EMPTY,)),
    ("x", "np.add.reduce(x[0, 0]), np.maximum.reduce(np.array(2.5)), "
     "np.add.reduce(np.array(2.5), axis=-1), np.add.reduce(5), np.add.reduce([1, 2, 3])",
     (A34,)),
    # ufunc.accumulate: add/multiply as cumsum/cumprod along axis 0 by default; maximum,
    # minimum, logical_and, logical_or by doubling steps (NaN carried on, bools, int8)
    ("a", "np.add.accumulate(a), np.multiply.accumulate(a, axis=-1), "
     "np.add.accumulate(a, 1, np.float32)", (A34,)),
    ("a", "np.add.accumulate(a), np.multiply.accumulate(a), np.add.accumulate(a, dtype=np.int8)",
     (I8,)),
    ("b", "np.add.accumulate(b), np.multiply.accumulate(b), np.logical_or.accumulate(b), "
     "np.logical_and.accumulate(b), np.maximum.accumulate(b)", (BOOLS,)),
    ("x", "np.maximum.accumulate(x), np.minimum.accumulate(x), np.logical_and.accumulate(x), "
     "np.add.accumulate(x)", (F,)),
    ("a", "np.maximum.accumulate(a, axis=1), np.minimum.accumulate(a, axis=(0,)), "
     "np.logical_or.accumulate(a, axis=-1)", (I34,)),
    ("x", "np.maximum.accumulate(np.arange(37.0) % 7 - x[0, 0]), np.minimum.accumulate(x[:1])",
     (A34,)),
    ("x", "np.maximum.accumulate(x), np.add.accumulate(x), np.logical_and.accumulate(x, 1)",
     (EMPTY,)),
    ("a", "np.add.accumulate([1, 2]), np.maximum.accumulate(a[0])", (U8[None],)),
]


@pytest.mark.parametrize("params,expr,args", CONVERTED, ids=[c[1] for c in CONVERTED])
def test_converted_like_numpy(params, expr, args, tmp_path) -> None:
    module = load_source(tmp_path, f"def case({params}):\n    return {expr}\n")
    converted(module.case, *args)


_OUT = "in place into another array"

# (params, expression, arguments, words of the reason the call runs as plain Python)
FALLBACKS = [
    ("i", "np.unravel_index(i, (3, 4))", (np.array([1.0, 2.0]),), "only int indices"),
    ("a", "np.ix_(a[0] > 0)", (A34,), "booleans computed in the graph"),
    ("a", "np.triu_indices(int(a[0, 0]))", (np.ones((2, 2)),), "must be known before"),
    ("a", "np.maximum.accumulate(a, dtype=np.float32)", (A34,), "maximum.accumulate(dtype="),
    ("a", "np.maximum.reduce(a, dtype=np.float64)", (I8,), "maximum.reduce(dtype="),
    ("a", "np.logical_and.reduce(a, initial=False)", (A34,), "logical_and.reduce(initial="),
    ("x", "np.subtract.accumulate(x)", (F,), "ufunc.accumulate"),
    ("a, y", "np.add.reduce(a, out=y)", (A34, np.zeros(4)), _OUT),
    ("a, y", "np.add.accumulate(a, out=y)", (A34, np.zeros((3, 4))), _OUT),
    ("a, v", "np.matvec(a, v, axes=[(0, 1), (0,), (0,)])", (M23, V3), "axes"),
    ("a, v", "np.vecdot(a, v, out=v[:2])", (M23, V3), _OUT),
    ("x", "np.cumulative_sum(x, out=x.copy())", (F,), _OUT),
    ("x", "np.digitize(x, [1, np.nan, 3])", (F,), "NaN among the bins"),
    ("x, y", "np.isposinf(x, out=y)", (F, F > 0), _OUT),
    # out= of the functions built on ufuncs, and of reductions, scans and contractions
    ("x, y", "np.divmod(x, 2, out=(y, y.copy()))", (A34, np.zeros((3, 4))), _OUT),
    ("x, y", "np.round(x, 2, out=y)", (F, np.zeros(9)), _OUT),
    ("x, y", "np.sum(x, out=y[0])", (A34, np.zeros((3, 4))), _OUT),
    ("x, y", "x.max(axis=0, out=y[0])", (A34, np.zeros((3, 4))), _OUT),
    ("x, y", "np.cumsum(x, out=y)", (F, np.zeros(9)), _OUT),
    ("x, y", "np.matmul(x, x.T, out=y)", (A34, np.zeros((3, 3))), _OUT),
    ("x, y", "np.dot(x, x.T, y)", (A34, np.zeros((3, 3))), _OUT),
    ("x, y", "np.outer(x, x, out=y)", (A34[0], np.zeros((4, 4))), _OUT),
    ("x, y", "np.concatenate([x, x], out=y)", (F, np.zeros(18)), _OUT),
]


OUTS = [
    ("x, y", "np.clip(x, 0, 1, out=y)", (F, np.zeros(9))),
    ("x, y", "np.clip(x, 0, 1, y)", (F, np.zeros(9))),
    ("x, y", "np.add(x, 1, out=y)", (F, np.zeros(9))),
    ("x, y", "np.add(x, 1, y)", (F, np.zeros(9))),
    ("x, y", "np.exp(x, out=(y,))", (F, np.zeros(9))),
    ("x, y", "np.multiply(x, y[0], out=y[1:])", (F[:8], np.zeros(9))),
    ("x", "np.negative(x, out=x), x", (F,)),
]


@pytest.mark.parametrize("params,expr,args", OUTS, ids=[c[1] for c in OUTS])
def test_out_writes_into_the_given_array(params, expr, args, tmp_path) -> None:
    f = jm.compile(load_source(tmp_path, f"def case({params}):\n    return {expr}\n").case)
    for _ in range(3):
        check(f, *args)
    assert f.stats.graph_calls == 2, f.reasons


@pytest.mark.parametrize("params,expr,args,why", FALLBACKS, ids=[c[1] for c in FALLBACKS])
def test_not_converted_says_why(params, expr, args, why, tmp_path) -> None:
    check_plain(tmp_path, params, expr, args, why)


ERRORS = [
    ("i", "np.unravel_index(i, (2, 3))", (np.array([5, 6]),)),
    ("i", "np.unravel_index(-i, (2, 3))", (np.array([5, 1]),)),
    ("i", "np.unravel_index(i, ())", (np.array([0, 0]),)),
    ("i", "np.unravel_index(i, (0, 3))", (np.array([0]),)),
    ("a", "np.diag_indices_from(a)", (A34,)),
    ("a", "np.ix_(a)", (A34,)),
    ("a", "np.triu_indices(3, dtype=np.int32)", (A34,)),
    ("a", "np.add.reduce(a, axis=2)", (A34,)),
    ("a", "np.add.reduce(a, axis=(0, 0))", (A34,)),
    ("a", "np.add.reduce(a, axis=True)", (A34,)),
    ("a", "np.add.reduce(a[0, 0], axis=(0,))", (A34,)),
    ("a", "np.maximum.reduce(a[:0])", (A34,)),
    ("a", "np.maximum.reduce(a, initial=300)", (I8,)),
    ("a", "np.add.reduce(a, where=a > 0, initial=None)", (A34,)),
    ("a", "np.logical_and.reduce(a, dtype=np.float64)", (A34,)),
    ("a", "np.add.accumulate(a[0, 0])", (A34,)),
    ("a", "np.add.accumulate(a, axis=None)", (A34,)),
    ("a", "np.maximum.accumulate(a, axis=(0, 1))", (A34,)),
    ("x", "np.cumulative_sum(x)", (A34,)),
    ("x", "np.cumulative_sum(x, axis=2)", (A34,)),
    ("x", "np.cumulative_prod(x, axis=(0, 1))", (A34,)),
    ("a, v", "np.vecdot(a, v[:2])", (M23, V3)),
    ("v", "np.vecdot(v[0], v)", (V3,)),
    ("a", "np.vecdot(a, a[:2])", (A34,)),
    ("a, v", "np.matvec(v, a)", (M23, V3)),
    ("a", "np.vecmat(a, a)", (M23,)),
    ("y", "np.trapezoid(y[0, 0])", (A34,)),
    ("y", "np.trapezoid(y, axis=2)", (A34,)),
    ("y", "np.trapezoid(y, dx=y[0, :2])", (A34,)),
    ("y", "np.trapezoid(y, x=[0, 1, 2])", (A34,)),
    ("y", "np.trapezoid(y, x=y[0, 0])", (A34,)),
    ("x", "np.polyval(3, x)", (F,)),
    ("x", "np.select([x > 0, x > 1], [x])", (F,)),
    ("x", "np.select([], [])", (F,)),
    ("x", "np.select([x], [x])", (F,)),
    ("x", "np.select([x[:2] > 0], [x])", (F,)),
    ("x", "np.digitize(x, [[1, 2]])", (F,)),
    ("x", "np.digitize(x, 1)", (F,)),
    ("x", "np.digitize(x, [1, 3, 2])", (F,)),
    ("x, bins", "np.digitize(x, bins[None])", (F, BINS)),
]


@pytest.mark.parametrize("params,expr,args", ERRORS, ids=[c[1] for c in ERRORS])
def test_numpy_errors_run_as_plain_python(params, expr, args, tmp_path) -> None:
    """What NumPy raises, the call raises: it runs as plain Python."""
    check_plain(tmp_path, params, expr, args)


SOURCE = '''
def bucket(x, bins):
    return np.digitize(x, bins)


def coordinates(i):
    return np.unravel_index(i, (3, 4))
'''


def test_digitize_guards_graph_bins_increase(tmp_path) -> None:
    """Bins from the caller: the graph guards they do not decrease; a call with decreasing
    bins runs as plain Python (and gives NumPy's reversed count)."""
    f = jm.compile(load_source(tmp_path, SOURCE).bucket)
    check(f, F, BINS)
    check(f, F, BINS)
    assert f.stats.graph_calls == 1, f.reasons
    check(f, F, BINS[::-1].copy())
    assert f.stats.graph_calls == 1
    assert any("non-decreasing" in r for r in f.reasons), f.reasons


def test_unravel_index_guards_its_range(tmp_path) -> None:
    """An index outside [0, size) fails the graph's guard: that call runs as plain Python and
    raises NumPy's ValueError; in-range calls keep running the graph."""
    f = jm.compile(load_source(tmp_path, SOURCE).coordinates)
    check(f, np.array([5, 0, 11]))
    check(f, np.array([5, 0, 11]))
    assert f.stats.graph_calls == 1, f.reasons
    check(f, np.array([5, 12, 1]))
    check(f, np.array([-1, 0, 1]))
    check(f, np.array([1, 2, 3]))
    assert f.stats.graph_calls >= 2, f.reasons


def choose(x):
    return np.select([x > 1.0, x < -1.0], [x, -x], 0.5)


def test_select_takes_a_symbolic_batch() -> None:
    """select is nested wheres: a batch size that changes costs one more compilation."""
    f = jm.compile(choose)
    for n in (4, 8, 3, 16, 5):
        check(f, RNG.standard_normal((n, 3)).astype(np.float32))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 3, f.reasons
