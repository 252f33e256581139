"""Views and aliases: an in-place write is seen through every view and every container holding
the array, returned views are real NumPy views, and one object stays one object.

The oracle (`check`) compares which results and inputs share memory or are the same object.
"""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, stats

X = np.arange(12.0, dtype=np.float32).reshape(3, 4)


def slice_then_write(x):
    a = x * 2
    b = a[:2]
    a += 1
    return b


def list_then_write(x):
    a = x * 2
    lst = [a]
    a += 1
    return lst[0]


def write_through_view(x):
    a = x * 2
    b = a[1:, ::2]
    b += 100
    return a


def write_through_chain(x):
    a = x + 0
    b = a.T[::-1]
    c = b.reshape(-1)  # a copy: b is not contiguous
    b *= 3
    return a, c


def write_through_reshape(x):
    a = x * 1.5
    r = a.reshape(2, 6)
    e = a[None, :, 1]
    r -= 1
    return a, e, np.squeeze(e)


def views_of_a_result(x):
    a = np.tanh(x)
    return a, a[1:], a.T, a


VIEW_PROGRAMS = [slice_then_write, list_then_write, write_through_view, write_through_chain,
                 write_through_reshape, views_of_a_result]


@pytest.mark.parametrize("fn", VIEW_PROGRAMS, ids=lambda f: f.__name__)
def test_writes_are_seen_through_every_alias(fn):
    f = jm.compile(fn)
    for _ in range(3):
        check(f, X)
    assert stats(f) == (3, 2, 1, 0, 1), f.reasons


def returns_views_of_argument(x):
    return x[:, :2], x.T, x.reshape(-1), x[None], np.asarray(x), x[1]


def test_returned_views_of_an_argument_are_views_of_the_callers_array():
    f = jm.compile(returns_views_of_argument)
    for _ in range(3):
        check(f, X)
    assert stats(f) == (3, 2, 1, 0, 1)
    x = X.copy()
    out = f(x)
    assert all(np.shares_memory(v, x) for v in out)
    out[0][0, 0] = -7.0  # writes through a returned view reach the caller
    assert x[0, 0] == -7.0
    assert out[4] is x


def same_object_twice(x):
    a = x * 2
    return a, a, [a, a[0]]


def test_one_object_comes_back_as_one_object():
    f = jm.compile(same_object_twice)
    for _ in range(3):
        a, b, (c, d) = check(f, X)
    assert a is b is c and np.shares_memory(a, d)


def write_to_argument_view(x):
    a = x[:2]
    a += 1
    return a


def test_in_place_write_to_a_view_of_an_argument_is_written_back():
    f = jm.compile(write_to_argument_view)
    for _ in range(3):
        check(f, X.copy())  # the caller's x changes, as in NumPy
    assert f.stats.graph_calls == 2, f.reasons


def write_to_broadcast(x):
    a = x * 2
    b = np.broadcast_to(a[0], (3, 4))
    b += 1
    return b


def test_write_to_a_broadcast_view_raises_like_numpy():
    f = jm.compile(write_to_broadcast)
    for _ in range(2):
        check(f, X)  # ValueError: output array is read-only


def fortran_result_reshaped(x):
    a = x.T * 2  # NumPy keeps the transposed (F-order) layout: a.reshape copies
    b = a.reshape(-1)
    a += 1
    return b


def test_reshape_of_a_non_contiguous_result_is_never_guessed():
    f = jm.compile(fortran_result_reshaped)
    for _ in range(3):
        check(f, X)
    assert f.stats.graph_calls == 0


def test_non_contiguous_arguments_get_their_own_graph():
    f = jm.compile(returns_views_of_argument)
    check(f, X)
    check(f, X)
    xt = np.asfortranarray(X)
    check(f, xt)  # x.reshape(-1) of an F-ordered array is a copy in NumPy
    check(f, xt)
    assert f.stats.compilations == 2


def distinct_results(x):
    return x + 1, x + 1


def test_distinct_results_never_share_memory():
    f = jm.compile(distinct_results)
    for _ in range(3):
        a, b = check(f, X)
    a[0, 0] = 100
    assert b[0, 0] == X[0, 0] + 1


def test_big_endian_arrays_run_as_plain_python():
    f = jm.compile(lambda_free_copy)
    x = X.astype(">f4")
    for _ in range(2):
        out = check(f, x)
    assert out[0].dtype == np.dtype(">f4")
    assert f.stats.graph_calls == 0


def lambda_free_copy(x):
    return x.copy(), x[1:], x.reshape(-1)


def row_at_runtime_index(x, n):
    return x[n]


def test_a_view_at_a_run_time_offset_is_never_returned_as_a_copy():
    f = jm.compile(row_at_runtime_index)
    for n in (0, 0, 1, 2, 1):
        check(f, X, n)  # NumPy returns a view of the caller's x


def nan_default(x, fill=np.nan):
    return np.where(x > 5, x, fill)


def test_a_nan_constant_is_speculated_like_any_value():
    f = jm.compile(nan_default)
    for _ in range(3):
        check(f, X)
    assert f.stats.graph_calls == 2
