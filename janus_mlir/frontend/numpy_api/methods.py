"""ndarray methods and properties (`x.sum()`, `x.T`), built from the function handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import symbolic
from ...dialects.types import is_float
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import INT64, apply
from ..values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_tensor, retyped
from .linalg import dot
from .selection import clip, take
from .shapes import reshape, squeeze, transpose
from .families import FAMILIES
from .args import Handler, bind, dtype_arg, like_input, static
from .creation import copy_array, guard_float_to_int
from .shapes import reshape_to


def _shape_varargs(fn: Handler) -> Handler:
    """x.reshape(2, 3) and x.transpose(1, 0) take the shape as varargs or as one tuple."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        a, rest = args[0], args[1:]
        if len(rest) == 1 and not isinstance(static(b, rest[0], "a shape"), (int, np.integer)):
            rest = [rest[0]]
        elif len(rest) != 1:
            rest = [tuple(rest)] if rest else [None]
        return fn(b, [a, *rest], kwargs)

    return handler


def _astype(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """x.astype(dtype, order, casting, subok, copy): casting rules other than 'unsafe' are
    checked now (NumPy raises TypeError when they forbid the cast)."""
    p = bind(b, "ndarray.astype", args, kwargs, ("a", "dtype", "order", "casting", "subok",
                                                  "copy"),
              {"order": "K", "casting": "unsafe", "subok": True, "copy": True})
    a, dt = p["a"], dtype_arg(b, p["dtype"])
    _c_order_only(b, p["order"], "ndarray.astype", keep_ok=True)
    casting = static(b, p["casting"], "casting")
    if casting != "unsafe" and not np.can_cast(a.dtype, dt, casting=casting):
        raise Unconvertible(f"TypeError: Cannot cast array data from {a.dtype!r} to {dt!r} "
                            f"according to the rule {casting!r}", b.where)
    if static(b, p["copy"], "copy") is False and a.dtype == dt:
        return a
    out = b.emit("astype", [a], dtype=dt) if a.dtype != dt else copy_array(b, a)
    return retyped(out, ARRAY if a.kind == ARRAY else NP_SCALAR)


def _item(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    a = args[0]
    if len(args) > 1 or a.spec.size != 1:
        raise Unconvertible("item() needs a one-element array", b.where)
    out = reshape_to(b, a, ()) if a.ndim else a
    return to_python_scalar(b, out)


def to_python_scalar(b: GraphBuilder, a: Tensor, kind: type | None = None) -> Tensor:
    """int(a) / float(a) / bool(a) of a 0-d value, a.item() of a one-element one: a Python
    scalar. NumPy 2 refuses int()/float() of arrays with dimensions; int() of a float is exact
    in Python (a big int, or an error for NaN and inf): guarded to fit int64."""
    if a.spec.size != 1 or (a.ndim and kind in (int, float)):
        raise Unconvertible("TypeError: only 0-dimensional arrays can be converted to Python "
                            "scalars", b.where)
    if a.ndim:
        a = reshape_to(b, a, ())
    target = kind or {"b": bool, "i": int, "u": int, "f": float}[a.dtype.kind]
    if target is int and a.dtype == np.uint64:  # a Python int above int64's range
        raise Unconvertible("a uint64 as a Python int is not converted", b.where)
    dt = {bool: np.dtype(np.bool_), int: INT64, float: np.dtype(np.float64)}[target]
    if target is int and is_float(a.dtype):
        guard_float_to_int(b, a, INT64, "int() of a float")
    out = b.emit("astype", [a], PY_SCALAR, dtype=dt) if a.dtype != dt else copy_array(b, a)
    return retyped(out, PY_SCALAR)


def _fill(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> None:
    """x.fill(value): an in-place write, `x[...] = value` (frontend/setitem.py)."""
    from ..setitem import fill  # item assignment builds on the numpy_api helpers

    if kwargs:
        raise Unconvertible("TypeError: ndarray.fill() takes no keyword arguments", b.where)
    if len(args) != 2:
        raise Unconvertible(f"TypeError: fill() takes exactly 1 argument ({len(args) - 1} "
                            "given)", b.where)
    a, value = args
    if a.kind != ARRAY:
        raise Unconvertible("fill() of a NumPy scalar (a copy NumPy fills and drops) is not "
                            "converted", b.where)
    fill(b, a, value)


def _tolist(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """x.tolist(): the nested Python list, built when the function returns (frontend/tolist.py)."""
    from ..tolist import tolist

    if len(args) != 1 or kwargs:
        raise Unconvertible("TypeError: tolist() takes no arguments", b.where)
    return tolist(b, args[0])


def _c_order_only(b: GraphBuilder, order: Any, fn: str, keep_ok: bool = False) -> None:
    """Only C order is converted ('K' and 'A' too where the result keeps the input's layout,
    as the builder models it): 'F' changes the element order of ravel/flatten and the memory
    layout of copies."""
    order = static(b, order, "order")
    if order not in ("C", *(("K", "A") if keep_ok else ())):
        raise Unconvertible(f"{fn}(order={order!r}) is not converted", b.where)


def _order_arg(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any], fn: str) -> Tensor:
    p = bind(b, fn, args, kwargs, ("a", "order"), {"order": "C"})
    _c_order_only(b, p["order"], fn)
    return p["a"]


def _ravel(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """x.ravel(): a view when NumPy's reshape(-1) is one (the heap model decides)."""
    a = _order_arg(b, args, kwargs, "ndarray.ravel")
    return reshape_to(b, a, (a.spec.size,))


def _flatten(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """x.flatten(): always a copy."""
    a = _order_arg(b, args, kwargs, "ndarray.flatten")
    return b.emit("reshape", [a], copy=True, shape=(a.spec.size,))


def _copy_method(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    return copy_array(b, _order_arg(b, args, kwargs, "ndarray.copy"))


def _method(name: str, fn: Handler) -> Handler:
    """An ndarray method: NumPy scalars have it too (a 0-d result is a scalar again), Python
    scalars do not."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        _array_attribute(b, args[0], name)
        out = fn(b, args, kwargs)
        return like_input(args[0], out) if is_tensor(out) else out

    handler.refuses = getattr(fn, "refuses", False)  # type: ignore[attr-defined]
    return handler


def _property(name: str, fn: Callable[[GraphBuilder, Tensor], Any]) -> Callable[..., Any]:
    def handler(b: GraphBuilder, a: Tensor) -> Any:
        _array_attribute(b, a, name)
        out = fn(b, a)
        return like_input(a, out) if is_tensor(out) else out

    return handler


def _array_attribute(b: GraphBuilder, a: Tensor, name: str) -> None:
    if a.kind == PY_SCALAR:
        raise Unconvertible(f"AttributeError: '{a.py_type.__name__}' object has no attribute "
                            f"'{name}'", b.where)


_METHODS: dict[str, Handler] = {
    "reshape": _shape_varargs(reshape), "transpose": _shape_varargs(transpose),
    "squeeze": squeeze, "astype": _astype, "item": _item, "clip": clip, "dot": dot,
    "flatten": _flatten, "ravel": _ravel, "copy": _copy_method, "take": take, "fill": _fill,
    "tolist": _tolist,
}
for _family in FAMILIES:
    _clash = _METHODS.keys() & _family.METHODS.keys()
    if _clash:
        raise ValueError(f"{_family.__name__} registers the methods {_clash} again")
    _METHODS.update(_family.METHODS)
METHODS: dict[str, Handler] = {name: _method(name, fn) for name, fn in _METHODS.items()}


def _nbytes(b: GraphBuilder, a: Tensor) -> Any:
    """x.nbytes: size * itemsize (a run-time Python int where the size is symbolic)."""
    size = symbolic.size(b, a)
    if isinstance(size, int):
        return size * a.dtype.itemsize
    return apply(b, "multiply", [size, a.dtype.itemsize], static_fn=lambda x, y: x * y)


_PROPERTIES: dict[str, Callable[[GraphBuilder, Tensor], Any]] = {
    "shape": lambda b, a: symbolic.shape(b, a),
    "ndim": lambda b, a: a.ndim,
    "size": lambda b, a: symbolic.size(b, a),
    "dtype": lambda b, a: a.dtype,
    "itemsize": lambda b, a: a.dtype.itemsize,
    "nbytes": lambda b, a: _nbytes(b, a),
    "T": lambda b, a: transpose(b, [a], {}),
    "mT": lambda b, a: transpose(b, [a, (*range(a.ndim - 2), a.ndim - 1, a.ndim - 2)], {}),
}
PROPERTIES = {name: _property(name, fn) for name, fn in _PROPERTIES.items()}
