"""Conversion runs no user code: effects and impure calls are never executed while converting.

Each case is a silent wrong result found on main before the pure allow-list (frontend/pure.py):
random numbers drawn once and baked in, the time of conversion frozen, appends made while
converting. They now run as plain Python with a reason, and run exactly once per call.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np

import janus_mlir as jm

from .equivalence import check, stats

X = np.linspace(-1, 1, 6, dtype=np.float32)
LOG: list[int] = []


def rand_scale(x):
    return x * np.random.rand(*x.shape)


def test_numpy_random_is_drawn_on_the_host_not_while_converting():
    f = jm.compile(rand_scale)
    np.random.seed(0)
    for _ in range(3):
        check(f, X)  # the oracle compares the global RNG state after each call
    assert stats(f) == (3, 2, 1, 0, 1), f.reasons


def python_random(x):
    return x + random.random()


def test_python_random_is_drawn_on_the_host_not_while_converting():
    f = jm.compile(python_random)
    random.seed(1)
    for _ in range(3):
        check(f, X)
    assert f.stats.graph_calls == 2, f.reasons


def add_time(x):
    return x + time.time()


def test_time_is_read_on_every_call():
    f = jm.compile(add_time)
    x = X.astype(np.float64)
    f(x)
    first = f(x)
    time.sleep(0.01)
    second = f(x)
    assert not np.array_equal(first, second)
    assert f.stats.graph_calls == 0


def logs(x):
    LOG.append(1)
    return np.tanh(x)


def test_host_list_append_runs_once_per_call():
    LOG.clear()
    f = jm.compile(logs)
    for n in range(1, 5):
        f(X)
        assert LOG == [1] * n  # committed once by each graph call, never while converting
    assert f.stats.graph_calls == 3, f.reasons


def counter_draw(x, it):
    return x + next(it)


def test_next_on_an_iterator_is_not_run_while_converting():
    f = jm.compile(counter_draw)
    it = iter(range(100))
    got = [float(f(X, it)[0]) for _ in range(3)]
    assert got == [float(X[0]) + k for k in range(3)]


def local_list(x):
    out = []
    for k in range(3):
        out.append(x * k)
    return out


def test_methods_of_lists_the_function_built_are_converted():
    f = jm.compile(local_list)
    for _ in range(3):
        check(f, X)
    assert stats(f) == (3, 2, 1, 0, 1)


def pure_math(x, n):
    return x * math.sqrt(n) + len((1, 2)) + abs(-2) + max(1, 2) + round(2.6)


def test_pure_builtins_and_math_are_evaluated_at_conversion():
    f = jm.compile(pure_math)
    for _ in range(3):
        check(f, X, 4)
    assert stats(f) == (3, 2, 1, 0, 1)


def returns_iterator(x, t):
    return x * 2, iter(t)


def test_a_returned_iterator_is_not_one_constant_shared_by_calls():
    f = jm.compile(returns_iterator)
    for _ in range(3):
        _, it = f(X, (1, 2))
        assert list(it) == [1, 2]
    assert f.stats.graph_calls == 0


def test_the_function_runs_exactly_once_per_call():
    calls = []

    def hook():
        calls.append(1)
        return 1.0

    def uses_hook(x):
        return x * hook()

    f = jm.compile(uses_hook)
    for n in range(1, 4):
        f(X)
        assert len(calls) == n


def formats_graph_value(x):
    return x * 2, str([1, 2]), len(str([x.sum()]))


def test_str_of_a_graph_value_is_never_janus_own_repr():
    f = jm.compile(formats_graph_value)
    for _ in range(3):
        check(f, X)
    assert f.stats.graph_calls == 0
