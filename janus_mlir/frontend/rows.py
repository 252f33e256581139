"""`a[k]` for a run-time Python int `k` on the first axis of an array whose first dim is only
known when the graph runs (a stacked list, an array input whose length varies): one
`tensor.extract_slice` at the index, after a guard that the index is in range (the plain call
raises IndexError otherwise). Negative indices count from the end, as in Python."""

from __future__ import annotations

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, tensor

from ..dialects.types import TensorSpec, tensor_type
from .builder import GraphBuilder
from .operators import apply, guard_all, logical
from .symbolic import dim
from .values import ARRAY, Tensor


def is_row_key(key: object) -> bool:
    """A run-time int that indexes like a Python int (a 0-d array indexes like an array)."""
    return (isinstance(key, Tensor) and key.ndim == 0 and key.dtype.kind in "iu"
            and key.kind != ARRAY)


def row_at(b: GraphBuilder, xs: Tensor, key: Tensor, what: str, fresh: bool = True) -> Tensor:
    """`xs[key]`, with the index guarded to be in range; `what` names xs in the guard."""
    return row(b, xs, row_index(b, xs, key, what), fresh)


def row_index(b: GraphBuilder, xs: Tensor, key: Tensor, what: str) -> ir.Value:
    """The MLIR index of row `key` of xs (negative keys count from the end), guarded to be in
    range (the plain call raises IndexError otherwise)."""
    n = dim(b, xs, 0)
    negative = apply(b, "less", [key, 0])
    shift = apply(b, "multiply", [n, b.emit("astype", [negative], dtype=np.dtype(np.int64))])
    k = apply(b, "add", [key, shift])
    inside = logical(b, "logical_and", apply(b, "greater_equal", [k, 0]),
                     apply(b, "less", [k, n]))
    guard_all(b, inside, "bounds", f"the index into {what} is in range (the plain call "
              "raises IndexError)")
    with b.context, b.location(), ir.InsertionPoint(b.block):
        return arith.IndexCastOp(ir.IndexType.get(), tensor.ExtractOp(k.value, []).result).result


def with_row(b: GraphBuilder, rows: ir.Value, index: ir.Value, row: ir.Value,
             row_shape: tuple[int, ...]) -> ir.Value:
    """`rows` (a tensor of rows of `row_shape`) with row `index` replaced by `row`. A scalar
    row is inserted as a scalar: a rank-0 `insert_slice` into loop-carried buffers made IREE
    give two lists built by one loop the same rows (their values shared one rank-0 init)."""
    with b.context, b.location(), ir.InsertionPoint(b.block):
        if not row_shape:
            return tensor.InsertOp(tensor.ExtractOp(row, []).result, rows, [index]).result
        dyn = ir.ShapedType.get_dynamic_size()
        return tensor.InsertSliceOp(row, rows, [index], [], [], [dyn] + [0] * len(row_shape),
                                    [1, *row_shape], [1] * (len(row_shape) + 1)).result


def row(b: GraphBuilder, xs: Tensor, index: ir.Value, fresh: bool = True) -> Tensor:
    """Row `index` (an MLIR index known to be in range) of `xs`."""
    shape = xs.shape[1:]
    with b.context, b.location(), ir.InsertionPoint(b.block):
        dyn = ir.ShapedType.get_dynamic_size()
        value = tensor.ExtractSliceOp(
            tensor_type(shape, xs.dtype), xs.value, [index], [], [],
            [dyn] + [0] * len(shape), [1, *shape], [1] * (len(shape) + 1)).result
    return Tensor(value, TensorSpec(shape, xs.dtype), ARRAY, fresh=fresh)
