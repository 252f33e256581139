"""Sorting: sort and argsort along one non-negative `axis`, and searchsorted.

Order: NumPy's, with NaN after every number (and NaNs equal to each other); ties keep their
original order (ties by index), which is NumPy's `kind='stable'`. For `sort` the tie order
is invisible (equal values), except between 0.0 and -0.0, which compare equal; `argsort` of
ties is where NumPy's default (unstable) kinds may differ, which the frontend handles.

Lowering: the pairs (value, index) are ordered by value and then by index, a strict total
order, so the result does not depend on the algorithm or its stability. Rows of at most SMALL
elements go through one `iree_linalg_ext.sort` (IREE's CPU sort is a quadratic loop per row, one
dispatch); longer rows through a bitonic sorting network of parallel linalg.generics (padded
to a power of two; n log^2 n work). Both sort fresh tensors made by a generic (IREE's sort
writes in place and the operand may be a caller's buffer); bools are sorted as int8 (IREE's
sort does not take i1).

Measured on IREE 3.13 (llvm-cpu, this 2-core machine, best of 10 runs interleaved with NumPy's),
float32: 1000 rows of 1000 along axis 1: sort 39 ms, argsort 38 ms (NumPy 6 and 18 ms); along
axis 0: 40 ms (NumPy 7); 100000 elements: 9 ms (NumPy 2.3). For the same sort of 1000x1000 the
quadratic iree_linalg_ext.sort took 590 ms and a rank-counting formulation (two O(n^2)
linalg.generics) 650 ms. The price of the network is compile time: about 3 s for rows of 1000
(55 stages), 7 s for 1e5 elements (153 stages).

searchsorted(a, v, right) is, for each v, the count of elements of `a` ordered before v
(`right`: not after it) -- NumPy's binary search result when `a` is sorted, which the frontend
guards. One linalg.generic over v's shape with a reduction over `a`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import tensor

from ..dialects.opdef import BOOL, I64, Attr, ShapeError
from ..dialects.types import TensorSpec, element_type, is_bool, is_float
from .emit import PARALLEL, REDUCTION, Emitter, Scalar, barrier, dims_map, identity_map
from .reductions import check_axes
from .registry import defop
from ..lang import op

I64_DT = np.dtype(np.int64)
I8_DT = np.dtype(np.int8)
# Rows up to this length are sorted by one iree_linalg_ext.sort (one dispatch, a quadratic loop
# per row), longer ones by the bitonic network (n log^2 n work, one dispatch per stage).
# Measured (argsort of 1000 rows, IREE 3.13, interleaved runs; ext sort vs network): n=4
# 0.07 vs 0.03 ms, 8: 0.31 vs 0.06, 16: 1.3 vs 0.14, 64: 23 vs 1.2 ms; the network compiles
# slower (0.46 vs 0.39 s at n=4, 1.05 vs 0.42 s at 16, 1.85 vs 0.35 s at 64).
SMALL = 4


def nan_last_less(s: Scalar, a: ir.Value, b: ir.Value, dt: np.dtype) -> ir.Value:
    """a < b in NumPy's sort order (NaN after every number)."""
    lt = s.cmp("lt", a, b, dt)
    if not is_float(dt):
        return lt
    not_nan_a = s.op("arith.xori", [s.is_nan(a), s.const(True, np.dtype(bool))])
    return s.op("arith.ori", [lt, s.op("arith.andi", [s.is_nan(b), not_nan_a])])


def _infer_sort(name: str):
    def infer(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
        (x,) = operands
        if x.rank == 0:
            raise ShapeError(f"{name} of a 0-d array needs axis=None (the frontend flattens)")
        check_axes([attrs["axis"]], x.rank)
        return [TensorSpec(x.shape, x.dtype if name == "sort" else I64_DT)]

    return infer


def sort_with_indices(e: Emitter, x: ir.Value, spec: TensorSpec,
                      axis: int) -> tuple[ir.Value, ir.Value]:
    """(sorted values, their original indices) of `x` along `axis`, ties by index; bools come
    back as int8 values."""
    x = barrier(x)  # a gathering producer fused into the network's first stage fails to compile
    if spec.shape[axis] <= SMALL:
        return _ext_sort(e, x, spec, axis)
    return _bitonic_sort(e, x, spec, axis)


def _ext_sort(e: Emitter, x: ir.Value, spec: TensorSpec,
              axis: int) -> tuple[ir.Value, ir.Value]:
    """One iree_linalg_ext.sort over (values, indices)."""
    dt = I8_DT if is_bool(spec.dtype) else spec.dtype
    rank = spec.rank
    vals_spec, idx_spec = TensorSpec(spec.shape, dt), TensorSpec(spec.shape, I64_DT)

    def copy_body(s: Scalar, v: ir.Value, _o: ir.Value, _i: ir.Value) -> list[ir.Value]:
        return [s.cast(v, spec.dtype, dt), s.index_to(s.linalg_index(axis), I64_DT)]

    vals, idx = e.generic([x], [identity_map(rank)], [e.empty(vals_spec), e.empty(idx_spec)],
                          [identity_map(rank)] * 2, [PARALLEL] * rank, copy_body)
    op = ir.Operation.create(
        "iree_linalg_ext.sort", results=[vals.type, idx.type], operands=[vals, idx],
        attributes={"dimension": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), axis),
                    "operandSegmentSizes": ir.DenseI32ArrayAttr.get([0, 2])},
        regions=1)
    et, it = element_type(dt), element_type(I64_DT)
    block = op.regions[0].blocks.append(et, et, it, it)
    with ir.InsertionPoint(block):
        s = Scalar()
        a, b, i, j = block.arguments
        ir.Operation.create("iree_linalg_ext.yield", results=[],
                            operands=[_pair_less(s, a, i, b, j, dt)])
    return op.results[0], op.results[1]


def _not(s: Scalar, v: ir.Value) -> ir.Value:
    return s.op("arith.xori", [v, s.const(True, np.dtype(bool))])


def _pair_less(s: Scalar, a: ir.Value, i: ir.Value, b: ir.Value, j: ir.Value,
               dt: np.dtype) -> ir.Value:
    """(a, i) < (b, j): by value in sort order, then by index -- a strict total order."""
    less = nan_last_less(s, a, b, dt)
    tie = s.op("arith.andi", [_not(s, less), _not(s, nan_last_less(s, b, a, dt))])
    return s.op("arith.ori", [less, s.op("arith.andi", [tie, s.cmp("lt", i, j, I64_DT)])])


def _bitonic_sort(e: Emitter, x: ir.Value, spec: TensorSpec,
                  axis: int) -> tuple[ir.Value, ir.Value]:
    """A bitonic sorting network over rows of (value, index) pairs: the axis moved last and
    padded to a power of two P (pads carry indices >= n and order after everything), then
    log2(P) * (log2(P) + 1) / 2 compare-exchange stages, each one parallel linalg.generic in
    which every element reads its partner (position XOR j) and keeps the smaller or the larger
    pair. The order is total, so the result is the stable sort's."""
    dt = I8_DT if is_bool(spec.dtype) else spec.dtype
    rank, n = spec.rank, spec.shape[axis]
    perm = [d for d in range(rank) if d != axis] + [axis]
    moved_shape = tuple(spec.shape[d] for d in perm)
    rows = spec.size // n
    width = 1 << (n - 1).bit_length()
    grid = TensorSpec((rows, width), dt)
    moved = e.generic([x], [dims_map(rank, [perm.index(d) for d in range(rank)])],
                      [e.empty(TensorSpec(moved_shape, spec.dtype))], [identity_map(rank)],
                      [PARALLEL] * rank, lambda s, v, _o: v)[0]
    flat = e.reshape(moved, TensorSpec(moved_shape, spec.dtype), (rows, n))

    def start(s: Scalar, _v: ir.Value, _i: ir.Value) -> list[ir.Value]:
        r, c = s.linalg_index(0), s.linalg_index(1)
        col = s.op("arith.minui", [c, s.index_const(n - 1)])
        v = tensor.ExtractOp(flat, [r, col]).result
        return [s.cast(v, spec.dtype, dt), s.index_to(c, I64_DT)]

    idx_grid = TensorSpec((rows, width), I64_DT)
    vals, idx = e.generic([], [], [e.empty(grid), e.empty(idx_grid)], [identity_map(2)] * 2,
                          [PARALLEL] * 2, start)
    k = 2
    while k <= width:
        j = k // 2
        while j >= 1:
            vals, idx = _bitonic_stage(e, vals, idx, grid, n, k, j)
            j //= 2
        k *= 2
    if width != n:
        vals, idx = (_columns(v, rows, n) for v in (vals, idx))
    out = []
    for v, vdt in ((vals, dt), (idx, I64_DT)):
        v = e.reshape(v, TensorSpec((rows, n), vdt), moved_shape)
        out.append(e.generic([v], [dims_map(rank, perm)],
                             [e.empty(TensorSpec(spec.shape, vdt))], [identity_map(rank)],
                             [PARALLEL] * rank, lambda s, a, _o: a)[0]
                   if perm != list(range(rank)) else v)
    return out[0], out[1]


def _bitonic_stage(e: Emitter, vals: ir.Value, idx: ir.Value, grid: TensorSpec, n: int,
                   k: int, j: int) -> tuple[ir.Value, ir.Value]:
    """One compare-exchange stage (block size k, distance j) of the bitonic network: every
    position p reads its partner p XOR j and keeps the smaller pair when (p < partner) equals
    "block p & k sorts ascending". Measured against reading the partners through two
    constant-index maps over a (P/2j, 2, j) view of each row (no gathers): this gather form ran
    3-4x faster on IREE 3.13 (sort of 1000 rows of 1000: 49 vs 155 ms, interleaved runs)."""
    dt = grid.dtype

    def body(s: Scalar, _v: ir.Value, _i: ir.Value) -> list[ir.Value]:
        r, p = s.linalg_index(0), s.linalg_index(1)
        q = s.op("arith.xori", [p, s.index_const(j)])
        a, i = tensor.ExtractOp(vals, [r, p]).result, tensor.ExtractOp(idx, [r, p]).result
        b, jj = tensor.ExtractOp(vals, [r, q]).result, tensor.ExtractOp(idx, [r, q]).result
        ascending = s.cmp("eq", s.op("arith.andi", [p, s.index_const(k)]), s.index_const(0),
                          I64_DT)
        want_min = s.cmp("eq", s.cmp("lt", p, q, I64_DT), ascending, np.dtype(bool))
        pad = s.op("arith.ori", [s.cmp("ge", i, s.const(n, I64_DT), I64_DT),
                                 s.cmp("ge", jj, s.const(n, I64_DT), I64_DT)])
        b_less = s.select(pad, s.cmp("lt", jj, i, I64_DT), _pair_less(s, b, jj, a, i, dt))
        take = s.cmp("eq", b_less, want_min, np.dtype(bool))
        return [s.select(take, b, a), s.select(take, jj, i)]

    idx_spec = TensorSpec(grid.shape, I64_DT)
    out = e.generic([], [], [e.empty(grid), e.empty(idx_spec)], [identity_map(2)] * 2,
                    [PARALLEL] * 2, body)
    return out[0], out[1]


def _columns(v: ir.Value, rows: int, n: int, start: int = 0) -> ir.Value:
    """n columns, from `start` on, of a (rows, width) tensor."""
    et = ir.RankedTensorType(v.type).element_type
    return tensor.ExtractSliceOp(ir.RankedTensorType.get([rows, n], et), v, [], [], [],
                                 ir.DenseI64ArrayAttr.get([0, start]),
                                 ir.DenseI64ArrayAttr.get([rows, n]),
                                 ir.DenseI64ArrayAttr.get([1, 1])).result


def _lower_sort(name: str):
    def lower(e: Emitter, operands, in_specs, attrs, out_specs):
        (x,), (xs,), (out,) = operands, in_specs, out_specs
        if out.size == 0:
            return [e.empty(out)]
        vals, idx = sort_with_indices(e, x, xs, attrs["axis"])
        if name == "argsort":
            return [barrier(idx)]
        if is_bool(xs.dtype):
            vals = e.cast_tensor(vals, TensorSpec(xs.shape, I8_DT), xs.dtype)
        return [barrier(vals)]

    return lower


def _sort_vjp(g, ans, x, axis):
    """Each sorted element's cotangent goes back to where argsort found it."""
    order = op("argsort", x, axis=axis)
    index = [order if d == axis else np.broadcast_to(np.arange(n, dtype=np.int64).reshape(
        [n if e == d else 1 for e in range(x.ndim)]), x.shape) for d, n in enumerate(x.shape)]
    return (op("scatter", np.zeros_like(x), g.astype(x.dtype), *index,
               axes=tuple(range(x.ndim)), position=0, mode="add"),)


for _name, _fn in (("sort", np.sort), ("argsort", np.argsort)):
    defop(_name, ("operand",), attrs={"axis": Attr(I64)}, infer=_infer_sort(_name),
          vjp=_sort_vjp if _name == "sort" else None,
          numpy=lambda x, axis, fn=_fn: fn(x, axis=axis, kind="stable"), lower=_lower_sort(_name),
          doc=f"numpy.{_fn.__name__}(x, axis=axis, kind='stable') along a non-negative axis: "
              "NaN last, ties in their original order.")


# ---------------------------------------------------------------------------------------------
# searchsorted
# ---------------------------------------------------------------------------------------------


def _infer_searchsorted(operands: Sequence[TensorSpec],
                        attrs: dict[str, Any]) -> list[TensorSpec]:
    a, v = operands
    if a.rank != 1:
        raise ShapeError(f"searchsorted needs a 1-d array to search, got {a}")
    if a.dtype != v.dtype:
        raise ShapeError(f"searchsorted operands {a} and {v} differ in dtype (the frontend "
                         "promotes them)")
    return [TensorSpec(v.shape, I64_DT)]


def _lower_searchsorted(e: Emitter, operands, in_specs, attrs, out_specs):
    (a, v), (a_spec, _), (out,) = operands, in_specs, out_specs
    if out.size == 0:
        return [e.empty(out)]
    if a_spec.size == 0:
        return [e.fill(out, 0)]
    # Either may come from a take (np.searchsorted(np.take(a, sorter), v)).
    a, v = barrier(a), barrier(v)
    dt, right, rank = a_spec.dtype, bool(attrs.get("right")), out.rank
    cmp_dt = I8_DT if is_bool(dt) else dt

    def body(s: Scalar, av: ir.Value, vv: ir.Value, acc: ir.Value) -> ir.Value:
        if is_bool(dt):
            av, vv = s.cast(av, dt, cmp_dt), s.cast(vv, dt, cmp_dt)
        if right:  # a[j] <= v: not (v < a[j])
            before = s.op("arith.xori", [nan_last_less(s, vv, av, cmp_dt),
                                         s.const(True, np.dtype(bool))])
        else:
            before = nan_last_less(s, av, vv, cmp_dt)
        return s.add(acc, s.cast(before, np.dtype(bool), I64_DT), I64_DT)

    loops = rank + 1
    return e.generic([a, v], [dims_map(loops, [rank]), dims_map(loops, range(rank))],
                     [e.fill(out, 0)], [dims_map(loops, range(rank))],
                     [PARALLEL] * rank + [REDUCTION], body)


defop("searchsorted", ("sorted", "values"), attrs={"right": Attr(BOOL, False, optional=True)},
      infer=_infer_searchsorted,
      numpy=lambda a, v, right=False: np.searchsorted(a, v, side="right" if right else "left"),
      lower=_lower_searchsorted,
      doc="numpy.searchsorted(a, v, side) of a sorted 1-d `a` (NaN last) and values of a's "
          "dtype: the number of elements of `a` before each value.")


# ---------------------------------------------------------------------------------------------
# is_sorted
# ---------------------------------------------------------------------------------------------


def _infer_is_sorted(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (a,) = operands
    if a.rank != 1:
        raise ShapeError(f"is_sorted needs a 1-d array, got {a}")
    return [TensorSpec((), np.dtype(bool))]


def _lower_is_sorted(e: Emitter, operands, in_specs, attrs, out_specs):
    (a,), (spec,), (out,) = operands, in_specs, out_specs
    n = spec.shape[0]
    if n < 2:
        return [e.fill(out, True)]
    a = barrier(a)
    dt = I8_DT if is_bool(spec.dtype) else spec.dtype
    lo, hi = (_columns(e.reshape(a, spec, (1, n)), 1, n - 1, start) for start in (0, 1))

    def body(s: Scalar, x: ir.Value, y: ir.Value, acc: ir.Value) -> ir.Value:
        x, y = s.cast(x, spec.dtype, dt), s.cast(y, spec.dtype, dt)
        return s.op("arith.andi", [acc, _not(s, nan_last_less(s, y, x, dt))])

    return e.generic([lo, hi], [identity_map(2)] * 2, [e.fill(out, True)], [dims_map(2, [])],
                     [REDUCTION] * 2, body)


defop("is_sorted", ("operand",), infer=_infer_is_sorted,
      numpy=lambda a: np.array(not np.any(_nan_last_less_np(a[1:], a[:-1]))),
      lower=_lower_is_sorted,
      doc="Whether a 1-d array is sorted in NumPy's sort order (NaN last): the guard that makes "
          "searchsorted's count equal NumPy's binary search.")


def _nan_last_less_np(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x < y) | (np.isnan(y) & ~np.isnan(x)) if x.dtype.kind == "f" else x < y
