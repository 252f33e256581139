"""Blocked reductions: accurate float sums and products in loops IREE vectorises.

A reduction that accumulates n floats one after the other has a rounding error that grows
like n * eps: summing 10**6 float32 copies of 100.1 that way gives a mean of 101.3, and a sum of
float32 ones stops at 2**24. NumPy sums pairwise (error ~ log2(n) * eps). Here a reduction over
a run of adjacent axes, viewed as (P, L, Q) (P: the kept dims before the run, L: its extent,
Q: the kept dims after it), is done in levels:

- Each level splits L = c * m with c <= BLOCK dividing L and reduces the c axis of the view
  (P, c, m * Q): every output accumulates c inputs taken m * Q apart, and the m * Q contiguous
  outputs (at least LANES of them) are accumulated side by side, the loop IREE vectorises.
  That leaves (P, m, Q), reduced again, until one plain level of <= BLOCK finishes. When the
  rows are far apart (columns of a wide array) a level reads at most STREAMS of them.
- When Q fills less than a cache line and k * Q fills one exactly (all elements of a float32
  array: Q = 1, k = 16), a level views L * Q as (a, c, k * Q) instead and reduces c: each
  partial folds c lines read one after the other, not c rows a whole (m * Q)-wide row apart
  (`line_split`), and leaves (P, a * k, Q).
- Every element is rounded through at most ceil(log_BLOCK(L)) + 1 chains of <= BLOCK
  operations: the error bound is BLOCK * levels * eps, and in practice a few eps.
- A length with no divisor in [MIN_SPLIT, BLOCK] (a prime, twice a prime, ...) is cut along L
  into slices of BLOCK, each reduced plainly and the partials combined, when the lanes are wide
  and the slices few (slices feeding a reduction cost IREE nothing); otherwise the first
  BLOCK * (L // BLOCK) positions are sliced off and reduced in levels, the rest plainly. IREE
  copies that slice (about twice the time of a divisible length).

A float reduction over a run of axes holding a dim the graph computes (how many elements a mask
selected, unknown until the graph runs) collapses the run into one axis and reduces it in one
plain level accumulating in float64, rounded at the end: for float16 and float32 data more
accurate than NumPy's pairwise sums, for float64 a chain as long as the count. (Padding the
count to blocks failed to compile on IREE 3.13, tensor.pad and insert_slice into a fill alike,
when the padded tensor was a compaction's scatter result: "failed to resolve workgroup count
hint in terms of workload ordinals".)

Reductions over several runs of axes (axes (0, 2) of a 3-d array) reduce one run after the
other, innermost first; an array with a symbolic (kept) dim is reduced in one plain level,
which the shape rule allows only for exact reductions or at most BLOCK float elements per
output; a reduction of at most BLOCK elements per output with wide lanes stays one generic over
the array's own shape. Integer, bool, max/min and all/any reductions are exact
in any order, so they take the same (faster) path and give the same results as a plain loop.

Several accumulators (`Fold`s) of one input reduce in the same loops, one pass over the input:
float max/min fold the largest and the smallest order key at once (ops/reductions.py).

Measured on IREE 3.13 (llvm-cpu, local-sync, one core, 1000x1000 float32, median of 40 calls
with a device-resident argument): x.sum() 828 -> 69 us, x.sum(axis=0) 107 -> 67 us,
x.sum(axis=1) 409 -> 80 us (NumPy 153, 78-103, 168 us); with line blocks x.sum() 77 -> 57 us
for its first level, x.max() 105 -> 67 us in all. Accuracy checks live in
tests/test_ops_reduction_accuracy.py.
"""


from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import prod

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import tensor

from ..dialects.types import TensorSpec, element_type, is_float
from .emit import PARALLEL, REDUCTION, Emitter, Scalar, dims_map, identity_map

# Longest chain of sequential accumulations per level.
BLOCK = 128
# Outputs accumulated side by side: a level leaves at least this many contiguous lanes (the
# vector width of float32 on AVX2; rows reduced with fewer lanes run 2-5x slower on IREE 3.13).
LANES = 8
# Shortest chain worth a level of its own.
MIN_SPLIT = 4
# Awkward lengths with wide lanes are cut into at most this many slices of BLOCK.
MAX_SLICES = 16
# Exact reductions of at most this many elements fold in one level.
SMALL = 4096
# A cache line: a reduction with fewer contiguous lanes than fill one reads its input in blocks
# of whole lines (`line_split`).
LINE_BYTES = 64
LINE_MIN = 16384  # elements
# Rows at least FAR_BYTES wide are far apart: a level reading at least STREAM_MIN_BYTES of them
# reads at most STREAMS side by side.
FAR_BYTES = 256
STREAMS = 32
STREAM_MIN_BYTES = 1 << 20

Combine = Callable[[Scalar, ir.Value, ir.Value], ir.Value]  # (builder, acc, element) -> acc
Element = Callable[[Scalar, ir.Value], ir.Value]  # (builder, input element) -> acc element
# (builder, the input elements) -> one element per fold
Elements = Callable[..., list[ir.Value]]


@dataclass(frozen=True)
class Fold:
    """One accumulator of a reduction: its dtype, its initial value and how an element joins
    it. Several folds of one input reduce in the same loops (one pass over the input)."""

    dtype: np.dtype
    init: float | int | bool
    combine: Combine


def runs(axes: Sequence[int]) -> list[tuple[int, int]]:
    """Maximal runs [start, stop) of consecutive axes in the sorted `axes`."""
    out: list[tuple[int, int]] = []
    for a in axes:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], a + 1)
        else:
            out.append((a, a + 1))
    return out


def split_factor(length: int, lanes: int, itemsize: int = 4) -> int | None:
    """The chain length c of the next level for reducing `length` positions of `lanes`
    contiguous elements of `itemsize` bytes each: the largest divisor of `length` in
    [MIN_SPLIT, BLOCK] that leaves at least LANES lanes. None when one plain level is as good
    (`length` <= BLOCK with enough lanes already) or when no divisor fits.

    A level reads its c rows side by side, each a separate stream of memory; when the rows are
    far apart (`lanes` * `itemsize` >= FAR_BYTES: columns of a wide array) and the input is
    large (STREAM_MIN_BYTES; a smaller one stays in cache) c is at most STREAMS, which
    hardware prefetchers follow. Measured on an Intel Xeon (AVX-512, IREE 3.13,
    local-sync, median): x.sum(axis=0) of 1000x1000 float32 340 -> 175 us with chains of 20-50
    rows instead of 125 (NumPy 137), of 100x100000 2340 -> 1690 us with 25 instead of 100
    (NumPy 1440)."""
    row = lanes * itemsize
    limit = STREAMS if row >= FAR_BYTES and length * row >= STREAM_MIN_BYTES else BLOCK
    if length <= limit and lanes >= LANES:
        return None
    for c in range(min(limit, length // 2), MIN_SPLIT - 1, -1):
        if length % c == 0 and length // c * lanes >= LANES:
            return c
    return None


def line_split(length: int, lanes: int, itemsize: int) -> tuple[int, int, int] | None:
    """(a, c, k) for reducing `length` positions of `lanes` contiguous elements of `itemsize`
    bytes, when the lanes fill less than a cache line: the positions viewed as (a, c, k) and
    reduced over c, so each partial folds c runs of k * lanes contiguous elements (k * lanes *
    itemsize = one line) taken one after the other, a block of c lines read in order, and the
    (a * k, lanes) partials are reduced again. None below LINE_MIN elements (where the access
    pattern costs nothing and split_factor's LANES lanes sum as NumPy does), when the lanes fill
    a line already, when no whole number of positions fills one, or when the positions fill
    fewer than MIN_SPLIT lines.

    The level split_factor chooses instead, (c, m * lanes) lanes accumulated side by side, reads
    c rows far apart for every tile of lanes: measured on 1000x1000 float32 (IREE 3.13,
    local-sync, device-resident input, first level alone, median), a sum 77 -> 57 us and the
    max's two-key fold 96 -> 63 us over all elements (NumPy's max: 47 us). With wider lanes the
    rows are already long runs and split_factor's level is the faster one (the column sum:
    77 us against 113-152 us for blocks of 8 to 125 rows)."""
    line = LINE_BYTES // itemsize
    if length * lanes < LINE_MIN or lanes >= line or line % lanes or length % (line // lanes):
        return None
    k = line // lanes
    c = _chain(length // k)
    return None if c is None else (length // k // c, c, k)


def _chain(n: int) -> int | None:
    """The largest divisor of n in [MIN_SPLIT, BLOCK]."""
    for c in range(min(BLOCK, n), MIN_SPLIT - 1, -1):
        if n % c == 0:
            return c
    return None


def blocked_reduce(e: Emitter, value: ir.Value, spec: TensorSpec, axes: Sequence[int],
                   acc_dtype: np.dtype, init: float | int | bool, combine: Combine,
                   element: Element | None = None) -> ir.Value:
    """`value` reduced over `axes` (sorted, unique): each element mapped by `element` (default:
    cast to `acc_dtype`) and folded with `combine` from `init`; the result has the kept dims
    only (no keepdims)."""
    acc_dtype = np.dtype(acc_dtype)
    src = spec.dtype
    first: Element = element or (lambda s, v: s.cast(v, src, acc_dtype))
    return blocked_folds(e, value, spec, axes, [Fold(acc_dtype, init, combine)],
                         lambda s, v: [first(s, v)])[0]


def blocked_folds(e: Emitter, value: ir.Value, spec: TensorSpec, axes: Sequence[int],
                  folds: Sequence[Fold], elements: Elements) -> list[ir.Value]:
    """`value` reduced over `axes` (sorted, unique) into every fold at once: `elements` maps
    an element of `value` to one element per fold. One result per fold, with the kept dims."""
    folds = [Fold(np.dtype(f.dtype), f.init, f.combine) for f in folds]
    if not axes:  # nothing reduced: still the mapping every reduction result gets
        return _mapped(e, value, spec, folds, elements)
    if not spec.static:
        if any(is_float(f.dtype) for f in folds) and any(
                type(spec.shape[a]) is not int for a in axes):
            return _counted(e, value, spec, axes, folds, elements)
        # a symbolic kept dim (the shape rule allowed one plain level), or an exact
        # reduction over a dim the graph computes
        return _direct(e, value, spec, axes, folds, elements)
    if _one_level(spec.shape, axes, not any(is_float(f.dtype) for f in folds),
                  spec.dtype.itemsize):
        return _direct(e, value, spec, axes, folds, elements)
    shape = list(spec.shape)
    cur, cur_dts, mapped = [value], [spec.dtype], elements
    for start, stop in reversed(runs(axes)):
        p, n, q = prod(shape[:start]), prod(shape[start:stop]), prod(shape[stop:])
        cur = [e.reshape(v, TensorSpec(tuple(shape), dt), (p, n, q))
               for v, dt in zip(cur, cur_dts)]
        cur = _reduce_middle(e, cur, cur_dts, (p, n, q), folds, mapped)
        shape = shape[:start] + shape[stop:]
        cur = [e.reshape(v, TensorSpec((p, q), f.dtype), shape) for v, f in zip(cur, folds)]
        cur_dts, mapped = [f.dtype for f in folds], _same
    return cur


def _same(s: Scalar, *values: ir.Value) -> list[ir.Value]:
    return list(values)


def _mapped(e: Emitter, x: ir.Value, spec: TensorSpec, folds: Sequence[Fold],
            elements: Elements) -> list[ir.Value]:
    """Every fold's element of every element of x (a reduction over no axes)."""
    rank = spec.rank
    return e.generic([x], [identity_map(rank)],
                     [e.empty(TensorSpec(spec.shape, f.dtype)) for f in folds],
                     [identity_map(rank)] * len(folds), [PARALLEL] * rank,
                     lambda s, v, *_: elements(s, v))


def _folded(folds: Sequence[Fold], elements: Elements, n_inputs: int):
    """The body of a generic folding its `n_inputs` input elements into its accumulators."""
    def body(s: Scalar, *args: ir.Value) -> list[ir.Value]:
        values, accs = args[:n_inputs], args[n_inputs:]
        return [f.combine(s, a, v) for f, a, v in zip(folds, accs, elements(s, *values))]
    return body


def _one_level(shape: Sequence[int], axes: Sequence[int], exact: bool, itemsize: int) -> bool:
    """Whether one plain generic does: at most BLOCK elements per output, and either every run
    of `axes` short with wide lanes, or, for an `exact` reduction (no float fold), at most SMALL
    elements in all (each level is a dispatch of its own: more compile time than its lanes
    save). A float sum keeps its levels: a short one is then summed in LANES lanes as NumPy
    sums, which a printed sign of a sum near zero can depend on."""
    if prod(shape[a] for a in axes) > BLOCK:
        return False
    if exact and prod(shape) <= SMALL:
        return True
    shape = list(shape)
    for start, stop in reversed(runs(axes)):
        n, q = prod(shape[start:stop]), prod(shape[stop:])
        if n > BLOCK or split_factor(n, q, itemsize) is not None:
            return False
        shape = shape[:start] + shape[stop:]
    return True


def _direct(e: Emitter, x: ir.Value, spec: TensorSpec, axes: Sequence[int],
            folds: Sequence[Fold], elements: Elements) -> list[ir.Value]:
    """One linalg.generic over x's own shape with reduction iterators on `axes`."""
    rank = spec.rank
    kept = [d for d in range(rank) if d not in axes]
    shape = tuple(spec.shape[d] for d in kept)
    return e.generic([x], [identity_map(rank)],
                     [e.fill(TensorSpec(shape, f.dtype), f.init) for f in folds],
                     [dims_map(rank, kept)] * len(folds),
                     [REDUCTION if d in axes else PARALLEL for d in range(rank)],
                     _folded(folds, elements, 1))


def _reduce_middle(e: Emitter, xs: list[ir.Value], dtypes: list[np.dtype],
                   shape: tuple[int, int, int], folds: Sequence[Fold],
                   elements: Elements) -> list[ir.Value]:
    """The inputs `xs` (of `dtypes`), of shape (P, L, Q), reduced over L in levels: one (P, Q)
    result per fold; `elements` maps the input elements (the first level's) to the folds'."""
    p, length, q = shape
    itemsize = max(dt.itemsize for dt in dtypes)
    lines = line_split(length, q, itemsize)
    if lines is not None:
        a, c, k = lines
        xs = [e.reshape(x, TensorSpec(shape, dt), (p * a, c, k * q)) for x, dt in zip(xs, dtypes)]
        parts = plain_folds(e, xs, (p * a, c, k * q), folds, elements)
        parts = [e.reshape(v, TensorSpec((p * a, k * q), f.dtype), (p, a * k, q))
                 for v, f in zip(parts, folds)]
        return _reduce_middle(e, parts, [f.dtype for f in folds], (p, a * k, q), folds, _same)
    c = split_factor(length, q, itemsize)
    if c is not None:
        m = length // c
        xs = [e.reshape(x, TensorSpec(shape, dt), (p, c, m * q)) for x, dt in zip(xs, dtypes)]
        parts = plain_folds(e, xs, (p, c, m * q), folds, elements)
        parts = [e.reshape(v, TensorSpec((p, m * q), f.dtype), (p, m, q))
                 for v, f in zip(parts, folds)]
        return _reduce_middle(e, parts, [f.dtype for f in folds], (p, m, q), folds, _same)
    if length <= BLOCK:
        return plain_folds(e, xs, shape, folds, elements)
    if q >= LANES and length <= MAX_SLICES * BLOCK:
        # Slices feeding a reduction directly cost no copy.
        parts = [plain_folds(e, [_slice_middle(x, dt, shape, i, min(BLOCK, length - i))
                                 for x, dt in zip(xs, dtypes)],
                             (p, min(BLOCK, length - i), q), folds, elements)
                 for i in range(0, length, BLOCK)]
        return _joined(e, parts, (p, q), folds)
    main = BLOCK * (length // BLOCK)
    head = _reduce_middle(e, [_slice_middle(x, dt, shape, 0, main) for x, dt in zip(xs, dtypes)],
                          dtypes, (p, main, q), folds, elements)
    rest = length - main
    tail = plain_folds(e, [_slice_middle(x, dt, shape, main, rest) for x, dt in zip(xs, dtypes)],
                       (p, rest, q), folds, elements)
    return _joined(e, [head, tail], (p, q), folds)


def _joined(e: Emitter, parts: list[list[ir.Value]], shape: tuple[int, int],
            folds: Sequence[Fold]) -> list[ir.Value]:
    """Each fold's partial results (one list per part) combined into one."""
    out = []
    for i, f in enumerate(folds):
        spec = TensorSpec(shape, f.dtype)
        out.append(e.elementwise([part[i] for part in parts], [spec] * len(parts), spec,
                                 lambda s, *v, f=f: _fold(s, f.combine, v)))
    return out


def _fold(s: Scalar, combine: Combine, values: Sequence[ir.Value]) -> ir.Value:
    acc = values[0]
    for v in values[1:]:
        acc = combine(s, acc, v)
    return acc


def plain_folds(e: Emitter, xs: list[ir.Value], shape: tuple[int, int, int],
                folds: Sequence[Fold], elements: Elements) -> list[ir.Value]:
    """One linalg.generic folding the middle axis of the (P, L, Q) inputs into (P, Q), one
    result per fold."""
    p, _, q = shape
    return e.generic(xs, [identity_map(3)] * len(xs),
                     [e.fill(TensorSpec((p, q), f.dtype), f.init) for f in folds],
                     [dims_map(3, [0, 2])] * len(folds), [PARALLEL, REDUCTION, PARALLEL],
                     _folded(folds, elements, len(xs)))


def _slice_middle(x: ir.Value, dtype: np.dtype, shape: tuple[int, int, int], start: int,
                  size: int) -> ir.Value:
    p, _, q = shape
    result = ir.RankedTensorType.get([p, size, q], element_type(dtype))
    return tensor.ExtractSliceOp(result, x, [], [], [], ir.DenseI64ArrayAttr.get([0, start, 0]),
                                 ir.DenseI64ArrayAttr.get([p, size, q]),
                                 ir.DenseI64ArrayAttr.get([1, 1, 1])).result


# ---------------------------------------------------------------------------------------------
# Reductions over a dim the graph computes
# ---------------------------------------------------------------------------------------------


def _index_op(name: str, a: ir.Value, b: ir.Value) -> ir.Value:
    return ir.Operation.create(name, results=[ir.IndexType.get()], operands=[a, b]).result


def element_count(e: Emitter, x: ir.Value, spec: TensorSpec, axes: Sequence[int],
                  dtype: np.dtype) -> ir.Value:
    """How many elements of x each output of a reduction over `axes` folds, as a `dtype`
    scalar (a float: the divisor of a mean)."""
    n = e.index_const(1)
    for a in axes:
        d = e.index_const(spec.shape[a]) if type(spec.shape[a]) is int else tensor.DimOp(
            x, e.index_const(a)).result
        n = _index_op("arith.muli", n, d)
    return e.index_to(n, dtype)


def _counted(e: Emitter, x: ir.Value, spec: TensorSpec, axes: Sequence[int],
             folds: Sequence[Fold], elements: Elements) -> list[ir.Value]:
    """`x` reduced over the run `axes` (one of them a `?` dim, the kept dims static): one plain
    level, float folds accumulating in float64 and rounded to their dtype at the end."""
    start, stop = axes[0], axes[-1] + 1
    kept_before, kept_after = list(spec.shape[:start]), list(spec.shape[stop:])
    if stop - start > 1:
        groups = [[i] for i in range(start)] + [list(range(start, stop))] + [
            [i] for i in range(stop, spec.rank)]
        dyn = ir.ShapedType.get_dynamic_size()
        t = ir.RankedTensorType.get([*kept_before, dyn, *kept_after], element_type(spec.dtype))
        x = tensor.CollapseShapeOp(t, x, _reassoc(groups)).result
    rank = len(kept_before) + 1 + len(kept_after)
    kept = [d for d in range(rank) if d != start]
    shape = (*kept_before, *kept_after)
    wides = [np.dtype(np.float64) if is_float(f.dtype) else f.dtype for f in folds]

    def widened(s: Scalar, v: ir.Value) -> list[ir.Value]:
        return [s.cast(m, f.dtype, w) for m, f, w in zip(elements(s, v), folds, wides)]

    wide_folds = [Fold(w, f.init, f.combine) for f, w in zip(folds, wides)]
    reds = e.generic([x], [identity_map(rank)],
                     [e.fill(TensorSpec(shape, w), f.init) for f, w in zip(folds, wides)],
                     [dims_map(rank, kept)] * len(folds),
                     [REDUCTION if d == start else PARALLEL for d in range(rank)],
                     _folded(wide_folds, widened, 1))
    return [e.cast_tensor(r, TensorSpec(shape, w), f.dtype)
            for r, f, w in zip(reds, folds, wides)]


def _reassoc(groups: list[list[int]]) -> ir.ArrayAttr:
    i64 = ir.IntegerType.get_signless(64)
    return ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(i64, d) for d in g])
                             for g in groups])
