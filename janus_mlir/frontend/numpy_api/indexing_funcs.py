"""Index functions: take_along_axis, put_along_axis, the unbuffered scatters `np.add.at`,
`np.subtract.at`, `np.maximum.at`, `np.minimum.at`, the functions whose result size depends
on the data (nonzero, argwhere, flatnonzero: frontend/compaction.py), unravel_index, and the
index helpers NumPy computes from constants (triu_indices, tril_indices, diag_indices,
indices, ix_, ravel_multi_index, and the `*_from` forms, which read only a shape).

Every index function is NumPy's own definition in terms of advanced indexing: take_along_axis is
`arr[fancy]` with `fancy` the aranges of the other axes plus the indices, `ufunc.at(a, idx, b)`
applies the ufunc once per index in order (duplicates accumulate). The writes go through the
heap model, so they are converted for arrays the graph created and refused, with the reason, for
arrays the caller can see.

The index helpers run NumPy itself now, on their constant arguments (a `*_from` array is a
stand-in of its static shape), and the graph holds the arrays as constants: new arrays on every
call, as NumPy's are, and one array where NumPy hands out one twice (diag_indices). ix_ of
integer index arrays from the graph is NumPy's reshape of each (a view of it).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import compaction, heap
from ..builder import GraphBuilder
from ..errors import NeedsStaticShape, Unconvertible
from ..operators import INT64, apply, cast_weak, guard_all, loop_dtypes
from ..values import ARRAY, Tensor, is_tensor
from .args import Handler, as_array, bind, scalar_if_0d, shape_arg, static
from .shapes import reshape_to

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


# ---------------------------------------------------------------------------------------------
# unravel_index, and the index helpers computed from constants
# ---------------------------------------------------------------------------------------------


def _holds_tensor(v: Any) -> bool:
    return is_tensor(v) or (isinstance(v, (list, tuple)) and any(_holds_tensor(x) for x in v))


def _embedded(b: GraphBuilder, value: Any, memo: dict[int, Tensor]) -> Any:
    """NumPy's result as graph constants: each ndarray once (by identity), tuples and lists
    rebuilt, scalars as they are."""
    if isinstance(value, np.ndarray):
        if id(value) not in memo:
            memo[id(value)] = b.constant(value, ARRAY)
        return memo[id(value)]
    if isinstance(value, (tuple, list)):
        return type(value)(_embedded(b, v, memo) for v in value)
    return value


def _stand_in(b: GraphBuilder, v: Any, fn: str) -> Any:
    """An array argument whose shape alone matters: zeros of its static shape (no memory)."""
    if not is_tensor(v):
        return static(b, v, f"an argument of {fn}")
    if not v.spec.static:
        raise NeedsStaticShape(f"{fn} of an array with a symbolic dim", b.where)
    return np.broadcast_to(np.zeros((), v.dtype), v.shape)


def _computed_now(helper: Any, shape_only: bool = False) -> Handler:
    """A NumPy index helper on constant arguments, computed by NumPy now (its exceptions and
    warnings make the call plain Python); `shape_only`: array arguments count by their shape."""
    fn = f"numpy.{helper.__name__}"

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if shape_only:
            args = [_stand_in(b, v, fn) for v in args]
            kwargs = {k: _stand_in(b, v, fn) for k, v in kwargs.items()}
        else:
            args = static(b, list(args), f"an argument of {fn}")
            kwargs = {k: static(b, v, f"an argument of {fn}") for k, v in kwargs.items()}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                out = helper(*args, **kwargs)
        except Exception as e:  # what NumPy raises here, the plain call raises too
            raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
        return _embedded(b, out, {})

    return handler


_ix_now, _unravel_now = _computed_now(np.ix_), _computed_now(np.unravel_index)


def ix_(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """numpy.ix_(*sequences): each 1-d integer sequence reshaped to lie along its own axis (a
    view of an array from the graph); constants all computed by NumPy now. Boolean sequences
    from the graph (nonzero: a data-dependent length) are not converted."""
    if kwargs or not _holds_tensor(args):
        return _ix_now(b, args, kwargs)
    out = []
    for k, seq in enumerate(args):
        t = as_array(b, seq)
        if t.ndim != 1:
            raise Unconvertible("ValueError: Cross index must be 1 dimensional", b.where)
        if t.dtype == np.bool_:
            raise Unconvertible("numpy.ix_ of booleans computed in the graph is not converted "
                                "(their nonzero count sets the shape)", b.where)
        if t.spec.size == 0 and not is_tensor(seq):
            t = b.constant(np.zeros(0, np.intp), ARRAY)  # NumPy: an empty list is intp
        shape = (1,) * k + (t.shape[0],) + (1,) * (len(args) - k - 1)
        out.append(reshape_to(b, t, shape))
    return tuple(out)


def unravel_index(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.unravel_index(indices, shape, order) with a constant shape: the coordinates by
    floor division and remainder, from the last dim ('C') or the first ('F'). The graph guards
    that every index lies in [0, size) (NumPy raises ValueError otherwise)."""
    p = bind(b, "numpy.unravel_index", args, kwargs, ("indices", "shape", "order"),
             {"order": "C"})
    if not _holds_tensor(p["indices"]):
        return _unravel_now(b, [], p)
    dims = shape_arg(b, p["shape"])
    order = static(b, p["order"], "order")
    if order not in ("C", "F"):
        raise Unconvertible(f"numpy.unravel_index(order={order!r}) is not converted", b.where)
    idx = as_array(b, p["indices"])
    if idx.dtype.kind not in "iub":
        raise Unconvertible("TypeError: only int indices permitted", b.where)
    if not dims and idx.ndim:
        raise Unconvertible("ValueError: multiple indices are not supported for 0d arrays",
                            b.where)
    size = math.prod(dims)
    if size <= 0:
        raise Unconvertible(f"numpy.unravel_index into shape {dims} (size {size}) is not "
                            "converted: NumPy raises for every index", b.where)
    rest = idx if idx.dtype == INT64 else b.emit("astype", [idx], dtype=INT64)
    inside = apply(b, "logical_and", [apply(b, "greater_equal", [rest, 0]),
                                      apply(b, "less", [rest, size])])
    guard_all(b, inside, "error", f"the indices of numpy.unravel_index lie in [0, {size}) "
              "(NumPy raises ValueError: index out of bounds)")
    coords: list[Tensor] = []
    for d in (reversed(dims) if order == "C" else dims):
        coords.append(scalar_if_0d(apply(b, "remainder", [rest, d])))
        rest = apply(b, "floor_divide", [rest, d])
    return tuple(coords[::-1] if order == "C" else coords)


_HELPERS = (np.triu_indices, np.tril_indices, np.diag_indices, np.indices,
            np.ravel_multi_index)
_SHAPE_HELPERS = (np.triu_indices_from, np.tril_indices_from, np.diag_indices_from)

FUNCTIONS: dict[Any, Handler] = {
    np.take_along_axis: take_along_axis, np.put_along_axis: put_along_axis,
    np.nonzero: compaction.nonzero, np.argwhere: compaction.argwhere,
    np.flatnonzero: compaction.flatnonzero,
    **{u.at: _at(u) for u in _AT_MODES},
    np.unravel_index: unravel_index, np.ix_: ix_,
    **{h: _computed_now(h) for h in _HELPERS},
    **{h: _computed_now(h, shape_only=True) for h in _SHAPE_HELPERS},
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {"nonzero": compaction.nonzero}
