"""List, dict and set comprehensions and generator expressions over values known now.

Each is unrolled like a `for` loop (frontend/loops.py, same budget), in a scope of its own: the
loop variables do not leak into the function, as in Python 3. A generator expression becomes a
`Generated` list that the functions consuming it (`sum`, `tuple`, `max`, a `for` loop) iterate
over; it cannot be returned, measured with len() or advanced with next(), as a generator can't.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

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
