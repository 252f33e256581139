"""NumPy functions and ndarray methods/properties, dispatched by table to janus ops.

`FUNCTIONS` maps a NumPy callable (the object itself: `np.tanh`, `np.sum`) to a handler;
`METHODS` maps an ndarray method name to a handler taking the array first; `PROPERTIES` maps an
ndarray attribute to a handler. Arguments that NumPy needs as constants (axes, shapes, dtypes) must
be known at conversion time; a run-time value there stops the conversion with a reason.

Results have NumPy's kinds: ufuncs, reductions and `take` hand out a 0-d result as a NumPy
scalar; functions that make arrays (`asarray`, `reshape`, `x[...]`) keep 0-d arrays, except that
ndarray methods called on a NumPy scalar give a scalar again. Python scalars passed to a NumPy
function become int64/float64 arrays (no longer weak). Handlers never change the kind of a value
they were given: other names may hold it (values.retyped makes a new wrapper).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..dialects.types import is_float, is_int, is_supported_dtype
from ..ops import OPS
from .builder import GraphBuilder
from .errors import NeedsStatic, Unconvertible
from .operators import (INT64, apply, cast_weak, compare_const, guard_all, lift, logical)
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_py_scalar, is_tensor, retyped

Handler = Callable[[GraphBuilder, list[Any], dict[str, Any]], Any]


# ---------------------------------------------------------------------------------------------
# Constant arguments
# ---------------------------------------------------------------------------------------------


def static(b: GraphBuilder, v: Any, what: str) -> Any:
    """`v` as a Python constant; run-time values cannot be shapes, axes or dtypes."""
    if isinstance(v, (tuple, list)):
        return type(v)(static(b, x, what) for x in v)
    if is_tensor(v):
        if v.source is not None and v.kind in (PY_SCALAR, NP_SCALAR):
            raise NeedsStatic(v.source, b.where)
        raise Unconvertible(f"{what} must be known before the graph runs, but it is computed "
                            "from array data", b.where)
    return v


def static_int(b: GraphBuilder, v: Any, what: str) -> int:
    v = static(b, v, what)
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise Unconvertible(f"{what} must be an integer, got {type(v).__name__}", b.where)
    return int(v)


def shape_arg(b: GraphBuilder, v: Any) -> tuple[int, ...]:
    v = static(b, v, "a shape")
    if isinstance(v, (int, np.integer)):
        return (int(v),)
    return tuple(static_int(b, d, "a shape entry") for d in v)


def dtype_arg(b: GraphBuilder, v: Any) -> np.dtype | None:
    v = static(b, v, "a dtype")
    if v is None:
        return None
    try:
        dt = np.dtype(v)
    except TypeError:
        raise Unconvertible(f"data type {v!r} not understood", b.where) from None
    if not is_supported_dtype(dt):
        raise Unconvertible(f"dtype {dt.name} is not supported by janus", b.where)
    return dt


def axes_arg(b: GraphBuilder, axis: Any, ndim: int) -> tuple[int, ...]:
    """Normalized axes (None = all), raising what NumPy raises for bad ones."""
    axis = static(b, axis, "an axis")
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in items:
        a = static_int(b, a, "an axis")
        if not -ndim <= a < max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
            raise Unconvertible(f"axis {a} is out of bounds for array of dimension {ndim}", b.where)
        out.append(a % max(ndim, 1))
    if len(set(out)) != len(out):
        raise Unconvertible("duplicate value in 'axis'", b.where)
    return tuple(sorted(out))


def _no_extra(b: GraphBuilder, kwargs: dict[str, Any], allowed: Sequence[str], fn: str) -> None:
    extra = [k for k, v in kwargs.items() if k not in allowed and v is not None]
    if extra:
        raise Unconvertible(f"{fn}() argument(s) {extra} are not converted", b.where)


def _bind(b: GraphBuilder, fn: str, args: list[Any], kwargs: dict[str, Any],
          names: Sequence[str], defaults: dict[str, Any]) -> dict[str, Any]:
    if len(args) > len(names):
        raise Unconvertible(f"{fn}() takes at most {len(names)} positional arguments", b.where)
    bound = dict(defaults)
    bound.update(zip(names, args))
    for k, v in kwargs.items():
        if k not in names:
            raise Unconvertible(f"{fn}() got an unexpected keyword argument '{k}'", b.where)
        bound[k] = v
    missing = [n for n in names if n not in bound]
    if missing:
        raise Unconvertible(f"{fn}() missing argument(s) {missing}", b.where)
    return bound


def scalar_if_0d(t: Tensor) -> Tensor:
    """A ufunc's or reduction's result: NumPy hands out a 0-d result as a NumPy scalar."""
    return retyped(t, NP_SCALAR if t.ndim == 0 else ARRAY)


def like_input(a: Tensor, out: Tensor) -> Tensor:
    """An ndarray method's result: on a NumPy scalar, a 0-d result is a NumPy scalar again
    (`np.float64(2).T`, `np.reshape(s, ())`); on an array it stays a 0-d array."""
    if a.kind == NP_SCALAR and out.ndim == 0 and out.kind == ARRAY:
        return retyped(out, NP_SCALAR)
    return out


def as_array(b: GraphBuilder, v: Any) -> Tensor:
    """An operand as NumPy sees it inside a function call (Python scalars become arrays, and
    so lose their weak NEP 50 promotion)."""
    if is_tensor(v):
        return retyped(v, ARRAY) if v.weak else v
    if isinstance(v, (list, tuple)):
        if any(is_tensor(x) for x in v):
            return stack(b, [list(v)], {})
        return b.constant(np.asarray(v), ARRAY)
    return lift(b, np.asarray(v) if is_py_scalar(v) else v)


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------


def _reduction(op: str) -> Handler:
    # numpy.max/min/all/any take no dtype: their third positional parameter is `out`.
    names = ("a", "axis", "out", "keepdims") if op in ("max", "min", "all", "any") else (
        "a", "axis", "dtype", "out", "keepdims")

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = _bind(b, f"numpy.{op}", args, kwargs, names,
                  {"axis": None, "dtype": None, "out": None, "keepdims": False})
        if p["out"] is not None:
            raise Unconvertible(f"numpy.{op}(out=...) is not converted", b.where)
        a = as_array(b, p["a"])
        dt = dtype_arg(b, p["dtype"])
        if dt is not None:
            a = b.emit("astype", [a], dtype=dt)
        axes = axes_arg(b, p["axis"], a.ndim)
        keep = bool(static(b, p["keepdims"], "keepdims"))
        return scalar_if_0d(b.emit(op, [a], axes=axes, keepdims=keep))

    return handler


def _arg_reduction(op: str) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = _bind(b, f"numpy.{op}", args, kwargs, ("a", "axis", "out", "keepdims"),
                  {"axis": None, "out": None, "keepdims": False})
        if p["out"] is not None:
            raise Unconvertible(f"numpy.{op}(out=...) is not converted", b.where)
        a = as_array(b, p["a"])
        axis = static(b, p["axis"], "an axis")
        keep = bool(static(b, p["keepdims"], "keepdims"))
        attrs: dict[str, Any] = {"keepdims": keep}
        if axis is not None:
            attrs["axis"] = axes_arg(b, axis, a.ndim)[0]
        return scalar_if_0d(b.emit(op, [a], **attrs))

    return handler


def _var_std(sqrt: bool) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = _bind(b, "numpy.var", args, kwargs, ("a", "axis", "dtype", "out", "ddof", "keepdims"),
                  {"axis": None, "dtype": None, "out": None, "ddof": 0, "keepdims": False})
        if p["out"] is not None or p["dtype"] is not None:
            raise Unconvertible("numpy.var/std with out= or dtype= is not converted", b.where)
        a = as_array(b, p["a"])
        axes = axes_arg(b, p["axis"], a.ndim)
        keep = bool(static(b, p["keepdims"], "keepdims"))
        mean = b.emit("mean", [a], axes=axes, keepdims=True)
        diff = apply(b, "subtract", [a, mean])
        sq = apply(b, "multiply", [diff, diff])
        # NumPy divides by max(n - ddof, 0): too few degrees of freedom give inf or nan.
        n = int(np.prod([a.shape[i] for i in axes])) - static_int(b, p["ddof"], "ddof")
        total = b.emit("sum", [sq], axes=axes, keepdims=keep)
        var = apply(b, "divide", [total, float(max(n, 0))])
        return scalar_if_0d(apply(b, "sqrt", [var]) if sqrt else var)

    return handler


# ---------------------------------------------------------------------------------------------
# Shape ops
# ---------------------------------------------------------------------------------------------


def reshape_to(b: GraphBuilder, a: Tensor, shape: tuple[int, ...]) -> Tensor:
    if any(d < -1 for d in shape):
        raise Unconvertible(f"negative dimensions not allowed: {shape}", b.where)
    if sum(1 for d in shape if d == -1) > 1:
        raise Unconvertible("can only specify one unknown dimension", b.where)
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1]))
        if known == 0 or a.spec.size % known:
            raise Unconvertible(f"cannot reshape array of size {a.spec.size} into shape {shape}",
                                b.where)
        shape = tuple(a.spec.size // known if d == -1 else d for d in shape)
    if int(np.prod(shape)) != a.spec.size:
        raise Unconvertible(f"cannot reshape array of size {a.spec.size} into shape {shape}",
                            b.where)
    return b.emit("reshape", [a], shape=shape)


def reshape(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _bind(b, "numpy.reshape", args, kwargs, ("a", "shape", "order"), {"order": "C"})
    if static(b, p["order"], "order") != "C":
        raise Unconvertible("reshape with order other than 'C' is not converted", b.where)
    a = as_array(b, p["a"])
    return like_input(a, reshape_to(b, a, shape_arg(b, p["shape"])))


def transpose(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _bind(b, "numpy.transpose", args, kwargs, ("a", "axes"), {"axes": None})
    a = as_array(b, p["a"])
    axes = static(b, p["axes"], "axes")
    perm = tuple(reversed(range(a.ndim))) if axes is None else tuple(
        static_int(b, x, "an axis") for x in axes)
    if any(not -a.ndim <= x < a.ndim for x in perm):
        raise Unconvertible(f"axis out of bounds for array of dimension {a.ndim}", b.where)
    perm = tuple(x % a.ndim for x in perm)
    if sorted(perm) != list(range(a.ndim)):
        raise Unconvertible("axes don't match array", b.where)
    return like_input(a, b.emit("transpose", [a], perm=perm))


def broadcast_to(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _bind(b, "numpy.broadcast_to", args, kwargs, ("array", "shape", "subok"), {"subok": False})
    return b.emit("broadcast_to", [as_array(b, p["array"])], shape=shape_arg(b, p["shape"]))


def expand_dims(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _bind(b, "numpy.expand_dims", args, kwargs, ("a", "axis"), {})
    a = as_array(b, p["a"])
    axis = static(b, p["axis"], "an axis")
    n = len(axis) if isinstance(axis, (tuple, list)) else 1
    return b.emit("expand_dims", [a], axes=axes_arg(b, axis, a.ndim + n))


def squeeze(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.squeeze; with nothing to squeeze NumPy returns the array itself."""
    p = _bind(b, "numpy.squeeze", args, kwargs, ("a", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    if p["axis"] is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        axes = axes_arg(b, p["axis"], a.ndim)
        if any(a.shape[i] != 1 for i in axes):
            raise Unconvertible("cannot select an axis to squeeze out which has size not "
                                "equal to one", b.where)
    if not axes:
        return a
    return like_input(a, b.emit("squeeze", [a], axes=axes))


def _sequence(b: GraphBuilder, seq: Any, fn: str) -> list[Tensor]:
    if is_tensor(seq):
        return [index_first(b, seq, i) for i in range(seq.shape[0])]
    if not isinstance(seq, (list, tuple)) or not seq:
        raise Unconvertible(f"{fn} needs a non-empty list or tuple of arrays", b.where)
    return [as_array(b, x) for x in seq]


def index_first(b: GraphBuilder, a: Tensor, i: int) -> Tensor:
    """a[i] for a constant i (a view NumPy would hand out: rank one less)."""
    if a.ndim == 0:
        raise Unconvertible("iteration over a 0-d array", b.where)
    starts = (i, *[0] * (a.ndim - 1))
    sizes = (1, *a.shape[1:])
    part = b.emit("slice", [a], starts=starts, sizes=sizes, steps=(1,) * a.ndim)
    out = b.emit("reshape", [part], shape=a.shape[1:])
    out.kind = NP_SCALAR if out.ndim == 0 else ARRAY
    return out


def concatenate(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _bind(b, "numpy.concatenate", args, kwargs, ("arrays", "axis", "out", "dtype"),
              {"axis": 0, "out": None, "dtype": None})
    _no_extra(b, {"out": p["out"], "dtype": p["dtype"]}, (), "numpy.concatenate")
    parts = _sequence(b, p["arrays"], "numpy.concatenate")
    axis = static(b, p["axis"], "an axis")
    if axis is None:
        parts = [reshape_to(b, t, (t.spec.size,)) for t in parts]
        axis = 0
    if any(t.ndim == 0 for t in parts):
        raise Unconvertible("zero-dimensional arrays cannot be concatenated", b.where)
    return b.emit("concatenate", parts, axis=axes_arg(b, axis, parts[0].ndim)[0])


def stack(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _bind(b, "numpy.stack", args, kwargs, ("arrays", "axis", "out", "dtype"),
              {"axis": 0, "out": None, "dtype": None})
    _no_extra(b, {"out": p["out"], "dtype": p["dtype"]}, (), "numpy.stack")
    parts = _sequence(b, p["arrays"], "numpy.stack")
    return b.emit("stack", parts, axis=axes_arg(b, p["axis"], parts[0].ndim + 1)[0])


# ---------------------------------------------------------------------------------------------
# Linear algebra, selection
# ---------------------------------------------------------------------------------------------


def matmul(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    _no_extra(b, kwargs, (), "numpy.matmul")
    x, y = (as_array(b, a) for a in args)
    return apply(b, "matmul", [x, y])


def dot(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    _no_extra(b, kwargs, (), "numpy.dot")
    x, y = (as_array(b, a) for a in args)
    if x.ndim == 0 or y.ndim == 0:
        return apply(b, "multiply", [x, y])
    if x.ndim > 2 or y.ndim > 2:
        raise Unconvertible("numpy.dot of arrays with more than 2 dimensions is not converted",
                            b.where)
    return apply(b, "matmul", [x, y])


def where(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    if len(args) != 3 or kwargs:
        raise Unconvertible("numpy.where with one argument returns data-dependent shapes",
                            b.where)
    cond, x, y = args
    cond = as_array(b, cond)
    if cond.dtype != np.bool_:
        cond = b.emit("astype", [cond], dtype=np.dtype(np.bool_))
    # x and y promote like a ufunc's operands (Python scalars weakly).
    loop = np.result_type(*[v.dtype if is_tensor(v) and not v.weak else
                            (v.py_type(0) if is_tensor(v) else v) for v in (x, y)])
    from .operators import cast_weak

    xs = [v if is_tensor(v) and not v.weak else cast_weak(b, v, loop) for v in (x, y)]
    return b.emit("where", [cond, *xs])


def clip(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.clip as maximum then minimum (NumPy's order: a_min > a_max gives a_max); with no
    bound at all a copy. `min=`/`max=` are NumPy 2's spellings of a_min/a_max."""
    for new, old in (("min", "a_min"), ("max", "a_max")):
        if new in kwargs:
            if kwargs.get(old) is not None:
                raise Unconvertible(f"Passed more than one argument for {old}", b.where)
            kwargs = {**{k: v for k, v in kwargs.items() if k != new}, old: kwargs[new]}
    p = _bind(b, "numpy.clip", args, kwargs, ("a", "a_min", "a_max"), {"a_min": None,
                                                                        "a_max": None})
    out = as_array(b, p["a"])
    if p["a_min"] is None and p["a_max"] is None:
        return scalar_if_0d(_copy(b, out))
    if p["a_min"] is not None:
        out = apply(b, "maximum", [out, p["a_min"]])
    if p["a_max"] is not None:
        out = apply(b, "minimum", [out, p["a_max"]])
    return scalar_if_0d(out)


def take(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    from .indexing import take_along

    p = _bind(b, "numpy.take", args, kwargs, ("a", "indices", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    axis = static(b, p["axis"], "an axis")
    if axis is None:
        a, axis = reshape_to(b, a, (a.spec.size,)), 0
    return scalar_if_0d(take_along(b, a, p["indices"], axes_arg(b, axis, a.ndim)[0]))


# ---------------------------------------------------------------------------------------------
# Creation
# ---------------------------------------------------------------------------------------------


def _fill(value: Any) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = _bind(b, "numpy.zeros", args, kwargs, ("shape", "dtype", "order"),
                  {"dtype": None, "order": "C"})
        dt = dtype_arg(b, p["dtype"]) or np.dtype(np.float64)
        return b.emit("full", [], shape=shape_arg(b, p["shape"]), dtype=dt,
                      value=np.array(value).astype(dt).item())

    return handler


def full(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _bind(b, "numpy.full", args, kwargs, ("shape", "fill_value", "dtype", "order"),
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
        p = _bind(b, "numpy.full_like", args, kwargs, names, {"dtype": None})
        a = as_array(b, p["a"])
        dt = dtype_arg(b, p["dtype"]) or a.dtype
        fill = p["fill_value"] if value is None else value
        return full(b, [a.shape, fill, dt], {})

    return handler


def arange(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    dt = dtype_arg(b, kwargs.pop("dtype", None))
    _no_extra(b, kwargs, (), "numpy.arange")
    vals = [static(b, a, "an arange bound") for a in args]
    if len(vals) == 1:
        vals = [0, vals[0]]
    start, stop, step = (*vals, 1) if len(vals) == 2 else vals
    ref = np.arange(start, stop, step, dtype=dt)
    return b.emit("arange", [], shape=ref.shape, dtype=ref.dtype, start=start, step=step)


def array(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.array: a new array, unless copy=False or copy=None (asarray) and the object is
    already an array of that dtype; copy=False raises where a copy is needed."""
    p = _bind(b, "numpy.array", args, kwargs, ("object", "dtype", "copy"), {"dtype": None,
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
    a = as_array(b, obj)
    if dt is not None and a.dtype != dt:
        return b.emit("astype", [a], dtype=dt)
    if a is obj or a.kind != ARRAY:  # never the caller's value itself as a new array
        return _copy(b, a)
    return a


def asarray(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    p = _bind(b, "numpy.asarray", args, kwargs, ("a", "dtype", "order", "device", "copy"),
              {"dtype": None, "order": None, "device": None, "copy": None})
    _no_extra(b, {"order": p["order"], "device": p["device"]}, (), "numpy.asarray")
    return array(b, [p["a"], p["dtype"], p["copy"]], {})


def _copy(b: GraphBuilder, a: Tensor) -> Tensor:
    out = b.emit("reshape", [a], copy=True, shape=a.shape)  # a fresh array the graph owns
    out.kind = ARRAY
    return out


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
            out = _copy(b, out) if out is x else out
        else:
            out = b.emit("astype", [x], dtype=dtype) if x.dtype != dtype else _copy(b, x)
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


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def _ufunc(name: str) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        _no_extra(b, kwargs, (), f"numpy.{name}")
        return apply(b, name, args)

    return handler


FUNCTIONS: dict[Any, Handler] = {}
for _name, _rule in OPS.items():
    if isinstance(_rule.numpy, np.ufunc) and _name != "matmul":
        FUNCTIONS[_rule.numpy] = _ufunc(_name)
for _op in ("sum", "mean", "prod", "max", "min", "all", "any"):
    FUNCTIONS[getattr(np, _op)] = _reduction(_op)
FUNCTIONS.update({
    np.amax: _reduction("max"), np.amin: _reduction("min"),
    np.argmax: _arg_reduction("argmax"), np.argmin: _arg_reduction("argmin"),
    np.var: _var_std(False), np.std: _var_std(True),
    np.matmul: matmul, np.dot: dot, np.where: where, np.clip: clip, np.take: take,
    np.reshape: reshape, np.transpose: transpose, np.broadcast_to: broadcast_to,
    np.expand_dims: expand_dims, np.squeeze: squeeze, np.concatenate: concatenate,
    np.stack: stack, np.zeros: _fill(0), np.ones: _fill(1), np.empty: _fill(0), np.full: full,
    np.zeros_like: _like(0), np.ones_like: _like(1), np.empty_like: _like(0),
    np.full_like: _like(None), np.arange: arange, np.array: array, np.asarray: asarray,
})
for _dt in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "bool_"):
    FUNCTIONS[getattr(np, _dt)] = scalar_type(np.dtype(getattr(np, _dt)))


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
    p = _bind(b, "ndarray.astype", args, kwargs, ("a", "dtype", "order", "casting", "subok",
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
    out = b.emit("astype", [a], dtype=dt) if a.dtype != dt else _copy(b, a)
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
    target = kind or {"b": bool, "i": int, "f": float}[a.dtype.kind]
    dt = {bool: np.dtype(np.bool_), int: INT64, float: np.dtype(np.float64)}[target]
    if target is int and is_float(a.dtype):
        guard_float_to_int(b, a, INT64, "int() of a float")
    out = b.emit("astype", [a], PY_SCALAR, dtype=dt) if a.dtype != dt else _copy(b, a)
    return retyped(out, PY_SCALAR)


def _c_order_only(b: GraphBuilder, order: Any, fn: str, keep_ok: bool = False) -> None:
    """Only C order is converted ('K' and 'A' too where the result keeps the input's layout,
    as the builder models it): 'F' changes the element order of ravel/flatten and the memory
    layout of copies."""
    order = static(b, order, "order")
    if order not in ("C", *(("K", "A") if keep_ok else ())):
        raise Unconvertible(f"{fn}(order={order!r}) is not converted", b.where)


def _order_arg(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any], fn: str) -> Tensor:
    p = _bind(b, fn, args, kwargs, ("a", "order"), {"order": "C"})
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
    return _copy(b, _order_arg(b, args, kwargs, "ndarray.copy"))


def _method(name: str, fn: Handler) -> Handler:
    """An ndarray method: NumPy scalars have it too (a 0-d result is a scalar again), Python
    scalars do not."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        _array_attribute(b, args[0], name)
        out = fn(b, args, kwargs)
        return like_input(args[0], out) if is_tensor(out) else out

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


METHODS: dict[str, Handler] = {
    "sum": _reduction("sum"), "mean": _reduction("mean"), "prod": _reduction("prod"),
    "max": _reduction("max"), "min": _reduction("min"), "all": _reduction("all"),
    "any": _reduction("any"), "argmax": _arg_reduction("argmax"),
    "argmin": _arg_reduction("argmin"), "var": _var_std(False), "std": _var_std(True),
    "reshape": _shape_varargs(reshape), "transpose": _shape_varargs(transpose),
    "squeeze": squeeze, "astype": _astype, "item": _item, "clip": clip, "dot": dot,
    "flatten": _flatten, "ravel": _ravel, "copy": _copy_method, "take": take,
}
METHODS = {name: _method(name, fn) for name, fn in METHODS.items()}

PROPERTIES: dict[str, Callable[[GraphBuilder, Tensor], Any]] = {
    "shape": lambda b, a: a.shape,
    "ndim": lambda b, a: a.ndim,
    "size": lambda b, a: a.spec.size,
    "dtype": lambda b, a: a.dtype,
    "T": lambda b, a: transpose(b, [a], {}),
    "mT": lambda b, a: transpose(b, [a, (*range(a.ndim - 2), a.ndim - 1, a.ndim - 2)], {}),
}
PROPERTIES = {name: _property(name, fn) for name, fn in PROPERTIES.items()}
