"""Whole-array comparisons, copies, products, covariance and sampled functions through
`jm.compile`: isclose, allclose, array_equal, array_equiv, copy, ascontiguousarray,
asfortranarray, cross, kron, cov, corrcoef, gradient and interp, each compared with the plain
function by the oracle (values, dtypes, result kinds, views and aliasing, exceptions) over edge
values (NaN, inf, empty arrays, broadcasting, int/float/bool dtypes, negative axes), and shown
to run as a graph on its second call. What is not converted runs as plain Python with a reason.
"""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, check_plain, converted, load_source

RNG = np.random.default_rng(11)
F = np.array([1.0, np.nan, np.inf, -np.inf, 1e-9, 2.0, -0.0, 1e300])
G = np.array([1.0 + 1e-7, np.nan, np.inf, np.inf, 0.0, 2.1, 0.0, np.inf])
F32 = RNG.standard_normal((3, 4)).astype(np.float32)
A34 = RNG.standard_normal((3, 4))
I34 = RNG.integers(-5, 5, (3, 4))
I8 = np.array([-128, 127, 0, 5], dtype=np.int8)
U8 = np.array([0, 3, 255, 9, 17], dtype=np.uint8)
BOOLS = np.array([True, False, True, True])
EMPTY = np.zeros((0, 3))
V3 = RNG.standard_normal((4, 3))
W3 = RNG.standard_normal(3)
V2 = RNG.standard_normal((4, 2))
XP = np.array([0.0, 1.0, 1.0, 2.5, 4.0])
FP = np.array([1.0, 3.0, -1.0, np.inf, 0.0])
XS = np.array([[-1.0, 0.0, 0.5, 1.0], [1.7, 2.5, 4.0, 9.0], [np.nan, -np.inf, np.inf, 3.9]])

CONVERTED = [
    # isclose: NaN and inf, broadcasting, dtypes, Python scalars kept weak, 0-d results
    ("a, b", "np.isclose(a, b)", (F, G)),
    ("a, b", "np.isclose(a, b, equal_nan=True)", (F, G)),
    ("a, b", "np.isclose(a, b, rtol=0.0, atol=0.5)", (F, G)),
    ("a, b", "np.isclose(a[:, None], b)", (F32[0], F32[1])),
    ("a, b", "np.isclose(a, b)", (F32, A34[0].astype(np.float32) + 1e-6)),
    ("a, b", "np.isclose(a, b)", (I34, A34)),
    ("a", "np.isclose(a, 127)", (I8,)),
    ("a", "np.isclose(1, a)", (F32,)),
    ("a, s", "np.isclose(a, s, atol=s)", (F32, 0.5)),
    ("a, b", "np.isclose(a, b)", (BOOLS, BOOLS[::-1].copy())),
    ("a", "np.isclose(a[0], 1.0), np.isclose(a[1], a[1], equal_nan=True)", (F,)),
    ("a", "np.isclose(a, a)", (EMPTY,)),
    ("a", "np.isclose(a, np.float32(2.0))", (U8,)),
    ("a, b", "np.isclose(a, b, rtol=np.array([0.0, 0.5, 1.0, 0.0]), atol=0)", (F32, F32 * 1.4)),
    ("a", "np.isclose(a, a + np.float16(0.01))", (F32.astype(np.float16),)),
    ("n, s", "np.isclose(n, s), np.isclose(s, n), np.isclose(n, n)", (3, 3.0)),
    # allclose: a Python bool
    ("a, b", "np.allclose(a, b), np.allclose(a, a), np.allclose(a, a, equal_nan=True)",
     (F, G)),
    ("a, b", "np.allclose(a, b, atol=1e-3)", (F32, F32 + np.float32(1e-4))),
    ("a", "np.allclose(a, a[0])", (I34,)),
    ("a", "np.allclose(a, 0.0)", (EMPTY,)),
    ("a", "(np.allclose(a, a + 1), a + 1)", (A34,)),
    # array_equal: shapes decided now, NaNs with equal_nan
    ("a, b", "np.array_equal(a, b), np.array_equal(a, b, equal_nan=True)", (F, F.copy())),
    ("a, b", "np.array_equal(a, b, equal_nan=True)", (F, G)),
    ("a", "np.array_equal(a, a[::-1], equal_nan=True)", (np.array([np.nan, 1.0, np.nan]),)),
    ("a, b", "np.array_equal(a, b), a * 2", (A34, A34[0])),
    ("a, b", "np.array_equal(a, b, equal_nan=True)", (I34, I34.astype(np.float32))),
    ("a", "np.array_equal(a, a), np.array_equal(a, a + 1, equal_nan=True)", (U8,)),
    ("a", "np.array_equal(a, [True, False, True, True])", (BOOLS,)),
    ("a", "np.array_equal(a, a)", (EMPTY,)),
    ("a", "np.array_equal(a[0], 1.0)", (F,)),
    ("a", "np.array_equal(a, [1, 2]), a + 1", (F,)),
    # array_equiv: broadcasting
    ("a, b", "np.array_equiv(a, b)", (np.tile(W3, (2, 1)), W3)),
    ("a, b", "np.array_equiv(a, b)", (A34, A34[:, :1])),
    ("a, b", "np.array_equiv(a, b), a + 1", (A34, W3)),
    ("a", "np.array_equiv(a, 1)", (np.ones((2, 2), np.int32),)),
    ("a", "np.array_equiv(a, a)", (F,)),
    # copies: new arrays, or the array itself when NumPy hands it back
    ("a", "np.copy(a)", (A34,)),
    ("a", "np.copy(a.T), np.copy(a, order='F'), np.copy(a[:, ::2], order='A')", (A34,)),
    ("a", "np.copy(a[0, 0]), np.copy(3), np.copy([1.5, 2])", (I34,)),
    ("a", "np.ascontiguousarray(a)", (A34,)),
    ("a", "np.ascontiguousarray(a), np.copy(a)", (A34.T,)),
    ("a", "np.ascontiguousarray(a.T), np.ascontiguousarray(a[:, 1:3])", (A34,)),
    ("a", "np.ascontiguousarray(a, dtype=np.float32), np.ascontiguousarray(a[0, 0])", (I34,)),
    ("a", "np.ascontiguousarray(a), np.ascontiguousarray(2.5)", (np.array(3.0),)),
    ("a", "np.asfortranarray(a), np.asfortranarray(a[0]), np.asfortranarray(a.T)", (A34,)),
    ("a", "np.asfortranarray(a[:, :1]), np.asfortranarray(a, dtype=np.int8)", (I34,)),
    # cross: 3- and 2-vectors, broadcasting, axes, ints, empty
    ("a, b", "np.cross(a, b)", (V3, W3)),
    ("a, b", "np.cross(a, b)", (V2, V2[::-1].copy())),
    ("a, b", "np.cross(a, b)", (V2, V3)),
    ("a, b", "np.cross(a, b)", (V3, V2)),
    ("a, b", "np.cross(a[0], b[0])", (V2, V2[::-1].copy())),
    ("a, b", "np.cross(a, b, axisa=0, axisb=-1, axisc=0)", (V3.T.copy(), W3)),
    ("a, b", "np.cross(a, b, axis=0)", (V3.T.copy(), V3.T.copy()[:, ::-1])),
    ("a, b", "np.cross(a, b, axisc=-2)", (RNG.integers(-9, 9, (2, 4, 3)).astype(np.int32),
                                          RNG.integers(-9, 9, (4, 3)).astype(np.int8))),
    ("a, b", "np.cross(a, b)", (np.zeros((0, 3)), W3)),
    ("a, b", "np.cross(a, b)", (F32[:, :3], W3.astype(np.float32))),
    ("a, b", "np.cross(a, b), np.cross(b, a[0, :2])", (U8[:3] * np.ones((2, 1), np.uint8),
                                                      U8[2:])),
    # kron: ranks, dtypes, scalars
    ("a, b", "np.kron(a, b)", (A34, I34[:2, :3])),
    ("a, b", "np.kron(a, b)", (W3, I34)),
    ("a, b", "np.kron(a, b)", (I34, W3)),
    ("a, b", "np.kron(a, b)", (BOOLS, BOOLS[:2])),
    ("a", "np.kron(a, 2), np.kron(3, a), np.kron(a[0, 0], a[1, 1])", (I34,)),
    ("a, b", "np.kron(a, b)", (RNG.standard_normal((2, 1, 2)), F32[:2, :2])),
    ("a, b", "np.kron(a, b)", (EMPTY, W3)),
    # cov: rowvar, bias, ddof, y, dtypes, degenerate sample counts
    ("a", "np.cov(a)", (A34,)),
    ("a", "np.cov(a, rowvar=False), np.cov(a, bias=True), np.cov(a, ddof=0)", (A34,)),
    ("a", "np.cov(a[0]), np.cov(a, ddof=3), np.cov(a, ddof=5)", (A34,)),
    ("a, b", "np.cov(a, b), np.cov(a.T, b, rowvar=False)", (A34[:2, :3], A34[2, :3])),
    ("a", "np.cov(a), np.cov(a, dtype=np.float32)", (F32,)),
    ("a", "np.cov(a), np.cov(a.astype(np.bool_))", (I34,)),
    ("a", "np.cov(a)", (EMPTY,)),
    ("a", "np.cov(a)", (np.zeros((3, 0)),)),
    ("a", "np.cov(a)", (F[None, :6],)),
    # corrcoef: clipping, one variable, a constant variable
    ("a", "np.corrcoef(a), np.corrcoef(a, rowvar=False)", (A34,)),
    ("a, b", "np.corrcoef(a, b)", (A34[0], A34[1])),
    ("a", "np.corrcoef(a[0]), np.corrcoef(np.ones(3))", (A34,)),
    ("a", "np.corrcoef(a, dtype=np.float32)", (F32,)),
    ("a", "np.corrcoef(a)", (I34,)),
    # gradient: unit and scalar spacing, axes, dtypes
    ("a", "np.gradient(a)", (A34[0],)),
    ("a", "np.gradient(a)", (A34,)),
    ("a", "np.gradient(a, axis=-1), np.gradient(a, axis=(1, 0))", (A34,)),
    ("a", "np.gradient(a, 0.5), np.gradient(a, 2, 3)", (I34,)),
    ("a, s", "np.gradient(a, s, axis=0)", (A34, 0.25)),
    ("a", "np.gradient(a), np.gradient(a, np.float64(0.5))", (F32,)),
    ("a", "np.gradient(a, axis=0)", (A34[:2],)),
    ("a", "np.gradient(a)", (F,)),
    ("a", "np.gradient(a)", (U8,)),
    ("a", "np.gradient(a, 0.0)", (A34[0],)),
    ("a", "np.gradient([1, 4, 9, 16]), np.gradient(a[0, 0]), a", (A34,)),
    # interp: outside, at and between samples, ties, NaN and inf, scalars, empty
    ("x, xp, fp", "np.interp(x, xp, fp)", (XS, XP, FP)),
    ("x, xp, fp", "np.interp(x, xp, fp, left=-5.0, right=np.nan)", (XS, XP, FP)),
    ("x", "np.interp(x, [0, 1, 2], [10, 20, 0])", (XS,)),
    ("x", "np.interp(x[0, 2], [0.0, 1.0], [1.0, 3.0]), np.interp(0.5, [0, 1], [0, 2])", (XS,)),
    ("x, l", "np.interp(x, [0.0, 1.0], [1.0, 3.0], left=l)", (XS, 7.5)),
    ("x", "np.interp(x, [2.0], [3.0])", (XS,)),
    ("x", "np.interp(x[:0], [2.0, 3.0], [3.0, 1.0])", (XS,)),
    ("x, xp, fp", "np.interp(x, xp, fp).sum()", (RNG.uniform(-1, 5, 40), XP, FP * 0 + XP)),
    ("x, xp, fp", "np.interp(x, xp, fp)", (I34, np.arange(-4, 5), np.arange(9) ** 2)),
]


@pytest.mark.parametrize("params,expr,args", CONVERTED, ids=[c[1] for c in CONVERTED])
def test_converted_like_numpy(params, expr, args, tmp_path) -> None:
    module = load_source(tmp_path, f"def case({params}):\n    return {expr}\n")
    converted(module.case, *args)


# (params, expression, arguments, words of the reason the call runs as plain Python)
FALLBACKS = [
    ("a, w", "np.cov(a, fweights=w)", (A34, np.array([1, 2, 1, 1])), "fweights"),
    ("a, w", "np.cov(a, aweights=w)", (A34, np.ones(4)), "aweights"),
    ("a", "np.gradient(a, [0.0, 1.0, 3.0, 4.0])", (A34[0],), "1-d spacing"),
    ("a", "np.gradient(a, edge_order=2)", (A34[0],), "edge_order=2"),
    ("a", "np.gradient(a)", (BOOLS,), "booleans"),
    ("x", "np.interp(x, [0.0, 1.0], [1.0, 2.0], period=2.0)", (XS,), "period"),
    ("x", "np.interp(x, [0.0, 2.0, 1.0], [1.0, 2.0, 3.0])", (XS,), "increasing"),
    ("x", "np.interp(x, [0.0, np.nan], [1.0, 2.0])", (XS,), "increasing"),
    ("a, b", "np.isclose(a, b, atol=np.inf)", (F, G), "finite"),
    ("a", "np.ascontiguousarray(a.T * 2)", (A34,), "layout is not known"),
    ("a", "np.asfortranarray(np.asfortranarray(a))", (A34,), "layout is not known"),
    ("a", "np.asfortranarray(a)", (A34.T,), "layout is not known"),
    ("a", "np.cross(a, a)", (BOOLS[:3],), "booleans"),
]


@pytest.mark.parametrize("params,expr,args,why", FALLBACKS, ids=[c[1] for c in FALLBACKS])
def test_not_converted_says_why(params, expr, args, why, tmp_path) -> None:
    check_plain(tmp_path, params, expr, args, why)


ERRORS = [
    ("a, b", "np.cross(a, b)", (A34, A34)),
    ("a, b", "np.cross(a, b)", (V3, V3[:2])),
    ("a, b", "np.cross(a, b, axisc=2)", (V3, V3)),
    ("a", "np.cross(a[0, 0], a[0])", (V3,)),
    ("a", "np.cov(a[None, None])", (A34,)),
    ("a, b", "np.cov(a, b)", (A34, A34[:, :2])),
    ("a", "np.gradient(a)", (A34[:1],)),
    ("a", "np.gradient(a, 1.0, 2.0, 3.0)", (A34,)),
    ("a", "np.gradient(a, axis=2)", (A34,)),
    ("x", "np.interp(x, [0.0, 1.0], [1.0, 2.0, 3.0])", (XS,)),
    ("x", "np.interp(x, [], [])", (XS,)),
    ("x", "np.interp(x, [[0.0, 1.0]], [[1.0, 2.0]])", (XS,)),
]


@pytest.mark.parametrize("params,expr,args", ERRORS, ids=[c[1] for c in ERRORS])
def test_numpy_errors_run_as_plain_python(params, expr, args, tmp_path) -> None:
    """What NumPy raises, the call raises: it runs as plain Python."""
    check_plain(tmp_path, params, expr, args)


SOURCE = '''
def interp_between(x, xp, fp):
    return np.interp(x, xp, fp)


def write_into_copy(a):
    c = np.copy(a)
    c[0] = -1.0
    d = np.ascontiguousarray(a.T)
    d[0, 0] = 7.0
    return a, c, d


def close_flag(a, b):
    same = np.allclose(a, b)
    return same, type(same).__name__


def branch_on_close(a, b):
    if np.allclose(a, b) and not np.array_equal(a, b):
        return a - b
    return a + b
'''


def test_interp_guards_that_xp_increases(tmp_path) -> None:
    """xp from the caller: the graph guards it increases; a call where it does not runs as
    plain Python (NumPy's result for it depends on its search)."""
    f = jm.compile(load_source(tmp_path, SOURCE).interp_between)
    x = RNG.uniform(-1, 5, 7)
    check(f, x, XP, FP)
    check(f, x, XP, FP)
    assert f.stats.graph_calls == 1, f.reasons
    check(f, x, XP[::-1].copy(), FP)
    assert f.stats.graph_calls == 1


def test_copies_are_new_arrays(tmp_path) -> None:
    """Writes into np.copy's and ascontiguousarray's new arrays leave the argument alone."""
    converted(load_source(tmp_path, SOURCE).write_into_copy, A34)


def test_allclose_gives_a_python_bool(tmp_path) -> None:
    f = converted(load_source(tmp_path, SOURCE).close_flag, F32, F32 + np.float32(1e-9))
    assert check(f, F32, F32) == (True, "bool")


def test_branch_on_allclose(tmp_path) -> None:
    """A Python bool from the graph decides a branch (speculated, then guarded)."""
    f = jm.compile(load_source(tmp_path, SOURCE).branch_on_close)
    for _ in range(3):
        check(f, F32, F32 + np.float32(1e-7))
    assert f.stats.graph_calls >= 1, f.reasons
    check(f, F32, F32 + 1)
    check(f, F32, F32)
