"""Lists of arrays whose length varies between calls, as one stacked input.

A loop over a list read from the host (`for x in xs`, `for t in range(len(xs))` with `xs[t]`)
is first unrolled, with the list's length guarded. After that guard fails (the runtime adds the
list's source to `Policy.stacked`), the list reaches the graph as one input of shape
`(?, *item_shape)` — the items stacked on the host on every call, guarded to share one shape and
dtype — and the loop becomes an `scf.for` over its first axis: one graph for every length. A list
of tuples of arrays (`for x, y in pairs`) is one such input per position of its tuples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, tensor

from ..dialects.types import Dim
from . import rows
from .lift import HostObject
from .symbolic import index_value
from ..speculation.sources import Stacked, StackedField
from .values import ARRAY, Tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


def is_stacked(cv: FunctionConverter, obj: Any) -> bool:
    return isinstance(obj, HostObject) and obj.source in cv.conv.lifter.policy.stacked


def stacked_input(cv: FunctionConverter, obj: HostObject) -> Tensor:
    """The graph input holding `obj`'s arrays stacked (added on first use); for a list of
    tuples of arrays, the input of its first position."""
    return fields(cv, obj)[0]


def fields(cv: FunctionConverter, obj: HostObject) -> list[Tensor]:
    """The stacked inputs of `obj`: one for a list of arrays, one per position for a list of
    tuples (or lists) of arrays, each position of one shape and dtype."""
    items = obj.value
    lift = cv.conv.lifter
    if items and all(type(a) is np.ndarray for a in items):
        shape, dtype = items[0].shape, items[0].dtype
        lift.entry(obj.source, "stack", (shape, dtype.str))
        return [cv.b.input(Stacked(obj.source, shape, dtype.str),
                           (Dim(f"len({obj.source})"), *shape), dtype, ARRAY)]
    first = items[0] if items else None
    if not (type(first) in (tuple, list) and first and all(
            type(t) is type(first) and len(t) == len(first)
            and all(type(a) is np.ndarray for a in t) for t in items)):
        raise cv.fail(f"{obj.source} is not a non-empty list of arrays (or of tuples of arrays); "
                      "a loop over it is not converted for every length")
    specs = tuple((a.shape, a.dtype.str) for a in first)
    lift.entry(obj.source, "stack_fields", (type(first), specs))
    n = Dim(f"len({obj.source})")
    return [cv.b.input(StackedField(obj.source, k, shape, dtype), (n, *shape), np.dtype(dtype),
                       ARRAY) for k, (shape, dtype) in enumerate(specs)]


def _tuple_of(obj: HostObject, parts: list[Tensor]) -> Any:
    """An item rebuilt from its rows: the array itself, or a tuple (list) of them."""
    if len(parts) == 1 and type(obj.value[0]) is np.ndarray:
        return parts[0]
    return type(obj.value[0])(parts)


def length(cv: FunctionConverter, obj: HostObject) -> Tensor:
    """`len(obj)` as a run-time Python int."""
    xs = stacked_input(cv, obj)
    b = cv.b
    with b.context, b.location(), ir.InsertionPoint(b.block):
        n = tensor.DimOp(xs.value, arith.ConstantOp(ir.IndexType.get(), 0).result).result
        return index_value(b, n)


def row(cv: FunctionConverter, obj: HostObject, index: ir.Value) -> Any:
    """Item `index` (an MLIR index known to be in range) of the stacked list."""
    # The caller's own arrays: never written in place (heap.write refuses non-fresh roots).
    return _tuple_of(obj, [rows.row(cv.b, f, index, fresh=False) for f in fields(cv, obj)])


def item(cv: FunctionConverter, obj: HostObject, key: Tensor) -> Tensor:
    """`obj[key]` for a run-time int `key`: negative keys count from the end, and a key out of
    range fails a guard (the plain call raises IndexError)."""
    if not rows.is_row_key(key):
        raise cv.fail("list indices must be integers or slices")
    parts = fields(cv, obj)
    index = rows.row_index(cv.b, parts[0], key, str(obj.source))
    return _tuple_of(obj, [rows.row(cv.b, f, index, fresh=False) for f in parts])
