"""ndarray methods and properties inside compiled functions: `tolist()` (built when the function
returns, with NumPy's Python ints, floats and bools, the identities of its inner lists kept),
`fill()` (an in-place write like `x[...] = v`), `nbytes` and `itemsize`. Compared with plain
NumPy on deep copies; each test asserts a graph ran, or that the call ran as plain Python with
a reason."""

from __future__ import annotations


import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, converted


def _plain(fn, *args, reason: str) -> None:
    compiled = jm.compile(fn)
    for _ in range(3):
        check(compiled, *args)
    assert compiled.stats.graph_calls == 0
    assert any(reason in r for r in compiled.reasons), compiled.reasons


# ---------------------------------------------------------------------------------------------
# tolist
# ---------------------------------------------------------------------------------------------


def lists_of_every_dtype(x, i8, u64, m):
    y = x * 2
    return (x.tolist(), y.tolist(), i8.tolist(), u64.tolist(), m.tolist(),
            x.astype(np.float16).tolist(), (x > 0).tolist(), y[0, 0].tolist(),
            np.float32(0.1).tolist(), x.sum().tolist(), np.zeros((0, 3)).tolist(),
            np.zeros((2, 0)).tolist(), i8.reshape(2, 1, 2).tolist())


def test_tolist_gives_numpys_python_ints_floats_and_bools():
    """float32/float16 elements as the exact Python floats NumPy gives, int8 and uint64 (above
    int64's range too) as Python ints, bools as bools, 0-d arrays and NumPy scalars as one
    Python scalar, empty dims as empty lists."""
    converted(lists_of_every_dtype, np.arange(6, dtype=np.float32).reshape(2, 3) / 3 - 0.7,
           np.array([-128, 5, 127, 0], np.int8), np.array([2**64 - 1, 2**63, 0], np.uint64),
           np.array([[True, False]]), graph_calls=2)


def list_is_a_snapshot(x):
    a = x.copy()
    rows = a.tolist()
    a[0] = 99.0
    a.fill(-1.0)
    return rows, a, x.tolist(), x


def test_tolist_is_a_snapshot_later_writes_do_not_change():
    converted(list_is_a_snapshot, np.arange(6.0).reshape(3, 2), graph_calls=2)


def list_identities(x):
    rows = x.tolist()
    first = rows[0]
    every = [r for r in rows]
    return rows, first, rows[-1], every, rows[1:], rows[0] is first, {"t": rows[:1], "r": first}


def test_inner_lists_keep_their_identity():
    """rows[0] is the list inside rows, a slice shares the inner lists of its source and a
    comprehension holds the same row objects: the result has plain Python's aliasing."""
    converted(list_identities, np.arange(12.0).reshape(3, 4), graph_calls=2)


def list_as_python_values(x, v):
    a, b = x.tolist(), v.tolist()
    n = len(a)
    pairs = list(zip(a, b))
    return (n, a[0] * 2 + 1, b[-1], sum(a), max(b), list(enumerate(b)), tuple(a), pairs,
            list(reversed(a)), type(a) is list, isinstance(b, list), a[True], a[::-2])


def test_list_elements_are_python_scalars_computed_in_the_graph():
    converted(list_as_python_values, np.array([0.5, -1.25, 3.0]),
              np.array([3, 1, 2], np.int32), graph_calls=2)


def branch_on_an_element(x):
    values = x.tolist()
    if values[0] > 0.5:  # speculated from the profile, guarded
        return values[0] * 2
    return values[1]


def test_a_branch_on_a_list_element_is_speculated_and_guarded():
    compiled = jm.compile(branch_on_an_element)
    for x in ([0.7, 0.2], [0.9, 0.1], [0.8, 0.3], [0.1, 0.4], [0.6, 0.0]):
        check(compiled, np.array(x))
    assert compiled.stats.graph_calls >= 2, compiled.reasons
    assert compiled.stats.fallbacks >= 1, compiled.stats


def run_time_index(x, i):
    values = x.tolist()
    return values[i], values[-i]


def test_a_run_time_index_into_the_list_is_bounds_guarded():
    """IndexError (i = 7) comes from the plain run after the graph's bounds guard fails."""
    compiled = jm.compile(run_time_index)
    for i in [1, 2, 3, 4, 2, 7, 1]:
        check(compiled, np.arange(5.0), i)
    assert compiled.stats.graph_calls >= 3, compiled.reasons


def symbolic_rows(x):
    values = x.tolist()
    return values, len(values), (x * 2).tolist()


def test_a_list_of_a_batch_of_changing_size_is_one_symbolic_graph():
    compiled = jm.compile(symbolic_rows)
    for n in [2, 3, 4, 5, 6]:
        check(compiled, np.ones((n, 2), np.float32) * n)
    assert compiled.stats.graph_calls == 3, compiled.reasons


def appends(x):
    values = x.tolist()
    values.append(1)
    return values


def compares(x):
    return x.tolist() == [1.0, 2.0]


def to_numpy(x):
    return np.array(x.tolist())


def shape_from_list(x):
    return np.zeros(x.tolist()[0])


def long_loop(x):
    total = 0.0
    for v in x.tolist():
        total += v
    return total


def uint64_element(x):
    return x.tolist()[0]


@pytest.mark.parametrize("fn, arg, reason", [
    (appends, np.arange(3.0), "list.append of a list from tolist()"),
    (compares, np.array([1.0, 2.0]), "an operator on a list from tolist()"),
    (to_numpy, np.arange(3.0), "a list from tolist() as an array operand"),
    (shape_from_list, np.array([2, 3]), "a shape must be known before the graph runs"),
    (long_loop, np.arange(100.0), "of 100 items (more than 64)"),
    (uint64_element, np.array([2**64 - 1], np.uint64), "a uint64 as a Python int"),
])
def test_what_needs_the_list_itself_runs_as_plain_python(fn, arg, reason):
    _plain(fn, arg, reason=reason)


# ---------------------------------------------------------------------------------------------
# fill, nbytes, itemsize
# ---------------------------------------------------------------------------------------------


def fills(x, s):
    a = np.zeros((2, 3), np.int8)
    a.fill(5)
    b = x.copy()
    row = b[0]
    row.fill(2.5)  # through a view: b sees it
    c = np.empty(4, np.uint8)
    c.fill(255)
    d = np.zeros(3, np.int8)
    d.fill(s)  # a NumPy int64 scalar: OverflowError in NumPy where it does not fit int8
    e = np.zeros(2, np.int16)
    e.fill(s)
    f = x.T.copy()
    f.fill(x[1, 1])
    return a, b, row, c, d, e, f


def test_fill_writes_through_the_heap_model_like_item_assignment():
    compiled = jm.compile(fills)
    x = np.arange(6.0).reshape(2, 3)
    for s in [7, 7, 7, 300, -129, 127, -128, 7]:
        check(compiled, x, np.int64(s))
    assert compiled.stats.graph_calls == 5, compiled.reasons
    assert compiled.stats.fallbacks == 2, compiled.reasons
    assert any("OverflowError" in r for r in compiled.reasons), compiled.reasons


def fill_argument(x):
    x.fill(1.0)
    return x


def fill_broadcast_view(x):
    np.broadcast_to(x * 1, (2, 3)).fill(0.0)


def fill_sequence(x):
    a = np.zeros(3)
    a.fill(x)


def test_fill_of_an_argument_is_written_back():
    converted(fill_argument, np.zeros(3), graph_calls=2)


@pytest.mark.parametrize("fn, reason", [
    (fill_broadcast_view, "output array is read-only"),
    (fill_sequence, "setting an array element with a sequence"),
])
def test_a_fill_numpy_would_refuse_runs_as_plain_python(fn, reason):
    _plain(fn, np.zeros(3), reason=reason)


def sizes(x):
    y = x.astype(np.float16)
    return x.nbytes, x.itemsize, y.nbytes, y[0].itemsize, x[0].nbytes, (x > 0).nbytes, \
        np.int8(3).nbytes, x.sum().itemsize


def test_nbytes_and_itemsize_are_python_ints():
    converted(sizes, np.ones((4, 3), np.float32), graph_calls=2)


def symbolic_nbytes(x):
    return x.nbytes, x.itemsize, x * 2


def test_nbytes_of_a_symbolic_batch_is_a_run_time_int():
    compiled = jm.compile(symbolic_nbytes)
    for n in [2, 3, 4, 5, 6]:
        check(compiled, np.ones((n, 3), np.float64))
    assert compiled.stats.graph_calls == 3, compiled.reasons
