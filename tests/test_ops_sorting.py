"""Sorting ops (sort, argsort, searchsorted) against NumPy.

sort and argsort are NumPy's kind='stable': NaN last, ties in their original order. Values are
rounded so that ties are frequent, and NaN/inf and signed zeros are drawn on purpose.
Rows longer than ops/sorting.py's SMALL are sorted by the bitonic network, shorter ones by
iree_linalg_ext.sort: both are drawn. searchsorted searches sorted arrays (the frontend guards that), with values equal to elements
of the array so that `side` matters.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.types import TensorSpec
from janus_mlir.ops.sorting import SMALL

from .op_harness import (
    DTYPES,
    UNSIGNED,
    Case,
    check_cases,
    check_rejected,
    compiled,
    covered,
    make_array,
    seeds,
    shapes,
)

COVERED = covered(["sort", "argsort", "searchsorted", "is_sorted"])


def _tied(rng: np.random.Generator, shape, dtype, specials: bool) -> np.ndarray:
    x = make_array(rng, shape, dtype, low=-3, high=3, specials=specials)
    return np.round(x) if dtype.kind == "f" else x


@st.composite
def sort_case(draw: st.DrawFn, name: str) -> Case:
    shape = draw(shapes(1, 3))
    if draw(st.integers(0, 4)) == 0:  # now and then a row for the bitonic network
        shape = (*shape[:-1], draw(st.integers(SMALL + 1, 3 * SMALL)))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(seeds))
    x = _tied(rng, shape, dtype, specials=draw(st.booleans()))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    fn = np.sort if name == "sort" else np.argsort
    return Case(name, (x,), {"axis": axis % len(shape)}, label=f"axis={axis}",
                reference=lambda x, fn=fn, a=axis: fn(x, axis=a, kind="stable"))


@st.composite
def searchsorted_case(draw: st.DrawFn) -> Case:
    n = draw(st.integers(0, 8))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(seeds))
    specials = draw(st.booleans())
    a = np.sort(_tied(rng, (n,), dtype, specials), kind="stable")
    v = _tied(rng, draw(shapes(0, 2)), dtype, specials)
    side = draw(st.sampled_from(["left", "right"]))
    return Case("searchsorted", (a, v), {"right": side == "right"}, label=f"side={side}",
                reference=lambda a, v, s=side: np.searchsorted(a, v, side=s))


@st.composite
def sorting_batch(draw: st.DrawFn) -> list[Case]:
    return ([draw(sort_case(name)) for name in ("sort", "argsort") for _ in range(10)]
            + [draw(searchsorted_case()) for _ in range(10)])


@compiled(max_examples=5)
@given(sorting_batch())
def test_sorting_matches_numpy(batch: list[Case]) -> None:
    check_cases(batch)


def _fixed_cases() -> list[Case]:
    rng = np.random.default_rng(7)
    cases = []
    for name, fn in (("sort", np.sort), ("argsort", np.argsort)):
        for dtype in DTYPES:
            for shape, axis in [((9,), 0), ((3, 5), 0), ((3, 5), -1), ((2, 0, 3), 2),
                                ((2, 3, 4), 1), ((1,), 0)]:
                x = _tied(rng, shape, dtype, specials=dtype.kind == "f")
                cases.append(Case(name, (x,), {"axis": axis % len(shape)}, label=f"axis={axis}",
                                  reference=lambda x, fn=fn, a=axis: fn(x, axis=a,
                                                                        kind="stable")))
    nan, inf = np.nan, np.inf
    special = [
        np.array([nan, 1.0, -inf, nan, inf, -0.0, 0.0, 2.0]),
        np.array([nan, nan, nan], np.float32),
        np.array([3, 1, 2, 1, 3], np.int64) * (2**62 // 3),
        np.array([np.iinfo(np.int32).min, np.iinfo(np.int32).max, 0, -1], np.int32),
        np.array([True, False, True, False]),
        np.array([65504, -65504, 0, nan], np.float16),
    ]
    for x in special:
        for name, fn in (("sort", np.sort), ("argsort", np.argsort)):
            cases.append(Case(name, (x,), {"axis": 0}, label="special",
                              reference=lambda x, fn=fn: fn(x, kind="stable")))
    # Rows longer than SMALL take the bitonic network: lengths that are and are not powers of
    # two, along the first, a middle and the last axis.
    for dtype in (np.dtype(bool), np.dtype(np.int32), np.dtype(np.float16), np.dtype(np.float64)):
        for shape, axis in [((17,), 0), ((2, 3, 20), 2), ((32, 3), 0), ((2, 40, 2), 1)]:
            x = _tied(rng, shape, dtype, specials=dtype.kind == "f")
            for name, fn in (("sort", np.sort), ("argsort", np.argsort)):
                cases.append(Case(name, (x,), {"axis": axis}, label=f"network axis={axis}",
                                  reference=lambda x, fn=fn, a=axis: fn(x, axis=a,
                                                                        kind="stable")))
    a = np.array([-inf, -1.0, 0.0, 0.0, 2.5, inf, nan, nan])
    v = np.array([[nan, -inf, 0.0], [inf, 2.5, -7.0]])
    for side in ("left", "right"):
        cases.append(Case("searchsorted", (a, v), {"right": side == "right"}, label=side,
                          reference=lambda a, v, s=side: np.searchsorted(a, v, side=s)))
        ints = np.array([1, 2, 2, 2, 5], np.int32)
        cases.append(Case("searchsorted", (ints, np.array([0, 2, 5, 6], np.int32)),
                          {"right": side == "right"}, label=side,
                          reference=lambda a, v, s=side: np.searchsorted(a, v, side=s)))
    cases.append(Case("searchsorted", (np.zeros(0), np.array([1.0, 2.0])), {"right": False},
                      label="empty", reference=lambda a, v: np.searchsorted(a, v)))
    # is_sorted: NaN last (and NaNs equal), ties allowed, any dtype, short arrays.
    for a, want in [(np.array([-inf, -1.0, 0.0, 0.0, nan, nan]), True),
                    (np.array([1.0, nan, 2.0]), False), (np.array([nan, 1.0]), False),
                    (np.array([-0.0, 0.0, -0.0]), True), (np.array([3, 2], np.int32), False),
                    (np.array([False, True, True]), True), (np.array([True, False]), False),
                    (np.zeros(0), True), (np.array([5.0], np.float16), True),
                    (np.arange(40, dtype=np.int64), True)]:
        cases.append(Case("is_sorted", (a,), {}, label=f"sorted={want}",
                          reference=lambda a, w=want: np.array(w)))
    return cases


def test_sorting_on_every_dtype_and_edge_values() -> None:
    check_cases(_fixed_cases())


def _unsigned_cases() -> list[Case]:
    """Unsigned values with ties on both sides of the signed range's top (127 < 128 < 255),
    in short rows and rows long enough for the bitonic network."""
    rng = np.random.default_rng(9)
    cases = []
    for dtype in UNSIGNED:
        top = int(np.iinfo(dtype).max)
        pool = np.array([0, 1, 127, 128, 200, top // 2, top // 2 + 1, top - 1, top], dtype)
        for shape, axis in [((9,), 0), ((3, 5), 1), ((17,), 0), ((2, 40), 1)]:
            x = rng.choice(pool, size=shape)
            for name, fn in (("sort", np.sort), ("argsort", np.argsort)):
                cases.append(Case(name, (x,), {"axis": axis}, label=f"axis={axis}",
                                  reference=lambda x, fn=fn, a=axis: fn(x, axis=a,
                                                                        kind="stable")))
        a = np.sort(rng.choice(pool, size=7))
        for side in ("left", "right"):
            cases.append(Case("searchsorted", (a, pool), {"right": side == "right"}, label=side,
                              reference=lambda a, v, s=side: np.searchsorted(a, v, side=s)))
        for a in (np.sort(pool), pool[::-1].copy()):
            want = bool(np.all(a[:-1] <= a[1:]))
            cases.append(Case("is_sorted", (a,), {}, label=f"sorted={want}",
                              reference=lambda a, w=want: np.array(w)))
    return cases


def test_sorting_on_unsigned_dtypes_matches_numpy() -> None:
    check_cases(_unsigned_cases())


F64 = np.dtype(np.float64)
INVALID = [
    ("sort", [TensorSpec((2, 3), F64)], {"axis": 2}, lambda: np.sort(np.zeros((2, 3)), axis=2)),
    ("argsort", [TensorSpec((4,), F64)], {"axis": 1},
     lambda: np.argsort(np.zeros(4), axis=1)),
    ("searchsorted", [TensorSpec((2, 2), F64), TensorSpec((3,), F64)], {},
     lambda: np.searchsorted(np.zeros((2, 2)), np.zeros(3))),
]


@pytest.mark.parametrize("name,specs,attrs,numpy_call", INVALID, ids=[c[0] for c in INVALID])
def test_sorting_shape_rule_rejects_what_numpy_rejects(name, specs, attrs, numpy_call) -> None:
    check_rejected(name, specs, attrs, numpy_call)
