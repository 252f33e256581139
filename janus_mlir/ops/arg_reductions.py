"""argmax and argmin over `axis` (non-negative, or absent = over the flattened array).

One linalg.generic carrying (value, index) pairs, combined by a rule that does not depend on the
order IREE visits elements in: larger value wins, NaN wins over numbers, ties go to the smaller
index -- NumPy's "first occurrence" and "first NaN". Result dtype int64.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects.opdef import BOOL, I64, Attr, ShapeError
from ..dialects.types import TensorSpec, is_bool, is_float
from .emit import PARALLEL, REDUCTION, Emitter, Scalar, dims_map, identity_map
from .reductions import check_axes, reduced_shape
from .registry import defop

I64_DT = np.dtype(np.int64)


def _make_arg_infer(name: str):
    def infer(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
        (x,) = operands
        axis, keepdims = attrs.get("axis"), attrs.get("keepdims") or False
        if axis is None:
            if x.size == 0:
                raise ShapeError(f"attempt to get {name} of an empty sequence")
            return [TensorSpec((1,) * x.rank if keepdims else (), I64_DT)]
        (axis,) = check_axes([axis], x.rank)
        if x.shape[axis] == 0:
            raise ShapeError(f"attempt to get {name} of an empty sequence")
        return [TensorSpec(reduced_shape(x.shape, (axis,), keepdims), I64_DT)]

    return infer


def _better(name: str, s: Scalar, dt: np.dtype, x, i, v, j) -> ir.Value:
    """Whether (x at index i) beats the running (v at index j): order-independent."""
    pred = "gt" if name == "argmax" else "lt"
    wins = s.cmp(pred, x, v, dt)
    tie = s.cmp("eq", x, v, dt)
    if is_float(dt):
        x_nan, v_nan = s.is_nan(x), s.is_nan(v)
        # NaN beats every number; between two NaNs (a tie) the smaller index wins.
        wins = s.op("arith.ori", [wins, s.op("arith.andi", [
            x_nan, s.op("arith.xori", [v_nan, s.const(True, np.dtype(bool))])])])
        tie = s.op("arith.ori", [tie, s.op("arith.andi", [x_nan, v_nan])])
    earlier = s.cmp("lt", i, j, I64_DT)
    return s.op("arith.ori", [wins, s.op("arith.andi", [tie, earlier])])


def _make_arg_lower(name: str):
    def lower(e: Emitter, operands, in_specs, attrs, out_specs):
        (x,), (xs,), (out,) = operands, in_specs, out_specs
        if out.size == 0:
            return [e.empty(out)]
        axis = attrs.get("axis")
        if axis is None:
            x = e.reshape(x, xs, (xs.size,))
            xs, axis = TensorSpec((xs.size,), xs.dtype), 0
        rank, dt = xs.rank, xs.dtype
        kept = [d for d in range(rank) if d != axis]
        red_shape = tuple(xs.shape[d] for d in kept)
        if is_float(dt):
            start: float | int | bool = -np.inf if name == "argmax" else np.inf
        elif is_bool(dt):
            start = name == "argmin"
        else:
            start = np.iinfo(dt).min if name == "argmax" else np.iinfo(dt).max
        inits = [e.fill(TensorSpec(red_shape, dt), start),
                 e.fill(TensorSpec(red_shape, I64_DT), np.iinfo(np.int64).max)]

        def body(s: Scalar, x_el, v, j):
            i = s.index_to(s.linalg_index(axis), I64_DT)
            take = _better(name, s, dt, x_el, i, v, j)
            return [s.select(take, x_el, v), s.select(take, i, j)]

        out_map = dims_map(rank, kept)
        _, idx = e.generic([x], [identity_map(rank)], inits, [out_map, out_map],
                           [REDUCTION if d == axis else PARALLEL for d in range(rank)], body)
        return [e.reshape(idx, TensorSpec(red_shape, I64_DT), out.shape)]

    return lower


def _arg_numpy(fn: Any):
    return lambda x, axis=None, keepdims=False: fn(x, axis=axis, keepdims=keepdims)


for _name, _fn in (("argmax", np.argmax), ("argmin", np.argmin)):
    defop(_name, ("operand",),
          attrs={"axis": Attr(I64, optional=True), "keepdims": Attr(BOOL, False, optional=True)},
          infer=_make_arg_infer(_name), numpy=_arg_numpy(_fn), lower=_make_arg_lower(_name),
          doc=f"numpy.{_fn.__name__}(x, axis=axis, keepdims=keepdims): first occurrence wins, "
              "NaN wins over numbers; axis absent = over the flattened array.")
