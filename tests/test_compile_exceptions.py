"""`try`/`except`/`else`/`finally` and `raise` inside compiled functions: the body is converted;
what it can raise is checked by guards in the graph, and a failing guard runs the call as plain
Python, where the handler runs."""

from __future__ import annotations

import numpy as np

import janus_mlir as jm

from .equivalence import check, load_source


def safe_div(x, y):
    try:
        r = x // y
    except ZeroDivisionError:
        r = 0
    finally:
        z = x + 1
    return r, z


def safe_item(x, i):
    try:
        v = x[i]
    except IndexError:
        v = x[0] * 0
    else:
        v = v * 2
    return v


def test_a_handled_zero_division_runs_the_handler_through_plain_python():
    f = jm.compile(safe_div)
    for a in ((7, 2), (7, 2), (5, 3), (4, 0), (9, 4), (3, 0)):
        check(f, *a)
    assert f.stats.graph_calls >= 2, f.reasons


def test_an_index_error_inside_try_falls_back_and_else_runs_in_the_graph():
    f = jm.compile(safe_item)
    x = np.arange(5.0)
    for i in (1, 2, 7, 3, -1, 9, 4):
        check(f, x, i)
    assert f.stats.graph_calls >= 3, f.reasons


def returns_in_try(x):
    try:
        return x * 2
    finally:
        pass


def raises_on_negative(x):
    if x.min() < 0:
        raise ValueError("negative input")
    return np.sqrt(x)


def test_return_inside_try_and_a_raise_on_a_speculated_branch():
    f = jm.compile(returns_in_try)
    for _ in range(3):
        check(f, np.arange(3.0))
    assert f.stats.graph_calls == 2
    g = jm.compile(raises_on_negative)
    for s in (1, 1, -1, 1, -1, 1, 2):
        check(g, np.arange(3.0) * s + 0.5 * s)  # raises ValueError as plain Python does
    # After the branch went both ways: a guard that the raising side is not taken.
    assert g.stats.graph_calls >= 2, g.reasons
    assert 'kind = "error"' in g.graphs[-1].ir("janus")



# (written to a file of its own: pytest rewrites the asserts of test modules, and its messages
# name object addresses, which differ between the two calls compared)
CHECKED = """
def checked(x):
    assert x.sum() > -1, f"negative sum for shape {x.shape}"
    assert (x < 10).all()
    return x + 1
"""


def test_an_assert_on_array_data_is_a_guard_and_raises_as_plain_python(tmp_path):
    f = jm.compile(load_source(tmp_path, CHECKED).checked)
    for k in (1, 2, -5, 3, 20, 1):  # -5 and 20 fail an assertion: AssertionError, as plain
        check(f, np.arange(3, dtype=np.float32) * k)
    assert f.stats.compilations == 1 and f.stats.graph_calls == 3, f.reasons
    assert sum("the assertion holds" in r for r in f.reasons) == 2
