"""Matrices: trace, diag, diagonal, eye/identity, tril/triu (np.linalg.norm is in linalg.py).

numpy.diagonal (and diag of a 2-D array, and the `diagonal` method) returns a read-only view.
It is built from the view ops the heap model tracks: the two axes, when adjacent, are merged by
a reshape (a view of a C-contiguous array), the diagonal is a strided slice of the merged axis,
a transpose moves it last, and a broadcast_to of the same shape marks the result read-only (a
write through it stops the conversion, as NumPy raises). Diagonals of non-adjacent axes, and of
arrays whose merge NumPy would copy, are not views we can build: they fall back. trace sums the
diagonal of a copy, so it takes any axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..values import ARRAY, Tensor, retyped
from .args import Handler, as_array, axes_arg, bind, dtype_arg, scalar_if_0d, static, static_int


def _diag_axes(b: GraphBuilder, a: Tensor, offset: Any, axis1: Any,
               axis2: Any) -> tuple[int, int, int]:
    """(offset, axis1, axis2) normalised so that axis1 < axis2 (swapping negates offset)."""
    if a.ndim < 2:
        raise Unconvertible("ValueError: diag requires an array of at least two dimensions",
                            b.where)
    k = static_int(b, offset, "a diagonal offset")
    a1 = static_int(b, axis1, "an axis")
    a2 = static_int(b, axis2, "an axis")
    (i,), (j,) = axes_arg(b, a1, a.ndim), axes_arg(b, a2, a.ndim)
    if i == j:
        raise Unconvertible("ValueError: axis1 and axis2 cannot be the same", b.where)
    return (k, i, j) if i < j else (-k, j, i)


def _diag_extent(n: int, m: int, k: int) -> tuple[int, int]:
    """(length, flat start in the merged n*m axis) of the k-th diagonal of an n x m block."""
    r0, c0 = (0, k) if k >= 0 else (-k, 0)
    length = max(0, min(n - r0, m - c0))
    return length, (r0 * m + c0 if length else 0)


def diagonal_view(b: GraphBuilder, a: Tensor, k: int, i: int, j: int) -> Tensor:
    """a's k-th diagonal over the adjacent axes i < j as a read-only view (see module doc)."""
    if j != i + 1:
        raise Unconvertible("numpy.diagonal of non-adjacent axes returns a view that is not "
                            "converted", b.where)
    n, m = a.shape[i], a.shape[j]
    merged = b.emit("reshape", [a], shape=(*a.shape[:i], n * m, *a.shape[j + 1:]))
    if a.kind == ARRAY and merged.view is None:
        raise Unconvertible("numpy.diagonal of an array whose axes NumPy cannot merge without "
                            "a copy (a strided view) is not converted", b.where)
    length, start = _diag_extent(n, m, k)
    rank = merged.ndim
    starts = tuple(start if d == i else 0 for d in range(rank))
    sizes = tuple(length if d == i else merged.shape[d] for d in range(rank))
    steps = tuple(m + 1 if d == i else 1 for d in range(rank))
    diag = b.emit("slice", [merged], starts=starts, sizes=sizes, steps=steps)
    if i != rank - 1:
        perm = (*[d for d in range(rank) if d != i], i)
        diag = b.emit("transpose", [diag], perm=perm)
    return retyped(b.emit("broadcast_to", [diag], shape=diag.shape), ARRAY)


def diagonal(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.diagonal", args, kwargs, ("a", "offset", "axis1", "axis2"),
             {"offset": 0, "axis1": 0, "axis2": 1})
    a = as_array(b, p["a"])
    return diagonal_view(b, a, *_diag_axes(b, a, p["offset"], p["axis1"], p["axis2"]))


def trace(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.trace: the diagonal's sum (int32 and bool give int64, like numpy.sum)."""
    p = bind(b, "numpy.trace", args, kwargs, ("a", "offset", "axis1", "axis2", "dtype", "out"),
             {"offset": 0, "axis1": 0, "axis2": 1, "dtype": None, "out": None})
    a = as_array(b, p["a"])
    k, i, j = _diag_axes(b, a, p["offset"], p["axis1"], p["axis2"])
    # The diagonal of a C-ordered copy with the two axes last (its aliasing does not matter).
    perm = (*[d for d in range(a.ndim) if d not in (i, j)], i, j)
    a = b.emit("transpose", [a], copy=True, perm=perm)
    diag = diagonal_view(b, retyped(a, ARRAY), k, a.ndim - 2, a.ndim - 1)
    dt = dtype_arg(b, p["dtype"])
    if dt is not None:
        diag = b.emit("astype", [diag], dtype=dt)
    return scalar_if_0d(b.emit("sum", [diag], axes=(diag.ndim - 1,), keepdims=False))


def diag(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.diag: a 1-D array gives a new 2-D array with it on the k-th diagonal; a 2-D array
    gives its k-th diagonal (a read-only view)."""
    p = bind(b, "numpy.diag", args, kwargs, ("v", "k"), {"k": 0})
    v = as_array(b, p["v"])
    k = static_int(b, p["k"], "a diagonal offset")
    if v.ndim == 2:
        return diagonal_view(b, v, *_diag_axes(b, v, k, 0, 1))
    if v.ndim != 1:
        raise Unconvertible("ValueError: Input must be 1- or 2-d.", b.where)
    return retyped(b.emit("diag_embed", [v], k=k), ARRAY)


def eye(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.eye", args, kwargs, ("N", "M", "k", "dtype", "order", "device", "like"),
             {"M": None, "k": 0, "dtype": float, "order": "C", "device": None, "like": None})
    if static(b, p["order"], "order") != "C" or p["like"] is not None or \
            static(b, p["device"], "device") not in (None, "cpu"):
        raise Unconvertible("numpy.eye with order/device/like is not converted", b.where)
    n = static_int(b, p["N"], "numpy.eye N")
    m = n if static(b, p["M"], "numpy.eye M") is None else static_int(b, p["M"], "numpy.eye M")
    if n < 0 or m < 0:
        raise Unconvertible("ValueError: negative dimensions are not allowed", b.where)
    dt = dtype_arg(b, p["dtype"]) or np.dtype(np.float64)
    return b.emit("eye", [], shape=(n, m), k=static_int(b, p["k"], "numpy.eye k"), dtype=dt)


def identity(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.identity", args, kwargs, ("n", "dtype", "like"),
             {"dtype": None, "like": None})
    if p["like"] is not None:
        raise Unconvertible("numpy.identity(like=...) is not converted", b.where)
    return eye(b, [p["n"]], {"dtype": p["dtype"] or float})


def _tri(upper: bool) -> Handler:
    name = "numpy.triu" if upper else "numpy.tril"

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = bind(b, name, args, kwargs, ("m", "k"), {"k": 0})
        m = as_array(b, p["m"])
        k = static_int(b, p["k"], "a diagonal offset")
        if m.ndim == 0:
            raise Unconvertible(f"ValueError: {name} of a 0-d array", b.where)
        if m.ndim == 1:  # the mask is (n, n): a 1-D array broadcasts to its rows
            m = b.emit("broadcast_to", [m], copy=True, shape=(m.shape[0], m.shape[0]))
        return retyped(b.emit("tri", [m], k=k, upper=upper), ARRAY)

    return handler


FUNCTIONS: dict[Any, Handler] = {
    np.diagonal: diagonal, np.trace: trace, np.diag: diag, np.eye: eye, np.identity: identity,
    np.tril: _tri(False), np.triu: _tri(True),
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {"diagonal": diagonal, "trace": trace}
