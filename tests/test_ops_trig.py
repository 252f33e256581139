"""sin, cos, tan (janus_mlir/ops/trig.py) over the whole finite range, against an exact reference
and against NumPy.

The reference reduces x by pi/2 in exact integer arithmetic (pi from Machin-Takano's formula, a
different one from the module's, to 1400 bits) and sums the Taylor series in 256-bit fixed
point: correctly rounded up to double rounding. Errors are in units in the last place of the
result's dtype. Arrays below trig.GUARD_MIN_SIZE compute both reductions and select; larger ones
check first whether any element needs Payne-Hanek: both paths are tested.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from janus_mlir.ops import trig

from .op_harness import Case, run_cases

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
OPS = ("sin", "cos", "tan")

# ---------------------------------------------------------------------------------------------
# Exact reference
# ---------------------------------------------------------------------------------------------

_PREC = 1400  # bits of pi: |k| * 2**-1400 stays far below any result's ulp
_FIX = 256    # fractional bits of the fixed-point Taylor sums


def _arctan_inv(n: int, one: int) -> int:
    total, term, k, sign = 0, one // n, 1, 1
    while term:
        total += sign * (term // k)
        term //= n * n
        k += 2
        sign = -sign
    return total


def _pi_scaled(bits: int) -> int:
    """pi * 2**bits (Machin-Takano), to a few units."""
    one = 1 << (bits + 32)
    pi = 4 * (12 * _arctan_inv(49, one) + 32 * _arctan_inv(57, one) - 5 * _arctan_inv(239, one)
              + 12 * _arctan_inv(110443, one))
    return pi >> 32


_HALF_PI = _pi_scaled(_PREC) // 2


def _sin_cos_fixed(r: int) -> tuple[int, int]:
    """(sin, cos) * 2**_FIX of r * 2**-_FIX, |r| <= pi/4."""
    one = 1 << _FIX
    r2 = r * r >> _FIX
    s, c, ts, tc, n = 0, 0, r, one, 0
    while ts or tc:
        s, c = s + ts, c + tc
        ts = -ts * r2 // ((2 * n + 2) * (2 * n + 3)) >> _FIX
        tc = -tc * r2 // ((2 * n + 1) * (2 * n + 2)) >> _FIX
        n += 1
    return s, c


def exact(op: str, x: float) -> float:
    """numpy.<op>(x) correctly rounded to float64 (NaN for inf and NaN)."""
    if not math.isfinite(x):
        return math.nan
    if x == 0:
        return 1.0 if op == "cos" else x
    num, den = Fraction(x).as_integer_ratio()  # den is a power of two
    n = (num << _PREC) // den  # x * 2**_PREC, exact for every float64 (den <= 2**1074)
    k = (2 * n + _HALF_PI) // (2 * _HALF_PI)
    r = (n - k * _HALF_PI) >> (_PREC - _FIX)
    s, c = _sin_cos_fixed(r)
    q = k % 4
    sin, cos = [(s, c), (c, -s), (-s, -c), (-c, s)][q]
    if op == "sin":
        return float(Fraction(sin, 1 << _FIX)) if abs(x) > 2.0 ** -30 else x
    if op == "cos":
        return float(Fraction(cos, 1 << _FIX))
    return float(Fraction(sin, cos)) if abs(x) > 2.0 ** -30 else x


def ulp_errors(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """|got - want| in ulps of got's dtype (0 where both are NaN or equal, inf where only one
    is NaN)."""
    dt = got.dtype
    with np.errstate(all="ignore"):
        w = want.astype(dt)
        spacing = np.spacing(np.abs(w)).astype(np.float64)
        err = np.abs(got.astype(np.float64) - want.astype(np.float64)) / spacing
    err[np.isnan(err)] = np.inf
    err[(np.isnan(got) & np.isnan(w)) | (got == w)] = 0
    return err


def _exact_array(op: str, x: np.ndarray) -> np.ndarray:
    return np.array([exact(op, float(v)) for v in x.astype(np.float64)])


def _compiled(xs: list[np.ndarray]) -> list[list[np.ndarray]]:
    """sin, cos, tan of each array, compiled (one module)."""
    cases = [Case(op, (x,)) for x in xs for op in OPS]
    out = [r[0] for r in run_cases(cases)]
    return [out[i:i + len(OPS)] for i in range(0, len(out), len(OPS))]


def _worst(x: np.ndarray, got: np.ndarray, want: np.ndarray, err: np.ndarray) -> str:
    i = int(np.argmax(err))
    return f"x={x[i]!r}: got {got[i]!r}, want {want[i]!r} ({err[i]:.3g} ulp)"


# ---------------------------------------------------------------------------------------------
# The bits of 2/pi
# ---------------------------------------------------------------------------------------------

# 2/pi in hexadecimal, as published with fdlibm's __kernel_rem_pio2 (ipio2).
TWO_OVER_PI_HEX = ("A2F9836E4E441529FC2757D1F534DDC0DB6295993C439041FE5163ABDEBBC561"
                   "B7246E3A424DD2E006492EEA09D1921CFE1DEB1CB129A73EE88235F52EBB4484")


def test_two_over_pi_bits_match_the_published_expansion() -> None:
    bits = len(TWO_OVER_PI_HEX) * 4
    assert trig.two_over_pi_bits(bits) == int(TWO_OVER_PI_HEX, 16)
    # And the reference's pi (another formula) agrees with the module's bits.
    assert trig.two_over_pi_bits(1200) == (1 << (1200 + _PREC + 1)) // _pi_scaled(_PREC)


def test_two_over_pi_words_start_with_a_word_of_zeros() -> None:
    words = trig.two_over_pi_words(32, 4)
    assert words == [0, 0xA2F9836E, 0x4E441529, 0xFC2757D1]


# ---------------------------------------------------------------------------------------------
# Special points
# ---------------------------------------------------------------------------------------------


def _near_half_pi_multiples(dtype: np.dtype) -> np.ndarray:
    """Floats next to k * pi/2 for k = 2**j: cancellation in the reduction is worst there."""
    top = 127 if dtype == F32 else 1022
    pts = []
    for j in range(1, top, 3):
        v = dtype.type(Fraction(_HALF_PI * 2 ** j, 1 << _PREC).__float__())
        if np.isfinite(v):
            pts += [v, np.nextafter(v, dtype.type(np.inf)), np.nextafter(v, dtype.type(0))]
    return np.array(pts, dtype)


SPECIAL = {
    F32: np.array([3e38, -3e38, np.finfo(np.float32).max, 1e38, 1e30, 1e20, 1e10, 1e8, 1e6, 8192,
                   8191.5, 65536, 1e4, float(2**63 - 1), 16367173 * 2.0 ** 72, np.pi * 1e20,
                   0.0, -0.0, 1e-30, 1e-40, -1e-40, 1.4e-45, np.inf, -np.inf, np.nan], F32),
    F64: np.array([float(2**63 - 1), -float(2**63 - 1), 1.7e308, np.finfo(np.float64).max, 1e300,
                   1e100, 1e22, 1e16, 2.0 ** 53, 6381956970095103 * 2.0 ** 797, 1e10, 2.0 ** 26,
                   2.0 ** 26 - 1, 1e8, 1e5, np.pi * 1e20, 0.0, -0.0, 1e-300, 2.2e-308, -2.2e-308,
                   5e-324, np.inf, -np.inf, np.nan], F64),
}
# Max ulp against the exact result (sin, cos, tan), measured: f32 1, 2, 3; f64 1, 1, 2.
BOUND = {F32: {"sin": 2, "cos": 2, "tan": 4}, F64: {"sin": 2, "cos": 2, "tan": 3}}


@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_special_points_are_within_a_few_ulp_of_exact(dtype: np.dtype) -> None:
    x = np.concatenate([SPECIAL[dtype], _near_half_pi_multiples(dtype)])
    rng = np.random.default_rng(0)
    big = np.concatenate([x, rng.uniform(-3, 3, trig.GUARD_MIN_SIZE).astype(dtype)])
    small_out, big_out = _compiled([x, big])
    problems = []
    for op, small, large in zip(OPS, small_out, big_out, strict=True):
        want = _exact_array(op, x)
        for path, got in (("select", small), ("guarded", large[:x.size])):
            err = ulp_errors(got, want)
            if np.max(err) > BOUND[dtype][op]:
                problems.append(f"{op} ({path}): {_worst(x, got, want, err)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_large_arrays_of_small_arguments_take_the_short_kernel_accurately(dtype) -> None:
    """No element needs Payne-Hanek: the guard picks the Cody-Waite-only kernel, up to just
    below its limit."""
    limit = trig.CODY_WAITE_LIMIT[dtype]
    rng = np.random.default_rng(4)
    edge = np.nextafter(dtype.type(limit), dtype.type(0))
    x = np.concatenate([rng.uniform(-limit, limit, 3 * trig.GUARD_MIN_SIZE),
                        np.exp(rng.uniform(-60, np.log(limit), 2000)) * rng.choice([-1, 1], 2000),
                        [edge, -edge, 0.0, -0.0, np.nan, np.inf, -np.inf]]).astype(dtype)
    (outs,) = _compiled([x])
    sample = np.r_[0:500, x.size - 2500:x.size]
    for op, got in zip(OPS, outs, strict=True):
        want = _exact_array(op, x[sample])
        err = ulp_errors(got[sample], want)
        assert np.max(err) <= BOUND[dtype][op], f"{op}: {_worst(x[sample], got[sample], want, err)}"


def test_integer_arguments_reduce_in_float64() -> None:
    x = np.array([2**63 - 1, -2**63, 2**62 + 1, 10**18, -(10**15), 7], np.int64)
    (outs,) = _compiled([x])
    for op, got in zip(OPS, outs, strict=True):
        want = _exact_array(op, x.astype(np.float64))
        assert got.dtype == F64
        assert np.max(ulp_errors(got, want)) <= BOUND[F64][op], (op, got, want)
    assert abs(float(outs[0][0]) - np.sin(np.float64(2**63 - 1))) < 1e-15  # was 1.9e35


def test_float16_computes_in_float32_and_rounds() -> None:
    x = np.array([65504, -65504, 8192, 10000, 30000, 1000, 0.5, 6e-8, 0.0, -0.0, np.inf], F16)
    (outs,) = _compiled([x])
    for op, got in zip(OPS, outs, strict=True):
        with np.errstate(invalid="ignore"):
            want = getattr(np, op)(x)
        assert got.dtype == F16
        assert np.max(ulp_errors(got, want)) <= 1, (op, x, got, want)


# ---------------------------------------------------------------------------------------------
# Random arguments over the whole range
# ---------------------------------------------------------------------------------------------

RANGES = {F32: (1e-30, 3.4e38), F64: (1e-300, 1.7e308)}


def _log_uniform(rng: np.random.Generator, dtype: np.dtype, n: int) -> np.ndarray:
    lo, hi = RANGES[dtype]
    v = np.exp(rng.uniform(np.log(lo), np.log(hi), n)) * rng.choice([-1.0, 1.0], n)
    return v.astype(dtype)


def _check_random(n: int, exact_sample: int) -> None:
    rng = np.random.default_rng(17)
    xs = {dt: _log_uniform(rng, dt, n) for dt in (F32, F64)}
    outs = dict(zip(xs, _compiled(list(xs.values())), strict=True))
    problems = []
    for dt, x in xs.items():
        for op, got in zip(OPS, outs[dt], strict=True):
            with np.errstate(invalid="ignore"):
                want = getattr(np, op)(x)
            err = ulp_errors(got, want)
            # NumPy itself is within 1 (sin, cos) and 3 (tan) ulp of exact here.
            if np.max(err) > BOUND[dt][op] + (1 if op != "tan" else 3):
                problems.append(f"{dt} {op} vs NumPy: {_worst(x, got, want, err)}")
            sub = x[:exact_sample]
            ref = _exact_array(op, sub)
            err = ulp_errors(got[:exact_sample], ref)
            if np.max(err) > BOUND[dt][op]:
                problems.append(f"{dt} {op} vs exact: {_worst(sub, got, ref, err)}")
    assert not problems, "\n".join(problems)


def test_a_million_random_arguments_over_the_whole_range() -> None:
    _check_random(10**6, 5000)
