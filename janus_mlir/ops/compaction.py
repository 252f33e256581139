"""Compaction: ops whose result size is a count the graph computes from the data.

`compress(x, mask, axis)` is NumPy's `x[mask]` (`x[:, mask]` for axis 1) for a boolean mask
over x's dims from `axis` on; `nonzero` and
`argwhere` give the coordinates of the nonzero elements of x (row-major order); `unique` gives
the sorted distinct values of the flattened x, with NumPy's optional first indices, inverse and
counts. Each result dim that counts selected elements is `?` in the IR (`ANY` in the shape
rule; the frontend names it with a fresh `types.CountDim`), so one graph serves every count,
zero included.

Lowering, one pattern for all of them: an inclusive `iree_linalg_ext.scan` over the mask as
int64 gives every selected element its output position, a reduction the count; the
selected rows are scattered (`iree_linalg_ext.scatter`) to those positions of a fresh
`tensor.empty(count + 1, ...)` whose last row catches every unselected one, and the first
`count` rows are sliced out. IREE reads the count back to the host to allocate the result
(one device->host sync per compaction). No result goes through `emit.barrier`: IREE 3.13 fails
to compile a `util.optimization_barrier` of a tensor whose dim the graph computed ("'tensor.dim'
op unexpected during shape cleanup", tests/test_iree_traps.py); a scatter is not fused into its
consumers anyway.

unique sorts with sorting.sort_with_indices (stable: ties by index, so the first index of each
value is NumPy's `return_index`), keeps the first element of each run of equal values (NaNs
equal to each other, NumPy's `equal_nan=True`), scatters each position's run number back to
the original order (`return_inverse`, shaped like x as in NumPy 2) and scatter-adds ones per
run (`return_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import tensor

from ..dialects.opdef import BOOL, I64, Attr, ShapeError
from ..dialects.types import ANY, SymbolicShape, TensorSpec, element_type, is_bool, is_float
from .emit import PARALLEL, REDUCTION, Emitter, Scalar, barrier, dims_map, identity_map
from .registry import defop
from .sorting import sort_with_indices
from ..lang import op
from ..lang.shapes import is_static

I64_DT = np.dtype(np.int64)
I8_DT = np.dtype(np.int8)
BOOL_DT = np.dtype(np.bool_)
_DYN = ir.ShapedType.get_dynamic_size


# ---------------------------------------------------------------------------------------------
# Building blocks: sizes of dynamic tensors, the compaction itself
# ---------------------------------------------------------------------------------------------


def sizes_of(v: ir.Value) -> list[int | ir.Value]:
    """The dims of tensor `v`: ints, and `tensor.dim` index values for its `?` dims."""
    t = ir.RankedTensorType(v.type)
    out: list[int | ir.Value] = []
    for axis in range(t.rank):
        if t.is_dynamic_dim(axis):
            idx = Scalar().index_const(axis)
            out.append(tensor.DimOp(v, idx).result)
        else:
            out.append(t.shape[axis])
    return out


def _type(sizes: Sequence[int | ir.Value], dtype: np.dtype) -> ir.RankedTensorType:
    return ir.RankedTensorType.get([d if type(d) is int else _DYN() for d in sizes],
                                   element_type(dtype))


def _empty(sizes: Sequence[int | ir.Value], dtype: np.dtype) -> ir.Value:
    return tensor.EmptyOp(list(sizes), element_type(dtype)).result


def _fill(e: Emitter, sizes: Sequence[int | ir.Value], dtype: np.dtype, value: Any) -> ir.Value:
    from iree.compiler.dialects import linalg

    return linalg.fill(e.const(value, dtype), outs=[_empty(sizes, dtype)])


def _collapse_leading(v: ir.Value, m: int) -> ir.Value:
    """`v` with its first m dims collapsed into one (m >= 1)."""
    if m == 1:
        return v
    t = ir.RankedTensorType(v.type)
    shape = list(t.shape)
    lead = [shape[i] for i in range(m)]
    n = _DYN() if any(t.is_dynamic_dim(i) for i in range(m)) else int(np.prod(lead))
    rest = [shape[i] if not t.is_dynamic_dim(i) else _DYN() for i in range(m, t.rank)]
    groups = [list(range(m)), *([i] for i in range(m, t.rank))]
    out = ir.RankedTensorType.get([n, *rest], t.element_type)
    return tensor.CollapseShapeOp(out, v, _reassoc(groups)).result


def _reassoc(groups: list[list[int]]) -> ir.ArrayAttr:
    i64 = ir.IntegerType.get_signless(64)
    return ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(i64, d) for d in g])
                             for g in groups])


def _positions(e: Emitter, mask: ir.Value) -> tuple[ir.Value, ir.Value]:
    """(inclusive running count of the 1-D bool `mask` as int64, the total as a 0-d int64)."""
    (n,) = sizes_of(mask)
    ones = e.generic([mask], [identity_map(1)], [_empty([n], I64_DT)], [identity_map(1)],
                     [PARALLEL], lambda s, b, _o: s.cast(b, BOOL_DT, I64_DT))[0]
    et = element_type(I64_DT)
    i64 = ir.IntegerType.get_signless(64)
    op = ir.Operation.create(
        "iree_linalg_ext.scan",
        results=[ones.type, ir.RankedTensorType.get([], et)],
        operands=[ones, _empty([n], I64_DT), _fill(e, [], I64_DT, 0)],
        attributes={"dimension": ir.IntegerAttr.get(i64, 0), "inclusive": ir.BoolAttr.get(True)},
        regions=1)
    block = op.regions[0].blocks.append(et, et)
    with ir.InsertionPoint(block):
        out = Scalar().add(block.arguments[0], block.arguments[1], I64_DT)
        ir.Operation.create("iree_linalg_ext.yield", results=[], operands=[out])
    # Not the scan's accumulator: IREE 3.13 leaves it at its initial value when the scanned dim
    # has size 1 (tests/test_iree_traps.py).
    total = e.generic([ones], [identity_map(1)], [_fill(e, [], I64_DT, 0)],
                      [ir.AffineMap.get(1, 0, [])], [REDUCTION],
                      lambda s, v, acc: s.add(acc, v, I64_DT))[0]
    return op.results[0], total


def _count_index(e: Emitter, total: ir.Value) -> ir.Value:
    return e.to_index(tensor.ExtractOp(total, []).result)


def scatter_rows(e: Emitter, updates: ir.Value, rows: ir.Value, dest: ir.Value, mode: str,
                 dtype: np.dtype, unique: bool = False) -> ir.Value:
    """iree_linalg_ext.scatter of `updates` (n, *R) at the row numbers `rows` (n, 1) of `dest`
    (of `dtype`), in order: mode 'set' writes the update, 'add' adds it, 'count' adds one."""
    et = element_type(dtype)
    op = ir.Operation.create(
        "iree_linalg_ext.scatter", results=[dest.type], operands=[updates, rows, dest],
        attributes={"dimension_map": ir.DenseI64ArrayAttr.get([0]),
                    "unique_indices": ir.BoolAttr.get(unique)}, regions=1)
    block = op.regions[0].blocks.append(et, et)
    with ir.InsertionPoint(block):
        u, o = block.arguments
        s = Scalar()
        y = (u if mode == "set" else s.add(o, u, dtype) if mode == "add"
             else s.add(o, s.const(1, dtype), dtype))
        ir.Operation.create("iree_linalg_ext.yield", results=[], operands=[y])
    return op.result


def compact(e: Emitter, rows: ir.Value, mask: ir.Value
            ) -> tuple[ir.Value, ir.Value, ir.Value, ir.Value]:
    """The rows of `rows` (n, *R) where the 1-D `mask` (n,) holds, in order: (the (count, *R)
    result, the count as an index, the inclusive running count (n,) int64, the total as a 0-d
    int64)."""
    incl, total = _positions(e, mask)
    count = _count_index(e, total)
    (n,) = sizes_of(mask)
    one = e.const(1, I64_DT)

    def target(s: Scalar, b: ir.Value, p: ir.Value, c: ir.Value, _o: ir.Value) -> ir.Value:
        return s.select(b, s.sub(p, one, I64_DT), c)  # the unselected go to row `count`

    pos = e.generic([mask, incl, total], [dims_map(2, [0]), dims_map(2, [0]),
                                          ir.AffineMap.get(2, 0, [])],
                    [_empty([n, 1], I64_DT)], [identity_map(2)], [PARALLEL] * 2, target)[0]
    rest = sizes_of(rows)[1:]
    dt = _dtype_of(rows)
    plus_one = Scalar().op("arith.addi", [count, Scalar().index_const(1)])
    scattered = scatter_rows(e, rows, pos, _empty([plus_one, *rest], dt), "set", dt)
    out_sizes = [count, *rest]
    result = tensor.ExtractSliceOp(
        _type(out_sizes, dt), scattered, [], [d for d in out_sizes if type(d) is not int], [],
        ir.DenseI64ArrayAttr.get([0] * len(out_sizes)),
        ir.DenseI64ArrayAttr.get([d if type(d) is int else _DYN() for d in out_sizes]),
        ir.DenseI64ArrayAttr.get([1] * len(out_sizes))).result
    return result, count, incl, total


def empty_result(spec: TensorSpec) -> ir.Value:
    """An empty tensor of `spec`'s type (its `?` dims 0, cast back to `?`)."""
    sizes = [d if type(d) is int else 0 for d in spec.shape]
    v = _empty(sizes, spec.dtype)
    if all(type(d) is int for d in spec.shape):
        return v
    return tensor.CastOp(_type(spec.shape, spec.dtype), v).result


def _dtype_of(v: ir.Value) -> np.dtype:
    from ..dialects.types import dtype_of_element

    return dtype_of_element(str(ir.RankedTensorType(v.type).element_type))


def _nonzero_mask(e: Emitter, x: ir.Value, xs: TensorSpec) -> ir.Value:
    """x != 0 as a bool tensor of x's shape (x itself for bools)."""
    if is_bool(xs.dtype):
        return x
    rank = xs.rank
    return e.generic([x], [identity_map(rank)], [_empty(sizes_of(x), BOOL_DT)],
                     [identity_map(rank)], [PARALLEL] * rank,
                     lambda s, v, _o: s.cmp("ne", v, s.const(0, xs.dtype), xs.dtype))[0]


def _coordinates(e: Emitter, x: ir.Value, xs: TensorSpec) -> tuple[ir.Value, ir.Value]:
    """(the (count, k) int64 coordinates of x's nonzero elements in row-major order, count)."""
    k = xs.rank
    grid_sizes = [*sizes_of(x), k]

    def body(s: Scalar, _o: ir.Value) -> ir.Value:
        which = s.linalg_index(k)
        out = s.index_to(s.linalg_index(k - 1), I64_DT)
        for d in reversed(range(k - 1)):
            out = s.select(s.cmp("eq", which, s.index_const(d), I64_DT),
                           s.index_to(s.linalg_index(d), I64_DT), out)
        return out

    grid = e.generic([], [], [_empty(grid_sizes, I64_DT)], [identity_map(k + 1)],
                     [PARALLEL] * (k + 1), body)[0]
    mask = _collapse_leading(_nonzero_mask(e, x, xs), k) if k > 1 else _nonzero_mask(e, x, xs)
    coords, count, _, _ = compact(e, _collapse_leading(grid, k), mask)
    return coords, count


def _column(coords: ir.Value, count: ir.Value, d: int) -> ir.Value:
    return tensor.ExtractSliceOp(
        ir.RankedTensorType.get([_DYN()], element_type(I64_DT)), coords, [], [count], [],
        ir.DenseI64ArrayAttr.get([0, d]), ir.DenseI64ArrayAttr.get([_DYN(), 1]),
        ir.DenseI64ArrayAttr.get([1, 1])).result


# ---------------------------------------------------------------------------------------------
# compress: x[mask]
# ---------------------------------------------------------------------------------------------


def _infer_compress(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    x, mask = operands
    k = attrs.get("axis") or 0
    if not is_bool(mask.dtype):
        raise ShapeError(f"compress needs a boolean mask, got {mask}")
    m = mask.rank
    if m == 0 or k < 0 or k + m > x.rank:
        raise ShapeError(f"a boolean index of rank {m} at axis {k} does not fit {x}")
    if tuple(mask.shape) != tuple(x.shape[k:k + m]):
        if not (mask.static and x.static):
            raise SymbolicShape(f"whether the mask {mask} fits the dims of {x} is known only "
                                "when the graph runs")
        raise ShapeError(f"boolean index of shape {mask.shape} does not match the dims "
                         f"{x.shape[k:k + m]} of {x}")
    return [TensorSpec((*x.shape[:k], ANY, *x.shape[k + m:]), x.dtype)]


def _permute(e: Emitter, v: ir.Value, perm: Sequence[int]) -> ir.Value:
    """transpose(v, perm) as a fresh tensor, dynamic dims included (v itself for the identity)."""
    perm = list(perm)
    if perm == list(range(len(perm))):
        return v
    sizes = sizes_of(v)
    rank = len(perm)
    inverse = [perm.index(d) for d in range(rank)]
    return e.generic([v], [dims_map(rank, inverse)], [_empty([sizes[p] for p in perm],
                                                             _dtype_of(v))],
                     [identity_map(rank)], [PARALLEL] * rank, lambda s, x, _o: x)[0]


def _lower_compress(e: Emitter, operands, in_specs, attrs, out_specs):
    (x, mask), (xs, ms) = operands, in_specs
    if ms.static and ms.size == 0:
        return [empty_result(out_specs[0])]
    k, m = attrs.get("axis") or 0, ms.rank
    flat = _collapse_leading(mask, m)
    if xs.static and xs.size == 0:  # nothing to move, but the count is still the mask's
        count = _count_index(e, _positions(e, flat)[1])
        sizes = sizes_of(x)
        return [_empty([*sizes[:k], count, *sizes[k + m:]], xs.dtype)]
    lead = [*range(k, k + m), *range(k), *range(k + m, xs.rank)]
    out = compact(e, _collapse_leading(_permute(e, x, lead), m), flat)[0]
    return [_permute(e, out, [*range(1, k + 1), 0, *range(k + 1, xs.rank - m + 1)])]


def _numpy_compress(x, mask, axis=0):
    return np.asarray(x)[(slice(None),) * axis + (np.asarray(mask),)]


def _compress_vjp(g, ans, x, mask, axis=0):
    """Each selected element's cotangent back at its place (zeros elsewhere): the k-th
    selected element takes g's k-th entry along `axis`."""
    shape = tuple(x.shape)
    lead, n = shape[:axis], int(np.prod(np.shape(mask), dtype=np.int64))
    flat = np.reshape(mask, (n,))
    if type(g.shape[axis]) is not int:  # in a graph: the count is known when it runs
        return _compress_vjp_counted(g, x, flat, axis), None
    if g.shape[axis] == 0:
        return np.zeros_like(x), None
    pos = np.maximum(np.cumsum(flat.astype(np.int64)) - 1, 0)
    taken = np.take(g, pos, axis=axis)
    taken = np.reshape(taken, shape)
    keep = np.reshape(mask, (1,) * len(lead) + np.shape(mask) + (1,) * (
        len(shape) - len(lead) - np.ndim(mask)))
    return np.where(keep, taken, np.zeros_like(taken)).astype(x.dtype), None


def _compress_vjp_counted(g, x, flat, axis):
    """g (its count of entries along `axis` known only when the graph runs) added into zeros at
    the selected positions: one scatter over the mask's nonzero positions, which reads no
    entry of g when nothing was selected."""
    shape = tuple(x.shape)
    m = len(shape) - g.ndim + 1  # the mask's rank
    if not is_static(x):
        raise TypeError("the cotangent of a mask selection from an array of a symbolic shape")
    spread = (*shape[:axis], flat.shape[0], *shape[axis + m:])
    zeros = op("full", shape=spread, dtype=np.dtype(g.dtype), value=0)
    out = op("scatter", zeros, g, op("nonzero", flat), axes=(axis,), position=axis, mode="add")
    return np.reshape(out, shape).astype(x.dtype)


defop("compress", ("operand", "mask"), infer=_infer_compress, symbolic=True,
      attrs={"axis": Attr(I64, 0, optional=True)},
      numpy=_numpy_compress, lower=_lower_compress, vjp=_compress_vjp,
      doc="x[(:,) * axis + (mask,)] for a boolean mask of x's dims axis..axis+mask.ndim: the "
          "selected entries in order, a data-dependent count of them (`?`) at `axis`.")


# ---------------------------------------------------------------------------------------------
# nonzero, argwhere
# ---------------------------------------------------------------------------------------------


def _infer_nonzero(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    if x.rank == 0:
        raise ShapeError("Calling nonzero on 0d arrays is not allowed")
    return [TensorSpec((ANY,), I64_DT) for _ in range(x.rank)]


def _lower_nonzero(e: Emitter, operands, in_specs, attrs, out_specs):
    (x,), (xs,) = operands, in_specs
    if xs.static and xs.size == 0:
        return [empty_result(o) for o in out_specs]
    coords, count = _coordinates(e, x, xs)
    return [_column(coords, count, d) for d in range(xs.rank)]


def _infer_argwhere(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    if x.rank == 0:
        raise ShapeError("argwhere of a 0-d array needs the frontend's atleast_1d")
    return [TensorSpec((ANY, x.rank), I64_DT)]


def _lower_argwhere(e: Emitter, operands, in_specs, attrs, out_specs):
    (x,), (xs,) = operands, in_specs
    if xs.static and xs.size == 0:
        return [empty_result(out_specs[0])]
    return [_coordinates(e, x, xs)[0]]


defop("nonzero", ("operand",), infer=_infer_nonzero, symbolic=True,
      numpy=lambda x: np.nonzero(x), lower=_lower_nonzero,
      doc="numpy.nonzero(x) of an array of rank >= 1: one int64 index array per dim, as many "
          "entries as nonzero elements (`?`), row-major order.")
defop("argwhere", ("operand",), infer=_infer_argwhere, symbolic=True,
      numpy=lambda x: np.argwhere(x), lower=_lower_argwhere,
      doc="numpy.argwhere(x) of an array of rank >= 1: (count, rank) int64 coordinates.")


# ---------------------------------------------------------------------------------------------
# unique
# ---------------------------------------------------------------------------------------------

_UNIQUE_FLAGS = ("return_index", "return_inverse", "return_counts")


def _infer_unique(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    if not x.static:
        raise SymbolicShape(f"unique of {x}: its sort needs a static shape")
    out = [TensorSpec((ANY,), x.dtype)]
    if attrs.get("return_index"):
        out.append(TensorSpec((ANY,), I64_DT))
    if attrs.get("return_inverse"):
        out.append(TensorSpec(x.shape, I64_DT))
    if attrs.get("return_counts"):
        out.append(TensorSpec((ANY,), I64_DT))
    return out


def _run_starts(e: Emitter, vals: ir.Value, n: int, dt: np.dtype) -> ir.Value:
    """(n,) bool: True where a run of equal sorted values starts (NaNs equal each other)."""
    def shifted(start: int) -> ir.Value:
        return tensor.ExtractSliceOp(_type([n - 1], dt), vals, [], [], [],
                                     ir.DenseI64ArrayAttr.get([start]),
                                     ir.DenseI64ArrayAttr.get([n - 1]),
                                     ir.DenseI64ArrayAttr.get([1])).result

    def differs(s: Scalar, a: ir.Value, b: ir.Value, _o: ir.Value) -> ir.Value:
        ne = s.cmp("ne", a, b, dt)
        if not is_float(dt):
            return ne
        both_nan = s.op("arith.andi", [s.is_nan(a), s.is_nan(b)])
        return s.op("arith.andi", [ne, s.op("arith.xori", [both_nan, s.const(True, BOOL_DT)])])

    starts = _fill(e, [n], BOOL_DT, True)
    if n == 1:
        return starts
    d = e.generic([shifted(1), shifted(0)], [identity_map(1)] * 2, [_empty([n - 1], BOOL_DT)],
                  [identity_map(1)], [PARALLEL], differs)[0]
    return tensor.InsertSliceOp(d, starts, [], [], [], ir.DenseI64ArrayAttr.get([1]),
                                ir.DenseI64ArrayAttr.get([n - 1]),
                                ir.DenseI64ArrayAttr.get([1])).result


def _lower_unique(e: Emitter, operands, in_specs, attrs, out_specs):
    (x,), (xs,) = operands, in_specs
    n = xs.size
    if n == 0:
        return [empty_result(o) for o in out_specs]
    flat = e.reshape(x, xs, (n,))
    vals, perm = sort_with_indices(e, flat, TensorSpec((n,), xs.dtype), 0)
    vdt = I8_DT if is_bool(xs.dtype) else xs.dtype
    starts = _run_starts(e, vals, n, vdt)
    values, count, incl, total = compact(e, vals, starts)
    if is_bool(xs.dtype):
        values = e.generic([values], [identity_map(1)], [_empty([count], BOOL_DT)],
                           [identity_map(1)], [PARALLEL],
                           lambda s, v, _o: s.cast(v, I8_DT, BOOL_DT))[0]
    out = [values]
    if attrs.get("return_index"):
        out.append(compact(e, _column_vector(e, perm, n), starts)[0])
        out[-1] = tensor.CollapseShapeOp(_type([count], I64_DT), out[-1], _reassoc([[0, 1]])
                                         ).result
    run = e.generic([incl], [dims_map(2, [0])], [_empty([n, 1], I64_DT)], [identity_map(2)],
                    [PARALLEL] * 2, lambda s, p, _o: s.sub(p, s.const(1, I64_DT), I64_DT))[0]
    if attrs.get("return_inverse"):
        perm_rows = _column_vector(e, perm, n)
        inverse = scatter_rows(e, _collapse_leading(run, 2), perm_rows, _empty([n], I64_DT), "set",
                               I64_DT, unique=True)
        out.append(barrier(e.reshape(inverse, TensorSpec((n,), I64_DT), xs.shape)))
    if attrs.get("return_counts"):
        ones = _fill(e, [n], I64_DT, 1)
        out.append(scatter_rows(e, ones, run, _fill(e, [count], I64_DT, 0), "add", I64_DT))
    return out


def _column_vector(e: Emitter, v: ir.Value, n: int) -> ir.Value:
    """A 1-D (n,) tensor as (n, 1)."""
    return tensor.ExpandShapeOp(_type([n, 1], _dtype_of(v)), v, _reassoc([[0, 1]]), [],
                                ir.DenseI64ArrayAttr.get([n, 1])).result


def _numpy_unique(x, return_index=False, return_inverse=False, return_counts=False):
    out = np.unique(x, return_index=return_index, return_inverse=return_inverse,
                    return_counts=return_counts)
    return out if isinstance(out, tuple) else (out,)


defop("unique", ("operand",), infer=_infer_unique, symbolic=True,
      attrs={f: Attr(BOOL, False, optional=True) for f in _UNIQUE_FLAGS},
      numpy=_numpy_unique, lower=_lower_unique,
      doc="numpy.unique(x) of a static array: its sorted distinct values (NaNs one value), "
          "then, as flagged, the index of each value's first occurrence, the inverse (x's "
          "shape) and the counts; int64 indices, `?` entries.")
