"""Lists of arrays whose length varies between calls, as one stacked input.

A loop over a list read from the host (`for x in xs`, `for t in range(len(xs))` with `xs[t]`)
is first unrolled, with the list's length guarded. After that guard fails (the runtime adds the
list's source to `Policy.stacked`), the list reaches the graph as one input of shape
`(?, *item_shape)` — the items stacked on the host on every call, guarded to share one shape and
dtype — and the loop becomes an `scf.for` over its first axis: one graph for every length.
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
from ..speculation.sources import Stacked
from .values import ARRAY, Tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


def is_stacked(cv: FunctionConverter, obj: Any) -> bool:
    return isinstance(obj, HostObject) and obj.source in cv.conv.lifter.policy.stacked


def stacked_input(cv: FunctionConverter, obj: HostObject) -> Tensor:
    """The graph input holding `obj`'s arrays stacked (added on first use)."""
    items = obj.value
    if not items or any(type(a) is not np.ndarray for a in items):
        raise cv.fail(f"{obj.source} is not a non-empty list of arrays; a loop over it is not "
                      "converted for every length")
    shape, dtype = items[0].shape, items[0].dtype
    lift = cv.conv.lifter
    lift.entry(obj.source, "stack", (shape, dtype.str))
    return cv.b.input(Stacked(obj.source, shape, dtype.str), (Dim(f"len({obj.source})"), *shape),
                      dtype, ARRAY)


def length(cv: FunctionConverter, obj: HostObject) -> Tensor:
    """`len(obj)` as a run-time Python int."""
    xs = stacked_input(cv, obj)
    b = cv.b
    with b.context, b.location(), ir.InsertionPoint(b.block):
        n = tensor.DimOp(xs.value, arith.ConstantOp(ir.IndexType.get(), 0).result).result
        return index_value(b, n)


def row(cv: FunctionConverter, obj: HostObject, index: ir.Value) -> Tensor:
    """Item `index` (an MLIR index known to be in range) of the stacked list."""
    # The caller's own array: never written in place (heap.write refuses non-fresh roots).
    return rows.row(cv.b, stacked_input(cv, obj), index, fresh=False)


def item(cv: FunctionConverter, obj: HostObject, key: Tensor) -> Tensor:
    """`obj[key]` for a run-time int `key`: negative keys count from the end, and a key out of
    range fails a guard (the plain call raises IndexError)."""
    if not rows.is_row_key(key):
        raise cv.fail("list indices must be integers or slices")
    return rows.row_at(cv.b, stacked_input(cv, obj), key, str(obj.source), fresh=False)
