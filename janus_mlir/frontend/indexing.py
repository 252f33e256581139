"""Array subscripts: basic slicing, integer indexing, newaxis and Ellipsis (a view: slice and
reshape), and advanced indexing — any number of integer arrays, Python lists of ints and
run-time integers, mixed with slices (one gather op, a copy), with NumPy's broadcasting and
placement rule and its IndexError kept as in-graph bounds guards. Boolean masks select a
data-dependent number of elements (frontend/compaction.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dialects.types import is_int
from . import heap, rows
from .builder import GraphBuilder
from .compaction import is_mask, mask_subscript
from ..ops.indexing import WHOLE
from .errors import NeedsStaticShape, Unconvertible
from .numpy_api import as_array, static
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_tensor, retyped


def subscript(b: GraphBuilder, a: Tensor, key: Any) -> Tensor:
    if a.kind == PY_SCALAR:
        raise Unconvertible(f"TypeError: '{a.py_type.__name__}' object is not subscriptable",
                            b.where)
    items = list(key) if isinstance(key, tuple) else [key]
    if any(is_mask(x) for x in items):  # a data-dependent count of elements
        return mask_subscript(b, a, items)
    if (a.ndim and type(a.shape[0]) is not int
            and (rows.is_row_key(items[0])
                 or (type(items[0]) in (int, np.int64) and not 0 <= items[0] < 2))
            and all((isinstance(x, slice) and x == slice(None)) or x is Ellipsis
                    for x in items[1:])):
        # `x[t]` on an axis whose length is known at run time only: one slice at t.
        k = items[0] if is_tensor(items[0]) else b.constant(np.int64(items[0]), PY_SCALAR)
        out = rows.row_at(b, a, k, "axis 0")
        _dynamic_view(b, a, out)
        return retyped(out, NP_SCALAR) if out.ndim == 0 else out
    # NumPy hands out a NumPy scalar only when every index is an integer (a 0-d integer array
    # counts) and they select one element: `x[()]` of a 0-d array, not `x[0, ...]`.
    scalar = all(x is not None and x is not Ellipsis and not isinstance(x, (slice, list, tuple))
                 and np.ndim(x if not is_tensor(x) else 0) == 0
                 and (not is_tensor(x) or x.ndim == 0) for x in items)
    items = [_classify(b, x) for x in items]
    items = _expand_ellipsis(b, items, a.ndim)
    if any(is_tensor(x) or isinstance(x, np.ndarray) for x in items):
        out = _advanced(b, a, items)
        if out.ndim == 0 and scalar:
            return retyped(out, NP_SCALAR)
        # Only run-time integers (not 0-d arrays, which index like arrays) make a view.
        if not any(isinstance(x, np.ndarray) or (is_tensor(x) and (x.ndim or x.kind == ARRAY))
                   for x in items):
            _dynamic_view(b, a, out)
        return out
    out = _basic(b, a, items)
    return retyped(out, NP_SCALAR) if out.ndim == 0 and scalar else out


def _dynamic_view(b: GraphBuilder, a: Tensor, out: Tensor) -> None:
    """Run-time integers with slices (`x[n]`, `x[n, 1:]`) are basic indexing: NumPy returns a
    view at an offset known only when the graph runs, which the heap model's static view steps
    cannot express. For an array the graph created, the gathered copy is recorded as an
    ambiguous view of a's root (for the caller's arrays too), so that any later write to the
    root or through the copy, and returning it, stops the conversion instead of silently
    breaking the aliasing."""
    root = heap.roots_of(a)
    if a.kind != ARRAY:
        return
    steps = a.view.steps if a.view is not None else ()
    out.view = heap.View(root, steps, heap.root_layout(out.shape, out.dtype), b, root.version,
                         ambiguous=True, replayable=False)
    root.ambiguous_views = True


def _classify(b: GraphBuilder, item: Any) -> Any:
    """An index item as None, Ellipsis, a slice, a Python int, an int64 NumPy array (a constant
    array index) or an integer Tensor (a run-time index); boolean masks are refused."""
    if item is None or item is Ellipsis or isinstance(item, slice):
        return item
    if is_tensor(item):
        if item.dtype == np.bool_:
            raise Unconvertible("boolean mask indexing gives data-dependent shapes", b.where)
        if not is_int(item.dtype):
            raise Unconvertible("IndexError: arrays used as indices must be of integer (or "
                                "boolean) type", b.where)
        return item
    if isinstance(item, (list, tuple, np.ndarray)):
        if isinstance(item, (list, tuple)) and _has_tensor(item):
            return _classify(b, as_array(b, item))  # stacked into one run-time index
        arr = np.asarray(item)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)  # NumPy reads an empty list as an empty intp index
        if arr.dtype == np.bool_:
            raise Unconvertible("boolean mask indexing gives data-dependent shapes", b.where)
        if arr.dtype.kind not in "iu":
            raise Unconvertible("IndexError: arrays used as indices must be of integer (or "
                                "boolean) type", b.where)
        return int(arr) if arr.ndim == 0 else arr.astype(np.int64)  # 0-d: an integer index
    i = static(b, item, "an index")
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
        raise Unconvertible(f"only integers, slices, None and Ellipsis are valid indices, got "
                            f"{type(i).__name__}", b.where)
    return int(i)


def _has_tensor(seq: Any) -> bool:
    return any(is_tensor(x) or (isinstance(x, (list, tuple)) and _has_tensor(x)) for x in seq)


def _slice_triple(b: GraphBuilder, item: slice, n: int) -> tuple[int, int, int]:
    start, stop, step = (static(b, x, "a slice bound") for x in (item.start, item.stop,
                                                                  item.step))
    if step == 0:
        raise Unconvertible("slice step cannot be zero", b.where)
    start, stop, step = slice(start, stop, step).indices(n)
    count = len(range(start, stop, step))
    return (start if count else 0), count, (step if count else 1)


def _check_int(b: GraphBuilder, i: int, n: int, dim: int) -> None:
    if not -n <= i < n:
        raise Unconvertible(f"IndexError: index {i} is out of bounds for axis {dim} with size "
                            f"{n}", b.where)


def _basic(b: GraphBuilder, a: Tensor, items: list[Any]) -> Tensor:
    """Slices, integers and newaxis: one slice op (a view) and a reshape (a view). On a
    symbolic shape: whole slices of its symbolic dims, indices and slices within their first
    two elements (such a dim is at least 2), then squeeze and expand_dims (views too)."""
    if not a.spec.static:
        return _basic_symbolic(b, a, items)
    triples, final = [], []
    dim = 0
    for item in items:
        if item is None:
            final.append(1)
            continue
        triples.append(_static_triple(b, item, a.shape[dim], dim))
        if isinstance(item, slice):
            final.append(triples[-1][1])
        dim += 1
    triples += [(0, n, 1) for n in a.shape[dim:]]
    final += a.shape[dim:]
    starts, sizes, steps = (list(t) for t in zip(*triples)) if triples else ([], [], [])
    out = a
    if tuple(sizes) != a.shape or any(s != 0 for s in starts) or any(s != 1 for s in steps):
        out = b.emit("slice", [a], starts=tuple(starts), sizes=tuple(sizes), steps=tuple(steps))
    if tuple(final) != out.shape or out is a:
        out = b.emit("reshape", [out], shape=tuple(final))
    return out


def _static_triple(b: GraphBuilder, item: Any, n: int, dim: int) -> tuple[int, int, int]:
    """(start, size, step) of a slice or an int index into a dim of length n."""
    if isinstance(item, slice):
        return _slice_triple(b, item, n)
    _check_int(b, item, n, dim)
    return item % n, 1, 1


def _basic_symbolic(b: GraphBuilder, a: Tensor, items: list[Any]) -> Tensor:
    triples, dropped, added = [], [], []
    dim = 0
    for pos, item in enumerate(items):
        if item is None:
            added.append(pos - len(dropped))
            continue
        n = a.shape[dim]
        if type(n) is int:
            triple = _static_triple(b, item, n, dim)
        elif isinstance(item, slice) and item == slice(None):
            triple = (0, WHOLE, 1)
        else:
            triple = _within_first_two(b, item, dim)
        if not isinstance(item, slice):
            dropped.append(dim)
        triples.append(triple)
        dim += 1
    triples += [(0, n if type(n) is int else WHOLE, 1) for n in a.shape[dim:]]
    starts, sizes, steps = (list(t) for t in zip(*triples))
    out = a
    if any(n != WHOLE and n != a.shape[d] for d, n in enumerate(sizes)) or any(starts) or any(
            s != 1 for s in steps):
        out = b.emit("slice", [a], starts=tuple(starts), sizes=tuple(sizes), steps=tuple(steps))
    if dropped:
        out = b.emit("squeeze", [out], axes=tuple(dropped))
    if added:
        out = b.emit("expand_dims", [out], axes=tuple(added))
    if out is a:
        out = b.emit("expand_dims", [a], axes=())  # `a[:]`, `a[...]`: a view all the same
    return out


def _within_first_two(b: GraphBuilder, item: Any, dim: int) -> tuple[int, int, int]:
    """An index or a slice of a symbolic dim: in range for any length only within its first
    two elements (the dim is at least 2 when the graph runs); else the shape must be static."""
    if isinstance(item, slice):
        bounds = [static(b, x, "a slice bound") for x in (item.start, item.stop, item.step)]
        start, stop, step = (0 if bounds[0] is None else bounds[0], bounds[1],
                             1 if bounds[2] is None else bounds[2])
        if step > 0 and 0 <= start and stop is not None and 0 <= stop <= 2:
            count = len(range(start, stop, step))
            return (start if count else 0), count, (step if count else 1)
    elif 0 <= item < 2:
        return item, 1, 1
    raise NeedsStaticShape(f"indexing axis {dim}, whose length is known only when the graph "
                           "runs, beyond its first two elements", b.where)


def advanced_plan(b: GraphBuilder, a: Tensor, items: list[Any]) -> dict[str, Any]:
    """The pieces of an advanced subscript (after Ellipsis expansion): the basic slicing of
    `a` (every advanced dim kept whole), the index tensors with the dims they index, NumPy's
    placement of their broadcast shape B, the gather's result shape and the final shape
    (the gather's with the newaxes added).

    Integers count as advanced indices here, as in NumPy (`x[0, :, idx]` puts B first).
    """
    starts, sizes, steps = [], [], []
    axes, indices, where_adv, slice_sizes = [], [], [], []
    dim = 0
    for pos, item in enumerate(items):
        if item is None:
            continue
        n = a.shape[dim]
        if isinstance(item, slice):
            triple = _slice_triple(b, item, n)
            slice_sizes.append((pos, triple[1]))
        else:
            triple = (0, n, 1)
            axes.append(dim)
            where_adv.append(pos)
            indices.append(_index_tensor(b, item, n, dim))
        starts.append(triple[0])
        sizes.append(triple[1])
        steps.append(triple[2])
        dim += 1
    trailing = list(a.shape[dim:])
    starts += [0] * len(trailing)
    sizes += trailing
    steps += [1] * len(trailing)
    try:
        bshape = tuple(np.broadcast_shapes(*[i.shape for i in indices]))
    except ValueError:
        shapes = " ".join(str(i.shape) for i in indices)
        raise Unconvertible(f"IndexError: shape mismatch: indexing arrays could not be "
                            f"broadcast together with shapes {shapes}", b.where) from None
    adjacent = where_adv == list(range(where_adv[0], where_adv[0] + len(where_adv)))
    position = sum(1 for p, _ in slice_sizes if p < where_adv[0]) if adjacent else 0
    final: list[int] = [] if adjacent else list(bshape)
    for pos, item in enumerate(items):
        if item is None:
            final.append(1)
        elif isinstance(item, slice):
            final.append(dict(slice_sizes)[pos])
        elif adjacent and pos == where_adv[0]:
            final.extend(bshape)
    final += trailing
    rest = [sizes[d] for d in range(len(sizes)) if d not in axes]
    gathered = (*rest[:position], *bshape, *rest[position:])
    return {"starts": tuple(starts), "sizes": tuple(sizes), "steps": tuple(steps),
            "axes": tuple(axes), "indices": indices, "position": position,
            "bshape": bshape, "final": tuple(final), "gathered": gathered}


def _index_tensor(b: GraphBuilder, item: Any, n: int, dim: int) -> Tensor:
    """An advanced index as an integer tensor; bounds checked now or guarded in the graph."""
    if is_tensor(item):
        ok = b.emit("in_bounds", [item], size=n)
        b.guard(ok, "bounds", f"every index is within [-{n}, {n}) for axis {dim} (NumPy raises "
                "IndexError otherwise)")
        return item
    values = np.asarray(item, dtype=np.int64)
    if values.size and not ((values >= -n) & (values < n)).all():
        bad = values[(values < -n) | (values >= n)].flat[0]
        raise Unconvertible(f"IndexError: index {bad} is out of bounds for axis {dim} with "
                            f"size {n}", b.where)
    return b.constant(values, ARRAY)


def sliced_for(b: GraphBuilder, a: Tensor, plan: dict[str, Any], copy: bool) -> Tensor:
    """`a` with the plan's basic slicing applied (a itself when it selects everything)."""
    if plan["sizes"] == a.shape and not any(plan["starts"]) and all(s == 1 for s in
                                                                      plan["steps"]):
        return a
    return b.emit("slice", [a], copy=copy, starts=plan["starts"], sizes=plan["sizes"],
                  steps=plan["steps"])


def _advanced(b: GraphBuilder, a: Tensor, items: list[Any]) -> Tensor:
    """Integer-array indices (with slices, integers and newaxis): one gather, a copy."""
    plan = advanced_plan(b, a, items)
    sliced = sliced_for(b, a, plan, copy=True)
    out = b.emit("gather", [sliced, *plan["indices"]], axes=plan["axes"],
                 position=plan["position"])
    if out.shape != plan["final"]:
        out = b.emit("reshape", [out], copy=True, shape=plan["final"])
    out.kind = ARRAY
    return out


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
    out = (b.emit("gather", [a, idx], axes=(axis,), position=axis) if a.ndim
           else b.emit("take", [a, idx], axis=axis))
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
