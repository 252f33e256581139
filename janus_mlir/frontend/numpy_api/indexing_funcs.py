"""Index functions: take_along_axis, put_along_axis, the unbuffered scatters `np.add.at`,
`np.subtract.at`, `np.maximum.at`, `np.minimum.at`, and the functions whose result size depends
on the data (nonzero, argwhere, flatnonzero: frontend/compaction.py).

Every index function is NumPy's own definition in terms of advanced indexing: take_along_axis is
`arr[fancy]` with `fancy` the aranges of the other axes plus the indices, `ufunc.at(a, idx, b)`
applies the ufunc once per index in order (duplicates accumulate). The writes go through the
heap model, so they are converted for arrays the graph created and refused, with the reason, for
arrays the caller can see.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compaction, heap
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import cast_weak, loop_dtypes
from ..values import ARRAY, Tensor, is_tensor
from .args import Handler, as_array, bind, static

# ufunc.at: the scatter mode of each ufunc, and whether the updates are negated first
# (a - b is a + (-b) exactly, in IEEE floats and in wrapping ints).
_AT_MODES = {np.add: ("add", False), np.subtract: ("add", True), np.maximum: ("max", False),
             np.minimum: ("min", False)}


def _fancy(b: GraphBuilder, arr: Tensor, indices: Any, axis: int, fn: str) -> list[Any]:
    """NumPy's _make_along_axis_idx: aranges shaped to broadcast along every other axis."""
    idx = as_array(b, indices) if not isinstance(indices, np.ndarray) else indices
    if idx.dtype.kind not in "iu":
        raise Unconvertible(f"IndexError: `indices` must be an integer array ({fn})", b.where)
    if idx.ndim != arr.ndim:
        raise Unconvertible("ValueError: `indices` and `arr` must have the same number of "
                            "dimensions", b.where)
    items: list[Any] = []
    for d, n in enumerate(arr.shape):
        if d == axis:
            items.append(idx)
        else:
            shape = [1] * arr.ndim
            shape[d] = n
            items.append(np.arange(n, dtype=np.int64).reshape(shape))
    return items


def _along_axis(b: GraphBuilder, p: dict[str, Any], fn: str) -> tuple[Tensor, list[Any]]:
    arr = as_array(b, p["arr"])
    axis = static(b, p["axis"], "an axis")
    if axis is None:
        if arr.ndim != 1:
            arr = b.emit("reshape", [arr], copy=True, shape=(arr.spec.size,))
        axis = 0
    elif isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise Unconvertible(f"{fn}: axis must be an integer or None", b.where)
    if not -arr.ndim <= axis < max(arr.ndim, 1) or arr.ndim == 0:
        raise Unconvertible(f"AxisError: axis {axis} is out of bounds for array of dimension "
                            f"{arr.ndim}", b.where)
    return arr, _fancy(b, arr, p["indices"], int(axis) % arr.ndim, fn)


def take_along_axis(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.take_along_axis", args, kwargs, ("arr", "indices", "axis"),
             {"axis": -1})
    from ..indexing import advanced_plan  # subscripts build on the numpy_api helpers

    arr, items = _along_axis(b, p, "numpy.take_along_axis")
    plan = advanced_plan(b, arr, items)
    out = b.emit("gather", [arr, *plan["indices"]], axes=plan["axes"],
                 position=plan["position"])
    out.kind = ARRAY
    return out


def put_along_axis(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> None:
    """numpy.put_along_axis: `arr[fancy] = values` in place (the last of duplicates wins)."""
    from ..setitem import scatter_write  # item assignment builds on the index functions

    p = bind(b, "numpy.put_along_axis", args, kwargs, ("arr", "indices", "values", "axis"), {})
    if not is_tensor(p["arr"]):
        raise Unconvertible("numpy.put_along_axis writes into its argument: only arrays are "
                            "converted", b.where)
    if static(b, p["axis"], "an axis") is None and p["arr"].ndim != 1:
        raise Unconvertible("numpy.put_along_axis(axis=None) writes through a flattened copy "
                            "of a multi-dimensional array: not converted", b.where)
    arr, items = _along_axis(b, p, "numpy.put_along_axis")
    values = p["values"]
    scatter_write(b, arr, items, lambda current: values)
    return None


def _at(ufunc: np.ufunc) -> Handler:
    mode, negate = _AT_MODES[ufunc]
    name = f"numpy.{ufunc.__name__}.at"

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> None:
        from ..indexing import _classify, _expand_ellipsis, advanced_plan, sliced_for
        from ..setitem import writable

        p = bind(b, name, args, kwargs, ("a", "indices", "b"), {})
        a = p["a"]
        if not is_tensor(a) or a.kind != ARRAY:
            raise Unconvertible(f"{name} writes into its first argument: only arrays are "
                                "converted", b.where)
        writable(b, a)
        key = p["indices"]
        items = [_classify(b, x) for x in (key if isinstance(key, tuple) else [key])]
        if not any(is_tensor(x) or isinstance(x, np.ndarray) for x in items):
            raise Unconvertible(f"{name} with only basic (slice or integer) indices is not "
                                "converted", b.where)
        items = _expand_ellipsis(b, items, a.ndim)
        plan = advanced_plan(b, a, items)
        updates = _at_updates(b, ufunc, a, p["b"], plan["gathered"], name)
        if negate:
            updates = b.emit("negative", [updates])
        target = sliced_for(b, a, plan, copy=False)
        new = b.emit("scatter", [target, updates, *plan["indices"]], axes=plan["axes"],
                     position=plan["position"], mode=mode)
        heap.write(b, target, new)
        return None

    return handler


def _at_updates(b: GraphBuilder, ufunc: np.ufunc, a: Tensor, value: Any,
                shape: tuple[int, ...], name: str) -> Tensor:
    """The updates of ufunc.at in a's dtype, broadcast to the indexed elements' shape. Only
    loops computing in a's own dtype are converted (others round differently when cast back)."""
    loop = loop_dtypes(b, ufunc, [a, value])
    if not all(np.dtype(d) == a.dtype for d in (loop[0], loop[-1])):
        raise Unconvertible(f"{name} computing in {np.dtype(loop[-1]).name} on a {a.dtype} "
                            "array is not converted", b.where)
    if is_tensor(value) and not value.weak:
        v = value if value.dtype == a.dtype else b.emit("astype", [value], dtype=a.dtype)
    elif is_tensor(value) or type(value) in (int, float, bool):
        v = cast_weak(b, value, a.dtype)
    else:
        v = as_array(b, value)
        v = v if v.dtype == a.dtype else b.emit("astype", [v], dtype=a.dtype)
    if v.shape != shape:
        try:
            joint = np.broadcast_shapes(v.shape, shape)
        except ValueError:
            joint = None
        if joint != tuple(shape):
            raise Unconvertible(f"ValueError: array of shape {v.shape} could not be broadcast "
                                f"to the indexed shape {shape}", b.where)
        v = b.emit("broadcast_to", [v], copy=True, shape=tuple(shape))
    return v


FUNCTIONS: dict[Any, Handler] = {
    np.take_along_axis: take_along_axis, np.put_along_axis: put_along_axis,
    np.nonzero: compaction.nonzero, np.argwhere: compaction.argwhere,
    np.flatnonzero: compaction.flatnonzero,
    **{u.at: _at(u) for u in _AT_MODES},
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {"nonzero": compaction.nonzero}
