"""Pooling: `max_pool2d` and `avg_pool2d` over NCHW inputs (janus_mlir.nn's functions).

Attributes, each an (h, w) pair: `kernel`, `strides`, `padding` (at most half the kernel, so
every window holds an input element). max: padding is -inf (the dtype's minimum for integers),
NaN propagates as np.max; avg: count_include_pad semantics (padding counts as zeros, the divisor
is always KH * KW), float dtypes kept, integers and bools give float64.

Lowering: tensor.pad, then linalg.pooling_nchw_max / pooling_nchw_sum over a window tensor of
the kernel's shape; float16 pools in float32 (IREE's llvm-cpu lacks f16 max), bool max pools
as int8; the sum is then divided by KH * KW.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler.dialects import linalg, tensor

from .. import nn
from ..dialects.opdef import I64_ARRAY, Attr, ShapeError
from ..dialects.types import TensorSpec, element_type, is_bool, is_float
from .convolution import check_pairs, pad_hw, used_extent, window_out
from .emit import Emitter
from .registry import defop

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
I8 = np.dtype(np.int8)


def _infer(kind: str):
    def infer(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
        (x,) = operands
        check_pairs(attrs, {"kernel": 1, "strides": 1, "padding": 0})
        if x.rank != 4:
            raise ShapeError(f"{kind}_pool2d takes an NCHW input, got {x}")
        k, s, p = attrs["kernel"], attrs["strides"], attrs["padding"]
        if p[0] > k[0] // 2 or p[1] > k[1] // 2:
            raise ShapeError(f"padding {p} must be at most half the kernel {k}")
        n, c, h, w = x.shape
        dtype = x.dtype if kind == "max" or is_float(x.dtype) else F64
        return [TensorSpec((n, c, window_out(h, p[0], k[0], s[0], 1),
                            window_out(w, p[1], k[1], s[1], 1)), dtype)]

    return infer


def _lowest(dtype: np.dtype) -> float | int:
    return -np.inf if is_float(dtype) else int(np.iinfo(dtype).min)


def _pool(e: Emitter, v, spec: TensorSpec, attrs, out_shape, fill, op):
    (kh, kw), (sh, sw) = attrs["kernel"], attrs["strides"]
    used = (used_extent(out_shape[2], kh, sh, 1), used_extent(out_shape[3], kw, sw, 1))
    v, spec = pad_hw(e, v, spec, attrs["padding"], used, fill)
    window = tensor.EmptyOp(list(attrs["kernel"]), element_type(spec.dtype)).result
    out = TensorSpec(out_shape, spec.dtype)
    return op(v, window, outs=[e.fill(out, fill)], strides=list(attrs["strides"]),
              dilations=[1, 1]), out


def _lower_max(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,), (xs,) = out_specs, in_specs
    if out.size == 0:
        return [e.empty(out)]
    work = F32 if xs.dtype == F16 else I8 if is_bool(xs.dtype) else xs.dtype
    if xs.size == 0:  # every window is padding only
        return [e.fill(out, False if is_bool(out.dtype) else _lowest(out.dtype))]
    x = e.cast_tensor(operands[0], xs, work)
    res, spec = _pool(e, x, TensorSpec(xs.shape, work), attrs, out.shape, _lowest(work),
                      linalg.pooling_nchw_max)
    return [e.cast_tensor(res, spec, out.dtype)]


def _lower_avg(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,), (xs,) = out_specs, in_specs
    if out.size == 0:
        return [e.empty(out)]
    work = F32 if out.dtype == F16 else out.dtype
    work_out = TensorSpec(out.shape, work)
    if xs.size == 0:
        return [e.cast_tensor(e.fill(work_out, 0), work_out, out.dtype)]
    x = e.cast_tensor(operands[0], xs, work)
    res, spec = _pool(e, x, TensorSpec(xs.shape, work), attrs, out.shape, 0,
                      linalg.pooling_nchw_sum)
    count = e.splat(TensorSpec((), work), attrs["kernel"][0] * attrs["kernel"][1])
    mean = e.elementwise([res, count], [spec, TensorSpec((), work)], spec,
                         lambda s, a, b: s.op("arith.divf", [a, b]))
    return [e.cast_tensor(mean, spec, out.dtype)]


def _numpy(fn):
    def reference(x, *, kernel, strides, padding):
        return fn(x, tuple(kernel), tuple(strides), tuple(padding))

    return reference


_ATTRS = {"kernel": Attr(I64_ARRAY), "strides": Attr(I64_ARRAY), "padding": Attr(I64_ARRAY)}


def _vjp(fn):
    """Through the NumPy form (windows as strided slices, stacked, reduced), by the rules of
    the ops it is made of (max_pool2d's cotangent goes to each window's max, split among
    ties)."""
    def vjp(g, ans, x, **attrs):
        from ..autodiff.reverse import vjp_of

        return vjp_of(lambda x: _numpy(fn)(x, **attrs), (x,), g)

    return vjp


defop("max_pool2d", ("input",), attrs=dict(_ATTRS), infer=_infer("max"),
      numpy=_numpy(nn.max_pool2d), lower=_lower_max, vjp=_vjp(nn.max_pool2d),
      doc="janus_mlir.nn.max_pool2d: the max of each (h, w) window of an NCHW input, padding "
          "-inf (never wins), NaN propagates.")
defop("avg_pool2d", ("input",), attrs=dict(_ATTRS), infer=_infer("avg"),
      numpy=_numpy(nn.avg_pool2d), lower=_lower_avg, vjp=_vjp(nn.avg_pool2d),
      doc="janus_mlir.nn.avg_pool2d: the mean of each (h, w) window of an NCHW input, "
          "count_include_pad (divisor KH * KW); integers give float64.")
