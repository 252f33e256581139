"""Python operators and NumPy ufunc calls on symbolic values, with NumPy 2 / NEP 50 semantics.

Dispatch is by table: an AST operator maps to a janus elementwise op (a NumPy ufunc). Both
operands known now: Python computes the result (exceptions included). Otherwise:
- NumPy semantics when any operand is an array or NumPy scalar: the loop dtypes come from
  `ufunc.resolve_dtypes`, with Python scalars passed as weak `int`/`float`/`bool` (NEP 50);
- Python semantics when every operand is a Python scalar (`True + True == 2`, `1 / 2 == 0.5`,
  division by zero raises: guarded in the graph, so the call falls back and raises like Python).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dialects.types import is_bool, is_int
from ..ops import OPS
from .builder import GraphBuilder
from .errors import Unconvertible
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_py_scalar, is_tensor

BINOPS: dict[type, tuple[str, Any]] = {
    ast.Add: ("add", operator.add),
    ast.Sub: ("subtract", operator.sub),
    ast.Mult: ("multiply", operator.mul),
    ast.Div: ("divide", operator.truediv),
    ast.FloorDiv: ("floor_divide", operator.floordiv),
    ast.Mod: ("remainder", operator.mod),
    ast.Pow: ("power", operator.pow),
    ast.MatMult: ("matmul", operator.matmul),
    ast.BitAnd: ("bitwise_and", operator.and_),
    ast.BitOr: ("bitwise_or", operator.or_),
    ast.BitXor: ("bitwise_xor", operator.xor),
}
COMPARES: dict[type, tuple[str, Any]] = {
    ast.Eq: ("equal", operator.eq),
    ast.NotEq: ("not_equal", operator.ne),
    ast.Lt: ("less", operator.lt),
    ast.LtE: ("less_equal", operator.le),
    ast.Gt: ("greater", operator.gt),
    ast.GtE: ("greater_equal", operator.ge),
}
UNARYOPS: dict[type, tuple[str, Any]] = {
    ast.USub: ("negative", operator.neg),
    ast.UAdd: ("positive", operator.pos),
    ast.Invert: ("invert", operator.invert),
}

_PY_DIVISIONS = ("divide", "floor_divide", "remainder")
_PY_KEEPS_BOOL = ("bitwise_and", "bitwise_or", "bitwise_xor", "equal", "not_equal", "less",
                  "less_equal", "greater", "greater_equal")


def ufunc_of(name: str) -> np.ufunc:
    return OPS[name].numpy


def lift(b: GraphBuilder, v: Any) -> Tensor:
    """A Tensor for `v`: Python scalars become weak constants, NumPy scalars strong ones."""
    if is_tensor(v):
        return v
    if is_py_scalar(v):
        return b.constant(v, PY_SCALAR)
    if isinstance(v, np.generic):
        return b.constant(v, NP_SCALAR)
    if isinstance(v, np.ndarray):
        return b.constant(v, ARRAY)
    raise Unconvertible(f"cannot use a {type(v).__name__} as an array operand", b.where)


def apply(b: GraphBuilder, name: str, operands: Sequence[Any], static_fn: Any = None) -> Any:
    """Apply the janus elementwise op `name` (a NumPy ufunc) to symbolic or constant operands.

    With every operand known now, `static_fn` (the Python operator, for operator syntax) or the
    ufunc computes the result at conversion time.
    """
    if not any(is_tensor(v) for v in operands):
        return _static(b, static_fn or ufunc_of(name), operands)
    if all((is_tensor(v) and v.weak) or is_py_scalar(v) for v in operands):
        return _python_scalars(b, name, operands)
    return _numpy(b, name, operands)


def _static(b: GraphBuilder, fn: Any, operands: Sequence[Any]) -> Any:
    try:
        return fn(*operands)
    except Exception as e:  # the plain function raises here too: run it imperatively
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None


def _weak_type(v: Any) -> Any:
    if is_tensor(v):
        return v.py_type if v.weak else v.dtype
    if is_py_scalar(v):
        return type(v)
    return np.asarray(v).dtype


def _numpy(b: GraphBuilder, name: str, operands: Sequence[Any]) -> Tensor:
    ufunc = ufunc_of(name)
    if name == "matmul":
        if any(not is_tensor(v) or v.ndim == 0 for v in operands):
            raise Unconvertible("matmul: input operand does not have enough dimensions", b.where)
        loop = None
    else:
        try:
            loop = ufunc.resolve_dtypes((*[_weak_type(v) for v in operands], None))
        except Exception as e:
            raise Unconvertible(f"numpy.{ufunc.__name__}: {e}", b.where) from None
    tensors = []
    for i, v in enumerate(operands):
        if is_tensor(v) and not v.weak:
            tensors.append(v)
            continue
        target = loop[i] if loop is not None else np.dtype(np.float64)
        tensors.append(cast_weak(b, v, np.dtype(target)))
    out = b.emit(name, tensors)
    if loop is not None and out.dtype != loop[-1]:
        raise Unconvertible(f"numpy.{ufunc.__name__} promotion disagrees: janus {out.dtype}, "
                            f"numpy {loop[-1]}", b.where)
    out.kind = NP_SCALAR if out.ndim == 0 else ARRAY
    return out


def cast_weak(b: GraphBuilder, v: Any, dtype: np.dtype) -> Tensor:
    """A Python scalar (constant or run-time) as an operand of `dtype` (NEP 50 weak casting)."""
    if is_tensor(v):
        return v if v.dtype == dtype else b.emit("astype", [v], v.kind, dtype=dtype)
    if is_int(dtype) and not isinstance(v, bool) and isinstance(v, int):
        info = np.iinfo(dtype)
        if not info.min <= v <= info.max:
            raise Unconvertible(f"Python integer {v} out of bounds for {dtype}", b.where)
    return b.constant(np.array(v).astype(dtype), PY_SCALAR)


def _python_scalars(b: GraphBuilder, name: str, operands: Sequence[Any]) -> Tensor:
    """Python arithmetic on Python scalars at least one of which is known only at run time."""
    types = [v.py_type if is_tensor(v) else type(v) for v in operands]
    if name == "power" and int in types and float not in types:
        exponent = operands[1]
        if is_tensor(exponent) or exponent < 0:
            raise Unconvertible("int ** int with a run-time exponent may be an int or a float",
                                b.where)
    if name == "matmul" or name.startswith("bitwise") and float in types:
        raise Unconvertible(f"unsupported operand types for {name}", b.where)
    rep = [{bool: True, int: 1, float: 1.0}[t] for t in types]
    result_type = type(ufunc_py(name)(*rep)) if len(rep) == 2 else type(ufunc_py(name)(rep[0]))
    compute = np.dtype(np.float64) if float in types or name == "divide" else np.dtype(np.int64)
    if name in _PY_KEEPS_BOOL and all(t is bool for t in types):
        compute = np.dtype(np.bool_)
    tensors = [cast_weak(b, v, compute) for v in operands]
    if name in _PY_DIVISIONS:
        _guard_nonzero(b, tensors[1], name)
    out = b.emit(name, tensors, PY_SCALAR)
    want = {bool: np.dtype(np.bool_), int: np.dtype(np.int64), float: np.dtype(np.float64)}
    if out.dtype != want[result_type]:
        out = b.emit("astype", [out], PY_SCALAR, dtype=want[result_type])
    return out


def _guard_nonzero(b: GraphBuilder, divisor: Tensor, name: str) -> None:
    zero = b.constant(np.array(0, dtype=divisor.dtype), PY_SCALAR)
    nonzero = b.emit("not_equal", [divisor, zero], PY_SCALAR)
    b.guard(nonzero, "error", f"divisor of Python {name.replace('_', ' ')} is nonzero "
            "(Python raises ZeroDivisionError)")


_PY_FUNCS = {name: fn for name, fn in [*BINOPS.values(), *COMPARES.values(), *UNARYOPS.values()]}


def ufunc_py(name: str) -> Any:
    return _PY_FUNCS[name]


def unary(b: GraphBuilder, name: str, v: Any) -> Any:
    if is_tensor(v) and v.weak:
        if name == "invert" and not is_bool(v.dtype) and not is_int(v.dtype):
            raise Unconvertible("bad operand type for unary ~: 'float'", b.where)
        if name == "invert" and is_bool(v.dtype):
            # Python: ~True == -2 (an int), not False.
            v = b.emit("astype", [v], PY_SCALAR, dtype=np.dtype(np.int64))
        if name in ("negative", "positive") and is_bool(v.dtype):
            v = b.emit("astype", [v], PY_SCALAR, dtype=np.dtype(np.int64))
        return b.emit(name, [v], PY_SCALAR)
    return apply(b, name, [v], static_fn=ufunc_py(name))
