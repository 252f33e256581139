"""Counting: `bincount(x[, weights], minlength)`, NumPy's occurrence counts of non-negative ints.

The result has `max(x) + 1` entries (at least `minlength`): a length the graph computes from the
data, `?` in the IR (`ANY` in the shape rule; the frontend names it with a fresh
`types.CountDim`), like the compaction ops (ops/compaction.py). Without weights the counts are
int64; with weights each bin sums its weights as float64, in the order of x, as NumPy's loop
does. NumPy raises ValueError for a negative x: the frontend guards that there is none.

Lowering: the largest value (an int64 reduction from -1, so an empty x gives minlength bins);
the bins are a zero-filled `tensor.empty(count + 1)` into which `iree_linalg_ext.scatter` adds
one (or the weight) at each x, in order (IREE applies the updates of a non-unique scatter in
order: the float sums are NumPy's); a negative x, which only a failing guard lets through, goes
to the extra last bin, so memory is never touched out of bounds; the first `count` bins are the
result. IREE reads the count back to allocate it (one device->host sync), and no result goes
through `emit.barrier` (IREE 3.13 fails to compile one of a tensor with a computed dim).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import tensor

from ..dialects.opdef import I64, Attr, ShapeError
from ..dialects.types import ANY, TensorSpec, element_type
from .compaction import empty_result, scatter_rows, sizes_of
from .emit import PARALLEL, REDUCTION, Emitter, Scalar, dims_map, identity_map
from .registry import defop
from ..lang import op

I64_DT = np.dtype(np.int64)
F64_DT = np.dtype(np.float64)
_DYN = ir.ShapedType.get_dynamic_size


def bincount_dtype_ok(dtype: np.dtype) -> bool:
    """The dtypes NumPy casts safely to intp (bool and ints; uint64 does not fit)."""
    return np.can_cast(dtype, np.intp, casting="safe")


def _infer_bincount(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    if not 1 <= len(operands) <= 2:
        raise ShapeError("bincount takes x and optional weights")
    x = operands[0]
    if x.rank != 1:
        raise ShapeError(f"bincount needs a 1-D array, got {x}")
    if not bincount_dtype_ok(x.dtype):
        raise ShapeError(f"Cannot cast array data from dtype('{x.dtype}') to dtype('int64') "
                         "according to the rule 'safe'")
    if attrs.get("minlength", 0) < 0:
        raise ShapeError("'minlength' must not be negative")
    if len(operands) == 1:
        return [TensorSpec((ANY,), I64_DT)]
    w = operands[1]
    if w.rank != 1 or w.shape[0] != x.shape[0]:
        raise ShapeError(f"The weights {w} and list {x} don't have the same length.")
    if not np.can_cast(w.dtype, F64_DT, casting="safe"):
        raise ShapeError(f"Cannot cast array data from dtype('{w.dtype}') to dtype('float64') "
                         "according to the rule 'safe'")
    # NumPy returns int64 for an empty x even with weights: a static 0 says so now (a
    # symbolic length is guarded nonzero by the frontend).
    empty = type(x.shape[0]) is int and x.shape[0] == 0
    return [TensorSpec((ANY,), I64_DT if empty else F64_DT)]


def _lower_bincount(e: Emitter, operands, in_specs, attrs, out_specs):
    x, xs, out = operands[0], in_specs[0], out_specs[0]
    minlength = attrs.get("minlength", 0)
    (n,) = sizes_of(x)
    if type(n) is int and n == 0:  # minlength zeros
        zeros = e.fill(TensorSpec((minlength,), out.dtype), 0)
        return [tensor.CastOp(ir.RankedTensorType.get([_DYN()], element_type(out.dtype)),
                              zeros).result] if minlength else [empty_result(out)]
    vals = e.generic([x], [identity_map(1)], [tensor.EmptyOp([n], element_type(I64_DT)).result],
                     [identity_map(1)], [PARALLEL],
                     lambda s, v, _o: s.cast(v, xs.dtype, I64_DT))[0]
    top = e.generic([vals], [identity_map(1)], [e.fill(TensorSpec((), I64_DT), -1)],
                    [ir.AffineMap.get(1, 0, [])], [REDUCTION],
                    lambda s, v, acc: s.op("arith.maxsi", [acc, v]))[0]
    s = Scalar()
    count64 = s.op("arith.maxsi", [s.add(tensor.ExtractOp(top, []).result,
                                         s.const(1, I64_DT), I64_DT),
                                   s.const(minlength, I64_DT)])
    count = s.to_index(count64)

    def bin_of(sc: Scalar, v: ir.Value, _o: ir.Value) -> ir.Value:  # negatives: the extra bin
        return sc.select(sc.cmp("lt", v, sc.const(0, I64_DT), I64_DT), count64, v)

    rows = e.generic([vals], [dims_map(2, [0])],
                     [tensor.EmptyOp([n, 1], element_type(I64_DT)).result], [identity_map(2)],
                     [PARALLEL] * 2, bin_of)[0]
    if len(operands) == 1:  # each x adds one (a filled tensor of ones, fused into the
        updates = vals      # scatter, would be a stack allocation of run-time size)
    else:
        updates = e.generic([operands[1]], [identity_map(1)],
                            [tensor.EmptyOp([n], element_type(F64_DT)).result],
                            [identity_map(1)], [PARALLEL],
                            lambda sc, w, _o: sc.cast(w, in_specs[1].dtype, F64_DT))[0]
    if type(n) is not int:
        updates = _unfused(updates, n, I64_DT if len(operands) == 1 else F64_DT)
    plus_one = s.op("arith.addi", [count, s.index_const(1)])
    bins = scatter_rows(e, updates, rows, linalg_fill(e, [plus_one], out.dtype, 0),
                        "count" if len(operands) == 1 else "add", out.dtype)
    return [tensor.ExtractSliceOp(
        ir.RankedTensorType.get([_DYN()], element_type(out.dtype)), bins, [], [count], [],
        ir.DenseI64ArrayAttr.get([0]), ir.DenseI64ArrayAttr.get([_DYN()]),
        ir.DenseI64ArrayAttr.get([1])).result]


def _unfused(v: ir.Value, n: ir.Value, dtype: np.dtype) -> ir.Value:
    """`v` (n,) copied by an `iree_linalg_ext.scan` that yields each element (its region's
    second argument; the first is the running value). IREE 3.13 fuses a
    producer of run-time size into a scatter's updates as an unbounded stack allocation, which
    fails to compile (tests/test_iree_traps.py); a scan is not fused into its consumers, and
    `util.optimization_barrier` of a tensor with a computed dim fails to compile too."""
    et = element_type(dtype)
    i64 = ir.IntegerType.get_signless(64)
    acc = linalg_fill(Scalar(), [], dtype, 0)
    op = ir.Operation.create(
        "iree_linalg_ext.scan", results=[v.type, ir.RankedTensorType.get([], et)],
        operands=[v, tensor.EmptyOp([n], et).result, acc],
        attributes={"dimension": ir.IntegerAttr.get(i64, 0), "inclusive": ir.BoolAttr.get(True)},
        regions=1)
    block = op.regions[0].blocks.append(et, et)
    with ir.InsertionPoint(block):
        ir.Operation.create("iree_linalg_ext.yield", results=[], operands=[block.arguments[1]])
    return op.results[0]


def linalg_fill(e: Scalar, sizes: Sequence[int | ir.Value], dtype: np.dtype,
                value: Any) -> ir.Value:
    from iree.compiler.dialects import linalg

    return linalg.fill(e.const(value, dtype),
                       outs=[tensor.EmptyOp(list(sizes), element_type(dtype)).result])


def _bincount_vjp(g, ans, x, *weights, minlength=0):
    """Each weight lands in the bin of its x: its cotangent is that bin's."""
    return (None, *[op("take", g, x, axis=0).astype(w.dtype) for w in weights])


def _numpy_bincount(x, *weights, minlength=0):
    return np.bincount(x, weights=weights[0] if weights else None, minlength=minlength)


defop("bincount", ("operands",), variadic=True, symbolic=True,
      attrs={"minlength": Attr(I64, 0, optional=True)},
      infer=_infer_bincount, numpy=_numpy_bincount, lower=_lower_bincount, vjp=_bincount_vjp,
      doc="numpy.bincount(x[, weights], minlength) of a 1-D array of non-negative ints: "
          "max(x) + 1 bins, at least minlength (`?`); int64 counts, or float64 sums of the "
          "weights in x's order.")
