"""Scans and differences: cumsum, cumprod, diff."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply
from ..values import ARRAY, Tensor, is_tensor
from .args import Handler, as_array, axes_arg, bind, dtype_arg, static, static_int

_NO_VALUE = object()


def _scan(op: str) -> Handler:
    """numpy.cumsum / cumprod (and the methods): axis=None scans the flattened array; dtype=
    casts the elements and accumulates in it."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = bind(b, f"numpy.{op}", args, kwargs, ("a", "axis", "dtype", "out"),
                 {"axis": None, "dtype": None, "out": None})
        a = as_array(b, p["a"])
        dt = dtype_arg(b, p["dtype"])
        axis = static(b, p["axis"], "an axis")
        if isinstance(axis, (tuple, list)):
            raise Unconvertible(f"TypeError: numpy.{op} takes one axis", b.where)
        if axis is None or a.ndim == 0:  # a 0-d array scans as a 1-element 1-d one
            if axis is not None:
                axes_arg(b, axis, 1)
            a = b.emit("reshape", [a], copy=True, shape=(a.spec.size,))
            axis = 0
        (axis,) = axes_arg(b, axis, a.ndim)
        attrs: dict[str, Any] = {"axis": axis}
        if dt is not None:
            attrs["dtype"] = dt
        return b.emit(op, [a], **attrs)

    return handler


def slice_axis(b: GraphBuilder, a: Tensor, axis: int, start: int, size: int) -> Tensor:
    """a[..., start:start + size, ...] along `axis`, as a new array."""
    starts = [0] * a.ndim
    sizes = list(a.shape)
    starts[axis], sizes[axis] = (start if size else 0), size
    return b.emit("slice", [a], copy=True, starts=tuple(starts), sizes=tuple(sizes),
                  steps=(1,) * a.ndim)


def diff(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.diff(a, n, axis, prepend, append): n rounds of a[1:] - a[:-1] along the axis
    (not_equal for bools), after concatenating prepend/append (scalars broadcast to one slice)."""
    p = bind(b, "numpy.diff", args, kwargs, ("a", "n", "axis", "prepend", "append"),
             {"n": 1, "axis": -1, "prepend": _NO_VALUE, "append": _NO_VALUE})
    n = static_int(b, p["n"], "n")
    if n < 0:
        raise Unconvertible(f"ValueError: order must be non-negative but got {n}", b.where)
    if n == 0:
        if is_tensor(p["a"]) and p["a"].kind == ARRAY:
            return p["a"]  # NumPy hands back the array itself
        raise Unconvertible("numpy.diff(n=0) of a non-array returns a new array: not converted",
                            b.where)
    a = as_array(b, p["a"])
    if a.ndim == 0:
        raise Unconvertible("ValueError: diff requires input that is at least one dimensional",
                            b.where)
    (axis,) = axes_arg(b, static_int(b, p["axis"], "an axis"), a.ndim)
    parts = []
    for key in ("prepend", "append"):
        if p[key] is _NO_VALUE:
            continue
        v = as_array(b, p[key])
        if v.ndim == 0:
            shape = list(a.shape)
            shape[axis] = 1
            v = b.emit("broadcast_to", [v], copy=True, shape=tuple(shape))
        parts.append((key, v))
    if parts:
        pre = [v for k, v in parts if k == "prepend"]
        post = [v for k, v in parts if k == "append"]
        a = b.emit("concatenate", [*pre, a, *post], axis=axis)
    op = "not_equal" if a.dtype == np.bool_ else "subtract"
    for _ in range(n):
        length = max(a.shape[axis] - 1, 0)
        a = apply(b, op, [slice_axis(b, a, axis, 1, length), slice_axis(b, a, axis, 0, length)])
    return a


FUNCTIONS: dict[Any, Handler] = {np.cumsum: _scan("cumsum"), np.cumprod: _scan("cumprod"),
                                 np.diff: diff}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {"cumsum": _scan("cumsum"), "cumprod": _scan("cumprod")}
