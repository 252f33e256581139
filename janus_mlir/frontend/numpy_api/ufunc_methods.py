"""Methods of ufuncs: `ufunc.reduce` and `ufunc.accumulate` (`ufunc.at` is an index function).

NumPy's own reductions are these methods: np.sum is `add.reduce`, np.prod `multiply.reduce`,
np.max/np.min `maximum.reduce`/`minimum.reduce`, np.all/np.any `logical_and.reduce`/
`logical_or.reduce` (numpy/_core/_methods.py), so `ufunc.reduce` runs those handlers with
reduce's own defaults and checks: axis=0 (None reduces every axis, a tuple several), a 0-d array
reduced along axis 0 or -1, dtype= only where the handler takes it. `add.accumulate` and
`multiply.accumulate` are cumsum and cumprod along one axis (default 0: no flattening);
`maximum`, `minimum`, `logical_and` and `logical_or` accumulate in ceil(log2(n)) doubling steps,
`out[i] = op(out[i - k], out[i])`, the earlier operand first as in NumPy's loop (ties and NaNs
resolve to the same element). Other ufuncs' methods are not converted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import NeedsStaticShape, Unconvertible
from ..values import ARRAY, Tensor, retyped
from .args import Handler, as_array, bind, static
from .creation import copy_array
from .reductions import FUNCTIONS as REDUCTIONS
from .scans import FUNCTIONS as SCANS, one_axis, slice_axis

_NO_VALUE = object()
_REDUCE = {np.add: np.sum, np.multiply: np.prod, np.maximum: np.max, np.minimum: np.min,
           np.logical_and: np.all, np.logical_or: np.any}
_WITH_DTYPE = (np.add, np.multiply)  # np.max/min/all/any take no dtype
_LOGICAL = (np.logical_and, np.logical_or)
_SCANS = {np.add: np.cumsum, np.multiply: np.cumprod}
_REDUCE_ARGS = ("array", "axis", "dtype", "out", "keepdims", "initial", "where")


def _reduce_axis(b: GraphBuilder, axis: Any, ndim: int, fn: str) -> Any:
    """reduce's axis as the reductions take it: a 0-d array reduces along 0 or -1 (nothing)."""
    axis = static(b, axis, "an axis")
    if ndim or axis is None or axis == ():
        return axis
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) and axis in (0, -1):
        return None
    raise Unconvertible(f"AxisError: {fn}: axis {axis} is out of bounds for array of "
                        "dimension 0", b.where)


def _reduce(ufunc: np.ufunc) -> Handler:
    fn = f"numpy.{ufunc.__name__}.reduce"
    reduction = REDUCTIONS[_REDUCE[ufunc]]

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = bind(b, fn, args, kwargs, _REDUCE_ARGS,
                 {"axis": 0, "dtype": None, "out": None, "keepdims": False,
                  "initial": _NO_VALUE, "where": True})
        a = as_array(b, p["array"])
        call = {"axis": _reduce_axis(b, p["axis"], a.ndim, fn), "keepdims": p["keepdims"]}
        if p["dtype"] is not None:
            if ufunc not in _WITH_DTYPE:
                raise Unconvertible(f"{fn}(dtype=...) is not converted", b.where)
            call["dtype"] = p["dtype"]
        initial = p["initial"]
        if initial is not _NO_VALUE and initial is not None:
            if ufunc in _LOGICAL:
                raise Unconvertible(f"{fn}(initial=...) is not converted", b.where)
            call["initial"] = initial
        if p["where"] is not True:
            if initial is None:
                raise Unconvertible(f"ValueError: reduction operation {ufunc.__name__!r} does "
                                    "not have an identity, so to use a where mask one has to "
                                    "specify 'initial'", b.where)
            call["where"] = p["where"]
        return reduction(b, [a], call)

    return handler


def _accumulate(ufunc: np.ufunc) -> Handler:
    fn = f"numpy.{ufunc.__name__}.accumulate"
    scan = SCANS[_SCANS[ufunc]] if ufunc in _SCANS else None

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = bind(b, fn, args, kwargs, ("array", "axis", "dtype", "out"),
                 {"axis": 0, "dtype": None, "out": None})
        a = as_array(b, p["array"])
        if a.ndim == 0:
            raise Unconvertible(f"TypeError: {fn}: cannot accumulate on a scalar", b.where)
        if static(b, p["axis"], "an axis") is None:
            raise Unconvertible(f"ValueError: {fn}: accumulate does not allow multiple axes",
                                b.where)
        axis = one_axis(b, p["axis"], a.ndim, fn)
        if scan is not None:
            return scan(b, [a], {"axis": axis, "dtype": p["dtype"]})
        if p["dtype"] is not None:
            raise Unconvertible(f"{fn}(dtype=...) is not converted", b.where)
        return _doubling(b, ufunc, a, axis, fn)

    return handler


def _doubling(b: GraphBuilder, ufunc: np.ufunc, a: Tensor, axis: int, fn: str) -> Tensor:
    """The inclusive scan of an idempotent ufunc: log2(n) steps combining each element with the
    one k places before it (k = 1, 2, 4, ...)."""
    n = a.shape[axis]
    if not isinstance(n, int):
        raise NeedsStaticShape(f"{fn} along a symbolic dim", b.where)
    if ufunc in _LOGICAL and a.dtype != np.bool_:
        out = b.emit("astype", [a], dtype=np.dtype(np.bool_))
    else:
        out = copy_array(b, a)
    k = 1
    while k < n:
        head = slice_axis(b, out, axis, 0, k)
        combined = b.emit(ufunc.__name__, [slice_axis(b, out, axis, 0, n - k),
                                           slice_axis(b, out, axis, k, n - k)])
        out = b.emit("concatenate", [head, combined], axis=axis)
        k *= 2
    return retyped(out, ARRAY)


FUNCTIONS: dict[Any, Handler] = {
    **{u.reduce: _reduce(u) for u in _REDUCE},
    **{u.accumulate: _accumulate(u) for u in _REDUCE},
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
