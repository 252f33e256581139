"""janus-autodiff: expand every `janus.value_and_grad` into forward and reverse-mode ops.

For one op, innermost first (a gradient inside a differentiated function is expanded before
the function around it, so gradients of gradients are derivatives of plain ops):

1. forward: the ops of its region are moved before it, the region's arguments standing for the
   operands;
2. backward: from the yielded value (seeded with 1) back through the moved ops in reverse, each
   op's derivative rule from the registry (`vjp`, NumPy code over `lang.GraphValue`s) emits the
   ops that turn its result's cotangent into its operands' ones; cotangents of a value used
   several times are added;
3. the op's results become the yielded values and the cotangents of the region's arguments
   (zeros for an argument the value does not depend on).

Everything stays janus ops (and scf/tensor ops for control flow), lowered by
convert-janus-to-linalg afterwards; IREE fuses the backward ops with the forward ones.
Intermediates of straight-line code are saved, not recomputed: every forward value stays
available to the backward ops. Branches and loops: autodiff_backward.py and
autodiff_loops.py. Anything else the walk meets fails the pass with a located error.
"""

from __future__ import annotations

from dataclasses import dataclass

from iree.compiler import ir

from ..dialects import janus
from . import autodiff_loops  # noqa: F401  (registers the loop adjoints)
from .autodiff_backward import backward
from .autodiff_ir import full
from .registry import Pass, PassError, register
from .walk import ops_named

VALUE_AND_GRAD = janus.VALUE_AND_GRAD.op_name


@register
@dataclass(frozen=True)
class Autodiff(Pass):
    name = "janus-autodiff"
    summary = "Expand janus.value_and_grad into its forward ops and reverse-mode backward ops"

    def run(self, module: ir.Module) -> None:
        with module.context:
            for op in reversed(ops_named(module.operation, VALUE_AND_GRAD)):
                expand(op)
        try:  # what the rewrite built must be valid IR before anything else reads it
            module.operation.verify()
        except ir.MLIRError as e:
            raise PassError(f"janus-autodiff produced invalid IR: {e}") from None


def expand(op: ir.Operation) -> None:
    block = op.regions[0].blocks[0]
    body = [o.operation for o in block.operations]
    terminator, body = body[-1], body[:-1]
    yielded = list(terminator.operands)
    args = list(block.arguments)
    for o in body:
        o.move_before(op)
    with op.location, ir.InsertionPoint(op):
        seed = {yielded[0]: full(yielded[0], 1)}
        grads = [c.value if c is not None else full(a, 0).value
                 for c, a in zip(backward(body, seed, args), args)]
    yielded = list(terminator.operands)  # loops the backward pass rebuilt replaced some
    stand_in = dict(zip(args, op.operands))
    for arg, operand in stand_in.items():
        arg.replace_all_uses_with(operand)
    new = [stand_in.get(v, v) for v in yielded] + grads
    for old, value in zip(op.results, new, strict=True):
        old.replace_all_uses_with(value)
    op.erase()
