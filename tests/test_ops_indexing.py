"""Indexing ops (slice, slice_update, take, in_bounds, gather, scatter) against NumPy.

`slice` is checked against Python slices of NumPy arrays (`x[a:b:c, ...]`, negative and
out-of-range bounds, negative steps, empty results) resolved the way the frontend does;
`take` against numpy.take with in-range indices (negative ones wrap), plus the clamping that
keeps out-of-range indices from reading out of bounds; `in_bounds` against the NumPy predicate;
`gather` and `scatter` (several integer-array indices broadcast together, placed at `position`;
duplicates accumulating in order, or the last write winning) against element-by-element loops.
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
    broadcast_shapes,
    Case,
    check_cases,
    check_rejected,
    compiled,
    covered,
    make_array,
    normalize_slice,
    seeds,
    shapes,
)

COVERED = covered(["slice", "slice_update", "take", "in_bounds", "gather", "scatter"])
INDEX_DTYPES = (np.dtype(np.int32), np.dtype(np.int64), np.dtype(bool))


@st.composite
def _array(draw: st.DrawFn, shape) -> np.ndarray:
    dtype = draw(st.sampled_from(DTYPES + UNSIGNED))
    return make_array(np.random.default_rng(draw(seeds)), shape, dtype, specials=True)


bounds = st.none() | st.integers(-7, 7)


@st.composite
def slice_case(draw: st.DrawFn) -> Case:
    x = draw(_array(draw(shapes(0, 3))))
    slices = tuple(slice(draw(bounds), draw(bounds), draw(st.sampled_from([None, 1, 2, 3, -1, -2])))
                   for _ in range(x.ndim))
    resolved = [normalize_slice(s, n) for s, n in zip(slices, x.shape)]
    attrs = {"starts": tuple(r[0] for r in resolved), "sizes": tuple(r[1] for r in resolved),
             "steps": tuple(r[2] for r in resolved)}
    return Case("slice", (x,), attrs, reference=lambda x, s=slices: x[s].copy(),
                label=f"x[{slices}]")


@st.composite
def slice_update_case(draw: st.DrawFn) -> Case:
    x = draw(_array(draw(shapes(0, 3))))
    slices = tuple(slice(draw(bounds), draw(bounds), draw(st.sampled_from([None, 1, 2, -1, -3])))
                   for _ in range(x.ndim))
    resolved = [normalize_slice(s, n) for s, n in zip(slices, x.shape)]
    src = make_array(np.random.default_rng(draw(seeds)), tuple(r[1] for r in resolved), x.dtype)
    attrs = {"starts": tuple(r[0] for r in resolved), "steps": tuple(r[2] for r in resolved)}

    def reference(x, src, s=slices):
        out = x.copy()
        out[s] = src
        return out

    return Case("slice_update", (x, src), attrs, reference=reference, label=f"x[{slices}] = src")


@st.composite
def take_case(draw: st.DrawFn) -> Case:
    shape = draw(shapes(0, 3))
    x = draw(_array(shape))
    shape = shape or (1,)  # a 0-d array takes like a 1-element 1-d one
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    idx_shape = draw(shapes(0, 2))
    dtype = draw(st.sampled_from(INDEX_DTYPES))
    rng = np.random.default_rng(draw(seeds))
    if n == 0:
        idx_shape = (0, *idx_shape[1:])
    if dtype.kind == "b":
        idx = rng.integers(0, 2, size=idx_shape).astype(bool) if n > 1 else np.zeros(idx_shape, bool)
    else:
        idx = rng.integers(-n, max(n, 1), size=idx_shape).astype(dtype)
    return Case("take", (x, idx), {"axis": axis % len(shape)},
                reference=lambda x, i, a=axis: np.take(x, i, axis=a), label=f"axis={axis}")


@st.composite
def in_bounds_case(draw: st.DrawFn) -> Case:
    size = draw(st.integers(0, 6))
    dtype = draw(st.sampled_from(INDEX_DTYPES))
    rng = np.random.default_rng(draw(seeds))
    shape = draw(shapes(0, 2))
    idx = rng.integers(-size - 2, size + 2, size=shape, endpoint=True)
    if draw(st.booleans()):  # mostly valid indices: the guard usually holds
        idx = np.clip(idx, -size, max(size - 1, -size))
    idx = idx.astype(dtype)
    return Case("in_bounds", (idx,), {"size": size},
                reference=lambda i, n=size: np.all((i >= -n) & (i < n)), label=f"size={size}")


STRATEGIES = {"slice": slice_case, "slice_update": slice_update_case, "take": take_case, "in_bounds": in_bounds_case}
assert set(STRATEGIES) | {"gather", "scatter"} == COVERED


@st.composite
def indexing_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(STRATEGIES[name]()) for name in sorted(STRATEGIES) for _ in range(6)]


@compiled(max_examples=10)
@given(indexing_batch())
def test_indexing_ops_match_numpy(batch: list[Case]) -> None:
    check_cases(batch)


def test_take_clamps_out_of_range_indices() -> None:
    """Out-of-range indices read a clamped element, never memory outside the array (the
    frontend's in_bounds guard turns them into NumPy's IndexError before results are used)."""
    x = np.arange(12.0).reshape(3, 4)
    idx = np.array([[-9, -4], [3, 100]])

    def clamped(x, i, axis, n):
        return np.take(x, np.clip(np.where(i < 0, i + n, i), 0, n - 1), axis=axis)

    check_cases([  # (NumPy itself, and so the registry reference, raises IndexError here)
        Case("take", (x, idx), {"axis": 1}, reference=lambda x, i: clamped(x, i, 1, 4),
             registry_agrees=False),
        Case("take", (x, idx.astype(np.int32)), {"axis": 0},
             reference=lambda x, i: clamped(x, i, 0, 3), registry_agrees=False),
        Case("in_bounds", (idx,), {"size": 4}, reference=lambda i: np.bool_(False)),
        Case("in_bounds", (np.array([-4, 3]),), {"size": 4}, reference=lambda i: np.bool_(True)),
    ])


# ---------------------------------------------------------------------------------------------
# Invalid inputs: NumPy raises, the shape rule raises ShapeError
# ---------------------------------------------------------------------------------------------

F32, F64, I64 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)
Z = np.zeros

INVALID = [
    ("take", [TensorSpec((3,), F32), TensorSpec((2,), F64)], {"axis": 0},
     lambda: np.take(Z(3), Z(2))),
    ("take", [TensorSpec((3,), F32), TensorSpec((2,), I64)], {"axis": 1},
     lambda: np.take(Z(3), Z(2, int), axis=1)),
    ("take", [TensorSpec((0, 2), F32), TensorSpec((1,), I64)], {"axis": 0},
     lambda: np.take(Z((0, 2)), Z(1, int), axis=0)),
    ("take", [TensorSpec((), F32), TensorSpec((), I64)], {"axis": 1},
     lambda: np.take(Z(()), 0, axis=1)),
    ("slice", [TensorSpec((3,), F32)], {"starts": (0,), "sizes": (2,), "steps": (0,)},
     lambda: Z(3)[::0]),
]


@pytest.mark.parametrize("name,specs,attrs,numpy_call", INVALID, ids=[c[0] for c in INVALID])
def test_indexing_shape_rule_rejects_what_numpy_rejects(name, specs, attrs, numpy_call) -> None:
    check_rejected(name, specs, attrs, numpy_call)


def test_slice_shape_rule_rejects_out_of_bounds_triples() -> None:
    from janus_mlir.dialects.opdef import ShapeError
    from janus_mlir.ops import lookup

    infer = lookup("slice").signature.infer
    for starts, sizes, steps in [((3,), (1,), (1,)), ((0,), (4,), (1,)), ((2,), (2,), (-3,)),
                                 ((0,), (-2,), (1,)), ((1,), (-1,), (1,)), ((0, 0), (1, 1), (1, 1))]:
        with pytest.raises(ShapeError):
            infer([TensorSpec((3,), F32)], {"starts": starts, "sizes": sizes, "steps": steps})


# ---------------------------------------------------------------------------------------------
# gather and scatter: element-by-element loop references
# ---------------------------------------------------------------------------------------------


def _geometry(a_shape, idx, axes, position):
    bshape = np.broadcast_shapes(*[i.shape for i in idx])
    rest = [d for d in range(len(a_shape)) if d not in axes]
    return bshape, rest, [np.broadcast_to(i, bshape) for i in idx]


def _coords(a_shape, axes, rest, position, nb, wide, out_idx):
    """The element of `a` that output element `out_idx` reads (or update element writes)."""
    b = out_idx[position:position + nb]
    r = out_idx[:position] + out_idx[position + nb:]
    coord = [0] * len(a_shape)
    for d, i in zip(axes, wide):
        coord[d] = int(i[b]) % a_shape[d]
    for d, v in zip(rest, r):
        coord[d] = v
    return tuple(coord)


def loop_gather(a, *idx, axes, position):
    bshape, rest, wide = _geometry(a.shape, idx, axes, position)
    rest_shape = [a.shape[d] for d in rest]
    out_shape = (*rest_shape[:position], *bshape, *rest_shape[position:])
    out = np.empty(out_shape, a.dtype)
    for o in np.ndindex(*out_shape):
        out[o] = a[_coords(a.shape, axes, rest, position, len(bshape), wide, o)]
    return out


def loop_scatter(dest, updates, *idx, axes, position, mode):
    bshape, rest, wide = _geometry(dest.shape, idx, axes, position)
    out = dest.copy()
    nb = len(bshape)
    combine = {"set": lambda o, u: u, "add": lambda o, u: o + u if o.dtype != bool else o | u,
               "max": np.maximum, "min": np.minimum}[mode]
    # In order over B (C order), as NumPy's ufunc.at and IREE's scatter apply them.
    for b in np.ndindex(*bshape):
        for r in np.ndindex(*[dest.shape[d] for d in rest]):
            o = r[:position] + b + r[position:]
            c = _coords(dest.shape, axes, rest, position, nb, wide, o)
            with np.errstate(over="ignore"):
                out[c] = combine(out[c], updates[o])
    return out


@st.composite
def advanced_case(draw: st.DrawFn, op: str) -> Case:
    rng = np.random.default_rng(draw(seeds))
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    k = draw(st.integers(1, len(shape)))
    axes = tuple(draw(st.permutations(range(len(shape))))[:k])
    bshapes = draw(broadcast_shapes(k, max_rank=2))
    dtype = draw(st.sampled_from([np.dtype(np.int8), np.dtype(np.int32), np.dtype(np.int64)]))
    idx = [rng.integers(-shape[d], shape[d], size=bs).astype(dtype)
           for d, bs in zip(axes, bshapes)]
    position = draw(st.integers(0, len(shape) - k))
    a = draw(_array(shape))
    attrs = {"axes": axes, "position": position}
    label = f"axes={axes} B={[i.shape for i in idx]} position={position}"
    if op == "gather":
        return Case("gather", (a, *idx), attrs, label=label,
                    reference=lambda a, *i, at=attrs: loop_gather(a, *i, **at))
    bshape, rest, _ = _geometry(shape, idx, axes, position)
    rest_shape = [shape[d] for d in rest]
    u_shape = (*rest_shape[:position], *bshape, *rest_shape[position:])
    modes = ["set", "add", "max", "min"] if a.dtype != np.bool_ else ["set", "add"]
    mode = draw(st.sampled_from(modes))
    updates = make_array(rng, u_shape, a.dtype)
    attrs = {**attrs, "mode": mode}
    return Case("scatter", (a, updates, *idx), attrs, label=f"{label} mode={mode}",
                reference=lambda d, u, *i, at=attrs: loop_scatter(d, u, *i, **at))


@st.composite
def advanced_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(advanced_case(op)) for op in ("gather", "scatter") for _ in range(8)]


@compiled(max_examples=6)
@given(advanced_batch())
def test_gather_and_scatter_match_loops(batch: list[Case]) -> None:
    check_cases(batch)


def test_scatter_accumulates_duplicates_in_order() -> None:
    """np.add.at semantics: every duplicate index adds (float sums in index order); mode set
    keeps the last write; out-of-range indices are clamped (the frontend guards them)."""
    dest = np.zeros((4, 3), np.float32)
    ids = np.array([1, 1, 3, 1, -1, 0])
    upd = np.arange(18, dtype=np.float32).reshape(6, 3) * 0.1
    at = {"axes": (0,), "position": 0}
    check_cases([
        Case("scatter", (dest, upd, ids), {**at, "mode": "add"},
             reference=lambda d, u, i: loop_scatter(d, u, i, **at, mode="add")),
        Case("scatter", (dest, upd, ids), {**at, "mode": "set"},
             reference=lambda d, u, i: loop_scatter(d, u, i, **at, mode="set")),
        Case("scatter", (dest.astype(np.int32), upd.astype(np.int32) - 5, ids), {**at,
                                                                             "mode": "min"},
             reference=lambda d, u, i: loop_scatter(d, u, i, **at, mode="min")),
        Case("gather", (upd, np.array([[0, 9], [-9, 5]]), np.array([2, -1])),
             {"axes": (0, 1), "position": 0}, registry_agrees=False,
             reference=lambda a, i, j: a[np.clip(np.where(i < 0, i + 6, i), 0, 5),
                                        np.where(j < 0, j + 3, j)]),
    ])


def test_scatter_max_min_and_add_compare_and_wrap_unsigned() -> None:
    """np.maximum.at / np.minimum.at on uint8 order 200 above 100 (unsigned compares), and
    np.add.at wraps at 256."""
    dest = np.array([[0, 200, 5], [255, 7, 128], [1, 2, 3]], np.uint8)
    ids = np.array([0, 2, 0, 1])
    upd = np.array([[250, 100, 129], [255, 0, 128], [3, 201, 4], [128, 255, 1]], np.uint8)
    at = {"axes": (0,), "position": 0}
    check_cases([
        Case("scatter", (dest, upd, ids), {**at, "mode": mode},
             reference=lambda d, u, i, m=mode: loop_scatter(d, u, i, **at, mode=m))
        for mode in ("max", "min", "add", "set")
    ] + [
        Case("scatter", (dest.astype(np.uint64) << np.uint64(56), upd.astype(np.uint64), ids),
             {**at, "mode": mode},
             reference=lambda d, u, i, m=mode: loop_scatter(d, u, i, **at, mode=m))
        for mode in ("max", "min")
    ])
