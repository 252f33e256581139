"""Compaction ops (compress, nonzero, argwhere, unique) against NumPy.

Their result sizes are counts the graph computes (`?` in the IR): masks select none, one, some
or all elements; values are drawn with ties, NaNs and signed zeros so that unique's runs, its
NaN rule and its first indices matter. unique's values are compared with return_index set
where the input has both signed zeros (NumPy then sorts stably; without it, which zero it keeps
depends on its sort algorithm, which the frontend guards).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from .op_harness import DTYPES, UNSIGNED, Case, check_cases, compiled, covered, make_array, seeds, shapes

COVERED = covered(["compress", "nonzero", "argwhere", "unique"])


def _mask(rng: np.random.Generator, shape, how: str) -> np.ndarray:
    if how == "none":
        return np.zeros(shape, bool)
    if how == "all":
        return np.ones(shape, bool)
    if how == "one":
        m = np.zeros(int(np.prod(shape)), bool)
        if m.size:
            m[rng.integers(m.size)] = True
        return m.reshape(shape)
    return rng.random(shape) < 0.5


@st.composite
def compress_case(draw: st.DrawFn) -> Case:
    shape = draw(shapes(1, 3))
    m = draw(st.integers(1, len(shape)))
    axis = draw(st.integers(0, len(shape) - m))
    dtype = draw(st.sampled_from(DTYPES + UNSIGNED))
    rng = np.random.default_rng(draw(seeds))
    x = make_array(rng, shape, dtype, specials=dtype.kind == "f")
    how = draw(st.sampled_from(["none", "one", "some", "some", "all"]))
    return Case("compress", (x, _mask(rng, shape[axis:axis + m], how)),
                {"axis": axis} if axis else {}, label=how)


@st.composite
def coordinates_case(draw: st.DrawFn) -> Case:
    shape = draw(shapes(1, 3))
    dtype = draw(st.sampled_from(DTYPES + UNSIGNED))
    rng = np.random.default_rng(draw(seeds))
    x = make_array(rng, shape, dtype, low=-1, high=1, specials=dtype.kind == "f")
    return Case(draw(st.sampled_from(["nonzero", "argwhere"])), (x,))


@st.composite
def unique_case(draw: st.DrawFn) -> Case:
    shape = draw(shapes(0, 3))
    dtype = draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(seeds))
    x = make_array(rng, shape, dtype, low=-3, high=3, specials=dtype.kind == "f")
    if dtype.kind == "f":
        x = np.round(x)
    flags = {f: draw(st.booleans()) for f in ("return_index", "return_inverse", "return_counts")}
    if dtype.kind == "f" and (np.signbit(x) & (x == 0)).any() and (~np.signbit(x) & (x == 0)).any():
        flags["return_index"] = True
    return Case("unique", (x,), {k: v for k, v in flags.items() if v},
                label=",".join(k for k, v in flags.items() if v))


@st.composite
def compaction_batch(draw: st.DrawFn) -> list[Case]:
    return ([draw(compress_case()) for _ in range(12)]
            + [draw(coordinates_case()) for _ in range(8)]
            + [draw(unique_case()) for _ in range(12)])


@compiled(max_examples=3)
@given(compaction_batch())
def test_compaction_matches_numpy(batch: list[Case]) -> None:
    check_cases(batch)


def test_fixed_cases_match_numpy() -> None:
    rng = np.random.default_rng(5)
    x = np.arange(20, dtype=np.float32).reshape(4, 5) - 8
    nan = np.nan
    cases = [
        Case("compress", (x, x > 0)), Case("compress", (x, x[:, 0] > 0)),
        Case("compress", (x, np.zeros((4, 5), bool))), Case("compress", (x, np.ones(4, bool))),
        Case("compress", (np.array([3.0]), np.array([True]))),
        Case("compress", (x, x[0] > 0), {"axis": 1}),
        Case("compress", (np.arange(24).reshape(2, 3, 4), np.arange(12).reshape(3, 4) % 3 == 0),
             {"axis": 1}),
        Case("compress", (np.zeros((0, 3)), np.zeros(0, bool))),
        Case("compress", (rng.integers(0, 9, (3, 2, 4)).astype(np.int32),
                          rng.random((3, 2)) < 0.5)),
        Case("nonzero", (x,)), Case("argwhere", (x,)), Case("nonzero", (x[0],)),
        Case("nonzero", (np.zeros((2, 0)),)), Case("argwhere", (np.array([0, 7, 0, 1]),)),
        Case("nonzero", (np.array([True]),)),
        Case("unique", (x,)),
        Case("unique", (x,), {"return_index": True, "return_inverse": True,
                              "return_counts": True}),
        Case("unique", (np.array([nan, 1, nan, -0.0, 0.0, 2, 1]),),
             {"return_index": True, "return_counts": True}),
        Case("unique", (np.array([nan, nan], np.float32),), {"return_counts": True}),
        Case("unique", (np.array([True, False, True]),), {"return_inverse": True}),
        Case("unique", (np.array(3, np.int32),), {"return_index": True, "return_inverse": True,
                                                  "return_counts": True}),
        Case("unique", (np.array([4], np.int64),)),
        Case("unique", (np.zeros((2, 0)),), {"return_index": True, "return_inverse": True,
                                             "return_counts": True}),
        Case("unique", (rng.integers(0, 5, 200).astype(np.int64),),
             {"return_inverse": True, "return_counts": True}),
    ]
    check_cases(cases)
