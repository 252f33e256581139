"""Selection: where, clip, take."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compaction
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply, cast_weak
from ..values import Tensor, is_tensor
from .args import Handler, as_array, axes_arg, bind, scalar_if_0d, static
from .creation import copy_array
from .shapes import reshape_to


def where(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) == 1 and not kwargs:
        return compaction.where_one(b, args[0])
    if len(args) != 3 or kwargs:
        raise Unconvertible("numpy.where takes a condition, or a condition, x and y",
                            b.where)
    cond, x, y = args
    cond = as_array(b, cond)
    if cond.dtype != np.bool_:
        cond = b.emit("astype", [cond], dtype=np.dtype(np.bool_))
    # x and y promote like a ufunc's operands (Python scalars weakly).
    loop = np.result_type(*[v.dtype if is_tensor(v) and not v.weak else
                            (v.py_type(0) if is_tensor(v) else v) for v in (x, y)])
    xs = [v if is_tensor(v) and not v.weak else cast_weak(b, v, loop) for v in (x, y)]
    return b.emit("where", [cond, *xs])


def clip(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.clip as maximum then minimum (NumPy's order: a_min > a_max gives a_max); with no
    bound at all a copy. `min=`/`max=` are NumPy 2's spellings of a_min/a_max."""
    for new, old in (("min", "a_min"), ("max", "a_max")):
        if new in kwargs:
            if kwargs.get(old) is not None:
                raise Unconvertible(f"Passed more than one argument for {old}", b.where)
            kwargs = {**{k: v for k, v in kwargs.items() if k != new}, old: kwargs[new]}
    p = bind(b, "numpy.clip", args, kwargs, ("a", "a_min", "a_max", "out"),
             {"a_min": None, "a_max": None, "out": None})
    out = as_array(b, p["a"])
    if p["a_min"] is None and p["a_max"] is None:
        return scalar_if_0d(copy_array(b, out))
    if p["a_min"] is not None:
        out = apply(b, "maximum", [out, _int_bound(out, p["a_min"])])
    if p["a_max"] is not None:
        out = apply(b, "minimum", [out, _int_bound(out, p["a_max"])])
    return scalar_if_0d(out)


def _int_bound(a: Tensor, bound: Any) -> Any:
    """NumPy's clip takes a Python int bound beyond an integer array's range as that range's
    end (`np.clip(int8_array, 0, 300)` stays int8) instead of raising OverflowError."""
    if type(bound) is not int or a.dtype.kind not in "iu":
        return bound
    info = np.iinfo(a.dtype)
    return min(max(bound, int(info.min)), int(info.max))


def take(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    from ..indexing import take_along  # indexing builds on these handlers

    p = bind(b, "numpy.take", args, kwargs, ("a", "indices", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    axis = static(b, p["axis"], "an axis")
    if axis is None:
        a, axis = reshape_to(b, a, (a.spec.size,)), 0
    return scalar_if_0d(take_along(b, a, p["indices"], axes_arg(b, axis, a.ndim)[0]))


FUNCTIONS: dict[Any, Handler] = {np.where: where, np.clip: clip, np.take: take}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
