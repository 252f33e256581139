"""Linear algebra: numpy.matmul, numpy.dot (N-D operands contract as an einsum),
numpy.linalg.norm, and the products numpy.cross and numpy.kron."""

from __future__ import annotations

from typing import Any

import numpy as np

from numpy.lib.array_utils import normalize_axis_index

from ...dialects.types import is_float
from ..builder import GraphBuilder
from ..errors import NeedsStaticShape, Unconvertible
from ..operators import apply
from ..values import ARRAY, Tensor, retyped
from .args import (Handler, as_array, axes_arg, bind, like_input, no_extra, refuse_out,
                   scalar_if_0d, static, static_int)
from .contractions import contract, dot_nd
from .scans import slice_axis
from .shapes import moveaxis, reshape_to


def _two_operands(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any],
                  fn: str) -> tuple[Tensor, Tensor]:
    no_extra(b, kwargs, (), fn)
    if len(args) == 3:  # numpy.dot(a, b, out), numpy.matmul(x1, x2, out)
        refuse_out(b, fn)
    if len(args) != 2:
        raise Unconvertible(f"{fn} with {len(args)} positional arguments is not converted",
                            b.where)
    x, y = (as_array(b, a) for a in args)
    return x, y


def matmul(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.matmul in every rank combination (the matmul op: 1-D operands promoted and
    squeezed, batch dims broadcast); 0-d operands raise as in NumPy."""
    return apply(b, "matmul", list(_two_operands(b, args, kwargs, "numpy.matmul")))


def dot(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.dot: a scalar operand multiplies, up to 2-D it is matmul, N-D contracts the last
    axis of x with the second-to-last of y. NumPy's result is always a new C-ordered array."""
    x, y = _two_operands(b, args, kwargs, "numpy.dot")
    if x.ndim == 0 or y.ndim == 0:
        return apply(b, "multiply", [x, y])
    if x.ndim > 2 or y.ndim > 2:
        return dot_nd(b, x, y)
    out = apply(b, "matmul", [x, y])
    out.c_order = True  # a result this call made: no one else holds it
    return out


# ---------------------------------------------------------------------------------------------
# numpy.linalg.norm: NumPy's own decomposition into reductions (its source, step by step)
# ---------------------------------------------------------------------------------------------

_SVD_ORDERS = (2, -2, "nuc")


def norm(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.linalg.norm(x, ord, axis, keepdims): ints and bools become float64 first; vector
    orders inf, -inf, 0, 1, 2 and p, matrix orders 1, -1, inf, -inf and 'fro'. The orders that
    need singular values (2, -2 and 'nuc' of matrices) fall back."""
    p = bind(b, "numpy.linalg.norm", args, kwargs, ("x", "ord", "axis", "keepdims"),
             {"ord": None, "axis": None, "keepdims": False})
    x = as_array(b, p["x"])
    order, axis = static(b, p["ord"], "a norm order"), static(b, p["axis"], "an axis")
    keep = bool(static(b, p["keepdims"], "keepdims"))
    if not is_float(x.dtype):
        x = b.emit("astype", [x], dtype=np.dtype(np.float64))
    if axis is None and (order is None or (order in ("f", "fro") and x.ndim == 2)
                         or (order == 2 and x.ndim == 1)):
        flat = reshape_to(b, x, (x.spec.size,))
        ret = apply(b, "sqrt", [contract(b, [flat, flat], ["a", "a"], "")])
        return like_input(ret, reshape_to(b, ret, (1,) * x.ndim)) if keep else ret
    if axis is None:
        axis = tuple(range(x.ndim))
    elif not isinstance(axis, tuple):
        axis = (static_int(b, axis, "an axis"),)
    if len(axis) == 1:
        return _vector_norm(b, x, order, axes_arg(b, axis, x.ndim), keep)
    if len(axis) != 2:
        raise Unconvertible("ValueError: Improper number of dimensions to norm.", b.where)
    row, col = (axes_arg(b, a, x.ndim)[0] for a in axis)
    if row == col:
        raise Unconvertible("ValueError: Duplicate axes given.", b.where)
    if order in _SVD_ORDERS:
        raise Unconvertible(f"numpy.linalg.norm(ord={order!r}) of matrices needs singular "
                            "values, which are not converted", b.where)
    ret = _matrix_norm(b, x, order, row, col)
    if keep:
        shape = list(x.shape)
        shape[row] = shape[col] = 1
        ret = like_input(ret, reshape_to(b, ret, tuple(shape)))
    return ret


def _sum(b: GraphBuilder, x: Tensor, axes: tuple[int, ...], keep: bool = False) -> Tensor:
    return scalar_if_0d(b.emit("sum", [x], axes=axes, keepdims=keep))


def _extreme(b: GraphBuilder, x: Tensor, op: str, axes: tuple[int, ...], keep: bool) -> Tensor:
    """max (with NumPy's initial=0: an empty axis gives 0) or min of the non-negative x."""
    if op == "max" and any(x.shape[a] == 0 for a in axes):
        shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keep else tuple(
            d for i, d in enumerate(x.shape) if i not in axes)
        return scalar_if_0d(b.emit("full", [], shape=shape, dtype=x.dtype, value=0))
    return scalar_if_0d(b.emit(op, [x], axes=axes, keepdims=keep))


def _vector_norm(b: GraphBuilder, x: Tensor, order: Any, axes: tuple[int, ...],
                 keep: bool) -> Tensor:
    if order == np.inf:
        return _extreme(b, apply(b, "absolute", [x]), "max", axes, keep)
    if order == -np.inf:
        return _extreme(b, apply(b, "absolute", [x]), "min", axes, keep)
    if order == 0:
        nonzero = b.emit("astype", [apply(b, "not_equal", [x, 0])], dtype=x.dtype)
        return _sum(b, nonzero, axes, keep)
    if order == 1:
        return _sum(b, apply(b, "absolute", [x]), axes, keep)
    if order is None or order == 2:
        return apply(b, "sqrt", [_sum(b, apply(b, "multiply", [x, x]), axes, keep)])
    if isinstance(order, str):
        raise Unconvertible(f"ValueError: Invalid norm order '{order}' for vectors", b.where)
    if not isinstance(order, (int, float, np.integer, np.floating)) or isinstance(order, bool):
        raise Unconvertible("numpy.linalg.norm with this order is not converted", b.where)
    powered = apply(b, "power", [apply(b, "absolute", [x]), float(order)])
    ret = _sum(b, powered, axes, keep)
    return apply(b, "power", [ret, np.reciprocal(float(order), dtype=ret.dtype)])


def _matrix_norm(b: GraphBuilder, x: Tensor, order: Any, row: int, col: int) -> Tensor:
    if order in (None, "fro", "f"):
        return apply(b, "sqrt", [_sum(b, apply(b, "multiply", [x, x]), tuple(sorted((row, col))))])
    if order not in (1, -1, np.inf, -np.inf):
        raise Unconvertible("ValueError: Invalid norm order for matrices.", b.where)
    absx = apply(b, "absolute", [x])
    if order in (1, -1):  # column sums, then their max / min
        col -= col > row
        return _extreme(b, _sum(b, absx, (row,)), "max" if order == 1 else "min", (col,), False)
    row -= row > col
    return _extreme(b, _sum(b, absx, (col,)), "max" if order == np.inf else "min", (row,), False)


# ---------------------------------------------------------------------------------------------
# numpy.cross and numpy.kron, as NumPy computes them
# ---------------------------------------------------------------------------------------------


def _axis_index(b: GraphBuilder, axis: Any, ndim: int, prefix: str) -> int:
    try:
        return normalize_axis_index(static_int(b, axis, "an axis"), ndim, msg_prefix=prefix)
    except np.exceptions.AxisError as e:
        raise Unconvertible(f"AxisError: {e}", b.where) from None


def _component(b: GraphBuilder, t: Tensor, i: int) -> Tensor:
    """t[..., i]."""
    return b.emit("reshape", [slice_axis(b, t, t.ndim - 1, i, 1)], copy=True, shape=t.shape[:-1])


def cross(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.cross of 2- and 3-vectors along axisa/axisb (axis= sets all three): the products
    and differences of NumPy's implementation, in the operands' common dtype; 3-vector results
    are stacked along axisc (a view NumPy's moveaxis gives). NumPy's DeprecationWarning for
    2-vectors is not raised."""
    p = bind(b, "numpy.cross", args, kwargs, ("a", "b", "axisa", "axisb", "axisc", "axis"),
             {"axisa": -1, "axisb": -1, "axisc": -1, "axis": None})
    if static(b, p["axis"], "an axis") is not None:
        p["axisa"] = p["axisb"] = p["axisc"] = p["axis"]
    x, y = as_array(b, p["a"]), as_array(b, p["b"])
    if x.ndim < 1 or y.ndim < 1:
        raise Unconvertible("ValueError: At least one array has zero dimension", b.where)
    if not (x.spec.static and y.spec.static):
        raise NeedsStaticShape("numpy.cross with a symbolic dim", b.where)
    x = moveaxis(b, [x, _axis_index(b, p["axisa"], x.ndim, "axisa"), -1], {})
    y = moveaxis(b, [y, _axis_index(b, p["axisb"], y.ndim, "axisb"), -1], {})
    n, m = x.shape[-1], y.shape[-1]
    if n not in (2, 3) or m not in (2, 3):
        raise Unconvertible("ValueError: incompatible dimensions for cross product (dimension "
                            "must be 2 or 3)", b.where)
    try:
        shape = np.broadcast_shapes(x.shape[:-1], y.shape[:-1])
    except ValueError as e:
        raise Unconvertible(f"ValueError: {e}", b.where) from None
    axisc = _axis_index(b, p["axisc"], len(shape) + 1, "axisc") if 3 in (n, m) else None
    dt = np.promote_types(x.dtype, y.dtype)
    if dt == np.bool_:
        raise Unconvertible("TypeError: numpy.cross of booleans subtracts booleans", b.where)
    x, y = (b.emit("astype", [t], dtype=dt) if t.dtype != dt else t for t in (x, y))
    a_, b_ = [_component(b, x, i) for i in range(n)], [_component(b, y, i) for i in range(m)]

    def mul(i: int, j: int) -> Tensor:
        return apply(b, "multiply", [a_[i], b_[j]])

    def sub(u: Tensor, v: Tensor) -> Tensor:
        return apply(b, "subtract", [u, v])

    last = sub(mul(0, 1), mul(1, 0))
    if n == 2 and m == 2:
        return retyped(last, ARRAY)
    if n == 2:  # a2 = 0
        parts = [mul(1, 2), apply(b, "negative", [mul(0, 2)]), last]
    elif m == 2:  # b2 = 0
        parts = [apply(b, "negative", [mul(2, 1)]), mul(2, 0), last]
    else:
        parts = [sub(mul(1, 2), mul(2, 1)), sub(mul(2, 0), mul(0, 2)), last]
    cp = b.emit("stack", [retyped(t, ARRAY) for t in parts], axis=len(shape))
    return cp if axisc == len(shape) else moveaxis(b, [cp, -1, axisc], {})


def kron(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.kron: `a` given b's rank at least (leading 1s), each operand spread over
    interleaved axes, one broadcast multiply, then the merged shape. A 0-d operand only
    multiplies."""
    p = bind(b, "numpy.kron", args, kwargs, ("a", "b"), {})
    y, x = as_array(b, p["b"]), as_array(b, p["a"])
    if x.ndim < y.ndim:
        x = reshape_to(b, x, (1,) * (y.ndim - x.ndim) + x.shape)
    if x.ndim == 0 or y.ndim == 0:
        return apply(b, "multiply", [x, y])
    if not (x.spec.static and y.spec.static):
        raise NeedsStaticShape("numpy.kron with a symbolic dim", b.where)
    nd = x.ndim
    bs = (1,) * (nd - y.ndim) + y.shape
    x = reshape_to(b, x, tuple(d for n in x.shape for d in (n, 1)))
    y = reshape_to(b, y, tuple(d for n in bs for d in (1, n)))
    prod = apply(b, "multiply", [x, y])
    out = b.emit("reshape", [prod], copy=True, shape=tuple(i * j for i, j in zip(
        prod.shape[::2], prod.shape[1::2])))
    out.c_order = True  # NumPy's product of the interleaved operands is C-ordered
    return out


FUNCTIONS: dict[Any, Handler] = {np.matmul: matmul, np.dot: dot, np.linalg.norm: norm,
                                 np.cross: cross, np.kron: kron}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
