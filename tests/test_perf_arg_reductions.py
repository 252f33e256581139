"""argmax/argmin in their fast forms (ops/arg_reductions.py) against NumPy, on the inputs those
forms could get wrong: float keys (negative NaNs from inf - inf, -0.0 against +0.0, infinities,
subnormals), the packed (key, position) word at the extremes of every key width, the
first-level split of long axes (ties far apart, in different blocks), and the 64-bit dtypes
that take the two-pass form. Speed is measured by `make bench`, not here.
"""

from __future__ import annotations

import numpy as np
import pytest

from .op_harness import Case, check_cases

NAMES = {"argmax": np.argmax, "argmin": np.argmin}


def _case(name: str, x: np.ndarray, axis: int | None) -> Case:
    fn = NAMES[name]
    attrs = {} if axis is None else {"axis": axis}
    return Case(name, (x,), attrs, label=f"{x.dtype} {x.shape} axis={axis}",
                reference=lambda x, fn=fn, a=axis: fn(x, axis=a))


def _negative_nan(dtype) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        v = np.array([np.inf], dtype) - np.array([np.inf], dtype)
    return v


def test_float_keys_order_like_numpy_comparisons():
    specials = []
    for dt in (np.float16, np.float32, np.float64):
        neg_nan = _negative_nan(dt)
        assert np.signbit(neg_nan[0])  # x86's default NaN: the key must still win
        tiny = np.finfo(dt).smallest_subnormal
        values = np.array([1.0, -0.0, 0.0, -1.0, np.inf, -np.inf, tiny, -tiny, 2.0, 2.0], dt)
        for name in NAMES:
            for x in (values, values[::-1].copy(), np.concatenate([values, neg_nan]),
                      np.concatenate([neg_nan, values, [np.nan]]).astype(dt),
                      np.array([-0.0, 0.0, -0.0], dt), np.array([0.0, -0.0], dt)):
                specials.append(_case(name, x, None))
    check_cases(specials)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64, np.int32, np.int8,
                                   np.int16, np.int64, np.bool_])
def test_long_axes_with_ties_in_different_blocks(dtype):
    """(5, 1000), (1000, 3), (32000,), ...: the axis is split into blocks, so the first
    occurrence of the winner and its repeats sit in different partial results."""
    rng = np.random.default_rng(7)
    cases = []
    for shape, axis in [((5, 1000), 1), ((1000, 3), 0), ((5, 1000), None), ((997,), 0),
                        ((2, 3, 256), 2), ((2, 300, 2), 1),
                        # blocks of whole cache lines (ops/blocked.line_split)
                        ((32000,), None), ((3, 16384), 1), ((10000, 2), 0), ((2, 4096, 4), 1)]:
        if np.dtype(dtype) == np.bool_:
            x = rng.random(shape) > 0.7
        elif np.dtype(dtype).kind == "i":
            info = np.iinfo(dtype)
            x = rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
            x.flat[::97] = info.max
            x.flat[5::89] = info.min
        else:
            x = np.round(rng.standard_normal(shape) * 2).astype(dtype)
        for name in NAMES:
            cases.append(_case(name, x, axis))
    check_cases(cases)


def test_whole_array_search_by_blocks_finds_the_first_winner():
    """Over a whole array (ops/arg_reductions._by_blocks): the winner's first occurrence in a
    later block than block 0, ties in one block and across blocks, the last position, NaN
    anywhere, every element equal, -0.0 tying with +0.0, and (N, 1) over axis 0."""
    rng = np.random.default_rng(3)
    cases = []
    for dtype in (np.float32, np.float16, np.int32, np.uint32, np.int8, np.bool_):
        base = (rng.random(32000) > 0.5) if dtype is np.bool_ else (
            rng.standard_normal(32000) * 20).astype(dtype)
        top = base.max()
        arrays = [base]
        for where in ([7777], [2001, 2002, 29000], [31999], [3999, 4000]):
            x = base.copy()
            x[where] = top if dtype is np.bool_ else np.array(top).astype(dtype) + 1
            arrays.append(x)
        arrays.append(np.full(32000, base[0]))
        if np.dtype(dtype).kind == "f":
            for where in ([12345], [31999, 3]):
                x = base.copy()
                x[where] = np.nan
                arrays.append(x)
            z = np.zeros(32000, dtype)
            z[:5000] = -0.0
            arrays.append(z)
        for x in arrays:
            for name in NAMES:
                cases.append(_case(name, x, None))
                cases.append(_case(name, x.reshape(32000, 1), 0))
    check_cases(cases)


def test_nans_and_extremes_in_long_rows():
    x = np.zeros((4, 1000), np.float32)
    x[0, 700] = np.nan
    x[0, 900] = np.nan
    x[1, 999] = np.inf
    x[1, 3] = np.inf
    x[2, 500:] = -np.inf
    x[3, 128] = _negative_nan(np.float32)[0]
    check_cases([_case(name, x, axis) for name in NAMES for axis in (0, 1, None)])

