"""Convolution: `conv2d`, NCHW input and (F, C/groups, KH, KW) weights (janus_mlir.nn.conv2d
without the bias, which the frontend adds as a broadcast add).

Attributes, each an (h, w) pair: `strides`, `padding` (zeros on both sides), `dilations`;
`groups` splits the channels. The result dtype is np.result_type of the operands, as the einsum
of the NumPy form gives (integers wrap like NumPy's; float16 accumulates in float32, as NumPy's
einsum does).

Lowering: the input is padded with tensor.pad (and cut to the extent the windows read: linalg
wants exact extents), then one linalg.conv_2d_nchw_fchw (groups == 1) or
linalg.conv_2d_ngchw_gfchw over (N, G, C/G, H, W) input and (G, F/G, C/G, KH, KW) weights
(reshapes only: both layouts are the row-major ones of the NCHW arrays), which IREE tiles and
vectorizes as convolutions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import linalg, tensor

from .. import nn
from ..dialects.opdef import I64, I64_ARRAY, Attr, ShapeError
from ..dialects.types import TensorSpec, is_bool, is_supported_dtype, tensor_type
from .emit import Emitter
from .registry import defop

F16, F32 = np.dtype(np.float16), np.dtype(np.float32)


def window_out(size: int, pad: int, kernel: int, stride: int, dilation: int) -> int:
    """Output length of a window sweep (floor mode); ShapeError where the window does not fit."""
    span = dilation * (kernel - 1) + 1
    if size + 2 * pad < span:
        raise ShapeError(f"the padded input ({size} + 2*{pad}) is smaller than the window "
                         f"({span})")
    return (size + 2 * pad - span) // stride + 1


def check_pairs(attrs: dict[str, Any], minimum: dict[str, int]) -> None:
    for name, low in minimum.items():
        v = attrs[name]
        if len(v) != 2 or min(v) < low:
            raise ShapeError(f"{name} must be two ints of at least {low}, got {v}")


def used_extent(out: int, kernel: int, stride: int, dilation: int) -> int:
    """How much of the padded input a window sweep with `out` positions reads."""
    return (out - 1) * stride + dilation * (kernel - 1) + 1


def pad_hw(e: Emitter, v: ir.Value, spec: TensorSpec, padding: Sequence[int],
           used: Sequence[int], value: float | int | bool) -> tuple[ir.Value, TensorSpec]:
    """The NCHW tensor a window sweep reads: `padding` (h, w) elements of `value` before H and
    W, the input, and after it padding up to the `used` extents, or the input cut to them
    (linalg's convolutions and poolings require input extents the windows read exactly).
    Each used extent must reach past the padding before it."""
    n, c, h, w = spec.shape
    (ph, pw), (uh, uw) = padding, used
    src_h, src_w = min(h, uh - ph), min(w, uw - pw)
    assert src_h > 0 and src_w > 0, "the windows read only padding"
    if (src_h, src_w) != (h, w):
        sliced = TensorSpec((n, c, src_h, src_w), spec.dtype)
        v = tensor.ExtractSliceOp(tensor_type(sliced.shape, sliced.dtype), v, [], [], [],
                                  [0, 0, 0, 0], list(sliced.shape), [1, 1, 1, 1]).result
    high = [0, 0, uh - ph - src_h, uw - pw - src_w]
    out = TensorSpec((n, c, uh, uw), spec.dtype)
    if not ph and not pw and not any(high):
        return v, out
    pad = tensor.PadOp(tensor_type(out.shape, out.dtype), v, [], [], [0, 0, ph, pw], high)
    block = pad.region.blocks.append(*([ir.IndexType.get()] * 4))
    with ir.InsertionPoint(block):
        tensor.YieldOp(e.const(value, spec.dtype))
    return pad.result, out


def _infer_conv2d(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    x, w = operands
    check_pairs(attrs, {"strides": 1, "padding": 0, "dilations": 1})
    groups = attrs["groups"]
    if x.rank != 4 or w.rank != 4:
        raise ShapeError(f"conv2d takes NCHW input and 4-D weights, got {x} and {w}")
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    if groups < 1 or c != cg * groups or f % groups:
        raise ShapeError(f"conv2d of {x} with weights {w} in {groups} groups")
    if kh < 1 or kw < 1:
        raise ShapeError(f"conv2d with an empty kernel {(kh, kw)}")
    dtype = np.result_type(x.dtype, w.dtype)
    if is_bool(dtype) or not is_supported_dtype(dtype):
        raise ShapeError(f"conv2d of {dtype.name} operands")
    (sh, sw), (ph, pw), (dh, dw) = attrs["strides"], attrs["padding"], attrs["dilations"]
    return [TensorSpec((n, f, window_out(h, ph, kh, sh, dh), window_out(wd, pw, kw, sw, dw)),
                       dtype)]


def _lower_conv2d(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    xs, ws = in_specs
    if out.size == 0:
        return [e.empty(out)]
    acc = F32 if out.dtype == F16 else out.dtype
    acc_out = TensorSpec(out.shape, acc)
    (ph, pw), (sh, sw), (dh, dw) = attrs["padding"], attrs["strides"], attrs["dilations"]
    kh, kw = ws.shape[2:]
    used = (used_extent(out.shape[2], kh, sh, dh), used_extent(out.shape[3], kw, sw, dw))
    if xs.size == 0 or ws.size == 0 or used[0] <= ph or used[1] <= pw:
        # No input channels, or the windows read only padding: zeros.
        return [e.cast_tensor(e.fill(acc_out, 0), acc_out, out.dtype)]
    x = e.cast_tensor(operands[0], xs, acc)
    w = e.cast_tensor(operands[1], ws, acc)
    x, xs = pad_hw(e, x, TensorSpec(xs.shape, acc), attrs["padding"], used, 0)
    ws = TensorSpec(ws.shape, acc)
    g = attrs["groups"]
    strides, dilations = list(attrs["strides"]), list(attrs["dilations"])
    res = _grouped(e, x, xs, w, ws, g, acc_out, strides, dilations)
    return [e.cast_tensor(res, acc_out, out.dtype)]


GROUPS_AS_LOOP = 8  # up to this many groups (not depthwise), one convolution per group


def _grouped(e: Emitter, x, xs: TensorSpec, w, ws: TensorSpec, g: int, out: TensorSpec,
             strides: list[int], dilations: list[int]) -> ir.Value:
    """The convolution of padded `x` with `w` in `g` groups, as the linalg op IREE compiles
    best for it: one conv_2d_nchw_fchw for g == 1; depthwise_conv_2d_nchw_chw for one input
    and one filter per group; for up to GROUPS_AS_LOOP groups one conv_2d_nchw_fchw per group,
    joined by tensor.concat (IREE 3.13 ran conv_2d_ngchw_gfchw 12-14x slower than that loop
    for 2 and 4 groups of (32, 16, 16, 16) f32 input); conv_2d_ngchw_gfchw beyond (at 16
    groups both took about the same time)."""
    n, c, hp, wp = xs.shape
    f, cg, kh, kw = ws.shape
    fg = f // g
    kw_args = {"strides": strides, "dilations": dilations}
    if g == 1:
        return linalg.conv_2d_nchw_fchw(x, w, outs=[e.fill(out, 0)], **kw_args)
    if cg == 1 and fg == 1:
        w3 = e.reshape(w, ws, (c, kh, kw))
        return linalg.depthwise_conv_2d_nchw_chw(x, w3, outs=[e.fill(out, 0)], **kw_args)
    if g <= GROUPS_AS_LOOP:
        part = TensorSpec((n, fg, *out.shape[2:]), out.dtype)
        parts = []
        for i in range(g):
            xi = _slice(x, (n, cg, hp, wp), 1, i * cg, out.dtype)
            wi = _slice(w, (fg, cg, kh, kw), 0, i * fg, out.dtype)
            parts.append(linalg.conv_2d_nchw_fchw(xi, wi, outs=[e.fill(part, 0)], **kw_args))
        return tensor.ConcatOp(tensor_type(out.shape, out.dtype), 1, parts).result
    xg = e.reshape(x, xs, (n, g, cg, hp, wp))
    wg = e.reshape(w, ws, (g, fg, cg, kh, kw))
    grouped = TensorSpec((n, g, fg, *out.shape[2:]), out.dtype)
    res = linalg.conv_2d_ngchw_gfchw(xg, wg, outs=[e.fill(grouped, 0)], **kw_args)
    return e.reshape(res, grouped, out.shape)


def _slice(v: ir.Value, shape: tuple[int, ...], axis: int, start: int,
           dtype: np.dtype) -> ir.Value:
    offsets = [0] * len(shape)
    offsets[axis] = start
    return tensor.ExtractSliceOp(tensor_type(shape, dtype), v, [], [], [], offsets,
                                 list(shape), [1] * len(shape)).result


def _numpy_conv2d(x, w, *, strides, padding, dilations, groups=1):
    return nn.conv2d(x, w, None, tuple(strides), tuple(padding), tuple(dilations), groups)


def _conv2d_vjp(g, ans, x, w, *, strides, padding, dilations, groups=1):
    """Through the NumPy form (im2col: strided slices, a stack, one einsum), by the rules of
    the ops it is made of."""
    from ..autodiff.reverse import vjp_of

    return vjp_of(lambda x, w: _numpy_conv2d(x, w, strides=strides, padding=padding,
                                             dilations=dilations, groups=groups), (x, w), g)


defop("conv2d", ("input", "weight"),
      attrs={"strides": Attr(I64_ARRAY), "padding": Attr(I64_ARRAY),
             "dilations": Attr(I64_ARRAY), "groups": Attr(I64, 1, optional=True)},
      infer=_infer_conv2d, numpy=_numpy_conv2d, lower=_lower_conv2d, vjp=_conv2d_vjp,
      doc="janus_mlir.nn.conv2d without bias: NCHW input, (F, C/groups, KH, KW) weights, "
          "(h, w) strides, zero padding and dilations; dtype np.result_type of the operands.")
