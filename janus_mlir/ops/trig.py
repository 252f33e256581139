"""sin, cos and tan of float32 and float64, accurate over the whole finite range.

IREE 3.13's llvm-cpu backend links no libm (f64 sin/cos/tan are undefined symbols) and its own
f32 kernels reduce the argument with floor(x * 2/pi), which loses all relative accuracy for
small negative x and is off by 1e-3 beyond |x| ~ 1e4 (IREE-NOTES.md). The rules here reduce
x = k * pi/2 + r (|r| <= pi/4, q = k mod 4) themselves, in two ways chosen per element by
arith.select (elementwise.py skips the second when no element of a large array needs it):

- Cody-Waite, for |x| < CODY_WAITE_LIMIT: x minus k times pi/2 split into parts whose products
  with k are exact (float64: 27-bit parts, |k| < 2**26; float32: float-float k and fma).
- Payne-Hanek, above: only the bits of 2/pi that matter modulo 4 for this exponent are used.
  The integer significand M of |x| = M * 2**e is multiplied by a 3-word window of the bits of
  2/pi starting at bit e - 2 (words of 64 bits for float64, 32 for float32, so that float32
  needs neither float64 nor i64, as on Vulkan); the low 3 words of the product hold k mod 4 in
  their top two bits and the fraction below, exact to 2**-137 (float64) / 2**-70 (float32) of
  a quadrant. The fraction is normalised with ctlz and turned into r = r_hi + r_lo, a
  two-float value, so that the kernels can correct for the tail.

The bits of 2/pi come from an integer evaluation of Machin's formula at import (no table to
mistype). Kernels: float64 Taylor polynomials on |r| <= pi/4; float32 IREE's math.sin/math.cos
on |r|, which are accurate on [0, pi/2). inf and NaN give NaN. IREE's arithmetic flushes
subnormals to zero; sin and tan of tiny x select x itself, so subnormal x (and -0) come back
unchanged as in NumPy.

Measured against exact values (tests/test_ops_trig.py), over |x| log-uniform in [1e-30, 3.4e38]
(float32) and [1e-300, 1.7e308] (float64) plus hard cases: max ulp error sin/cos/tan float32
1.4/1.6/3.0 (NumPy 1.2/1.2/3.0), float64 1/1/2 (NumPy 1/8/1: its cos is off by 8 ulp at
6381956970095103 * 2**797).
"""

from __future__ import annotations

import struct
from fractions import Fraction

import numpy as np
from iree.compiler import ir

from ..dialects.types import element_type
from .emit import Scalar
from .mathlib import FACT, PI, copysign, horner

F32, F64 = np.dtype(np.float32), np.dtype(np.float64)
I32, I64 = np.dtype(np.int32), np.dtype(np.int64)

# Below these, Cody-Waite reduction is exact (float64) or within an ulp (float32).
CODY_WAITE_LIMIT = {F64: 2.0 ** 26, F32: 2.0 ** 13}
# Arrays this large check whether any element needs Payne-Hanek before computing it: the check
# (a reduction and a device->host read) costs ~2 us plus ~0.1 (float32) / 0.3 (float64) ns per
# element on local-sync, both reductions together ~1.3 / 4 ns per element more than
# Cody-Waite alone.
GUARD_MIN_SIZE = 2048


# ---------------------------------------------------------------------------------------------
# Constants: pi/2 in parts, the bits of 2/pi
# ---------------------------------------------------------------------------------------------


def _truncate_bits(x: float, keep: int) -> float:
    """`x` with only the top `keep` mantissa bits kept (so small multiples of it are exact)."""
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    return struct.unpack("<d", struct.pack("<Q", bits & ~((1 << (53 - keep)) - 1)))[0]


def _split_pi2(parts: int, bits: int) -> tuple[float, ...]:
    """pi/2 as a sum of `parts` floats, all but the last of `bits` bits (k * part is exact for
    |k| < 2**(53 - bits))."""
    out: list[float] = []
    rest = PI / 2
    for i in range(parts):
        p = float(rest) if i == parts - 1 else _truncate_bits(float(rest), bits)
        out.append(p)
        rest -= Fraction(p)
    return tuple(out)


def _split_pi2_f32(parts: int) -> tuple[float, ...]:
    """pi/2 as a sum of float32 values (for fma-based reduction in float32)."""
    out: list[float] = []
    rest = PI / 2
    for _ in range(parts):
        p = float(np.float32(float(rest)))
        out.append(p)
        rest -= Fraction(p)
    return tuple(out)


_PI2_PARTS = _split_pi2(4, 27)
_PI2_F32_PARTS = _split_pi2_f32(3)


def _arctan_inv(n: int, one: int) -> int:
    """arctan(1/n) * one, in integers (the series' error is below a few units)."""
    total, term, k, sign = 0, one // n, 1, 1
    while term:
        total += sign * (term // k)
        term //= n * n
        k += 2
        sign = -sign
    return total


def two_over_pi_bits(nbits: int) -> int:
    """floor(2/pi * 2**nbits): the first `nbits` bits of 2/pi after the binary point."""
    guard = 64
    one = 1 << (nbits + guard)
    pi = 16 * _arctan_inv(5, one) - 4 * _arctan_inv(239, one)  # Machin, scaled by `one`
    return (2 << (2 * (nbits + guard))) // pi >> guard


def two_over_pi_words(width: int, count: int) -> list[int]:
    """`count` words of `width` bits: one word of zeros (the integer part of 2/pi, so a window
    may start before the binary point) followed by the bits of 2/pi."""
    bits = two_over_pi_bits(width * (count - 1))
    mask = (1 << width) - 1
    return [0] + [(bits >> (width * (count - 2 - i))) & mask for i in range(count - 1)]


# float dtype -> (int dtype of its bits, word bits, significand bits, exponent bias)
_FORMATS = {F64: (I64, 64, 53, 1023), F32: (I32, 32, 24, 127)}
_WINDOW = 3  # words of 2/pi per product


def _table_words(dt: np.dtype) -> list[int]:
    _, w, p, bias = _FORMATS[dt]
    last_start = (bias - (p - 1)) + w - 2  # window start for the largest exponent (= bias)
    return two_over_pi_words(w, last_start // w + _WINDOW + 2)


def _signed(value: int, width: int) -> int:
    """The two's complement reading of a `width`-bit word (as MLIR integer attributes want)."""
    return value - (1 << width) if value >= 1 << (width - 1) else value


_TABLES = {dt: [_signed(v, _FORMATS[dt][1]) for v in _table_words(dt)] for dt in _FORMATS}


def _half_pi_parts(dt: np.dtype) -> tuple[float, float]:
    """pi/2 = c1 + c2 (+ far smaller), c1 and c2 of dtype `dt`."""
    c1 = float(dt.type(float(PI / 2)))
    return c1, float(dt.type(float(PI / 2 - Fraction(c1))))


_HALF_PI_PARTS = {dt: _half_pi_parts(dt) for dt in _FORMATS}


# ---------------------------------------------------------------------------------------------
# Integer helpers
# ---------------------------------------------------------------------------------------------


def _int(s: Scalar, it: np.dtype, v: int) -> ir.Value:
    return s.const(_signed(v & ((1 << it.itemsize * 8) - 1), it.itemsize * 8), it)


def _shl(s: Scalar, a: ir.Value, b: ir.Value) -> ir.Value:
    return s.op("arith.shli", [a, b])


def _shr(s: Scalar, a: ir.Value, b: ir.Value) -> ir.Value:
    return s.op("arith.shrui", [a, b])


def _ult(s: Scalar, a: ir.Value, b: ir.Value) -> ir.Value:
    i64 = ir.IntegerType.get_signless(64)
    return s.op("arith.cmpi", [a, b], ir.IntegerType.get_signless(1),
                {"predicate": ir.IntegerAttr.get(i64, 6)})


def _mul_wide(a: ir.Value, b: ir.Value) -> tuple[ir.Value, ir.Value]:
    """(low, high) words of the unsigned product a * b."""
    op = ir.Operation.create("arith.mului_extended", results=[a.type, a.type], operands=[a, b])
    return op.results[0], op.results[1]


def _lookup(s: Scalar, it: np.dtype, table: list[int], index: ir.Value,
            count: int) -> list[ir.Value]:
    """table[index], ..., table[index + count - 1] for a small constant table: one chain of
    compares and selects shared by the `count` words. Measured faster than tensor.extract from
    a constant tensor in the body (sin of 10**6 elements, Payne-Hanek alone: float64 5.7 vs
    6-7 ms, float32 2.4 vs 3.8 ms)."""
    starts = range(len(table) - count + 1)
    out = [_int(s, it, table[k]) for k in range(count)]
    for i in starts[1:]:
        hit = s.cmp("eq", index, _int(s, it, i), it)
        out = [s.select(hit, _int(s, it, table[i + k]), o) for k, o in enumerate(out)]
    return out


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------

Reduced = tuple[ir.Value, ir.Value | None, ir.Value]  # (r_hi, r_lo or None for 0, q 0..3)


def _mod4(s: Scalar, dt: np.dtype, k: ir.Value) -> ir.Value:
    """k mod 4 for a whole number k (exact)."""
    quarter = s.op("math.floor", [s.mul(k, s.const(0.25, dt), dt)])
    return s.sub(k, s.mul(s.const(4.0, dt), quarter, dt), dt)


def cody_waite(s: Scalar, dt: np.dtype, x: ir.Value) -> Reduced:
    """x = k*pi/2 + r for |x| < CODY_WAITE_LIMIT (no r_lo).

    float64: k * part is exact for the 27-bit parts of pi/2, so plain multiply-subtract is exact.
    float32: k = k_hi + k_lo from x * 2/pi in float-float, then fma with three float32 parts of
    pi/2, as NumPy's own float32 loops reduce.
    """
    two_over_pi, half = float(2 / PI), s.const(0.5, dt)
    if dt == F64:
        k = s.op("math.floor", [s.add(s.mul(x, s.const(two_over_pi, dt), dt), half, dt)])
        r = x
        for part in _PI2_PARTS:
            r = s.sub(r, s.mul(k, s.const(part, dt), dt), dt)
        return r, None, _mod4(s, dt, k)
    c_hi = float(np.float32(two_over_pi))
    c_lo = float(np.float32(two_over_pi - c_hi))
    y_hi = s.mul(x, s.const(c_hi, dt), dt)
    y_lo = s.add(s.op("math.fma", [x, s.const(c_hi, dt), s.op("arith.negf", [y_hi])]),
                 s.mul(x, s.const(c_lo, dt), dt), dt)
    k_hi = s.op("math.trunc", [y_hi])
    k_lo = s.op("math.floor", [s.add(s.add(s.sub(y_hi, k_hi, dt), y_lo, dt), half, dt)])
    k = s.add(k_hi, k_lo, dt)  # exact: |k| < 2**24 below the limit
    r = x
    for part in _PI2_F32_PARTS:
        r = s.op("math.fma", [s.op("arith.negf", [k]), s.const(part, dt), r])
    return r, None, _mod4(s, dt, k)


def payne_hanek(s: Scalar, dt: np.dtype, x: ir.Value) -> tuple[ir.Value, ir.Value, ir.Value]:
    """x = k*pi/2 + r_hi + r_lo for finite normal |x| >= 2**(w - 2 - p) (w: word bits, p:
    significand bits): the significand times a window of the bits of 2/pi, in integers."""
    it, w, p, bias = _FORMATS[dt]
    bits = s.op("arith.bitcast", [s.op("math.absf", [x])], ir.IntegerType.get_signless(w))
    m = s.op("arith.ori", [s.op("arith.andi", [bits, _int(s, it, (1 << (p - 1)) - 1)]),
                           _int(s, it, 1 << (p - 1))])
    # |x| = m * 2**e: the window starts at bit e - 2 of 2/pi (after the word of zeros), so
    # that the bits before it only add multiples of 4 to x * 2/pi.
    start = s.add(_shr(s, bits, _int(s, it, p - 1)), _int(s, it, w - 2 - bias - (p - 1)), it)
    z2, z1, z0 = _times_window(s, dt, m, start)
    # Round to the nearest quadrant: k mod 4 in the top two bits, a signed fraction below.
    z2 = s.add(z2, _int(s, it, 1 << (w - 3)), it)
    q = _shr(s, z2, _int(s, it, w - 2))
    d2 = s.sub(s.op("arith.andi", [z2, _int(s, it, (1 << (w - 2)) - 1)]),
               _int(s, it, 1 << (w - 3)), it)
    frac_neg = s.cmp("lt", d2, _int(s, it, 0), it)
    f_hi, f_lo = _magnitude(s, dt, frac_neg, (d2, z1, z0))
    # r = fraction * pi/2 as a two-float value.
    c1, c2 = _HALF_PI_PARTS[dt]
    r_hi = s.mul(f_hi, s.const(c1, dt), dt)
    err = s.op("math.fma", [f_hi, s.const(c1, dt), s.op("arith.negf", [r_hi])])
    r_lo = s.add(err, s.add(s.mul(f_hi, s.const(c2, dt), dt), s.mul(f_lo, s.const(c1, dt), dt),
                            dt), dt)
    r = s.add(r_hi, r_lo, dt)
    rr = s.sub(r_lo, s.sub(r, r_hi, dt), dt)
    # A negative fraction, and x < 0 (sin(-|x|) reduces to quadrant -q, remainder -r), flip r.
    x_neg = s.cmp("lt", x, s.const(0.0, dt), dt)
    flip = s.op("arith.xori", [frac_neg, x_neg])
    r = s.select(flip, s.op("arith.negf", [r]), r)
    rr = s.select(flip, s.op("arith.negf", [rr]), rr)
    q = s.op("arith.andi", [s.select(x_neg, s.sub(_int(s, it, 0), q, it), q), _int(s, it, 3)])
    return r, rr, s.op("arith.uitofp", [q], element_type(dt))


def _times_window(s: Scalar, dt: np.dtype, m: ir.Value,
                  start: ir.Value) -> tuple[ir.Value, ir.Value, ir.Value]:
    """The low three words (high first) of m times the 3-word window of the bits of 2/pi that
    starts at bit `start` (clamped into the table: elements that need no Payne-Hanek get
    some window)."""
    it, w, _, _ = _FORMATS[dt]
    table = _TABLES[dt]
    last = (len(table) - _WINDOW - 1) * w - 1
    start = s.op("arith.minsi", [s.op("arith.maxsi", [start, _int(s, it, 0)]), _int(s, it, last)])
    j0 = _shr(s, start, _int(s, it, w.bit_length() - 1))
    sh = s.op("arith.andi", [start, _int(s, it, w - 1)])
    back = s.sub(_int(s, it, w - 1), sh, it)
    words = _lookup(s, it, table, j0, _WINDOW + 1)
    # Word k of the window: word j0+k shifted left by sh, topped up from word j0+k+1 (shifted
    # right in two steps: a shift by the full width is undefined).
    w0, w1, w2 = (s.op("arith.ori", [_shl(s, words[k], sh),
                                     _shr(s, _shr(s, words[k + 1], _int(s, it, 1)), back)])
                  for k in range(_WINDOW))
    l0, _ = _mul_wide(m, w0)
    l1, h1 = _mul_wide(m, w1)
    l2, h2 = _mul_wide(m, w2)
    z1 = s.add(h2, l1, it)
    carry = s.cast(_ult(s, z1, h2), np.dtype(bool), it)
    return s.add(s.add(h1, l0, it), carry, it), z1, l2


def _magnitude(s: Scalar, dt: np.dtype, negative: ir.Value,
               words: tuple[ir.Value, ir.Value, ir.Value]) -> tuple[ir.Value, ir.Value]:
    """|D| * 2**-(3w - 2) as two floats (high part first, both exact) for the signed 3-word
    fixed-point fraction D = (d2, z1, z0) (d2 signed, |D| < 2**(3w - 3))."""
    it, w, p, bias = _FORMATS[dt]
    d2, z1, z0 = words
    ones, zero, one = _int(s, it, -1), _int(s, it, 0), _int(s, it, 1)
    # Two's complement negation across the words.
    n0 = s.add(s.op("arith.xori", [z0, ones]), one, it)
    c0 = s.cmp("eq", z0, zero, it)
    n1 = s.add(s.op("arith.xori", [z1, ones]), s.cast(c0, np.dtype(bool), it), it)
    c1 = s.op("arith.andi", [c0, s.cmp("eq", z1, zero, it)])
    n2 = s.add(s.op("arith.xori", [d2, ones]), s.cast(c1, np.dtype(bool), it), it)
    a2, a1, a0 = (s.select(negative, n, v) for n, v in ((n2, d2), (n1, z1), (n0, z0)))
    # The top nonzero word and the next, shifted so that bit w-1 is set.
    empty = s.cmp("eq", a2, zero, it)
    hi, lo = s.select(empty, a1, a2), s.select(empty, a0, a1)
    lz = s.op("arith.minsi", [s.op("math.ctlz", [hi]), _int(s, it, w - 1)])
    top = s.op("arith.ori", [_shl(s, hi, lz), _shr(s, _shr(s, lo, one),
                                                   s.sub(_int(s, it, w - 1), lz, it))])
    # |D| * 2**-(3w-2) = top * 2**(2 - w - lz), another 2**-w if the top word was empty.
    exp = s.sub(_int(s, it, 2 - w + bias), lz, it)
    exp = s.select(empty, s.sub(exp, _int(s, it, w), it), exp)
    scale = s.op("arith.bitcast", [_shl(s, exp, _int(s, it, p - 1))], element_type(dt))
    low_mask = (1 << (w - p)) - 1
    top_hi = s.op("arith.andi", [top, _int(s, it, ~low_mask)])
    top_lo = s.op("arith.andi", [top, _int(s, it, low_mask)])
    f_hi, f_lo = (s.mul(s.op("arith.uitofp", [v], element_type(dt)), scale, dt)
                  for v in (top_hi, top_lo))
    return f_hi, f_lo


def large_argument(s: Scalar, dt: np.dtype, x: ir.Value) -> ir.Value:
    """Whether x is finite and beyond CODY_WAITE_LIMIT (needs Payne-Hanek)."""
    a = s.op("math.absf", [x])
    return s.op("arith.andi", [s.cmp("ge", a, s.const(CODY_WAITE_LIMIT[dt], dt), dt),
                               s.cmp("lt", a, s.const(np.inf, dt), dt)])


def reduce_pi2(s: Scalar, dt: np.dtype, x: ir.Value, large: bool = True) -> Reduced:
    """(r_hi, r_lo, q) with x = k*pi/2 + r_hi + r_lo, |r| <= pi/4, q = k mod 4 (as a float).

    large=False: Cody-Waite only, exact for |x| < CODY_WAITE_LIMIT (half the work)."""
    small = cody_waite(s, dt, x)
    if not large:
        return small
    r, rr, q = payne_hanek(s, dt, x)
    use_big = large_argument(s, dt, x)
    return (s.select(use_big, r, small[0]), s.select(use_big, rr, s.const(0.0, dt)),
            s.select(use_big, q, small[2]))


# ---------------------------------------------------------------------------------------------
# Kernels and quadrants
# ---------------------------------------------------------------------------------------------

# Taylor series on |r| <= pi/4: the first omitted term is below 2**-60 of the result.
_SIN = [(-1) ** n / FACT[2 * n + 1] for n in range(1, 10)]
_COS = [(-1) ** n / FACT[2 * n] for n in range(1, 11)]


def _sin_cos(s: Scalar, dt: np.dtype, r: ir.Value,
             rr: ir.Value | None) -> tuple[ir.Value, ir.Value]:
    """(sin, cos) of r + rr for |r| <= pi/4 and |rr| <= ulp(r) (rr None: 0)."""
    if dt == F64:
        z = s.mul(r, r, dt)
        sn = s.add(r, s.mul(s.mul(r, z, dt), horner(s, dt, z, _SIN), dt), dt)
        cs = s.add(s.const(1.0, dt), s.mul(z, horner(s, dt, z, _COS), dt), dt)
    else:
        # IREE's f32 kernels reduce with floor(): a small negative r becomes r + pi/2 and loses
        # all relative accuracy. On [0, pi/2) they are accurate; sin is odd, cos even.
        a = s.op("math.absf", [r])
        sn, cs = copysign(s, s.op("math.sin", [a]), r), s.op("math.cos", [a])
    if rr is None:
        return sn, cs
    return s.add(sn, s.mul(rr, cs, dt), dt), s.sub(cs, s.mul(rr, sn, dt), dt)


def _quadrant(s: Scalar, dt: np.dtype, q: ir.Value,
              values: tuple[ir.Value, ir.Value, ir.Value, ir.Value]) -> ir.Value:
    v0, v1, v2, v3 = values
    return s.select(s.cmp("eq", q, s.const(0.0, dt), dt), v0,
                    s.select(s.cmp("eq", q, s.const(1.0, dt), dt), v1,
                             s.select(s.cmp("eq", q, s.const(2.0, dt), dt), v2, v3)))


def _reduced(s: Scalar, dt: np.dtype, x: ir.Value,
             large: bool) -> tuple[ir.Value, ir.Value, ir.Value]:
    """(sin r, cos r, q) for x = k*pi/2 + r."""
    r, rr, q = reduce_pi2(s, dt, x, large)
    sn, cs = _sin_cos(s, dt, r, rr)
    return sn, cs, q


# sin(x) and tan(x) round to x below these (x**2 / 3 < ulp / 2).
_TINY = {F64: 2.0 ** -27, F32: 2.0 ** -12}


def _itself_if_tiny(s: Scalar, dt: np.dtype, x: ir.Value, y: ir.Value) -> ir.Value:
    """x where |x| is tiny, else y: selecting x's bits keeps subnormal x and -0, which IREE's
    arithmetic would flush to +-0."""
    return s.select(s.cmp("lt", s.op("math.absf", [x]), s.const(_TINY[dt], dt), dt), x, y)


def _finite_only(s: Scalar, dt: np.dtype, x: ir.Value, y: ir.Value) -> ir.Value:
    """y, or NaN where x is inf or NaN."""
    finite = s.cmp("lt", s.op("math.absf", [x]), s.const(np.inf, dt), dt)
    return s.select(finite, y, s.const(np.nan, dt))


def sin(s: Scalar, dt: np.dtype, x: ir.Value, large: bool = True) -> ir.Value:
    """numpy.sin; large=False is exact only for |x| < CODY_WAITE_LIMIT."""
    sn, cs, q = _reduced(s, dt, x, large)
    neg = lambda v: s.op("arith.negf", [v])  # noqa: E731
    y = _quadrant(s, dt, q, (sn, cs, neg(sn), neg(cs)))
    return _finite_only(s, dt, x, _itself_if_tiny(s, dt, x, y))


def cos(s: Scalar, dt: np.dtype, x: ir.Value, large: bool = True) -> ir.Value:
    """numpy.cos; large=False is exact only for |x| < CODY_WAITE_LIMIT."""
    sn, cs, q = _reduced(s, dt, x, large)
    neg = lambda v: s.op("arith.negf", [v])  # noqa: E731
    return _finite_only(s, dt, x, _quadrant(s, dt, q, (cs, neg(sn), neg(cs), sn)))


def tan(s: Scalar, dt: np.dtype, x: ir.Value, large: bool = True) -> ir.Value:
    """numpy.tan; large=False is exact only for |x| < CODY_WAITE_LIMIT."""
    sn, cs, q = _reduced(s, dt, x, large)
    odd = s.cmp("eq", s.op("math.absf", [s.sub(q, s.const(2.0, dt), dt)]), s.const(1.0, dt), dt)
    div = lambda a, b: s.op("arith.divf", [a, b])  # noqa: E731
    y = s.select(odd, s.op("arith.negf", [div(cs, sn)]), div(sn, cs))
    return _finite_only(s, dt, x, _itself_if_tiny(s, dt, x, y))
