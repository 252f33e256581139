"""Sampled functions and polynomials: gradient (finite differences), interp (piecewise-linear
interpolation), trapezoid (the trapezoidal rule) and polyval (Horner's rule).

gradient follows NumPy 2.4's `numpy.gradient` with uniform spacing (unit, or one scalar per
axis or for all axes) and edge_order=1: central differences `(f[2:] - f[:-2]) / (2. * dx)`
inside, one-sided ones at both ends, integers computed in float64. interp follows NumPy's C
`arr_interp` element by element: everything in float64, `left`/`right` outside the samples,
`fp[j]` on a sample point, else `slope * (x - xp[j]) + fp[j]` (from the right end when that is
NaN); the graph guards that `xp` is increasing, where every search NumPy may use finds the
same interval. trapezoid and polyval are NumPy's own few lines, operator by operator, so their
dtypes (ints and bools integrate in float64; polyval starts from zeros_like(x)) are NumPy's.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ...dialects.types import is_float
from ..builder import GraphBuilder
from ..errors import NeedsStaticShape, Unconvertible
from ..operators import FLOAT64, INT64, apply, guard_all
from ..values import ARRAY, Tensor, is_tensor, retyped
from .creation import FUNCTIONS as CREATION
from .reductions import FUNCTIONS as REDUCTIONS
from .args import Handler, as_array, bind, scalar_if_0d, static, static_int
from .scans import diff, slice_axis
from .shapes import axis_tuple, index_first, reshape_to


# ---------------------------------------------------------------------------------------------
# gradient
# ---------------------------------------------------------------------------------------------


def _spacings(b: GraphBuilder, varargs: list[Any], n_axes: int) -> list[Any]:
    """One scalar spacing per axis (NumPy's `dx`); coordinate arrays are not converted."""
    if not varargs:
        return [1.0] * n_axes
    dims = [v.ndim if is_tensor(v) else np.ndim(v) for v in varargs]
    if len(varargs) == 1 and dims[0] == 0:
        return list(varargs) * n_axes
    if len(varargs) != n_axes:
        raise Unconvertible("TypeError: invalid number of arguments", b.where)
    if any(dims):
        raise Unconvertible("numpy.gradient with sample coordinates (1-d spacing) is not "
                            "converted", b.where)
    return list(varargs)


def _cast(b: GraphBuilder, t: Tensor, dt: np.dtype) -> Tensor:
    return retyped(b.emit("astype", [t], dtype=dt) if t.dtype != dt else t, ARRAY)


def _difference(b: GraphBuilder, f: Tensor, ax: int, hi: int, lo: int, size: int,
                by: Any) -> Tensor:
    """(f[hi:hi + size] - f[lo:lo + size]) / by along `ax`."""
    d = apply(b, "subtract", [slice_axis(b, f, ax, hi, size), slice_axis(b, f, ax, lo, size)])
    return apply(b, "divide", [d, by])


def gradient(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.gradient(f, *varargs, axis, edge_order): an array per axis (one array for one
    axis, a tuple otherwise)."""
    if not args:
        raise Unconvertible("TypeError: gradient() missing argument 'f'", b.where)
    extra = sorted(set(kwargs) - {"axis", "edge_order"})
    if extra:
        raise Unconvertible(f"TypeError: gradient() got unexpected keyword arguments {extra}",
                            b.where)
    f = as_array(b, args[0])
    axis = static(b, kwargs.get("axis"), "an axis")
    axes = tuple(range(f.ndim)) if axis is None else axis_tuple(b, axis, f.ndim)
    dxs = _spacings(b, list(args[1:]), len(axes))
    edge_order = static_int(b, kwargs.get("edge_order", 1), "edge_order")
    if edge_order > 2:
        raise Unconvertible("ValueError: 'edge_order' greater than 2 not supported", b.where)
    if edge_order != 1:
        raise Unconvertible(f"numpy.gradient(edge_order={edge_order}) is not converted",
                            b.where)
    if f.dtype == np.bool_:
        raise Unconvertible("TypeError: numpy.gradient of booleans subtracts booleans",
                            b.where)
    if not f.spec.static:
        raise NeedsStaticShape("numpy.gradient with a symbolic dim", b.where)
    otype = f.dtype if is_float(f.dtype) else FLOAT64
    f = _cast(b, f, otype)
    outs = []
    for ax, dx in zip(axes, dxs):
        n = f.shape[ax]
        if n < edge_order + 1:
            raise Unconvertible("ValueError: Shape of array too small to calculate a numerical "
                                "gradient, at least (edge_order + 1) elements are required.",
                                b.where)

        two_dx = apply(b, "multiply", [2.0, dx], static_fn=operator.mul)
        parts = [_difference(b, f, ax, 1, 0, 1, dx),
                 _difference(b, f, ax, 2, 0, n - 2, two_dx),
                 _difference(b, f, ax, n - 1, n - 2, 1, dx)]
        outs.append(b.emit("concatenate", [_cast(b, t, otype) for t in parts], axis=ax))
    return outs[0] if len(outs) == 1 else tuple(outs)


# ---------------------------------------------------------------------------------------------
# interp
# ---------------------------------------------------------------------------------------------


def _samples(b: GraphBuilder, v: Any, what: str) -> Tensor:
    """xp or fp: a 1-d float64 array (NumPy casts safely, which every supported dtype is)."""
    t = as_array(b, v)
    if t.ndim != 1:
        raise Unconvertible(f"ValueError: numpy.interp needs {what} 1-d (NumPy: object of "
                            "too small depth / too deep for desired array)", b.where)
    if not t.spec.static:
        raise NeedsStaticShape(f"numpy.interp with a symbolic number of {what}", b.where)
    return _cast(b, t, FLOAT64)


def _fill(b: GraphBuilder, v: Any, default: Tensor, what: str) -> Tensor:
    """left / right as a float64 value (NumPy's PyFloat_AsDouble), `default` for None."""
    if v is None:
        return default
    if is_tensor(v):
        if v.ndim:
            raise Unconvertible(f"TypeError: numpy.interp({what}=...) needs a number",
                                b.where)
        return _cast(b, v, FLOAT64)
    try:
        return b.constant(np.float64(float(static(b, v, what))), ARRAY)
    except (TypeError, ValueError) as e:
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None


def _check_increasing(b: GraphBuilder, given: Any, xp: Tensor) -> None:
    """xp is increasing (ties allowed, no NaN): NumPy does not check, and its search finds the
    interval only then."""
    why = ("xp is increasing (NumPy does not check; for other xp its result depends on how it "
           "searches)")
    if not is_tensor(given) and not (isinstance(given, (list, tuple)) and any(
            is_tensor(v) for v in given)):
        values = np.asarray(given, dtype=np.float64)
        if not np.all(values[1:] >= values[:-1]):
            raise Unconvertible(f"numpy.interp: not {why}", b.where)
        return
    n = xp.shape[0]
    up = b.emit("greater_equal", [slice_axis(b, xp, 0, 1, n - 1), slice_axis(b, xp, 0, 0, n - 1)])
    guard_all(b, up, "value", why)


def interp(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.interp(x, xp, fp, left, right) with period=None: float64 values of x's shape (a
    NumPy scalar for a 0-d x)."""
    p = bind(b, "numpy.interp", args, kwargs, ("x", "xp", "fp", "left", "right", "period"),
             {"left": None, "right": None, "period": None})
    if p["period"] is not None:
        raise Unconvertible("numpy.interp(period=...) is not converted", b.where)
    fp, xp = _samples(b, p["fp"], "fp"), _samples(b, p["xp"], "xp")
    x = _cast(b, as_array(b, p["x"]), FLOAT64)
    n = xp.shape[0]
    if n == 0 and x.spec.size != 0:
        raise Unconvertible("ValueError: array of sample points is empty", b.where)
    if fp.shape[0] != n:
        raise Unconvertible("ValueError: fp and xp are not of the same length.", b.where)
    if x.spec.size == 0:
        return b.emit("full", [], shape=x.shape, dtype=FLOAT64, value=0.0)
    xp0, xpn, fp0, fpn = (b.emit("reshape", [slice_axis(b, t, 0, i, 1)], copy=True, shape=())
                          for t in (xp, fp) for i in (0, n - 1))
    lval, rval = _fill(b, p["left"], fp0, "left"), _fill(b, p["right"], fpn, "right")

    def where(cond: Tensor, yes: Tensor, no: Tensor) -> Tensor:
        return b.emit("where", [cond, yes, no])

    def cmp(name: str, u: Tensor, v: Tensor) -> Tensor:
        return b.emit(name, [u, v])

    if n == 1:
        out = where(cmp("less", x, xp0), lval, where(cmp("greater", x, xp0), rval, fp0))
        return scalar_if_0d(retyped(out, ARRAY))
    _check_increasing(b, p["xp"], xp)
    raw = apply(b, "subtract", [b.emit("searchsorted", [xp, x], right=True), 1])
    j = apply(b, "minimum", [apply(b, "maximum", [raw, 0]), n - 2])

    def at(t: Tensor, idx: Tensor) -> Tensor:
        return b.emit("gather", [t, idx], axes=(0,), position=0)

    j1 = apply(b, "add", [j, 1])
    xj, xj1, fj, fj1 = at(xp, j), at(xp, j1), at(fp, j), at(fp, j1)
    slope = apply(b, "divide", [apply(b, "subtract", [fj1, fj]), apply(b, "subtract", [xj1, xj])])
    res = apply(b, "add", [apply(b, "multiply", [slope, apply(b, "subtract", [x, xj])]), fj])
    res = where(b.emit("isnan", [res]), apply(b, "add", [
        apply(b, "multiply", [slope, apply(b, "subtract", [x, xj1])]), fj1]), res)
    res = where(apply(b, "logical_and", [b.emit("isnan", [res]), cmp("equal", fj, fj1)]), fj, res)
    res = where(cmp("equal", xj, x), fj, res)
    res = where(cmp("equal", raw, b.constant(np.array(n - 1, INT64), ARRAY)), fpn, res)
    res = where(cmp("equal", raw, b.constant(np.array(-1, INT64), ARRAY)), lval, res)
    res = where(cmp("greater", x, xpn), rval, res)
    res = where(b.emit("isnan", [x]), x, res)
    return scalar_if_0d(retyped(res, ARRAY))


# ---------------------------------------------------------------------------------------------
# trapezoid and polyval
# ---------------------------------------------------------------------------------------------


def trapezoid(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.trapezoid(y, x=None, dx=1.0, axis=-1): `(d * (y[1:] + y[:-1]) / 2.0).sum(axis)`
    along the axis, d being dx, or diff(x) (a 1-d x laid along the axis)."""
    p = bind(b, "numpy.trapezoid", args, kwargs, ("y", "x", "dx", "axis"),
             {"x": None, "dx": 1.0, "axis": -1})
    y = as_array(b, p["y"])
    axis = static_int(b, p["axis"], "an axis")
    if not -y.ndim <= axis < y.ndim:
        raise Unconvertible("IndexError: list assignment index out of range", b.where)
    if p["x"] is None:
        d = p["dx"] if isinstance(p["dx"], (int, float, Tensor)) else as_array(b, p["dx"])
    else:
        x = as_array(b, p["x"])
        if x.ndim == 1:
            d = diff(b, [x], {})
            shape = [1] * y.ndim
            shape[axis] = d.shape[0]
            d = reshape_to(b, d, tuple(shape))
        else:
            d = diff(b, [x], {"axis": axis})
    ax = axis % y.ndim
    n = max(y.shape[ax] - 1, 0)
    pair = apply(b, "add", [slice_axis(b, y, ax, 1, n), slice_axis(b, y, ax, 0, n)],
                 static_fn=operator.add)
    area = apply(b, "divide",
                 [apply(b, "multiply", [d, pair], static_fn=operator.mul), 2.0],
                 static_fn=operator.truediv)
    return REDUCTIONS[np.sum](b, [area], {"axis": axis})


def polyval(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.polyval(p, x) by Horner's rule as NumPy runs it: y = zeros_like(x), then
    y = y * x + pv for each coefficient pv (an element, or a row, of p)."""
    p = bind(b, "numpy.polyval", args, kwargs, ("p", "x"), {})
    coeffs = p["p"]
    if is_tensor(coeffs) or (isinstance(coeffs, (list, tuple)) and any(
            is_tensor(c) for c in coeffs)):
        c = as_array(b, coeffs)
        if c.ndim == 0:
            raise Unconvertible("TypeError: iteration over a 0-d array", b.where)
        if not isinstance(c.shape[0], int):
            raise NeedsStaticShape("numpy.polyval with a symbolic number of coefficients",
                                   b.where)
        terms: list[Any] = [index_first(b, c, i) for i in range(c.shape[0])]
    else:
        values = np.asarray(coeffs)
        if values.ndim == 0:
            raise Unconvertible("TypeError: iteration over a 0-d array", b.where)
        terms = list(values)
    x = as_array(b, p["x"])
    y = CREATION[np.zeros_like](b, [x], {})
    for pv in terms:
        y = apply(b, "add", [apply(b, "multiply", [y, x], static_fn=operator.mul), pv],
                  static_fn=operator.add)
    return y


FUNCTIONS: dict[Any, Handler] = {np.gradient: gradient, np.interp: interp,
                                 np.trapezoid: trapezoid, np.polyval: polyval}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
