"""`return` inside loops (canonicalize/returns.py): a flag and a `break`, with the return made
after the loop, so loops whose exit depends on array data still convert. Compared against the
plain function; compile and fallback counts asserted."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, stats

X = np.linspace(-1, 1, 6, dtype=np.float32)


def first_large(xs, limit):
    for t in range(xs.shape[0]):
        if xs[t].max() > limit:
            return xs[t] * 2, t
    return xs[0] - 1, -1


def until_small(x):
    while True:
        x = x * 0.5
        if np.abs(x).max() < 0.1:
            return x, 1
        if x.sum() > 100:
            return x, 2


def nested(xs):
    total = xs[0] * 0
    for i in range(xs.shape[0]):
        for j in range(xs.shape[0]):
            total = total + xs[i] * xs[j]
            if total.sum() > 3:
                return total, i, j
    return total, -1, -1


def static_exit(x):
    for i in range(10):
        if i == 3:
            return x * i
    return x


def in_a_helper(xs):
    def search(limit):
        for v in xs:
            if v.sum() > limit:
                return v + 1
        return xs[-1]
    return search(1.0), search(100.0)


def after_a_return(xs):
    acc = 0.0
    for v in xs:
        acc = acc + v.sum()
        if acc > 2:
            return acc
        acc = acc * 2
    else:
        acc = -acc
    return acc


XS = [X * k for k in (0.5, 1.0, 2.0, 4.0)]
XA = np.stack(XS)


@pytest.mark.parametrize("fn,calls", [
    (first_large, [(XA, 1.5), (XA, 3.0), (XA, 0.1), (XA, 10.0), (XA, 1.5), (XA[:3], 2.5)]),
    (until_small, [(X,), (X * 7,), (X * 0.01,), (X * 3,)]),
    (nested, [(XA,), (XA * 0.1,), (XA[::-1].copy(),), (XA[:2] * 0.2,)]),
    (static_exit, [(X,), (X,), (X,)]),
    (in_a_helper, [(XS,), (XS,), (XS[::-1],), (XS[:1] * 3,)]),
    (after_a_return, [(XS,), ([X * 0.1] * 4,), ([X * 3] * 4,), (XS,)]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_returns_in_loops_convert(fn, calls):
    f = jm.compile(fn)
    for args in calls:
        check(f, *args)
    assert f.stats.graph_calls >= 1, f.reasons


def test_static_exit_is_one_graph():
    f = jm.compile(static_exit)
    for _ in range(3):
        check(f, X)
    assert stats(f) == (3, 2, 1, 0, 1), f.reasons


def test_the_rewrite_moves_each_return_after_its_loop():
    import ast
    import textwrap

    from janus_mlir.frontend.canonicalize import returns

    src = textwrap.dedent("""
        def f(xs):
            for v in xs:
                if v > 1:
                    return v
                while v:
                    return 2
            return 0
    """)
    body = returns.lower(ast.parse(src).body[0].body)
    text = ast.unparse(ast.Module(body, []))
    assert text == textwrap.dedent("""\
        __janus_return_3_4 = 0
        for v in xs:
            if v > 1:
                __janus_return_3_4 = 1
                break
            __janus_return_6_8 = 0
            while v:
                __janus_return_6_8 = 1
                break
            if __janus_return_6_8 == 1:
                __janus_return_3_4 = 2
                break
        if __janus_return_3_4 == 1:
            return v
        elif __janus_return_3_4 == 2:
            return 2
        return 0""")
