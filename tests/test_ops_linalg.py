"""numpy.matmul against NumPy: 1-D operands, batch dims that broadcast, zero-size dims (an
empty contraction gives zeros), mixed-dtype promotion including boolean matmul."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.types import TensorSpec

from .op_harness import (
    DTYPES,
    UNSIGNED,
    Case,
    broadcast_shapes,
    check_cases,
    check_rejected,
    compiled,
    covered,
    dims,
    make_array,
    seeds,
)

COVERED = covered(["matmul"])


@st.composite
def matmul_case(draw: st.DrawFn) -> Case:
    a_batch, b_batch = draw(broadcast_shapes(2, max_rank=2))
    m, k, n = draw(dims), draw(dims), draw(dims)
    a_shape = (k,) if draw(st.integers(0, 3)) == 0 else (*a_batch, m, k)
    b_shape = (k,) if draw(st.integers(0, 3)) == 0 else (*b_batch, k, n)
    same = draw(st.booleans())
    a_dt = draw(st.sampled_from(DTYPES))
    b_dt = a_dt if same else draw(st.sampled_from(DTYPES))
    rng = np.random.default_rng(draw(seeds))
    a = make_array(rng, a_shape, a_dt, low=-2, high=2)
    b = make_array(rng, b_shape, b_dt, low=-2, high=2)
    return Case("matmul", (a, b), label=f"{a_shape} @ {b_shape}")


@st.composite
def matmul_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(matmul_case()) for _ in range(16)]


@compiled(max_examples=8)
@given(matmul_batch())
def test_matmul_matches_numpy(batch: list[Case]) -> None:
    check_cases(batch)


def test_matmul_shapes_and_dtypes() -> None:
    """The named cases: every 1-D/2-D/batched combination on every dtype."""
    rng = np.random.default_rng(3)
    pairs = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
             ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 5)),
             ((0, 4), (4, 5)), ((3, 0), (0, 5)), ((2, 3, 4), (4,))]
    cases = [Case("matmul", (make_array(rng, sa, dt, low=-2, high=2),
                             make_array(rng, sb, dt, low=-2, high=2)), label=f"{sa} @ {sb}")
             for dt in DTYPES for sa, sb in pairs]
    check_cases(cases)


def test_matmul_on_unsigned_integers_wraps_like_numpy() -> None:
    """uint8..uint64 over their whole range (uint8 values of 128 and above) wrap as NumPy's
    matmul loops do; uint8 with int8 promotes to int16."""
    rng = np.random.default_rng(4)
    pairs = [((3, 40), (40, 5)), ((40,), (40, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4),
                                                                           (5, 4, 2))]
    cases = [Case("matmul", (make_array(rng, sa, dt, full_range=True, specials=True),
                             make_array(rng, sb, dt, full_range=True, specials=True)),
                  label=f"{dt.name} {sa} @ {sb}") for dt in UNSIGNED for sa, sb in pairs]
    cases += [Case("matmul", (make_array(rng, (3, 4), np.dtype(a), full_range=True),
                              make_array(rng, (4, 2), np.dtype(b), full_range=True)),
                   label=f"{a.__name__} @ {b.__name__}")
              for a, b in [(np.uint8, np.int8), (np.uint16, np.uint8), (np.uint32, np.float64)]]
    check_cases(cases)


F32 = np.dtype(np.float32)
Z = np.zeros

INVALID = [
    ([(), (3,)], lambda: np.matmul(Z(()), Z(3))),
    ([(2, 3), (4, 2)], lambda: np.matmul(Z((2, 3)), Z((4, 2)))),
    ([(3,), (4,)], lambda: np.matmul(Z(3), Z(4))),
    ([(2, 2, 3), (3, 3, 2)], lambda: np.matmul(Z((2, 2, 3)), Z((3, 3, 2)))),
]


@pytest.mark.parametrize("shapes_,numpy_call", INVALID)
def test_matmul_shape_rule_rejects_what_numpy_rejects(shapes_, numpy_call) -> None:
    check_rejected("matmul", [TensorSpec(s, F32) for s in shapes_], {}, numpy_call)
