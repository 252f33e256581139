"""Reductions (sum, mean, prod, max, min, all, any, argmax, argmin) against NumPy.

The NumPy reference is the user-level call (`np.sum(x, axis=-1, keepdims=True)`); the janus
attributes are what the frontend emits for it (axes normalised, axis=None -> every axis).
Values are on a 1/8 grid so float sums are exact in any order; NaN, inf and ties are drawn on
purpose for max/min/argmax/argmin.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.types import TensorSpec

from .op_harness import (
    DTYPES,
    UNSIGNED,
    Case,
    axes_for,
    check_cases,
    check_rejected,
    compiled,
    covered,
    make_array,
    normalize_axes,
    seeds,
    shapes,
)

REDUCTIONS = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min,
              "all": np.all, "any": np.any}
ARG_REDUCTIONS = {"argmax": np.argmax, "argmin": np.argmin}
COVERED = covered([*REDUCTIONS, *ARG_REDUCTIONS])


def _values(rng: np.random.Generator, name: str, shape, dtype, specials: bool) -> np.ndarray:
    # prod stays within float16/float32 range; argmax/argmin get many ties.
    low, high = {"prod": (-2, 2), "argmax": (-2, 2), "argmin": (-2, 2)}.get(name, (-8, 8))
    x = make_array(rng, shape, dtype, low=low, high=high, specials=specials)
    if name in ARG_REDUCTIONS and dtype.kind == "f":
        x = np.round(x)  # ties between equal values: the first index must win
    return x


@st.composite
def reduction_case(draw: st.DrawFn, name: str) -> Case | tuple:
    fn = REDUCTIONS.get(name) or ARG_REDUCTIONS[name]
    shape = draw(shapes(0, 3))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(seeds))
    x = _values(rng, name, shape, dtype, specials=draw(st.booleans()))
    keepdims = draw(st.booleans())
    if name in ARG_REDUCTIONS:
        axis = draw(st.none() | (st.integers(-len(shape), len(shape) - 1) if shape else st.none()))
        attrs = {"keepdims": keepdims}
        if axis is not None:
            attrs["axis"] = axis % len(shape)
    else:
        axis = draw(axes_for(len(shape)))
        attrs = {"axes": normalize_axes(axis, len(shape)), "keepdims": keepdims}

    def reference(x, fn=fn, axis=axis, keepdims=keepdims):
        return fn(x, axis=axis, keepdims=keepdims)

    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            reference(x)
    except ValueError:  # e.g. max over a zero-size axis: the shape rule must reject it
        return (name, x, attrs, reference)
    return Case(name, (x,), attrs, reference=reference, label=f"axis={axis}")


@st.composite
def reduction_batch(draw: st.DrawFn) -> list:
    return [draw(reduction_case(name)) for name in sorted(COVERED) for _ in range(3)]


@compiled(max_examples=8)
@given(reduction_batch())
def test_reductions_match_numpy(batch: list) -> None:
    for name, x, attrs, reference in [c for c in batch if isinstance(c, tuple)]:
        check_rejected(name, [TensorSpec(x.shape, x.dtype)], attrs,
                       lambda reference=reference, x=x: reference(x))
    check_cases([c for c in batch if isinstance(c, Case)])


# ---------------------------------------------------------------------------------------------
# Deterministic: each reduction on each dtype, result dtypes, NaN and tie rules, edge shapes
# ---------------------------------------------------------------------------------------------


def _sweep(dtypes, layouts, values) -> list[Case]:
    """Every reduction and arg-reduction on every dtype and (shape, axis, keepdims) layout, on
    the arrays `values(name, shape, dtype)` gives (arg-reductions take one axis)."""
    cases = []
    for name, fn in {**REDUCTIONS, **ARG_REDUCTIONS}.items():
        for dtype in dtypes:
            for shape, axis, keepdims in layouts:
                if name in ARG_REDUCTIONS and isinstance(axis, tuple):
                    axis = 1
                x = values(name, shape, dtype)
                if name in ARG_REDUCTIONS:
                    attrs = {"keepdims": keepdims}
                    if axis is not None:
                        attrs["axis"] = axis % len(shape)
                else:
                    attrs = {"axes": normalize_axes(axis, len(shape)), "keepdims": keepdims}
                cases.append(Case(name, (x,), attrs, label=f"axis={axis}",
                                  reference=lambda x, fn=fn, a=axis, k=keepdims:
                                  fn(x, axis=a, keepdims=k)))
    return cases


def _fixed_cases() -> list[Case]:
    rng = np.random.default_rng(11)
    cases = _sweep(DTYPES, [((3, 4), -1, False), ((2, 3, 4), (0, 2), True), ((), None, False)],
                   lambda name, shape, dtype: _values(rng, name, shape, dtype,
                                                      specials=dtype.kind == "f"))
    nan = np.nan
    special = [
        # NaN propagates through max/min; argmax/argmin report the first NaN.
        ("max", np.array([1.0, nan, 3.0, nan]), 0), ("min", np.array([[1.0, 2.0], [nan, 0.0]]), 1),
        ("argmax", np.array([1.0, nan, 3.0, nan]), 0), ("argmin", np.array([2.0, 1.0, 1.0, nan]), 0),
        ("argmax", np.array([[-np.inf, -np.inf], [2.0, 2.0]], np.float32), 1),
        ("argmin", np.array([np.inf, np.inf, np.inf]), None),
        ("argmax", np.array([False, True, True]), None), ("argmin", np.array([True, True]), 0),
        ("argmax", np.iinfo(np.int64).min * np.ones(4, np.int64), 0),
        ("argmin", np.iinfo(np.int32).max * np.ones((2, 2), np.int32), None),
        # Sums promote small ints to int64 and wrap like NumPy; means of ints are float64.
        ("sum", np.array([2**31 - 1, 2**31 - 1], np.int32), 0),
        ("sum", np.array([2**62, 2**62], np.int64), 0), ("mean", np.array([1, 2], np.int32), 0),
        ("mean", np.array([True, False, True]), 0), ("prod", np.array([2**40, 2**40]), 0),
        # float16 sums and means accumulate in float32, like NumPy.
        ("sum", np.float16([60000, 60000, -60000]), 0), ("mean", np.float16([60000, 60000]), 0),
        # Reductions over zero-size axes that have an identity (mean: 0/0 = NaN).
        ("sum", np.zeros((3, 0)), 1), ("prod", np.zeros((0, 2), np.int32), 0),
        ("all", np.zeros((0,)), 0), ("any", np.zeros((2, 0), bool), 1),
        ("mean", np.zeros((2, 0), np.float32), 1), ("max", np.zeros((3, 0)), 0),
        ("argmax", np.zeros((0, 3)), 1),
        # all/any of NaN: NaN is truthy.
        ("all", np.array([nan, 1.0]), 0), ("any", np.array([nan, 0.0]), 0),
    ]
    for name, x, axis in special:
        fn = {**REDUCTIONS, **ARG_REDUCTIONS}[name]
        if name in ARG_REDUCTIONS:
            attrs = {} if axis is None else {"axis": axis}
        else:
            attrs = {"axes": normalize_axes(axis, x.ndim), "keepdims": False}
        cases.append(Case(name, (x,), attrs, label=f"special axis={axis}",
                          reference=lambda x, fn=fn, a=axis: fn(x, axis=a)))
    return cases


def test_reductions_on_every_dtype_and_edge_values() -> None:
    check_cases(_fixed_cases())


def _nan_of_sign(negative: bool, dtype) -> float:
    """A quiet NaN with the sign bit set or clear (x86 makes the negative one: inf - inf)."""
    bits = {4: (0x7FC00000, np.uint32), 8: (0x7FF8000000000000, np.uint64)}[np.dtype(dtype).itemsize]
    raw = bits[0] | (1 << (8 * np.dtype(dtype).itemsize - 1) if negative else 0)
    return np.array(raw, bits[1]).view(dtype)[()]


def _extremum_cases() -> list[Case]:
    """Float max/min over arrays large enough for several blocked levels, with one NaN of
    either sign (found through the largest and smallest order key) or none, among +-inf and
    -0.0, over every axis, the last and the first."""
    rng = np.random.default_rng(13)
    cases = []
    for dtype in (np.float32, np.float64):
        for nan in ("negative NaN", "positive NaN", "no NaN"):
            x = rng.standard_normal((250, 300)).astype(dtype)
            x[3, 7], x[200, 1], x[17, 299] = np.inf, -np.inf, -0.0
            if nan != "no NaN":
                x[121, 150] = _nan_of_sign(nan == "negative NaN", dtype)
            for name in ("max", "min"):
                for axis in ((None, 1, 0) if dtype == np.float32 else (None,)):
                    cases.append(Case(name, (x,), {"axes": normalize_axes(axis, 2),
                                                   "keepdims": False},
                                      label=f"{nan} axis={axis}",
                                      reference=lambda x, fn=REDUCTIONS[name], a=axis:
                                      fn(x, axis=a)))
    return cases


def test_float_max_min_find_a_nan_of_either_sign() -> None:
    assert np.signbit(_nan_of_sign(True, np.float32)) and np.isnan(_nan_of_sign(True, np.float64))
    check_cases(_extremum_cases())


def _unsigned_cases() -> list[Case]:
    """Reductions of unsigned arrays over the whole range (MAX, MAX - 1, 0, 1 sprinkled in):
    sums of uint8/16/32 accumulate in uint64 and, like uint64 sums and products, wrap; values
    above the signed range win argmax (the first of ties)."""
    rng = np.random.default_rng(12)
    cases = _sweep(UNSIGNED, [((3, 4), -1, False), ((2, 3, 4), (0, 2), True), ((), None, False),
                              ((5,), 0, False)],
                   lambda name, shape, dtype: make_array(rng, shape, dtype, specials=True,
                                                         full_range=True))
    top = np.iinfo(np.uint64).max
    for name, x in [("argmax", np.array([1, 2**31, 2**32 - 1, 7, 2**32 - 1], np.uint32)),
                    ("argmin", np.array([2**63, 5, 1 << 63, 5], np.uint64)),
                    ("argmax", np.arange(300).astype(np.uint8)),
                    ("sum", np.full(300, 255, np.uint8)), ("sum", np.array([top, 2], np.uint64)),
                    ("prod", np.array([2**40, 2**40], np.uint64)), ("max", np.array([0, top], np.uint64)),
                    ("min", np.array([top, 1 << 63], np.uint64)),
                    ("mean", np.array([top, top], np.uint64))]:
        fn = {**REDUCTIONS, **ARG_REDUCTIONS}[name]
        attrs = {"axis": 0} if name in ARG_REDUCTIONS else {"axes": (0,), "keepdims": False}
        cases.append(Case(name, (x,), attrs, label="special",
                          reference=lambda x, fn=fn: fn(x, axis=0)))
    return cases


def test_reductions_on_unsigned_dtypes_match_numpy() -> None:
    check_cases(_unsigned_cases())




# ---------------------------------------------------------------------------------------------
# Invalid inputs: NumPy raises, the shape rule raises ShapeError
# ---------------------------------------------------------------------------------------------

F64 = np.dtype(np.float64)

INVALID = [
    ("max", (0, 3), {"axes": (0,), "keepdims": False}, lambda: np.max(np.zeros((0, 3)), axis=0)),
    ("min", (2, 0), {"axes": (0, 1), "keepdims": True},
     lambda: np.min(np.zeros((2, 0)), axis=None, keepdims=True)),
    ("argmax", (0,), {}, lambda: np.argmax(np.zeros(0))),
    ("argmin", (3, 0), {"axis": 1}, lambda: np.argmin(np.zeros((3, 0)), axis=1)),
    ("sum", (2, 3), {"axes": (2,), "keepdims": False}, lambda: np.sum(np.zeros((2, 3)), axis=2)),
    ("argmax", (2, 3), {"axis": 2}, lambda: np.argmax(np.zeros((2, 3)), axis=2)),
    ("mean", (), {"axes": (0,), "keepdims": False}, lambda: np.mean(np.zeros(()), axis=0)),
]


@pytest.mark.parametrize("name,shape,attrs,numpy_call", INVALID, ids=[c[0] for c in INVALID])
def test_reduction_shape_rule_rejects_what_numpy_rejects(name, shape, attrs, numpy_call) -> None:
    check_rejected(name, [TensorSpec(shape, F64)], attrs, numpy_call)
