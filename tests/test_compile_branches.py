"""Branches on values computed in the graph: the side every profiled call took is converted and
guarded; a call that goes the other way falls back, and the site stops being speculated."""

from __future__ import annotations

import numpy as np

import janus_mlir as jm

from .equivalence import check, stats

POS = np.linspace(0.1, 1, 6, dtype=np.float32)
NEG = -POS


def relu_or_negate(x):
    if x.mean() > 0:
        y = np.maximum(x, 0)
    else:
        y = -x
    return y * 2 if x.max() < 10 else y


def test_a_stable_branch_is_speculated_and_guarded():
    f = jm.compile(relu_or_negate)
    for _ in range(4):
        check(f, POS)
    # The first call's conversion has no profile of the branch yet: one more profiling call.
    assert stats(f) == (4, 2, 2, 0, 1), f.reasons
    assert any("checked in the graph" in a for a in f.graphs[0].assumptions)


def test_a_branch_that_flips_falls_back_then_stops_being_speculated():
    f = jm.compile(relu_or_negate)
    for _ in range(3):
        check(f, POS)
    check(f, NEG)  # the guard fails: plain Python gives the other side
    assert f.stats.fallbacks == 1
    for x in (POS, NEG, POS):
        check(f, x)
    # Rebuilt with both sides of the branch (scf.if): every later call is a graph call.
    assert f.stats.graph_calls == 4 and f.stats.compilations == 2, f.reasons
    assert "scf.if" in f.graphs[0].ir("janus")


def ambiguous(x):
    if x > 0:  # ValueError for arrays of more than one element
        return x
    return -x


def test_the_truth_of_an_array_raises_like_numpy():
    f = jm.compile(ambiguous)
    for _ in range(2):
        check(f, POS)
    assert f.stats.graph_calls == 0


def converge(x, tol):
    err = float(np.abs(x).max())
    steps = 0
    while err > tol and steps < 3:
        x = x * 0.5
        err = err * 0.5
        steps += 1
    return x, steps


def test_a_while_on_a_converted_scalar_with_a_stable_trip_count():
    f = jm.compile(converge)
    for _ in range(3):
        check(f, POS, 0.3)


def _helper_relu_or_negate(x):
    if x.mean() > 0:
        return np.maximum(x, 0)
    return -x


def calls_a_branching_helper(x):
    return _helper_relu_or_negate(x) * 2


def test_a_branch_inside_a_helper_is_profiled_and_speculated():
    f = jm.compile(calls_a_branching_helper)
    for _ in range(4):  # (the first conversion has no profile of the branch yet)
        check(f, POS)
    assert f.stats.graph_calls == 2, f.reasons
    ir = f.graphs[0].ir("janus")
    assert "scf.if" not in ir and '"janus.guard"' in ir  # speculated, not both sides
    check(f, NEG)  # the guard fails; then both sides
    for x in (POS, NEG):
        check(f, x)
    assert "scf.if" in f.graphs[-1].ir("janus")
