"""NumPy functions and ndarray methods/properties, dispatched by table to janus ops.

`FUNCTIONS` maps a NumPy callable (the object itself: `np.tanh`, `np.sum`) to a handler;
`METHODS` maps an ndarray method name to a handler taking the array first; `PROPERTIES` maps an
ndarray attribute to a handler. Arguments that NumPy needs as constants (axes, shapes, dtypes) must
be known at conversion time; a run-time value there stops the conversion with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..dialects.types import is_supported_dtype
from ..ops import OPS
from .builder import GraphBuilder
from .errors import NeedsStatic, Unconvertible
from .operators import apply, lift
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_py_scalar, is_tensor

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


def _scalarize(t: Tensor) -> Tensor:
    t.kind = NP_SCALAR if t.ndim == 0 else ARRAY
    return t


def as_array(b: GraphBuilder, v: Any) -> Tensor:
    """An operand as NumPy sees it inside a function call (Python scalars become arrays)."""
    if is_tensor(v):
        return v
    if isinstance(v, (list, tuple)):
        if any(is_tensor(x) for x in v):
            return stack(b, [list(v)], {})
        return b.constant(np.asarray(v), ARRAY)
    return lift(b, np.asarray(v) if is_py_scalar(v) else v)


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------


def _reduction(op: str) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = _bind(b, f"numpy.{op}", args, kwargs, ("a", "axis", "dtype", "out", "keepdims"),
                  {"axis": None, "dtype": None, "out": None, "keepdims": False})
        if p["out"] is not None:
            raise Unconvertible(f"numpy.{op}(out=...) is not converted", b.where)
        a = as_array(b, p["a"])
        dt = dtype_arg(b, p["dtype"])
        if dt is not None:
            a = b.emit("astype", [a], dtype=dt)
        axes = axes_arg(b, p["axis"], a.ndim)
        keep = bool(static(b, p["keepdims"], "keepdims"))
        return _scalarize(b.emit(op, [a], axes=axes, keepdims=keep))

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
        return _scalarize(b.emit(op, [a], **attrs))

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
        n = int(np.prod([a.shape[i] for i in axes])) - static_int(b, p["ddof"], "ddof")
        total = b.emit("sum", [sq], axes=axes, keepdims=keep)
        var = apply(b, "divide", [total, float(n)])
        return _scalarize(apply(b, "sqrt", [var]) if sqrt else var)

    return handler


# ---------------------------------------------------------------------------------------------
# Shape ops
# ---------------------------------------------------------------------------------------------


def reshape_to(b: GraphBuilder, a: Tensor, shape: tuple[int, ...]) -> Tensor:
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
    return reshape_to(b, as_array(b, p["a"]), shape_arg(b, p["shape"]))


def transpose(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _bind(b, "numpy.transpose", args, kwargs, ("a", "axes"), {"axes": None})
    a = as_array(b, p["a"])
    axes = static(b, p["axes"], "axes")
    perm = tuple(reversed(range(a.ndim))) if axes is None else tuple(
        static_int(b, x, "an axis") % max(a.ndim, 1) for x in axes)
    if sorted(perm) != list(range(a.ndim)):
        raise Unconvertible("axes don't match array", b.where)
    return b.emit("transpose", [a], perm=perm)


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
    p = _bind(b, "numpy.squeeze", args, kwargs, ("a", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    if p["axis"] is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        axes = axes_arg(b, p["axis"], a.ndim)
        if any(a.shape[i] != 1 for i in axes):
            raise Unconvertible("cannot select an axis to squeeze out which has size not "
                                "equal to one", b.where)
    return b.emit("squeeze", [a], axes=axes)


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
    p = _bind(b, "numpy.clip", args, kwargs, ("a", "a_min", "a_max"), {"a_min": None,
                                                                        "a_max": None})
    out = as_array(b, p["a"])
    if p["a_min"] is not None:
        out = apply(b, "maximum", [out, p["a_min"]])
    if p["a_max"] is not None:
        out = apply(b, "minimum", [out, p["a_max"]])
    return _scalarize(out)


def take(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    from .indexing import take_along

    p = _bind(b, "numpy.take", args, kwargs, ("a", "indices", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    axis = static(b, p["axis"], "an axis")
    if axis is None:
        a, axis = reshape_to(b, a, (a.spec.size,)), 0
    return take_along(b, a, p["indices"], axes_arg(b, axis, a.ndim)[0])


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
        src = b.emit("astype", [fill], dtype=dt) if fill.dtype != dt else fill
        return b.emit("broadcast_to", [src], shape=shape)
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
    p = _bind(b, "numpy.array", args, kwargs, ("object", "dtype", "copy"), {"dtype": None,
                                                                            "copy": True})
    dt = dtype_arg(b, p["dtype"])
    obj = p["object"]
    a = as_array(b, obj)
    if dt is not None and a.dtype != dt:
        a = b.emit("astype", [a], dtype=dt)
    elif is_tensor(obj) and obj.kind == ARRAY:
        return obj if p["copy"] is False else _copy(b, obj)
    out = b.emit("reshape", [a], shape=a.shape) if a.kind != ARRAY else a
    out.kind = ARRAY
    return out


def asarray(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if args and is_tensor(args[0]) and args[0].kind == ARRAY and not kwargs.get("dtype"):
        return args[0]
    return array(b, args, {**kwargs, "copy": False})


def _copy(b: GraphBuilder, a: Tensor) -> Tensor:
    out = b.emit("reshape", [a], copy=True, shape=a.shape)  # a fresh array the graph owns
    out.kind = ARRAY
    return out


def scalar_type(dtype: np.dtype) -> Handler:
    """np.float32(x) and friends: a NumPy scalar of that dtype (or an array for array input)."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        (x,) = args or [0]
        if not is_tensor(x):
            return dtype.type(static(b, x, "a value"))
        out = b.emit("astype", [x], dtype=dtype) if x.dtype != dtype else _copy(b, x)
        out.kind = NP_SCALAR if x.ndim == 0 else ARRAY
        return out

    return handler


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
    a, dtype = args[0], (args[1] if len(args) > 1 else kwargs.get("dtype"))
    dt = dtype_arg(b, dtype)
    if kwargs.get("copy", True) is False and a.dtype == dt:
        return a
    out = b.emit("astype", [a], dtype=dt) if a.dtype != dt else _copy(b, a)
    out.kind = ARRAY if a.kind == ARRAY else NP_SCALAR
    return out


def _item(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    a = args[0]
    if len(args) > 1 or a.spec.size != 1:
        raise Unconvertible("item() needs a one-element array", b.where)
    out = reshape_to(b, a, ()) if a.ndim else a
    return to_python_scalar(b, out)


def to_python_scalar(b: GraphBuilder, a: Tensor, kind: type | None = None) -> Tensor:
    """int(a) / float(a) / bool(a) / a.item() of a one-element array: a Python scalar."""
    if a.spec.size != 1:
        raise Unconvertible("only one-element arrays can be converted to Python scalars",
                            b.where)
    if a.ndim:
        a = reshape_to(b, a, ())
    target = kind or {"b": bool, "i": int, "f": float}[a.dtype.kind]
    dt = {bool: np.dtype(np.bool_), int: np.dtype(np.int64), float: np.dtype(np.float64)}[target]
    out = b.emit("astype", [a], PY_SCALAR, dtype=dt) if a.dtype != dt else _copy(b, a)
    out.kind = PY_SCALAR
    return out


def _ravel(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """x.ravel(): a view when NumPy's reshape(-1) is one (the heap model decides)."""
    return reshape_to(b, args[0], (args[0].spec.size,))


def _flatten(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """x.flatten(): always a copy."""
    out = b.emit("reshape", [args[0]], copy=True, shape=(args[0].spec.size,))
    out.kind = ARRAY
    return out


def _copy_method(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    return _copy(b, args[0])


METHODS: dict[str, Handler] = {
    "sum": _reduction("sum"), "mean": _reduction("mean"), "prod": _reduction("prod"),
    "max": _reduction("max"), "min": _reduction("min"), "all": _reduction("all"),
    "any": _reduction("any"), "argmax": _arg_reduction("argmax"),
    "argmin": _arg_reduction("argmin"), "var": _var_std(False), "std": _var_std(True),
    "reshape": _shape_varargs(reshape), "transpose": _shape_varargs(transpose),
    "squeeze": squeeze, "astype": _astype, "item": _item, "clip": clip, "dot": dot,
    "flatten": _flatten, "ravel": _ravel, "copy": _copy_method, "take": take,
}

PROPERTIES: dict[str, Callable[[GraphBuilder, Tensor], Any]] = {
    "shape": lambda b, a: a.shape,
    "ndim": lambda b, a: a.ndim,
    "size": lambda b, a: a.spec.size,
    "dtype": lambda b, a: a.dtype,
    "T": lambda b, a: transpose(b, [a], {}),
    "mT": lambda b, a: transpose(b, [a, (*range(a.ndim - 2), a.ndim - 1, a.ndim - 2)], {}),
}
