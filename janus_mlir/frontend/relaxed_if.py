"""`if` and conditional expressions on graph values in their relaxed form: both sides, as one
`scf.if` whose results are what the sides change.

Each side is converted into a staging block (frontend/regions.py) starting from the same state;
then the sides' changes are merged into results of the `scf.if`:

- a name both sides leave bound to the same object keeps it; a name bound on one side only
  (and not before) is unbound afterwards (reading it stops the conversion);
- a name the sides bind to different values gets one result when the values are graph values
  of the same shape, dtype and kind (numbers known now are widened to graph values; equal ones
  stay known); an array result stands for a new array, so each side's array must be one that
  nothing else holds (made on that side, or the name's own array that no other name or list
  holds) — otherwise the identity NumPy would give is not modelled and the conversion stops;
- an array written in place on either side gets a result: its new contents (or its old ones,
  from the side that did not write it);
- a list or dict changed on a side, a `return`, `break` or `continue` inside a side: not
  converted yet (the call runs as plain Python).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iree.compiler import ir
from iree.compiler.dialects import scf, tensor

from . import loops
from .branches import predicate
from .regions import (Staged, Unbound, changed_container, containers, tensors_reachable,
                      widen, widenable)
from .values import ARRAY, Tensor, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter

MISSING = object()


@dataclass
class Side:
    staged: Staged
    env: dict[str, Any]
    written: dict[int, tuple[Tensor, ir.Value]]
    value: Any = None  # the side's value (conditional expressions)
    yields: list[ir.Value] = field(default_factory=list)


def convert_if(cv: FunctionConverter, node: ast.If, test: Tensor) -> None:
    pred = predicate(cv, test)
    before = dict(cv.env)
    sides = [_side(cv, lambda s=stmts: cv.block(s)) for stmts in (node.body, node.orelse)]
    _merge(cv, pred, sides, before, want_value=False)


def convert_ifexp(cv: FunctionConverter, node: ast.IfExp, test: Tensor) -> Any:
    pred = predicate(cv, test)
    before = dict(cv.env)
    sides = [_side(cv, lambda e=e: cv.visit(e)) for e in (node.body, node.orelse)]
    return _merge(cv, pred, sides, before, want_value=True)


def _side(cv: FunctionConverter, convert: Any) -> Side:
    """Convert one side into a staging block; the converter's state is restored after."""
    from .converter import _Return

    before = dict(cv.env)
    snapshot = containers(before.values())
    staged = Staged(cv.b)
    try:
        with staged:
            try:
                value = convert()
            except (loops.BreakLoop, loops.ContinueLoop):
                raise cv.fail("`break` or `continue` inside a branch on array data is not "
                              "converted yet") from None
            except _Return:
                raise cv.fail("`return` inside a branch on array data is not converted "
                              "yet") from None
        if changed_container(snapshot) is not None:
            raise cv.fail("a list or dict changed inside a branch on array data is not "
                          "converted yet")
        side = Side(staged, dict(cv.env), {id(t): (t, t._value)
                                           for t in staged.journal.written()}, value)
    finally:
        staged.journal.restore()
        cv.env.clear()
        cv.env.update(before)
    return side


def _merge(cv: FunctionConverter, pred: Tensor, sides: list[Side], before: dict[str, Any],
           want_value: bool) -> Any:
    b = cv.b
    results: list[tuple[str, Any]] = []  # ("name", n) / ("root", tensor) / ("value", None)
    specs: list[tuple[Any, str]] = []  # (TensorSpec, kind) per result
    for name in sorted(set(sides[0].env) | set(sides[1].env)):
        a, c = (s.env.get(name, MISSING) for s in sides)
        if a is c:
            cv.env[name] = a  # (restored to the state before the branch: rebind it)
            continue
        if a is MISSING or c is MISSING:
            cv.env[name] = Unbound(name, "it is bound on one side of a branch on array data "
                                   "only")
            continue
        joined = _join(cv, name, a, c, before, sides)
        if joined is None:  # equal values known now
            cv.env[name] = a
            continue
        results.append(("name", name))
        specs.append(joined)
    if want_value:
        joined = _join(cv, None, sides[0].value, sides[1].value, before, sides)
        if joined is None:
            value = sides[0].value
        else:
            results.append(("value", None))
            specs.append(joined)
    roots: dict[int, Tensor] = {}
    for s in sides:
        for key, (t, _) in s.written.items():
            roots.setdefault(key, t)
    for t in roots.values():
        results.append(("root", t))
        specs.append((t.spec, ARRAY))
    for s in sides:
        with b.into(s.staged.block):
            for (what, x), (spec, kind) in zip(results, specs):
                v = (s.env[x] if what == "name" else s.value if what == "value"
                     else None)
                if what == "root":
                    s.yields.append(s.written[id(x)][1] if id(x) in s.written else x._value)
                else:
                    s.yields.append(widen(b, v, spec, kind).value)
    values = _build(b, pred, sides)
    for (what, x), (spec, kind), v in zip(results, specs, values):
        out = Tensor(v, spec, kind)
        if what == "name":
            cv.env[x] = out
        elif what == "value":
            value = out
        else:
            x.assign(v)
    return value if want_value else None


def _join(cv: FunctionConverter, name: str | None, a: Any, c: Any, before: dict[str, Any],
          sides: list[Side]) -> tuple[Any, str] | None:
    """The (spec, kind) of the result standing for `a` or `c`; None when both are the same
    value known now."""
    what = f"'{name}'" if name else "the conditional expression"
    if not is_tensor(a) and not is_tensor(c):
        if type(a) is type(c) and widenable(a) and a == c:
            return None
        if type(a) is type(c) and widenable(a):
            w = widen(cv.b, a)
            return w.spec, w.kind
        if type(a) is type(c) and a is c or (type(a) is type(c) and _plain_equal(a, c)):
            return None
        raise cv.fail(f"{what} gets different values known now on the two sides of a branch "
                      "on array data (not converted)")
    for v, other in ((a, c), (c, a)):
        if not is_tensor(v):
            if not (widenable(v) and is_tensor(other) and other.kind != ARRAY
                    and _same_type(v, other)):
                raise cv.fail(f"{what} gets values of different types on the two sides of a "
                              "branch on array data (not converted)")
    t = a if is_tensor(a) else c
    if is_tensor(a) and is_tensor(c) and (a.spec != c.spec or a.kind != c.kind):
        raise cv.fail(f"{what} gets values of different shapes, dtypes or kinds on the two "
                      "sides of a branch on array data (not converted)")
    if t.kind == ARRAY:
        for v, side in zip((a, c), sides):
            if not _replaceable(cv, v, name, before, side):
                raise cv.fail(f"{what} is an array held elsewhere on one side of a branch on "
                              "array data; its identity is not modelled (not converted)")
    return t.spec, t.kind


def _same_type(v: Any, t: Tensor) -> bool:
    """Whether number `v` known now has the type graph value `t` stands for."""
    from .values import NP_SCALAR, PY_SCALAR

    if t.kind == PY_SCALAR:
        return type(v) is t.py_type
    return t.kind == NP_SCALAR and getattr(v, "dtype", None) == t.dtype


def _plain_equal(a: Any, c: Any) -> bool:
    try:
        return type(a) in (str, bytes, type(None), tuple) and bool(a == c)
    except Exception:
        return False


def _replaceable(cv: FunctionConverter, t: Tensor, name: str | None, before: dict[str, Any],
                 side: Side) -> bool:
    """Whether array `t` can become a new array at the merge without anyone seeing: a root of
    this conversion's own that no other name (and no list or dict) holds."""
    if t.view is not None or not t.fresh or t.ambiguous_views:
        return False
    if t.serial >= side.staged.journal.start:
        others = [v for k, v in side.env.items() if k != name]
    else:
        others = [v for k, v in before.items() if k != name]
    return all(o is not t for o in tensors_reachable(others)) and not _views_of(t, others)


def _views_of(t: Tensor, values: list[Any]) -> bool:
    return any(o.view is not None and o.view.root is t for o in tensors_reachable(values))


def _build(b: Any, pred: Tensor, sides: list[Side]) -> list[ir.Value]:
    """The `scf.if` itself, with the staged sides moved in; its results."""
    types = [v.type for v in sides[0].yields]
    with b.context, b.location(), ir.InsertionPoint(b.block):
        cond = tensor.ExtractOp(pred.value, []).result
        op = scf.IfOp(cond, types, has_else=True)
        for side, block in zip(sides, (op.then_block, op.else_block)):
            with ir.InsertionPoint(block):
                terminator = scf.YieldOp(side.yields)
            side.staged.move_into(block, terminator.operation)
            side.staged.discard()
    return list(op.results)
