"""Sorting and selection: sort, argsort, searchsorted, digitize, ndarray.sort, unique (its
handler is in frontend/compaction.py); partition and argpartition stop the conversion with their
reasons.

The sort ops order NaN last and keep ties in their original order (NumPy's kind='stable').
`np.sort` of any kind gives the same values. `np.argsort` with kind='stable'/'mergesort' (or
stable=True) is exactly the op; NumPy's default kinds (quicksort, heapsort) leave the order of
ties to the implementation, so there the graph guards that the sorted values have no ties --
then every correct sort gives the same permutation -- and a call with ties runs as plain Python.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ...dialects.types import is_float
from .. import compaction
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..heap import write
from ..operators import FLOAT64, apply, guard_all, logical
from ..values import ARRAY, Tensor, is_tensor
from .args import Handler, as_array, axes_arg, bind, refuse, scalar_if_0d, static
from .scans import slice_axis
from .selection import take

_SORT_ARGS = ("a", "axis", "kind", "order")
_SORT_DEFAULTS = {"axis": -1, "kind": None, "order": None, "stable": None}
_KINDS = (None, "quicksort", "mergesort", "heapsort", "stable")


def _sort_args(b: GraphBuilder, fn: str, args: list[Any],
               kwargs: dict[str, Any]) -> tuple[Tensor, int, bool]:
    """(array, axis, stable requested) of a sort call; axis=None sorts the flattened array."""
    p = bind(b, fn, args, kwargs, (*_SORT_ARGS, "stable"), _SORT_DEFAULTS)
    if p["order"] is not None:
        raise Unconvertible(f"{fn}(order=...) sorts structured arrays: not converted", b.where)
    kind, stable = static(b, p["kind"], "kind"), static(b, p["stable"], "stable")
    if kind not in _KINDS:
        raise Unconvertible(f"{fn}(kind={kind!r}) is not a sort kind", b.where)
    if kind is not None and stable is not None:
        raise Unconvertible(f"ValueError: {fn}() got both kind and stable", b.where)
    a = as_array(b, p["a"])
    axis = static(b, p["axis"], "an axis")
    if axis is None:
        a, axis = b.emit("reshape", [a], copy=True, shape=(a.spec.size,)), 0
    if a.ndim == 0 or isinstance(axis, (tuple, list)):
        raise Unconvertible(f"{fn} needs one axis of an array with dimensions", b.where)
    (axis,) = axes_arg(b, axis, a.ndim)
    return a, axis, bool(stable) or kind in ("stable", "mergesort")


def guard_no_ties(b: GraphBuilder, values: Tensor, axis: int, why: str) -> None:
    """Guard that sorted `values` hold no two equal neighbours along `axis` (two NaNs are
    equal in sort order; so are 0.0 and -0.0)."""
    n = values.shape[axis]
    if n < 2:
        return
    hi, lo = slice_axis(b, values, axis, 1, n - 1), slice_axis(b, values, axis, 0, n - 1)
    tie = b.emit("equal", [hi, lo])
    if is_float(values.dtype):
        tie = logical(b, "logical_or", tie,
                      logical(b, "logical_and", b.emit("isnan", [hi]), b.emit("isnan", [lo])))
    guard_all(b, b.emit("logical_not", [tie]), "value", why)


def sort(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    a, axis, _ = _sort_args(b, "numpy.sort", args, kwargs)
    return b.emit("sort", [a], axis=axis)


def argsort(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    a, axis, stable = _sort_args(b, "numpy.argsort", args, kwargs)
    if not stable:
        guard_no_ties(b, b.emit("sort", [a], axis=axis), axis,
                      "the values argsort orders have no ties (NumPy's default sort kinds "
                      "order ties by their implementation)")
    return b.emit("argsort", [a], axis=axis)


def sort_method(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> None:
    """x.sort(axis=-1, kind, order, stable): sorts in place (arrays this graph made only; a
    write to the caller's array stops the conversion, as every such write does)."""
    if "axis" in kwargs and static(b, kwargs["axis"], "an axis") is None:
        raise Unconvertible("ndarray.sort(axis=None) is not allowed", b.where)
    target = args[0]
    if target.kind != ARRAY:
        raise Unconvertible("sort() of a NumPy scalar", b.where)
    a, axis, _ = _sort_args(b, "ndarray.sort", args, kwargs)
    write(b, target, b.emit("sort", [a], axis=axis))


def searchsorted(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.searchsorted(a, v, side, sorter): a and v compared in their common dtype (Python
    scalars as int64/float64, as NumPy does); the graph guards that `a` (taken through
    `sorter`) is sorted, where NumPy's binary search and the op's count agree."""
    p = bind(b, "numpy.searchsorted", args, kwargs, ("a", "v", "side", "sorter"),
             {"side": "left", "sorter": None})
    side = static(b, p["side"], "side")
    if side not in ("left", "right"):
        raise Unconvertible(f"ValueError: side must be 'left' or 'right' (got {side!r})",
                            b.where)
    a, v = as_array(b, p["a"]), as_array(b, p["v"])
    if a.ndim != 1:
        raise Unconvertible("ValueError: searchsorted needs a 1-d array to search", b.where)
    if p["sorter"] is not None:
        a = take(b, [a, p["sorter"]], {})
        if a.ndim != 1:
            raise Unconvertible("ValueError: sorter must be 1-d like a", b.where)
    dt = np.result_type(a.dtype, v.dtype)
    a = b.emit("astype", [a], dtype=dt) if a.dtype != dt else a
    v = b.emit("astype", [v], dtype=dt) if v.dtype != dt else v
    b.guard(b.emit("is_sorted", [a]), "value",
            "the array searchsorted searches is sorted (NumPy's binary search gives "
            "implementation-defined positions otherwise)")
    return scalar_if_0d(b.emit("searchsorted", [a, v], right=side == "right"))


def _monotonicity(bins: np.ndarray) -> int:
    """NumPy's check_array_monotonic on float64 bins: 1 non-decreasing (all equal too), -1
    non-increasing, 0 neither (NaN compares false, as in C)."""
    a = [float(v) for v in bins]
    i = 1
    while i < len(a) and a[i] == a[0]:
        i += 1
    if i >= len(a):
        return 1
    up = a[0] < a[i]
    for last, nxt in zip(a[i:], a[i + 1:]):
        if (up and last > nxt) or (not up and last < nxt):
            return 0
    return 1 if up else -1


def _holds_tensor(v: Any) -> bool:
    return is_tensor(v) or (isinstance(v, (list, tuple)) and any(_holds_tensor(x) for x in v))


def digitize(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.digitize(x, bins, right) as NumPy's searchsorted of x in the bins (side 'right',
    'left' for right=True); decreasing bins are searched reversed and counted from the end.
    Constant bins: NumPy's monotonicity test now. Bins from the graph: guarded non-decreasing
    (in float64, as NumPy tests them), so a call with decreasing bins runs as plain Python."""
    p = bind(b, "numpy.digitize", args, kwargs, ("x", "bins", "right"), {"right": False})
    side = "left" if static(b, p["right"], "right") else "right"
    x = as_array(b, p["x"])
    if _holds_tensor(p["bins"]):
        bins = as_array(b, p["bins"])
        if bins.ndim != 1:
            raise Unconvertible("ValueError: numpy.digitize needs 1-d bins (object too deep, "
                                "or of too small depth, for desired array)", b.where)
        n = bins.shape[0]
        if n > 1:
            f = bins if bins.dtype == FLOAT64 else b.emit("astype", [bins], dtype=FLOAT64)
            up = b.emit("greater_equal", [slice_axis(b, f, 0, 1, n - 1),
                                          slice_axis(b, f, 0, 0, n - 1)])
            guard_all(b, up, "value", "the bins of numpy.digitize are non-decreasing "
                      "(decreasing bins computed in the graph are not converted)")
        return searchsorted(b, [bins, x], {"side": side})
    try:
        values = np.asarray(p["bins"])
        mono = _monotonicity(np.asarray(values, dtype=np.float64).reshape(-1)) if (
            values.ndim == 1) else None
    except (TypeError, ValueError) as e:
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    if mono is None:
        raise Unconvertible("ValueError: numpy.digitize needs 1-d bins", b.where)
    if mono == 0:
        raise Unconvertible("ValueError: bins must be monotonically increasing or decreasing",
                            b.where)
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise Unconvertible("numpy.digitize with NaN among the bins is not converted (NumPy's "
                            "result then depends on how it searches)", b.where)
    if mono == 1:
        return searchsorted(b, [b.constant(values, ARRAY), x], {"side": side})
    found = searchsorted(b, [b.constant(values[::-1].copy(), ARRAY), x], {"side": side})
    return apply(b, "subtract", [len(values), found], static_fn=operator.sub)


_PARTITION = ("{}: the order NumPy leaves around the k-th element is implementation-defined, "
              "so a graph cannot promise NumPy's exact result")

FUNCTIONS: dict[Any, Handler] = {
    np.sort: sort, np.argsort: argsort, np.searchsorted: searchsorted, np.digitize: digitize,
    np.partition: refuse(_PARTITION.format("numpy.partition")),
    np.argpartition: refuse(_PARTITION.format("numpy.argpartition")),
    np.unique: compaction.unique,
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {
    "argsort": argsort, "sort": sort_method, "searchsorted": searchsorted,
    "partition": refuse(_PARTITION.format("ndarray.partition")),
    "argpartition": refuse(_PARTITION.format("ndarray.argpartition")),
}
