"""Reductions: sum/mean/prod/max/min/all/any, argmax/argmin, var/std."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply
from .args import Handler, as_array, axes_arg, bind, dtype_arg, scalar_if_0d, static, static_int


def _reduction(op: str) -> Handler:
    # numpy.max/min/all/any take no dtype: their third positional parameter is `out`.
    names = ("a", "axis", "out", "keepdims") if op in ("max", "min", "all", "any") else (
        "a", "axis", "dtype", "out", "keepdims")

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = bind(b, f"numpy.{op}", args, kwargs, names,
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
        p = bind(b, f"numpy.{op}", args, kwargs, ("a", "axis", "out", "keepdims"),
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
        p = bind(b, "numpy.var", args, kwargs, ("a", "axis", "dtype", "out", "ddof", "keepdims"),
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
