"""janus-lower-while: functions holding an scf.while -> unstructured control flow (cf).

IREE 3.13's stream conversion of scf.while breaks when a value the loop carries is computed
from another carried value (`it = c; c += 1`): iree-compile fails ("region branch point has 4
operands, but region successor needs 2 inputs") or crashes. The same loop as blocks and branches
compiles and runs right (tests/test_iree_traps.py), so such functions are lowered with IREE's
`iree-top-level-scf-to-cfg` (host-level scf only: loops inside linalg bodies, like the scalar
loop of float floor division, stay) before IREE sees them; modules without an scf.while are
left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from iree.compiler import ir, passmanager

from .registry import Pass, PassError, register
from .walk import ops_named


@register
@dataclass(frozen=True)
class LowerWhile(Pass):
    name = "janus-lower-while"
    summary = "Lower functions that hold an scf.while to cf blocks (an IREE 3.13 workaround)"

    def run(self, module: ir.Module) -> None:
        if not ops_named(module.operation, "scf.while"):
            return
        try:
            pm = passmanager.PassManager.parse(
                "builtin.module(func.func(iree-top-level-scf-to-cfg))", context=module.context)
            pm.run(module.operation)
        except ir.MLIRError as e:
            raise PassError(f"iree-top-level-scf-to-cfg failed: {e}") from None
