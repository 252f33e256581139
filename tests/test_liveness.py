"""analysis/liveness.py: the names live at each loop's head, and what the converter does with
them (a loop carries only modified ∩ live names; a read the analysis missed converts again)."""

from __future__ import annotations

import ast
import textwrap

import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir.frontend.analysis.liveness import loops

from .equivalence import check, load_source


def heads(source: str) -> dict[int, set[str]]:
    """line of each loop -> its live names (the function `f`'s body; line 1 is `def f`)."""
    fn = ast.parse(textwrap.dedent(source).lstrip("\n")).body[0]
    return {line: set(live.head) for (line, _), live in loops(fn.body).items()}


def test_a_temporary_rebound_before_its_read_is_dead_at_the_head():
    assert heads("""
        def f(x, n):
            t = 0
            for i in range(n):
                t = x * i
                x = t + 1
            return x
    """) == {3: {"x"}}


def test_read_after_the_loop_and_read_before_rebinding_are_live():
    live = heads("""
        def f(x, n):
            a = b = c = 0
            for i in range(n):
                c = a + 1
                a = x
                b = x
            return b, i
    """)[3]
    assert live == {"a", "b", "x", "i"}  # c: rebound before any read, never read after


def test_while_test_break_continue_and_else():
    live = heads("""
        def f(x):
            y = z = w = 0
            while x.sum() > 0:
                if x.max() > 3:
                    w = x
                    break
                if x.min() < -3:
                    z = 1
                    continue
                x = x - 1
            else:
                return y
            return w
    """)[3]
    assert live == {"x", "y", "w"}  # z: rebound before any read, dead at the end


def test_nested_loops_have_their_own_heads():
    live = heads("""
        def f(xs):
            total = 0
            for a in xs:
                inner = 0
                for b in xs:
                    inner = inner + a * b
                total = total + inner
            return total
    """)
    assert live[3] == {"total", "xs"}
    assert live[5] == {"inner", "total", "xs", "a"}


def test_closures_globals_and_try_handlers_keep_names_live():
    live = heads("""
        def f(x, n):
            global g
            t = u = v = 0
            get = lambda: t
            for i in range(n):
                t = x
                g = x
                try:
                    u = x
                    x = x + 1
                except ValueError:
                    print(v)
                v = 1
            return get()
    """)[5]
    assert {"t", "g", "v", "x"} <= live  # t: a lambda reads it; v: the handler reads it
    assert "u" not in live


def rebinds_a_dead_temporary(x, n):
    t = None
    for i in range(n):
        t = x * i  # None, then an array: a change of type, but t is dead at the head
        x = np.tanh(t + 1.0)
    return x


def test_a_dead_temporary_may_change_type_in_a_run_time_loop():
    f = jm.compile(rebinds_a_dead_temporary)
    x = np.linspace(-1, 1, 4, dtype=np.float32)
    for n in (1, 2, 3, 5, 8, 0, 13):
        check(f, x, n)
    # the profiling call, a fallback when the trip count first changes, then one graph.
    assert f.stats.compilations == 2
    assert f.stats.graph_calls == 5, f.reasons


@pytest.mark.parametrize("body,after", [
    ("t = x * i\n        x = x + t", "t"),  # read after the loop
    ("t = x * i\n        x = x + t", "(lambda: t)()"),  # read by a lambda made after the loop
])
def test_a_missed_read_converts_again_carrying_it(tmp_path, body, after):
    f = jm.compile(load_source(tmp_path, f"""
def case(x, n):
    t = x
    for i in range(n):
        {body}
    return x, {after}
""").case)
    x = np.linspace(-1, 1, 4, dtype=np.float32)
    for n in (1, 2, 3, 0, 4):
        check(f, x, n)
    assert f.stats.graph_calls >= 2, f.reasons


def keeps_the_value_it_broke_with(x):
    x = x * 1.0
    w = x * 0
    while x.sum() > 0:
        if x.max() > 3:
            w = x * 2  # dead at the head of the Python loop, but leaves the scf loop there
            break
        x = x - 1
    return w, x


def test_a_value_bound_before_break_is_carried_out():
    f = jm.compile(keeps_the_value_it_broke_with)
    base = np.array([1.0, 2.0, 0.5], np.float32)
    for k in (1.0, 2.0, 0.1, 3.0, 1.5, -1.0):
        check(f, base * k)
    assert f.stats.graph_calls >= 3, f.reasons


def breaks_keeping_the_callers_array(x):
    w = x * 0
    while x.sum() > 0:
        if x.max() > 3:
            w = x * 2
            break
        x = x - 1  # one side of the flag's branch keeps the caller's array
    return w


def returns_what_may_be_the_callers_array(x):
    while x.sum() > 0:
        if x.max() > 3:
            break
        x = x - 1
    return x  # the caller's array itself after a first-iteration break


def test_a_name_unread_after_the_loop_may_hold_the_callers_array_on_one_side():
    f = jm.compile(breaks_keeping_the_callers_array)
    g = jm.compile(returns_what_may_be_the_callers_array)
    base = np.array([1.0, 2.0, 0.5], np.float32)
    for k in (1.0, 2.0, 0.1, 3.0, 1.5, -1.0, 2.5):
        check(f, base * k)
        check(g, base * k)
    assert f.stats.graph_calls >= 3, f.reasons
    assert g.stats.graph_calls <= 1 and any("identity is not modelled" in r
                                            for r in g.reasons), g.reasons
