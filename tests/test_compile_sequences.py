"""enumerate/zip/reversed over lists whose length changes between calls (frontend/sequences.py):
after the length guard fails, one scf.for over the stacked list serves every length. Each call
is compared with the plain function on deep copies; graph and compile counts are asserted."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, one_graph_for_lengths

RNG = np.random.default_rng(11)
LENGTHS = (3, 5, 2, 6, 4, 7)


def items(n, shape=(4,)):
    return [RNG.standard_normal(shape).astype(np.float32) for _ in range(n)]


def weighted(xs, h):
    for i, x in enumerate(xs):
        h = np.tanh(h + x * i)
    return h


def counted_from(xs, h):
    for k, x in enumerate(xs, 10):
        h = h * 0.5 + x * k
    return h, k


def paired(xs, ys):
    acc = xs[0] * 0
    for a, b in zip(xs, ys):
        acc = acc + a * b
    return acc


def backwards(xs):
    acc = xs[0] * 0
    for x in reversed(xs):
        acc = acc * 0.5 + x
    return acc


def nested(xs, ys):
    acc = xs[0] * 0
    for i, (a, b) in enumerate(zip(xs, ys)):
        acc = acc + (a - b) * i
    return acc


def with_rows(xs, m):
    acc = xs[0] * 0
    for x, row in zip(xs, m):  # a list and an array's first axis
        acc = acc + x * row
    return acc


def until_large(xs, h):
    for i, x in enumerate(xs):
        h = h + x * (i + 1)
        if h.sum() > 2.0:
            break
    return h, i


CASES = {
    "enumerate": (weighted, lambda n: (items(n), np.zeros(4, np.float32))),
    "enumerate-start": (counted_from, lambda n: (items(n), np.zeros(4, np.float32))),
    "zip": (paired, lambda n: (items(n), items(n))),
    "zip-shortest": (paired, lambda n: (items(n), items(n + 2))),
    "reversed": (backwards, lambda n: (items(n),)),
    "enumerate-zip": (nested, lambda n: (items(n), items(n))),
    "zip-array": (with_rows, lambda n: (items(n), RNG.standard_normal((n, 4)).astype(np.float32))),
    "enumerate-break": (until_large, lambda n: (items(n), np.zeros(4, np.float32))),
}
# Calls that run as plain Python before one graph serves every length: the profiling call,
# the call whose length first differs, and for the `break` on array data one more profiling
# call (the first call's branch never reached its other side).
PLAIN = {"enumerate-break": 3}


@pytest.mark.parametrize("name", CASES)
def test_one_graph_for_every_length(name):
    one_graph_for_lengths(*CASES[name], LENGTHS, plain=PLAIN.get(name, 2))


def listed(xs):
    return [i * x for i, x in list(enumerate(xs))]


def test_other_uses_of_a_run_time_sequence_run_as_plain_python():
    f = jm.compile(listed)
    for n in LENGTHS:
        check(f, items(n))
    assert any("only as the iterable of a for loop" in r for r in f.reasons), f.reasons


def total(xs):
    return sum(xs), sum(xs, 1.0)


def mean_loss(xs):
    losses = []
    for x in xs:
        losses.append(float((x * x).mean()))
    return sum(losses) / len(losses)


def sums_a_range(x, n):
    parts = []
    for i in range(n):
        parts.append(float(x[0]) * i)
    return sum(parts)  # 0 for n == 0: plain Python's int start


@pytest.mark.parametrize("fn", [total, mean_loss])
def test_sum_over_a_run_time_length_adds_from_the_left(fn):
    one_graph_for_lengths(fn, lambda n: (items(n),), LENGTHS)


def test_sum_of_an_empty_list_is_its_start():
    f = jm.compile(sums_a_range)
    x = np.arange(1, 5, dtype=np.float32)
    for n in (2, 3, 4, 0, 5, 0, 1):
        check(f, x, n)
    assert f.stats.graph_calls >= 3, f.reasons
    assert any("not empty" in r for r in f.reasons), f.reasons


def pair_items(n):
    return [(RNG.standard_normal((3, 4)).astype(np.float32),
             RNG.standard_normal((3, 2)).astype(np.float32)) for _ in range(n)]


W42 = RNG.standard_normal((4, 2)).astype(np.float32)


def fit(pairs, w):
    loss = 0.0
    for x, y in pairs:
        loss = loss + float(((x @ w - y) ** 2).mean())
    return loss, pairs[-1][1] * 2


def indexed_pairs(pairs, w):
    total = pairs[0][1] * 0
    for t in range(len(pairs)):
        x, y = pairs[t]  # a run-time index into a list of pairs
        total = total + np.tanh(x @ w) - y
    return total


def enumerated_pairs(pairs, w):
    acc = pairs[0][0] @ w * 0
    for i, (x, y) in enumerate(pairs):
        acc = acc + (x @ w) * i + y
    return acc


@pytest.mark.parametrize("fn", [fit, indexed_pairs, enumerated_pairs])
def test_a_list_of_pairs_of_arrays_is_one_stacked_input_per_position(fn):
    one_graph_for_lengths(fn, lambda n: (pair_items(n), W42), LENGTHS)


def test_a_pair_of_another_shape_runs_as_plain_python():
    f = one_graph_for_lengths(fit, lambda n: (pair_items(n), W42), LENGTHS)
    bad = pair_items(3) + [(np.zeros((3, 4), np.float32), np.zeros((3, 3), np.float32))]
    check(f, bad, W42)  # the stack guard fails: plain Python (which broadcasts or raises)
    assert any("holds tuples of ndarrays" in str(g) for g in f.graphs[-1].signature)
