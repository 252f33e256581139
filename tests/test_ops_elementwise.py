"""Elementwise ops (every ufunc op, and `where`) against NumPy through the compiled path.

Every op whose registry reference is a NumPy ufunc is tested through that ufunc: a sweep over
each dtype with the edge values (NaN, +-inf, +-0, MIN/MAX ints, divisors 0 and -1), and
hypothesis-drawn batches with broadcasting, rank-0 and zero-size operands and mixed-dtype
promotion. Where NumPy rejects a dtype combination, the op's shape rule must raise ShapeError.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.opdef import ShapeError
from janus_mlir.dialects.types import TensorSpec
from janus_mlir.ops import OPS
from janus_mlir.ops.elementwise import UNSIGNED_UFUNCS

from .op_harness import (
    BOOL,
    DTYPES,
    UNSIGNED,
    Case,
    broadcast_shapes,
    check_cases,
    check_rejected,
    compiled,
    covered,
    make_array,
    seeds,
)

UFUNC_OPS: dict[str, np.ufunc] = {name: rule.numpy for name, rule in OPS.items()
                                  if isinstance(rule.numpy, np.ufunc) and rule.numpy.signature is None}
COVERED = covered([*UFUNC_OPS, "where"])

FLOAT_EDGES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0,
                        -3.0, 2.5, -2.5, 1e-3, -1e-3, 1e-6, -1e-6, 1e-30, -1e-30, 7.25, -7.25,
                        -1e5, 1e5, 1e30])

# The sweep checks relative accuracy down to the smallest normal number (results that would be
# subnormal are flushed to zero on llvm-cpu), much tighter than the API contract's atol, so
# that functions losing relative accuracy near zero (sin(-1e-6), expm1(1e-30)) show up.
SWEEP_TOL = {np.dtype(np.float16): (2e-3, float(np.finfo(np.float16).tiny)),
             np.dtype(np.float32): (1e-5, float(np.finfo(np.float32).tiny)),
             np.dtype(np.float64): (1e-12, float(np.finfo(np.float64).tiny))}


def _int_edges(dtype: np.dtype) -> np.ndarray:
    info = np.iinfo(dtype)
    return np.array([info.min, info.min + 1, -7, -2, -1, 0, 1, 2, 7, info.max - 1, info.max],
                    dtype=dtype)


def _loop(name: str, dtypes) -> tuple[np.dtype, ...] | None:
    """NumPy's loop dtypes for the ufunc, or None when NumPy has no loop for these dtypes."""
    try:
        return tuple(np.dtype(d) for d in UFUNC_OPS[name].resolve_dtypes((*dtypes, None)))
    except (TypeError, np._core._exceptions._UFuncNoLoopError):  # type: ignore[attr-defined]
        return None


def _restrict(name: str, inputs: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Keep inputs inside what NumPy defines for every element (no integer negative powers)."""
    loop = _loop(name, [a.dtype for a in inputs])
    if name == "power" and loop is not None and loop[0].kind in "ib":  # unsigned: any exponent
        e = inputs[1]
        inputs[1] = (rng.integers(0, 70, size=e.shape).astype(e.dtype)
                     if e.dtype.kind in "iu" else e)
    return inputs


# ---------------------------------------------------------------------------------------------
# Sweep: every ufunc op x every dtype, edge values, one compiled batch
# ---------------------------------------------------------------------------------------------


def _edge_inputs(name: str, dtype: np.dtype, nin: int) -> list[np.ndarray]:
    if dtype.kind == "b":
        edges = np.array([False, True])
    elif dtype.kind == "i":
        edges = _int_edges(dtype)
    elif dtype.kind == "u":
        top = int(np.iinfo(dtype).max)
        edges = np.array([0, 1, 2, 3, 7, 8, 9, 63, 64, 127, 128, 255, top // 2, top // 2 + 1,
                          top - 1, top], dtype=dtype)
    else:
        with np.errstate(over="ignore"):
            edges = FLOAT_EDGES.astype(dtype)
    if nin == 1:
        return [edges]
    a, b = np.meshgrid(edges, edges)
    return [a, b]


def _sweep_cases() -> list[Case]:
    rng = np.random.default_rng(7)
    cases = []
    for name, ufunc in UFUNC_OPS.items():
        for dtype in DTYPES:
            if _loop(name, [dtype] * ufunc.nin) is None:
                continue
            inputs = _restrict(name, _edge_inputs(name, dtype, ufunc.nin), rng)
            result = ufunc.resolve_dtypes((*[dtype] * ufunc.nin, None))[-1]
            cases.append(Case(name, tuple(inputs), label="edge values",
                              tol=SWEEP_TOL.get(np.dtype(result))))
    return cases


def test_every_ufunc_op_on_every_dtype_with_edge_values() -> None:
    check_cases(_sweep_cases())


def _refuses_unsigned(name: str, dtypes) -> bool:
    """Whether janus refuses the ufunc on these dtypes: NumPy computes it in an unsigned loop
    that janus does not convert (the call then runs as plain Python)."""
    loop = _loop(name, dtypes)
    return (loop is not None and any(d.kind == "u" for d in loop)
            and name not in UNSIGNED_UFUNCS)


def _unsigned_sweep_cases() -> list[Case]:
    rng = np.random.default_rng(8)
    cases = []
    for name, ufunc in UFUNC_OPS.items():
        for dtype in UNSIGNED:
            dts = [dtype] * ufunc.nin
            if _loop(name, dts) is None:
                continue
            inputs = _restrict(name, _edge_inputs(name, dtype, ufunc.nin), rng)
            if _refuses_unsigned(name, dts):
                with pytest.raises(ShapeError, match="unsigned"):
                    OPS[name].signature.infer([TensorSpec(a.shape, a.dtype) for a in inputs], {})
                continue
            result = ufunc.resolve_dtypes((*dts, None))[-1]
            cases.append(Case(name, tuple(inputs), label="unsigned edge values",
                              tol=SWEEP_TOL.get(np.dtype(result))))
    return cases


def test_ufunc_ops_on_unsigned_dtypes_match_numpy_or_refuse() -> None:
    cases = _unsigned_sweep_cases()
    # matmul, a generalized ufunc, is an op of its own: its unsigned cases are in test_ops_linalg.
    assert covered(cases) >= UNSIGNED_UFUNCS & set(UFUNC_OPS)
    check_cases(cases)


# ---------------------------------------------------------------------------------------------
# Hypothesis: broadcasting, rank 0, zero-size, promotion of mixed dtypes
# ---------------------------------------------------------------------------------------------

STYLES = {
    "small": dict(low=-8, high=8),
    "wide": dict(low=-1e4, high=1e4, grid=False, full_range=True),
    "special": dict(low=-4, high=4, grid=False, specials=True, full_range=True),
}
dtypes = st.sampled_from(DTYPES)
mixed_dtypes = st.sampled_from(DTYPES + UNSIGNED)


@st.composite
def ufunc_case(draw: st.DrawFn, name: str, pool: st.SearchStrategy = dtypes) -> Case | tuple:
    nin = 3 if name == "where" else UFUNC_OPS[name].nin
    shapes = draw(broadcast_shapes(nin))
    first = draw(pool)
    same = draw(st.booleans())
    kinds = [first if same else draw(pool) for _ in range(nin)]
    if name == "where":
        kinds[0] = BOOL
    style = draw(st.sampled_from(sorted(STYLES)))
    rng = np.random.default_rng(draw(seeds))
    inputs = [make_array(rng, s, dt, **STYLES[style]) for s, dt in zip(shapes, kinds)]
    if name != "where" and _loop(name, kinds) is None:
        return (name, inputs)  # NumPy rejects these dtypes: the shape rule must too
    if name != "where":
        inputs = _restrict(name, inputs, rng)
    return Case(name, tuple(inputs), label=style)


@st.composite
def ufunc_batch(draw: st.DrawFn) -> list:
    return [draw(ufunc_case(name)) for name in sorted(COVERED)]


@compiled(max_examples=6)
@given(ufunc_batch())
def test_elementwise_ops_broadcast_and_promote_like_numpy(batch: list) -> None:
    rejected = [c for c in batch if isinstance(c, tuple)]
    for name, inputs in rejected:
        check_rejected(name, [TensorSpec(a.shape, a.dtype) for a in inputs], {},
                       lambda name=name, inputs=inputs: UFUNC_OPS[name](*inputs))
    check_cases([c for c in batch if isinstance(c, Case)])


@st.composite
def unsigned_batch(draw: st.DrawFn) -> list:
    """Every ufunc op with operands drawn from all dtypes, unsigned ones included; the cases
    janus refuses (an unsigned loop it does not convert) are left out."""
    batch = [draw(ufunc_case(name, mixed_dtypes)) for name in sorted(COVERED)]
    return [c for c in batch if not isinstance(c, Case) or c.op == "where"
            or not _refuses_unsigned(c.op, [a.dtype for a in c.inputs])]


@compiled(max_examples=4)
@given(unsigned_batch())
def test_elementwise_ops_promote_unsigned_like_numpy(batch: list) -> None:
    for name, inputs in [c for c in batch if isinstance(c, tuple)]:
        check_rejected(name, [TensorSpec(a.shape, a.dtype) for a in inputs], {},
                       lambda name=name, inputs=inputs: UFUNC_OPS[name](*inputs))
    check_cases([c for c in batch if isinstance(c, Case)])


# ---------------------------------------------------------------------------------------------
# Invalid inputs: NumPy raises, the shape rule raises ShapeError
# ---------------------------------------------------------------------------------------------

F32 = np.dtype(np.float32)
I32 = np.dtype(np.int32)

INVALID = [
    ("add", [TensorSpec((2, 3), F32), TensorSpec((4,), F32)], lambda: np.add(np.ones((2, 3)),
                                                                              np.ones(4))),
    ("subtract", [TensorSpec((2,), BOOL), TensorSpec((2,), BOOL)],
     lambda: np.subtract(np.ones(2, bool), np.ones(2, bool))),
    ("bitwise_and", [TensorSpec((2,), F32), TensorSpec((2,), I32)],
     lambda: np.bitwise_and(np.ones(2, np.float32), np.ones(2, np.int32))),
    ("invert", [TensorSpec((2,), F32)], lambda: np.invert(np.ones(2, np.float32))),
    ("negative", [TensorSpec((), BOOL)], lambda: np.negative(np.array(True))),
    ("maximum", [TensorSpec((3, 1), I32), TensorSpec((2, 2), I32)],
     lambda: np.maximum(np.ones((3, 1), np.int32), np.ones((2, 2), np.int32))),
    ("where", [TensorSpec((2,), BOOL), TensorSpec((3,), F32), TensorSpec((2,), F32)],
     lambda: np.where(np.ones(2, bool), np.ones(3), np.ones(2))),
]


@pytest.mark.parametrize("name,specs,numpy_call", INVALID, ids=[c[0] for c in INVALID])
def test_elementwise_shape_rule_rejects_what_numpy_rejects(name, specs, numpy_call) -> None:
    check_rejected(name, specs, {}, numpy_call)
