"""List, dict and set comprehensions and generator expressions.

Over values known now, each is unrolled like a `for` loop (frontend/loops.py, same budget), in a
scope of its own: the loop variables do not leak into the function, as in Python 3. Over a list
of run-time length (a stacked input, a list a loop built), `[elt for x in xs]` is the loop
`for x in xs: acc.append(elt)` and its list (frontend/row_lists.py); such a generator
expression only feeds `sum()` and `for` loops. A generator expression becomes a
`Generated` list that the functions consuming it (`sum`, `tuple`, `max`, a `for` loop) iterate
over; it cannot be returned, measured with len() or advanced with next(), as a generator can't.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from . import sequences
from .row_lists import GeneratedRows
from .loops import spend
from .pure import is_plain
from .values import is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter

_UNBOUND = object()


class Generated(list):
    """The items of a generator expression, produced while converting."""

    def __len__(self) -> int:
        raise TypeError("object of type 'generator' has no len()")


def convert(cv: FunctionConverter, node: ast.ListComp | ast.SetComp | ast.DictComp
            | ast.GeneratorExp) -> Any:
    names = {n.id for g in node.generators for n in ast.walk(g.target)
             if isinstance(n, ast.Name)}
    saved = {name: cv.env.get(name, _UNBOUND) for name in names}
    out: list[Any] = []
    try:
        rows = _over_run_time_length(cv, node)
        if rows is not None:
            return rows
        _generate(cv, node, 0, out)
    finally:
        for name, value in saved.items():
            if value is _UNBOUND:
                cv.env.pop(name, None)
            else:
                cv.env[name] = value
    if isinstance(node, ast.ListComp):
        return out
    if isinstance(node, ast.GeneratorExp):
        return Generated(out)
    if isinstance(node, ast.DictComp):
        if not all(is_plain(k) for k, _ in out):
            raise cv.fail("dict comprehension keys must be known before the graph runs")
        return dict(out)
    if not all(is_plain(v) for v in out):
        raise cv.fail("a set of values computed in the graph is not converted")
    return set(out)


def _over_run_time_length(cv: FunctionConverter, node: Any) -> Any:
    """`[elt for x in xs]` (or the generator) over a list of run-time length: the loop
    `for x in xs: acc.append(elt)` (frontend/row_lists.py), whose list is the result; None for
    anything else. (The iterable is evaluated twice when None: a name or attribute read, which
    emits nothing the other conversion does not.)"""
    if not isinstance(node, (ast.ListComp, ast.GeneratorExp)) or len(node.generators) != 1:
        return None
    gen = node.generators[0]
    if gen.ifs or gen.is_async or not isinstance(gen.iter, (ast.Name, ast.Attribute)):
        return None
    iterable = cv.visit(gen.iter)
    if not sequences.is_sequence(cv, iterable):
        return None
    from . import relaxed_loops

    acc = f"__janus_comprehension_{node.lineno}_{node.col_offset}"
    append = ast.Expr(ast.Call(ast.Attribute(ast.Name(acc, ast.Load()), "append", ast.Load()),
                               [node.elt], []))
    loop = ast.For(target=gen.target, iter=gen.iter, body=[append], orelse=[])
    for n in (append, append.value, append.value.func, append.value.func.value, loop):
        ast.copy_location(n, node)
    seq = sequences.of(cv, iterable)
    cv.env[acc] = []
    try:
        relaxed_loops.for_loop(cv, loop, seq.length, seq.item)
        rows = cv.env[acc]
    finally:
        cv.env.pop(acc, None)
    if type(rows) is list:
        raise cv.fail("a comprehension over a list of run-time length whose items could alias "
                      "other arrays is not converted")
    return rows if isinstance(node, ast.ListComp) else GeneratedRows.of(rows)


def _generate(cv: FunctionConverter, node: Any, depth: int, out: list[Any]) -> None:
    if depth == len(node.generators):
        if isinstance(node, ast.DictComp):
            out.append((cv.visit(node.key), cv.visit(node.value)))
        else:
            out.append(cv.visit(node.elt))
        return
    gen = node.generators[depth]
    if gen.is_async:
        raise cv.fail("async comprehensions are not converted")
    for item in cv.iterate(cv.visit(gen.iter)):
        spend(cv, 1)
        cv.assign(gen.target, item)
        if all(_test(cv, cond) for cond in gen.ifs):
            _generate(cv, node, depth + 1, out)


def _test(cv: FunctionConverter, cond: ast.expr) -> bool:
    value = cv.visit(cond)
    if is_tensor(value):
        raise cv.fail("a comprehension filtered on array data is not converted yet")
    return cv.truth(value)
