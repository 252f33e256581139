"""Loops, comprehensions and `global` reads whose control is known while converting: unrolled,
with break/continue/else, comprehension scopes and the unroll budget."""

from __future__ import annotations

import numpy as np

import janus_mlir as jm

from .equivalence import check, stats

X = np.linspace(-1, 1, 6, dtype=np.float32)
STEP = 3


def while_counter(x, n):
    i = 0
    while i < n:
        x = np.tanh(x) + i
        i += 1
    return x


def breaks_and_continues(x, layers):
    out = x
    for k, w in enumerate(layers):
        if k == 1:
            continue
        if k == 3:
            break
        out = out * w
    else:
        out = out - 100  # not reached when the loop breaks
    return out


def for_else(x):
    for k in range(2):
        x = x + k
    else:
        x = x * 10
    return x


def nested_loops(x):
    acc = x * 0
    for i in range(3):
        for j in range(3):
            if j > i:
                break
            acc = acc + x * (i * 3 + j)
    return acc


def comprehensions(x, ws):
    scaled = [x * w for w in ws if w != 0]
    table = {k: x + k for k in range(2)}
    total = sum(v.sum() for v in scaled)
    pairs = [(i, j) for i in range(2) for j in range(i)]
    return scaled, table, total, pairs, len({1, 2, 1 + 1})


def reads_global(x):
    global STEP
    return x * STEP


PROGRAMS = [(while_counter, (X, 3)), (breaks_and_continues, (X, [1.0, 2.0, 3.0, 4.0, 5.0])),
            (for_else, (X,)), (nested_loops, (X,)), (comprehensions, (X, [0.5, 0.0, 2.0])),
            (reads_global, (X,))]


def test_loops_known_while_converting_are_unrolled():
    for fn, args in PROGRAMS:
        f = jm.compile(fn)
        for _ in range(3):
            check(f, *args)
        assert stats(f) == (3, 2, 1, 0, 1), (fn.__name__, f.reasons)


def test_a_while_count_that_changes_is_keyed_on():
    f = jm.compile(while_counter)
    for n in (2, 2, 3, 3, 2):
        check(f, X, n)
    assert f.stats.graph_calls >= 2


def comprehension_scope(x):
    w = 5
    ys = [x * w for w in range(2)]
    return ys, w


def test_comprehension_variables_do_not_leak():
    f = jm.compile(comprehension_scope)
    for _ in range(3):
        check(f, X)


def returns_generator(x):
    return (x * k for k in range(2))


def test_a_generator_is_never_returned_as_a_list():
    f = jm.compile(returns_generator)
    f(X)
    out = f(X)
    assert list(out)[1][0] == X[0]
    assert f.stats.graph_calls == 0


def writes_global(x):
    global STEP
    STEP += 1
    return x * STEP


def test_writing_a_global_is_committed_after_the_graph():
    global STEP
    f = jm.compile(writes_global)
    try:
        for n in range(4):
            np.testing.assert_array_equal(f(X), X * (4 + n))
            assert STEP == 4 + n
    finally:
        STEP = 3
    assert f.stats.graph_calls == 3, f.reasons


def long_loop(x):
    for _ in range(5000):
        x = x + 1
    return x


def test_long_static_loops_are_one_scf_for_not_unrolled():
    f = jm.compile(long_loop)
    for _ in range(2):
        check(f, X)
    assert f.stats.graph_calls == 1
    assert "scf.for" in f.graphs[0].ir("janus")


def long_indexed_loop(x, ws):
    for i in range(3000):
        x = x + ws[i % 2]  # needs i as a constant: unrolled, past the budget
    return x


def test_a_long_loop_that_needs_its_index_known_now_is_not_unrolled_past_the_budget():
    f = jm.compile(long_indexed_loop)
    for _ in range(2):
        check(f, X, [X, X * 2])
    assert f.stats.graph_calls == 0
    assert any("unrolled past" in r for r in f.reasons)


def data_dependent_while(x):
    while x.sum() > 0:
        x = x - 1
    return x


def test_a_data_dependent_while_is_converted_after_profiling():
    f = jm.compile(data_dependent_while)
    for s in (1, 1, 3, 2):
        check(f, X + s)
    assert f.stats.graph_calls == 2 and "scf.while" in f.graphs[0].ir("janus"), f.reasons


def local_items(x):
    pieces = [x * 1, x * 2]
    pieces[1] -= 5  # in place on the array, and the element rebound
    pieces[0] = pieces[0] + 1
    d = {"a": x}
    d["b"] = d["a"] * 3
    d["a"] += 1  # in place: x is the caller's array, written back
    return pieces, d


def local_items_fresh(x):
    pieces = [x * 1, x * 2]
    alias = pieces[1]
    pieces[1] -= 5
    counts = [0, 0]
    counts[1] += 2
    return pieces, alias, counts


def test_item_assignment_into_lists_and_dicts_the_function_built():
    f = jm.compile(local_items_fresh)
    for _ in range(3):
        check(f, X)
    assert stats(f) == (3, 2, 1, 0, 1), f.reasons
    g = jm.compile(local_items)
    for _ in range(3):
        check(g, X.copy())
    assert g.stats.graph_calls == 2, g.reasons
