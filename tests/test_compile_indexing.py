"""jm.compile of advanced indexing and the index functions, compared with plain NumPy: several
integer-array indices in one subscript (broadcast together, NumPy's placement rule), mixed with
slices, integers and newaxis; every int dtype and Python lists as indices; run-time integers;
item assignment with advanced indices and boolean masks; np.add.at and friends with duplicate
indices; take_along_axis / put_along_axis; and the cases that must run as plain Python (boolean
mask selection, nonzero, out-of-range indices, writes into the caller's arrays) with their
reasons."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, converted

X4 = np.arange(6 * 7 * 8 * 9, dtype=np.float32).reshape(6, 7, 8, 9)
A = np.arange(20, dtype=np.float32).reshape(4, 5)


def _reasons(f: jm.JanusFunction) -> str:
    return " ".join(str(r) for r in f.reasons)


def advanced(x, i, j, n):
    return (x[:, i, :, 0], x[0, :, i], x[:, 0, i], x[i, :, i], x[:, i, None, i], x[..., i, 0],
            x[i, ..., 0], x[j, i], x[:, j, 1:3, i], x[[0, 2, 4]], x[[[0], [1]], [0, 1, 2]],
            x[n, n, i], x[n], x[1, n, 2, 3], x[:, [1, 1, 1]], x[[]], x[2:, i, ::2],
            x[i][:, j], x[-1, [-7, 6], j, n], x[np.array(1)], x[np.array(1), 2, 3, 4],
            x[(0, 1), :], x[[n, 2]], x[np.int64(2)], x[n, 0][i])


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_advanced_subscripts_follow_numpys_placement(dtype) -> None:
    """Adjacent advanced indices keep B in place; separated ones (by a slice or newaxis) put B
    first; integers count as advanced indices next to arrays (`x[0, :, i]` is (2, 7, 9))."""
    i = np.array([0, -1], dtype=dtype)
    j = np.array([[1], [2], [3]], dtype=dtype)
    converted(advanced, X4, i, j, 3)


def test_out_of_range_indices_raise_numpys_index_error() -> None:
    def columns(x, i):
        return x[:, i] * 2

    f = jm.compile(columns)
    i = np.array([0, 4])
    check(f, A, i)
    check(f, A, i)
    check(f, A, np.array([0, 5]))  # IndexError from the plain call
    check(f, A, np.array([-6, 0]))
    assert f.stats.graph_calls == 1 and f.stats.fallbacks == 2, f.reasons
    assert "bounds" in _reasons(f)


def item_assignment(a, i, m):
    y = a * 2
    y[i] = 5.0
    y[:, [0, 1]] += 1.0
    y[[0, 0, 1], [2, 2, 2]] += np.array([10.0, 20.0, 30.0], np.float32)  # adds once per element
    y[[3, 3]] = np.array([[1.0], [2.0]], np.float32)  # the last write wins
    z = y.copy()
    z[m] = -1.0
    z[m] += 3
    z[z > 30] *= 0.5
    w = y[1:]
    w[[0, 1], 1:3] = 7.0  # through a view: y sees it
    return y, z, w


def test_item_assignment_with_advanced_indices_and_masks() -> None:
    converted(item_assignment, A, np.array([3, -1]), A > 7)


def test_writes_into_caller_arrays_are_written_back() -> None:
    def writes(x, i):
        x[i] = 0.0
        return x.sum()

    def add_at(x, i):
        np.add.at(x, i, 1.0)

    for fn in (writes, add_at):
        f = jm.compile(fn)
        for _ in range(3):
            check(f, A.copy(), np.array([0, 0, 2]))
        assert f.stats.graph_calls == 2, f.reasons


def scatters(x, ids, k):
    a = np.zeros((5, 4), np.float32)
    np.add.at(a, ids, 1.0)
    np.subtract.at(a, (ids, 1), x[:, 0])
    np.maximum.at(a, ids, x)
    np.minimum.at(a, (ids, [0, 1, 2, 3, 0, 1]), -x[:, 1])
    counts = np.zeros(5, np.int64)
    np.add.at(counts, ids, 1)
    t = np.take_along_axis(x, k, axis=1)
    y = x * 1
    np.put_along_axis(y, k, 99.0, axis=1)
    top = np.take_along_axis(x, np.argmax(x, axis=0)[None], axis=0)
    return a, counts, t, y, top, np.take_along_axis(x[:, 0], ids, axis=None)


def test_ufunc_at_accumulates_duplicates_and_along_axis_functions() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    converted(scatters, x, np.array([1, 1, 3, 0, 1, -1]), rng.integers(0, 4, (6, 2)))


def embedding_grad(ids, g, w):
    """The gradient of an embedding lookup: scatter-add of the rows' gradients."""
    h = w[ids]
    loss_grad = g * (h > 0)
    grad = np.zeros(w.shape, np.float32)
    np.add.at(grad, ids, loss_grad)
    return grad, (h * g).sum()


def test_embedding_gradient_with_duplicate_ids() -> None:
    rng = np.random.default_rng(2)
    w = rng.standard_normal((50, 16)).astype(np.float32)
    ids = rng.integers(0, 50, 300)
    g = rng.standard_normal((300, 16)).astype(np.float32)
    converted(embedding_grad, ids, g, w)


def masked(x):
    return x[x > 3]


def nonzero(x):
    return np.nonzero(x)


def argwhere(x):
    return np.argwhere(x > 1)


def flatnonzero(x):
    return np.flatnonzero(x)


def where1(x):
    return np.where(x > 2)


def nonzero_method(x):
    return x.nonzero()


def const_mask(x):
    return x[np.array([True, False, True, False])]


@pytest.mark.parametrize("fn", [masked, nonzero, argwhere, flatnonzero, where1, nonzero_method,
                                const_mask], ids=lambda v: v.__name__)
def test_data_dependent_shapes_convert(fn) -> None:
    """Their counted dims are computed in the graph (tests/test_compile_masks.py)."""
    f = jm.compile(fn)
    for _ in range(3):
        check(f, A)
    assert f.stats.graph_calls == 2 and f.stats.compilations == 1, f.reasons


def test_run_time_integer_index_of_a_graph_array_keeps_numpys_aliasing() -> None:
    """`row = y[n]` with a run-time n is a NumPy view of y: a write through it (or to y) must
    reach the other; the graph cannot model that view, so the call runs as plain Python."""
    def row_write(x, n):
        y = x * 2
        row = y[n]
        row[0] = -1.0
        return y

    def row_read(x, n):
        y = x * 2
        return y[n] + y[n, 1:].sum()

    x = A.copy()
    for fn, compiles in ((row_write, False), (row_read, True)):
        f = jm.compile(fn)
        for n in (1, 1, 2, 2, 3, 3, 0):
            check(f, x, n)
        assert (f.stats.graph_calls >= 3) is compiles, f.reasons


def scalar_scatters(x, n, ids):
    a = np.zeros(5, np.float32)
    np.add.at(a, n, 1.0)
    b = x * 1
    np.maximum.at(b, (n, ids), 100.0)
    c = np.zeros(6, np.int32)
    np.put_along_axis(c, ids, 7, axis=None)
    d = np.zeros((3, 4), bool)
    np.add.at(d, ([0, 0, 2], [1, 1, 3]), True)
    return a, b, c, d


def test_scatters_with_run_time_integers_and_bool_arrays() -> None:
    f = jm.compile(scalar_scatters)
    for n in (1, 1, 3, -1):
        check(f, A, n, np.array([0, 4, 4]))
    assert f.stats.graph_calls >= 2, f.reasons


def test_scatter_add_sums_duplicates_exactly_like_numpy() -> None:
    """IREE's scatter applies duplicate updates in index order: float32 sums are bitwise
    NumPy's np.add.at (a regression test for that IREE behaviour)."""
    def grad_of(ids, g):
        grad = np.zeros((50, 32), np.float32)
        np.add.at(grad, ids, g)
        return grad

    rng = np.random.default_rng(5)
    ids = rng.integers(0, 50, 2048)
    g = rng.standard_normal((2048, 32)).astype(np.float32)
    f = converted(grad_of, ids, g)
    assert np.array_equal(f(ids, g), grad_of(ids, g))
