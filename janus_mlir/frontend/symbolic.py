"""Python values derived from a symbolic dim (`x.shape[0]`, `len(x)`, `x.size` of an array whose
batch size varies): run-time Python ints computed in the graph (`tensor.dim`), so arithmetic on
them is converted while a use that needs a constant (a shape) gives the symbolic dim up."""

from __future__ import annotations

from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, tensor

from ..dialects.types import TensorSpec
from .builder import GraphBuilder
from .values import PY_SCALAR, Tensor


def dim(b: GraphBuilder, t: Tensor, axis: int) -> Any:
    """`t.shape[axis]`: the int, or a run-time Python int for a symbolic dim."""
    d = t.shape[axis]
    if type(d) is int:
        return d
    with b.context, b.location(), ir.InsertionPoint(b.block):
        index = tensor.DimOp(t.value, arith.ConstantOp(ir.IndexType.get(), axis).result).result
    return index_value(b, index)


def index_value(b: GraphBuilder, index: ir.Value) -> Tensor:
    """An MLIR index (a dim, a loop's index) as a run-time Python int (rank-0 int64)."""
    with b.context, b.location(), ir.InsertionPoint(b.block):
        i64 = ir.IntegerType.get_signless(64)
        value = arith.IndexCastOp(i64, index).result
        out = tensor.FromElementsOp(ir.RankedTensorType.get([], i64), [value]).result
    return Tensor(out, TensorSpec((), np.dtype(np.int64)), PY_SCALAR)


def shape(b: GraphBuilder, t: Tensor) -> tuple[Any, ...]:
    return tuple(dim(b, t, axis) for axis in range(t.ndim))


def size(b: GraphBuilder, t: Tensor) -> Any:
    if t.spec.static:
        return t.spec.size
    from .operators import apply

    out: Any = 1
    for d in shape(b, t):
        out = apply(b, "multiply", [out, d], static_fn=lambda x, y: x * y)
    return out
