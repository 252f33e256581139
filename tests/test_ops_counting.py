"""bincount against NumPy: counts and float64 weight sums over bins whose number is the data's
max + 1 (a `?` dim the graph computes), at least minlength; empty inputs, one value, values of
every int dtype (uint8 above 127, bools), ties, and weights of every dtype summed in order."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.types import TensorSpec

from .op_harness import (
    F32,
    F64,
    I32,
    I64,
    U8,
    Case,
    check_cases,
    check_rejected,
    compiled,
    covered,
    make_array,
    seeds,
)

COVERED = covered(["bincount"])
INTS = (np.dtype(bool), np.dtype(np.int8), I32, I64, U8, np.dtype(np.uint16),
        np.dtype(np.uint32))


@st.composite
def bincount_case(draw: st.DrawFn) -> Case:
    n = draw(st.integers(0, 40))
    dtype = draw(st.sampled_from(INTS))
    rng = np.random.default_rng(draw(seeds))
    top = draw(st.sampled_from([1, 5, 200]))
    x = make_array(rng, (n,), dtype, low=0, high=top)
    attrs = {"minlength": m} if (m := draw(st.sampled_from([0, 0, 3, 250]))) else {}
    inputs: tuple[np.ndarray, ...] = (x,)
    if draw(st.booleans()):
        wdt = draw(st.sampled_from([F32, F64, I32, np.dtype(bool), U8]))
        inputs = (x, make_array(rng, (n,), wdt, low=-4, high=4, grid=False))
    return Case("bincount", inputs, attrs, label=f"{dtype.name} weights={len(inputs) == 2}")


@compiled(max_examples=2)
@given(st.lists(bincount_case(), min_size=16, max_size=16))
def test_bincount_matches_numpy(batch: list[Case]) -> None:
    check_cases(batch)


def test_bincount_fixed_cases() -> None:
    rng = np.random.default_rng(3)
    u8 = np.array([255, 128, 0, 255, 127], np.uint8)
    w = rng.uniform(-1, 1, 1000)
    cases = [
        Case("bincount", (np.array([0, 1, 1, 3, 2, 1, 7]),)),
        Case("bincount", (np.array([], np.int64),)),
        Case("bincount", (np.array([], np.int64),), {"minlength": 4}),
        Case("bincount", (np.array([], np.int64), np.array([])), {"minlength": 2},
             label="empty with weights: int64"),
        Case("bincount", (np.array([5]),), {"minlength": 2}),
        Case("bincount", (np.array([1, 2]),), {"minlength": 9}),
        Case("bincount", (u8,)),
        Case("bincount", (np.array([True, False, True]),)),
        Case("bincount", (np.array([0, 0, 0]), np.array([0.5, -0.0, 0.25]))),
        Case("bincount", (np.array([-0.0]).astype(np.int32), np.array([-0.0]))),
        Case("bincount", (rng.integers(0, 7, 1000), w), label="long sums in order"),
        Case("bincount", (rng.integers(0, 3, 50).astype(np.int8),
                          np.array([np.inf, -np.inf] * 25)), label="inf - inf"),
    ]
    check_cases(cases)


def test_bincount_shape_rule_rejects_what_numpy_rejects() -> None:
    def z(shape, dt=I64):
        return np.zeros(shape, dt)

    for specs, call in [
        ([TensorSpec((2, 2), I64)], lambda: np.bincount(z((2, 2)))),
        ([TensorSpec((), I64)], lambda: np.bincount(z(()))),
        ([TensorSpec((3,), F64)], lambda: np.bincount(z(3, F64))),
        ([TensorSpec((3,), I64), TensorSpec((2,), F64)],
         lambda: np.bincount(z(3), weights=z(2, F64))),
    ]:
        check_rejected("bincount", specs, {}, call)
