"""`a[key] = value` and `a[key] op= value` on arrays the graph created, through the heap model.

Basic indices (integers, slices, None, Ellipsis) select a view of `a`; the value is cast and
broadcast to that view's shape and written through it (heap.write), so every alias of `a` sees
it. Advanced indices, writes to arrays the caller can see, and casts whose NumPy behaviour
depends on run-time values (a float into an integer array) are not converted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import heap
from .indexing import subscript as index_array
from .operators import BINOPS, apply, cast_weak, lift
from .values import ARRAY, Tensor, is_py_scalar, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


def view_for(cv: FunctionConverter, base: Tensor, key: Any) -> Tensor:
    """The view `base[key]` selects (a basic index), for writing through."""
    target = index_array(cv.b, base, key)
    root = heap.roots_of(base)
    if target is base:
        return base
    if target.view is None and target.kind != ARRAY:  # one element: a NumPy scalar copy
        target = index_array(cv.b, base, _unit_slices(key))
    if target.view is None or target.view.root is not root:
        raise cv.fail("item assignment with an advanced (array) index is not converted yet")
    return target


def _unit_slices(key: Any) -> tuple[Any, ...]:
    """`a[i, j]` as the 1x1 view `a[i:i+1, j:j+1]` (the element written through)."""
    items = key if isinstance(key, tuple) else (key,)
    out = []
    for k in items:
        if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
            k = int(k)
            out.append(slice(k, k + 1 if k != -1 else None))
        else:
            out.append(k)
    return tuple(out)


def setitem(cv: FunctionConverter, base: Tensor, key: Any, value: Any) -> None:
    target = view_for(cv, base, key)
    heap.write(cv.b, target, _fitted(cv, value, target))


def aug_setitem(cv: FunctionConverter, base: Tensor, key: Any, op: type, rhs_node: Any) -> None:
    target = view_for(cv, base, key)
    rhs = cv.visit(rhs_node)
    op_name, _ = BINOPS[op]
    current = _as_array_view(target)
    new = apply(cv.b, op_name, [current, rhs])
    if is_tensor(new) and new.dtype != target.dtype and not np.can_cast(
            new.dtype, target.dtype, casting="same_kind"):
        raise cv.fail(f"Cannot cast ufunc '{op_name}' output from {new.dtype} to "
                      f"{target.dtype} with casting rule 'same_kind'")
    heap.write(cv.b, target, _fitted(cv, new, target))


def _as_array_view(t: Tensor) -> Tensor:
    """The written element(s) as an array operand (an int-indexed element is a 0-d view)."""
    if t.kind == ARRAY:
        return t
    out = Tensor(t.value, t.spec, ARRAY)
    return out


def _fitted(cv: FunctionConverter, value: Any, target: Tensor) -> Tensor:
    """`value` as NumPy's setitem would store it into `target`: cast, then broadcast."""
    b, dtype = cv.b, target.dtype
    if is_py_scalar(value) or (is_tensor(value) and value.weak):
        if dtype.kind in "iub" and (isinstance(value, float) or (
                is_tensor(value) and value.dtype.kind == "f")):
            raise cv.fail("storing a Python float into an integer array is not converted "
                          "(NumPy raises for NaN and inf)")
        if is_tensor(value) and dtype.kind in "iu" and dtype != value.dtype:
            raise cv.fail("storing a run-time Python int into a narrower integer array is not "
                          "converted (NumPy raises OverflowError when it does not fit)")
        value = cast_weak(b, value, dtype)
    elif not is_tensor(value):
        if isinstance(value, (np.generic, np.ndarray)):
            value = lift(b, value)
        else:
            raise cv.fail(f"storing a {type(value).__name__} into an array is not converted")
    if value.dtype != dtype:
        if not np.can_cast(value.dtype, dtype, casting="same_kind") or (
                value.dtype.kind == "f" and dtype.kind in "iub"):
            raise cv.fail(f"storing {value.dtype} values into a {dtype} array is not converted")
        value = b.emit("astype", [value], ARRAY, dtype=dtype)
    if value.shape != target.shape:
        try:
            shape = np.broadcast_shapes(value.shape, target.shape)
        except ValueError:
            shape = None
        if shape != target.shape:
            raise cv.fail(f"could not broadcast input array from shape {value.shape} into "
                          f"shape {target.shape}")
        value = b.emit("broadcast_to", [value], ARRAY, copy=True, shape=target.shape)
    return value
