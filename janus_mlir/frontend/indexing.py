"""Array subscripts: basic slicing, integer indexing, newaxis, Ellipsis, and one integer-array or
run-time-integer index (numpy.take along that axis, bounds guarded in the graph)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dialects.types import is_int
from .builder import GraphBuilder
from .errors import Unconvertible
from .numpy_api import as_array, static
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_tensor, retyped


def subscript(b: GraphBuilder, a: Tensor, key: Any) -> Tensor:
    if a.kind == PY_SCALAR:
        raise Unconvertible(f"TypeError: '{a.py_type.__name__}' object is not subscriptable",
                            b.where)
    items = list(key) if isinstance(key, tuple) else [key]
    # NumPy hands out a NumPy scalar only when every index is an integer (a 0-d integer array
    # counts) and they select one element: `x[()]` of a 0-d array, not `x[0, ...]`.
    scalar = all(x is not None and x is not Ellipsis and not isinstance(x, slice) and
                 (not is_tensor(x) or x.ndim == 0) for x in items)
    items = _expand_ellipsis(b, items, a.ndim)
    starts, sizes, steps = [], [], []
    out_shape: list[int] = []  # shape after slicing, before dropping/adding dims
    final: list[Any] = []  # per output position: a size, or "new" for newaxis
    dynamic: list[tuple[int, Any]] = []  # (axis in the sliced array, run-time index)
    dim = 0
    for item in items:
        if item is None:
            final.append("new")
            continue
        n = a.shape[dim]
        if isinstance(item, slice):
            start, stop, step = (static(b, x, "a slice bound") for x in
                                 (item.start, item.stop, item.step))
            if step == 0:
                raise Unconvertible("slice step cannot be zero", b.where)
            start, stop, step = slice(start, stop, step).indices(n)
            count = len(range(start, stop, step))
            starts.append(start if count else 0)
            sizes.append(count)
            steps.append(step if count else 1)
            out_shape.append(count)
            final.append(count)
        elif is_tensor(item):
            if not is_int(item.dtype) and item.dtype != np.bool_:
                raise Unconvertible("arrays used as indices must be of integer type", b.where)
            if item.dtype == np.bool_:
                raise Unconvertible("boolean mask indexing gives data-dependent shapes", b.where)
            starts.append(0)
            sizes.append(n)
            steps.append(1)
            out_shape.append(n)
            dynamic.append((len(out_shape) - 1, item))
            final.append(("take", len(out_shape) - 1))
        else:
            i = static(b, item, "an index")
            if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
                raise Unconvertible(f"only integers, slices, None and Ellipsis are valid "
                                    f"indices, got {type(i).__name__}", b.where)
            if not -n <= i < n:
                raise Unconvertible(f"index {i} is out of bounds for axis {dim} with size {n}",
                                    b.where)
            starts.append(int(i) % n)
            sizes.append(1)
            steps.append(1)
            out_shape.append(1)
        dim += 1
    for rest in range(dim, a.ndim):
        starts.append(0)
        sizes.append(a.shape[rest])
        steps.append(1)
        out_shape.append(a.shape[rest])
        final.append(a.shape[rest])
    if len(dynamic) > 1:
        raise Unconvertible("more than one array or run-time index in one subscript",
                            b.where)
    out = a
    if tuple(sizes) != a.shape or any(s != 0 for s in starts) or any(s != 1 for s in steps):
        out = b.emit("slice", [a], starts=tuple(starts), sizes=tuple(sizes), steps=tuple(steps))
    if dynamic:
        out = _with_take(b, out, dynamic[0], final)
    else:
        shape = tuple(1 if f == "new" else f for f in final)
        if shape != out.shape or out is a:
            out = b.emit("reshape", [out], shape=shape)
    return retyped(out, NP_SCALAR) if out.ndim == 0 and scalar else out


def _with_take(b: GraphBuilder, sliced: Tensor, dyn: tuple[int, Any], final: list[Any]) -> Tensor:
    axis, index = dyn
    taken = take_along(b, sliced, index, axis)
    # The take put index.shape where `axis` was; keep the other dims, add newaxes.
    shape: list[int] = []
    for f in final:
        if f == "new":
            shape.append(1)
        elif isinstance(f, tuple):
            shape.extend(index.shape)
        else:
            shape.append(f)
    return b.emit("reshape", [taken], shape=tuple(shape)) if tuple(shape) != taken.shape else taken


def take_along(b: GraphBuilder, a: Tensor, indices: Any, axis: int) -> Tensor:
    """numpy.take(a, indices, axis) with the IndexError NumPy raises kept as an in-graph guard."""
    idx = as_array(b, indices)
    if not is_int(idx.dtype):
        raise Unconvertible("indices must be integers", b.where)
    n = a.shape[axis]
    if not is_tensor(indices):
        values = np.asarray(indices)
        if values.size and not ((values >= -n) & (values < n)).all():
            raise Unconvertible(f"index out of bounds for axis {axis} with size {n}", b.where)
    else:
        ok = b.emit("in_bounds", [idx], size=n)
        b.guard(ok, "bounds", f"every index is within [-{n}, {n}) for axis {axis} "
                "(NumPy raises IndexError otherwise)")
    out = b.emit("take", [a, idx], axis=axis)
    out.kind = ARRAY
    return out


def _expand_ellipsis(b: GraphBuilder, items: list[Any], ndim: int) -> list[Any]:
    n_ell = sum(1 for x in items if x is Ellipsis)
    if n_ell > 1:
        raise Unconvertible("an index can only have a single ellipsis ('...')", b.where)
    used = sum(1 for x in items if x is not None and x is not Ellipsis)
    if used > ndim:
        raise Unconvertible(f"too many indices for array: array is {ndim}-dimensional, but "
                            f"{used} were indexed", b.where)
    if n_ell:
        i = items.index(Ellipsis)
        items = items[:i] + [slice(None)] * (ndim - used) + items[i + 1:]
    return items
