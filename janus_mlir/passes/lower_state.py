"""janus-lower-state: janus.effect ops -> results of the function plus the module's write plan.

A converted function's effects on the Python heap and stdout (frontend/effects.py) are
`janus.effect` ops in the entry block, in program order. Each effect's operands become extra
results of the function, after the results it already has; the module gets a `janus.write_plan`
attribute listing, per effect, its id, kind, target and the numbers of the results that carry its
operands. The runtime reads the plan and applies the effects after the graph has succeeded
(runtime/commit.py). An effect inside a region (a loop, a branch) is an error: its operands
are not values of the function's body.
"""

from __future__ import annotations

from dataclasses import dataclass

from iree.compiler import ir
from iree.compiler.dialects import func

from ..dialects import janus
from .registry import Pass, PassError, register
from .walk import ops_named

PLAN_ATTRIBUTE = "janus.write_plan"


@register
@dataclass(frozen=True)
class LowerState(Pass):
    name = "janus-lower-state"
    summary = "Lower janus.effect to function results and the module's janus.write_plan"

    def run(self, module: ir.Module) -> None:
        effects = ops_named(module.operation, janus.EffectOp.SIGNATURE.op_name)
        if not effects:
            return
        plan = []
        for fn in _functions(module):
            plan.extend(_lower(fn, [e for e in effects if _function_of(e) == fn]))
        with module.context:
            module.operation.attributes[PLAN_ATTRIBUTE] = ir.ArrayAttr.get(plan)


def _functions(module: ir.Module) -> list[ir.Operation]:
    return [op.operation for op in module.body.operations if op.operation.name == "func.func"]


def _function_of(op: ir.Operation) -> ir.Operation | None:
    parent = op.parent
    while parent is not None and parent.name != "func.func":
        parent = parent.parent
    return parent


def _lower(fn: ir.Operation, effects: list[ir.Operation]) -> list[ir.Attribute]:
    if not effects:
        return []
    entry = fn.regions[0].blocks[0]
    ret = list(entry.operations)[-1].operation
    if ret.name != "func.return":
        raise PassError("expected the function's entry block to end in func.return",
                        fn.location)
    results = list(ret.operands)
    plan = []
    for op in effects:
        effect = janus.EffectOp(op)
        problems = effect.verify()
        if problems:
            raise PassError(f"'{op.name}' op {problems[0]}", op.location)
        if op.parent != fn:
            raise PassError(f"'{op.name}' op inside a region cannot be lowered: its operands are "
                            "not values of the function's body", op.location)
        first = len(results)
        results.extend(op.operands)
        attrs = effect.attributes()
        with op.context:
            i64 = ir.IntegerType.get_signless(64)
            plan.append(ir.DictAttr.get({
                "id": ir.IntegerAttr.get(i64, attrs["id"]),
                "kind": ir.StringAttr.get(attrs["kind"]),
                "target": ir.StringAttr.get(attrs["target"]),
                "results": ir.ArrayAttr.get([ir.IntegerAttr.get(i64, i)
                                             for i in range(first, len(results))]),
            }))
        op.erase()
    with ret.location, ir.InsertionPoint(ret):
        func.ReturnOp(results)
    ret.erase()
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    with fn.context:
        fn.attributes["function_type"] = ir.TypeAttr.get(
            ir.FunctionType.get(ftype.inputs, [v.type for v in results]))
    return plan


def read_plan(module: ir.Module) -> dict[int, list[int]]:
    """The write plan of a lowered module (effect id -> its result numbers), removed from the
    module (IREE has no use for it)."""
    attrs = module.operation.attributes
    if PLAN_ATTRIBUTE not in attrs:
        return {}
    plan = {}
    for entry in ir.ArrayAttr(attrs[PLAN_ATTRIBUTE]):
        d = ir.DictAttr(entry)
        plan[ir.IntegerAttr(d["id"]).value] = [ir.IntegerAttr(r).value
                                               for r in ir.ArrayAttr(d["results"])]
    del attrs[PLAN_ATTRIBUTE]
    return plan
