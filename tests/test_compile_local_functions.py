"""Nested defs and lambdas inside converted functions, and jm.compile of a lambda or a nested
function: converted in place, closures read when the call runs, escapes not converted."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, stats

X = np.linspace(-1, 1, 6, dtype=np.float32)


def nested_def(x, k):
    scale = 2.0

    def layer(v, bias=k):
        return np.tanh(v * scale) + bias

    scale = 3.0  # closures see the value at call time
    return layer(x), layer(x, bias=1)


def uses_lambda(x):
    act = lambda v: np.maximum(v, 0)  # noqa: E731
    return act(x) + (lambda v, w=2: v * w)(x)


def star_args(x):
    def f(*vs, **kw):
        return sum(vs) * kw.get("s", 1) if False else sum(vs)

    return f(x, x, x)


def recursion_in_local(x):
    def power(v, n):
        return v if n == 1 else v * power(v, n - 1)

    return power(x, 3)


@pytest.mark.parametrize("fn,args", [(nested_def, (X, 0.5)), (uses_lambda, (X,)),
                                     (star_args, (X,)), (recursion_in_local, (X,))],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_local_functions_are_converted(fn, args):
    f = jm.compile(fn)
    for _ in range(3):
        check(f, *args)
    assert stats(f) == (3, 2, 1, 0, 1), f.reasons


def returns_closure(x):
    def inner(v):
        return v + x

    return inner


def test_a_returned_local_function_runs_as_plain_python():
    f = jm.compile(returns_closure)
    f(X)
    g = f(X)
    assert np.array_equal(g(X), X + X)
    assert f.stats.graph_calls == 0


def early_read(x):
    def bad():
        y = y + 1  # noqa: F821 (UnboundLocalError in the plain call too)
        return y

    return bad()


def test_reading_a_local_before_assignment_raises_like_python():
    f = jm.compile(early_read)
    for _ in range(2):
        check(f, X)


def test_compile_of_a_lambda_and_of_a_nested_function():
    f = jm.compile(lambda x, s=2.0: np.tanh(x) * s)
    for _ in range(3):
        check(f, X)
    assert stats(f) == (3, 2, 1, 0, 1), f.reasons

    @jm.compile
    def inner(x):
        return x * 3

    for _ in range(3):
        check(inner, X)
    assert stats(inner) == (3, 2, 1, 0, 1), inner.reasons


# Lambdas that share a line, or sit in a literal spanning lines, each compile their own body.
LAMBDAS = {"add": lambda x: x + 1, "mul": lambda x: x * 2,
           "tanh": lambda x: np.tanh(x) - 1}
PAIR = (lambda x: x + 3, lambda x: x - 3)


@pytest.mark.parametrize("fn", [*LAMBDAS.values(), *PAIR])
def test_lambdas_on_one_line_each_compile_their_own_body(fn):
    f = jm.compile(fn)
    for _ in range(3):
        check(f, X)
    assert stats(f) == (3, 2, 1, 0, 1), f.reasons


def test_a_lambda_text_is_trusted_only_when_it_compiles_to_the_same_code():
    from janus_mlir.speculation.function_source import _same_code

    import ast
    add, mul = ast.parse("lambda x: x + 1", mode="eval").body, \
        ast.parse("lambda x: x * 2", mode="eval").body
    assert _same_code(add, LAMBDAS["add"].__code__)
    assert not _same_code(mul, LAMBDAS["add"].__code__)


def branch_in_nested_def(x):
    def step(v):
        if v.sum() > 0:  # profiled: always taken
            return v * 2
        return v - 1

    def pick(v):
        return (lambda u: u + 1 if u.max() > 0 else u)(v)

    return step(x) + pick(x)


def test_branches_in_nested_defs_and_lambdas_are_profiled_and_speculated():
    f = jm.compile(branch_in_nested_def)
    pos = np.abs(X) + 0.5
    for _ in range(4):
        check(f, pos)
    assert stats(f) == (4, 2, 2, 0, 1), f.reasons  # a profiling call, then the graph
    ir = f.graphs[0].ir("janus")
    assert "scf.if" not in ir and ir.count('kind = "branch"') == 2, ir
    check(f, -pos)  # the other way: both sides from now on
    assert "scf.if" in f.graphs[-1].ir("janus")
    check(f, pos)
    check(f, -pos)


def test_a_compiled_lambda_is_profiled_like_a_def():
    f = jm.compile(lambda x: x * 2 if x.sum() > 0 else x - 1)
    pos = np.abs(X) + 0.5
    for _ in range(4):
        check(f, pos)
    assert stats(f) == (4, 2, 2, 0, 1), f.reasons
    assert "scf.if" not in f.graphs[0].ir("janus")
