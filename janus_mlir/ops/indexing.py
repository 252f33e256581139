"""Indexing: basic slicing (`slice`) and its write-back (`slice_update`), numpy.take (`take`) and
the bounds test behind IndexError guards (`in_bounds`).

Integer indexing and `np.newaxis` are composed by the frontend from `slice` + `reshape`, so they
need no op here; advanced (integer-array) indexing and its writes are `gather` and `scatter`
(ops/scatter.py). `slice` takes one (start, size, step) triple per dim, normalised the way
Python's `slice.indices` does: `start` is the first element taken, steps may be negative,
sizes may be 0. `take` clamps its indices into range so memory is never read out of bounds;
NumPy's IndexError for out-of-range indices is the frontend's `janus.guard` on `in_bounds`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import tensor

from ..dialects.opdef import I64, I64_ARRAY, Attr, ShapeError
from ..dialects.types import SymbolicShape, TensorSpec, is_bool, is_int
from .emit import PARALLEL, REDUCTION, Emitter, Scalar, barrier, dims_map, identity_map
from .registry import defop
from ..lang import op, unbroadcast as ub

I64_DT = np.dtype(np.int64)
BOOL_DT = np.dtype(bool)
WHOLE = -1  # a slice size: all of the dim


# ---------------------------------------------------------------------------------------------
# slice
# ---------------------------------------------------------------------------------------------


def _infer_slice(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    starts, sizes, steps = (tuple(attrs[k]) for k in ("starts", "sizes", "steps"))
    if not len(starts) == len(sizes) == len(steps) == x.rank:
        raise ShapeError(f"slice needs one start, size and step per dim of {x}, got "
                         f"starts={starts} sizes={sizes} steps={steps}")
    if not x.static and any(step < 0 for step in steps):
        raise SymbolicShape("a reversing slice of an array with a symbolic dim")
    out = []
    for d, (n, start, size, step) in enumerate(zip(x.shape, starts, sizes, steps)):
        if step == 0:
            raise ShapeError("slice step cannot be zero")
        if size == WHOLE:
            if start != 0 or step != 1:
                raise ShapeError(f"slice of all of dim {d} must start at 0 with step 1")
            out.append(n)
            continue
        if size < 0:
            raise ShapeError(f"slice size {size} of dim {d} is negative")
        last = start + (size - 1) * step
        if type(n) is not int:  # a symbolic dim is at least 2 when the graph runs
            if size and not (0 <= start < 2 and 0 <= last < 2):
                raise SymbolicShape(f"a slice of dim {d} beyond its first two elements needs "
                                    "its length")
        elif size and not (0 <= start < n and 0 <= last < n):
            raise ShapeError(f"slice of dim {d} (length {n}) from {start}, {size} elements "
                             f"with step {step} runs out of bounds")
        out.append(size)
    return [TensorSpec(tuple(out), x.dtype)]


def _lower_slice(e: Emitter, operands, in_specs, attrs, out_specs):
    (x,), (out,) = operands, out_specs
    if out.static and out.size == 0:
        return [e.empty(out)]
    starts, sizes, steps = (tuple(attrs[k]) for k in ("starts", "sizes", "steps"))
    if WHOLE in sizes and all(sp > 0 for sp in steps):  # whole dims: sizes read from x
        dyn = ir.ShapedType.get_dynamic_size()
        whole = [d for d, n in enumerate(sizes) if n == WHOLE]
        static = [n if n != WHOLE else (in_specs[0].shape[d] if type(in_specs[0].shape[d]) is int
                                        else dyn) for d, n in enumerate(sizes)]
        if len(whole) == len(sizes):
            return [x]
        dims = [tensor.DimOp(x, e.index_const(d)).result for d in whole if static[d] == dyn]
        return [tensor.ExtractSliceOp(
            ir.RankedTensorType.get(static, ir.RankedTensorType(x.type).element_type),
            x, [], dims, [], ir.DenseI64ArrayAttr.get(starts), ir.DenseI64ArrayAttr.get(static),
            ir.DenseI64ArrayAttr.get(steps)).result]
    if all(sp > 0 for sp in steps):
        if list(sizes) == list(in_specs[0].shape):
            return [x]
        return [tensor.ExtractSliceOp(
            ir.RankedTensorType.get(list(sizes), ir.RankedTensorType(x.type).element_type),
            x, [], [], [], ir.DenseI64ArrayAttr.get(starts), ir.DenseI64ArrayAttr.get(sizes),
            ir.DenseI64ArrayAttr.get(steps)).result]
    # A negative step: gather element start + i * step of each dim (a reversing affine map
    # trips linalg's static shape verifier inside IREE).
    def body(s: Scalar, _o: ir.Value) -> ir.Value:
        coords = []
        for d, (st, sp) in enumerate(zip(starts, steps)):
            i = s.linalg_index(d)
            if sp != 1:
                i = s.op("arith.muli", [i, s.index_const(sp)])
            coords.append(s.op("arith.addi", [i, s.index_const(st)]) if st else i)
        return tensor.ExtractOp(x, coords).result

    rank = out.rank
    return [barrier(v) for v in
            e.generic([], [], [e.empty(out)], [identity_map(rank)], [PARALLEL] * rank, body)]


def python_slice(start: int, size: int, step: int) -> slice:
    """The Python slice taking `size` elements from `start` by `step` (steps may be negative;
    WHOLE: every element)."""
    if size == WHOLE:
        return slice(None)
    if size == 0:
        return slice(0, 0)
    stop = start + size * step
    return slice(start, stop if stop >= 0 else None, step)


def _numpy_slice(x, starts, sizes, steps):
    return np.asarray(x)[tuple(map(python_slice, starts, sizes, steps))].copy()


def _slice_vjp(g, ans, x, starts, sizes, steps):
    """The cotangent in place in zeros of x's shape (slices never repeat an element)."""
    return (op("slice_update", np.zeros_like(x), g.astype(x.dtype), starts=starts,
               steps=steps),)


def _slice_update_vjp(g, ans, dest, source, starts, steps):
    sizes = tuple(source.shape)
    return (ub(op("slice_update", g, np.zeros_like(source).astype(g.dtype), starts=starts,
                  steps=steps), dest),
            ub(op("slice", g, starts=starts, sizes=sizes, steps=steps), source))


defop("slice", ("operand",),
      attrs={"starts": Attr(I64_ARRAY), "sizes": Attr(I64_ARRAY), "steps": Attr(I64_ARRAY)},
      infer=_infer_slice, numpy=_numpy_slice, lower=_lower_slice, vjp=_slice_vjp,
      symbolic=True,
      doc="x[start:stop:step, ...] with each dim's slice resolved to (start, size, step); "
          "size -1 takes all of a dim (start 0, step 1), the form for a symbolic one.")


# ---------------------------------------------------------------------------------------------
# slice_update: the write-back of a slice view
# ---------------------------------------------------------------------------------------------


def _infer_slice_update(operands: Sequence[TensorSpec],
                        attrs: dict[str, Any]) -> list[TensorSpec]:
    dest, src = operands
    starts, steps = tuple(attrs["starts"]), tuple(attrs["steps"])
    if src.dtype != dest.dtype:
        raise ShapeError(f"slice_update source {src} and destination {dest} differ in dtype")
    if src.rank != dest.rank:
        raise ShapeError(f"slice_update source {src} and destination {dest} differ in rank")
    _infer_slice([dest], {"starts": starts, "sizes": src.shape, "steps": steps})
    return [dest]


def _lower_slice_update(e: Emitter, operands, in_specs, attrs, out_specs):
    (dest, src), (_, src_spec), (out,) = operands, in_specs, out_specs
    if out.size == 0 or src_spec.size == 0:
        return [dest]
    starts, steps, sizes = tuple(attrs["starts"]), tuple(attrs["steps"]), src_spec.shape

    def body(s: Scalar, d: ir.Value, _o: ir.Value) -> ir.Value:
        inside, coords = None, []
        for dim, (st, sp, n) in enumerate(zip(starts, steps, sizes)):
            rel = s.op("arith.subi", [s.linalg_index(dim), s.index_const(st)])
            j = s.op("arith.divsi", [rel, s.index_const(sp)])
            hit = s.cmp("eq", s.op("arith.muli", [j, s.index_const(sp)]), rel, I64_DT)
            hit = s.op("arith.andi", [hit, s.cmp("ge", j, s.index_const(0), I64_DT)])
            hit = s.op("arith.andi", [hit, s.cmp("lt", j, s.index_const(n), I64_DT)])
            inside = hit if inside is None else s.op("arith.andi", [inside, hit])
            coords.append(s.op("arith.maxsi", [s.op("arith.minsi", [j, s.index_const(n - 1)]),
                                               s.index_const(0)]))
        if not coords:  # rank 0: the source replaces the destination
            return tensor.ExtractOp(src, []).result
        return s.select(inside, tensor.ExtractOp(src, coords).result, d)

    rank = out.rank
    return [barrier(v) for v in e.generic([dest], [identity_map(rank)], [e.empty(out)],
                                          [identity_map(rank)], [PARALLEL] * rank, body)]


def _numpy_slice_update(dest, src, starts, steps):
    out = np.array(dest, copy=True)
    out[tuple(map(python_slice, starts, np.shape(src), steps))] = src
    return out


defop("slice_update", ("dest", "source"),
      attrs={"starts": Attr(I64_ARRAY), "steps": Attr(I64_ARRAY)},
      infer=_infer_slice_update, numpy=_numpy_slice_update, lower=_lower_slice_update,
      vjp=_slice_update_vjp,
      doc="A copy of dest with the slice (start, source size, step per dim) replaced by "
          "source: how a write through a slice view reaches its base array. Lowered to one "
          "linalg.generic producing a fresh tensor (never an insert into an argument).")


# ---------------------------------------------------------------------------------------------
# take
# ---------------------------------------------------------------------------------------------


def _check_indices(spec: TensorSpec, op: str) -> None:
    if not (is_int(spec.dtype) or is_bool(spec.dtype)):
        raise ShapeError(f"{op} indices must be integers, got {spec}")


def _infer_take(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    a, idx = operands
    _check_indices(idx, "take")
    axis = attrs["axis"]
    if a.rank == 0:  # NumPy takes from a 0-d array as from a 1-element 1-d one
        a = TensorSpec((1,), a.dtype)
    if not 0 <= axis < a.rank:
        raise ShapeError(f"take axis {axis} is out of bounds for an array of rank {a.rank}")
    if a.shape[axis] == 0 and idx.size:
        raise ShapeError("cannot do a non-empty take from an empty axes.")
    return [TensorSpec((*a.shape[:axis], *idx.shape, *a.shape[axis + 1:]), a.dtype)]


def _index_value(s: Scalar, i: ir.Value, dtype: np.dtype, n: int) -> ir.Value:
    """An index into a dim of length n: negatives wrap once, then clamped into [0, n-1]."""
    i = s.cast(i, dtype, I64_DT)
    zero, size = s.const(0, I64_DT), s.const(n, I64_DT)
    i = s.select(s.cmp("lt", i, zero, I64_DT), s.add(i, size, I64_DT), i)
    i = s.op("arith.maxsi", [s.op("arith.minsi", [i, s.const(n - 1, I64_DT)]), zero])
    return s.to_index(i)


def _lower_take(e: Emitter, operands, in_specs, attrs, out_specs):
    (a, idx), (a_spec, idx_spec), (out,) = operands, in_specs, out_specs
    if out.size == 0:
        return [e.empty(out)]
    if a_spec.rank == 0:
        a, a_spec = e.reshape(a, a_spec, (1,)), TensorSpec((1,), a_spec.dtype)
    axis, k, rank = attrs["axis"], idx_spec.rank, out.rank
    n = a_spec.shape[axis]

    def body(s: Scalar, i: ir.Value, _o: ir.Value) -> ir.Value:
        coords = ([s.linalg_index(d) for d in range(axis)]
                  + [_index_value(s, i, idx_spec.dtype, n)]
                  + [s.linalg_index(d) for d in range(axis + k, rank)])
        return tensor.ExtractOp(a, coords).result

    return [barrier(v) for v in e.generic([idx], [dims_map(rank, range(axis, axis + k))],
                                          [e.empty(out)], [identity_map(rank)],
                                          [PARALLEL] * rank, body)]


def wrapped(indices, n):
    """Indices with negatives wrapped once (what take, gather and scatter agree on)."""
    return np.where(indices < 0, indices + n, indices)


def _take_vjp(g, ans, a, indices, axis):
    if a.ndim == 0:
        raise TypeError("no derivative of numpy.take from a 0-d array")
    z = np.zeros_like(a)
    return (op("scatter", z, g.astype(a.dtype), wrapped(indices, a.shape[axis]), axes=(axis,),
               position=axis, mode="add"), None)


defop("take", ("operand", "indices"), attrs={"axis": Attr(I64)}, infer=_infer_take,
      numpy=lambda a, indices, axis: np.take(a, indices, axis=axis), lower=_lower_take,
      vjp=_take_vjp,
      doc="numpy.take along a non-negative axis (a 0-d array counts as 1-d); negative indices "
          "wrap once. Out-of-range indices are clamped (the frontend guards them with in_bounds).")


# ---------------------------------------------------------------------------------------------
# in_bounds
# ---------------------------------------------------------------------------------------------


def _infer_in_bounds(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (idx,) = operands
    _check_indices(idx, "in_bounds")
    if attrs["size"] < 0:
        raise ShapeError(f"in_bounds size must be non-negative, got {attrs['size']}")
    return [TensorSpec((), BOOL_DT)]


def _lower_in_bounds(e: Emitter, operands, in_specs, attrs, out_specs):
    (idx,), (spec,), size = operands, in_specs, attrs["size"]
    if spec.size == 0:
        return [e.fill(out_specs[0], True)]
    rank = spec.rank

    def body(s: Scalar, i: ir.Value, acc: ir.Value) -> ir.Value:
        i = s.cast(i, spec.dtype, I64_DT)
        ok = s.op("arith.andi", [s.cmp("ge", i, s.const(-size, I64_DT), I64_DT),
                                 s.cmp("lt", i, s.const(size, I64_DT), I64_DT)])
        return s.op("arith.andi", [acc, ok])

    return e.generic([idx], [identity_map(rank)], [e.fill(out_specs[0], True)],
                     [dims_map(rank, [])], [REDUCTION] * rank, body)


defop("in_bounds", ("indices",), attrs={"size": Attr(I64)}, infer=_infer_in_bounds,
      numpy=lambda indices, size: np.all((indices >= -size) & (indices < size)),
      lower=_lower_in_bounds,
      doc="Whether every index is valid for a dim of length `size` (-size <= i < size); "
          "the predicate of the guard that reproduces NumPy's IndexError.")
