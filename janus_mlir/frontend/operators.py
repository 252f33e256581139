"""Python operators and NumPy ufunc calls on symbolic values, with NumPy 2 / NEP 50 semantics.

Dispatch is by table: an AST operator maps to a janus elementwise op (a NumPy ufunc). Both
operands known now: Python computes the result (exceptions included). Otherwise:
- NumPy semantics when any operand is an array or NumPy scalar, and for every NumPy function
  call (`np.add(2, 3)` is `np.int64(5)`): the loop dtypes come from `ufunc.resolve_dtypes`, with
  Python scalars passed as weak `int`/`float`/`bool` (NEP 50);
- Python semantics when an operator's operands are all Python scalars (`True + True == 2`,
  `1 / 2 == 0.5`), with Python's exact ints (int64 arithmetic guarded against overflow) and its
  exceptions (division by zero, float power overflow and complex results: guarded).

What NumPy or Python would raise, or compute differently from the graph's fixed-width arithmetic,
is either decided now (an `Unconvertible`) or checked by an in-graph guard, so that the call falls
back to plain Python, which then does exactly what the user's code does.
"""

from __future__ import annotations

import ast
import builtins
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dialects.types import is_bool, is_float, is_int, is_unsigned
from ..ops import OPS
from .builder import GraphBuilder
from .errors import Unconvertible
from .tolist import ListOfArray
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
    ast.LShift: ("left_shift", operator.lshift),
    ast.RShift: ("right_shift", operator.rshift),
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

COMPARISONS = frozenset(name for name, _ in COMPARES.values())
INT64 = np.dtype(np.int64)
FLOAT64 = np.dtype(np.float64)
BOOL = np.dtype(np.bool_)

_PY_FUNCS = {name: fn for name, fn in [*BINOPS.values(), *COMPARES.values(), *UNARYOPS.values()]}
_PY_FUNCS["absolute"] = builtins.abs


def ufunc_of(name: str) -> np.ufunc:
    return OPS[name].numpy


def ufunc_py(name: str) -> Any:
    """The Python operator (or builtin) behind the janus op `name`."""
    return _PY_FUNCS[name]


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
    if isinstance(v, ListOfArray):
        raise Unconvertible("a list from tolist() as an array operand is not converted", b.where)
    raise Unconvertible(f"cannot use a {type(v).__name__} as an array operand", b.where)


# ---------------------------------------------------------------------------------------------
# In-graph checks: small predicates the guards are built from
# ---------------------------------------------------------------------------------------------


def compare_const(b: GraphBuilder, name: str, x: Tensor, value: Any) -> Tensor:
    """`x <name> value` elementwise, `value` a constant of x's dtype."""
    return b.emit(name, [x, b.constant(np.array(value, dtype=x.dtype), PY_SCALAR)], PY_SCALAR)


def logical(b: GraphBuilder, name: str, *preds: Tensor) -> Tensor:
    """logical_and / logical_or over any number of predicates, or logical_not of one."""
    if name == "logical_not":
        return b.emit(name, list(preds), PY_SCALAR)
    out = preds[0]
    for p in preds[1:]:
        out = b.emit(name, [out, p], PY_SCALAR)
    return out


def guard_all(b: GraphBuilder, pred: Tensor, kind: str, message: str) -> None:
    """Guard that every element of `pred` holds."""
    if pred.ndim:
        pred = b.emit("all", [pred], PY_SCALAR, axes=tuple(range(pred.ndim)), keepdims=False)
    b.guard(pred, kind, message)


def guard_fits(b: GraphBuilder, v: Tensor, dtype: np.dtype, what: str) -> None:
    """Guard that the int64 value `v` lies in `dtype`'s range (NumPy raises OverflowError)."""
    info = np.iinfo(dtype)  # uint64's top is beyond any int64: only v >= 0 is tested there
    ok = logical(b, "logical_and", compare_const(b, "greater_equal", v, info.min),
                 compare_const(b, "less_equal", v, min(int(info.max), 2**63 - 1)))
    guard_all(b, ok, "error", f"{what} fits in {np.dtype(dtype).name} (NumPy raises "
              "OverflowError: Python integer out of bounds)")


def guard_exact_float(b: GraphBuilder, v: Tensor, why: str) -> None:
    """Guard |v| <= 2**53 for an int64 `v`: such ints are exact float64 values."""
    ok = logical(b, "logical_and", compare_const(b, "greater_equal", v, -2**53),
                 compare_const(b, "less_equal", v, 2**53))
    guard_all(b, ok, "value", f"the Python int is at most 2**53 in magnitude ({why})")


# ---------------------------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------------------------


def apply(b: GraphBuilder, name: str, operands: Sequence[Any], static_fn: Any = None) -> Any:
    """Apply the janus elementwise op `name` (a NumPy ufunc) to symbolic or constant operands.

    `static_fn` is the Python operator when the code used operator syntax (`a + b`): then
    Python scalars follow Python's rules. Without it this is a NumPy function call (`np.add`),
    which follows NumPy's rules even when every operand is a Python scalar. With every operand
    known now, `static_fn` or the ufunc computes the result at conversion time.
    """
    if not any(is_tensor(v) for v in operands):
        return _static(b, static_fn or ufunc_of(name), operands)
    if static_fn is not None and all(_is_weak(v) for v in operands):
        return _python_scalars(b, name, operands)
    if static_fn is not None and name == "power":
        return _array_power(b, operands)
    return _numpy(b, name, operands)


def unary(b: GraphBuilder, name: str, v: Any) -> Any:
    """A unary operator (`-x`, `+x`, `~x`)."""
    if is_tensor(v) and v.weak:
        return _python_unary(b, name, v)
    return apply(b, name, [v], static_fn=ufunc_py(name))


def _is_weak(v: Any) -> bool:
    return (is_tensor(v) and v.weak) or is_py_scalar(v)


def _static(b: GraphBuilder, fn: Any, operands: Sequence[Any]) -> Any:
    if any(isinstance(v, ListOfArray) for v in operands):  # its elements exist only at return
        raise Unconvertible("an operator on a list from tolist() is not converted", b.where)
    try:
        out = fn(*operands)
    except Exception as e:  # the plain function raises here too: run it imperatively
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    # An array result is a new object on every call (`np.add([1, 2], 3)`), not one constant.
    return lift(b, out) if isinstance(out, np.ndarray) else out


def _weak_type(v: Any) -> Any:
    """What `resolve_dtypes` takes for `v`: weak `int`/`float` for Python numbers, a dtype
    otherwise (Python bools are plain bools in NEP 50)."""
    if is_tensor(v):
        return v.py_type if v.weak and v.py_type is not bool else v.dtype
    if type(v) in (int, float):
        return type(v)
    return np.asarray(v).dtype


def _array_power(b: GraphBuilder, operands: Sequence[Any]) -> Tensor:
    """`array ** exponent`: ndarray.__pow__ computes `** 2` with an exact Python int 2 as
    numpy.square, which differs from numpy.power only for bool arrays (int8, not int64)."""
    base, exponent = operands
    if not (is_tensor(base) and base.kind == ARRAY and is_bool(base.dtype)):
        return _numpy(b, "power", operands)
    if type(exponent) is int and exponent == 2:
        return _numpy(b, "square", [base])
    if is_tensor(exponent) and exponent.weak and exponent.py_type is int:
        b.guard(compare_const(b, "not_equal", exponent, 2), "value",
                "the Python int exponent of a bool array is not 2 (bool_array ** 2 is "
                "numpy.square, an int8 result)")
    return _numpy(b, "power", operands)


# ---------------------------------------------------------------------------------------------
# NumPy semantics
# ---------------------------------------------------------------------------------------------


def _numpy(b: GraphBuilder, name: str, operands: Sequence[Any]) -> Tensor:
    ufunc = ufunc_of(name)
    if name == "matmul":
        if any(not is_tensor(v) or v.ndim == 0 for v in operands):
            raise Unconvertible("matmul: input operand does not have enough dimensions", b.where)
        loop = None
    else:
        loop = _resolve(b, ufunc, [_weak_type(v) for v in operands])
    if name in COMPARISONS:
        exact = _compare_python_int(b, name, operands, loop)
        if exact is not None:
            return exact
    tensors = []
    for i, v in enumerate(operands):
        if is_tensor(v) and not v.weak:
            tensors.append(v)
            continue
        target = loop[i] if loop is not None else FLOAT64
        tensors.append(cast_weak(b, v, np.dtype(target)))
    if name == "power" and is_int(loop[1]):
        _guard_nonnegative_exponent(b, operands[1], tensors[1])
    out = b.emit(name, tensors)
    if loop is not None and out.dtype != loop[-1]:
        raise Unconvertible(f"numpy.{ufunc.__name__} promotion disagrees: janus {out.dtype}, "
                            f"numpy {loop[-1]}", b.where)
    out.kind = NP_SCALAR if out.ndim == 0 else ARRAY  # `out` was just made: not shared
    return out


def _resolve(b: GraphBuilder, ufunc: np.ufunc, types: list[Any]) -> tuple[np.dtype, ...]:
    """The loop dtypes NumPy picks. Comparisons of only Python ints resolve to an object loop
    in `resolve_dtypes`; a call converts them to int64 arrays first."""
    try:
        loop = ufunc.resolve_dtypes((*types, None))
        if any(d == np.dtype(object) for d in loop):
            loop = ufunc.resolve_dtypes((*[INT64 if t is int else t for t in types], None))
    except Exception as e:
        raise Unconvertible(f"numpy.{ufunc.__name__}: {e}", b.where) from None
    return loop


def loop_dtypes(b: GraphBuilder, ufunc: np.ufunc, operands: Sequence[Any]) -> tuple[np.dtype, ...]:
    """The loop dtypes (inputs..., output) NumPy picks for `ufunc` on these operands, Python
    scalars weakly (NEP 50); what NumPy would raise is an Unconvertible."""
    return tuple(np.dtype(d) for d in _resolve(b, ufunc, [_weak_type(v) for v in operands]))


def _compare_python_int(b: GraphBuilder, name: str, operands: Sequence[Any],
                        loop: Sequence[np.dtype]) -> Tensor | None:
    """NumPy 2 compares integer arrays with Python ints exactly, even outside the array's range
    (`int8_array < 1000` is all True): compare in int64, or fold when beyond int64."""
    weak = [i for i, v in enumerate(operands) if _is_weak(v) and _weak_type(v) is int]
    if len(operands) != 2 or len(weak) != 1:
        return None
    w, other = operands[weak[0]], operands[1 - weak[0]]
    target = np.dtype(loop[weak[0]])
    if not (_exact_in_int64(_weak_type(other)) and _exact_in_int64(target)):
        return None  # bool and float operands convert the int as usual (and raise if too big)
    if target == INT64 and (is_tensor(w) or -2**63 <= w < 2**63):
        return None
    if not is_tensor(w) and np.iinfo(target).min <= w <= np.iinfo(target).max:
        return None
    other = lift(b, other)
    if not is_tensor(w) and not -2**63 <= w < 2**63:
        # Beyond int64: every array element compares like 0 does.
        pair = (0, w) if weak[0] == 1 else (w, 0)
        out = b.emit("full", [], shape=other.shape, dtype=BOOL, value=bool(ufunc_py(name)(*pair)))
    else:
        wide = b.emit("astype", [other], dtype=INT64) if other.dtype != INT64 else other
        w64 = w if is_tensor(w) else b.constant(np.array(w, dtype=INT64), PY_SCALAR)
        out = b.emit(name, [wide, w64] if weak[0] == 1 else [w64, wide])
    out.kind = NP_SCALAR if out.ndim == 0 else ARRAY
    return out


def _exact_in_int64(dtype: Any) -> bool:
    """An integer dtype whose every value is an int64 (not uint64)."""
    return is_int(dtype) or (is_unsigned(dtype) and np.dtype(dtype).itemsize < 8)


def _guard_nonnegative_exponent(b: GraphBuilder, given: Any, exponent: Tensor) -> None:
    """NumPy raises ValueError for an integer power with any negative integer exponent."""
    message = "Integers to negative integer powers are not allowed."
    if not is_tensor(given):
        if (np.asarray(given) < 0).any():
            raise Unconvertible(f"ValueError: {message}", b.where)
        return
    guard_all(b, compare_const(b, "greater_equal", exponent, 0), "error",
              f"integer exponents are non-negative (NumPy raises ValueError: {message})")


def cast_weak(b: GraphBuilder, v: Any, dtype: np.dtype) -> Tensor:
    """A Python scalar (constant or run-time) as an operand of `dtype` (NEP 50 weak casting).

    NumPy raises OverflowError for a Python int outside an integer dtype's range, and converts a
    Python int to float32/float16 through float64 (so ints beyond 2**53 may round twice).
    """
    dtype = np.dtype(dtype)
    if is_tensor(v):
        if v.dtype == dtype:
            return v
        if v.weak and v.dtype == INT64 and (is_int(dtype) or is_unsigned(dtype)):
            guard_fits(b, v, dtype, "the Python int")
        elif v.weak and v.dtype == INT64 and is_float(dtype) and dtype.itemsize < 8:
            guard_exact_float(b, v, f"NumPy converts it to {dtype.name} through float64")
        return b.emit("astype", [v], v.kind, dtype=dtype)
    if (is_int(dtype) or is_unsigned(dtype)) and not isinstance(v, bool) and isinstance(v, int):
        info = np.iinfo(dtype)
        if not info.min <= v <= info.max:
            raise Unconvertible(f"Python integer {v} out of bounds for {dtype}", b.where)
    try:
        value = np.array(v, dtype=dtype)
    except (OverflowError, ValueError, TypeError) as e:
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    return b.constant(value, PY_SCALAR)


# ---------------------------------------------------------------------------------------------
# Python semantics: operators on Python scalars at least one of which is known only at run time
# ---------------------------------------------------------------------------------------------

_PY_TYPE_DTYPES = {bool: BOOL, int: INT64, float: FLOAT64}
_PY_DIVISIONS = ("divide", "floor_divide", "remainder")
_PY_KEEPS_BOOL = ("bitwise_and", "bitwise_or", "bitwise_xor", "equal", "not_equal", "less",
                  "less_equal", "greater", "greater_equal")
_SYMBOLS = {"matmul": "@", "bitwise_and": "&", "bitwise_or": "|", "bitwise_xor": "^",
            "left_shift": "<<", "right_shift": ">>"}


def _py_types(operands: Sequence[Any]) -> list[type]:
    return [v.py_type if is_tensor(v) else type(v) for v in operands]


def _python_scalars(b: GraphBuilder, name: str, operands: Sequence[Any]) -> Tensor:
    """Python arithmetic and comparisons on Python scalars (int64 and float64 in the graph)."""
    if len(operands) == 1:
        return _python_unary(b, name, lift(b, operands[0]))
    types = _py_types(operands)
    if name == "matmul" or name in _SYMBOLS and float in types:
        names = " and ".join(f"'{t.__name__}'" for t in types)
        raise Unconvertible(f"TypeError: unsupported operand type(s) for {_SYMBOLS[name]}: "
                            f"{names}", b.where)
    if name == "power":
        return _python_power(b, operands, types)
    rep = [{bool: True, int: 1, float: 1.0}[t] for t in types]
    result_type = type(ufunc_py(name)(*rep))
    compute = FLOAT64 if float in types or name == "divide" else INT64
    if name in _PY_KEEPS_BOOL and all(t is bool for t in types):
        compute = BOOL
    tensors = [cast_weak(b, v, compute) for v in operands]
    if name in _PY_DIVISIONS:
        _guard_nonzero(b, tensors[1], name)
    if name in ("left_shift", "right_shift"):
        _guard_python_shift(b, name, tensors)
    if compute == FLOAT64 and int in types and (name == "divide" and float not in types
                                                or name in COMPARISONS):
        # int / int is rounded once from the exact quotient, and int-float comparisons are
        # exact: float64 does the same only for ints of at most 53 bits.
        for v, t in zip(operands, types):
            if t is int:
                _exact_float_operand(b, v, name)
    out = b.emit(name, tensors, PY_SCALAR)
    if compute == INT64 and result_type is int:
        _guard_no_overflow(b, name, tensors, out)
    return _as_py_type(b, out, result_type)


def _python_unary(b: GraphBuilder, name: str, v: Tensor) -> Tensor:
    """-x, +x, ~x, abs(x) of a run-time Python scalar."""
    if name == "invert" and is_float(v.dtype):
        raise Unconvertible("TypeError: bad operand type for unary ~: 'float'", b.where)
    if is_bool(v.dtype) and name in ("invert", "negative", "positive", "absolute"):
        v = b.emit("astype", [v], PY_SCALAR, dtype=INT64)  # Python: ~True == -2, -True == -1
    out = b.emit(name, [v], PY_SCALAR)
    if v.dtype == INT64 and name in ("negative", "absolute"):
        _guard_no_overflow(b, name, [v], out)
    return out


def _as_py_type(b: GraphBuilder, out: Tensor, py_type: type) -> Tensor:
    want = _PY_TYPE_DTYPES[py_type]
    return out if out.dtype == want else b.emit("astype", [out], PY_SCALAR, dtype=want)


def _guard_nonzero(b: GraphBuilder, divisor: Tensor, name: str) -> None:
    b.guard(compare_const(b, "not_equal", divisor, 0), "error",
            f"divisor of Python {name.replace('_', ' ')} is nonzero (Python raises "
            "ZeroDivisionError)")


def _guard_python_shift(b: GraphBuilder, name: str, xs: Sequence[Tensor]) -> None:
    """Python raises ValueError for a negative shift count; `a >> k` of int64 values is then
    Python's (NumPy's int64 rule for k >= 64 keeps the sign, as Python does); `a << k` must not
    lose bits (Python ints are unbounded)."""
    a, k = xs
    b.guard(compare_const(b, "greater_equal", k, 0), "error",
            "the shift count is non-negative (Python raises ValueError: negative shift count)")
    if name == "left_shift":
        back = b.emit("right_shift", [b.emit("left_shift", [a, k], PY_SCALAR), k], PY_SCALAR)
        ok = logical(b, "logical_and", compare_const(b, "less", k, 64),
                     b.emit("equal", [back, a], PY_SCALAR))
        b.guard(ok, "value", "Python int << does not overflow int64 (Python ints are unbounded)")


def _exact_float_operand(b: GraphBuilder, v: Any, name: str) -> None:
    why = f"Python's {name.replace('_', ' ')} of ints and floats is exact"
    if not is_tensor(v):
        if abs(v) > 2**53:
            raise Unconvertible(f"Python int {v} is beyond float64 precision ({why})", b.where)
        return
    guard_exact_float(b, v, why)


def _guard_no_overflow(b: GraphBuilder, name: str, xs: Sequence[Tensor], out: Tensor) -> None:
    """Python ints never wrap: guard that the int64 result `out` of `name` is the exact one."""
    lt, eq = "less", "equal"
    if name == "add":  # wrapped iff the sum moved the wrong way from a
        a, c = xs
        ok = b.emit(eq, [b.emit(lt, [out, a], PY_SCALAR), compare_const(b, lt, c, 0)], PY_SCALAR)
    elif name == "subtract":
        a, c = xs
        ok = b.emit(eq, [b.emit("greater", [out, a], PY_SCALAR), compare_const(b, lt, c, 0)],
                    PY_SCALAR)
    elif name == "multiply":
        ok = _product_exact(b, *xs, out)
    elif name == "floor_divide":  # only MIN // -1 overflows
        a, c = xs
        ok = logical(b, "logical_or", compare_const(b, "not_equal", a, -2**63),
                     compare_const(b, "not_equal", c, -1))
    elif name in ("negative", "absolute"):
        ok = compare_const(b, "not_equal", xs[0], -2**63)
    else:  # remainder, bitwise ops and invert cannot overflow
        return
    b.guard(ok, "value", f"Python int {name.replace('_', ' ')} does not overflow int64 (Python "
            "ints are unbounded)")


def _product_exact(b: GraphBuilder, a: Tensor, c: Tensor, out: Tensor) -> Tensor:
    """a * c did not wrap iff a == 0 or out // a == c (the quotient is exact only then), save
    for MIN // -1, which wraps back to MIN."""
    quotient = b.emit("floor_divide", [out, a], PY_SCALAR)
    wrapped_back = logical(b, "logical_and", compare_const(b, "equal", a, -1),
                           compare_const(b, "equal", c, -2**63))
    exact = logical(b, "logical_and", b.emit("equal", [quotient, c], PY_SCALAR),
                    logical(b, "logical_not", wrapped_back))
    return logical(b, "logical_or", compare_const(b, "equal", a, 0), exact)


def _python_power(b: GraphBuilder, operands: Sequence[Any], types: list[type]) -> Tensor:
    """Python `**`: int ** non-negative int is an exact int; anything else is float pow."""
    base, exponent = operands
    if float not in types and (is_tensor(exponent) or exponent >= 0):
        return _int_power(b, cast_weak(b, base, INT64), exponent)
    a, e = cast_weak(b, base, FLOAT64), cast_weak(b, exponent, FLOAT64)
    out = b.emit("power", [a, e], PY_SCALAR)
    _guard_float_power(b, a, e, out)
    return out


def _int_power(b: GraphBuilder, base: Tensor, exponent: Any) -> Tensor:
    if not is_tensor(exponent):
        return _int_power_const(b, base, int(exponent))
    e = cast_weak(b, exponent, INT64)
    b.guard(compare_const(b, "greater_equal", e, 0), "value",
            "the exponent of Python int ** int is non-negative (else the result is a float)")
    out = b.emit("power", [base, e], PY_SCALAR)  # exact modulo 2**64
    # |base| ** e below 2**62 in float64 (a few ulps off at most) means below 2**63 exactly.
    estimate = b.emit("power", [b.emit("absolute", [b.emit("astype", [base], PY_SCALAR,
                                                                   dtype=FLOAT64)], PY_SCALAR),
                                b.emit("astype", [e], PY_SCALAR, dtype=FLOAT64)], PY_SCALAR)
    b.guard(compare_const(b, "less", estimate, 2.0**62), "value",
            "Python int ** int stays below 2**62 (Python ints are unbounded)")
    return out


def _int_power_const(b: GraphBuilder, base: Tensor, k: int) -> Tensor:
    """base ** k by squaring, every product checked: a square is only taken when a higher bit
    of k needs it, so a wrapped step means the true power is beyond int64 too."""
    result: Tensor | None = None
    square = base
    oks: list[Tensor] = []
    while k:
        if k & 1:
            if result is None:
                result = square
            else:
                product = b.emit("multiply", [result, square], PY_SCALAR)
                oks.append(_product_exact(b, result, square, product))
                result = product
        k >>= 1
        if k:
            product = b.emit("multiply", [square, square], PY_SCALAR)
            oks.append(_product_exact(b, square, square, product))
            square = product
    if result is None:  # x ** 0 == 1
        return b.constant(np.array(1, dtype=INT64), PY_SCALAR)
    if oks:
        b.guard(logical(b, "logical_and", *oks), "value",
                "Python int ** int does not overflow int64 (Python ints are unbounded)")
    if result is base:  # x ** 1: a new value, not the operand itself
        result = b.emit("positive", [base], PY_SCALAR)
    return result


def _guard_float_power(b: GraphBuilder, a: Tensor, e: Tensor, out: Tensor) -> None:
    """Python float pow raises where C pow returns inf or NaN for finite operands: 0.0 to a
    negative power (ZeroDivisionError), overflow (OverflowError), and a negative base to a
    non-integral power gives a complex number."""
    finite = logical(b, "logical_and", b.emit("isfinite", [a], PY_SCALAR),
                     b.emit("isfinite", [e], PY_SCALAR))
    zero_neg = logical(b, "logical_and", compare_const(b, "equal", a, 0.0),
                       compare_const(b, "less", e, 0.0), finite)
    b.guard(logical(b, "logical_not", zero_neg), "error", "Python float ** does not raise 0.0 "
            "to a negative power (ZeroDivisionError)")
    fractional = b.emit("not_equal", [b.emit("floor", [e], PY_SCALAR), e], PY_SCALAR)
    complex_ = logical(b, "logical_and", compare_const(b, "less", a, 0.0), fractional, finite)
    b.guard(logical(b, "logical_not", complex_), "value", "Python float ** of a negative base "
            "has an integral exponent (else the result is a complex number)")
    overflow = logical(b, "logical_and", b.emit("isinf", [out], PY_SCALAR), finite)
    b.guard(logical(b, "logical_not", overflow), "error", "Python float ** does not overflow "
            "(Python raises OverflowError)")
