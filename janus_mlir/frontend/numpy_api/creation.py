"""Creation: zeros/ones/empty/full (and *_like), arange, linspace/logspace, meshgrid,
array/asarray, copy/ascontiguousarray/asfortranarray, the NumPy scalar types
(np.float32(x)...)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...dialects.types import is_float, is_int, is_supported_dtype
from ...ops.creation import arange_start_step
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..heap import root_layout
from ..operators import cast_weak, compare_const, guard_all, lift, logical
from ..values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_tensor, retyped
from .args import Handler, as_array, bind, dtype_arg, no_extra, shape_arg, static


def _fill(value: Any) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = bind(b, "numpy.zeros", args, kwargs, ("shape", "dtype", "order"),
                  {"dtype": None, "order": "C"})
        dt = dtype_arg(b, p["dtype"]) or np.dtype(np.float64)
        return b.emit("full", [], shape=shape_arg(b, p["shape"]), dtype=dt,
                      value=np.array(value).astype(dt).item())

    return handler


def full(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.full", args, kwargs, ("shape", "fill_value", "dtype", "order"),
              {"dtype": None, "order": "C"})
    shape = shape_arg(b, p["shape"])
    fill = p["fill_value"]
    if is_tensor(fill):
        dt = dtype_arg(b, p["dtype"]) or fill.dtype
        # A Python int fill raises OverflowError outside an integer dtype's range (cast_weak).
        src = cast_weak(b, fill, dt) if fill.weak else fill
        src = b.emit("astype", [src], dtype=dt) if src.dtype != dt else src
        return b.emit("broadcast_to", [src], copy=True, shape=shape)
    fill = static(b, fill, "a fill value")
    dt = dtype_arg(b, p["dtype"]) or np.asarray(fill).dtype
    return b.emit("full", [], shape=shape, dtype=dt, value=np.array(fill).astype(dt).item())


def _like(value: Any) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        names = ("a", "fill_value", "dtype") if value is None else ("a", "dtype")
        p = bind(b, "numpy.full_like", args, kwargs, names, {"dtype": None})
        a = as_array(b, p["a"])
        dt = dtype_arg(b, p["dtype"]) or a.dtype
        fill = p["fill_value"] if value is None else value
        if not a.spec.static:
            return _symbolic_like(b, a, fill, dt)
        return full(b, [a.shape, fill, dt], {})

    return handler


def _symbolic_like(b: GraphBuilder, a: Tensor, fill: Any, dt: np.dtype) -> Tensor:
    """np.full_like of an array with a symbolic dim: `where(True, fill, a)`, so the result
    takes its dims from `a` (a constant has none to give); IREE folds the select away."""
    if is_tensor(fill):
        value = cast_weak(b, fill, dt) if fill.weak else fill
        value = b.emit("astype", [value], dtype=dt) if value.dtype != dt else value
    else:
        fill = static(b, fill, "a fill value")
        value = b.constant(np.array(np.array(fill).astype(dt).item(), dt), ARRAY)
    shape_donor = b.emit("astype", [a], dtype=dt) if a.dtype != dt else a
    true = b.constant(np.array(True), ARRAY)
    return retyped(b.emit("where", [true, value, shape_donor]), ARRAY)


def arange(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    dt = dtype_arg(b, kwargs.pop("dtype", None))
    no_extra(b, kwargs, (), "numpy.arange")
    vals = [static(b, a, "an arange bound") for a in args]
    if len(vals) == 1:
        vals = [0, vals[0]]
    start, stop, step = (*vals, 1) if len(vals) == 2 else vals
    try:
        ref = np.arange(start, stop, step, dtype=dt)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError) as e:
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    if not is_supported_dtype(ref.dtype):
        raise Unconvertible(f"numpy.arange of dtype {ref.dtype.name} is not converted", b.where)
    if is_float(ref.dtype) or ref.dtype == np.bool_:
        # start + i * step in floating point: the compiled code fuses the multiply-add into
        # one FMA (one rounding where NumPy rounds twice), so NumPy's own values are the
        # constant. A bool range has at most two elements.
        return b.constant(ref, ARRAY)
    first, delta = arange_start_step(ref)
    return b.emit("arange", [], shape=ref.shape, dtype=ref.dtype, start=first, step=delta)


def _spaced(fn: Any, names: tuple[str, ...], defaults: dict[str, Any]) -> Handler:
    """numpy.linspace / numpy.logspace: every argument is a constant NumPy needs (the length is
    one), so NumPy itself computes the values now and the graph holds them as a constant; a
    new array on every call, as NumPy's is."""
    name = f"numpy.{fn.__name__}"

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = bind(b, name, args, kwargs, names, defaults)
        if p.pop("device", None) is not None:
            raise Unconvertible(f"{name}(device=...) is not converted", b.where)
        p = {k: static(b, v, k) for k, v in p.items()}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                out = fn(**p)
        except Exception as e:  # what NumPy raises here, the plain call raises too
            raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
        values, step = out if p.get("retstep") else (out, None)
        if not is_supported_dtype(values.dtype):
            raise Unconvertible(f"{name} of dtype {values.dtype.name} is not converted", b.where)
        result = b.constant(values, ARRAY)
        if step is None:
            return result
        return result, (lift(b, step) if isinstance(step, np.ndarray) else step)

    return handler


def meshgrid(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.meshgrid: the inputs reshaped (views), broadcast against each other unless
    sparse (views again), then copied unless copy=False; a list when sparse and not copied."""
    from .shapes import broadcast_arrays, reshape_to  # shapes builds on this module's helpers

    opts = {"copy": True, "sparse": False, "indexing": "xy"}
    for k, v in kwargs.items():
        if k not in opts:
            raise Unconvertible(f"meshgrid() got an unexpected keyword argument '{k}'", b.where)
        opts[k] = static(b, v, k)
    if opts["indexing"] not in ("xy", "ij"):
        raise Unconvertible("ValueError: Valid values for `indexing` are 'xy' and 'ij'.",
                            b.where)
    if not args:
        raise Unconvertible("numpy.meshgrid() of no arrays is not converted", b.where)
    ndim = len(args)
    ones = (1,) * ndim
    out = [reshape_to(b, as_array(b, x), ones[:i] + (-1,) + ones[i + 1:])
           for i, x in enumerate(args)]
    if opts["indexing"] == "xy" and ndim > 1:
        out[0] = reshape_to(b, out[0], (1, -1) + ones[2:])
        out[1] = reshape_to(b, out[1], (-1, 1) + ones[2:])
    result: Any = out
    if not opts["sparse"]:
        result = broadcast_arrays(b, out, {})
    if opts["copy"]:
        result = tuple(copy_array(b, t) for t in result)
    return result


def array(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.array: a new array, unless copy=False or copy=None (asarray) and the object is
    already an array of that dtype; copy=False raises where a copy is needed."""
    p = bind(b, "numpy.array", args, kwargs, ("object", "dtype", "copy"), {"dtype": None,
                                                                            "copy": True})
    dt = dtype_arg(b, p["dtype"])
    copy = static(b, p["copy"], "copy")
    obj = p["object"]
    reusable = is_tensor(obj) and obj.kind == ARRAY and (dt is None or dt == obj.dtype)
    if reusable and not copy:
        return obj
    if copy is False:
        raise Unconvertible("ValueError: Unable to avoid copy while creating an array as "
                            "requested.", b.where)
    a = as_array(b, obj) if dt is None else _array_of_dtype(b, obj, dt)
    if dt is not None and a.dtype != dt:
        return b.emit("astype", [a], dtype=dt)
    if a is obj or a.kind != ARRAY:  # never the caller's value itself as a new array
        return copy_array(b, a)
    return a


def _array_of_dtype(b: GraphBuilder, obj: Any, dt: np.dtype) -> Tensor:
    """`obj` for np.array(obj, dtype=dt): NumPy converts each Python number straight to `dt`
    (an int outside its range raises OverflowError; [2**64 - 1, 5] is exact in uint64), which
    np.asarray(obj).astype(dt) would not do. Python numbers known now convert here; a run-time
    Python int at the top level is guarded to fit."""
    static_list = isinstance(obj, (list, tuple)) and not any(is_tensor(x) for x in obj)
    if static_list or (not is_tensor(obj) and not isinstance(obj, (list, tuple))
                       and isinstance(obj, (bool, int, float))):
        try:
            value = np.array(obj, dtype=dt)
        except (OverflowError, ValueError, TypeError) as e:
            raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
        return b.constant(value, ARRAY)
    if isinstance(obj, (list, tuple)) and dt.kind in "iu":
        obj = [cast_weak(b, x, dt) if is_tensor(x) and x.weak and x.py_type is int else x
               for x in obj]
    return as_array(b, obj)


def asarray(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    p = bind(b, "numpy.asarray", args, kwargs, ("a", "dtype", "order", "device", "copy"),
              {"dtype": None, "order": None, "device": None, "copy": None})
    no_extra(b, {"order": p["order"], "device": p["device"]}, (), "numpy.asarray")
    return array(b, [p["a"], p["dtype"], p["copy"]], {})


def copy_array(b: GraphBuilder, a: Tensor) -> Tensor:
    out = b.emit("reshape", [a], copy=True, shape=a.shape)  # a fresh array the graph owns
    out.kind = ARRAY
    return out


# ---------------------------------------------------------------------------------------------
# copy, ascontiguousarray, asfortranarray: a new array, or the array itself in that layout
# ---------------------------------------------------------------------------------------------


def contiguity(t: Tensor) -> tuple[bool | None, bool | None]:
    """(C-contiguous, F-contiguous) of the array `t` as NumPy lays it out, None for what the
    heap model does not know (a root of unknown order, an ambiguous reshape). The caller's
    arrays are guarded to be C-contiguous or not, so only their F-contiguity may be unknown."""
    if t.view is None:
        if not t.c_order:
            return (None if t.fresh else False), None
        flags = root_layout(t.shape, t.dtype).flags
    elif t.view.ambiguous or not t.view.root.c_order:
        return None, None
    else:
        flags = t.view.layout.flags
    return bool(flags.c_contiguous), bool(flags.f_contiguous)


def _f_order_is_c(shape: tuple[int, ...]) -> bool:
    """Whether an F-ordered array of `shape` is C-contiguous too (at most one dim above 1)."""
    return sum(1 for d in shape if d != 1) <= 1 or 0 in shape


def _new_array(b: GraphBuilder, a: Tensor, order: str, shape: tuple[int, ...]) -> Tensor:
    """A new array of `a`'s elements in `shape` laid out in `order` ('C', 'F', or 'K': as `a`
    is, C when that is not known to be C)."""
    out = b.emit("reshape", [a], copy=True, shape=shape)
    out.kind = ARRAY
    if order == "C":
        out.c_order = True
    elif order == "F":
        out.c_order = _f_order_is_c(shape)
    return out


def copy(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.copy(a, order, subok): always a new array (0-d for a scalar)."""
    p = bind(b, "numpy.copy", args, kwargs, ("a", "order", "subok"), {"order": "K",
                                                                      "subok": False})
    order = static(b, p["order"], "order")
    if order not in ("K", "A", "C", "F"):
        raise Unconvertible(f"ValueError: order must be one of 'C', 'F', 'A', or 'K' (got "
                            f"{order!r})", b.where)
    a = as_array(b, p["a"])
    if order == "A":  # F only for an F- and not C-contiguous array
        c, f = contiguity(a) if a.kind == ARRAY else (True, True)
        order = "C" if c or f is False else ("F" if c is False and f else "K")
    return _new_array(b, a, order, a.shape)


def _as_contiguous(order: str) -> Handler:
    """numpy.ascontiguousarray / asfortranarray (a, dtype): NumPy's `array(a, dtype,
    copy=None, order=order, ndmin=1)`: the array itself when it already has that dtype and
    layout, a 1-element view of a 0-d array, else a new array laid out in `order`."""
    name = "numpy.ascontiguousarray" if order == "C" else "numpy.asfortranarray"

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = bind(b, name, args, kwargs, ("a", "dtype", "like"), {"dtype": None, "like": None})
        if p["like"] is not None:
            raise Unconvertible(f"{name}(like=...) is not converted", b.where)
        dt = dtype_arg(b, p["dtype"])
        obj = p["a"]
        if is_tensor(obj) and obj.kind == ARRAY and (dt is None or dt == obj.dtype):
            if obj.ndim == 0:
                return b.emit("reshape", [obj], shape=(1,))  # NumPy's ndmin: a view
            layout = contiguity(obj)[0 if order == "C" else 1]
            if layout is None:
                raise Unconvertible(f"{name} of an array whose memory layout is not known "
                                    "(NumPy returns the array itself or a copy)", b.where)
            if layout:
                return obj
        a = as_array(b, obj) if dt is None else _array_of_dtype(b, obj, dt)
        if dt is not None and a.dtype != dt:
            a = b.emit("astype", [a], dtype=dt)
        return _new_array(b, a, order, a.shape if a.ndim else (1,))

    return handler


def scalar_type(dtype: np.dtype) -> Handler:
    """np.float32(x) and friends: a NumPy scalar of that dtype (or an array for array input).

    A Python scalar converts as Python does: a float to an int through int() (ValueError for
    NaN, OverflowError for inf and beyond the dtype), an int checked against the dtype's range.
    Arrays and NumPy scalars cast as C does (astype).
    """

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) > 1 or kwargs:
            raise Unconvertible(f"numpy.{dtype.name}() takes at most one argument", b.where)
        (x,) = args or [0]
        if not is_tensor(x):
            try:
                value = dtype.type(static(b, x, "a value"))
            except (OverflowError, ValueError, TypeError) as e:
                raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
            # np.float32([1, 2]) is a new array on every call, not one shared constant.
            return lift(b, value) if isinstance(value, np.ndarray) else value
        if x.weak and is_float(x.dtype) and is_int(dtype):
            guard_float_to_int(b, x, dtype, f"numpy.{dtype.name}() of a Python float")
            out = b.emit("astype", [x], dtype=dtype)
        elif x.weak:
            out = cast_weak(b, x, dtype)
            out = copy_array(b, out) if out is x else out
        else:
            out = b.emit("astype", [x], dtype=dtype) if x.dtype != dtype else copy_array(b, x)
        return retyped(out, NP_SCALAR if x.ndim == 0 else ARRAY)

    return handler


def guard_float_to_int(b: GraphBuilder, x: Tensor, dtype: np.dtype, what: str) -> None:
    """Guard that int() of the float `x` is finite and fits `dtype` (NaN fails the test)."""
    if x.dtype != np.float64:
        x = b.emit("astype", [x], PY_SCALAR, dtype=np.dtype(np.float64))
    info = np.iinfo(dtype)
    whole = b.emit("trunc", [x], PY_SCALAR)
    ok = logical(b, "logical_and", compare_const(b, "greater_equal", whole, float(info.min)),
                 compare_const(b, "less", whole, float(info.max + 1)))
    guard_all(b, ok, "value", f"{what} is finite and fits in {np.dtype(dtype).name} (Python "
              "gives a bigger int, or raises for NaN and inf)")


FUNCTIONS: dict[Any, Handler] = {
    np.zeros: _fill(0), np.ones: _fill(1), np.empty: _fill(0), np.full: full,
    np.zeros_like: _like(0), np.ones_like: _like(1), np.empty_like: _like(0),
    np.full_like: _like(None), np.arange: arange, np.array: array, np.asarray: asarray,
    np.linspace: _spaced(np.linspace, ("start", "stop", "num", "endpoint", "retstep", "dtype",
                                       "axis", "device"),
                         {"num": 50, "endpoint": True, "retstep": False, "dtype": None,
                          "axis": 0, "device": None}),
    np.logspace: _spaced(np.logspace, ("start", "stop", "num", "endpoint", "base", "dtype",
                                       "axis"),
                         {"num": 50, "endpoint": True, "base": 10.0, "dtype": None, "axis": 0}),
    np.meshgrid: meshgrid, np.copy: copy, np.ascontiguousarray: _as_contiguous("C"),
    np.asfortranarray: _as_contiguous("F"),
    **{getattr(np, dt): scalar_type(np.dtype(getattr(np, dt)))
       for dt in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "bool_")},
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
