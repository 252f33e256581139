"""Item assignment into arrays the graph created, seen through every view (the heap model)."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, stats

X = np.arange(12.0, dtype=np.float32).reshape(3, 4)
XI = np.arange(12, dtype=np.int32).reshape(3, 4)


def rows(x):
    a = x * 2
    v = a[1]
    a[0] = 7.0
    a[1:, ::2] = x[1:, :2]
    a[2, 3] += 5
    v *= 10
    return a, v


def int_setitem(x):
    a = x + 0
    a[:, 1] = 3
    a[0, 0] += 2
    a[..., -1] = a[0, :3]
    return a


def masked_cast(x):
    a = x + 0
    a[0] = 1.5  # a float into an int array: plain Python
    return a


def fancy(x):
    a = x * 1
    a[[0, 2]] = 0
    return a


def argument_write(x):
    x[0] = 1
    return x


@pytest.mark.parametrize("fn,arg,converted", [
    (rows, X, True), (int_setitem, XI, True), (masked_cast, XI, False), (fancy, X, True),
    (argument_write, X, True)])
def test_item_assignment(fn, arg, converted):
    f = jm.compile(fn)
    for _ in range(3):
        check(f, arg.copy())
    assert (f.stats.graph_calls == 2) is converted, f.reasons


def broadcast_error(x):
    a = x * 1
    a[0] = x[:2]
    return a


def test_item_assignment_shape_errors_raise_like_numpy():
    f = jm.compile(broadcast_error)
    for _ in range(2):
        check(f, X)
    assert stats(f)[1] == 0


def numpy_scalar_into_signed(x, v):
    a = np.zeros(3, np.int8)
    a[0] = v  # a NumPy int64 scalar: stored through a Python int (OverflowError if too big)
    a[1:] = x.sum()
    u = np.zeros(2, np.uint8)
    u[...] = x.astype(np.uint8)[0]
    return a, u


def test_a_numpy_integer_scalar_into_a_narrower_signed_array_is_guarded_to_fit():
    """NumPy raises OverflowError for np.int64(300) into int8 (a 0-d array would wrap); the
    graph's guard fails and the call runs as plain Python, raising it."""
    f = jm.compile(numpy_scalar_into_signed)
    x = np.array([1, 2, 3], np.int16)
    for v in [5, 5, 5, 300, -128, 127, -129, 5]:
        check(f, x, np.int64(v))
    assert f.stats.graph_calls == 5, f.reasons
    assert f.stats.fallbacks == 2, f.reasons


def numpy_scalar_constant(x):
    a = np.zeros(2, np.int8)
    a[0] = np.int16(300)
    return a


def test_a_constant_numpy_scalar_that_does_not_fit_runs_as_plain_python():
    f = jm.compile(numpy_scalar_constant)
    for _ in range(2):
        check(f, X)
    assert f.stats.graph_calls == 0
