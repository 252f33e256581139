"""convert-janus-to-linalg: janus compute ops -> linalg/tensor/arith/math.

Each op is replaced by its registry lowering, emitted at the op's position with the op's location.
Guards are left for janus-lower-guards.
"""

from __future__ import annotations

from dataclasses import dataclass

from iree.compiler import ir

from ..dialects import janus
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
        for op in ops_named(module.operation, janus.PREFIX):
            if op.name in (janus.GuardOp.SIGNATURE.op_name,):
                continue
            lower_op(op)


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
