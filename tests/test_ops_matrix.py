"""The matrix ops against NumPy: eye (numpy.eye over shapes, offsets and dtypes), tri
(numpy.tril / triu of batched matrices, any k, NaN and inf kept or zeroed like NumPy) and
diag_embed (numpy.diag of a 1-D array)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.types import TensorSpec

from .op_harness import (
    DTYPES,
    Case,
    check_cases,
    check_rejected,
    compiled,
    covered,
    dims,
    make_array,
    seeds,
    shapes,
)

COVERED = covered(["eye", "tri", "diag_embed"])
offsets = st.integers(-6, 6)


@st.composite
def matrix_case(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(["eye", "tri", "diag_embed"]))
    dt = draw(st.sampled_from(DTYPES))
    k = draw(offsets)
    rng = np.random.default_rng(draw(seeds))
    if kind == "eye":
        n, m = draw(dims), draw(dims)
        return Case("eye", (), {"shape": (n, m), "k": k, "dtype": dt},
                    reference=lambda: np.eye(n, m, k, dtype=dt))
    if kind == "tri":
        upper = draw(st.booleans())
        shape = (*draw(shapes(0, 2)), draw(dims), draw(dims))
        x = make_array(rng, shape, dt, specials=True)
        ref = (lambda a: np.triu(a, k)) if upper else (lambda a: np.tril(a, k))
        return Case("tri", (x,), {"k": k, "upper": upper}, reference=ref)
    v = make_array(rng, (draw(dims),), dt, specials=True)
    return Case("diag_embed", (v,), {"k": k}, reference=lambda a: np.diag(a, k))


@st.composite
def matrix_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(matrix_case()) for _ in range(30)]


@compiled(max_examples=5)
@given(matrix_batch())
def test_matrix_ops_match_numpy(batch: list[Case]) -> None:
    check_cases(batch)


def test_matrix_ops_named_cases() -> None:
    rng = np.random.default_rng(2)
    cases = []
    for dt in DTYPES:
        cases += [Case("eye", (), {"shape": (3, 5), "k": 2, "dtype": dt},
                       reference=lambda dt=dt: np.eye(3, 5, 2, dtype=dt)),
                  Case("eye", (), {"shape": (4, 4), "k": -5, "dtype": dt},
                       reference=lambda dt=dt: np.eye(4, 4, -5, dtype=dt)),
                  Case("tri", (make_array(rng, (2, 3, 4), dt),), {"k": -1, "upper": False},
                       reference=lambda a: np.tril(a, -1)),
                  Case("tri", (make_array(rng, (4, 3), dt),), {"k": 1, "upper": True},
                       reference=lambda a: np.triu(a, 1)),
                  Case("diag_embed", (make_array(rng, (3,), dt),), {"k": -2},
                       reference=lambda a: np.diag(a, -2)),
                  Case("diag_embed", (make_array(rng, (0,), dt),), {"k": 1},
                       reference=lambda a: np.diag(a, 1))]
    check_cases(cases)


F32 = np.dtype(np.float32)


@pytest.mark.parametrize("op,specs,attrs,numpy_call", [
    ("diag_embed", [(2, 2, 2)], {"k": 0}, lambda: np.diag(np.zeros((2, 2, 2)))),
    ("eye", [], {"shape": (-1, 2), "k": 0, "dtype": F32}, lambda: np.eye(-1, 2)),
    ("tri", [()], {"k": 0, "upper": True}, lambda: np.triu(np.zeros(()))),
])
def test_matrix_shape_rules_reject_what_numpy_rejects(op, specs, attrs, numpy_call) -> None:
    check_rejected(op, [TensorSpec(s, F32) for s in specs], attrs, numpy_call)
