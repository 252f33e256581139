"""janus_mlir.nn functions with dedicated janus ops: conv2d, max_pool2d and avg_pool2d.

Called in a converted function, each becomes its janus op (linalg's convolution and pooling
ops) instead of the unrolled slices of its NumPy form. The arguments are checked as the NumPy
form checks them, and an argument it would reject stops the conversion with its error, so the
plain call raises it. The other janus_mlir.nn functions are plain Python helpers: the converter
inlines them.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ... import nn
from ...nn._windows import pair
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply
from ..values import ARRAY, Tensor, is_tensor
from .args import Handler, as_array, bind, static
from .shapes import reshape_to


def _array(b: GraphBuilder, v: Any, fn: str, what: str) -> Tensor:
    """An ndarray argument (a graph array or a NumPy constant); anything else is not
    converted (the NumPy form would read `.shape` or `.dtype` of it)."""
    if is_tensor(v) and v.kind == ARRAY or isinstance(v, np.ndarray):
        return as_array(b, v)
    raise Unconvertible(f"nn.{fn}: {what} that is not an ndarray is not converted", b.where)


def _pairs(b: GraphBuilder, fn: str, **values: tuple[Any, int]) -> dict[str, tuple[int, int]]:
    """Each (value, minimum) as nn's `pair` reads it; its errors stop the conversion."""
    out = {}
    for name, (v, minimum) in values.items():
        try:
            out[name] = pair(static(b, v, f"a {name}"), name, fn, minimum)
        except (TypeError, ValueError) as e:
            raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    return out


def _check_nchw(b: GraphBuilder, x: Tensor, fn: str) -> None:
    if x.ndim != 4:
        raise Unconvertible(f"ValueError: {fn}: expected a 4-D NCHW input, got shape {x.shape}",
                            b.where)


def _window_fits(b: GraphBuilder, fn: str, sizes, pads, kernels, strides, dilations) -> None:
    for size, p, k, d in zip(sizes, pads, kernels, dilations):
        span = d * (k - 1) + 1
        if size + 2 * p < span:
            raise Unconvertible(f"ValueError: {fn}: the padded input ({size} + 2*{p}) is "
                                f"smaller than the window ({span})", b.where)


def conv2d(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """nn.conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1): the conv2d op,
    then the bias added as the NumPy form adds it (`out + b.reshape(F, 1, 1)`)."""
    fn = "conv2d"
    p = bind(b, "nn.conv2d", args, kwargs,
             ("x", "w", "b", "stride", "padding", "dilation", "groups"),
             {"b": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1})
    x = _array(b, p["x"], fn, "an input")
    _check_nchw(b, x, fn)
    w = _array(b, p["w"], fn, "weights")
    if w.ndim != 4:
        raise Unconvertible(f"ValueError: {fn}: expected 4-D (F, C/groups, KH, KW) weights, got "
                            f"shape {w.shape}", b.where)
    groups = static(b, p["groups"], "groups")
    if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (int, np.integer)) \
            or groups < 1:
        raise Unconvertible(f"ValueError: {fn}: groups must be a positive int, got {groups!r}",
                            b.where)
    a = _pairs(b, fn, stride=(p["stride"], 1), padding=(p["padding"], 0),
               dilation=(p["dilation"], 1))
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    problem = (f"input has {c} channels, weights expect {cg} x {groups} groups"
               if c != cg * groups else f"{f} filters do not split into {groups} groups"
               if f % groups else f"empty kernel {(kh, kw)}" if kh < 1 or kw < 1 else None)
    if problem:
        raise Unconvertible(f"ValueError: {fn}: {problem}", b.where)
    bias = p["b"]
    if bias is not None:
        bias = _array(b, bias, fn, "a bias")
        if bias.shape != (f,):
            raise Unconvertible(f"ValueError: {fn}: bias of shape {bias.shape}, expected ({f},)",
                                b.where)
    _window_fits(b, fn, (h, wd), a["padding"], (kh, kw), a["stride"], a["dilation"])
    if np.result_type(x.dtype, w.dtype) == np.bool_:
        raise Unconvertible("nn.conv2d of bool arrays is not converted", b.where)
    out = b.emit("conv2d", [x, w], strides=a["stride"], padding=a["padding"],
                 dilations=a["dilation"], groups=int(groups))
    if bias is not None:
        out = apply(b, "add", [out, reshape_to(b, bias, (f, 1, 1))], operator.add)
    return out


def _pool(kind: str) -> Handler:
    fn = f"{kind}_pool2d"

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = bind(b, f"nn.{fn}", args, kwargs, ("x", "kernel", "stride", "padding"),
                 {"stride": None, "padding": 0})
        x = _array(b, p["x"], fn, "an input")
        _check_nchw(b, x, fn)
        k = _pairs(b, fn, kernel=(p["kernel"], 1))["kernel"]
        stride = static(b, p["stride"], "a stride")
        s = k if stride is None else _pairs(b, fn, stride=(stride, 1))["stride"]
        pad = _pairs(b, fn, padding=(p["padding"], 0))["padding"]
        if pad[0] > k[0] // 2 or pad[1] > k[1] // 2:
            raise Unconvertible(f"ValueError: {fn}: padding {pad} must be at most half the "
                                f"kernel {k}", b.where)
        _window_fits(b, fn, x.shape[2:], pad, k, s, (1, 1))
        return b.emit(fn, [x], kernel=k, strides=s, padding=pad)

    handler.__name__ = fn
    return handler


FUNCTIONS: dict[Any, Handler] = {nn.conv2d: conv2d, nn.max_pool2d: _pool("max"),
                                 nn.avg_pool2d: _pool("avg")}

# ndarray methods of this family (none).
METHODS: dict[str, Handler] = {}
