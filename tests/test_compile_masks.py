"""Data-dependent result sizes: boolean masks, nonzero/argwhere/flatnonzero/where(cond) and
unique convert with a dim the graph computes, so masks selecting any number of elements (none
and all included) are answered by ONE graph; what cannot be done exactly runs as plain Python."""

from __future__ import annotations

import numpy as np

import janus_mlir as jm

from .equivalence import check

RNG = np.random.default_rng(11)


def _mask(n: int, k: int, shape=None) -> np.ndarray:
    m = np.zeros(n, bool)
    m[RNG.permutation(n)[:k]] = True
    return m.reshape(shape or (n,))


def _one_graph(f, calls) -> None:
    for args in calls:
        check(f, *args)
    assert f.stats.compilations == 1, f.reasons
    assert f.stats.graph_calls == len(calls) - 1, f.reasons


def select(x, m):
    return x[m], x[x > 0], x[m].sum(), len(x[m]), x[m].shape[0]


def test_masks_of_every_count_share_one_graph():
    x = RNG.standard_normal((4, 6)).astype(np.float32)
    calls = [(x, _mask(24, k, (4, 6))) for k in (5, 0, 24, 1, 13, 2)]
    _one_graph(jm.compile(select), calls)


def rows(x, m):
    return x[m, :], x[m], x[m].mean(axis=0), x[:, m[:3]], x[..., m[:3]] * 2.0


def test_row_and_column_masks():
    x = RNG.standard_normal((5, 3))
    calls = [(x, _mask(5, k)) for k in (2, 0, 5, 1, 3)]
    _one_graph(jm.compile(rows), calls)


def coordinates(x):
    return np.nonzero(x), x.nonzero(), np.argwhere(x), np.flatnonzero(x), np.where(x > 1)


def test_nonzero_argwhere_flatnonzero_where():
    calls = [(RNG.integers(-2, 3, (3, 4)) * (RNG.random((3, 4)) < p),) for p in (0.5, 0, 1, 0.1)]
    _one_graph(jm.compile(coordinates), calls)


def labels(y):
    classes, counts = np.unique(y, return_counts=True)
    values, first, inverse = np.unique(y, return_index=True, return_inverse=True)
    return classes, counts, values, first, inverse, np.unique(y.astype(np.float64))


def test_unique_on_labels():
    calls = [(RNG.integers(0, k, 40),) for k in (3, 1, 7, 40, 5)]
    _one_graph(jm.compile(labels), calls)


def masked_mean(x, valid):
    return x[valid].mean(), float(x[valid].sum()) / max(len(x[valid]), 1)


def test_masked_mean_of_a_realistic_batch():
    x = RNG.standard_normal(1000).astype(np.float32) * 10
    calls = [(x, RNG.random(1000) < p) for p in (0.3, 0.9, 0.01, 1.0)]
    _one_graph(jm.compile(masked_mean), calls)
    check(jm.compile(masked_mean), x, np.zeros(1000, bool))  # mean of nothing: nan, as NumPy


def peak(x, m):
    return x[m].max()


def test_max_of_an_empty_selection_raises_as_numpy_does():
    f = jm.compile(peak)
    x = RNG.standard_normal(8)
    for k in (3, 4, 0, 2):
        check(f, x, _mask(8, k))  # k = 0: ValueError from plain Python
    assert f.stats.compilations == 1 and f.stats.fallbacks == 1, f.reasons


def signed_zero(x):
    return np.unique(x)


def test_unique_with_both_signed_zeros_runs_as_plain_python():
    f = jm.compile(signed_zero)
    for x in ([1.0, 0.0, 2.0, 0.0], [2.0, 1.0, 1.0, 3.0], [0.0, -0.0, 1.0, 5.0]):
        check(f, np.array(x))
    assert f.stats.fallbacks == 1, f.reasons


def two_counts(x, m1, m2):
    return x[m1][:, None] * x[m2][None, :]


def test_two_data_dependent_sizes_in_one_op_run_as_plain_python():
    f = jm.compile(two_counts)
    x = RNG.standard_normal(6)
    for k in (2, 3, 1):
        check(f, x, _mask(6, k), _mask(6, 4))
    assert f.stats.graph_calls == 0


def squeezed(x, m):
    return np.squeeze(x[m])


def test_a_shape_decided_on_the_count_runs_as_plain_python():
    f = jm.compile(squeezed)
    x = RNG.standard_normal(6)
    for k in (2, 1, 3):
        check(f, x, _mask(6, k))
    assert f.stats.graph_calls == 0
