"""jm.compile of NumPy's elementwise functions as a deep-learning researcher writes them: each
function compared with plain NumPy 2.4 (values, dtypes, shapes, returned types) on edge values
(NaN, +-inf, +-0, negative ints, zero divisors, overflow), and required to run as a graph."""

from __future__ import annotations


import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, converted

FLOATS = np.array([0.125, 2.675, -0.5, 1.5, 2.5, -2.5, np.nan, np.inf, -np.inf, 0.0, -0.0, 3.3,
                   -7.25, 1e-3, 123.456, -1e4])
INTS = np.array([-128, -127, -9, -7, -5, -1, 0, 1, 2, 5, 7, 9, 64, 100, 126, 127])


def float_functions(x, y):
    return (np.clip(x, -1.0, 2.0), np.clip(x, None, 0.5), np.clip(x, 1.0, None), np.clip(x),
            np.clip(x, 2.0, -1.0), np.clip(x, y, 1.0), np.clip(x, -np.inf, np.inf), x.clip(max=0),
            np.round(x), np.round(x, 2), np.around(x, 1), np.round(x, -1), x.round(3),
            np.floor(x), np.ceil(x), np.trunc(x), np.rint(x), np.fix(x), np.sign(x),
            np.fmax(x, y), np.fmin(x, y), np.maximum(x, y), np.minimum(x, y), np.hypot(x, y),
            np.arctan2(x, y), np.expm1(x), np.log1p(x), np.float_power(x, y), np.fmod(x, y),
            np.remainder(x, y), np.divmod(x, y), x // y, x % y, np.isnan(x), np.isinf(x),
            np.isfinite(x), np.nan_to_num(x), np.nan_to_num(x, nan=-1.0, posinf=9.0,
                                                            neginf=-9.0),
            np.heaviside(x, 0.5), np.heaviside(x, y), np.sinc(x), np.deg2rad(x), np.rad2deg(x),
            np.degrees(x), np.radians(x), np.square(x), np.reciprocal(x), np.cbrt(x),
            np.copysign(x, y), np.logaddexp(x, y), np.logaddexp2(x, y), np.signbit(x),
            np.logical_and(x, y), np.logical_or(x, 0.0), np.logical_xor(x, y),
            np.logical_not(x))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_elementwise_functions_match_numpy(dtype) -> None:
    x = FLOATS.astype(dtype)
    y = np.roll(FLOATS, 3).astype(dtype)
    converted(float_functions, x, y)


def int_functions(i, j):
    return (i // j, i % j, np.fmod(i, j), np.divmod(i, j), i / j, np.true_divide(i, 3),
            i + j, i * j, i - j, -i, np.abs(i), np.square(i), np.reciprocal(i), np.sign(i),
            np.floor(i), np.ceil(i), np.trunc(i), np.rint(i), np.fix(i), np.round(i),
            np.round(i, 2), np.round(i, -1), np.around(i, -2), i & j, i | j, i ^ j, ~i,
            i << 3, i >> 2, i << j, i >> j, np.left_shift(i, 7), np.right_shift(i, 70),
            np.bitwise_and(i, 5), np.invert(j), np.clip(i, -5, 300), np.clip(i, j, 50),
            np.clip(i, 10, -10), np.clip(i, -1000, None), np.fmax(i, j), np.fmin(i, 0),
            np.isnan(i), np.isfinite(i), np.nan_to_num(i), np.cbrt(i), np.sinc(i),
            np.hypot(i, j), np.logical_and(i, j), np.logical_not(i), np.signbit(i),
            np.maximum(i, j), np.minimum(i, -3), np.float_power(i, 2), np.heaviside(i, 1))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64])
def test_integer_elementwise_functions_match_numpy(dtype) -> None:
    """Floor division and modulo of negative ints, zero divisors (NumPy gives 0), MIN // -1,
    true division to float64, wrap-around, shift counts beyond the bit width and negative."""
    i = INTS.astype(dtype)
    j = np.array([3, -3, 0, -1, 2, 0, 5, -1, 7, 0, -2, 1, 9, 8, 31, 64]).astype(dtype)
    converted(int_functions, i, j)


def test_shift_counts_out_of_range_are_numpys() -> None:
    """Counts >= the bit width or negative: left shifts give 0, right shifts the sign."""
    def shifts(a, k):
        return a << k, a >> k, np.left_shift(a, 64), np.right_shift(a, -1)

    a = np.array([1, -1, 5, -8, 2**62, -2**63], dtype=np.int64)
    k = np.array([63, 64, 65, -1, 1, 200], dtype=np.int64)
    converted(shifts, a, k)


def test_python_int_shifts_follow_python() -> None:
    """Run-time Python ints shift as Python ints do; a shift that would need more than 64 bits
    or a negative count runs as plain Python (which raises ValueError for the latter)."""
    def shifts(x, n, k):
        return x * (n << k), n >> k, (n << 2) + k

    f = jm.compile(shifts)
    x = np.ones(3, np.float32)
    for n, k in [(5, 3), (5, 3), (7, 4), (7, 4), (-9, 2), (3, 70), (-3, 65), (2**40, 30),
                 (5, -1)]:
        check(f, x, n, k)
    assert f.stats.graph_calls >= 2, f.reasons
    reasons = " ".join(str(r) for r in f.reasons)
    assert "negative shift count" in reasons and "<< does not overflow" in reasons, reasons


def test_round_half_to_even_at_the_scaled_value() -> None:
    """np.round rounds x * 10**d to even, in x's dtype: 0.125 -> 0.12, 2.675 -> 2.67 (binary
    2.675 is below), -0.5 -> -0.0, and int arrays with negative decimals round -125 to -120."""
    def rounding(x, i):
        return np.round(x, 2), np.round(x, 0), np.round(x, -2), np.round(i, -1), np.round(x[0])

    converted(rounding, np.array([0.125, 2.675, -0.5, 0.5, 1.5, 250.0, -350.0, 1e300]),
           np.array([-125, -115, 15, 25, -128, 127], np.int8))


def image_pipeline(img, gain, bias):
    """uint-like int images: scale, round, clip to 8 bits, back to ints; a mask and a blend."""
    x = img.astype(np.float32) * gain + bias
    x = np.clip(np.round(x), 0, 255).astype(np.int32)
    edges = np.abs(x[:, 1:] - x[:, :-1]) >> 1
    dark = np.where(x < 64, 0, x)
    return x, edges, dark, (x & 0xF0) | (dark >> 4), np.nan_to_num(x / (x.max() - x.min()))


def test_image_pipeline_on_int_arrays() -> None:
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (16, 24)).astype(np.int32)
    f = jm.compile(image_pipeline)
    for gain in (1.7, 1.7, 0.5):
        check(f, img, gain, -10.0)
    assert f.stats.graph_calls >= 1, f.reasons
