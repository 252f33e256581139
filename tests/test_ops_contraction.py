"""The janus einsum op against numpy.einsum: generated subscripts over one or two operands
(summed labels, labels summed within one operand only, repeated labels = diagonals, size-1
labels that broadcast, zero-size labels), every dtype pair, the batch_matmul/matmul form, the
blocked form of long float reductions, and the shape rule's rejections."""

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
    check_cases,
    check_rejected,
    compiled,
    covered,
    make_array,
    run_cases,
    seeds,
)

COVERED = covered(["einsum"])
LABELS = "abcdef"


@st.composite
def einsum_case(draw: st.DrawFn) -> Case:
    n_labels = draw(st.integers(1, 5))
    labels = LABELS[:n_labels]
    sizes = {x: draw(st.sampled_from([0, 1, 2, 3, 3, 4, 5])) for x in labels}
    if draw(st.integers(0, 3)):  # mostly no zero-size label
        sizes = {x: max(d, 1) for x, d in sizes.items()}
    n_ops = draw(st.integers(1, 2))
    terms, shapes = [], []
    for _ in range(n_ops):
        term = "".join(draw(st.lists(st.sampled_from(labels), min_size=0, max_size=4)))
        shape = tuple(1 if draw(st.integers(0, 5)) == 0 else sizes[x] for x in term)
        # A repeated label (a diagonal) needs one size within the operand.
        shape = tuple(sizes[x] if term.count(x) > 1 else d for x, d in zip(term, shape))
        terms.append(term)
        shapes.append(shape)
    used = sorted(set("".join(terms)))
    out = "".join(draw(st.permutations(used))[:draw(st.integers(0, len(used)))])
    dts = [draw(st.sampled_from(DTYPES)) for _ in range(n_ops)]
    rng = np.random.default_rng(draw(seeds))
    ins = tuple(make_array(rng, s, dt, low=-3, high=3) for s, dt in zip(shapes, dts))
    spec = ",".join(terms) + "->" + out
    return Case("einsum", ins, {"subscripts": spec}, label=spec)


@st.composite
def einsum_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(einsum_case()) for _ in range(24)]


@compiled(max_examples=6)
@given(einsum_batch())
def test_einsum_matches_numpy(batch: list[Case]) -> None:
    check_cases(batch)


NAMED = [
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("bhqk,bhkd->bhqd", [(2, 3, 4, 6), (2, 3, 6, 5)]),
    ("bqhd,bkhd->bhqk", [(2, 4, 3, 5), (2, 6, 3, 5)]),
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,kj->ki", [(3, 4), (5, 4)]),
    ("ijk,jkl->il", [(2, 3, 4), (3, 4, 5)]),
    ("i,i->", [(7,), (7,)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ii->", [(4, 4)]),
    ("ii->i", [(4, 4)]),
    ("iji->j", [(3, 2, 3)]),
    ("ij->", [(3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("j,ij->", [(4,), (3, 4)]),
    ("ij,ij->", [(1, 4), (3, 4)]),
    ("ab,bc->ca", [(2, 0), (0, 3)]),
    ("ab,bc->ac", [(0, 2), (2, 3)]),
    (",->", [(), ()]),
    (",i->i", [(), (3,)]),
]


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.float16, np.float32, np.float64, bool])
def test_einsum_named_subscripts(dtype) -> None:
    rng = np.random.default_rng(5)
    check_cases([Case("einsum", tuple(make_array(rng, s, np.dtype(dtype), low=-3, high=3)
                                      for s in shapes), {"subscripts": spec}, label=spec)
                 for spec, shapes in NAMED])


def test_einsum_mixed_dtypes_promote() -> None:
    rng = np.random.default_rng(6)
    pairs = [(np.int32, np.float32), (bool, np.int8), (np.float16, np.float32),
             (np.int64, np.float64), (bool, np.float16)]
    check_cases([Case("einsum", (make_array(rng, (3, 4), np.dtype(a)),
                                 make_array(rng, (4, 2), np.dtype(b))),
                      {"subscripts": "ij,jk->ik"}) for a, b in pairs])


def test_einsum_float32_uniform_values_within_tolerance() -> None:
    """Non-grid float32 data: the matmul, generic and blocked forms round like NumPy's loops
    to within the float32 tolerance."""
    rng = np.random.default_rng(10)
    cases = [Case("einsum", tuple(make_array(rng, s, F32, low=-1, high=1, grid=False)
                                  for s in shapes), {"subscripts": spec}, label=spec)
             for spec, shapes in [("bij,bkj->bik", [(4, 33, 300), (4, 17, 300)]),
                                  ("ij,ij->j", [(700, 9), (700, 9)]),
                                  ("i,i->", [(5000,), (5000,)]),
                                  ("ijk,k->ji", [(20, 30, 40), (40,)])]]
    check_cases(cases)


def test_einsum_int_overflow_wraps_like_numpy() -> None:
    rng = np.random.default_rng(8)
    cases = [Case("einsum", (make_array(rng, (5, 300), np.dtype(dt), full_range=True),
                             make_array(rng, (300, 3), np.dtype(dt), full_range=True)),
                  {"subscripts": "ij,jk->ik"}) for dt in (np.int8, np.int32, np.int64)]
    check_cases(cases)


def test_einsum_on_unsigned_integers_wraps_like_numpy() -> None:
    """Unsigned operands over their whole range (uint8 values of 128 and above, products and
    sums that wrap), alone, mixed with each other, with signed ints (which promote wider) and
    with floats; the matmul, generic, diagonal and summed-within-one-operand forms."""
    rng = np.random.default_rng(11)
    cases = []
    for dt in UNSIGNED:
        for spec, shapes in [("ij,jk->ik", [(5, 300), (300, 3)]), ("bij,bjk->bik",
                                                                  [(2, 3, 4), (2, 4, 5)]),
                             ("i,i->", [(40,), (40,)]), ("ii->i", [(4, 4)]), ("ij->", [(3, 9)]),
                             ("ij,j->i", [(3, 4), (4,)]), ("i,j->ij", [(3,), (4,)])]:
            cases.append(Case("einsum", tuple(make_array(rng, s, dt, full_range=True,
                                                         specials=True) for s in shapes),
                              {"subscripts": spec}, label=f"{dt.name} {spec}"))
    for a, b in [(np.uint8, np.uint16), (np.uint8, np.int8), (np.uint16, np.int32),
                 (np.uint32, np.int64), (np.uint8, np.float32), (np.uint64, np.uint8),
                 (bool, np.uint8)]:
        cases.append(Case("einsum", (make_array(rng, (3, 4), np.dtype(a), full_range=True),
                                     make_array(rng, (4, 2), np.dtype(b), full_range=True)),
                          {"subscripts": "ij,jk->ik"}, label=f"{a.__name__},{b.__name__}"))
    u8 = np.array([[128, 255], [200, 16]], np.uint8)
    cases.append(Case("einsum", (u8, u8), {"subscripts": "ij,jk->ik"}, label="uint8 wraps",
                      reference=lambda x, y: np.array([[56, 112], [128, 56]], np.uint8)))
    check_cases(cases)


def test_einsum_float32_long_sums_are_blocked() -> None:
    """A dot of 2**20 float32 values: error against float64 no worse than NumPy's."""
    rng = np.random.default_rng(9)
    x = rng.uniform(0, 1, 1 << 20).astype(np.float32)
    y = rng.uniform(0, 1, 1 << 20).astype(np.float32)
    ((got,),) = run_cases([Case("einsum", (x, y), {"subscripts": "i,i->"})])
    exact = np.dot(x.astype(np.float64), y.astype(np.float64))
    numpy_err = abs(float(np.einsum("i,i->", x, y)) - exact)
    assert abs(float(got) - exact) <= max(numpy_err, 1e-6 * exact)


Z = np.zeros
F32 = np.dtype(np.float32)

INVALID = [
    ("ij,jk->ik", [(2, 3), (4, 5)], lambda: np.einsum("ij,jk->ik", Z((2, 3)), Z((4, 5)))),
    ("ii->i", [(2, 3)], lambda: np.einsum("ii->i", Z((2, 3)))),
    ("ij->i", [(2,)], lambda: np.einsum("ij->i", Z(2))),
    ("i,i->i", [(2,), (3,)], lambda: np.einsum("i,i->i", Z(2), Z(3))),
]


@pytest.mark.parametrize("spec,shapes_,numpy_call", INVALID)
def test_einsum_shape_rule_rejects_what_numpy_rejects(spec, shapes_, numpy_call) -> None:
    check_rejected("einsum", [TensorSpec(s, F32) for s in shapes_], {"subscripts": spec},
                   numpy_call)
