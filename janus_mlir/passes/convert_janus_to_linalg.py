"""convert-janus-to-linalg: janus compute ops -> linalg/tensor/arith/math.

Each op is replaced by its registry lowering, emitted at the op's position with the op's location.
Guards are left for janus-lower-guards. Last, every unsigned integer type (`ui8`, which janus
types use to carry NumPy's uint dtypes) is made signless (`i8`): the lowerings already chose the
unsigned arith ops from the dtypes, and arith, linalg and IREE take only signless integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, tensor

from ..dialects import janus
from ..dialects.types import has_unsigned, signless_type
from ..dialects.walk import walk
from ..ops import lookup
from ..ops.emit import Emitter
from .registry import Pass, PassError, register
from .walk import ops_named, replace_op


@register
@dataclass(frozen=True)
class ConvertJanusToLinalg(Pass):
    name = "convert-janus-to-linalg"
    summary = "Lower janus compute ops to linalg, tensor, arith and math"

    def run(self, module: ir.Module) -> None:
        unsigned = any(has_unsigned(t) for f in module.body.operations
                       if f.operation.name == "func.func"
                       for ft in [ir.FunctionType(ir.TypeAttr(f.attributes["function_type"]).value)]
                       for t in (*ft.inputs, *ft.results))
        for op in ops_named(module.operation, janus.PREFIX):
            if op.name in (janus.GuardOp.SIGNATURE.op_name,):
                continue
            unsigned = unsigned or any(has_unsigned(v.type) for v in (*op.operands, *op.results))
            lower_op(op)
        if unsigned:  # else there is nothing to rewrite: skip the walk
            with ir.Location.unknown(module.context):
                make_signless(module.operation)


def lower_op(op: ir.Operation) -> None:
    view = janus.wrap(op)
    problems = view.verify()
    if problems:
        raise PassError(f"'{op.name}' op {problems[0]}", op.location)
    rule = lookup(op.name)
    with op.location, ir.InsertionPoint(op):
        try:
            values = rule.lower(Emitter(list(op.operands)), list(op.operands), view.operand_specs,
                                view.attributes(), view.result_specs)
        except Exception as e:  # a lowering bug must still point at the op
            raise PassError(f"'{op.name}' op failed to lower: {e}", op.location) from e
    replace_op(op, list(values))


def make_signless(root: ir.Operation) -> None:
    """Rewrite every `uiN` in the types of values, block arguments, function types and typed
    attributes under `root` to `iN` (the same bits). A public function keeps its unsigned
    arguments and results, bitcast (`flow.tensor.bitcast`) at entry and return: IREE takes `ui8`
    tensors at the boundary, and its ABI declaration then names uint8 for the runtime."""
    public = [op for op in walk(root) if op.name == "func.func"
              and "sym_visibility" not in op.attributes]
    signatures = {id(f): ir.FunctionType(ir.TypeAttr(f.attributes["function_type"]).value)
                  for f in public}
    _sweep(root)
    for f in public:
        _restore_boundary(f, signatures[id(f)])


def _restore_boundary(f: ir.Operation, ftype: ir.FunctionType) -> None:
    if ftype == ir.FunctionType(ir.TypeAttr(f.attributes["function_type"]).value):
        return
    f.attributes["function_type"] = ir.TypeAttr.get(ftype)
    block = f.regions[0].blocks[0]
    for arg, t in zip(block.arguments, ftype.inputs):
        if t != arg.type:
            with ir.InsertionPoint.at_block_begin(block):
                cast, readers = _bitcast(arg, arg.type)
            arg.set_type(t)
            arg.replace_all_uses_except(cast, readers)
    for op in block.operations:
        if op.operation.name != "func.return":
            continue
        with ir.InsertionPoint(op):
            for i, t in enumerate(ftype.results):
                if t != op.operands[i].type:
                    op.operation.operands[i] = _bitcast(op.operands[i], t)[0]


def _bitcast(v: ir.Value, t: ir.Type) -> tuple[ir.Value, list[ir.Operation]]:
    """`flow.tensor.bitcast` of a tensor to the same shape with `t`'s element type
    (`tensor.bitcast` of a rank-0 tensor fails to bufferize in IREE), and the ops that read
    `v` for it."""
    rt = ir.RankedTensorType(v.type)
    dim_ops = [tensor.DimOp(v, arith.ConstantOp(ir.IndexType.get(), i).result)
               for i in range(rt.rank) if rt.is_dynamic_dim(i)]
    dims = [d.result for d in dim_ops]
    op = ir.Operation.create(
        "flow.tensor.bitcast", results=[t], operands=[v, *dims, *dims],
        attributes={"operandSegmentSizes": ir.DenseI32ArrayAttr.get([1, len(dims), len(dims)])})
    return op.result, [op, *(d.operation for d in dim_ops)]


def _sweep(root: ir.Operation) -> None:
    for op in walk(root):
        for r in op.results:
            _retype(r)
        for region in op.regions:
            for block in region.blocks:
                for arg in block.arguments:
                    _retype(arg)
        for name in list(op.attributes):  # iterating an OpAttributeMap gives the names
            new = _signless_attr(op.attributes[name])
            if new is not None:
                op.attributes[name] = new


def _retype(v: ir.Value) -> None:
    t = signless_type(v.type)
    if t != v.type:
        v.set_type(t)


def _signless_attr(a: ir.Attribute) -> ir.Attribute | None:
    """The attribute with signless types, or None when it has no unsigned type."""
    if isinstance(a, ir.TypeAttr):
        t = ir.TypeAttr(a).value
        if isinstance(t, ir.FunctionType):
            ft = ir.FunctionType(t)
            new = ir.FunctionType.get([signless_type(x) for x in ft.inputs],
                                      [signless_type(x) for x in ft.results])
            return None if new == ft else ir.TypeAttr.get(new)
        new_t = signless_type(t)
        return None if new_t == t else ir.TypeAttr.get(new_t)
    if isinstance(a, ir.IntegerAttr) and not isinstance(a, ir.BoolAttr):
        t = ir.IntegerAttr(a).type
        new_t = signless_type(t)
        if new_t == t:
            return None
        bits = ir.IntegerType(t).width
        value = ir.IntegerAttr(a).value % (1 << bits)
        signed = value - (1 << bits) if value >> (bits - 1) else value
        return ir.IntegerAttr.get(new_t, signed)
    if isinstance(a, ir.DenseElementsAttr):
        t = a.type
        new_t = signless_type(t)
        if new_t == t:
            return None
        dense = ir.DenseElementsAttr(a)
        if dense.is_splat:
            return ir.DenseElementsAttr.get_splat(new_t, _signless_attr(dense.get_splat_value()))
        arr = np.array(dense)
        signed = arr.view(np.dtype(arr.dtype.str.replace("u", "i")))
        return ir.DenseElementsAttr.get(np.ascontiguousarray(signed), type=new_t)
    return None
