"""Contractions: `einsum` over one or two operands in explicit label notation.

`subscripts` is NumPy's einsum notation with the ellipsis already expanded and the output
explicit (`"bhqd,bhkd->bhqk"`): one letter per dim of each operand, labels missing from the
output are summed, a label repeated within one operand takes that operand's diagonal, and a
label of size 1 broadcasts against the same label elsewhere. numpy.dot, tensordot, inner,
outer, vdot and the pairwise steps of a three-operand einsum are all written as this op by the
frontend. The result dtype is `np.result_type` of the operands (int8 stays int8 and wraps, bool
contracts with and/or), as numpy.einsum gives.

Lowering:
- repeated labels: the diagonal is gathered first (one parallel generic);
- a size-1 dim whose label is longer elsewhere is reshaped away, and a summed label only one
  of two operands has is summed out of that operand first (blocked_reduce): IREE 3.13 fails
  to compile a contraction generic with a constant index in a map, or with a reduced loop one
  operand does not index ("'vector.contract' op invalid accumulator/result vector shape");
- a contraction whose reduced extent is large and whose output is small (dot of long vectors)
  forms the products and sums them in blocks (ops/blocked.py), so float32 rounding grows like
  NumPy's partial sums, not like one loop over every element;
- two operands of one batch/rows/cols/contracted layout become one linalg.batch_matmul (or
  matmul) after at most a transpose of each operand, which IREE data-tiles;
- everything else is one linalg.generic with a parallel iterator per output label and a
  reduction iterator per summed label.
float16 accumulates in float32, as NumPy's einsum loops do.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import linalg, tensor

from ..dialects.opdef import STR, Attr, ShapeError
from ..dialects.types import TensorSpec, is_bool, is_float, is_supported_dtype
from .blocked import BLOCK, blocked_reduce
from .emit import PARALLEL, REDUCTION, Emitter, Scalar, barrier, dims_map, identity_map
from .registry import defop
from ..lang import op, unbroadcast as ub

F32 = np.dtype(np.float32)
# Reduced extent from which a float contraction with a smaller output sums its products in
# blocks (matmul-shaped contractions keep the matmul, whose float32 rounding is BLAS's).
BLOCKED_FROM = 4 * BLOCK
# Largest product tensor (elements) formed for a blocked contraction.
BLOCKED_MAX = 1 << 22


def parse(subscripts: str) -> tuple[list[str], str]:
    """(input label strings, output labels) of an explicit, ellipsis-free subscripts string."""
    if "->" not in subscripts or "." in subscripts:
        raise ShapeError(f"einsum subscripts {subscripts!r} must be explicit and without '...'")
    ins, out = subscripts.split("->")
    terms = ins.split(",")
    if not all(t.isalpha() or t == "" for t in [*terms, out]):
        raise ShapeError(f"einsum subscripts {subscripts!r} may only hold letters")
    return terms, out


def label_sizes(terms: Sequence[str], specs: Sequence[TensorSpec]) -> dict[str, int]:
    """The extent of every label; ShapeError where NumPy's einsum raises (rank mismatch,
    unequal diagonal dims, sizes that do not broadcast)."""
    if len(terms) != len(specs):
        raise ShapeError(f"einsum has {len(terms)} terms for {len(specs)} operands")
    sizes: dict[str, int] = {}
    for term, spec in zip(terms, specs):
        if len(term) != spec.rank:
            raise ShapeError(f"einsum term {term!r} has {len(term)} labels for {spec}")
        own: dict[str, int] = {}
        for label, d in zip(term, spec.shape):
            if own.setdefault(label, d) != d:
                raise ShapeError(f"dimensions in operand for collapsing index '{label}' "
                                 "don't match")
        for label, d in own.items():
            seen = sizes.get(label)
            if seen is None or seen == 1:
                sizes[label] = d
            elif d != 1 and d != seen:
                raise ShapeError(f"einsum operands could not be broadcast together on "
                                 f"label '{label}' ({seen} and {d})")
    return sizes


def _infer_einsum(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    terms, out = parse(attrs["subscripts"])
    if not 1 <= len(operands) <= 2:
        raise ShapeError("the einsum op takes one or two operands")
    sizes = label_sizes(terms, operands)
    if len(set(out)) != len(out) or any(label not in sizes for label in out):
        raise ShapeError(f"einsum output {out!r} repeats a label or names an unknown one")
    dtype = np.result_type(*[o.dtype for o in operands])
    if not is_supported_dtype(dtype):
        raise ShapeError(f"einsum operands promote to {dtype.name}, not supported by janus")
    return [TensorSpec(tuple(sizes[label] for label in out), dtype)]


# ---------------------------------------------------------------------------------------------
# Lowering
# ---------------------------------------------------------------------------------------------


def _acc_dtype(dtype: np.dtype) -> np.dtype:
    return F32 if dtype == np.float16 else dtype


def _diagonalize(e: Emitter, v: ir.Value, spec: TensorSpec, term: str) -> tuple[ir.Value,
                                                                                TensorSpec, str]:
    """An operand with repeated labels as its diagonal: one dim per distinct label, in order
    of first appearance."""
    unique = "".join(dict.fromkeys(term))
    if unique == term:
        return v, spec, term
    shape = tuple(spec.shape[term.index(label)] for label in unique)
    out = TensorSpec(shape, spec.dtype)
    if out.size == 0:
        return e.empty(out), out, unique

    def body(s: Scalar, _o: ir.Value) -> ir.Value:
        return tensor.ExtractOp(v, [s.linalg_index(unique.index(label)) for label in term]).result

    rank = len(unique)
    res = e.generic([], [], [e.empty(out)], [identity_map(rank)], [PARALLEL] * rank, body)[0]
    return barrier(res), out, unique


def _drop_broadcast(e: Emitter, v: ir.Value, spec: TensorSpec, term: str,
                    sizes: dict[str, int]) -> tuple[ir.Value, TensorSpec, str]:
    """An operand without its size-1 dims whose label is longer elsewhere: it is constant
    along them (a constant index in a contraction's map trips IREE's vector.contract)."""
    keep = [i for i, (label, d) in enumerate(zip(term, spec.shape))
            if not (d == 1 and sizes[label] != 1)]
    if len(keep) == len(term):
        return v, spec, term
    shape = tuple(spec.shape[i] for i in keep)
    return (e.reshape(v, spec, shape), TensorSpec(shape, spec.dtype),
            "".join(term[i] for i in keep))


def _sum_own(e: Emitter, v: ir.Value, spec: TensorSpec, term: str, others: str,
             acc: np.dtype) -> tuple[ir.Value, TensorSpec, str]:
    """An operand with the labels only it has (summed in the result) summed out first: IREE's
    vector.contract rejects a contraction whose reduced loop one operand does not index."""
    own = tuple(i for i, label in enumerate(term) if label not in others)
    if not own:
        return v, spec, term
    keep = "".join(label for i, label in enumerate(term) if i not in own)
    out = TensorSpec(tuple(d for i, d in enumerate(spec.shape) if i not in own), acc)
    if out.size == 0 or spec.size == 0:
        return e.fill(out, 0), out, keep
    if is_bool(acc):
        res = blocked_reduce(e, v, spec, own, acc, False, lambda s, a, x: s.op("arith.ori",
                                                                             [a, x]))
    else:
        res = blocked_reduce(e, v, spec, own, acc, 0, lambda s, a, x: s.add(a, x, acc))
    return res, out, keep


def _operand_map(term: str, loops: str) -> ir.AffineMap:
    return dims_map(len(loops), [loops.index(label) for label in term])


def _combine(s: Scalar, dt: np.dtype, acc: ir.Value, elems: Sequence[ir.Value],
             srcs: Sequence[np.dtype]) -> ir.Value:
    """acc + prod(elems) in `dt` (or / and for bool)."""
    vals = [s.cast(x, src, dt) for x, src in zip(elems, srcs)]
    term = vals[0]
    for x in vals[1:]:
        term = s.op("arith.andi", [term, x]) if is_bool(dt) else s.mul(term, x, dt)
    return s.op("arith.ori", [acc, term]) if is_bool(dt) else s.add(acc, term, dt)


def _lower_einsum(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    terms, out_labels = parse(attrs["subscripts"])
    sizes = label_sizes(terms, in_specs)
    if out.size == 0:
        return [e.empty(out)]
    values, specs, labels = [], [], []
    for v, spec, term in zip(operands, in_specs, terms):
        v, spec, term = _diagonalize(e, v, spec, term)
        v, spec, term = _drop_broadcast(e, v, spec, term, sizes)
        values.append(v)
        specs.append(spec)
        labels.append(term)
    acc = _acc_dtype(out.dtype)
    if len(values) == 2:
        for i in range(2):
            values[i], specs[i], labels[i] = _sum_own(e, values[i], specs[i], labels[i],
                                                      out_labels + labels[1 - i], acc)
    reduced = "".join(label for label in dict.fromkeys("".join(labels))
                      if label not in out_labels)
    acc_spec = TensorSpec(out.shape, acc)
    if any(sizes[label] == 0 for label in reduced):  # an empty sum
        return [e.cast_tensor(e.fill(acc_spec, 0), acc_spec, out.dtype)]
    loops = out_labels + reduced
    red_size = prod(sizes[label] for label in reduced)
    if (is_float(acc) and red_size >= max(BLOCKED_FROM, out.size)
            and out.size * red_size <= BLOCKED_MAX):
        res = _blocked(e, values, specs, labels, loops, sizes, len(out_labels), acc)
    else:
        res = _matmul(e, values, specs, labels, out_labels, sizes, acc)
        if res is None:
            res = _generic(e, values, specs, labels, loops, sizes, len(out_labels), acc)
    return [e.cast_tensor(res, acc_spec, out.dtype)]


def _generic(e: Emitter, values, specs, labels, loops: str, sizes, n_out: int,
             acc: np.dtype) -> ir.Value:
    """One linalg.generic: parallel over the output labels, reducing over the rest."""
    out = TensorSpec(tuple(sizes[label] for label in loops[:n_out]), acc)
    maps = [_operand_map(t, loops) for t in labels]
    srcs = [s.dtype for s in specs]
    return e.generic(values, maps, [e.fill(out, 0)], [dims_map(len(loops), range(n_out))],
                     [PARALLEL] * n_out + [REDUCTION] * (len(loops) - n_out),
                     lambda s, *a: _combine(s, acc, a[-1], a[:-1], srcs))[0]


def _blocked(e: Emitter, values, specs, labels, loops: str, sizes, n_out: int,
             acc: np.dtype) -> ir.Value:
    """The products over every loop, then a blocked sum over the reduced loops."""
    full = TensorSpec(tuple(sizes[label] for label in loops), acc)
    maps = [_operand_map(t, loops) for t in labels]
    srcs = [s.dtype for s in specs]

    def product(s: Scalar, *a: ir.Value) -> ir.Value:
        vals = [s.cast(x, src, acc) for x, src in zip(a[:-1], srcs)]
        term = vals[0]
        for x in vals[1:]:
            term = s.mul(term, x, acc)
        return term

    rank = len(loops)
    prods = e.generic(values, maps, [e.empty(full)], [identity_map(rank)], [PARALLEL] * rank,
                      product)[0]
    return blocked_reduce(e, prods, full, tuple(range(n_out, rank)), acc, 0,
                          lambda s, a, v: s.add(a, v, acc))


def _matmul(e: Emitter, values, specs, labels, out_labels: str, sizes,
            acc: np.dtype) -> ir.Value | None:
    """Two operands as one batch_matmul/matmul, or None when the labels do not fit that form
    (a label summed within one operand only, bool operands)."""
    if len(values) != 2 or is_bool(acc):
        return None
    (a, b), (sa, sb), (la, lb) = values, specs, labels
    batch = "".join(label for label in out_labels if label in la and label in lb)
    rows = "".join(label for label in out_labels if label in la and label not in lb)
    cols = "".join(label for label in out_labels if label in lb and label not in la)
    summed = "".join(label for label in la if label in lb and label not in out_labels)
    if sorted(batch + rows + cols) != sorted(out_labels) or \
            sorted(batch + rows + summed) != sorted(la) or \
            sorted(batch + cols + summed) != sorted(lb) or not summed:
        return None
    nb, m, n, k = (prod(sizes[label] for label in g) for g in (batch, rows, cols, summed))
    a3 = _arrange(e, a, sa, la, batch + rows + summed, (nb, m, k), acc)
    b3 = _arrange(e, b, sb, lb, batch + summed + cols, (nb, k, n), acc)
    res_spec = TensorSpec((nb, m, n), acc)
    if nb == 1:
        res2 = linalg.matmul(e.reshape(a3, TensorSpec((1, m, k), acc), (m, k)),
                             e.reshape(b3, TensorSpec((1, k, n), acc), (k, n)),
                             outs=[e.fill(TensorSpec((m, n), acc), 0)])
        res = e.reshape(res2, TensorSpec((m, n), acc), (1, m, n))
    else:
        res = linalg.batch_matmul(a3, b3, outs=[e.fill(res_spec, 0)])
    natural = batch + rows + cols
    nat_shape = tuple(sizes[label] for label in natural)
    res = e.reshape(res, res_spec, nat_shape)
    return _permute(e, res, TensorSpec(nat_shape, acc), natural, out_labels)


def _arrange(e: Emitter, v: ir.Value, spec: TensorSpec, term: str, order: str,
             shape3: tuple[int, int, int], acc: np.dtype) -> ir.Value:
    """Operand `v` (labels `term`) cast to `acc`, transposed to `order`, reshaped to 3-D."""
    v = e.cast_tensor(v, spec, acc)
    spec = TensorSpec(spec.shape, acc)
    v = _permute(e, v, spec, term, order)
    return e.reshape(v, TensorSpec(tuple(spec.shape[term.index(x)] for x in order), acc), shape3)


def _permute(e: Emitter, v: ir.Value, spec: TensorSpec, term: str, order: str) -> ir.Value:
    """`v` with its dims (labelled `term`) reordered to `order` (a copy only when it moves)."""
    if term == order:
        return v
    rank = len(term)
    out = TensorSpec(tuple(spec.shape[term.index(x)] for x in order), spec.dtype)
    in_map = dims_map(rank, [order.index(x) for x in term])
    return e.generic([v], [in_map], [e.empty(out)], [identity_map(rank)], [PARALLEL] * rank,
                     lambda s, x, _o: x)[0]


def _einsum_vjp(g, ans, *xs, subscripts):
    """The cotangent of each operand is an einsum of g with the other operands; a label only
    that operand has (summed away) is broadcast back."""
    ins, out = subscripts.split("->")
    terms = ins.split(",")
    cots = []
    for i, (term, x) in enumerate(zip(terms, xs)):
        if len(set(term)) != len(term):
            raise TypeError(f"no derivative of einsum {subscripts!r}: operand {i} repeats a "
                            "label (a diagonal)")
        others = [terms[j] for j in range(len(terms)) if j != i]
        avail = set(out).union(*others)
        kept = "".join(c for c in term if c in avail)
        r = op("einsum", g, *[xs[j] for j in range(len(xs)) if j != i],
               subscripts=f"{','.join([out, *others])}->{kept}")
        if kept != term:
            r = np.broadcast_to(np.expand_dims(r, tuple(k for k, c in enumerate(term)
                                                        if c not in avail)), x.shape)
        cots.append(ub(r, x))
    return tuple(cots)


defop("einsum", ("operands",), attrs={"subscripts": Attr(STR)}, variadic=True,
      infer=_infer_einsum, numpy=lambda *xs, subscripts: np.einsum(subscripts, *xs),
      lower=_lower_einsum, vjp=_einsum_vjp,
      doc="numpy.einsum of one or two operands, explicit output, ellipsis expanded; repeated "
          "labels take diagonals, size-1 labels broadcast; dtype is np.result_type.")
