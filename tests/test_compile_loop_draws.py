"""Random draws inside `for` loops over a run-time range (frontend/loop_draws.py): drawn on the
host for every iteration, interleaved in body order, so values and generator states equal plain
Python's; the loop stays one `scf.for` for every trip count."""

from __future__ import annotations

import random

import numpy as np

import janus_mlir as jm
from janus_mlir.speculation.sources import LoopDraws

from .equivalence import assert_same, check

TRIPS = [3, 5, 0, 2, 4, 1, 6]


def _lockstep_rng(fn, make_args, calls: int = 7):
    """`fn` compiled and plain on twin generators (seeded alike), results and the generators'
    states compared after every call."""
    f = jm.compile(fn)
    jit_rng, plain_rng = np.random.default_rng(7), np.random.default_rng(7)
    for i in range(calls):
        got = f(jit_rng, *make_args(i))
        want = fn(plain_rng, *make_args(i))
        assert_same(got, want, f"call {i}", scale=10.0)
        assert jit_rng.bit_generator.state == plain_rng.bit_generator.state, f"call {i}"
    return f


def _loop_graph(f):
    graphs = [g for g in f.graphs if any(isinstance(i.source, LoopDraws) for i in g.spec.inputs)]
    assert graphs, f.reasons
    return graphs[0]


def noisy_walk(rng, x, n):
    for _ in range(n):
        x = x + rng.standard_normal(x.shape) * rng.random()  # two draws per iteration
    return x


def test_two_draws_per_iteration_from_a_generator():
    x = np.zeros(4)
    f = _lockstep_rng(noisy_walk, lambda i: (x, TRIPS[i]))
    graph = _loop_graph(f)
    assert f.stats.graph_calls >= 4 and "scf.for" in graph.ir("janus"), f.reasons
    assert sum(isinstance(i.source, LoopDraws) for i in graph.spec.inputs) == 2


def draws_around_the_loop(rng, x, n):
    first = rng.integers(0, 100)
    for t in range(n):
        x = x * 0.5 + rng.uniform(-1, 1, size=3) + t
    last = rng.standard_normal()
    return x, first, last


def test_draws_before_in_and_after_the_loop_keep_program_order():
    f = _lockstep_rng(draws_around_the_loop, lambda i: (np.ones(3), TRIPS[i]))
    assert f.stats.graph_calls >= 4, f.reasons
    _loop_graph(f)


def global_draws(x, n):
    for _ in range(1, n, 2):
        x = x + np.random.rand(3) + random.random()
    return x


def test_global_generators_and_a_stepped_range():
    f = jm.compile(global_draws)
    for i, n in enumerate(TRIPS):
        np.random.seed(i)
        random.seed(i)
        check(f, np.ones(3), n)  # compares NumPy's and Python's global generator states too
    assert f.stats.graph_calls >= 4, f.reasons
    _loop_graph(f)


def test_a_guard_failing_after_the_draws_puts_the_generator_back():
    def walk_then_branch(rng, x, n):
        for _ in range(n):
            x = x + rng.standard_normal(3)
        if x.sum() > -100.0:  # speculated; the last call takes the other side
            return x
        return -x

    f = jm.compile(walk_then_branch)
    jit_rng, plain_rng = np.random.default_rng(3), np.random.default_rng(3)
    for i, n in enumerate([3, 4, 5, 2]):
        x = np.full(3, -1000.0 if i == 3 else 0.0)
        assert_same(f(jit_rng, x, n), walk_then_branch(plain_rng, x.copy(), n), f"call {i}")
        assert jit_rng.bit_generator.state == plain_rng.bit_generator.state, f"call {i}"
    assert f.stats.fallbacks >= 1 and f.stats.graph_calls >= 1, f.reasons


def test_draws_on_one_side_of_a_branch_in_the_loop():
    def dropout_sometimes(rng, x, n):
        for _ in range(n):
            if x.sum() > 0:  # on array data: how many draws depends on the data
                x = x * (rng.random(3) > 0.5)
            x = x + 1.0
        return x

    # First the side every profiled iteration took is speculated (the draws then happen in
    # every iteration, guarded); once that fails, the relaxed branch's draws run as plain.
    signs = [1, 1, 1, -1, 1, -1, 1]
    f = _lockstep_rng(dropout_sometimes, lambda i: (np.full(3, signs[i] * 5.0), TRIPS[i]))
    assert f.stats.fallbacks >= 1, f.reasons
    assert any("drawing random numbers" in r for r in f.reasons), f.reasons


def test_draws_in_a_loop_whose_bound_the_graph_computes_run_as_plain():
    def data_sized(rng, x, n):
        for _ in range(n * 2):  # the host does not compute n * 2 before the graph
            x = x + rng.random(3)
        return x

    f = _lockstep_rng(data_sized, lambda i: (np.ones(3), TRIPS[i]))
    assert not any(isinstance(i.source, LoopDraws) for g in f.graphs for i in g.spec.inputs)


def test_draws_whose_values_are_unused_still_advance_the_generator():
    def unused(rng, x, n):
        noise = rng.standard_normal(x.shape)  # dead: the graph computes nothing
        for _ in range(n):
            noise = noise + rng.random()
        return x

    f = _lockstep_rng(unused, lambda i: (np.ones(3), 2))
    assert f.stats.graph_calls >= 4, f.reasons
