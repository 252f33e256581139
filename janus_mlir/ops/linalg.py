"""Linear algebra: numpy.matmul (with its 1-D and batched cases) and dot products."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import linalg, tensor

from ..dialects.opdef import ShapeError
from ..dialects.types import (SymbolicShape, TensorSpec, element_type, is_bool, is_static,
                              tensor_type)
from .elementwise import broadcast, resolve
from .emit import PARALLEL, REDUCTION, Emitter, _reassoc, dims_map
from .registry import defop
from ..lang import unbroadcast as ub


def _matmul_shapes(a: tuple[int, ...], b: tuple[int, ...]):
    """(a as >=2-D, b as >=2-D, batch shape, result shape) per numpy.matmul."""
    if not a or not b:
        raise ShapeError("matmul operands must have at least one dimension")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise ShapeError(f"matmul contraction dimensions differ: {a} and {b} "
                         f"({a2[-1]} != {b2[-2]})")
    batch = broadcast([a2[:-2], b2[:-2]])
    out = (*batch, *((a2[-2],) if len(a) > 1 else ()), *((b2[-1],) if len(b) > 1 else ()))
    return a2, b2, batch, out


def _infer_matmul(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    a, b = operands
    contracted = (a.rank == 2 and b.rank == 2 and is_static(a.shape[:1])
                  and is_static(b.shape[1:]))  # (m, ?) @ (?, n): a weight's gradient
    columns = a.static and a.rank == 2 and b.rank == 2 and is_static(b.shape[:1])  # (m, k) @ (k, ?)
    if not (a.static and b.static) and not contracted and not columns and (
            a.rank < 2 or not b.static or b.rank > 2 or not is_static(a.shape[1:])):
        raise SymbolicShape("matmul with symbolic dims: only (?, ..., k) @ (k, n), "
                            "(?, ..., k) @ (k,), (m, ?) @ (?, n) and (m, k) @ (k, ?)")
    dtype = resolve(np.matmul, [a.dtype, b.dtype])[-1]
    return [TensorSpec(_matmul_shapes(a.shape, b.shape)[3], dtype)]


def _lower_matmul(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    if is_bool(out.dtype):
        # Boolean matmul is any(a & b): count in int32, then compare with zero.
        counts = TensorSpec(out.shape, np.dtype(np.int32))
        (value,) = _lower_matmul(e, operands, in_specs, attrs, [counts])
        return [e.cast_tensor(value, counts, out.dtype)]
    a_spec, b_spec = in_specs
    a2, b2, batch, _ = _matmul_shapes(a_spec.shape, b_spec.shape)
    if out.static and out.size == 0:
        return [e.empty(out)]
    if a2[-1] == 0:  # empty contraction: all zeros (iree-compile crashes on a K=0 matmul)
        return [e.fill(out, 0)]
    a = e.reshape(e.cast_tensor(operands[0], a_spec, out.dtype),
                  TensorSpec(a_spec.shape, out.dtype), a2)
    b = e.reshape(e.cast_tensor(operands[1], b_spec, out.dtype),
                  TensorSpec(b_spec.shape, out.dtype), b2)
    m, k, n = a2[-2], a2[-1], b2[-1]
    if len(b2) == 2 and not a_spec.static and len(a2) > 2:
        return [_symbolic_rows_matmul(e, a, b, TensorSpec(a2, out.dtype), b2[-1], out)]
    if len(b2) == 2:
        # (..., m, k) @ (k, n): fold a's batch dims into m and use one linalg.matmul.
        rows = a2[0] if len(a2) == 2 else int(np.prod(a2[:-1]))
        a_flat = e.reshape(a, TensorSpec(a2, out.dtype), (rows, k))
        res = linalg.matmul(a_flat, b, outs=[e.fill(TensorSpec((rows, n), out.dtype), 0)])
        return [e.reshape(res, TensorSpec((rows, n), out.dtype), out.shape)]
    if a2[:-2] == batch and b2[:-2] == batch:
        nb = int(np.prod(batch))
        a3 = e.reshape(a, TensorSpec(a2, out.dtype), (nb, m, k))
        b3 = e.reshape(b, TensorSpec(b2, out.dtype), (nb, k, n))
        res = linalg.batch_matmul(a3, b3, outs=[e.fill(TensorSpec((nb, m, n), out.dtype), 0)])
        return [e.reshape(res, TensorSpec((nb, m, n), out.dtype), out.shape)]
    return [e.reshape(_broadcast_batch_matmul(e, a, b, a2, b2, batch, out.dtype),
                      TensorSpec((*batch, m, n), out.dtype), out.shape)]


def _symbolic_rows_matmul(e: Emitter, a: ir.Value, b: ir.Value, a_spec: TensorSpec, n: int,
                          out: TensorSpec) -> ir.Value:
    """(?, ..., k) @ (k, n), the symbolic dim leading: collapse a's leading dims into one
    dynamic row dim (tensor.collapse_shape keeps `?`), one linalg.matmul, expand back."""
    k, rank = a_spec.shape[-1], a_spec.rank
    dyn = ir.ShapedType.get_dynamic_size()
    a_flat = tensor.CollapseShapeOp(tensor_type((dyn, k), out.dtype), a,
                                    _reassoc([list(range(rank - 1)), [rank - 1]])).result
    rows = tensor.DimOp(a_flat, e.index_const(0)).result
    init = linalg.fill(e.const(0, out.dtype),
                       outs=[tensor.EmptyOp([rows, n], element_type(out.dtype)).result])
    res = linalg.matmul(a_flat, b, outs=[init])
    # Expand to a's shape with k -> n, then to the op's result (a 1-D b drops that n == 1).
    full = (*a_spec.shape[:-1], n)
    static = [d if type(d) is int else dyn for d in full]
    sizes = [e.dynamic_size() for d in full if type(d) is not int]
    expanded = tensor.ExpandShapeOp(tensor_type(full, out.dtype), res,
                                    _reassoc([list(range(rank - 1)), [rank - 1]]), sizes,
                                    ir.DenseI64ArrayAttr.get(static)).result
    return e.reshape(expanded, TensorSpec(full, out.dtype), out.shape)


def _broadcast_batch_matmul(e: Emitter, a, b, a2, b2, batch, dtype) -> ir.Value:
    """Batched matmul whose batch dims broadcast: one contraction linalg.generic."""
    nb = len(batch)
    rank = nb + 3  # batch..., m, n, k
    m_d, n_d, k_d = nb, nb + 1, nb + 2

    def batch_dims(shape):
        off = nb - (len(shape) - 2)
        return [ir.AffineConstantExpr.get(0) if d == 1 and batch[off + i] != 1
                else ir.AffineDimExpr.get(off + i) for i, d in enumerate(shape[:-2])]

    def amap(shape, last):
        exprs = batch_dims(shape) + [ir.AffineDimExpr.get(d) for d in last]
        return ir.AffineMap.get(rank, 0, exprs)

    out_spec = TensorSpec((*batch, a2[-2], b2[-1]), dtype)
    return e.generic(
        [a, b], [amap(a2, (m_d, k_d)), amap(b2, (k_d, n_d))],
        [e.fill(out_spec, 0)], [dims_map(rank, [*range(nb), m_d, n_d])],
        [PARALLEL] * (nb + 2) + [REDUCTION],
        lambda s, x, y, acc: s.add(acc, s.mul(x, y, dtype), dtype),
    )[0]


def _matmul_vjp(g, ans, x, y):
    """NumPy's matmul rules backwards: 1-D operands were promoted (a row, a column) and their
    added axis removed; batch dims that were broadcast are summed back."""
    if x.ndim == 1 and y.ndim == 1:
        return ub(g * y, x), ub(g * x, y)
    if x.ndim == 1:  # (k) @ (..., k, n) -> (..., n)
        gx = np.matmul(y, np.expand_dims(g, -1))
        return ub(np.reshape(gx, gx.shape[:-1]), x), ub(
            np.expand_dims(x, -1) * np.expand_dims(g, -2), y)
    if y.ndim == 1:  # (..., m, k) @ (k) -> (..., m)
        gy = np.matmul(np.swapaxes(x, -1, -2), np.expand_dims(g, -1))
        return ub(np.expand_dims(g, -1) * y, x), ub(np.reshape(gy, gy.shape[:-1]), y)
    return (ub(np.matmul(g, np.swapaxes(y, -1, -2)), x),
            ub(np.matmul(np.swapaxes(x, -1, -2), g), y))


defop("matmul", ("lhs", "rhs"), infer=_infer_matmul, numpy=np.matmul, lower=_lower_matmul,
      doc="numpy.matmul: 1-D operands are promoted and squeezed, batch dims broadcast.",
      symbolic=True, vjp=_matmul_vjp)
