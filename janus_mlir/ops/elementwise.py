"""Elementwise ops: NumPy ufuncs with broadcasting and NumPy 2 dtype promotion.

The shape rule is NumPy broadcasting; the dtype rule is NumPy's own ufunc type resolution
(`ufunc.resolve_dtypes`), so promotion and the type errors NumPy raises (boolean subtract, bitwise
ops on floats) are exactly NumPy's. Each op lowers to one parallel linalg.generic whose body casts
the operands to the ufunc's loop dtypes and applies the scalar rule below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects.opdef import ShapeError
from ..dialects.types import TensorSpec, is_bool, is_float, is_supported_dtype
from .emit import Emitter, Scalar
from .registry import defop

ScalarRule = Callable[..., ir.Value]  # (scalar builder, loop dtype, *elements) -> element


def resolve(ufunc: np.ufunc, dtypes: Sequence[np.dtype]) -> tuple[np.dtype, ...]:
    """The loop dtypes (inputs..., output) NumPy picks for `ufunc` on arrays of `dtypes`."""
    try:
        loop = ufunc.resolve_dtypes((*dtypes, None))
    except (TypeError, np._core._exceptions._UFuncNoLoopError) as e:  # type: ignore[attr-defined]
        names = ", ".join(np.dtype(d).name for d in dtypes)
        raise ShapeError(f"numpy.{ufunc.__name__} is not defined for ({names}): {e}") from None
    if not all(is_supported_dtype(d) for d in loop):
        names = ", ".join(np.dtype(d).name for d in loop)
        raise ShapeError(f"numpy.{ufunc.__name__} computes in ({names}), not supported by janus")
    return tuple(np.dtype(d) for d in loop)


def broadcast(shapes: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        shown = " and ".join(str(s) for s in shapes)
        raise ShapeError(f"operand shapes {shown} cannot be broadcast together") from None


def _make_infer(ufunc: np.ufunc):
    def infer(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
        shape = broadcast([o.shape for o in operands])
        return [TensorSpec(shape, resolve(ufunc, [o.dtype for o in operands])[-1])]

    return infer


def _make_lower(ufunc: np.ufunc, rule: ScalarRule):
    def lower(e: Emitter, operands, in_specs, attrs, out_specs):
        loop = resolve(ufunc, [s.dtype for s in in_specs])
        (out,) = out_specs

        def body(s: Scalar, *xs: ir.Value) -> ir.Value:
            cast = [s.cast(x, spec.dtype, dt) for x, spec, dt in zip(xs, in_specs, loop)]
            y = rule(s, loop[0], *cast)
            return s.cast(y, loop[-1], out.dtype)

        return [e.elementwise(operands, in_specs, out, body)]

    return lower


def _def_ufunc(name: str, ufunc: np.ufunc, rule: ScalarRule) -> None:
    operands = ("operand",) if ufunc.nin == 1 else ("lhs", "rhs")
    defop(name, operands, infer=_make_infer(ufunc), numpy=ufunc,
          lower=_make_lower(ufunc, rule), doc=f"numpy.{ufunc.__name__}, broadcasting.")


def _by_kind(float_op: str, int_op: str, bool_op: str | None = None) -> ScalarRule:
    def rule(s: Scalar, dt: np.dtype, *xs: ir.Value) -> ir.Value:
        if is_float(dt):
            return s.op(float_op, list(xs))
        return s.op(bool_op if is_bool(dt) and bool_op else int_op, list(xs))

    return rule


def _float(name: str) -> ScalarRule:
    return lambda s, dt, *xs: s.op(name, list(xs))


# ---------------------------------------------------------------------------------------------
# Scalar rules that need more than one op (NumPy's integer and floor semantics)
# ---------------------------------------------------------------------------------------------


def _zero_if_div_by_zero(s: Scalar, dt: np.dtype, b: ir.Value, y: ir.Value) -> ir.Value:
    """NumPy integer division and modulo by zero give 0 (with a warning), never a trap."""
    return s.select(s.cmp("eq", b, s.const(0, dt), dt), s.const(0, dt), y)


def _safe_divisor(s: Scalar, dt: np.dtype, b: ir.Value) -> ir.Value:
    return s.select(s.cmp("eq", b, s.const(0, dt), dt), s.const(1, dt), b)


def _float_divmod(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> tuple[ir.Value, ir.Value]:
    """NumPy's npy_divmod: (floor quotient, modulo with the divisor's sign)."""
    zero = s.const(0.0, dt)
    mod = s.op("arith.remf", [a, b])
    div = s.op("arith.divf", [s.sub(a, mod, dt), b])
    # The modulo takes the divisor's sign: when signs differ, shift by one divisor.
    fix = s.op("arith.andi", [s.cmp("ne", mod, zero, dt),
                              s.op("arith.xori", [s.cmp("lt", b, zero, dt),
                                                  s.cmp("lt", mod, zero, dt)])])
    mod = s.select(fix, s.add(mod, b, dt), s.select(s.cmp("eq", mod, zero, dt),
                                                    s.op("math.copysign", [zero, b]), mod))
    div = s.select(fix, s.sub(div, s.const(1.0, dt), dt), div)
    floordiv = s.op("math.floor", [div])
    up = s.cmp("gt", s.sub(div, floordiv, dt), s.const(0.5, dt), dt)
    floordiv = s.select(up, s.add(floordiv, s.const(1.0, dt), dt), floordiv)
    floordiv = s.select(s.cmp("eq", div, zero, dt),
                        s.op("math.copysign", [zero, s.op("arith.divf", [a, b])]), floordiv)
    b_zero = s.cmp("eq", b, zero, dt)
    return (s.select(b_zero, s.op("arith.divf", [a, b]), floordiv),
            s.select(b_zero, s.op("arith.remf", [a, b]), mod))


def _floor_divide(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    if is_float(dt):
        return _float_divmod(s, dt, a, b)[0]
    if is_bool(dt):
        return s.op("arith.andi", [a, b])
    q = s.op("arith.floordivsi", [a, _safe_divisor(s, dt, b)])
    return _zero_if_div_by_zero(s, dt, b, q)


def _remainder(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    if is_float(dt):
        return _float_divmod(s, dt, a, b)[1]
    r = s.op("arith.remsi", [a, _safe_divisor(s, dt, b)])
    zero = s.const(0, dt)
    fix = s.op("arith.andi", [s.cmp("ne", r, zero, dt),
                              s.op("arith.xori", [s.cmp("lt", r, zero, dt),
                                                  s.cmp("lt", b, zero, dt)])])
    return _zero_if_div_by_zero(s, dt, b, s.select(fix, s.add(r, b, dt), r))


def _power(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    if is_float(dt):
        return s.op("math.powf", [a, b])
    # Integer power by repeated squaring over the exponent's bits (NumPy wraps on overflow;
    # negative exponents raise in NumPy and are rejected by the frontend before lowering).
    result, base, e = s.const(1, dt), a, b
    one = s.const(1, dt)
    for _ in range(np.dtype(dt).itemsize * 8 - 1):
        bit = s.cmp("ne", s.op("arith.andi", [e, one]), s.const(0, dt), dt)
        result = s.select(bit, s.mul(result, base, dt), result)
        base = s.mul(base, base, dt)
        e = s.op("arith.shrsi", [e, one])
    return result


def _abs(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    if is_float(dt):
        return s.op("math.absf", [a])
    return a if is_bool(dt) else s.op("math.absi", [a])


def _negative(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    return s.op("arith.negf", [a]) if is_float(dt) else s.sub(s.const(0, dt), a, dt)


def _sign(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    zero = s.const(0, dt)
    pos = s.cast(s.cmp("gt", a, zero, dt), np.dtype(bool), dt)
    neg = s.cast(s.cmp("lt", a, zero, dt), np.dtype(bool), dt)
    out = s.sub(pos, neg, dt)
    return s.select(s.is_nan(a), a, out) if is_float(dt) else out


def _square(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    return s.op("arith.andi", [a, a]) if is_bool(dt) else s.mul(a, a, dt)


def _reciprocal(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    if is_float(dt):
        return s.op("arith.divf", [s.const(1.0, dt), a])
    return _zero_if_div_by_zero(s, dt, a, s.op("arith.divsi", [s.const(1, dt),
                                                               _safe_divisor(s, dt, a)]))


def _compare(pred: str) -> ScalarRule:
    return lambda s, dt, a, b: s.cmp(pred, a, b, dt)


def _logical(op: str) -> ScalarRule:
    def rule(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
        return s.op(op, [s.cast(a, dt, np.dtype(bool)), s.cast(b, dt, np.dtype(bool))])

    return rule


def _logical_not(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    return s.op("arith.xori", [s.cast(a, dt, np.dtype(bool)), s.const(True, np.dtype(bool))])


def _invert(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    return s.op("arith.xori", [a, s.const(True if is_bool(dt) else -1, dt)])


def _isinf(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    return s.cmp("eq", s.op("math.absf", [a]), s.const(np.inf, dt), dt)


def _isfinite(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    return s.cmp("lt", s.op("math.absf", [a]), s.const(np.inf, dt), dt)


def _rounding(name: str) -> ScalarRule:
    """floor/ceil/trunc: integers (where NumPy keeps their dtype) are already whole."""
    return lambda s, dt, a: s.op(name, [a]) if is_float(dt) else a


# ---------------------------------------------------------------------------------------------
# The table: janus op name, NumPy ufunc, scalar rule
# ---------------------------------------------------------------------------------------------

_BINARY: list[tuple[str, np.ufunc, ScalarRule]] = [
    ("add", np.add, _by_kind("arith.addf", "arith.addi", "arith.ori")),
    ("subtract", np.subtract, _by_kind("arith.subf", "arith.subi")),
    ("multiply", np.multiply, _by_kind("arith.mulf", "arith.muli", "arith.andi")),
    ("divide", np.true_divide, _float("arith.divf")),
    ("floor_divide", np.floor_divide, _floor_divide),
    ("remainder", np.remainder, _remainder),
    ("power", np.power, _power),
    ("maximum", np.maximum, _by_kind("arith.maximumf", "arith.maxsi", "arith.ori")),
    ("minimum", np.minimum, _by_kind("arith.minimumf", "arith.minsi", "arith.andi")),
    ("fmax", np.fmax, _by_kind("arith.maxnumf", "arith.maxsi", "arith.ori")),
    ("fmin", np.fmin, _by_kind("arith.minnumf", "arith.minsi", "arith.andi")),
    ("arctan2", np.arctan2, _float("math.atan2")),
    ("copysign", np.copysign, _float("math.copysign")),
    ("equal", np.equal, _compare("eq")),
    ("not_equal", np.not_equal, _compare("ne")),
    ("less", np.less, _compare("lt")),
    ("less_equal", np.less_equal, _compare("le")),
    ("greater", np.greater, _compare("gt")),
    ("greater_equal", np.greater_equal, _compare("ge")),
    ("logical_and", np.logical_and, _logical("arith.andi")),
    ("logical_or", np.logical_or, _logical("arith.ori")),
    ("logical_xor", np.logical_xor, _logical("arith.xori")),
    ("bitwise_and", np.bitwise_and, _by_kind("", "arith.andi")),
    ("bitwise_or", np.bitwise_or, _by_kind("", "arith.ori")),
    ("bitwise_xor", np.bitwise_xor, _by_kind("", "arith.xori")),
]

_UNARY: list[tuple[str, np.ufunc, ScalarRule]] = [
    ("negative", np.negative, _negative),
    ("positive", np.positive, lambda s, dt, a: a),
    ("absolute", np.absolute, _abs),
    ("sign", np.sign, _sign),
    ("square", np.square, _square),
    ("reciprocal", np.reciprocal, _reciprocal),
    ("sqrt", np.sqrt, _float("math.sqrt")),
    ("exp", np.exp, _float("math.exp")),
    ("exp2", np.exp2, _float("math.exp2")),
    ("expm1", np.expm1, _float("math.expm1")),
    ("log", np.log, _float("math.log")),
    ("log2", np.log2, _float("math.log2")),
    ("log10", np.log10, _float("math.log10")),
    ("log1p", np.log1p, _float("math.log1p")),
    ("sin", np.sin, _float("math.sin")),
    ("cos", np.cos, _float("math.cos")),
    ("tan", np.tan, _float("math.tan")),
    ("arcsin", np.arcsin, _float("math.asin")),
    ("arccos", np.arccos, _float("math.acos")),
    ("arctan", np.arctan, _float("math.atan")),
    ("sinh", np.sinh, _float("math.sinh")),
    ("cosh", np.cosh, _float("math.cosh")),
    ("tanh", np.tanh, _float("math.tanh")),
    ("floor", np.floor, _rounding("math.floor")),
    ("ceil", np.ceil, _rounding("math.ceil")),
    ("trunc", np.trunc, _rounding("math.trunc")),
    ("rint", np.rint, _float("math.roundeven")),
    ("isnan", np.isnan, lambda s, dt, a: s.is_nan(a)),
    ("isinf", np.isinf, _isinf),
    ("isfinite", np.isfinite, _isfinite),
    ("logical_not", np.logical_not, _logical_not),
    ("invert", np.invert, _invert),
]

for _name, _ufunc, _rule in _BINARY + _UNARY:
    _def_ufunc(_name, _ufunc, _rule)


# `where` is a ternary select with broadcasting over all three operands.
def _infer_where(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    cond, x, y = operands
    if not is_bool(cond.dtype):
        raise ShapeError(f"condition must be a bool tensor, got {cond}")
    return [TensorSpec(broadcast([cond.shape, x.shape, y.shape]), np.result_type(x.dtype, y.dtype))]


def _lower_where(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    _, x, y = in_specs

    def body(s: Scalar, c, a, b):
        return s.select(c, s.cast(a, x.dtype, out.dtype), s.cast(b, y.dtype, out.dtype))

    return [e.elementwise(operands, in_specs, out, body)]


defop("where", ("condition", "x", "y"), infer=_infer_where, numpy=np.where, lower=_lower_where,
      doc="numpy.where(condition, x, y), broadcasting all three.")
