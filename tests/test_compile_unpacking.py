"""Starred assignment targets and isinstance on graph values: converted, compared against the
plain function (values, heap, identity), with the compile counts asserted."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, stats

X = np.linspace(-1, 1, 6, dtype=np.float32)
XS = [X * i for i in range(4)]


def first_and_rest(xs):
    first, *rest = xs
    return first + sum(rest), len(rest)


def middle(xs):
    a, *mid, z = xs
    return mid, a - z


def star_of_a_tuple_result(x):
    *init, last = np.split(x, 3)
    return init, last * 2


def too_few(xs):
    a, b, *rest = xs
    return a + b


@pytest.mark.parametrize("fn,args", [(first_and_rest, (XS,)), (middle, (XS,)),
                                     (middle, (XS[:2],)), (star_of_a_tuple_result, (X,))],
                         ids=["first_rest", "middle", "middle_empty", "split"])
def test_starred_targets(fn, args):
    f = jm.compile(fn)
    for _ in range(3):
        check(f, *args)
    assert stats(f) == (3, 2, 1, 0, 1), f.reasons


def test_too_few_values_for_a_starred_target_raise_as_python_does():
    f = jm.compile(too_few)
    for _ in range(2):
        check(f, XS[:1])  # ValueError: not enough values to unpack
    assert f.stats.graph_calls == 0


def kinds(x, s, n):
    return (isinstance(x, np.ndarray), isinstance(x.sum(), np.floating),
            isinstance(s, float), isinstance(n, (int, np.integer)), isinstance(x, list))


def branch_on_type(x):
    if isinstance(x, np.ndarray):
        return x * 2
    return x


def test_isinstance_of_graph_values():
    f = jm.compile(kinds)
    for s in (0.5, 1.5, 2.5, 3.5):  # the float becomes a run-time input after it changes
        check(f, X, s, 3)
    assert f.stats.graph_calls == 2 and f.stats.compilations == 2, f.reasons
    g = jm.compile(branch_on_type)
    for _ in range(3):
        check(g, X)
    assert stats(g) == (3, 2, 1, 0, 1), g.reasons
