"""Small builders for the IR that janus ops lower to (linalg.generic, tensor, arith, math).

Lowering rules call these instead of the raw bindings so that every rule reads as the math it
implements: `e.elementwise([a, b], out, lambda s, x, y: s.add(x, y, dt))`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import linalg, tensor

from ..dialects.opdef import DENSE
from ..dialects.types import (TensorSpec, element_type, is_bool, is_float, is_unsigned,
                              tensor_type)

PARALLEL = "parallel"
REDUCTION = "reduction"

# arith.cmpf / arith.cmpi predicate numbers, by NumPy comparison name.
_CMPF = {"eq": 1, "gt": 2, "ge": 3, "lt": 4, "le": 5, "ne": 13}  # ordered, except ne (unordered)
_CMPI = {"eq": 0, "ne": 1, "lt": 2, "le": 3, "gt": 4, "ge": 5}  # signed
_CMPI_UNSIGNED = {"eq": 0, "ne": 1, "lt": 6, "le": 7, "gt": 8, "ge": 9}  # bool and uint


class Scalar:
    """Builds scalar arith/math ops at the current insertion point (in a generic body or not)."""

    def op(self, name: str, operands: Sequence[ir.Value], result: ir.Type | None = None,
           attrs: dict[str, ir.Attribute] | None = None) -> ir.Value:
        rtype = result if result is not None else operands[0].type
        return ir.Operation.create(name, results=[rtype], operands=list(operands),
                                   attributes=attrs or {}).result

    def const(self, value: float | int | bool, dtype: np.dtype) -> ir.Value:
        et = element_type(dtype)
        if is_float(dtype):
            attr = ir.FloatAttr.get(et, float(value))
        elif is_unsigned(dtype):  # -1 is the all-ones pattern, as NumPy's uint(-1) wraps;
            bits = np.dtype(dtype).itemsize * 8  # the bindings take the bits as a signed int
            v = int(value) % (1 << bits)
            attr = ir.IntegerAttr.get(et, v - (1 << bits) if v >> (bits - 1) else v)
        else:
            attr = ir.IntegerAttr.get(et, int(bool(value)) if is_bool(dtype) else int(value))
        return self.op("arith.constant", [], et, {"value": attr})

    def index_const(self, value: int) -> ir.Value:
        it = ir.IndexType.get()
        return self.op("arith.constant", [], it, {"value": ir.IntegerAttr.get(it, value)})

    # --- arithmetic by dtype family --------------------------------------------------------
    def binary(self, fop: str, iop: str, a: ir.Value, b: ir.Value, dtype: np.dtype) -> ir.Value:
        return self.op(fop if is_float(dtype) else iop, [a, b])

    def add(self, a, b, dt):
        return self.binary("arith.addf", "arith.addi", a, b, dt)

    def sub(self, a, b, dt):
        return self.binary("arith.subf", "arith.subi", a, b, dt)

    def mul(self, a, b, dt):
        return self.binary("arith.mulf", "arith.muli", a, b, dt)

    def cmp(self, pred: str, a: ir.Value, b: ir.Value, dtype: np.dtype) -> ir.Value:
        i64 = ir.IntegerType.get_signless(64)
        if is_float(dtype):
            return self.op("arith.cmpf", [a, b], ir.IntegerType.get_signless(1),
                           {"predicate": ir.IntegerAttr.get(i64, _CMPF[pred])})
        # i1 compares unsigned (False < True), as do the uint dtypes
        table = _CMPI_UNSIGNED if is_bool(dtype) or is_unsigned(dtype) else _CMPI
        return self.op("arith.cmpi", [a, b], ir.IntegerType.get_signless(1),
                       {"predicate": ir.IntegerAttr.get(i64, table[pred])})

    def select(self, c: ir.Value, a: ir.Value, b: ir.Value) -> ir.Value:
        return self.op("arith.select", [c, a, b], a.type)

    def is_nan(self, a: ir.Value) -> ir.Value:
        i64 = ir.IntegerType.get_signless(64)
        return self.op("arith.cmpf", [a, a], ir.IntegerType.get_signless(1),
                       {"predicate": ir.IntegerAttr.get(i64, 14)})  # uno

    def cast(self, v: ir.Value, src: np.dtype, dst: np.dtype) -> ir.Value:
        """NumPy `astype` semantics for one element (float->int truncates, x->bool is x != 0)."""
        src, dst = np.dtype(src), np.dtype(dst)
        if src == dst:
            return v
        dt = element_type(dst)
        if is_bool(dst):
            return self.cmp("ne", v, self.const(0, src), src)
        if is_float(src) and is_float(dst):
            name = "arith.extf" if dst.itemsize > src.itemsize else "arith.truncf"
            return self.op(name, [v], dt)
        unsigned_src = is_bool(src) or is_unsigned(src)
        if is_float(src):
            return self._float_to_int(v, src, dst)
        if is_float(dst):
            return self.op("arith.uitofp" if unsigned_src else "arith.sitofp", [v], dt)
        if dst.itemsize > src.itemsize or is_bool(src):
            return self.op("arith.extui" if unsigned_src else "arith.extsi", [v], dt)
        if dst.itemsize == src.itemsize:  # int8 <-> uint8: the same bits
            return self.op("arith.bitcast", [v], dt)
        return self.op("arith.trunci", [v], dt)

    def _float_to_int(self, v: ir.Value, src: np.dtype, dst: np.dtype) -> ir.Value:
        """C's float -> integer conversion as NumPy's x86-64 build does it: truncation toward
        zero. uint8 and uint16 convert through int32 and keep the low bits (`(npy_ubyte)x`:
        -1.0 gives 255, -2.5 gives 254), uint32 through int64, uint64 as the compiler's
        two-range sequence (x - 2**63 above 2**63), so negative values wrap as NumPy's do.
        NaN, infinities and values outside those ranges are undefined behaviour in C (NumPy
        warns); their results are not NumPy's."""
        et = element_type(dst)
        if not is_unsigned(dst):
            return self.op("arith.fptosi", [v], et)
        if dst.itemsize < 8:
            via = ir.IntegerType.get_signless(32 if dst.itemsize < 4 else 64)
            return self.op("arith.trunci", [self.op("arith.fptosi", [v], via)], et)
        i64 = np.dtype(np.int64)
        two63 = self.const(2.0 ** 63, src)
        big = self.cmp("ge", v, two63, src)
        low = self.op("arith.fptosi", [self.select(big, self.sub(v, two63, src), v)],
                      element_type(i64))
        high = self.select(big, self.const(-(2 ** 63), i64), self.const(0, i64))
        return self.op("arith.bitcast", [self.op("arith.xori", [low, high])], et)

    def index_to(self, v: ir.Value, dtype: np.dtype) -> ir.Value:
        i64 = self.op("arith.index_cast", [v], ir.IntegerType.get_signless(64))
        return self.cast(i64, np.dtype(np.int64), dtype)

    def to_index(self, v: ir.Value) -> ir.Value:
        return self.op("arith.index_cast", [v], ir.IndexType.get())

    def linalg_index(self, dim: int) -> ir.Value:
        return linalg.IndexOp(dim).result


BodyFn = Callable[..., ir.Value | Sequence[ir.Value]]


def identity_map(rank: int) -> ir.AffineMap:
    return ir.AffineMap.get_identity(rank)


def broadcast_map(in_shape: Sequence[int], out_shape: Sequence[int]) -> ir.AffineMap:
    """The indexing map reading an operand of `in_shape` broadcast (NumPy rules) to `out_shape`."""
    rank = len(out_shape)
    offset = rank - len(in_shape)
    exprs = []
    for i, d in enumerate(in_shape):
        out_d = out_shape[offset + i]
        exprs.append(ir.AffineConstantExpr.get(0) if d == 1 and out_d != 1
                     else ir.AffineDimExpr.get(offset + i))
    return ir.AffineMap.get(rank, 0, exprs)


def dims_map(rank: int, dims: Sequence[int]) -> ir.AffineMap:
    return ir.AffineMap.get(rank, 0, [ir.AffineDimExpr.get(d) for d in dims])


class Emitter(Scalar):
    """Builds tensor-level IR at the current insertion point.

    `operands`: the values of the op being lowered. A graph has at most one symbolic dim, so
    the size of any `?` of a result is that of the first `?` among them (`tensor.dim`)."""

    def __init__(self, operands: Sequence[ir.Value] = ()):
        self._operands = list(operands)
        self._dim: ir.Value | None = None

    def dynamic_size(self) -> ir.Value:
        if self._dim is None:
            for v in self._operands:
                t = ir.RankedTensorType(v.type)
                for axis in range(t.rank):
                    if t.is_dynamic_dim(axis):
                        self._dim = tensor.DimOp(v, self.index_const(axis)).result
                        return self._dim
            raise ValueError("a symbolic result dim, but no operand has one")
        return self._dim

    def empty(self, spec: TensorSpec) -> ir.Value:
        sizes = [d if type(d) is int else self.dynamic_size() for d in spec.shape]
        return tensor.EmptyOp(sizes, element_type(spec.dtype)).result

    def constant(self, value: np.ndarray) -> ir.Value:
        arr = np.asarray(value)
        return self.op("arith.constant", [], tensor_type(arr.shape, arr.dtype),
                       {"value": DENSE.to_ir(arr)})

    def splat(self, spec: TensorSpec, value: float | int | bool) -> ir.Value:
        return self.constant(np.full(spec.shape, value, dtype=spec.dtype))

    def fill(self, spec: TensorSpec, value: float | int | bool) -> ir.Value:
        """A fresh tensor filled by linalg.fill (an init for reductions)."""
        scalar = self.const(value, spec.dtype)
        return linalg.fill(scalar, outs=[self.empty(spec)])

    def generic(
        self,
        inputs: Sequence[ir.Value],
        in_maps: Sequence[ir.AffineMap],
        inits: Sequence[ir.Value],
        out_maps: Sequence[ir.AffineMap],
        iterators: Sequence[str],
        body: BodyFn,
    ) -> list[ir.Value]:
        """A linalg.generic; `body(scalar_builder, *input_elems, *init_elems)` gives the yields."""
        result_types = [v.type for v in inits]
        maps = ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in [*in_maps, *out_maps]])
        iters = ir.ArrayAttr.get([ir.Attribute.parse(f"#linalg.iterator_type<{it}>")
                                  for it in iterators])
        op = linalg.GenericOp(result_types, list(inputs), list(inits), maps, iters)
        arg_types = [ir.RankedTensorType(v.type).element_type for v in [*inputs, *inits]]
        block = op.regions[0].blocks.append(*arg_types)
        with ir.InsertionPoint(block):
            out = body(Scalar(), *block.arguments)
            out = [out] if isinstance(out, ir.Value) else list(out)
            linalg.YieldOp(out)
        return list(op.results)

    def elementwise(self, operands: Sequence[ir.Value], in_specs: Sequence[TensorSpec],
                    out: TensorSpec, body: BodyFn) -> ir.Value:
        """One parallel linalg.generic over `out`'s shape, operands broadcast NumPy-style."""
        rank = len(out.shape)
        in_maps = [broadcast_map(s.shape, out.shape) for s in in_specs]
        return self.generic(operands, in_maps, [self.empty(out)], [identity_map(rank)],
                            [PARALLEL] * rank, lambda s, *args: body(s, *args[:-1]))[0]

    def reshape(self, v: ir.Value, src: TensorSpec, dst_shape: Sequence[int]) -> ir.Value:
        """Row-major reshape of a static tensor via collapse to 1-D and expand; a symbolic one
        only gains or loses dims of size 1."""
        dst_shape = tuple(dst_shape)
        if src.shape == dst_shape:
            return v
        if not src.static or not all(type(d) is int for d in dst_shape):
            return self._unit_reshape(v, src, dst_shape)
        dst_type = tensor_type(dst_shape, src.dtype)
        if src.rank == 0 or not dst_shape:  # to or from rank 0: every dim is 1, no groups
            if src.rank == 0:
                return tensor.ExpandShapeOp(dst_type, v, _reassoc([]), [],
                                            ir.DenseI64ArrayAttr.get(list(dst_shape))).result
            return tensor.CollapseShapeOp(dst_type, v, _reassoc([])).result
        flat = v
        if src.rank != 1:
            flat_type = tensor_type((src.size,), src.dtype)
            flat = tensor.CollapseShapeOp(flat_type, v, _reassoc([list(range(src.rank))])).result
        if len(dst_shape) == 1:
            return flat
        return tensor.ExpandShapeOp(dst_type, flat, _reassoc([list(range(len(dst_shape)))]), [],
                                    ir.DenseI64ArrayAttr.get(list(dst_shape))).result

    def _unit_reshape(self, v: ir.Value, src: TensorSpec, dst: tuple) -> ir.Value:
        """`v` reshaped by adding or dropping dims of size 1 (the only reshapes of a symbolic
        shape the ops ask for: keepdims, squeezes)."""
        if [d for d in src.shape if d != 1] != [d for d in dst if d != 1]:
            raise ValueError(f"reshape {src.shape} -> {dst} of a symbolic shape")
        core = tuple(d for d in src.shape if d != 1)
        if src.shape != core:  # collapse the unit dims away first
            v = tensor.CollapseShapeOp(tensor_type(core, src.dtype), v,
                                       _reassoc(_unit_groups(src.shape, core))).result
        if dst == core:
            return v
        sizes = [self.dynamic_size() for d in dst if type(d) is not int]
        static = [d if type(d) is int else ir.ShapedType.get_dynamic_size() for d in dst]
        return tensor.ExpandShapeOp(tensor_type(dst, src.dtype), v,
                                    _reassoc(_unit_groups(dst, core)), sizes,
                                    ir.DenseI64ArrayAttr.get(static)).result

    def cast_tensor(self, v: ir.Value, src: TensorSpec, dtype: np.dtype) -> ir.Value:
        if src.dtype == np.dtype(dtype):
            return v
        out = TensorSpec(src.shape, np.dtype(dtype))
        return self.elementwise([v], [src], out, lambda s, x: s.cast(x, src.dtype, dtype))

    def extract_scalar(self, v: ir.Value) -> ir.Value:
        """The element of a rank-0 tensor."""
        return tensor.ExtractOp(v, []).result


def _unit_groups(shape: Sequence, core: Sequence) -> list[list[int]]:
    """The reassociation grouping `shape`'s dims onto `core` (`shape` = `core` with dims of
    size 1 added): a unit dim joins the group of the core dim before it (the first, after)."""
    if not core:
        return []
    groups: list[list[int]] = []
    lead: list[int] = []
    for i, d in enumerate(shape):
        if d != 1:
            groups.append([*lead, i])
            lead = []
        elif groups:
            groups[-1].append(i)
        else:
            lead.append(i)
    return groups


def _reassoc(groups: list[list[int]]) -> ir.ArrayAttr:
    i64 = ir.IntegerType.get_signless(64)
    return ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(i64, d) for d in g])
                             for g in groups])


def barrier(v: ir.Value) -> ir.Value:
    """`v` behind util.optimization_barrier, so IREE does not fuse its producer into consumers.

    IREE 3.13 miscompiles a producer that reads another tensor at computed positions
    (tensor.extract at linalg.index-derived coordinates, iree_linalg_ext.gather) when it is
    fused into a reduction: `np.take(x[1], idx).max()` read the wrong elements. Every lowering
    with such reads returns its result through this barrier (tests/test_iree_traps.py)."""
    return ir.Operation.create("util.optimization_barrier", results=[v.type],
                               operands=[v]).result
