"""Casts and array creation (astype, constant, full, arange) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.opdef import ShapeError
from janus_mlir.dialects.types import TensorSpec
from janus_mlir.ops import lookup
from janus_mlir.ops.creation import arange_start_step

from .op_harness import (
    DTYPES,
    F16,
    I8,
    UNSIGNED,
    Case,
    check_cases,
    compiled,
    covered,
    make_array,
    seeds,
    shapes,
)

COVERED = covered(["astype", "constant", "full", "arange"])
NUMERIC = tuple(d for d in DTYPES if d.kind != "b")


def _astype_cases() -> list[Case]:
    """Every dtype to every dtype (and int8 and the unsigned ones). Float-to-int casts use
    values that fit the target: NumPy's result for NaN, inf or out-of-range values is the C
    cast's undefined behaviour; negative floats to unsigned wrap as on x86 (-1.0 -> 255)."""
    rng = np.random.default_rng(5)
    cases = []
    for src in (*DTYPES, *UNSIGNED):
        for dst in (*DTYPES, I8, *UNSIGNED):
            if src.kind == "f" and dst.kind == "i":
                x = make_array(rng, (4, 5), src, low=-100, high=100, grid=False)
            elif src.kind == "f" and dst.kind == "u":
                top = min(float(np.iinfo(dst).max), float(np.finfo(src).max))
                x = np.concatenate([make_array(rng, (2, 5), src, low=-100, high=100, grid=False),
                                    rng.uniform(0, top, (2, 5)).astype(src)])
                x = np.where(x.astype(np.float64) >= top, 0, x).astype(src)
            else:
                x = make_array(rng, (4, 5), src, low=-100, high=100, grid=False,
                               specials=True, full_range=True)
            cases.append(Case("astype", (x,), {"dtype": dst},
                              reference=lambda x, d=dst: x.astype(d)))
    return cases


def test_astype_between_every_pair_of_dtypes() -> None:
    check_cases(_astype_cases())


@st.composite
def constant_case(draw: st.DrawFn) -> Case:
    dtype = draw(st.sampled_from(DTYPES + UNSIGNED))
    rng = np.random.default_rng(draw(seeds))
    value = make_array(rng, draw(shapes(0, 3)), dtype, specials=True, full_range=True)
    if draw(st.booleans()) and value.size:  # a splat
        value = np.full(value.shape, value.reshape(-1)[0], dtype)
    return Case("constant", (), {"value": value}, reference=lambda v=value: v.copy())


@st.composite
def full_case(draw: st.DrawFn) -> Case:
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(shapes(0, 3))
    fill = draw(st.sampled_from([0, 1, -3, 2.5, True, -0.5]))
    if dtype.kind == "f" and draw(st.booleans()):
        fill = draw(st.sampled_from([np.inf, -np.inf, np.nan, 1e300]))
    return Case("full", (), {"shape": shape, "dtype": dtype, "value": fill},
                reference=lambda s=shape, d=dtype, v=fill: np.full(s, v, dtype=d))


@st.composite
def arange_case(draw: st.DrawFn) -> Case:
    dtype = draw(st.sampled_from(NUMERIC + (I8,)))
    if dtype.kind == "i":
        start, step = draw(st.integers(-20, 20)), draw(st.integers(-4, 4).filter(bool))
        if dtype == I8 and draw(st.booleans()):
            start, step = draw(st.integers(-120, 120)), draw(st.sampled_from([-90, 70, 150]))
    else:
        start = draw(st.sampled_from([draw(st.integers(-160, 160)) / 8, 0.1, -3.7, 1e3]))
        step = draw(st.sampled_from([0.125, 0.5, 1.0, -0.25, -1.5, 3.0, 0.1, 0.3, -0.37]))
    stop = start + step * draw(st.integers(-1, 12)) + step / 3
    ref = np.arange(start, stop, step, dtype=dtype)  # the frontend resolves the attributes
    first, delta = arange_start_step(ref)
    return Case("arange", (), {"shape": ref.shape, "dtype": dtype, "start": first,
                               "step": delta},
                reference=lambda a=start, b=stop, c=step, d=dtype: np.arange(a, b, c, dtype=d),
                label=f"arange({start}, {stop}, {step})")


def test_arange_start_step_reproduce_numpy_fill() -> None:
    """The attributes the frontend takes from NumPy's first two elements give NumPy's values
    (float16 computed in float32, int8 wrapping), by the op's reference."""
    ref_fn = lookup("arange").numpy
    for dtype, (a, b, c) in [(F16, (0.1, 3.3, 0.1)), (I8, (-100, 100, 150)),
                             (np.dtype(np.float32), (0.1, 10, 0.3)),
                             (np.dtype(np.int64), (0.5, 5, 1.5))]:
        want = np.arange(a, b, c, dtype=dtype)
        start, step = arange_start_step(want)
        assert np.array_equal(ref_fn(want.shape, dtype, start, step), want)


@st.composite
def creation_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(s()) for s in (constant_case, full_case, arange_case) for _ in range(6)]


@compiled(max_examples=6)
@given(creation_batch())
def test_creation_ops_match_numpy(batch: list[Case]) -> None:
    check_cases(batch)


@pytest.mark.parametrize("name,attrs", [
    ("full", {"shape": (2, -1), "dtype": np.dtype(np.float32), "value": 0}),
    ("arange", {"shape": (2, 2), "dtype": np.dtype(np.int64), "start": 0, "step": 1}),
    ("astype", {"dtype": np.dtype(np.complex64)}),
])
def test_creation_shape_rules_reject_invalid_attributes(name, attrs) -> None:
    operands = [TensorSpec((2,), F16)] if name == "astype" else []
    with pytest.raises(ShapeError):
        lookup(name).signature.infer(operands, attrs)
