"""Reductions: sum/mean/prod/max/min/all/any, argmax/argmin, var/std."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..compaction import guard_nonempty
from ..errors import Unconvertible
from ..operators import apply
from ..values import ARRAY, Tensor, is_tensor
from .args import Handler, as_array, axes_arg, bind, dtype_arg, scalar_if_0d, static, static_int


# name -> the value a where= mask fills masked-out elements with (None: only `initial` does)
_IDENTITY: dict[str, Any] = {"sum": 0, "prod": 1, "all": True, "any": False, "max": None,
                             "min": None}
_COMBINE = {"sum": "add", "prod": "multiply", "max": "maximum", "min": "minimum"}


def _reduction(op: str) -> Handler:
    # numpy.max/min/all/any take no dtype: their third positional parameter is `out`.
    names: tuple[str, ...] = ("a", "axis", "out", "keepdims") if op in (
        "max", "min", "all", "any") else ("a", "axis", "dtype", "out", "keepdims")
    if op in _COMBINE:  # initial and where follow keepdims positionally
        names = (*names, "initial", "where")

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        kwargs = dict(kwargs)
        mask = kwargs.pop("where", True) if op not in _COMBINE else True
        p = bind(b, f"numpy.{op}", args, kwargs, names,
                  {"axis": None, "dtype": None, "out": None, "keepdims": False,
                   "initial": None, "where": mask})
        a = as_array(b, p["a"])
        dt = dtype_arg(b, p["dtype"])
        if dt is not None and op == "mean" and dt.kind != "f":
            raise Unconvertible(f"numpy.mean(dtype={dt.name}) is not converted", b.where)
        if dt is not None:
            a = b.emit("astype", [a], dtype=dt)
        axes = axes_arg(b, p["axis"], a.ndim)
        keep = bool(static(b, p["keepdims"], "keepdims"))
        initial = static(b, p["initial"], "initial")
        if not (p["where"] is True or (not is_tensor(p["where"]) and np.all(p["where"]))):
            if op == "mean":
                return scalar_if_0d(_masked_mean(b, a, p["where"], axes, keep, dt is not None))
            a = _masked(b, op, a, p["where"], initial)
        if initial is None:
            if op in ("max", "min"):
                guard_nonempty(b, a, axes, op)
            return scalar_if_0d(_in_dtype(b, b.emit(op, [a], axes=axes, keepdims=keep), dt))
        return scalar_if_0d(_in_dtype(b, _with_initial(b, op, a, axes, keep, initial), dt))

    return handler


def _in_dtype(b: GraphBuilder, r: Tensor, dt: np.dtype | None) -> Tensor:
    """A sum or product with dtype= is NumPy's in that dtype: the op accumulates small ints
    in 64 bits (NumPy's default), whose low bits are the dtype's wrapped result."""
    return r if dt is None or r.dtype == dt else b.emit("astype", [r], dtype=dt)


def _masked(b: GraphBuilder, op: str, a: Tensor, where: Any, initial: Any) -> Tensor:
    """`a` with the elements where= leaves out replaced by the reduction's identity (or by
    `initial`: max and min have no identity, NumPy then requires one)."""
    if op not in _IDENTITY:
        raise Unconvertible(f"numpy.{op}(where=...) is not converted", b.where)
    fill = _IDENTITY[op] if _IDENTITY[op] is not None else initial
    if fill is None:
        raise Unconvertible(f"ValueError: reduction operation {op!r} does not have an "
                            "identity, so to use a where mask one has to specify 'initial'",
                            b.where)
    w = _mask(b, where, a.shape)
    return b.emit("where", [w, a, _exact_constant(b, fill, a.dtype)])


def _mask(b: GraphBuilder, where: Any, shape: tuple[int, ...]) -> Tensor:
    """A where= argument: booleans that broadcast to the reduced array's shape."""
    w = as_array(b, where)
    if w.dtype != np.bool_:
        raise Unconvertible("numpy reductions take where= as booleans only", b.where)
    if np.broadcast_shapes(w.shape, shape) != shape:
        raise Unconvertible(f"ValueError: where= of shape {w.shape} does not broadcast to "
                            f"{shape}", b.where)
    return w


def _masked_mean(b: GraphBuilder, a: Tensor, where: Any, axes: tuple[int, ...], keep: bool,
                 given_dtype: bool) -> Tensor:
    """numpy.mean(where=...) as NumPy's `_mean`: the masked sum (in float64 for ints and bools,
    float32 for float16 unless dtype= was given) divided by the count of chosen elements, the
    quotient cast back to the sum's dtype (float16 for float16 input). An empty choice gives
    0/0 = NaN, without NumPy's RuntimeWarning."""
    w = _mask(b, where, a.shape)
    acc = a.dtype
    if not given_dtype and (a.dtype == np.bool_ or np.issubdtype(a.dtype, np.integer)):
        acc = np.dtype(np.float64)
    elif not given_dtype and a.dtype == np.float16:
        acc = np.dtype(np.float32)
    x = b.emit("astype", [a], dtype=acc) if a.dtype != acc else a
    tot = b.emit("sum", [b.emit("where", [w, x, b.constant(np.array(0, acc), ARRAY)])],
                 axes=axes, keepdims=keep)
    chosen = b.emit("broadcast_to", [w], copy=True, shape=a.shape) if w.shape != a.shape else w
    cnt = b.emit("sum", [chosen], axes=axes, keepdims=keep)
    out_dtype = a.dtype if a.dtype == np.float16 and not given_dtype else tot.dtype
    q = apply(b, "divide", [tot, cnt])
    return b.emit("astype", [q], dtype=out_dtype) if q.dtype != out_dtype else q


def _exact(b: GraphBuilder, value: Any, dtype: np.dtype) -> np.ndarray:
    """`value` as a 0-d array of `dtype`, when it converts exactly (else not converted)."""
    if isinstance(value, (bool, np.bool_)) or dtype == np.bool_:
        return np.array(value, dtype=dtype)
    try:
        with np.errstate(all="raise"):
            v = np.array(value, dtype=dtype)
    except (OverflowError, ValueError, TypeError, FloatingPointError):
        raise Unconvertible(f"initial={value!r} does not fit {dtype.name}", b.where) from None
    if not (v == value or (np.isnan(v) and np.isnan(value))):
        raise Unconvertible(f"initial={value!r} is not exactly a {dtype.name}", b.where)
    return v


def _exact_constant(b: GraphBuilder, value: Any, dtype: np.dtype) -> Tensor:
    return b.constant(_exact(b, value, dtype), ARRAY)


def _with_initial(b: GraphBuilder, op: str, a: Tensor, axes: tuple[int, ...], keep: bool,
                  initial: Any) -> Tensor:
    """The reduction started from `initial`: combined with the reduction of `a` (an empty
    max or min is `initial` itself)."""
    if op not in _COMBINE:
        raise Unconvertible(f"numpy.{op}(initial=...) is not converted", b.where)
    if op in ("max", "min") and any(a.shape[i] == 0 for i in axes):
        shape = tuple(1 if i in axes else d for i, d in enumerate(a.shape)) if keep else tuple(
            d for i, d in enumerate(a.shape) if i not in axes)
        return b.constant(np.full(shape, _exact(b, initial, a.dtype)), ARRAY)
    red = b.emit(op, [a], axes=axes, keepdims=keep)
    return b.emit(_COMBINE[op], [red, _exact_constant(b, initial, red.dtype)])


def _arg_reduction(op: str) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = bind(b, f"numpy.{op}", args, kwargs, ("a", "axis", "out", "keepdims"),
                  {"axis": None, "out": None, "keepdims": False})
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
        p = bind(b, "numpy.var", args, kwargs, ("a", "axis", "dtype", "out", "ddof", "keepdims"),
                  {"axis": None, "dtype": None, "out": None, "ddof": 0, "keepdims": False})
        if p["dtype"] is not None:
            raise Unconvertible("numpy.var/std with dtype= is not converted", b.where)
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


FUNCTIONS: dict[Any, Handler] = {
    **{getattr(np, op): _reduction(op) for op in ("sum", "mean", "prod", "max", "min", "all",
                                                   "any")},
    np.amax: _reduction("max"), np.amin: _reduction("min"),
    np.argmax: _arg_reduction("argmax"), np.argmin: _arg_reduction("argmin"),
    np.var: _var_std(False), np.std: _var_std(True),
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {
    **{op: _reduction(op) for op in ("sum", "mean", "prod", "max", "min", "all", "any")},
    "argmax": _arg_reduction("argmax"), "argmin": _arg_reduction("argmin"),
    "var": _var_std(False), "std": _var_std(True),
}
