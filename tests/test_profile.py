"""The profiler's instrumented copy: same results, effects and exceptions as the function, run
exactly once, with branch outcomes, trip counts, callees and assigned values recorded by site."""

from __future__ import annotations

import numpy as np
import pytest

from janus_mlir.speculation.profile import Profile, Site, instrument

SCOPE = "t"


def profiled(fn):
    profile = Profile()
    copy = instrument(fn, SCOPE, profile)
    assert copy is not None
    profile.first_line = fn.__code__.co_firstlineno
    return copy, profile


def sites(profile, kind):
    """Observations by line relative to the def line."""
    table = {"branch": profile.branches, "trips": profile.trips, "callee": profile.callees,
             "value": profile.values}[kind]
    return {s.line - profile.first_line: dict(c) for s, c in table.items()}


def relu_loop(x, n):
    total = 0.0
    for i in range(n):
        if x[i] > 0:
            total += float(x[i])
        else:
            total -= 1
    y = np.tanh(x) if total > 1 else x
    return total, y


def test_branches_trips_callees_and_values_are_recorded_by_line():
    copy, profile = profiled(relu_loop)
    x = np.array([1.0, -2.0, 3.0])
    for n in (3, 3, 2):
        got, want = copy(x, n), relu_loop(x, n)
        assert got[0] == want[0] and np.array_equal(got[1], want[1])
    assert sites(profile, "trips") == {2: {3: 2, 2: 1}}
    assert sites(profile, "branch") == {3: {True: 5, False: 3}, 7: {True: 2, False: 1}}
    assert sites(profile, "callee")[2] == {"range": 3}
    assert sites(profile, "callee")[7] == {"tanh": 2}
    assert sites(profile, "value")[7] == {(np.ndarray, (3,), "<f8"): 3}
    site = next(iter(profile.branches))
    assert isinstance(site, Site) and site.scope == SCOPE
    assert profile.stable_trips(next(iter(profile.trips))) is None


class Truthy:
    def __init__(self):
        self.tests = 0

    def __bool__(self):
        self.tests += 1
        return self.tests < 3


def loops_on_truth(t, log):
    while t:
        log.append(1)
    return len(log)


def test_each_truth_test_runs_once_as_in_plain_python():
    copy, profile = profiled(loops_on_truth)
    t1, t2 = Truthy(), Truthy()
    log1, log2 = [], []
    assert copy(t1, log1) == loops_on_truth(t2, log2) == 2
    assert t1.tests == t2.tests == 3
    assert sites(profile, "branch") == {1: {True: 2, False: 1}}


def breaks(xs):
    for k, x in enumerate(xs):  # noqa: B007 (k is returned after the loop)
        if x < 0:
            break
    return k


def test_trip_counts_are_recorded_when_a_loop_breaks():
    copy, profile = profiled(breaks)
    assert copy([1, 2, -1, 5]) == 2
    assert list(profile.trips.values())[0] == {3: 1}


def raises(x):
    if x > 0:
        raise ValueError(f"positive: {x}")
    return -x


def test_exceptions_are_the_plain_calls():
    copy, profile = profiled(raises)
    with pytest.raises(ValueError, match="positive: 2"):
        copy(2)
    assert copy(-3) == 3
    assert list(profile.branches.values())[0] == {True: 1, False: 1}


def make_closure():
    scale = 3
    calls = []

    def inner(x, k=2, *, m=1):
        calls.append(x)
        return x * scale * k * m

    return inner, calls


def test_closures_defaults_and_effects_are_shared():
    inner, calls = make_closure()
    copy, _ = profiled(inner)
    assert copy(2) == inner(2) == 12
    assert copy(2, 1, m=5) == 30
    assert calls == [2, 2, 2]


class Base:
    def f(self, x):
        return x + 1


class Child(Base):
    def f(self, x):
        if x:
            return super().f(x) * 2
        return 0


def test_methods_using_zero_argument_super():
    copy, profile = profiled(Child.f)
    assert copy(Child(), 3) == Child().f(3) == 8
    assert profile.branches


def nested_def(x):
    def helper(v):
        if v:
            return 1
        return 0

    return helper(x) + (lambda v: v)(x)


def test_nested_functions_are_profiled_under_their_parents_scope():
    copy, profile = profiled(nested_def)
    assert copy(1) == nested_def(1) == 2
    assert [(s.scope, s.line - nested_def.__code__.co_firstlineno) for s in profile.branches] \
        == [("t", 2)]


def gen(n):
    yield from range(n)


def test_generators_are_not_instrumented():
    assert instrument(gen, SCOPE, Profile()) is None


def test_the_users_module_gains_no_names():
    before = set(globals())
    copy, _ = profiled(relu_loop)
    copy(np.ones(2), 1)
    assert set(globals()) == before
