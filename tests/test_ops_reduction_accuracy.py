"""Blocked reductions (janus_mlir/ops/blocked.py): float sums round like NumPy's pairwise sums,
and every path through the levels (divisors, slices, copies, several runs of axes) gives NumPy's
values.

Two kinds of tests: accuracy at real sizes against math.fsum and NumPy (a sequential float32
loop misses them by percents), and the level structure with tiny block constants, so that
arrays of a few dozen elements take every path, with values whose sums and products are exact
in any order, compared with NumPy exactly.
"""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.ops import blocked

from .op_harness import (
    DTYPES,
    Case,
    check_cases,
    compiled,
    make_array,
    normalize_axes,
    run_cases,
    seeds,
)

F16, F32 = np.dtype(np.float16), np.dtype(np.float32)
REDUCTIONS = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min,
              "all": np.all, "any": np.any}


def _case(op: str, x: np.ndarray, axis=None, keepdims: bool = False, **kw) -> Case:
    fn = REDUCTIONS[op]
    return Case(op, (x,), {"axes": normalize_axes(axis, x.ndim), "keepdims": keepdims},
                reference=lambda v, fn=fn: fn(v, axis=axis, keepdims=keepdims),
                label=f"axis={axis} keepdims={keepdims}", **kw)


def _compiled(cases: list[Case]) -> list[np.ndarray]:
    return [out[0] for out in run_cases(cases)]


# ---------------------------------------------------------------------------------------------
# How levels are chosen
# ---------------------------------------------------------------------------------------------


def test_runs_groups_adjacent_axes() -> None:
    assert blocked.runs([]) == []
    assert blocked.runs([0, 1, 2]) == [(0, 3)]
    assert blocked.runs([0, 2, 3, 5]) == [(0, 1), (2, 4), (5, 6)]


@pytest.mark.parametrize("length,lanes,itemsize,factor", [
    (10**6, 1, 4, 125),      # largest divisor <= BLOCK
    (1000, 1, 4, 125),       # leaves 8 lanes
    (100, 1, 4, 10),         # short rows still get LANES lanes
    (100, 60, 4, None),      # short, lanes wide already: one plain level
    (16, 1, 4, None),        # too short for a level
    (1009, 1, 4, None),      # prime: sliced
    (2 * 1009, 60, 4, None),  # only divisor 2 < MIN_SPLIT: sliced
    (4096, 1, 4, 128),
    # rows of at least FAR_BYTES, at least STREAM_MIN_BYTES in all: at most STREAMS of them
    # side by side
    (1000, 1000, 4, 25),     # the columns of a 1000x1000 float32 array
    (10**4, 32, 8, 25),      # float64 rows of 256 bytes
    (10**4, 63, 4, 125),     # 252 bytes: near enough
    (100, 100000, 4, 25),    # short, but 100 rows far apart
    (40, 1000, 4, None),     # 160 KB: stays in cache, one plain level
    (200, 1000, 4, 100),     # 800 KB
    (32, 10**5, 4, None),    # STREAMS rows: one plain level
    (4096, 64, 4, 32),
    (37 * 41, 1000, 4, None),  # no divisor in [MIN_SPLIT, STREAMS]: sliced
    (37, 10**5, 4, None),    # prime, short: one plain level
])
def test_split_factor(length: int, lanes: int, itemsize: int, factor: int | None) -> None:
    assert blocked.split_factor(length, lanes, itemsize) == factor


@pytest.mark.parametrize("length,lanes,itemsize,split", [
    (10**6, 1, 4, (500, 125, 16)),  # runs of 16 float32: one line each
    (32000, 1, 4, (16, 125, 16)),
    (8000, 1, 4, None),   # below LINE_MIN: split_factor's level
    (10**6, 2, 4, (1000, 125, 8)),  # pairs of lanes: 8 positions to a line
    (10**6, 1, 8, (1000, 125, 8)),  # float64 / int64: 8 to a line
    (1000, 1, 4, None),   # 1000 is no multiple of 16: split_factor's level
    (1000, 16, 4, None),  # a line of lanes already
    (1000, 3, 4, None),   # 3 lanes do not tile a line
    (16 * 1009, 1, 4, None),  # 1009 lines, prime: no chain
])
def test_line_split(length: int, lanes: int, itemsize: int, split) -> None:
    assert blocked.line_split(length, lanes, itemsize) == split


# ---------------------------------------------------------------------------------------------
# Accuracy at real sizes
# ---------------------------------------------------------------------------------------------


def test_float32_mean_of_a_million_equal_values() -> None:
    x = np.full(10**6, 100.1, np.float32)
    (got,) = _compiled([_case("mean", x)])
    assert abs(float(got) - 100.1) / 100.1 < 1e-5  # a sequential loop gives 101.318


def test_float32_sum_of_ones_passes_two_to_the_24() -> None:
    x = np.ones(4 * 10**7, np.float32)
    (got,) = _compiled([_case("sum", x)])
    assert float(got) == 4e7  # a sequential loop stops at 16777216


def test_variance_from_compiled_mean_and_sum_is_zero_for_equal_values() -> None:
    """The frontend builds var as sum((x - mean(x, keepdims))**2) / n: both halves must be
    accurate for the variance of equal values to vanish (1.49 with sequential loops)."""
    x = np.full(10**6, 100.1, np.float32)
    (mean,) = _compiled([_case("mean", x, keepdims=True)])
    sq = np.square(x - mean)
    (total,) = _compiled([_case("sum", sq)])
    assert float(total) / x.size <= 10 * float(np.var(x)) + 1e-9


@pytest.mark.parametrize("shape,axis,keepdims", [
    ((50, 2000, 30), 1, True),           # middle axis
    ((50, 2000, 30), None, False),       # everything
    ((50, 2000, 30), (0, 2), True),      # two runs of axes
    ((3000, 1000), 0, False),            # first axis
    ((1000, 3000), -1, True),            # last axis
    ((1000003,), None, False),           # a prime length (sliced, copied)
    ((3, 1009, 64), 1, False),           # a prime length with wide lanes (slices)
])
def test_float32_means_of_equal_values_on_every_kind_of_axis(shape, axis, keepdims) -> None:
    x = np.full(shape, 100.1, np.float32)
    (got,) = _compiled([_case("mean", x, axis, keepdims)])
    assert got.shape == np.mean(x, axis=axis, keepdims=keepdims).shape
    assert np.max(np.abs(got.astype(np.float64) - 100.1)) / 100.1 < 1e-5


def test_float16_and_prod_accumulate_accurately() -> None:
    h = np.full(10**5, 0.1, np.float16)
    p = np.full(10**5, 1.0001, np.float32)
    mean16, prod32 = _compiled([_case("mean", h), _case("prod", p)])
    assert mean16.dtype == F16 and float(mean16) == float(np.mean(h))
    exact = math.exp(10**5 * math.log(float(np.float32(1.0001))))
    # Equal factors round alike in every lane, so the error is near the bound of the chains
    # (125, 50 and 16 long here): 4.6e-6, against 5.9e-6 for NumPy's sequential product.
    numpy_error = abs(float(np.prod(p)) - exact) / exact
    assert abs(float(prod32) - exact) / exact < min(5e-6, numpy_error)


SIZES = [10, 1000, 10**5, 10**6, 1000003]


def _sum_errors(sizes: list[int]) -> list[tuple[int, str, float, float]]:
    rng = np.random.default_rng(5)
    data = [(n, kind, x) for n in sizes
            for kind, x in (("normal", rng.standard_normal(n).astype(np.float32)),
                            ("uniform", rng.random(n).astype(np.float32)))]
    got = _compiled([_case("sum", x) for _, _, x in data])
    out = []
    for (n, kind, x), g in zip(data, got, strict=True):
        exact = math.fsum(x.astype(np.float64))
        scale = float(np.abs(x.astype(np.float64)).sum())
        out.append((n, kind, abs(float(g) - exact) / scale, abs(float(x.sum()) - exact) / scale))
    return out


def _check_sum_errors(sizes: list[int]) -> None:
    # Relative to sum(|x|): NumPy's pairwise sums stay below ~3e-8 here; allow a few eps.
    bad = [e for e in _sum_errors(sizes) if e[2] > 4e-7]
    assert not bad, f"(size, data, janus error, NumPy error): {bad}"


def test_float32_sums_of_random_data_are_as_accurate_as_numpy() -> None:
    _check_sum_errors(SIZES)


@pytest.mark.slow  # ~7 s, but 2 GB of float64 copies for math.fsum
def test_float32_sums_of_random_data_up_to_forty_million() -> None:
    _check_sum_errors([10**7, 4 * 10**7])


def test_integer_and_bool_sums_stay_exact_at_large_sizes() -> None:
    rng = np.random.default_rng(3)
    i8 = rng.integers(-128, 128, size=(1009, 1000), dtype=np.int8)
    i16 = rng.integers(-2**15, 2**15, size=10**6, dtype=np.int16)
    i32 = np.full((7, 3001), 2**31 - 1, np.int32)
    i64 = np.full(4096, 2**62, np.int64)  # wraps like NumPy
    b = rng.random((1000, 1000)) < 0.5
    check_cases([_case("sum", i8, 0), _case("sum", i8), _case("sum", i16), _case("sum", i32, 1),
                 _case("sum", i64), _case("sum", b, 1), _case("mean", i32),
                 _case("prod", np.full(1000, 3, np.int64)), _case("max", i16), _case("min", i8, 1),
                 _case("all", b | (rng.random(b.shape) < 0.999)), _case("any", b & False, 0)])


def test_nan_propagates_from_anywhere() -> None:
    x = np.ones((1000, 1000), np.float32)
    x[999, 3] = np.nan
    check_cases([_case(op, x, axis) for op in ("sum", "prod", "max", "min")
                 for axis in (None, 0, 1)])


# ---------------------------------------------------------------------------------------------
# Level structure: tiny constants, exact values, every path
# ---------------------------------------------------------------------------------------------

# Chains of at most 6 and at least 2 lanes: a length of 7 or 13 is sliced, 8 and 12 split;
# lines of 8 bytes, so float32 runs of 2 lanes (float16 of 4, int8 of 8) take line_split.
TINY = {"BLOCK": 6, "LANES": 2, "MIN_SPLIT": 2, "MAX_SLICES": 3, "LINE_BYTES": 8, "LINE_MIN": 8,
        "SMALL": 4, "FAR_BYTES": 16, "STREAMS": 3, "STREAM_MIN_BYTES": 64}
TINY_DIMS = (0, 1, 2, 3, 5, 7, 8, 12, 13, 14, 19, 24, 37)


def _exact_values(rng: np.random.Generator, op: str, shape, dtype: np.dtype) -> np.ndarray:
    """Sums on a 1/8 grid and products of +-1/2, 1, 2 are exact in any order."""
    if op == "prod" and dtype.kind == "f":
        return rng.choice(np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 1.0, 2.0]), size=shape).astype(dtype)
    low, high = (-2, 2) if op == "prod" else (-8, 8)
    return make_array(rng, shape, dtype, low=low, high=high,
                      specials=op in ("max", "min") and dtype.kind == "f")


@st.composite
def tiny_case(draw: st.DrawFn, op: str) -> Case:
    shape = tuple(draw(st.lists(st.sampled_from(TINY_DIMS), min_size=1, max_size=3)))
    if int(np.prod(shape)) > 2000:
        shape = shape[:2]
    dtype = draw(st.sampled_from([d for d in DTYPES if not (op == "prod" and d == F16)]))
    rng = np.random.default_rng(draw(seeds))
    x = _exact_values(rng, op, shape, dtype)
    axes = draw(st.lists(st.integers(0, len(shape) - 1), unique=True, max_size=len(shape)))
    axis = None if draw(st.booleans()) else tuple(axes)
    if op in ("max", "min") and any(x.shape[a] == 0 for a in normalize_axes(axis, x.ndim)):
        axis = ()  # no identity over a zero-size axis (the shape rule rejects it)
    return _case(op, x, axis, draw(st.booleans()))


@st.composite
def tiny_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(tiny_case(op)) for op in sorted(REDUCTIONS) for _ in range(4)]


@compiled(max_examples=6)
@given(tiny_batch())
def test_every_level_path_matches_numpy_exactly(batch: list[Case]) -> None:
    with mock.patch.multiple(blocked, **TINY):
        check_cases(batch)


def test_tiny_level_paths_on_fixed_shapes() -> None:
    """Each path once, deterministically: split, slices (wide lanes), copied slice (narrow
    lanes), recursion of both, runs of axes, keepdims."""
    rng = np.random.default_rng(2)
    cases = []
    for shape, axis in [((24,), None), ((7, 5), 0), ((37, 3), 0), ((4, 37), 1), ((13, 2, 7), 1),
                        ((5, 19, 14), (0, 2)), ((2, 3, 37), None), ((14, 14), 1)]:
        for op, dtype in (("sum", F32), ("sum", np.dtype(np.int8)), ("prod", F32), ("max", F32),
                          ("mean", F16), ("any", np.dtype(bool))):
            x = _exact_values(rng, op, shape, np.dtype(dtype))
            cases.append(_case(op, x, axis, keepdims=axis == 0))
    with mock.patch.multiple(blocked, **TINY):
        check_cases(cases)
