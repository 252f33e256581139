"""Matrices: `eye` (numpy.eye / identity), `tri` (numpy.tril / triu) and `diag_embed`
(numpy.diag of a 1-D array).

numpy.diagonal, diag and trace need no op of their own: the frontend builds the diagonal from
the view ops (a reshape, a strided slice, a transpose) so that the heap model treats it as the
view NumPy returns, and trace sums it.

Lowering: one parallel linalg.generic each, comparing `linalg.index` values (column - row
against k), so the result is a fresh tensor and nothing is ever inserted into an argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import tensor

from ..dialects.opdef import BOOL, DTYPE, I64, I64_ARRAY, Attr, ShapeError
from ..dialects.types import TensorSpec, is_supported_dtype
from .emit import PARALLEL, Emitter, Scalar, barrier, identity_map
from .registry import defop
from ..lang import op

I64_DT = np.dtype(np.int64)


def _diff(s: Scalar, rank: int, k: int) -> ir.Value:
    """column - row - k of the last two loop dims, as an i64."""
    row = s.index_to(s.linalg_index(rank - 2), I64_DT)
    col = s.index_to(s.linalg_index(rank - 1), I64_DT)
    return s.sub(s.sub(col, row, I64_DT), s.const(k, I64_DT), I64_DT)


# ---------------------------------------------------------------------------------------------
# eye
# ---------------------------------------------------------------------------------------------


def _infer_eye(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    shape = tuple(attrs["shape"])
    if len(shape) != 2 or any(d < 0 for d in shape):
        raise ShapeError(f"eye needs a 2-D non-negative shape, got {shape}")
    if not is_supported_dtype(attrs["dtype"]):
        raise ShapeError(f"dtype {np.dtype(attrs['dtype']).name} is not supported by janus")
    return [TensorSpec(shape, np.dtype(attrs["dtype"]))]


def _lower_eye(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    if out.size == 0:
        return [e.empty(out)]

    def body(s: Scalar, _o: ir.Value) -> ir.Value:
        on = s.cmp("eq", _diff(s, 2, attrs["k"]), s.const(0, I64_DT), I64_DT)
        return s.select(on, s.const(1, out.dtype), s.const(0, out.dtype))

    return e.generic([], [], [e.empty(out)], [identity_map(2)], [PARALLEL] * 2, body)


defop("eye", (), attrs={"shape": Attr(I64_ARRAY), "k": Attr(I64), "dtype": Attr(DTYPE)},
      infer=_infer_eye,
      numpy=lambda shape, k, dtype: np.eye(shape[0], shape[1], k=k, dtype=dtype),
      lower=_lower_eye, doc="numpy.eye(N, M, k, dtype): ones on the k-th diagonal.")


# ---------------------------------------------------------------------------------------------
# tri: tril / triu of the last two dims
# ---------------------------------------------------------------------------------------------


def _infer_tri(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    if x.rank < 2:
        raise ShapeError(f"tri needs at least 2 dims, got {x}")
    return [x]


def _lower_tri(e: Emitter, operands, in_specs, attrs, out_specs):
    (x,), (out,) = operands, out_specs
    if out.size == 0:
        return [e.empty(out)]
    rank, upper, k = out.rank, attrs["upper"], attrs["k"]

    def body(s: Scalar, v: ir.Value, _o: ir.Value) -> ir.Value:
        keep = s.cmp("ge" if upper else "le", _diff(s, rank, k), s.const(0, I64_DT), I64_DT)
        return s.select(keep, v, s.const(0, out.dtype))

    return e.generic([x], [identity_map(rank)], [e.empty(out)], [identity_map(rank)],
                     [PARALLEL] * rank, body)


def _numpy_tri(x, k, upper):
    return np.triu(x, k) if upper else np.tril(x, k)


defop("tri", ("operand",), attrs={"k": Attr(I64), "upper": Attr(BOOL)}, infer=_infer_tri,
      numpy=_numpy_tri, lower=_lower_tri,
      vjp=lambda g, ans, x, k, upper: (op("tri", g, k=k, upper=upper),),
      doc="numpy.tril (upper=False: keep column <= row + k) or numpy.triu (upper=True: keep "
          "column >= row + k) of the last two dims; the rest is zero.")


# ---------------------------------------------------------------------------------------------
# diag_embed: numpy.diag of a 1-D array
# ---------------------------------------------------------------------------------------------


def _infer_diag_embed(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (v,) = operands
    if v.rank != 1:
        raise ShapeError(f"diag_embed needs a 1-D operand, got {v}")
    n = v.shape[0] + abs(attrs["k"])
    return [TensorSpec((n, n), v.dtype)]


def _lower_diag_embed(e: Emitter, operands, in_specs, attrs, out_specs):
    (v,), (vs,), (out,) = operands, in_specs, out_specs
    k, length = attrs["k"], vs.shape[0]
    if out.size == 0:
        return [e.empty(out)]
    if length == 0:
        return [e.fill(out, 0)]

    def body(s: Scalar, _o: ir.Value) -> ir.Value:
        on = s.cmp("eq", _diff(s, 2, k), s.const(0, I64_DT), I64_DT)
        pos = s.index_to(s.linalg_index(0 if k >= 0 else 1), I64_DT)
        pos = s.op("arith.minsi", [pos, s.const(length - 1, I64_DT)])  # in bounds off the diagonal
        elem = tensor.ExtractOp(v, [s.to_index(pos)]).result
        return s.select(on, elem, s.const(0, out.dtype))

    return [barrier(v) for v in
            e.generic([], [], [e.empty(out)], [identity_map(2)], [PARALLEL] * 2, body)]


def _diag_embed_vjp(g, ans, v, k):
    """The k-th diagonal of g."""
    n = v.shape[0]
    rows = np.arange(n, dtype=np.int64) + max(-k, 0)
    cols = np.arange(n, dtype=np.int64) + max(k, 0)
    return (op("gather", g, rows, cols, axes=(0, 1), position=0),)


defop("diag_embed", ("operand",), attrs={"k": Attr(I64)}, infer=_infer_diag_embed,
      numpy=lambda v, k: np.diag(v, k), lower=_lower_diag_embed, vjp=_diag_embed_vjp,
      doc="numpy.diag of a 1-D array: a new square array with v on the k-th diagonal.")
