"""janus-lower-guards: janus.guard -> cf.assert with a structured message.

The message is `janus.guard` followed by a JSON object (id, kind, where, message;
speculation/guard_messages.py); the runtime finds it in IREE's FAILED_PRECONDITION error and
decodes it back into the failed assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

from iree.compiler import ir
from iree.compiler.dialects import cf, tensor

from ..dialects import janus
from ..speculation.guard_messages import encode_guard_message
from .registry import Pass, PassError, register
from .walk import ops_named


@register
@dataclass(frozen=True)
class LowerGuards(Pass):
    name = "janus-lower-guards"
    summary = "Lower janus.guard to cf.assert with a message the runtime decodes"

    def run(self, module: ir.Module) -> None:
        for op in ops_named(module.operation, janus.GuardOp.SIGNATURE.op_name):
            guard = janus.GuardOp(op)
            problems = guard.verify()
            if problems:
                raise PassError(f"'{op.name}' op {problems[0]}", op.location)
            with op.location, ir.InsertionPoint(op):
                flag = tensor.ExtractOp(guard.predicate, []).result
                cf.AssertOp(flag, encode_guard_message(guard.attributes()))
            op.erase()
