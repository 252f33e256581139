"""Lists a run-time loop appends to (frontend/row_lists.py): `outs.append(h)` once per
iteration becomes rows of one buffer, so `np.stack(outs)` after an RNN over a list of any
length is one graph. Every call is compared with the plain function on deep copies (values,
dtypes, Python types, aliasing, exceptions); graph and compile counts are asserted. Lists whose
items could alias other arrays run as plain Python, with a reason."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, one_graph_for_lengths

RNG = np.random.default_rng(5)
W = (RNG.standard_normal((4, 4)) * 0.3).astype(np.float32)
LENGTHS = (3, 5, 2, 6, 4, 7)


def items(n):
    return [RNG.standard_normal(4).astype(np.float32) for _ in range(n)]


def rnn_outputs(xs, h, w):
    outs = []
    for x in xs:
        h = np.tanh(x + h @ w)
        outs.append(h)
    return np.stack(outs), h


def losses(xs):
    ls = []
    for x in xs:
        ls.append(float((x * x).sum()))
    return ls, np.mean(ls), len(ls), ls[-1]


def numpy_scalars(xs):
    ms = []
    for x in xs:
        ms.append(x.mean())  # np.float32 items
    return ms


def with_prefix(xs):
    ls = [0.5]
    for x in xs:
        ls.append(float(x.max()))
    return ls, np.asarray(ls).sum()


def stacked_with_a_dtype(xs, h, w):
    outs = []
    for x in xs:
        h = h * 0.5 + x * w[0]
        outs.append(h)
    return np.stack(outs, axis=0, dtype=np.float64), np.array(outs).shape


def read_back(xs):
    outs = []
    for x in xs:
        outs.append(x * 2.0)
    total = outs[0] * 0
    for o in outs:  # a second run-time loop over the list
        total = total + o
    return total, outs[-1] + 1, np.stack(outs).sum(axis=0)


def over_a_range(x, n):
    outs = []
    for i in range(n):
        outs.append(x * i)
    return np.stack(outs)  # ValueError for n == 0, as in NumPy


CASES = {
    "rnn": (rnn_outputs, lambda n: (items(n), np.zeros(4, np.float32), W)),
    "python-floats": (losses, lambda n: (items(n),)),
    "numpy-scalars": (numpy_scalars, lambda n: (items(n),)),
    "prefix": (with_prefix, lambda n: (items(n),)),
    "dtype": (stacked_with_a_dtype, lambda n: (items(n), np.ones(4, np.float32), W)),
    "read-back": (read_back, lambda n: (items(n),)),
}


@pytest.mark.parametrize("name", CASES)
def test_one_graph_for_every_length(name):
    f = one_graph_for_lengths(*CASES[name], LENGTHS)
    assert "scf.for" in f.graphs[-1].ir("janus")


def test_an_empty_list_raises_as_numpy_does():
    f = jm.compile(over_a_range)
    x = np.arange(4, dtype=np.float32)
    for n in (2, 3, 4, 0, 5, 1):
        check(f, x, n)
    assert f.stats.graph_calls >= 3, f.reasons


def appends_one_array(xs, x0):
    outs = []
    for _x in xs:
        outs.append(x0)  # the same array every time: the items alias it
    return np.stack(outs)


def writes_carried_in_place(xs, h):
    h = h.copy()
    outs = []
    for x in xs:
        outs.append(h)
        h = h + x
        h += 1.0  # after the append of the previous iteration's h: aliasing
    return np.stack(outs)


def writes_last_item_after(xs, h):
    outs = []
    for x in xs:
        h = np.tanh(x + h)
        outs.append(h)
    h[0] = 100.0  # the last item is this very array
    return np.stack(outs)


def returns_outs_and_reads_an_item(xs):
    outs = []
    for x in xs:
        outs.append(x + 1.0)
    return outs, outs[-1]  # the item is the list's own object


def appends_to_two_lists(xs):
    outs, kept = [], []
    for x in xs:
        y = x * 2.0
        outs.append(y)
        kept.append(y)  # outs[i] is kept[i]
    return outs, kept


def appends_in_a_branch(xs):
    outs = []
    for x in xs:
        if x.sum() > 0:
            outs.append(x * 2)
    return len(outs)


def reads_it_in_the_loop(xs):
    outs = []
    for x in xs:
        outs.append(x * len(outs))
    return np.stack(outs)


@pytest.mark.parametrize("fn,args,why", [
    (appends_one_array, lambda n: (items(n), items(1)[0]), "alias"),
    (writes_carried_in_place, lambda n: (items(n), np.zeros(4, np.float32)), "alias"),
    (writes_last_item_after, lambda n: (items(n), np.zeros(4, np.float32)), "in-place write"),
    (returns_outs_and_reads_an_item, lambda n: (items(n),), "also read in the function"),
    (appends_to_two_lists, lambda n: (items(n),), "appended to two lists"),
    (appends_in_a_branch, lambda n: (items(n),), "list or dict changed"),
    (reads_it_in_the_loop, lambda n: (items(n),), "list or dict changed"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_lists_that_would_alias_run_as_plain_python(fn, args, why):
    f = jm.compile(fn)
    for n in LENGTHS:
        check(f, *args(n))
    assert any(why in r for r in f.reasons), f.reasons


def comprehended(xs, w):
    hs = [np.tanh(x * w) for x in xs]  # a loop appending to a list
    return np.stack(hs), sum(float(h.sum()) for h in hs), len(hs)


def generator_length(xs):
    g = (x.sum() for x in xs)
    return len(g)  # TypeError, as in Python


def test_comprehensions_over_a_run_time_length_are_loops():
    one_graph_for_lengths(comprehended, lambda n: (items(n), np.float32(0.5)), LENGTHS)
    f = jm.compile(generator_length)
    for n in LENGTHS:
        check(f, items(n))
    assert any("has no len()" in r for r in f.reasons), f.reasons


def zips_a_built_list(xs):
    hs = []
    for x in xs:
        hs.append(x * 2.0)
    acc = xs[0] * 0
    for i, (h, x) in enumerate(zip(hs, xs)):
        acc = acc + (h - x) * i
    for h in reversed(hs):
        acc = acc * 0.5 + h
    return acc


def test_a_built_list_zips_enumerates_and_reverses():
    one_graph_for_lengths(zips_a_built_list, lambda n: (items(n),), LENGTHS)


def two_lists(xs):
    a, b = [], []
    for x in xs:
        a.append(x + 1.0)
        b.append(x * 2.0)
    return np.stack(a) - np.stack(b)  # one loop's lists: one length


def test_the_lists_of_one_loop_share_their_length():
    one_graph_for_lengths(two_lists, lambda n: (items(n),), LENGTHS)


def two_number_lists(x, n):
    floats, ints = [], []
    for k in range(n):
        floats.append(float(np.tanh(x).sum()) * k)
        ints.append(k + n)
    return floats, ints


def test_two_lists_of_numbers_built_by_one_loop_keep_their_own_rows():
    # IREE gave both buffers the same rows when the scalars went in by a rank-0 insert_slice
    # (frontend/rows.py: with_row).
    one_graph_for_lengths(two_number_lists, lambda n: (np.ones(3), n), [2, 3, 5, 1, 4, 6])


# Lists of arrays that escape: each item is rebuilt as its own array, and a name the loop
# carries that holds the last item appended is rebuilt as that very item (`check` compares
# which results and inputs are one object).

def returns_the_arrays(xs):
    outs = []
    for x in xs:
        outs.append(x + 1.0)
    return outs


def returns_the_states_and_the_last(xs, h, w):
    outs = []
    for x in xs:
        h = np.tanh(x + h @ w)
        outs.append(h)
    return outs, h, h[1:3]  # h is outs[-1]; h[1:3] a view of it


def the_last_is_not_the_carried(xs, h, w):
    outs = []
    for x in xs:
        h = np.tanh(x + h @ w)
        outs.append(h)
        h = h * 0.5  # a new array after the append: h is no item
    return outs, h


class Holder:
    pass


def stores_the_states(m, xs, h, w):
    outs = []
    for x in xs:
        h = np.tanh(x + h @ w)
        outs.append(h)
    m.states, m.last = outs, h
    return len(outs)


@pytest.mark.parametrize("fn,args", [
    (returns_the_arrays, lambda n: (items(n),)),
    (returns_the_states_and_the_last, lambda n: (items(n), np.zeros(4, np.float32), W)),
    (the_last_is_not_the_carried, lambda n: (items(n), np.ones(4, np.float32), W)),
    (stores_the_states, lambda n: (Holder(), items(n), np.zeros(4, np.float32), W)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_lists_of_arrays_escape_with_their_identities(fn, args):
    f = one_graph_for_lengths(fn, args, LENGTHS)
    got = f(*args(3))
    states = got[0] if isinstance(got, tuple) else getattr(got, "states", None)
    if isinstance(states, list):  # each item its own array, as each append made one
        assert all(a.base is None and a.flags.writeable for a in states)


def states_over_a_range(x, h, n):
    outs = []
    for i in range(n):
        h = np.tanh(x * float(i) + h)
        outs.append(h)
    return outs, h  # no trip: h is the caller's array, outs empty


def test_the_carried_last_item_is_the_callers_array_after_no_trip():
    x, h = RNG.standard_normal(4).astype(np.float32), np.zeros(4, np.float32)
    f = jm.compile(states_over_a_range)
    for n in (2, 3, 0, 4, 0, 5, 1):
        check(f, x, h, n)
    assert f.stats.compilations <= 2 and f.stats.graph_calls >= 4, f.reasons
