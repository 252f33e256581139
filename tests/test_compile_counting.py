"""numpy.bincount and numpy.isin inside compiled functions, compared with plain NumPy.

bincount's length is the data's max + 1: ONE graph answers every maximum (a dim the graph
computes), a negative value fails an in-graph guard and the call raises NumPy's ValueError as
plain Python. isin gives NumPy's answer for every algorithm NumPy may pick."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check

RNG = np.random.default_rng(17)


def histogram(labels, w):
    counts = np.bincount(labels)
    weighted = np.bincount(labels, weights=w, minlength=6)
    return counts, weighted, counts.max(), len(counts), np.bincount(labels, minlength=3) * 2


def test_bincount_of_every_maximum_is_one_graph():
    """Maxima from 0 to 9: fewer and more bins than minlength."""
    f = jm.compile(histogram)
    calls = [(RNG.integers(0, hi, 12), RNG.standard_normal(12)) for hi in (5, 1, 10, 3, 7)]
    for args in calls:
        check(f, *args)
    assert f.stats.compilations == 1, f.reasons
    assert f.stats.graph_calls == len(calls) - 1, f.reasons


def negative(labels):
    return np.bincount(labels)


def test_a_negative_value_raises_numpys_value_error():
    f = jm.compile(negative)
    for x in ([1, 2, 2], [0, 3, 1], [4, -1, 2], [2, 2, 0], [-5, 1, 1]):
        check(f, np.array(x))
    assert f.stats.graph_calls == 2, f.reasons
    assert f.stats.fallbacks == 2, f.reasons


def of_selection(x, m):
    picked = x[m]
    return np.bincount(picked), np.bincount(picked, weights=picked * 0.5, minlength=2)


def test_bincount_of_a_mask_selection_of_any_size():
    """The selection's length is itself counted (none to all); with weights an empty selection
    would make NumPy return int64 bins, so the graph guards it is not empty."""
    f = jm.compile(of_selection)
    x = np.array([3, 0, 7, 1, 1, 4], np.int32)
    masks = [x > 1, x > 0, x >= 0, x > 3, x > 100, x > 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for m in masks:
            check(f, x, m)
    assert f.stats.compilations <= 2, f.reasons
    assert f.stats.graph_calls >= 3, f.reasons


def unsigned_and_bools(u, m):
    return np.bincount(u), np.bincount(m), np.bincount(u.astype(np.uint16), weights=u)


def test_bincount_of_uint8_and_bool_values():
    check_graph(unsigned_and_bools, np.array([255, 128, 0, 255, 127], np.uint8),
                np.array([True, False, True]))


def membership(x, t, s):
    return (np.isin(x, t), np.isin(x, t, invert=True), np.isin(x, [2, 5.5]), np.isin(3, t),
            np.isin(x, s), np.isin(x[1].astype(np.int8), t), np.isin(x, t[:0]),
            np.isin(x, t, invert=True, kind="sort"), np.isin(x > 2, [True]))


def test_isin_matches_numpy_on_every_dtype_mix():
    """Result of the element's shape (0-d included); float elements against ints, int8
    against int64 (promoted exactly), NaN never found, -0.0 finds 0.0, an empty test set."""
    x = np.array([[1.0, 2.0, np.nan], [-0.0, 5.5, 7.0]])
    check_graph(membership, x, np.array([0, 2, 7, 9]), np.array([np.nan, 0.0]))


def assume_unique(x, t):
    return np.isin(x, t, assume_unique=True), np.isin(x, t, assume_unique=True, invert=True)


def test_isin_with_assume_unique_guards_that_the_elements_do_not_repeat():
    """With many test elements NumPy sorts both arrays and, when told they are unique, answers
    differently for a repeated element: the guard sends that call to plain Python."""
    f = jm.compile(assume_unique)
    t = np.arange(0, 400, 3)
    for x in ([1, 3, 4, 6], [9, 8, 7, 2], [5, 5, 6, 1], [0, 30, 31, 32]):
        check(f, np.array(x), t)
    assert f.stats.graph_calls == 2, f.reasons
    assert f.stats.fallbacks == 1, f.reasons


def isin_table(x):
    return np.isin(x, [1, 2], kind="table")


def isin_mixed(x):
    return np.isin(x, np.array([2**64 - 1], np.uint64))


def bincount_float(x):
    return np.bincount(x)


def bincount_uint64(x):
    return np.bincount(x.astype(np.uint64))


@pytest.mark.parametrize("fn, arg, reason", [
    (isin_table, np.arange(3), "kind='table'"),
    (isin_mixed, np.arange(3), "uint64 with signed ints"),
    (bincount_float, np.arange(3.0), "Cannot cast array data"),
    (bincount_uint64, np.arange(3), "uint64"),
])
def test_what_is_not_converted_runs_as_plain_python(fn, arg, reason):
    f = jm.compile(fn)
    for _ in range(3):
        check(f, arg)
    assert f.stats.graph_calls == 0
    assert any(reason in r for r in f.reasons), f.reasons


def check_graph(fn, *args) -> None:
    f = jm.compile(fn)
    for _ in range(3):
        check(f, *args)
    assert f.stats.graph_calls == 2, f.reasons
