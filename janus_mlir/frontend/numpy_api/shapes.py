"""Shape ops: reshape, transpose, broadcast_to, expand_dims, squeeze, concatenate, stack."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..values import ARRAY, NP_SCALAR, Tensor, is_tensor
from .args import (Handler, as_array, axes_arg, bind, like_input, no_extra, shape_arg, static,
    static_int)


def reshape_to(b: GraphBuilder, a: Tensor, shape: tuple[int, ...]) -> Tensor:
    if any(d < -1 for d in shape):
        raise Unconvertible(f"negative dimensions not allowed: {shape}", b.where)
    if sum(1 for d in shape if d == -1) > 1:
        raise Unconvertible("can only specify one unknown dimension", b.where)
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1]))
        if known == 0 or a.spec.size % known:
            raise Unconvertible(f"cannot reshape array of size {a.spec.size} into shape {shape}",
                                b.where)
        shape = tuple(a.spec.size // known if d == -1 else d for d in shape)
    if int(np.prod(shape)) != a.spec.size:
        raise Unconvertible(f"cannot reshape array of size {a.spec.size} into shape {shape}",
                            b.where)
    return b.emit("reshape", [a], shape=shape)


def reshape(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.reshape", args, kwargs, ("a", "shape", "order"), {"order": "C"})
    if static(b, p["order"], "order") != "C":
        raise Unconvertible("reshape with order other than 'C' is not converted", b.where)
    a = as_array(b, p["a"])
    return like_input(a, reshape_to(b, a, shape_arg(b, p["shape"])))


def transpose(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.transpose", args, kwargs, ("a", "axes"), {"axes": None})
    a = as_array(b, p["a"])
    axes = static(b, p["axes"], "axes")
    perm = tuple(reversed(range(a.ndim))) if axes is None else tuple(
        static_int(b, x, "an axis") for x in axes)
    if any(not -a.ndim <= x < a.ndim for x in perm):
        raise Unconvertible(f"axis out of bounds for array of dimension {a.ndim}", b.where)
    perm = tuple(x % a.ndim for x in perm)
    if sorted(perm) != list(range(a.ndim)):
        raise Unconvertible("axes don't match array", b.where)
    return like_input(a, b.emit("transpose", [a], perm=perm))


def broadcast_to(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.broadcast_to", args, kwargs, ("array", "shape", "subok"), {"subok": False})
    return b.emit("broadcast_to", [as_array(b, p["array"])], shape=shape_arg(b, p["shape"]))


def expand_dims(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.expand_dims", args, kwargs, ("a", "axis"), {})
    a = as_array(b, p["a"])
    axis = static(b, p["axis"], "an axis")
    n = len(axis) if isinstance(axis, (tuple, list)) else 1
    return b.emit("expand_dims", [a], axes=axes_arg(b, axis, a.ndim + n))


def squeeze(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.squeeze; with nothing to squeeze NumPy returns the array itself."""
    p = bind(b, "numpy.squeeze", args, kwargs, ("a", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    if p["axis"] is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        axes = axes_arg(b, p["axis"], a.ndim)
        if any(a.shape[i] != 1 for i in axes):
            raise Unconvertible("cannot select an axis to squeeze out which has size not "
                                "equal to one", b.where)
    if not axes:
        return a
    return like_input(a, b.emit("squeeze", [a], axes=axes))


def _sequence(b: GraphBuilder, seq: Any, fn: str) -> list[Tensor]:
    if is_tensor(seq):
        return [index_first(b, seq, i) for i in range(seq.shape[0])]
    if not isinstance(seq, (list, tuple)) or not seq:
        raise Unconvertible(f"{fn} needs a non-empty list or tuple of arrays", b.where)
    return [as_array(b, x) for x in seq]


def index_first(b: GraphBuilder, a: Tensor, i: int) -> Tensor:
    """a[i] for a constant i (a view NumPy would hand out: rank one less)."""
    if a.ndim == 0:
        raise Unconvertible("iteration over a 0-d array", b.where)
    starts = (i, *[0] * (a.ndim - 1))
    sizes = (1, *a.shape[1:])
    part = b.emit("slice", [a], starts=starts, sizes=sizes, steps=(1,) * a.ndim)
    out = b.emit("reshape", [part], shape=a.shape[1:])
    out.kind = NP_SCALAR if out.ndim == 0 else ARRAY
    return out


def concatenate(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.concatenate", args, kwargs, ("arrays", "axis", "out", "dtype"),
              {"axis": 0, "out": None, "dtype": None})
    no_extra(b, {"out": p["out"], "dtype": p["dtype"]}, (), "numpy.concatenate")
    parts = _sequence(b, p["arrays"], "numpy.concatenate")
    axis = static(b, p["axis"], "an axis")
    if axis is None:
        parts = [reshape_to(b, t, (t.spec.size,)) for t in parts]
        axis = 0
    if any(t.ndim == 0 for t in parts):
        raise Unconvertible("zero-dimensional arrays cannot be concatenated", b.where)
    return b.emit("concatenate", parts, axis=axes_arg(b, axis, parts[0].ndim)[0])


def stack(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.stack", args, kwargs, ("arrays", "axis", "out", "dtype"),
              {"axis": 0, "out": None, "dtype": None})
    no_extra(b, {"out": p["out"], "dtype": p["dtype"]}, (), "numpy.stack")
    parts = _sequence(b, p["arrays"], "numpy.stack")
    return b.emit("stack", parts, axis=axes_arg(b, p["axis"], parts[0].ndim + 1)[0])


FUNCTIONS: dict[Any, Handler] = {
    np.reshape: reshape, np.transpose: transpose, np.broadcast_to: broadcast_to,
    np.expand_dims: expand_dims, np.squeeze: squeeze, np.concatenate: concatenate,
    np.stack: stack,
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
