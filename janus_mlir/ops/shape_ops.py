"""Shape ops: reshape, transpose, broadcast_to, expand_dims, squeeze, concatenate, stack.

Attributes arrive resolved by the frontend: `reshape.shape` has no -1, axes are non-negative
(`expand_dims.axes` against the result rank, `stack.axis` against the result rank too),
`squeeze.axes` names only size-1 dims. Operands of concatenate/stack promote like NumPy
(`np.result_type`).

Lowering: reshapes are tensor.collapse_shape/expand_shape, transpose and broadcast_to are one
parallel linalg.generic, concatenation is tensor.concat (IREE decomposes it into inserts into a
fresh tensor, never into an argument's buffer). Zero-size results are a bare tensor.empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import tensor

from ..dialects.opdef import I64, I64_ARRAY, Attr, ShapeError
from ..dialects.types import TensorSpec, is_supported_dtype, tensor_type
from .emit import PARALLEL, Emitter, broadcast_map, dims_map, identity_map
from .registry import defop
from ..lang import op, unbroadcast as ub
from ..lang.shapes import is_static


def _check_shape(shape: Sequence[int]) -> tuple[int, ...]:
    if any(d < 0 for d in shape):
        raise ShapeError(f"negative dimensions are not allowed: {tuple(shape)}")
    return tuple(shape)


def _check_axes(axes: Sequence[int], rank: int, what: str) -> tuple[int, ...]:
    axes = tuple(axes)
    if any(a < 0 or a >= rank for a in axes):
        raise ShapeError(f"{what} {axes} out of range for rank {rank}")
    if len(set(axes)) != len(axes):
        raise ShapeError(f"repeated axis in {what} {axes}")
    return axes


def _promote(operands: Sequence[TensorSpec]) -> np.dtype:
    dt = np.result_type(*[o.dtype for o in operands])
    if not is_supported_dtype(dt):
        raise ShapeError(f"operands promote to {dt.name}, not supported by janus")
    return dt


# ---------------------------------------------------------------------------------------------
# reshape, expand_dims, squeeze: row-major reshapes
# ---------------------------------------------------------------------------------------------


def _infer_reshape(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    shape = _check_shape(attrs["shape"])
    if int(np.prod(shape, dtype=np.int64)) != x.size:
        raise ShapeError(f"cannot reshape array of size {x.size} into shape {shape}")
    return [TensorSpec(shape, x.dtype)]


def _lower_reshape(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    if out.static and out.size == 0:  # nothing to move; collapse/expand of zero-size dims
        return [e.empty(out)]
    return [e.reshape(operands[0], in_specs[0], out.shape)]


def _reshape_vjp(g, ans, x, **attrs):
    return (np.reshape(g, x.shape),)


def _unit_dims_vjp(inverse: str):
    """expand_dims and squeeze backwards: the other one on the same axes (a reshape to a
    symbolic shape is not expressible)."""
    def vjp(g, ans, x, axes):
        if is_static(x):
            return (np.reshape(g, x.shape),)
        return (op(inverse, g, axes=tuple(axes)),)

    return vjp


defop("reshape", ("operand",), attrs={"shape": Attr(I64_ARRAY)}, infer=_infer_reshape,
      numpy=lambda x, shape: np.reshape(x, shape), lower=_lower_reshape,
      doc="numpy.reshape with the shape fully resolved (no -1).", vjp=_reshape_vjp)


def _infer_expand_dims(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    rank = x.rank + len(attrs["axes"])
    axes = _check_axes(attrs["axes"], rank, "expand_dims axes")
    dims = iter(x.shape)
    return [TensorSpec(tuple(1 if i in axes else next(dims) for i in range(rank)), x.dtype)]


defop("expand_dims", ("operand",), attrs={"axes": Attr(I64_ARRAY)}, infer=_infer_expand_dims,
      numpy=lambda x, axes: np.expand_dims(x, tuple(axes)), lower=_lower_reshape,
      doc="numpy.expand_dims; axes are normalised against the result rank.",
      vjp=_unit_dims_vjp("squeeze"),
      symbolic=True)


def _infer_squeeze(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    axes = _check_axes(attrs["axes"], x.rank, "squeeze axes")
    if any(x.shape[a] != 1 for a in axes):
        raise ShapeError(f"cannot select an axis to squeeze out which has size not equal to one "
                         f"(shape {x.shape}, axes {axes})")
    return [TensorSpec(tuple(d for i, d in enumerate(x.shape) if i not in axes), x.dtype)]


defop("squeeze", ("operand",), attrs={"axes": Attr(I64_ARRAY)}, infer=_infer_squeeze,
      numpy=lambda x, axes: np.squeeze(x, tuple(axes)), lower=_lower_reshape,
      doc="numpy.squeeze of the named size-1 axes.", vjp=_unit_dims_vjp("expand_dims"),
      symbolic=True)


# ---------------------------------------------------------------------------------------------
# dim: the length of one axis, as data (a symbolic dim's length when the graph runs)
# ---------------------------------------------------------------------------------------------


def _infer_dim(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    (axis,) = _check_axes([attrs["axis"]], x.rank, "dim axis")
    return [TensorSpec((), np.dtype(np.int64))]


def _lower_dim(e: Emitter, operands, in_specs, attrs, out_specs):
    from iree.compiler.dialects import arith

    (x,), (xs,) = operands, in_specs
    axis = attrs["axis"] % xs.rank
    i64 = ir.IntegerType.get_signless(64)
    n = arith.IndexCastOp(i64, tensor.DimOp(x, e.index_const(axis)).result).result
    return [tensor.FromElementsOp(tensor_type((), np.dtype(np.int64)), [n]).result]


defop("dim", ("operand",), attrs={"axis": Attr(I64)}, infer=_infer_dim,
      numpy=lambda x, axis: np.int64(np.shape(x)[axis]), lower=_lower_dim, symbolic=True,
      doc="x.shape[axis] as a 0-d int64 array (the length of a symbolic dim at run time).")


# ---------------------------------------------------------------------------------------------
# transpose, broadcast_to: one parallel generic each
# ---------------------------------------------------------------------------------------------


def _infer_transpose(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    perm = tuple(attrs["perm"])
    if sorted(perm) != list(range(x.rank)):
        raise ShapeError(f"perm {perm} is not a permutation of the axes of rank {x.rank}")
    return [TensorSpec(tuple(x.shape[p] for p in perm), x.dtype)]


def _lower_transpose(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,), perm = out_specs, tuple(attrs["perm"])
    if out.static and out.size == 0:
        return [e.empty(out)]
    if perm == tuple(range(len(perm))):
        return [operands[0]]
    rank = len(perm)
    inverse = [perm.index(d) for d in range(rank)]  # input dim d is output dim inverse[d]
    return e.generic([operands[0]], [dims_map(rank, inverse)], [e.empty(out)],
                     [identity_map(rank)], [PARALLEL] * rank, lambda s, x, _o: x)


defop("transpose", ("operand",), attrs={"perm": Attr(I64_ARRAY)}, infer=_infer_transpose,
      numpy=lambda x, perm: np.transpose(x, tuple(perm)), lower=_lower_transpose,
      doc="numpy.transpose with an explicit permutation.", symbolic=True,
      vjp=lambda g, ans, x, perm: (np.transpose(g, tuple(int(i) for i in np.argsort(perm))),))


def _infer_broadcast_to(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    shape = _check_shape(attrs["shape"])
    ok = len(shape) >= x.rank and all(
        d == 1 or d == t for d, t in zip(x.shape, shape[len(shape) - x.rank:]))
    if not ok:
        raise ShapeError(f"cannot broadcast an array of shape {x.shape} to shape {shape}")
    return [TensorSpec(shape, x.dtype)]


def _lower_broadcast_to(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,), (xs,) = out_specs, in_specs
    if out.size == 0:
        return [e.empty(out)]
    if xs.shape == out.shape:
        return [operands[0]]
    rank = out.rank
    return e.generic([operands[0]], [broadcast_map(xs.shape, out.shape)], [e.empty(out)],
                     [identity_map(rank)], [PARALLEL] * rank, lambda s, x, _o: x)


defop("broadcast_to", ("operand",), attrs={"shape": Attr(I64_ARRAY)},
      infer=_infer_broadcast_to, numpy=lambda x, shape: np.broadcast_to(x, tuple(shape)),
      lower=_lower_broadcast_to, doc="numpy.broadcast_to (a fresh array, not a view).",
      vjp=lambda g, ans, x, shape: (ub(g, x),))


# ---------------------------------------------------------------------------------------------
# concatenate, stack
# ---------------------------------------------------------------------------------------------


def _infer_concatenate(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    first = operands[0]
    if first.rank == 0:
        raise ShapeError("zero-dimensional arrays cannot be concatenated")
    (axis,) = _check_axes([attrs["axis"]], first.rank, "concatenate axis")
    for o in operands[1:]:
        if o.rank != first.rank:
            raise ShapeError(f"all the input arrays must have the same number of dimensions, "
                             f"got {first} and {o}")
        if any(a != b for i, (a, b) in enumerate(zip(first.shape, o.shape)) if i != axis):
            raise ShapeError(f"all the input array dimensions except for the concatenation axis "
                             f"must match exactly, got {first} and {o} (axis {axis})")
    shape = list(first.shape)
    shape[axis] = sum(o.shape[axis] for o in operands)
    return [TensorSpec(tuple(shape), _promote(operands))]


def concat(e: Emitter, values: Sequence[ir.Value], specs: Sequence[TensorSpec], axis: int,
           out: TensorSpec) -> ir.Value:
    """`values` (of one rank) joined along `axis` into a fresh tensor of `out`'s shape/dtype."""
    parts = [(e.cast_tensor(v, s, out.dtype), s) for v, s in zip(values, specs)
             if s.shape[axis] > 0]
    if out.size == 0:
        return e.empty(out)
    if len(parts) == 1:
        return parts[0][0]
    return tensor.ConcatOp(tensor_type(out.shape, out.dtype), axis, [v for v, _ in parts]).result


def _lower_concatenate(e: Emitter, operands, in_specs, attrs, out_specs):
    return [concat(e, operands, in_specs, attrs["axis"], out_specs[0])]


def _pieces(g, xs, axis, sizes):
    """g cut along `axis` into consecutive pieces of `sizes`, cast to each operand's dtype."""
    out, start = [], 0
    for x, n in zip(xs, sizes):
        starts = [0] * g.ndim
        starts[axis] = start
        shape = list(g.shape)
        shape[axis] = n
        piece = op("slice", g, starts=tuple(starts), sizes=tuple(shape), steps=(1,) * g.ndim)
        out.append(ub(piece, x) if piece.shape == x.shape else ub(np.reshape(piece, x.shape), x))
        start += n
    return tuple(out)


def _concatenate_vjp(g, ans, *xs, axis):
    return _pieces(g, xs, axis, [x.shape[axis] for x in xs])


def _stack_vjp(g, ans, *xs, axis):
    return _pieces(g, xs, axis, [1] * len(xs))


defop("concatenate", ("operands",), attrs={"axis": Attr(I64)}, variadic=True,
      infer=_infer_concatenate, numpy=lambda *xs, axis: np.concatenate(xs, axis=axis),
      lower=_lower_concatenate, doc="numpy.concatenate along a non-negative axis; dtypes promote.",
      vjp=_concatenate_vjp)


def _infer_stack(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    first = operands[0]
    (axis,) = _check_axes([attrs["axis"]], first.rank + 1, "stack axis")
    if any(o.shape != first.shape for o in operands[1:]):
        raise ShapeError(f"all input arrays must have the same shape, got "
                         f"{', '.join(str(o) for o in operands)}")
    shape = list(first.shape)
    shape.insert(axis, len(operands))
    return [TensorSpec(tuple(shape), _promote(operands))]


def _lower_stack(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,), axis = out_specs, attrs["axis"]
    first = in_specs[0]
    one = list(first.shape)
    one.insert(axis, 1)
    specs = [TensorSpec(tuple(one), s.dtype) for s in in_specs]
    values = [e.reshape(v, s, spec.shape) if first.size else e.empty(spec)
              for v, s, spec in zip(operands, in_specs, specs)]
    return [concat(e, values, specs, axis, out)]


defop("stack", ("operands",), attrs={"axis": Attr(I64)}, variadic=True, infer=_infer_stack,
      numpy=lambda *xs, axis: np.stack(xs, axis=axis), lower=_lower_stack,
      doc="numpy.stack along a new axis (normalised against the result rank); dtypes promote.",
      vjp=_stack_vjp)
