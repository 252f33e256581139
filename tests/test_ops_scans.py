"""Scans (cumsum, cumprod) against NumPy.

The NumPy reference is the user-level call (`np.cumsum(x, axis=-1, dtype=...)`); the janus
attributes are what the frontend emits (axis non-negative; axis=None is a flatten first). The
scan is sequential like NumPy's, so long float32 scans match NumPy far inside the float32
tolerance: they are checked bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.types import TensorSpec

from .op_harness import (
    DTYPES,
    UNSIGNED,
    F32,
    Case,
    check_cases,
    check_rejected,
    compiled,
    covered,
    make_array,
    seeds,
    shapes,
)

SCANS = {"cumsum": np.cumsum, "cumprod": np.cumprod}
COVERED = covered(SCANS)


def _values(rng: np.random.Generator, name: str, shape, dtype, specials: bool) -> np.ndarray:
    # Products stay within range: factors near 1 (floats) or in [-2, 2] (ints).
    low, high = (-2, 2) if name == "cumprod" else (-8, 8)
    return make_array(rng, shape, dtype, low=low, high=high, specials=specials)


@st.composite
def scan_case(draw: st.DrawFn, name: str) -> Case:
    fn = SCANS[name]
    shape = draw(shapes(1, 3))
    dtype = draw(st.sampled_from(DTYPES + UNSIGNED))
    out_dtype = draw(st.sampled_from([None, None, *DTYPES, *UNSIGNED]))
    rng = np.random.default_rng(draw(seeds))
    x = _values(rng, name, shape, dtype, specials=draw(st.booleans()))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    attrs = {"axis": axis % len(shape)}
    if out_dtype is not None:
        attrs["dtype"] = out_dtype
    return Case(name, (x,), attrs, label=f"axis={axis}",
                reference=lambda x, fn=fn, a=axis, d=out_dtype: fn(x, axis=a, dtype=d))


@st.composite
def scan_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(scan_case(name)) for name in sorted(COVERED) for _ in range(8)]


@compiled(max_examples=5)
@given(scan_batch())
def test_scans_match_numpy(batch: list[Case]) -> None:
    check_cases(batch)


def _fixed_cases() -> list[Case]:
    rng = np.random.default_rng(5)
    cases = []
    for name, fn in SCANS.items():
        for dtype in DTYPES + UNSIGNED:
            for shape, axis in [((7,), 0), ((3, 4), 0), ((3, 4), -1), ((2, 0, 3), 1),
                                ((2, 3, 0), 2), ((1, 5), 1)]:
                x = _values(rng, name, shape, dtype, specials=dtype.kind == "f")
                cases.append(Case(name, (x,), {"axis": axis % len(shape)}, label=f"axis={axis}",
                                  reference=lambda x, fn=fn, a=axis: fn(x, axis=a)))
    # Sums of int32 and bool are int64 (and wrap like NumPy's); dtype= casts the elements.
    special = [
        ("cumsum", np.array([2**31 - 1, 2**31 - 1, 5], np.int32), None),
        ("cumsum", np.array([2**62, 2**62, 2**62]), None),
        ("cumsum", np.array([True, True, False, True]), None),
        ("cumsum", np.array([2**31 - 1, 1], np.int32), np.int32),
        ("cumsum", np.array([1.7, -2.5, 3.9]), np.int64),
        ("cumsum", np.array([False, True, False]), np.bool_),
        ("cumprod", np.array([True, True, False, True]), np.bool_),
        ("cumprod", np.array([3, 5, 7, 9], np.int8), None),
        # uint8 sums are uint64; with dtype=uint8 they wrap at 256.
        ("cumsum", np.array([200, 100, 255], np.uint8), None),
        ("cumsum", np.array([200, 100, 255], np.uint8), np.uint8),
        ("cumprod", np.array([2**40, 2**40, 3], np.uint64), None),
        ("cumprod", np.array([1e30, 1e30, 1e-30], np.float32), None),
        ("cumsum", np.array([np.inf, -np.inf, 1.0]), None),
        ("cumsum", np.array([np.nan, 1.0, 2.0], np.float32), None),
    ]
    for name, x, dtype in special:
        fn = SCANS[name]
        attrs = {"axis": 0} if dtype is None else {"axis": 0, "dtype": np.dtype(dtype)}
        cases.append(Case(name, (x,), attrs, label=f"special dtype={dtype}",
                          reference=lambda x, fn=fn, d=dtype: fn(x, axis=0, dtype=d)))
    # Long float32 rows: the sequential scan rounds exactly like NumPy's.
    long = rng.uniform(-10, 10, (3, 20000)).astype(F32)
    cases.append(Case("cumsum", (long,), {"axis": 1}, tol=(0.0, 0.0), label="long rows exact"))
    flat = rng.uniform(-10, 10, 100000).astype(F32)
    cases.append(Case("cumsum", (flat,), {"axis": 0}, tol=(0.0, 0.0), label="1e5 exact"))
    return cases


def test_scans_on_every_dtype_and_edge_values() -> None:
    check_cases(_fixed_cases())


INVALID = [
    ("cumsum", (3,), {"axis": 1}, lambda: np.cumsum(np.zeros(3), axis=1)),
    ("cumprod", (2, 3), {"axis": 2}, lambda: np.cumprod(np.zeros((2, 3)), axis=2)),
]


@pytest.mark.parametrize("name,shape,attrs,numpy_call", INVALID, ids=[c[0] for c in INVALID])
def test_scan_shape_rule_rejects_what_numpy_rejects(name, shape, attrs, numpy_call) -> None:
    check_rejected(name, [TensorSpec(shape, np.dtype(np.float64))], attrs, numpy_call)
