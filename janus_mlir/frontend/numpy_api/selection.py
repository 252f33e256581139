"""Selection: where, select, clip, take."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compaction
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply, cast_weak
from ..values import ARRAY, Tensor, is_tensor, retyped
from .outputs import out_array, write_into
from .args import Handler, as_array, axes_arg, bind, scalar_if_0d, static
from .creation import copy_array
from .shapes import index_first, reshape_to


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


def _cases(b: GraphBuilder, v: Any, what: str) -> list[Any]:
    """The entries of select's condlist or choicelist (an array is the list of its rows)."""
    if is_tensor(v):
        if v.ndim == 0:
            raise Unconvertible(f"TypeError: len() of unsized object ({what})", b.where)
        return [index_first(b, v, i) for i in range(v.shape[0])]
    if not isinstance(v, (list, tuple)):
        raise Unconvertible(f"numpy.select with a {type(v).__name__} {what} is not converted",
                            b.where)
    return list(v)


def _promoted(b: GraphBuilder, v: Any) -> Any:
    """What select passes to result_type: Python int and float weakly, the rest as arrays."""
    if is_tensor(v) and v.weak and v.py_type in (int, float):
        return v.py_type(0)
    return v if type(v) in (int, float) else as_array(b, v).dtype


def select(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.select(condlist, choicelist, default) in NumPy's steps: the result dtype from the
    choices and the default (Python numbers weakly), every condition boolean, then each choice
    written where its condition holds over the default, the last first, so the first true
    condition wins. The writes are nested wheres, whose shape is the broadcast of every
    condition and choice, as NumPy's result is. Choices are cast as NumPy's copyto casts them
    (a Python int beyond an int8 result wraps)."""
    p = bind(b, "numpy.select", args, kwargs, ("condlist", "choicelist", "default"),
             {"default": 0})
    conds = _cases(b, p["condlist"], "condlist")
    values = _cases(b, p["choicelist"], "choicelist")
    if len(conds) != len(values):
        raise Unconvertible("ValueError: list of cases must be same length as list of "
                            "conditions", b.where)
    if not conds:
        raise Unconvertible("ValueError: select with an empty condition list is not possible",
                            b.where)
    values.append(p["default"])
    dtype = np.result_type(*[_promoted(b, v) for v in values])
    choices = [as_array(b, v) for v in values]
    masks = [as_array(b, c) for c in conds]
    for i, c in enumerate(masks):
        if c.dtype != np.bool_:
            raise Unconvertible(f"TypeError: invalid entry {i} in condlist: should be boolean "
                                "ndarray", b.where)
    choices = [t if t.dtype == dtype else b.emit("astype", [t], dtype=dtype) for t in choices]
    out = choices[-1]
    for cond, choice in zip(masks[::-1], choices[-2::-1]):
        out = b.emit("where", [cond, choice, out])
    return retyped(out, ARRAY)


def clip(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.clip as maximum then minimum (NumPy's order: a_min > a_max gives a_max), the bound
    first: maximum and minimum give their second operand on a tie, and clip gives `a` there
    (np.clip(-0.0, 0.0, 1.0) is -0.0); with no bound at all a copy. `min=`/`max=` are NumPy 2's
    spellings of a_min/a_max."""
    for new, old in (("min", "a_min"), ("max", "a_max")):
        if new in kwargs:
            if kwargs.get(old) is not None:
                raise Unconvertible(f"Passed more than one argument for {old}", b.where)
            kwargs = {**{k: v for k, v in kwargs.items() if k != new}, old: kwargs[new]}
    p = bind(b, "numpy.clip", args, kwargs, ("a", "a_min", "a_max", "out"),
             {"a_min": None, "a_max": None, "out": None}, out=True)
    out = as_array(b, p["a"])
    if p["a_min"] is None and p["a_max"] is None:
        out = copy_array(b, out)
    if p["a_min"] is not None:
        out = apply(b, "maximum", [_int_bound(out, p["a_min"]), out])
    if p["a_max"] is not None:
        out = apply(b, "minimum", [_int_bound(out, p["a_max"]), out])
    target = out_array(b, p["out"], "numpy.clip")
    return scalar_if_0d(out) if target is None else write_into(b, target, out, "numpy.clip")


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


FUNCTIONS: dict[Any, Handler] = {np.where: where, np.select: select, np.clip: clip,
                                 np.take: take}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
