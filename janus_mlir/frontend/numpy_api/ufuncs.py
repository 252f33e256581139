"""Every ufunc in the op registry, called as a NumPy function, plus the NumPy functions built
from ufuncs: divmod, round/around, fix, nan_to_num, sinc, isposinf and isneginf.

The composed functions apply the same ufuncs, in the same order and dtypes, as NumPy's own
implementation does (`np.round` is multiply, rint, divide with a Python float power of ten;
`np.sinc` is sin(y)/y with y = pi*x and zeros replaced by eps), so results agree exactly where
the ufuncs do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...dialects.types import is_float
from ...ops import OPS
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply
from ..values import ARRAY, Tensor
from .args import (Handler, as_array, bind, no_extra, refuse_out, scalar_if_0d, static,
                   static_int)
from .creation import copy_array
from .outputs import out_array, write_into


def _ufunc(name: str) -> Handler:
    nin = OPS[name].numpy.nin

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        fn = f"numpy.{name}"
        if len(args) > nin + 1 or (len(args) > nin and "out" in kwargs):
            refuse_out(b, fn)
        given = args[nin] if len(args) > nin else kwargs.get("out")
        no_extra(b, {k: v for k, v in kwargs.items() if k != "out"}, (), fn)
        result = apply(b, name, args[:nin])
        out = out_array(b, given, fn)
        return result if out is None else write_into(b, out, result, fn)

    return handler


def divmod_(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """numpy.divmod: the tuple (floor_divide, remainder), each with NumPy's floor semantics."""
    no_extra(b, kwargs, (), "numpy.divmod")
    if len(args) > 2:
        refuse_out(b, "numpy.divmod")
    if len(args) != 2:
        raise Unconvertible("numpy.divmod takes two operands", b.where)
    return apply(b, "floor_divide", args), apply(b, "remainder", args)


def round_(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.round(a, decimals): as NumPy's PyArray_Round. Floats: a * 10**d, rint (half to
    even at the scaled value), / 10**d in a's dtype (d < 0: divide first). Integers: a copy for
    d >= 0, else through float64 and cast back."""
    p = bind(b, "numpy.round", args, kwargs, ("a", "decimals", "out"), {"decimals": 0,
                                                                       "out": None})
    a = as_array(b, p["a"])
    decimals = static_int(b, p["decimals"], "decimals")
    if a.dtype == np.bool_:
        raise Unconvertible("TypeError: Cannot cast ufunc 'multiply' output from "
                            "dtype('float64') to dtype('bool') with casting rule 'same_kind'",
                            b.where)
    if not is_float(a.dtype) and decimals >= 0:
        return scalar_if_0d(copy_array(b, a))
    scale = 10.0 ** abs(decimals)
    first, then = ("multiply", "divide") if decimals >= 0 else ("divide", "multiply")
    out = apply(b, then, [apply(b, "rint", [apply(b, first, [a, scale])]), scale])
    if not is_float(a.dtype):
        if a.dtype.itemsize < 8:  # C converts through a wide int and truncates, as here
            out = b.emit("astype", [out], dtype=np.dtype(np.int64))
        out = b.emit("astype", [out], dtype=a.dtype)
    return scalar_if_0d(out)


def fix(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.fix: ceil below zero, floor above, which is trunc (signed zeros included)."""
    p = bind(b, "numpy.fix", args, kwargs, ("x", "out"), {"out": None})
    return scalar_if_0d(apply(b, "trunc", [as_array(b, p["x"])]))


def nan_to_num(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.nan_to_num with constant replacement values (defaults: 0, the dtype's largest and
    smallest finite values); integer and bool arrays come back as copies."""
    p = bind(b, "numpy.nan_to_num", args, kwargs, ("x", "copy", "nan", "posinf", "neginf"),
             {"copy": True, "nan": 0.0, "posinf": None, "neginf": None})
    if static(b, p["copy"], "copy") is not True:
        raise Unconvertible("numpy.nan_to_num(copy=False) writes in place: not converted",
                            b.where)
    x = as_array(b, p["x"])
    if not is_float(x.dtype):
        return scalar_if_0d(copy_array(b, x))
    info = np.finfo(x.dtype)
    replace = [("isnan", static(b, p["nan"], "nan")),
               ("posinf", static(b, p["posinf"], "posinf")),
               ("neginf", static(b, p["neginf"], "neginf"))]
    out = x
    for test, value in replace:
        if value is None:
            value = info.max if test == "posinf" else info.min
        with np.errstate(over="ignore"):
            const = b.constant(np.array(value).astype(x.dtype), ARRAY)
        if test == "isnan":
            cond = b.emit("isnan", [x])
        else:
            inf = np.array(np.inf if test == "posinf" else -np.inf, dtype=x.dtype)
            cond = b.emit("equal", [x, b.constant(inf, ARRAY)])
        out = b.emit("where", [cond, const, out])
    return scalar_if_0d(out)


def sinc(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.sinc(x) = sin(y) / y with y = pi * x, zeros replaced by the dtype's eps (NumPy's
    own formulation, so sinc(0) is 1 through sin(eps) / eps)."""
    p = bind(b, "numpy.sinc", args, kwargs, ("x",), {})
    x = apply(b, "multiply", [np.pi, as_array(b, p["x"])])
    if not is_float(x.dtype):
        raise Unconvertible(f"numpy.sinc of {x.dtype} values is not converted", b.where)
    eps = b.constant(np.finfo(x.dtype).eps, ARRAY)
    y = b.emit("where", [b.emit("not_equal", [x, b.constant(np.zeros((), x.dtype), ARRAY)]),
                         x, eps])
    return scalar_if_0d(apply(b, "divide", [apply(b, "sin", [y]), y]))


def _signed_inf(negative: bool) -> Handler:
    """numpy.isneginf / isposinf: `logical_and(isinf(x), signbit(x))`, with `~signbit(x)` for
    the positive one (NumPy's own steps; integers go through signbit's float loops)."""
    name = "numpy.isneginf" if negative else "numpy.isposinf"

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        p = bind(b, name, args, kwargs, ("x", "out"), {"out": None})
        x = p["x"] if isinstance(p["x"], (int, float, Tensor)) else as_array(b, p["x"])
        sign = apply(b, "signbit", [x])
        if not negative:
            sign = apply(b, "invert", [sign])
        return apply(b, "logical_and", [apply(b, "isinf", [x]), sign])

    return handler


FUNCTIONS: dict[Any, Handler] = {
    rule.numpy: _ufunc(name) for name, rule in OPS.items()
    if isinstance(rule.numpy, np.ufunc) and name != "matmul"
}
FUNCTIONS.update({np.divmod: divmod_, np.round: round_, np.around: round_, np.fix: fix,
                  np.nan_to_num: nan_to_num, np.sinc: sinc, np.isneginf: _signed_inf(True),
                  np.isposinf: _signed_inf(False)})

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {"round": round_}
