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

from .equivalence import check, converted, load_source

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
]


@pytest.mark.parametrize("params,expr,args", CONVERTED, ids=[c[1] for c in CONVERTED])
def test_converted_like_numpy(params, expr, args, tmp_path) -> None:
    module = load_source(tmp_path, f"def case({params}):\n    return {expr}\n")
    converted(module.case, *args)


_OUT = "in place into another array"

# (params, expression, arguments, words of the reason the call runs as plain Python)
FALLBACKS = [
    ("x", "np.digitize(x, [1, np.nan, 3])", (F,), "NaN among the bins"),
    ("x, y", "np.isposinf(x, out=y)", (F, F > 0), _OUT),
    # out= of ufuncs and the functions built on them writes into another array
    ("x, y", "np.clip(x, 0, 1, out=y)", (F, np.zeros(9)), _OUT),
    ("x, y", "np.clip(x, 0, 1, y)", (F, np.zeros(9)), _OUT),
    ("x, y", "np.add(x, 1, out=y)", (F, np.zeros(9)), _OUT),
    ("x, y", "np.add(x, 1, y)", (F, np.zeros(9)), _OUT),
    ("x, y", "np.exp(x, out=(y,))", (F, np.zeros(9)), _OUT),
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


@pytest.mark.parametrize("params,expr,args,why", FALLBACKS, ids=[c[1] for c in FALLBACKS])
def test_not_converted_says_why(params, expr, args, why, tmp_path) -> None:
    module = load_source(tmp_path, f"def case({params}):\n    return {expr}\n")
    f = jm.compile(module.case)
    check(f, *args)
    check(f, *args)
    assert f.stats.graph_calls == 0
    assert any(why in r for r in f.reasons), f.reasons


ERRORS = [
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
    module = load_source(tmp_path, f"def case({params}):\n    return {expr}\n")
    f = jm.compile(module.case)
    check(f, *args)
    check(f, *args)
    assert f.stats.graph_calls == 0


SOURCE = '''
def bucket(x, bins):
    return np.digitize(x, bins)
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
