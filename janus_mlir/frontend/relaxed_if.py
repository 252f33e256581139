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

import numpy as np

from . import effects, loops, printing
from .errors import RaiseReached, Returned, Unconvertible
from .branches import predicate
from .regions import (Staged, Unbound, changed_container, containers, tensors_reachable,
                      widen, widenable)
from .values import ARRAY, Tensor, is_tensor, retyped

if TYPE_CHECKING:
    from .converter import FunctionConverter

MISSING = object()


@dataclass
class Side:
    staged: Staged
    env: dict[str, Any]
    written: dict[int, tuple[Tensor, ir.Value]]
    value: Any = None  # the side's value (conditional expressions, or what it returns)
    returned: bool = False  # the side ends the function
    yields: list[ir.Value] = field(default_factory=list)
    changes: Any = None  # effects.SideEffects: its prints and appends, what it assigns


def convert_if(cv: FunctionConverter, node: ast.If, test: Tensor) -> None:

    pred = predicate(cv, test)
    before = dict(cv.env)
    raising = [_raises(cv, stmts) for stmts in (node.body, node.orelse)]
    if raising[0] != raising[1]:
        # One side raises: the graph assumes the other (a guard of kind "error": when the
        # raising side is taken, the call runs as plain Python, which raises).
        keep = 1 if raising[0] else 0
        cv.b.guard(pred if keep == 0 else cv.b.emit("logical_not", [pred], pred.kind), "error",
                   "the branch that raises is not taken (the plain call raises there)")
        return cv.block(node.body if keep == 0 else node.orelse)
    rest = cv.tails.get(id(node))
    if rest is not None and (may_return(node.body) or may_return(node.orelse)):
        # At the function's own level, a side that returns ends the function: the rest of the
        # body is converted on each side (a side that falls off its end returns None), and
        # the sides' return values merge.
        sides = [_side(cv, lambda s=stmts: cv.block(s + rest, tails=True), returns=True)
                 for stmts in (node.body, node.orelse)]
        raise Returned(_merge(cv, pred, sides, before, want_value=True, names=False))
    sides = [_side(cv, lambda s=stmts: cv.block(s)) for stmts in (node.body, node.orelse)]
    _merge(cv, pred, sides, before, want_value=False)


def _assigned(cv: FunctionConverter, sides: list[Side]) -> dict[Any, list[Any]]:
    """Per attribute or item either side assigns: [the assignment, its value at the end of
    the if side, at the end of the else side] (a side that does not assign it leaves the value
    of before the branch, read now)."""
    out: dict[Any, list[Any]] = {}
    for s in sides:
        for slot, (effect, _) in s.changes.slots.items():
            if slot not in out:
                before = _current(cv, effect)
                out[slot] = [effect, *(t.changes.values.get(slot, before) for t in sides)]
    return out


def _current(cv: FunctionConverter, effect: Any) -> Any:
    """The value the attribute or item an assignment targets has now (before the branch)."""
    from .calls import attribute, subscript

    if isinstance(effect, effects.SetAttr):
        return attribute(cv, effect.obj, effect.name)
    if isinstance(effect, effects.SetName):  # a global or cell: assigned earlier, or read
        written = cv.conv.effects.name_value(effect.source, effect.fn)
        return written if written is not effects.MISSING else cv.conv.lifter.read(
            effect.source)
    return subscript(cv, effect.obj, effect.key)


def _assign(cv: FunctionConverter, effect: Any, value: Any) -> None:
    if isinstance(effect, effects.SetAttr):
        cv.conv.effects.set_attr(cv.b, effect.obj, effect.name, value)
    elif isinstance(effect, effects.SetName):
        cv.conv.effects.set_name(cv.b, effect.source, effect.fn, value)
    else:
        cv.conv.effects.set_item(cv.b, effect.obj, effect.key, value)


def _truth(cv: FunctionConverter, value: Any) -> Any:
    """Python's truth of `value` as a Python bool (a graph value for a graph value)."""
    from .values import PY_SCALAR

    if is_tensor(value):
        return retyped(predicate(cv, value), PY_SCALAR)
    return cv.truth(value)


def _raises(cv: FunctionConverter, stmts: list[ast.stmt]) -> bool:
    """Whether converting `stmts` reaches a `raise` (converted in a throwaway staging block)."""
    if not any(isinstance(n, ast.Raise) for s in stmts for n in ast.walk(s)):
        return False
    try:
        side = _side(cv, lambda: cv.block(stmts), returns=True)
    except RaiseReached:
        return True
    except Exception:
        return False  # whatever else stops it stops the real conversion too
    side.staged.discard()
    return False


def may_return(stmts: list[ast.stmt]) -> bool:
    """Whether `stmts` hold a `return` of the function (not of a nested one)."""
    stack: list[ast.AST] = list(stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Return):
            return True
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(n))
    return False


def short_circuit(cv: FunctionConverter, first: Tensor, second: ast.expr, is_and: bool,
                  truth: bool = False) -> Any:
    """`first and second` / `first or second` with `first` a graph value: `second` is
    converted on the side that evaluates it, and the value is either operand. `truth`: only
    the truth of the value matters (an `if` test): both sides give it as a Python bool."""
    pred = predicate(cv, first)
    before = dict(cv.env)
    if truth:
        evaluate = _side(cv, lambda: _truth(cv, cv.test(second)))
        keep = _side(cv, lambda: _truth(cv, first))
    else:
        evaluate = _side(cv, lambda: cv.visit(second))
        keep = _side(cv, lambda: first)
    sides = [evaluate, keep] if is_and else [keep, evaluate]
    return _merge(cv, pred, sides, before, want_value=True)


def convert_ifexp(cv: FunctionConverter, node: ast.IfExp, test: Tensor) -> Any:
    pred = predicate(cv, test)
    before = dict(cv.env)
    sides = [_side(cv, lambda e=e: cv.visit(e)) for e in (node.body, node.orelse)]
    return _merge(cv, pred, sides, before, want_value=True)


def _side(cv: FunctionConverter, convert: Any, returns: bool = False) -> Side:
    """Convert one side into a staging block; the converter's state is restored after.
    `returns`: the side ends the function; its value is what it returns."""

    before = dict(cv.env)
    snapshot = containers(before.values())
    staged = Staged(cv.b)
    printed = cv.conv.effects.open_side()
    try:
        with staged:
            try:
                value = convert()
            except (loops.BreakLoop, loops.ContinueLoop):
                raise cv.fail("`break` or `continue` inside a branch on array data is not "
                              "converted yet") from None
            except Returned as r:
                if not returns:
                    raise cv.fail("`return` inside a branch on array data, before other "
                                  "statements of a loop or branch, is not converted yet"
                                  ) from None
                value = r.value
            else:
                if returns:
                    value = None  # fell off the end of the function
        if changed_container(snapshot) is not None:
            raise cv.fail("a list or dict changed inside a branch on array data is not "
                          "converted yet")
        side = Side(staged, dict(cv.env), {id(t): (t, t._value)
                                           for t in staged.journal.written()}, value,
                    returned=returns, changes=printed)
    except BaseException:
        staged.discard()  # nothing of a side that stopped the conversion stays in the IR
        raise
    finally:
        cv.conv.effects.close_side(printed)
        staged.journal.restore()
        cv.env.clear()
        cv.env.update(before)
    return side


def _merge(cv: FunctionConverter, pred: Tensor, sides: list[Side], before: dict[str, Any],
           want_value: bool, names: bool = True) -> Any:
    """Results of the scf.if for what the sides changed (names unless `names` is false, arrays
    written in place, and the sides' values when `want_value`); the merged value."""
    b = cv.b
    results: list[tuple[str, Any]] = []  # ("name", n) / ("root", tensor) / ("leaf", k)
    specs: list[tuple[Any, str, list[Any]]] = []  # (TensorSpec, kind, identities) per result
    for name in sorted(set(sides[0].env) | set(sides[1].env)) if names else ():
        a, c = (s.env.get(name, MISSING) for s in sides)
        if a is c:
            cv.env[name] = a  # (restored to the state before the branch: rebind it)
            continue
        if a is MISSING or c is MISSING or isinstance(a, Unbound) or isinstance(c, Unbound):
            cv.env[name] = Unbound(name, "it is bound on one side of a branch on array data "
                                   "only")
            continue
        try:
            joined = _join(cv, name, a, c, before, sides)
        except Unconvertible as e:
            if type(e) is not Unconvertible:
                raise
            # Not one graph value: fine while nothing reads the name after the branch (a dead
            # temporary, a loop's item); a read stops the conversion with this reason.
            cv.env[name] = Unbound(name, f"{e.where}: {e.reason}")
            continue
        if joined is None:  # equal values known now
            cv.env[name] = a
            continue
        results.append(("name", name))
        specs.append(joined)
    leaves: list[list[Any]] = [[], []]
    shape = None
    if want_value:
        shape = _structure(cv, sides[0].value, sides[1].value, leaves)
        # An array given at several places (`return h, h`) must be so on both sides: the
        # places then share one result (one object, as in Python).
        first = [_first_places(mine) for mine in leaves]
        if first[0] != first[1]:
            raise cv.fail("the two sides of a branch on array data return arrays that alias "
                          "differently; identity is not modelled (not converted)")
        for k, (a, c) in enumerate(zip(*leaves)):
            if a is c or first[0][k] != k:
                continue
            joined = _join(cv, None, a, c, before, sides)
            if joined is not None:
                results.append(("leaf", k))
                specs.append(joined)
    roots: dict[int, Tensor] = {}
    for s in sides:
        for key, (t, _) in s.written.items():
            roots.setdefault(key, t)
    for t in roots.values():
        results.append(("root", t))
        specs.append((t.spec, ARRAY, [None, None]))
    slots = _assigned(cv, sides)
    for slot, (_, a, c) in slots.items():  # attributes and items a side assigns: one value
        joined = _join(cv, None, a, c, before, sides)
        if joined is not None:
            results.append(("slot", slot))
            specs.append(joined)
    for k, s in enumerate(sides):  # what the side's prints show: results (dummies elsewhere)
        for e, _ in s.changes.effects:
            for t in printing.tensors_in(e.args):
                if not all(type(d) is int for d in t.shape):
                    raise cv.fail("printing an array of a run-time size inside a branch on "
                                  "array data is not converted yet")
                results.append(("printed", (k, t)))
                specs.append((t.spec, t.kind, [None, None]))
    for side, mine in zip(sides, leaves):
        with b.into(side.staged.block):
            for (what, x), (spec, kind, _) in zip(results, specs):
                if what == "root":
                    side.yields.append(side.written[id(x)][1] if id(x) in side.written
                                       else x._value)
                elif what == "printed":
                    k, t = x
                    side.yields.append(t.value if side is sides[k] else b.constant(
                        np.zeros(t.shape, t.dtype), t.kind).value)
                else:
                    v = (side.env[x] if what == "name" else mine[x] if what == "leaf"
                         else slots[x][1 + sides.index(side)])
                    if is_tensor(v) and id(v) in side.written:
                        # An array of before the branch that this side wrote in place: its
                        # contents at the side's end (the journal has restored the old ones).
                        side.yields.append(side.written[id(v)][1])
                    else:
                        side.yields.append(widen(b, v, spec, kind).value)
    values = _build(b, pred, sides)
    merged = list(leaves[0])
    printed: list[dict[int, Tensor]] = [{}, {}]  # per side: what its prints show
    for (what, x), (spec, kind, identities), v in zip(results, specs, values):
        if what == "printed":
            printed[x[0]][id(x[1])] = Tensor(v, spec, kind)
            continue
        out = Tensor(v, spec, kind)
        if any(o is not None for o in identities):
            # One side gives the caller's own array: the result is that very array or the new
            # one, decided when the call returns; it is never written in place.
            out = Tensor(v, spec, kind, fresh=False, meta={"either": (pred, identities)})
        if what == "name":
            cv.env[x] = out
        elif what == "slot":
            slots[x] = (slots[x][0], out, out)
        elif what == "leaf":
            merged[x] = out
        else:
            x.assign(v)
    for effect, merged, _ in slots.values():  # assigned after the branch, whichever side ran
        _assign(cv, effect, merged)
    for k, s in enumerate(sides):  # in program order, each applied when its side was taken
        for e, where in s.changes.effects:
            e.args = printing.replaced(e.args, printed[k])
            cv.conv.effects.add_conditional(effects.Conditional(pred, k == 0, e), where)
    if want_value:
        merged = [merged[first[0][k]] for k in range(len(merged))]
    return _rebuild(shape, iter(merged)) if want_value else None


def _first_places(values: list[Any]) -> list[int]:
    """For each array of `values`, the first place the same object stands (itself if none)."""
    out = []
    for k, v in enumerate(values):
        same = next((j for j in range(k) if values[j] is v), k) if (
            is_tensor(v) and v.kind == ARRAY) else k
        out.append(same)
    return out


def _structure(cv: FunctionConverter, a: Any, c: Any, leaves: list[list[Any]]) -> Any:
    """The common container structure of `a` and `c` (tuples, lists, dicts), their leaves
    appended pairwise to `leaves`."""
    if type(a) is type(c) and type(a) in (tuple, list) and len(a) == len(c):
        return (type(a), [_structure(cv, x, y, leaves) for x, y in zip(a, c)])
    if type(a) is type(c) is dict and list(a) == list(c):
        return (dict, [(k, _structure(cv, a[k], c[k], leaves)) for k in a])
    if type(a) in (tuple, list, dict) or type(c) in (tuple, list, dict):
        raise cv.fail("the two sides of a branch on array data give containers of different "
                      "structure (not converted)")
    leaves[0].append(a)
    leaves[1].append(c)
    return None


def _rebuild(shape: Any, leaves: Any) -> Any:
    if shape is None:
        return next(leaves)
    kind, parts = shape
    if kind is dict:
        return {k: _rebuild(p, leaves) for k, p in parts}
    return kind(_rebuild(p, leaves) for p in parts)


def _join(cv: FunctionConverter, name: str | None, a: Any, c: Any, before: dict[str, Any],
          sides: list[Side]) -> tuple[Any, str, list[Any]] | None:
    """The (spec, kind, identities) of the result standing for `a` or `c`; None when both are
    the same value known now. `identities`: per side, the caller's array the result *is* on
    that side (None: a new array, whose identity nobody can see)."""
    what = f"'{name}'" if name else "the conditional expression"
    if not is_tensor(a) and not is_tensor(c):
        if type(a) is type(c) and widenable(a) and a == c:
            return None
        if type(a) is type(c) and widenable(a):
            w = widen(cv.b, a)
            return w.spec, w.kind, [None, None]
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
    identities: list[Any] = [None, None]
    if t.kind == ARRAY:
        for k, (v, side) in enumerate(zip((a, c), sides)):
            if _replaceable(cv, v, name, before, side):
                continue
            if v.view is None and not v.fresh and v.source is not None:
                identities[k] = v  # the caller's own array: which one is decided at return
                continue
            raise cv.fail(f"{what} is an array held elsewhere on one side of a branch on "
                          "array data; its identity is not modelled (not converted)")
    return t.spec, t.kind, identities


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
    if t.view is not None or not t.fresh or t.ambiguous_views or t.symbolic_views:
        return False
    if side.returned:  # the function ends on this side: its names are dead
        return True
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
