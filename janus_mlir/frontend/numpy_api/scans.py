"""Scans and differences: cumsum, cumprod, NumPy 2.1's cumulative_sum and cumulative_prod, diff.

cumsum and cumprod are `add.accumulate` and `multiply.accumulate` (bools and ints narrower than
int64 accumulate in int64, uint8..uint32 in uint64); cumulative_sum/prod are NumPy's
`_cumulative_func`: the same accumulate on `atleast_1d(x)`, an axis required beyond 1-d, and
with include_initial the ufunc's identity first along the axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply
from ..values import ARRAY, Tensor, is_tensor
from .args import Handler, as_array, axes_arg, bind, dtype_arg, static, static_int
from .shapes import at_least

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


def one_axis(b: GraphBuilder, axis: Any, ndim: int, fn: str) -> int:
    """The axis of an accumulate: an int, or a tuple of one (normalized)."""
    axis = static(b, axis, "an axis")
    if isinstance(axis, (tuple, list)):
        if len(axis) != 1:
            raise Unconvertible(f"ValueError: {fn}: accumulate does not allow multiple axes",
                                b.where)
        (axis,) = axis
    return axes_arg(b, static_int(b, axis, "an axis"), ndim)[0]


def _cumulative(op: str) -> Handler:
    fn = "numpy.cumulative_" + ("sum" if op == "cumsum" else "prod")
    identity = 0 if op == "cumsum" else 1
    scan = _scan(op)

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        if len(args) != 1:
            raise Unconvertible(f"TypeError: {fn}() takes 1 positional argument but "
                                f"{len(args)} were given", b.where)
        p = bind(b, fn, [], kwargs, ("axis", "dtype", "out", "include_initial"),
                 {"axis": None, "dtype": None, "out": None, "include_initial": False})
        x = at_least(b, as_array(b, args[0]), 1)
        if p["axis"] is None and x.ndim >= 2:
            raise Unconvertible("ValueError: For arrays which have more than one dimension "
                                "``axis`` argument is required.", b.where)
        axis = 0 if p["axis"] is None else one_axis(b, p["axis"], x.ndim, fn)
        res = scan(b, [x], {"axis": axis, "dtype": p["dtype"]})
        if not static(b, p["include_initial"], "include_initial"):
            return res
        shape = list(res.shape)
        shape[axis] = 1
        first = b.emit("full", [], shape=tuple(shape), dtype=res.dtype, value=identity)
        return b.emit("concatenate", [first, res], axis=axis)

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
if hasattr(np, "cumulative_sum"):  # NumPy 2.1
    FUNCTIONS.update({np.cumulative_sum: _cumulative("cumsum"),
                      np.cumulative_prod: _cumulative("cumprod")})

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {"cumsum": _scan("cumsum"), "cumprod": _scan("cumprod")}
