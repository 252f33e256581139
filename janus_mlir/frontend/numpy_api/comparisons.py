"""Comparisons of whole arrays: isclose, allclose, array_equal, array_equiv.

Each follows the steps of NumPy 2.4's own implementation (`numpy/_core/numeric.py`), so dtypes
and result kinds are NumPy's: isclose keeps Python scalars weak and makes `b` inexact first
(`result_type(b, 1.0)`; a Python int becomes a float), then computes
`less_equal(abs(a - b), atol + rtol * abs(b)) & isfinite(b) | (a == b)`, a NumPy scalar for a
0-d result. allclose, array_equal and array_equiv reduce with `all` and hand out a Python bool:
a rank-0 graph value that becomes `bool` when the graph returns. What NumPy decides from shapes
alone (array_equal of different shapes, array_equiv of shapes that do not broadcast: False) is
decided now. Calls on values all known now are NumPy's own, computed now.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import NeedsStaticShape, Unconvertible
from ..operators import FLOAT64, apply, guard_all, guard_exact_float
from ..values import ARRAY, PY_SCALAR, Tensor, is_py_scalar, is_tensor
from .args import Handler, as_array, bind, scalar_if_0d, static
from .reductions import FUNCTIONS as REDUCTIONS

_ISCLOSE_ARGS = ("a", "b", "rtol", "atol", "equal_nan")
_ISCLOSE_DEFAULTS = {"rtol": 1.e-5, "atol": 1.e-8, "equal_nan": False}


def _holds_tensor(v: Any) -> bool:
    if isinstance(v, (list, tuple)):
        return any(_holds_tensor(x) for x in v)
    return is_tensor(v)


def _now(b: GraphBuilder, fn: Any, p: dict[str, Any]) -> Any:
    """`fn(**p)` computed now, for arguments that are all constants (an array result is a new
    array on every call, as NumPy's is)."""
    try:
        out = fn(**p)
    except Exception as e:  # the plain call raises this too
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    return b.constant(out, ARRAY) if isinstance(out, np.ndarray) else out


def _is_python_scalar(v: Any) -> bool:
    return is_py_scalar(v) or (is_tensor(v) and v.weak)


def _operand(b: GraphBuilder, v: Any) -> Any:
    """isclose's `a if isinstance(a, (int, float, complex)) else asanyarray(a)`."""
    return v if _is_python_scalar(v) else as_array(b, v)


def _inexact(b: GraphBuilder, y: Any) -> Any:
    """isclose's reference value made inexact: an array in `result_type(y, 1.0)`, a Python int
    (or bool) as a Python float."""
    if is_tensor(y) and not y.weak:
        dt = np.result_type(y.dtype, 1.0)
        return b.emit("astype", [y], dtype=dt) if y.dtype != dt else y
    if is_tensor(y):
        if y.dtype == FLOAT64:
            return y
        return b.emit("astype", [y], PY_SCALAR, dtype=FLOAT64)
    return float(y) if isinstance(y, int) else y


def _check_tolerances(b: GraphBuilder, atol: Any, rtol: Any) -> None:
    """NumPy warns (or raises, under np.errstate) for a non-finite rtol or atol: such calls
    run as plain Python."""
    why = "rtol and atol are finite (NumPy warns, or raises under np.errstate, otherwise)"
    for tol in (atol, rtol):
        if is_tensor(tol):
            guard_all(b, b.emit("isfinite", [tol], PY_SCALAR), "value", why)
        elif not np.all(np.isfinite(tol)):
            raise Unconvertible(f"numpy.isclose: not {why}", b.where)


def _check_exact_int(b: GraphBuilder, x: Any) -> None:
    """`a == b` of a Python int and a Python float is exact in Python; the graph compares in
    float64, which agrees for ints up to 2**53 in magnitude."""
    if is_tensor(x) and x.weak and x.py_type is int:
        guard_exact_float(b, x, "isclose compares it with a Python float")
    elif type(x) is int and abs(x) > 2**53:
        raise Unconvertible("numpy.isclose of a Python int beyond 2**53 and a Python float is "
                            "not converted", b.where)


def close(b: GraphBuilder, p: dict[str, Any]) -> Tensor:
    """isclose of bound arguments whose operands include a graph value."""
    equal_nan = bool(static(b, p["equal_nan"], "equal_nan"))
    x, y, atol, rtol = (_operand(b, p[k]) for k in ("a", "b", "atol", "rtol"))
    y = _inexact(b, y)
    _check_tolerances(b, atol, rtol)
    if _is_python_scalar(y):
        _check_exact_int(b, x)
    bound = apply(b, "add", [atol, apply(b, "multiply", [rtol, apply(b, "absolute", [y])])])
    within = apply(b, "less_equal", [apply(b, "absolute", [apply(b, "subtract", [x, y])]),
                                     bound])
    result = apply(b, "bitwise_or", [apply(b, "bitwise_and", [within,
                                                              apply(b, "isfinite", [y])]),
                                     apply(b, "equal", [x, y])])
    if equal_nan:
        both = apply(b, "bitwise_and", [apply(b, "isnan", [x]), apply(b, "isnan", [y])])
        result = apply(b, "bitwise_or", [result, both])
    return scalar_if_0d(result)


def isclose(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    p = bind(b, "numpy.isclose", args, kwargs, _ISCLOSE_ARGS, _ISCLOSE_DEFAULTS)
    if not _holds_tensor(list(p.values())):
        return _now(b, np.isclose, p)
    return close(b, p)


def _all_as_bool(b: GraphBuilder, t: Tensor) -> Tensor:
    """`builtins.bool(np.all(t))`: a Python bool computed in the graph."""
    from .methods import to_python_scalar  # methods binds every family's handlers

    return to_python_scalar(b, REDUCTIONS[np.all](b, [t], {}), bool)


def allclose(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    p = bind(b, "numpy.allclose", args, kwargs, _ISCLOSE_ARGS, _ISCLOSE_DEFAULTS)
    if not _holds_tensor(list(p.values())):
        return _now(b, np.allclose, p)
    return _all_as_bool(b, close(b, p))


def _same_shape(b: GraphBuilder, x: Tensor, y: Tensor, fn: str) -> bool:
    """Whether x and y have one shape; a symbolic dim that might equal another asks for
    static shapes."""
    if x.shape == y.shape:
        return True
    if not (x.spec.static and y.spec.static):
        raise NeedsStaticShape(f"{fn} compares shapes with a symbolic dim", b.where)
    return False


def _can_hold_nan(dtype: np.dtype) -> bool:
    """NumPy's `_dtype_cannot_hold_nan`, negated: bool and the signed ints cannot."""
    return dtype not in {np.dtype(t) for t in (np.bool_, np.int8, np.int16, np.int32, np.int64)}


def array_equal(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.array_equal(a1, a2, equal_nan): False for different shapes, else whether every
    element is equal; with equal_nan, NaNs at the same places count as equal (NumPy's two
    steps, NaN places then the other elements, in one test)."""
    p = bind(b, "numpy.array_equal", args, kwargs, ("a1", "a2", "equal_nan"),
             {"equal_nan": False})
    if not _holds_tensor([p["a1"], p["a2"]]):
        return _now(b, np.array_equal, p)
    equal_nan = bool(static(b, p["equal_nan"], "equal_nan"))
    x, y = as_array(b, p["a1"]), as_array(b, p["a2"])
    if not _same_shape(b, x, y, "numpy.array_equal"):
        return False
    same = apply(b, "equal", [x, y])
    if equal_nan and (_can_hold_nan(x.dtype) or _can_hold_nan(y.dtype)):
        both = apply(b, "bitwise_and", [apply(b, "isnan", [x]), apply(b, "isnan", [y])])
        same = apply(b, "bitwise_or", [same, both])
    return _all_as_bool(b, same)


def array_equiv(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.array_equiv(a1, a2): False for shapes that do not broadcast, else whether every
    element of the broadcast pair is equal."""
    p = bind(b, "numpy.array_equiv", args, kwargs, ("a1", "a2"), {})
    if not _holds_tensor([p["a1"], p["a2"]]):
        return _now(b, np.array_equiv, p)
    x, y = as_array(b, p["a1"]), as_array(b, p["a2"])
    if not _same_shape(b, x, y, "numpy.array_equiv"):
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            return False
    return _all_as_bool(b, apply(b, "equal", [x, y]))


FUNCTIONS: dict[Any, Handler] = {np.isclose: isclose, np.allclose: allclose,
                                 np.array_equal: array_equal, np.array_equiv: array_equiv}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
