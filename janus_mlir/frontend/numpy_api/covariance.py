"""Statistics of several variables: cov and corrcoef.

Each follows the steps of NumPy 2.4's own implementation (`numpy/lib/_function_base_impl.py`):
the variables as rows of a 2-d array in `result_type(m, y, float64)` (or dtype=), centred on
their means, multiplied by their own transpose and scaled by 1 / (samples - ddof) as NumPy
scales (a float64 factor, infinite when there are too few samples), then squeezed; corrcoef
divides by the standard deviations and clips to [-1, 1]. NumPy's RuntimeWarnings (too few
degrees of freedom, an empty mean) are not raised. Weights (fweights=, aweights=) are not
converted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import NeedsStaticShape, Unconvertible
from ..operators import FLOAT64, apply
from ..values import ARRAY, Tensor, retyped
from .args import Handler, as_array, bind, dtype_arg, static
from .matrices import diagonal
from .shapes import reshape_to


def _rows(b: GraphBuilder, v: Any, dt: np.dtype, what: str) -> tuple[Tensor, int]:
    """(`v` as an array of dtype `dt` with at least 2 dims, v's own ndim)."""
    t = as_array(b, v)
    if t.ndim > 2:
        raise Unconvertible(f"ValueError: {what} has more than 2 dimensions", b.where)
    if not t.spec.static:
        raise NeedsStaticShape(f"numpy.cov of {what} with a symbolic dim", b.where)
    ndim = t.ndim
    if t.dtype != dt:
        t = b.emit("astype", [t], dtype=dt)
    if ndim < 2:
        t = reshape_to(b, t, (1,) * (2 - ndim) + t.shape)
    return t, ndim


def _transpose(b: GraphBuilder, t: Tensor) -> Tensor:
    return b.emit("transpose", [t], perm=(1, 0))


def _cov(b: GraphBuilder, p: dict[str, Any], fn: str) -> Tensor:
    """NumPy's cov of bound arguments: a 0-d or 2-d array of the samples' dtype."""
    ddof = static(b, p.get("ddof"), "ddof")
    if ddof is not None and ddof != int(ddof):
        raise Unconvertible("ValueError: ddof must be integer", b.where)
    rowvar, bias = bool(static(b, p["rowvar"], "rowvar")), static(b, p["bias"], "bias")
    m = as_array(b, p["m"])
    y = None if p["y"] is None else as_array(b, p["y"])
    dt = dtype_arg(b, p["dtype"])
    if dt is None:
        dt = np.result_type(m.dtype, *([] if y is None else [y.dtype]), np.float64)
    if dt.kind != "f":
        raise Unconvertible(f"{fn}(dtype={dt.name}) subtracts float means from {dt.name} "
                            "samples in place (NumPy raises): not converted", b.where)
    x, m_ndim = _rows(b, m, dt, "m")
    if not rowvar and m_ndim != 1:
        x = _transpose(b, x)
    if x.shape[0] == 0:
        return b.constant(np.array([]).reshape(0, 0), ARRAY)
    if y is not None:
        rows, _ = _rows(b, y, dt, "y")
        if not rowvar and rows.shape[0] != 1:
            rows = _transpose(b, rows)
        if rows.shape[1] != x.shape[1]:
            raise Unconvertible("ValueError: all the input array dimensions except for the "
                                "concatenation axis must match exactly", b.where)
        x = b.emit("concatenate", [x, rows], axis=0)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    fact = x.shape[1] - ddof
    if fact <= 0:
        fact = 0.0
    avg = b.emit("mean", [x], axes=(1,), keepdims=True)
    centred = retyped(apply(b, "subtract", [x, avg]), ARRAY)
    c = apply(b, "matmul", [centred, _transpose(b, centred)])
    with np.errstate(divide="ignore"):
        scale = b.constant(np.true_divide(1, fact), ARRAY)
    if c.dtype == FLOAT64:  # c *= 1/fact: in float64, cast back to c's dtype
        c = apply(b, "multiply", [c, scale])
    else:
        wide = apply(b, "multiply", [b.emit("astype", [c], dtype=FLOAT64), scale])
        c = b.emit("astype", [wide], dtype=c.dtype)
    squeezed = tuple(d for d in c.shape if d != 1)
    return b.emit("reshape", [c], copy=True, shape=squeezed)


def _keyword_only_dtype(b: GraphBuilder, args: list[Any], n: int, fn: str) -> None:
    if len(args) > n:
        raise Unconvertible(f"TypeError: {fn}() takes at most {n} positional arguments (dtype "
                            "is keyword-only)", b.where)


_COV_ARGS = ("m", "y", "rowvar", "bias", "ddof", "fweights", "aweights", "dtype")


def cov(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.cov(m, y, rowvar, bias, ddof, dtype=...) without weights."""
    _keyword_only_dtype(b, args, len(_COV_ARGS) - 1, "numpy.cov")
    p = bind(b, "numpy.cov", args, kwargs, _COV_ARGS,
             {"y": None, "rowvar": True, "bias": False, "ddof": None, "fweights": None,
              "aweights": None, "dtype": None})
    if p["fweights"] is not None or p["aweights"] is not None:
        raise Unconvertible("numpy.cov with fweights= or aweights= is not converted", b.where)
    return _cov(b, p, "numpy.cov")


def corrcoef(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.corrcoef(x, y, rowvar, dtype=...): cov divided by the outer product of the
    standard deviations, clipped to [-1, 1]; one variable gives c / c (a NumPy scalar: NaN
    for a zero, infinite or NaN variance, else 1)."""
    _keyword_only_dtype(b, args, 3, "numpy.corrcoef")
    p = bind(b, "numpy.corrcoef", args, kwargs, ("x", "y", "rowvar", "dtype"),
             {"y": None, "rowvar": True, "dtype": None})
    c = _cov(b, {"m": p["x"], "y": p["y"], "rowvar": p["rowvar"], "bias": False,
                 "dtype": p["dtype"]}, "numpy.corrcoef")
    if c.ndim == 0:
        return apply(b, "divide", [c, c])
    stddev = apply(b, "sqrt", [diagonal(b, [c], {})])
    c = apply(b, "divide", [c, reshape_to(b, stddev, (-1, 1))])
    c = apply(b, "divide", [c, reshape_to(b, stddev, (1, -1))])
    return retyped(apply(b, "minimum", [apply(b, "maximum", [c, -1]), 1]), ARRAY)


FUNCTIONS: dict[Any, Handler] = {np.cov: cov, np.corrcoef: corrcoef}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
