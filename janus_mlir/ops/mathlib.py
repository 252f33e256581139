"""Scalar math rebuilt from arith ops where IREE's llvm-cpu lowering fails or disagrees with NumPy.

Measured with IREE 3.13 (each item has a case in tests/test_ops_elementwise.py):
- Link failures: IREE executables have no libm, and several ops become libm calls: f64 sin, cos,
  tan, asin, acos, atan, atan2, tanh, log2, log10, fmod; f32 log10; f16 fmax/fmin.
- Wrong values: f32 sin/cos/tan reduce with floor(x * 2/pi), so a small negative x becomes
  x + pi/2 and loses all relative accuracy (sin(-1e-6) is off by 10%), and large |x| is off by
  1e-3; sinh is (exp(x) - exp(-x)) / 2, 0 for tiny x; f64 expm1 and log1p return 0 for tiny x;
  atan2(0, 0) is NaN; powf of a negative base is NaN even for integer exponents.
The rules here use only ops that lower everywhere (add, mul, div, sqrt, floor, exp, log,
compares, selects, bitcasts, scf.while) and follow NumPy's special values.

Accuracy against NumPy: float64 within a few ulp; fmod is exact everywhere. sin, cos and tan
(with their argument reduction over the whole finite range) live in ops/trig.py and use the
shared pieces here (PI, FACT, horner, copysign).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import scf

from .emit import Scalar

F32, F64 = np.dtype(np.float32), np.dtype(np.float64)

PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899")

FACT = [1.0]
for _i in range(1, 26):
    FACT.append(FACT[-1] * _i)
_ATAN = [(-1) ** n / (2 * n + 1) for n in range(1, 14)]  # for |u| <= tan(pi/16)


def horner(s: Scalar, dt: np.dtype, z: ir.Value, coeffs: list[float]) -> ir.Value:
    """c0 + z*(c1 + z*(c2 + ...))."""
    acc = s.const(coeffs[-1], dt)
    for c in reversed(coeffs[:-1]):
        acc = s.add(s.const(c, dt), s.mul(z, acc, dt), dt)
    return acc


def _abs(s: Scalar, x: ir.Value) -> ir.Value:
    return s.op("math.absf", [x])


def copysign(s: Scalar, x: ir.Value, sign: ir.Value) -> ir.Value:
    return s.op("math.copysign", [x, sign])


def _div(s: Scalar, a: ir.Value, b: ir.Value) -> ir.Value:
    return s.op("arith.divf", [a, b])


def _signbit(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    return s.cmp("lt", copysign(s, s.const(1.0, dt), x), s.const(0.0, dt), dt)


def _or(s: Scalar, a: ir.Value, b: ir.Value) -> ir.Value:
    return s.op("arith.ori", [a, b])


def _and(s: Scalar, a: ir.Value, b: ir.Value) -> ir.Value:
    return s.op("arith.andi", [a, b])


def _not(s: Scalar, a: ir.Value) -> ir.Value:
    return s.op("arith.xori", [a, s.const(True, np.dtype(bool))])


def _is_finite(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    return s.cmp("lt", _abs(s, x), s.const(np.inf, dt), dt)


def _is_inf(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    return s.cmp("eq", _abs(s, x), s.const(np.inf, dt), dt)


def _is_int(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    """x is a finite whole number."""
    return _and(s, s.cmp("eq", s.op("math.trunc", [x]), x, dt), _is_finite(s, dt, x))


# ---------------------------------------------------------------------------------------------
# Inverse trigonometry
# ---------------------------------------------------------------------------------------------


def _atan_unit_f64(s: Scalar, t: ir.Value) -> ir.Value:
    """atan(t) for t in [0, 1]: two half-angle steps to |u| <= tan(pi/16), then Taylor."""
    dt = F64
    one = s.const(1.0, dt)
    u = t
    for _ in range(2):
        u = _div(s, u, s.add(one, s.op("math.sqrt", [s.add(one, s.mul(u, u, dt), dt)]), dt))
    z = s.mul(u, u, dt)
    p = s.add(u, s.mul(s.mul(u, z, dt), horner(s, dt, z, _ATAN), dt), dt)
    return s.mul(s.const(4.0, dt), p, dt)


def _atan_unit(s: Scalar, dt: np.dtype, t: ir.Value) -> ir.Value:
    return _atan_unit_f64(s, t) if dt == F64 else s.op("math.atan", [t])


def atan_f64(s: Scalar, x: ir.Value) -> ir.Value:
    dt = F64
    a = _abs(s, x)
    big = s.cmp("gt", a, s.const(1.0, dt), dt)
    t = s.select(big, _div(s, s.const(1.0, dt), a), a)
    r = _atan_unit_f64(s, t)
    r = s.select(big, s.sub(s.const(float(PI / 2), dt), r, dt), r)
    return copysign(s, r, x)


def atan2(s: Scalar, dt: np.dtype, y: ir.Value, x: ir.Value) -> ir.Value:
    """C99/NumPy atan2 for f32 or f64, special values included (atan2(+-0, -0) = +-pi, ...)."""
    ax, ay = _abs(s, x), _abs(s, y)
    swap = s.cmp("gt", ay, ax, dt)
    ratio = _div(s, s.select(swap, ax, ay), s.select(swap, ay, ax))
    zero, inf = s.const(0.0, dt), s.const(np.inf, dt)
    both_zero = _and(s, s.cmp("eq", ax, zero, dt), s.cmp("eq", ay, zero, dt))
    both_inf = _and(s, s.cmp("eq", ax, inf, dt), s.cmp("eq", ay, inf, dt))
    ratio = s.select(both_zero, zero, s.select(both_inf, s.const(1.0, dt), ratio))
    r = _atan_unit(s, dt, ratio)
    r = s.select(swap, s.sub(s.const(float(PI / 2), dt), r, dt), r)
    r = s.select(_signbit(s, dt, x), s.sub(s.const(float(PI), dt), r, dt), r)
    return copysign(s, r, y)


def asin_f64(s: Scalar, x: ir.Value) -> ir.Value:
    return atan2(s, F64, x, _sqrt_one_minus_sq(s, x))


def acos_f64(s: Scalar, x: ir.Value) -> ir.Value:
    return atan2(s, F64, _sqrt_one_minus_sq(s, x), x)


def _sqrt_one_minus_sq(s: Scalar, x: ir.Value) -> ir.Value:
    one = s.const(1.0, F64)
    return s.op("math.sqrt", [s.mul(s.sub(one, x, F64), s.add(one, x, F64), F64)])


# ---------------------------------------------------------------------------------------------
# Hyperbolic, logarithms
# ---------------------------------------------------------------------------------------------


def tanh_f64(s: Scalar, x: ir.Value) -> ir.Value:
    """tanh(|x|) = -e / (e + 2) with e = expm1(-2|x|): no cancellation, saturates to 1."""
    dt = F64
    e = expm1_f64(s, s.mul(s.const(-2.0, dt), _abs(s, x), dt))
    t = _div(s, s.op("arith.negf", [e]), s.add(e, s.const(2.0, dt), dt))
    return copysign(s, t, x)


_EXPM1 = [1.0 / FACT[n] for n in range(2, 20)]  # x**2/2! ... x**19/19!, for |x| < 1/2


def expm1_f64(s: Scalar, x: ir.Value) -> ir.Value:
    """exp(x) - 1: Taylor for |x| < 1/2 (IREE's f64 expm1 returns 0 for |x| < ~1e-16); x
    itself for a zero, whose sign x + x * x * p would lose."""
    dt = F64
    series = s.add(x, s.mul(s.mul(x, x, dt), horner(s, dt, x, _EXPM1), dt), dt)
    series = s.select(s.cmp("eq", x, s.const(0.0, dt), dt), x, series)
    direct = s.sub(s.op("math.exp", [x]), s.const(1.0, dt), dt)
    return s.select(s.cmp("lt", _abs(s, x), s.const(0.5, dt), dt), series, direct)


def log1p_f64(s: Scalar, x: ir.Value) -> ir.Value:
    """log(1 + x) as log(u) * x / (u - 1) with u = 1 + x (exact correction for the rounding of
    u; IREE's f64 log1p returns 0 for tiny x)."""
    dt = F64
    u = s.add(s.const(1.0, dt), x, dt)
    corrected = s.mul(s.op("math.log", [u]), _div(s, x, s.sub(u, s.const(1.0, dt), dt)), dt)
    exact = _or(s, s.cmp("eq", u, s.const(1.0, dt), dt), _is_inf(s, dt, x))
    return s.select(exact, s.select(_is_inf(s, dt, x), s.op("math.log", [u]), x), corrected)


def _expm1(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    return expm1_f64(s, x) if dt == F64 else s.op("math.expm1", [x])


def sinh(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    """(expm1(a) - expm1(-a)) / 2 for a = |x| < 20 (no cancellation near 0, where IREE's
    (exp(x) - exp(-x)) / 2 returns 0), exp(a - ln 2) above (no early overflow)."""
    a = _abs(s, x)
    half = s.const(0.5, dt)
    small = s.mul(s.sub(_expm1(s, dt, a), _expm1(s, dt, s.op("arith.negf", [a])), dt), half, dt)
    return copysign(s, _select_large(s, dt, a, small), x)


def cosh(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    """(exp(a) + exp(-a)) / 2 for a = |x| < 20, exp(a - ln 2) above (finite up to where cosh
    itself overflows, like NumPy)."""
    a = _abs(s, x)
    small = s.mul(s.add(s.op("math.exp", [a]), s.op("math.exp", [s.op("arith.negf", [a])]), dt),
                  s.const(0.5, dt), dt)
    return _select_large(s, dt, a, small)


def _select_large(s: Scalar, dt: np.dtype, a: ir.Value, small: ir.Value) -> ir.Value:
    large = s.op("math.exp", [s.sub(a, s.const(float(np.log(2.0)), dt), dt)])
    return s.select(s.cmp("lt", a, s.const(20.0, dt), dt), small, large)


def log_base(s: Scalar, dt: np.dtype, x: ir.Value, base: float) -> ir.Value:
    """log(x) / log(base) as a multiplication by a correctly rounded constant."""
    return s.mul(s.op("math.log", [x]), s.const(1.0 / np.log(np.float64(base)), dt), dt)


# ---------------------------------------------------------------------------------------------
# fmod and pow
# ---------------------------------------------------------------------------------------------


def _two_prod(s: Scalar, a: ir.Value, b: ir.Value) -> tuple[ir.Value, ir.Value]:
    """(p, e) with p + e == a * b exactly (Dekker, no fma needed)."""
    dt = F64

    def split(v):
        c = s.mul(s.const(134217729.0, dt), v, dt)  # 2**27 + 1
        hi = s.sub(c, s.sub(c, v, dt), dt)
        return hi, s.sub(v, hi, dt)

    p = s.mul(a, b, dt)
    ah, al = split(a)
    bh, bl = split(b)
    e = s.sub(s.mul(ah, bh, dt), p, dt)
    e = s.add(e, s.mul(ah, bl, dt), dt)
    e = s.add(e, s.mul(al, bh, dt), dt)
    return p, s.add(e, s.mul(al, bl, dt), dt)


def _fmod_small(s: Scalar, r: ir.Value, d: ir.Value) -> ir.Value:
    """fmod(r, d) for finite r >= 0 and d > 0 with r / d < 2**53: exact."""
    dt = F64
    one = s.const(1.0, dt)
    # Scale (exactly) away from overflow in _two_prod's splitting and from flushed subnormal
    # partial products; r < d needs no arithmetic at all.
    big = s.cmp("gt", d, s.const(2.0 ** 960, dt), dt)
    tiny = s.cmp("lt", d, s.const(2.0 ** -900, dt), dt)
    scale = s.select(big, s.const(2.0 ** -64, dt), s.select(tiny, s.const(2.0 ** 128, dt), one))
    unscale = s.select(big, s.const(2.0 ** 64, dt), s.select(tiny, s.const(2.0 ** -128, dt), one))
    rs, ds = s.mul(r, scale, dt), s.mul(d, scale, dt)
    q = s.op("math.trunc", [_div(s, rs, ds)])

    def rem(qv):
        p, e = _two_prod(s, qv, ds)
        return s.sub(s.sub(rs, p, dt), e, dt)

    out = rem(q)
    # rs/ds rounded up to a whole number: the quotient is one too large.
    out = s.select(s.cmp("lt", out, s.const(0.0, dt), dt), rem(s.sub(q, one, dt)), out)
    return s.select(s.cmp("lt", r, d, dt), r, s.mul(out, unscale, dt))


def _exponent(s: Scalar, x: ir.Value) -> ir.Value:
    """The biased exponent field of a float64, as i64."""
    i64 = np.dtype(np.int64)
    bits = s.op("arith.bitcast", [x], ir.IntegerType.get_signless(64))
    return s.op("arith.andi", [s.op("arith.shrui", [bits, s.const(52, i64)]), s.const(2047, i64)])


def _pow2(s: Scalar, k: ir.Value) -> ir.Value:
    """2.0 ** k for an i64 0 <= k <= 1023."""
    i64 = np.dtype(np.int64)
    bits = s.op("arith.shli", [s.add(k, s.const(1023, i64), i64), s.const(52, i64)])
    return s.op("arith.bitcast", [bits], ir.F64Type.get())


def fmod_f64(s: Scalar, a: ir.Value, b: ir.Value) -> ir.Value:
    """C fmod, exact for all operands (result has a's sign).

    While |a| >= |b| * 2**53 the remainder is first reduced modulo |b| * 2**k (a multiple of |b|,
    chosen so that each step's quotient stays below 2**53): a short loop, at most 41 steps over
    the whole float64 range and none for ordinary quotients.
    """
    dt, i64 = F64, np.dtype(np.int64)
    ax, bx = _abs(s, a), _abs(s, b)

    loop = scf.WhileOp([ir.F64Type.get()], [ax])
    before = loop.before.blocks.append(ir.F64Type.get())
    with ir.InsertionPoint(before):
        r = before.arguments[0]
        far = _and(s, _is_finite(s, dt, r),
                   s.cmp("ge", r, s.mul(bx, s.const(2.0 ** 53, dt), dt), dt))
        scf.ConditionOp(far, [r])
    after = loop.after.blocks.append(ir.F64Type.get())
    with ir.InsertionPoint(after):
        r = after.arguments[0]
        k = s.sub(s.sub(_exponent(s, r), _exponent(s, bx), i64), s.const(52, i64), i64)
        k1 = s.op("arith.minsi", [k, s.const(1000, i64)])
        d = s.mul(s.mul(bx, _pow2(s, k1), dt), _pow2(s, s.sub(k, k1, i64)), dt)
        scf.YieldOp([_fmod_small(s, r, d)])
    r = _fmod_small(s, loop.results[0], bx)
    # fmod(x, 0), fmod(+-inf, y) and NaNs are NaN; fmod(finite, +-inf) is the dividend.
    nan = _or(s, _or(s, s.cmp("eq", bx, s.const(0.0, dt), dt), _not(s, _is_finite(s, dt, ax))),
              s.is_nan(b))
    r = s.select(nan, s.const(np.nan, dt), r)
    r = s.select(_and(s, _is_inf(s, dt, b), _is_finite(s, dt, a)), ax, r)
    return copysign(s, r, a)


def power(s: Scalar, dt: np.dtype, x: ir.Value, y: ir.Value) -> ir.Value:
    """NumPy float power: math.powf on |x| plus the sign, NaN and 1 cases of C99 pow."""
    one, zero = s.const(1.0, dt), s.const(0.0, dt)
    ax = _abs(s, x)
    p = s.op("math.powf", [ax, y])
    # pow(1, y) = pow(x, 0) = pow(-1, +-inf) = 1, even with NaN on the other side.
    ones = _or(s, _or(s, s.cmp("eq", x, one, dt), s.cmp("eq", y, zero, dt)),
               _and(s, s.cmp("eq", ax, one, dt), _is_inf(s, dt, y)))
    p = s.select(ones, one, p)
    half = s.mul(y, s.const(0.5, dt), dt)
    odd = _and(s, _is_int(s, dt, y), s.cmp("ne", s.op("math.trunc", [half]), half, dt))
    p = s.select(_and(s, odd, _signbit(s, dt, x)), s.op("arith.negf", [p]), p)
    # A finite negative base to a finite non-integer power (-inf ** 0.5 is inf, as in C99).
    bad = _and(s, _and(s, s.cmp("lt", x, zero, dt), _is_finite(s, dt, x)),
               _and(s, _is_finite(s, dt, y), _not(s, _is_int(s, dt, y))))
    return s.select(bad, s.const(np.nan, dt), p)


# ---------------------------------------------------------------------------------------------
# hypot, cbrt, logaddexp: C99/NumPy special values, no overflow of intermediate results
# ---------------------------------------------------------------------------------------------


def _to_f64(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    return s.cast(x, dt, F64)


def hypot(s: Scalar, dt: np.dtype, a: ir.Value, b: ir.Value) -> ir.Value:
    """sqrt(a**2 + b**2) without overflow: narrower floats square exactly in float64 and round
    once; float64 scales by the larger magnitude. hypot(+-inf, NaN) is inf, as in C99."""
    inf_either = _or(s, _is_inf(s, dt, a), _is_inf(s, dt, b))
    if dt != F64:
        x, y = _to_f64(s, dt, a), _to_f64(s, dt, b)
        r = s.cast(s.op("math.sqrt", [s.add(s.mul(x, x, F64), s.mul(y, y, F64), F64)]), F64, dt)
    else:
        ax, bx = _abs(s, a), _abs(s, b)
        big = s.op("arith.maximumf", [ax, bx])
        small = s.op("arith.minimumf", [ax, bx])
        q = _div(s, small, big)
        r = s.mul(big, s.op("math.sqrt", [s.add(s.const(1.0, dt), s.mul(q, q, dt), dt)]), dt)
        r = s.select(s.cmp("eq", big, s.const(0.0, dt), dt), s.const(0.0, dt), r)
    return s.select(inf_either, s.const(np.inf, dt), r)


def cbrt(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    """Real cube root: pow(|x|, 1/3) in float64 plus one Newton step, with x's sign; zeros,
    infinities and NaN pass through unchanged."""
    ax = _abs(s, _to_f64(s, dt, x))
    y = s.op("math.powf", [ax, s.const(1.0 / 3.0, F64)])
    y2 = s.mul(y, y, F64)
    y = s.sub(y, _div(s, s.sub(s.mul(y2, y, F64), ax, F64), s.mul(s.const(3.0, F64), y2, F64)),
              F64)
    r = copysign(s, s.cast(y, F64, dt), x)
    keep = _or(s, _not(s, _is_finite(s, dt, x)), s.cmp("eq", x, s.const(0.0, dt), dt))
    return s.select(keep, x, r)


def log1p(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    return log1p_f64(s, x) if dt == F64 else s.op("math.log1p", [x])


def logaddexp(s: Scalar, dt: np.dtype, x: ir.Value, y: ir.Value, base2: bool = False) -> ir.Value:
    """NumPy's npy_logaddexp(2): equal operands (infinities included) give x + log(2) (x + 1);
    otherwise the larger plus log1p of the exponential of minus the difference."""
    diff = s.sub(x, y, dt)
    pos = s.cmp("gt", diff, s.const(0.0, dt), dt)
    larger = s.select(pos, x, y)
    neg_abs = s.select(pos, s.op("arith.negf", [diff]), diff)
    if base2:
        tail = s.mul(log1p(s, dt, s.op("math.exp2", [neg_abs])), s.const(np.log2(np.e), dt), dt)
        same = s.add(x, s.const(1.0, dt), dt)
    else:
        tail = log1p(s, dt, s.op("math.exp", [neg_abs]))
        same = s.add(x, s.const(np.log(2.0), dt), dt)
    r = s.select(s.is_nan(diff), diff, s.add(larger, tail, dt))
    return s.select(s.cmp("eq", x, y, dt), same, r)
