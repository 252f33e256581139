"""Elementwise ops: NumPy ufuncs with broadcasting and NumPy 2 dtype promotion.

The shape rule is NumPy broadcasting; the dtype rule is NumPy's own ufunc type resolution
(`ufunc.resolve_dtypes`), so promotion and the type errors NumPy raises (boolean subtract, bitwise
ops on floats) are exactly NumPy's. Each op lowers to one parallel linalg.generic whose body casts
the operands to the ufunc's loop dtypes and applies the scalar rule below. Where IREE's own
lowering of a `math` op fails to link or disagrees with NumPy, the rule comes from `mathlib`
(`trig` for sin, cos, tan); float16 math runs in float32 and rounds, as NumPy's float16 loops do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import scf

from ..dialects.opdef import NotConverted, ShapeError
from ..dialects.types import (Dim, SymbolicShape, TensorSpec, is_bool, is_float, is_static,
                              is_supported_dtype, is_unsigned, tensor_type)
from . import mathlib, trig
from .blocked import blocked_reduce
from .emit import Emitter, Scalar
from .registry import defop
from ..lang import unbroadcast as ub

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
    if any(is_unsigned(d) for d in loop) and ufunc.__name__ not in UNSIGNED_UFUNCS:
        names = ", ".join(np.dtype(d).name for d in loop)
        raise NotConverted(f"numpy.{ufunc.__name__} on unsigned integers ({names}) is not "
                           "converted by janus")
    return tuple(np.dtype(d) for d in loop)


# The ufuncs whose scalar rules below compute unsigned integer loops exactly as NumPy does; any
# other ufunc with a uint loop dtype is refused (one whose loop is float, as np.sqrt of uint8,
# only converts its operands, with uitofp).
UNSIGNED_UFUNCS = frozenset({
    "add", "subtract", "multiply", "floor_divide", "remainder", "maximum", "minimum", "fmax",
    "fmin", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "invert", "left_shift", "right_shift", "positive", "negative", "square",
    "absolute", "sign", "power", "fmod", "floor", "ceil", "trunc", "isnan", "isinf", "isfinite",
    "matmul",  # a generalized ufunc: its loop only multiplies and adds (ops/linalg.py)
})


def broadcast(shapes: Sequence[tuple[int | Dim, ...]]) -> tuple[int | Dim, ...]:
    if all(is_static(s) for s in shapes):
        try:
            return tuple(np.broadcast_shapes(*shapes))
        except ValueError:
            shown = " and ".join(str(s) for s in shapes)
            raise ShapeError(f"operand shapes {shown} cannot be broadcast together") from None
    # Symbolic dims (never 1 when the graph runs) broadcast only with 1 or themselves; a
    # static size other than 1 might equal one at run time, so it is not decided here.
    rank = max(len(s) for s in shapes)
    out: list[int | Dim] = []
    for axis in range(rank):
        dims = {s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0} - {1}
        if len(dims) > 1:
            if any(type(d) is int for d in dims):
                raise SymbolicShape(f"operand shapes {shapes} broadcast a symbolic dim with a "
                                    "static one")
            shown = " and ".join(str(s) for s in shapes)
            raise ShapeError(f"operand shapes {shown} cannot be broadcast together")
        out.append(dims.pop() if dims else 1)
    return tuple(out)


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


def _finite_abs(s: Scalar, dt: np.dtype, v: ir.Value) -> ir.Value:
    """|v|, or 0 for inf and NaN."""
    a = s.op("math.absf", [v])
    return s.select(s.cmp("lt", a, s.const(np.inf, dt), dt), a, s.const(0.0, dt))


def _make_trig_lower(ufunc: np.ufunc, fn: ScalarRule):
    """sin/cos/tan. Payne-Hanek reduction (trig.py) is several times the work of Cody-Waite;
    arrays of at least trig.GUARD_MIN_SIZE elements first find their largest finite |x| (one
    reduction and a device->host read) and run the short kernel when no element needs more.
    Smaller arrays compute both reductions and select per element."""
    full = _make_lower(ufunc, _in_f32_for_f16(fn))
    fast = _make_lower(ufunc, _in_f32_for_f16(partial(fn, large=False)))

    def lower(e: Emitter, operands, in_specs, attrs, out_specs):
        (out,) = out_specs
        if out.size < trig.GUARD_MIN_SIZE:
            return full(e, operands, in_specs, attrs, out_specs)
        (x,), (xs,) = operands, in_specs
        loop = resolve(ufunc, [xs.dtype])[0]
        dt = np.dtype(np.float32) if loop == np.float16 else loop
        finite_abs = lambda s, v: _finite_abs(s, dt, s.cast(v, xs.dtype, dt))  # noqa: E731
        largest = blocked_reduce(e, x, xs, range(xs.rank), dt, 0.0,
                                 lambda s, a, b: s.op("arith.maximumf", [a, b]), finite_abs)
        cond = e.cmp("ge", e.extract_scalar(largest), e.const(trig.CODY_WAITE_LIMIT[dt], dt), dt)
        branch = scf.IfOp(cond, [tensor_type(out.shape, out.dtype)], has_else=True)
        for block, rule in ((branch.then_block, full), (branch.else_block, fast)):
            with ir.InsertionPoint(block):
                scf.YieldOp(list(rule(e, operands, in_specs, attrs, out_specs)))
        return [branch.result]

    return lower


def _def_ufunc(name: str, ufunc: np.ufunc, rule: ScalarRule,
               vjp: Callable[..., tuple] | None) -> None:
    operands = ("operand",) if ufunc.nin == 1 else ("lhs", "rhs")
    defop(name, operands, infer=_make_infer(ufunc), numpy=ufunc,
          lower=_make_lower(ufunc, rule), doc=f"numpy.{ufunc.__name__}, broadcasting.",
          symbolic=True, vjp=vjp)


_UNSIGNED_OPS = {"arith.maxsi": "arith.maxui", "arith.minsi": "arith.minui"}


def _by_kind(float_op: str, int_op: str, bool_op: str | None = None) -> ScalarRule:
    def rule(s: Scalar, dt: np.dtype, *xs: ir.Value) -> ir.Value:
        if is_float(dt):
            return s.op(float_op, list(xs))
        if is_unsigned(dt):
            return s.op(_UNSIGNED_OPS.get(int_op, int_op), list(xs))
        return s.op(bool_op if is_bool(dt) and bool_op else int_op, list(xs))

    return rule


def _float(name: str) -> ScalarRule:
    return lambda s, dt, *xs: s.op(name, list(xs))


def _in_f32_for_f16(rule: ScalarRule) -> ScalarRule:
    """Run `rule` in f32 for f16 operands (IREE links no f16 libm; NumPy computes f16 in f32)."""
    def wrapped(s: Scalar, dt: np.dtype, *xs: ir.Value) -> ir.Value:
        if dt != np.float16:
            return rule(s, dt, *xs)
        f32 = np.dtype(np.float32)
        return s.cast(rule(s, f32, *[s.cast(x, dt, f32) for x in xs]), f32, dt)

    return wrapped


def _math(name: str, f64_rule: Callable[..., ir.Value] | None = None) -> ScalarRule:
    """A `math` op, with a replacement for float64 where IREE's llvm-cpu has no libm to call."""
    def rule(s: Scalar, dt: np.dtype, *xs: ir.Value) -> ir.Value:
        if f64_rule is not None and dt == np.float64:
            return f64_rule(s, *xs)
        return s.op(name, list(xs))

    return rule


def _float_math(name: str) -> ScalarRule:
    """A `math` op; f16 computes in f32 (as NumPy does: IREE's f16 exp2 is off by 2 ulp)."""
    return _in_f32_for_f16(_float(name))


# ---------------------------------------------------------------------------------------------
# Scalar rules that need more than one op (NumPy's integer and floor semantics)
# ---------------------------------------------------------------------------------------------


def _zero_if_div_by_zero(s: Scalar, dt: np.dtype, b: ir.Value, y: ir.Value) -> ir.Value:
    """NumPy integer division and modulo by zero give 0 (with a warning), never a trap."""
    return s.select(s.cmp("eq", b, s.const(0, dt), dt), s.const(0, dt), y)


def _safe_divisor(s: Scalar, dt: np.dtype, b: ir.Value) -> ir.Value:
    """b with 0 and -1 replaced by 1: division by zero and MIN / -1 (overflow) trap on x86."""
    bad = s.op("arith.ori", [s.cmp("eq", b, s.const(0, dt), dt),
                             s.cmp("eq", b, s.const(-1, dt), dt)])
    return s.select(bad, s.const(1, dt), b)


def _nonzero(s: Scalar, dt: np.dtype, b: ir.Value) -> ir.Value:
    """b with 0 replaced by 1 (unsigned division traps only on a zero divisor)."""
    return s.select(s.cmp("eq", b, s.const(0, dt), dt), s.const(1, dt), b)


def _by_minus_one(s: Scalar, dt: np.dtype, b: ir.Value, value: ir.Value, y: ir.Value) -> ir.Value:
    """`value` where the divisor is -1 (NumPy wraps MIN // -1 to MIN), else y."""
    return s.select(s.cmp("eq", b, s.const(-1, dt), dt), value, y)


def _fmod(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    return mathlib.fmod_f64(s, a, b) if dt == np.float64 else s.op("arith.remf", [a, b])


def _float_divmod(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> tuple[ir.Value, ir.Value]:
    """NumPy's npy_divmod: (floor quotient, modulo with the divisor's sign)."""
    zero = s.const(0.0, dt)
    mod = _fmod(s, dt, a, b)
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
            s.select(b_zero, s.const(np.nan, dt), mod))


def _floor_divide(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    if is_float(dt):
        return _float_divmod(s, dt, a, b)[0]
    if is_bool(dt):
        return s.op("arith.andi", [a, b])
    if is_unsigned(dt):  # floor is truncation; x // 0 is 0
        return _zero_if_div_by_zero(s, dt, b, s.op("arith.divui", [a, _nonzero(s, dt, b)]))
    q = s.op("arith.floordivsi", [a, _safe_divisor(s, dt, b)])
    q = _by_minus_one(s, dt, b, s.sub(s.const(0, dt), a, dt), q)
    return _zero_if_div_by_zero(s, dt, b, q)


def _remainder(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    if is_float(dt):
        return _float_divmod(s, dt, a, b)[1]
    if is_unsigned(dt):
        return _zero_if_div_by_zero(s, dt, b, s.op("arith.remui", [a, _nonzero(s, dt, b)]))
    r = s.op("arith.remsi", [a, _safe_divisor(s, dt, b)])
    zero = s.const(0, dt)
    fix = s.op("arith.andi", [s.cmp("ne", r, zero, dt),
                              s.op("arith.xori", [s.cmp("lt", r, zero, dt),
                                                  s.cmp("lt", b, zero, dt)])])
    r = _by_minus_one(s, dt, b, zero, s.select(fix, s.add(r, b, dt), r))
    return _zero_if_div_by_zero(s, dt, b, r)


def _power(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    if is_float(dt):
        return _in_f32_for_f16(mathlib.power)(s, dt, a, b)
    # Integer power by repeated squaring over the exponent's bits (NumPy wraps on overflow;
    # negative exponents raise in NumPy and are rejected by the frontend before lowering).
    # An unsigned exponent has one more bit to read (its top bit is not a sign).
    result, base, e = s.const(1, dt), a, b
    one = s.const(1, dt)
    unsigned = is_unsigned(dt)
    for _ in range(np.dtype(dt).itemsize * 8 - (0 if unsigned else 1)):
        bit = s.cmp("ne", s.op("arith.andi", [e, one]), s.const(0, dt), dt)
        result = s.select(bit, s.mul(result, base, dt), result)
        base = s.mul(base, base, dt)
        e = s.op("arith.shrui" if unsigned else "arith.shrsi", [e, one])
    return result


def _abs(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    if is_float(dt):
        return s.op("math.absf", [a])
    return a if is_bool(dt) or is_unsigned(dt) else s.op("math.absi", [a])


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
    # NumPy computes 1.0 / a and converts back: 1/0 = inf converts (x86 cvttsd2si) to MIN for
    # 32- and 64-bit ints and to 0 for narrower ones; -1 is its own reciprocal.
    q = _by_minus_one(s, dt, a, a, s.op("arith.divsi", [s.const(1, dt), _safe_divisor(s, dt, a)]))
    at_zero = np.iinfo(dt).min if np.dtype(dt).itemsize >= 4 else 0
    return s.select(s.cmp("eq", a, s.const(0, dt), dt), s.const(at_zero, dt), q)


def _ties_to_second(pred: str, int_op: str, bool_op: str) -> ScalarRule:
    """maximum/minimum as NumPy computes them: for floats `a` where a > b (a < b) or a is NaN,
    else `b`, so equal operands give the second one (np.maximum(0.0, -0.0) is -0.0, while
    arith.maximumf orders -0.0 below 0.0) and a NaN in either propagates; `int_op`/`bool_op`
    for the other dtypes."""
    exact = _by_kind(int_op, int_op, bool_op)  # (never given a float)

    def wrapped(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
        if not is_float(dt):
            return exact(s, dt, a, b)
        return s.select(s.op("arith.ori", [s.cmp(pred, a, b, dt), s.is_nan(a)]), a, b)

    return wrapped


def _nan_ignoring(pred: str, rule: ScalarRule) -> ScalarRule:
    """fmax/fmin: for f16 as compare and select (IREE lowers f16 maxnumf to an fmaxf call it
    cannot link, and folds f32 round trips back to it)."""
    def wrapped(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
        if dt != np.float16:
            return rule(s, dt, a, b)
        return s.select(s.op("arith.ori", [s.cmp(pred, a, b, dt), s.is_nan(b)]), a, b)

    return wrapped


def _log_base(base: float) -> ScalarRule:
    return lambda s, dt, a: mathlib.log_base(s, dt, a, base)


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


def _isnan(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    # NumPy has integer and bool loops for isnan/isinf/isfinite: never NaN, never infinite.
    return s.is_nan(a) if is_float(dt) else s.const(False, np.dtype(bool))


def _isinf(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    if not is_float(dt):
        return s.const(False, np.dtype(bool))
    return s.cmp("eq", s.op("math.absf", [a]), s.const(np.inf, dt), dt)


def _isfinite(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    if not is_float(dt):
        return s.const(True, np.dtype(bool))
    return s.cmp("lt", s.op("math.absf", [a]), s.const(np.inf, dt), dt)


def _rounding(name: str) -> ScalarRule:
    """floor/ceil/trunc: integers (where NumPy keeps their dtype) are already whole."""
    return lambda s, dt, a: s.op(name, [a]) if is_float(dt) else a


def _int_fmod(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    """C's truncating remainder (the dividend's sign); 0 for a zero divisor, as NumPy gives."""
    if is_unsigned(dt):
        return _zero_if_div_by_zero(s, dt, b, s.op("arith.remui", [a, _nonzero(s, dt, b)]))
    r = _by_minus_one(s, dt, b, s.const(0, dt), s.op("arith.remsi", [a, _safe_divisor(s, dt, b)]))
    return _zero_if_div_by_zero(s, dt, b, r)


def _fmod_rule(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    return _fmod(s, dt, a, b) if is_float(dt) else _int_fmod(s, dt, a, b)


def _shift_count_ok(s: Scalar, dt: np.dtype, b: ir.Value) -> ir.Value:
    """NumPy shifts by a count read as unsigned: counts outside [0, bits) shift everything out."""
    bits = np.dtype(dt).itemsize * 8
    return s.op("arith.andi", [s.cmp("ge", b, s.const(0, dt), dt),
                               s.cmp("lt", b, s.const(bits, dt), dt)])


def _left_shift(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    ok = _shift_count_ok(s, dt, b)
    shifted = s.op("arith.shli", [a, s.select(ok, b, s.const(0, dt))])
    return s.select(ok, shifted, s.const(0, dt))


def _right_shift(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    """Arithmetic shift; a count of at least the bit width leaves only the sign (0 or -1)."""
    ok = _shift_count_ok(s, dt, b)
    if is_unsigned(dt):  # logical shift: counts of the bit width or more give 0
        shifted = s.op("arith.shrui", [a, s.select(ok, b, s.const(0, dt))])
        return s.select(ok, shifted, s.const(0, dt))
    shifted = s.op("arith.shrsi", [a, s.select(ok, b, s.const(0, dt))])
    sign = s.select(s.cmp("lt", a, s.const(0, dt), dt), s.const(-1, dt), s.const(0, dt))
    return s.select(ok, shifted, sign)


def _heaviside(s: Scalar, dt: np.dtype, x: ir.Value, h0: ir.Value) -> ir.Value:
    zero = s.const(0.0, dt)
    step = s.select(s.cmp("lt", x, zero, dt), zero, s.const(1.0, dt))
    step = s.select(s.cmp("eq", x, zero, dt), h0, step)
    return s.select(s.is_nan(x), s.const(np.nan, dt), step)


def _scale_by(factor: float) -> ScalarRule:
    """x * c with c rounded to the loop dtype first, as NumPy's deg2rad/rad2deg loops do."""
    def rule(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
        return s.mul(a, s.const(float(np.dtype(dt).type(factor)), dt), dt)

    return rule


def _signbit(s: Scalar, dt: np.dtype, a: ir.Value) -> ir.Value:
    return s.cmp("lt", s.op("math.copysign", [s.const(1.0, dt), a]), s.const(0.0, dt), dt)


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
    ("maximum", np.maximum, _ties_to_second("gt", "arith.maxsi", "arith.ori")),
    ("minimum", np.minimum, _ties_to_second("lt", "arith.minsi", "arith.andi")),
    ("fmax", np.fmax, _nan_ignoring("gt", _by_kind("arith.maxnumf", "arith.maxsi", "arith.ori"))),
    ("fmin", np.fmin, _nan_ignoring("lt", _by_kind("arith.minnumf", "arith.minsi", "arith.andi"))),
    ("arctan2", np.arctan2, _in_f32_for_f16(mathlib.atan2)),
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
    ("left_shift", np.left_shift, _left_shift),
    ("right_shift", np.right_shift, _right_shift),
    ("fmod", np.fmod, _in_f32_for_f16(_fmod_rule)),
    ("hypot", np.hypot, mathlib.hypot),
    ("logaddexp", np.logaddexp, _in_f32_for_f16(mathlib.logaddexp)),
    ("logaddexp2", np.logaddexp2, _in_f32_for_f16(partial(mathlib.logaddexp, base2=True))),
    ("heaviside", np.heaviside, _heaviside),
    ("float_power", np.float_power, mathlib.power),
]

_UNARY: list[tuple[str, np.ufunc, ScalarRule]] = [
    ("negative", np.negative, _negative),
    ("positive", np.positive, lambda s, dt, a: a),
    ("absolute", np.absolute, _abs),
    ("sign", np.sign, _sign),
    ("square", np.square, _square),
    ("reciprocal", np.reciprocal, _reciprocal),
    ("sqrt", np.sqrt, _float("math.sqrt")),
    ("exp", np.exp, _float_math("math.exp")),
    ("exp2", np.exp2, _float_math("math.exp2")),
    ("expm1", np.expm1, _in_f32_for_f16(_math("math.expm1", mathlib.expm1_f64))),
    ("log", np.log, _float_math("math.log")),
    ("log2", np.log2, _in_f32_for_f16(
        _math("math.log2", lambda s, a: mathlib.log_base(s, np.float64, a, 2.0)))),
    ("log10", np.log10, _in_f32_for_f16(_log_base(10.0))),
    ("log1p", np.log1p, _in_f32_for_f16(_math("math.log1p", mathlib.log1p_f64))),
    ("arcsin", np.arcsin, _in_f32_for_f16(_math("math.asin", mathlib.asin_f64))),
    ("arccos", np.arccos, _in_f32_for_f16(_math("math.acos", mathlib.acos_f64))),
    ("arctan", np.arctan, _in_f32_for_f16(_math("math.atan", mathlib.atan_f64))),
    ("sinh", np.sinh, _in_f32_for_f16(mathlib.sinh)),
    ("cosh", np.cosh, _in_f32_for_f16(mathlib.cosh)),
    ("tanh", np.tanh, _in_f32_for_f16(_math("math.tanh", mathlib.tanh_f64))),
    ("floor", np.floor, _rounding("math.floor")),
    ("ceil", np.ceil, _rounding("math.ceil")),
    ("trunc", np.trunc, _rounding("math.trunc")),
    ("rint", np.rint, _float("math.roundeven")),
    ("isnan", np.isnan, _isnan),
    ("isinf", np.isinf, _isinf),
    ("isfinite", np.isfinite, _isfinite),
    ("logical_not", np.logical_not, _logical_not),
    ("invert", np.invert, _invert),
    ("cbrt", np.cbrt, mathlib.cbrt),
    ("signbit", np.signbit, _signbit),
    ("deg2rad", np.deg2rad, _in_f32_for_f16(_scale_by(np.pi / 180.0))),
    ("radians", np.radians, _in_f32_for_f16(_scale_by(np.pi / 180.0))),
    ("rad2deg", np.rad2deg, _in_f32_for_f16(_scale_by(180.0 / np.pi))),
    ("degrees", np.degrees, _in_f32_for_f16(_scale_by(180.0 / np.pi))),
]

# ---------------------------------------------------------------------------------------------
# Derivative rules: vjp(g, ans, *operands) -> a cotangent (None: zero) per operand
# ---------------------------------------------------------------------------------------------

_LN2, _LN10 = float(np.log(2.0)), float(np.log(10.0))


def _zero(g, ans, *xs):
    return (None,) * len(xs)


def _pick(g, mask, tie):
    """The share of a max/min's cotangent g that goes to the operand `mask` marks: all of
    it, or half where both operands tie (as JAX splits it); in g's dtype."""
    half = g * np.asarray(0.5, dtype=g.dtype)
    return np.where(mask, np.where(tie, half, g), np.zeros_like(g))


def _extreme(g, ans, x, y):
    tie = x == y
    return ub(_pick(g, x == ans, tie), x), ub(_pick(g, y == ans, tie), y)


def _power_vjp(g, ans, x, y):
    # d/dx x**y = y * x**(y-1) (0 where y == 0); d/dy = log(x) * x**y (log taken where x > 0)
    dx = g * y * np.power(x, np.where(y == 0, 1, y - 1))
    safe = np.where(x > 0, x, 1)
    dy = g * np.log(safe) * ans
    return ub(dx, x), ub(np.where(x > 0, dy, 0), y)


_VJP: dict[str, Callable[..., tuple]] = {
    "add": lambda g, ans, x, y: (ub(g, x), ub(g, y)),
    "subtract": lambda g, ans, x, y: (ub(g, x), ub(-g, y)),
    "multiply": lambda g, ans, x, y: (ub(g * y, x), ub(g * x, y)),
    "divide": lambda g, ans, x, y: (ub(g / y, x), ub(-g * ans / y, y)),
    "power": _power_vjp,
    "float_power": _power_vjp,
    "maximum": _extreme,
    "minimum": _extreme,
    "fmax": _extreme,
    "fmin": _extreme,
    "arctan2": lambda g, ans, y, x: (ub(g * x / (x * x + y * y), y),
                                     ub(-g * y / (x * x + y * y), x)),
    "hypot": lambda g, ans, x, y: (ub(g * x / ans, x), ub(g * y / ans, y)),
    "logaddexp": lambda g, ans, x, y: (ub(g * np.exp(x - ans), x), ub(g * np.exp(y - ans), y)),
    "logaddexp2": lambda g, ans, x, y: (ub(g * np.exp2(x - ans), x),
                                        ub(g * np.exp2(y - ans), y)),
    "remainder": lambda g, ans, x, y: (ub(g, x), ub(-g * np.floor(x / y), y)),
    "fmod": lambda g, ans, x, y: (ub(g, x), ub(-g * np.trunc(x / y), y)),
    "copysign": lambda g, ans, x, y: (ub(np.where(np.signbit(x) == np.signbit(ans), g, -g),
                                         x), None),
    "floor_divide": _zero,
    "heaviside": _zero,
    "negative": lambda g, ans, x: (-g,),
    "positive": lambda g, ans, x: (g,),
    "absolute": lambda g, ans, x: (g * np.sign(x),),
    "square": lambda g, ans, x: (g * 2 * x,),
    "reciprocal": lambda g, ans, x: (-g * ans * ans,),
    "sqrt": lambda g, ans, x: (g * 0.5 / ans,),
    "cbrt": lambda g, ans, x: (g / (3 * ans * ans),),
    "exp": lambda g, ans, x: (g * ans,),
    "exp2": lambda g, ans, x: (g * ans * _LN2,),
    "expm1": lambda g, ans, x: (g * (ans + 1),),
    "log": lambda g, ans, x: (g / x,),
    "log2": lambda g, ans, x: (g / (x * _LN2),),
    "log10": lambda g, ans, x: (g / (x * _LN10),),
    "log1p": lambda g, ans, x: (g / (x + 1),),
    "sin": lambda g, ans, x: (g * np.cos(x),),
    "cos": lambda g, ans, x: (-g * np.sin(x),),
    "tan": lambda g, ans, x: (g * (1 + ans * ans),),
    "arcsin": lambda g, ans, x: (g / np.sqrt(1 - x * x),),
    "arccos": lambda g, ans, x: (-g / np.sqrt(1 - x * x),),
    "arctan": lambda g, ans, x: (g / (1 + x * x),),
    "sinh": lambda g, ans, x: (g * np.cosh(x),),
    "cosh": lambda g, ans, x: (g * np.sinh(x),),
    "tanh": lambda g, ans, x: (g * (1 - ans * ans),),
    "deg2rad": lambda g, ans, x: (g * (np.pi / 180.0),),
    "radians": lambda g, ans, x: (g * (np.pi / 180.0),),
    "rad2deg": lambda g, ans, x: (g * (180.0 / np.pi),),
    "degrees": lambda g, ans, x: (g * (180.0 / np.pi),),
    **{n: _zero for n in ("sign", "floor", "ceil", "trunc", "rint")},
}

for _name, _ufunc, _rule in _BINARY + _UNARY:
    _def_ufunc(_name, _ufunc, _rule, _VJP.get(_name))

for _name, _ufunc, _rule in (("sin", np.sin, trig.sin), ("cos", np.cos, trig.cos),
                             ("tan", np.tan, trig.tan)):
    defop(_name, ("operand",), infer=_make_infer(_ufunc), numpy=_ufunc,
          lower=_make_trig_lower(_ufunc, _rule), doc=f"numpy.{_name}, exact argument reduction.",
          vjp=_VJP[_name])


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


def _where_vjp(g, ans, c, x, y):
    zero = np.zeros_like(g)
    return None, ub(np.where(c, g, zero), x), ub(np.where(c, zero, g), y)


defop("where", ("condition", "x", "y"), infer=_infer_where, numpy=np.where, lower=_lower_where,
      doc="numpy.where(condition, x, y), broadcasting all three.", symbolic=True,
      vjp=_where_vjp)
