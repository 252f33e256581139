"""Attributes assigned inside loops over a run-time length (frontend/loop_attributes.py): the
loop carries them as names and assigns each once after it; state, values and identities equal
plain Python's after every call, zero trips included."""

from __future__ import annotations

import numpy as np

from .test_compile_effects import lockstep


class Counter:
    def __init__(self):
        self.count = 0
        self.total = 0.0
        self.h = np.zeros(4, np.float32)
        self.w = np.linspace(-1, 1, 16, dtype=np.float32).reshape(4, 4)
        self.best = np.float32(10.0)

    def bumped(self):
        return self.count + 1


def count_steps(m, x, n):
    for _ in range(n):
        m.count += 1
        m.total += float((x * x).sum())
    return m.count


def recurrent(m, xs, n):
    for t in range(n):
        m.h = np.tanh(m.h @ m.w + xs[t])
    return m.h.sum()


def keep_best(m, xs, n):
    for t in range(n):
        loss = (xs[t] ** 2).sum()
        if loss < m.best:
            m.best = loss
    return m.best


def halve_until(m, x, n):
    m.total = float(x.sum()) * n
    while m.total > 1.0:
        m.total = m.total / 2
        m.count += 1
    return m.count


def _trips(i):
    return [3, 5, 0, 2, 4, 1][i % 6]


def test_counters_and_accumulators():
    x = np.arange(3, dtype=np.float32)
    f = lockstep(count_steps, (Counter(),), calls=6, args=lambda i: (x, _trips(i)))
    assert f.stats.graph_calls >= 3, f.reasons


def test_an_array_attribute_rebound_every_iteration():
    xs = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    f = lockstep(recurrent, (Counter(),), calls=6, args=lambda i: (xs, _trips(i)))
    assert f.stats.graph_calls >= 3, f.reasons


def test_an_attribute_assigned_on_one_side_of_a_branch_in_the_loop():
    xs = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
    f = lockstep(keep_best, (Counter(),), calls=6, args=lambda i: (xs * (1 + i), _trips(i)))
    assert f.stats.graph_calls >= 3, f.reasons


def test_a_while_loop_on_an_attribute():
    x = np.ones(3, np.float32)
    f = lockstep(halve_until, (Counter(),), calls=6, args=lambda i: (x, 1 + _trips(i)))
    assert f.stats.graph_calls >= 3, f.reasons


def test_another_path_to_the_held_attribute_runs_as_plain():
    def through_method(m, n):
        for _ in range(n):
            m.count = m.bumped()  # reads m.count through `self`
        return m.count

    f = lockstep(through_method, (Counter(),), calls=5, args=lambda i: (_trips(i),))
    assert f.stats.graph_calls == 0
    assert any("read through another name" in r for r in f.reasons), f.reasons


def test_the_same_object_under_two_names_runs_as_plain():
    def two_names(m, other, n):
        for _ in range(n):
            m.count += 1
            other.total = other.count * 2.0  # `other is m`: sees the counting
        return m.count

    c = Counter()
    f = lockstep(lambda m, n: two_names(m, m, n), (c,), calls=5, args=lambda i: (_trips(i),))
    assert f.stats.graph_calls == 0, f.reasons


def descend(m, g, n):
    for _ in range(n):
        m.w -= 0.1 * g  # an in-place write of an attribute first read inside the loop
    return m.w.sum()


def test_an_attribute_array_first_read_and_written_in_place_inside_the_loop():
    g = np.full((4, 4), 0.5, np.float32)
    f = lockstep(descend, (Counter(),), calls=6, args=lambda i: (g, _trips(i)))
    assert f.stats.graph_calls >= 3, f.reasons


class History:
    def __init__(self):
        self.losses = [0.5]
        self.w = np.linspace(0, 1, 4)


def record_losses(m, x, n):
    for _ in range(n):
        m.w = m.w * 0.9 + x
        m.losses.append(float((m.w ** 2).sum()))  # the caller's list, held by an attribute
    return len(x)


def test_numbers_appended_to_a_list_an_attribute_holds():
    x = np.full(4, 0.1)
    f = lockstep(record_losses, (History(),), calls=6, args=lambda i: (x, _trips(i)))
    assert f.stats.graph_calls >= 3, f.reasons
