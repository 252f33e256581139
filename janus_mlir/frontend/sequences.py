"""`enumerate`, `zip` and `reversed` over lists whose length is known only when the graph runs.

A list whose length guard failed reaches the graph stacked (frontend/stacked.py); a loop over
it is an `scf.for` over its first axis. `for i, x in enumerate(xs)`, `for a, b in zip(xs, ys)`
and `for x in reversed(xs)` are the same loop, with the item built from the index: a
`RunTimeSequence` is a length (a run-time Python int) and an item function of the loop's
index. They nest (`enumerate(zip(xs, ys))`), and `zip` takes arrays too (their first axis),
stopping at the shortest argument as Python's does; lists a loop built (frontend/row_lists.py)
are sequences too. `sum()` of one is a loop adding from the left. Such a sequence is otherwise
only a loop's iterable; anything else (`list(enumerate(xs))`) stops the conversion with a
reason.
"""

from __future__ import annotations

import ast
import builtins
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, tensor

from . import rows, stacked
from .row_lists import RowList
from .operators import apply, compare_const
from .symbolic import dim, index_value
from .values import ARRAY, PY_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


@dataclass
class RunTimeSequence:
    """What `for` iterates: `length` items (a rank-0 int64 graph value); `item(index)` is the
    item at an MLIR index known to be in range."""

    length: Tensor
    item: Callable[[ir.Value], Any]
    what: str


def applies(cv: FunctionConverter, fn: Any, args: list[Any]) -> bool:
    """Whether `fn(*args)` is enumerate/zip/reversed over something of run-time length."""
    return fn in (builtins.enumerate, builtins.zip, builtins.reversed) and any(
        is_sequence(cv, a) for a in args)


def build(cv: FunctionConverter, fn: Any, args: list[Any], kwargs: dict[str, Any]
          ) -> RunTimeSequence:
    if fn is builtins.enumerate:
        return _enumerate(cv, args, kwargs)
    if kwargs:
        raise cv.fail(f"{fn.__name__}() with keyword arguments over a list of run-time length "
                      "is not converted")
    if fn is builtins.zip:
        return _zip(cv, [of(cv, a) for a in args])
    if len(args) != 1:
        raise cv.fail(f"reversed() takes 1 argument ({len(args)} given)")
    return _reversed(cv, of(cv, args[0]))


def is_sequence(cv: FunctionConverter, value: Any) -> bool:
    """Whether `value` has a length known only when the graph runs."""
    return (isinstance(value, (RunTimeSequence, RowList)) or stacked.is_stacked(cv, value))


def summed(cv: FunctionConverter, value: Any, start: Any) -> Any:
    """`sum(value, start)` as Python computes it, one item after the other from the left (a
    float sum rounds like that loop, not like a pairwise np.sum): a loop over the sequence,
    converted as `for item in value: acc = acc + item` would be."""
    from . import relaxed_loops

    seq = of(cv, value)
    if not is_tensor(start):
        seq, start = _peeled(cv, seq, start)
    line, col = cv.b.line, cv.b.col  # the call's location: the loop's
    key = f"{line}_{col}"
    acc, item = f"__janus_sum_{key}", f"__janus_sum_item_{key}"
    loop = ast.For(target=ast.Name(item, ast.Store()), iter=ast.Constant(None),
                   body=[ast.Assign([ast.Name(acc, ast.Store())],
                                    ast.BinOp(ast.Name(acc, ast.Load()), ast.Add(),
                                              ast.Name(item, ast.Load())))],
                   orelse=[])
    for n in ast.walk(loop):
        n.lineno, n.col_offset, n.end_lineno, n.end_col_offset = line, col, line, col
    cv.env[acc] = start
    relaxed_loops.for_loop(cv, loop, seq.length, seq.item)
    cv.env.pop(item, None)
    return cv.env.pop(acc)


def _peeled(cv: FunctionConverter, seq: RunTimeSequence, start: Any
            ) -> tuple[RunTimeSequence, Any]:
    """`start + first item` and the rest: a Python number plus arrays (`sum(xs)` starts from
    0) changes type at the first item, which a loop cannot carry. The list must not be empty:
    guarded (sum() of an empty list is its start, an int; the call then runs as plain Python)."""
    b = cv.b
    b.guard(compare_const(b, "greater", seq.length, 0), "error",
            f"{seq.what} is not empty (the sum of an empty list is its start)")
    with b.context, b.location(), ir.InsertionPoint(b.block):
        zero = arith.ConstantOp(ir.IndexType.get(), 0).result
        one = arith.ConstantOp(ir.IndexType.get(), 1).result
    first = apply(b, "add", [start, seq.item(zero)], static_fn=operator.add)

    def item(index: ir.Value) -> Any:
        with b.context, b.location(), ir.InsertionPoint(b.block):
            after = arith.AddIOp(index, one).result
        return seq.item(after)

    rest = apply(b, "subtract", [seq.length, 1], static_fn=operator.sub)
    return RunTimeSequence(rest, item, seq.what), first


def of(cv: FunctionConverter, value: Any) -> RunTimeSequence:
    """`value` as a sequence: a stacked list, an array (its first axis) or a sequence."""
    b = cv.b
    if isinstance(value, RunTimeSequence):
        return value
    if isinstance(value, RowList):
        length, row = value.iterated()
        return RunTimeSequence(length, lambda index: row(b, index), value.what)
    if stacked.is_stacked(cv, value):
        return RunTimeSequence(stacked.length(cv, value),
                               lambda index: stacked.row(cv, value, index), str(value.source))
    if is_tensor(value) and value.kind == ARRAY and value.ndim >= 1:
        n = dim(b, value, 0)
        length = n if is_tensor(n) else b.constant(np.asarray(n, np.int64), PY_SCALAR)
        # An array's rows are its own: never written in place (as in `for row in x`).
        return RunTimeSequence(length, lambda index: rows.row(b, value, index, fresh=False),
                               "an array")
    raise cv.fail(f"zip() of a list of run-time length with a {type(value).__name__} is not "
                  "converted (only lists of arrays and arrays)")


def _enumerate(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]
               ) -> RunTimeSequence:
    if len(args) not in (1, 2) or set(kwargs) - {"start"}:
        raise cv.fail("enumerate() takes an iterable and a start")
    start = args[1] if len(args) == 2 else kwargs.get("start", 0)
    if not (type(start) is int or is_tensor(start) and start.kind == PY_SCALAR
            and start.dtype.kind == "i"):
        raise cv.fail("enumerate() with a start that is not an int is not converted")
    inner, b = of(cv, args[0]), cv.b

    def item(index: ir.Value) -> tuple[Any, Any]:
        count = index_value(b, index)
        if not (type(start) is int and start == 0):
            count = apply(b, "add", [count, start], static_fn=operator.add)
        return count, inner.item(index)

    return RunTimeSequence(inner.length, item, f"enumerate({inner.what})")


def _zip(cv: FunctionConverter, parts: list[RunTimeSequence]) -> RunTimeSequence:
    length = parts[0].length
    for p in parts[1:]:
        length = apply(cv.b, "minimum", [length, p.length])
    return RunTimeSequence(length, lambda index: tuple(p.item(index) for p in parts),
                           f"zip({', '.join(p.what for p in parts)})")


def _reversed(cv: FunctionConverter, inner: RunTimeSequence) -> RunTimeSequence:
    b = cv.b
    last = apply(b, "subtract", [inner.length, 1], static_fn=operator.sub)

    def item(index: ir.Value) -> Any:
        back = apply(b, "subtract", [last, index_value(b, index)], static_fn=operator.sub)
        with b.context, b.location(), ir.InsertionPoint(b.block):
            at = arith.IndexCastOp(ir.IndexType.get(), tensor.ExtractOp(back.value, []).result)
        return inner.item(at.result)

    return RunTimeSequence(inner.length, item, f"reversed({inner.what})")

