"""Device-resident state: arrays a graph reads and writes in place stay where they live.

A graph that writes the caller's arrays (`self.w -= lr * g`, optimizer moments, running
statistics) returns each array's new contents as a result that runtime/commit.py copies into the
array object. On the CPU drivers the host's memory is the device's: the array object's own
memory can be the graph's input buffer (runtime/invoke.py imports it without a copy) and the
buffer its new contents are written into, so nothing is copied in or out and no second home for
the state exists to keep in sync. Python sees the new contents as soon as the call returns,
through the same `np.ndarray` object and every alias and view of it; `np.asarray`, operators,
pickling and `copy.deepcopy` work as on any array, and a write from Python between calls is what
the next call reads.

`tie_written_inputs` marks such a result with IREE's `iree.abi.output` attribute on the input
that reads the array ("result r is stored into argument k's buffer"). IREE then treats the
buffer as the result's storage and orders every dispatch that reads the old contents before the
one that writes the new ones (the stream IR of a tied update shows the readers in one concurrent
block and the write after it), cloning the old contents where they are needed after the write.

A tied write is visible the moment its dispatch runs, before the graph has finished. That is
only all-or-nothing when nothing can fail after it, so a graph is tied only when it has no
in-graph guard (`cf.assert`) and calls nothing back in Python. The write plan stays as it was:
when the argument was not the caller's array itself (a misaligned or read-only array is copied,
other drivers copy every argument), the result is copied into the array by the commit as before.
"""

from __future__ import annotations

from iree.compiler import ir

from .. import config
from ..speculation.graph_spec import GraphSpec
from .ir_checks import computes_afresh
from .targets import Target

OUTPUT_ATTRIBUTE = "iree.abi.output"


def tie_written_inputs(module: ir.Module, spec: GraphSpec, write_plan: dict[int, list[int]],
                       target: Target, entry: str = "main") -> dict[int, int]:
    """Tie each whole-array write of the caller's arrays to the input that read the array
    (see above); returns {argument: result} of the ties made on `entry`."""
    if target.name != "llvm-cpu" or spec.in_graph_guards or not config.current().in_place:
        return {}
    fn = _entry_function(module, entry)
    if fn is None or not _cannot_fail_midway(module):
        return {}
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    by_source: dict[object, list[int]] = {}
    for k, inp in enumerate(spec.inputs):
        by_source.setdefault(inp.source, []).append(k)
    ties: dict[int, int] = {}
    for effect_id, (template, _) in enumerate(spec.effects):
        if template[0] != "write" or len(write_plan.get(effect_id, ())) != 1:
            continue
        result = write_plan[effect_id][0]
        args = by_source.get(template[1], [])
        if len(args) != 1 or args[0] in ties or result in ties.values():
            continue
        arg = args[0]
        if arg >= len(ftype.inputs) or result >= len(ftype.results):
            continue
        arg_type, result_type = ftype.inputs[arg], ftype.results[result]
        if (arg_type != result_type or not isinstance(arg_type, ir.RankedTensorType)
                or not arg_type.has_static_shape or _old_contents_escape(fn, arg, result)):
            continue
        ties[arg] = result
    if ties:
        _set_outputs(fn, len(ftype.inputs), ties)
    return ties


def _old_contents_escape(fn: ir.Operation, arg: int, result: int) -> bool:
    """Whether a result other than `result` may be argument `arg`'s buffer itself, or part of
    it: a value IREE may fold into a view of the argument's old contents.

    IREE 3.13 does not keep such a value apart from a tied argument: returning the argument, a
    slice or reshape of it, or an identity copy of it next to a result tied to it gives the
    new contents where the old ones belong (or leaves the tied result out of the argument).
    Every op is taken to possibly return a view of its operands, except those that always
    compute a buffer of their own (ir_checks.computes_afresh); the tied result's own value is
    the new contents, so what is computed from it is not followed.
    """
    entry = fn.regions[0].blocks[0]
    ret = list(entry.operations)[-1].operation
    returned = list(ret.operands)
    new_value = returned[result]
    views = {entry.arguments[arg]}

    def follow(block: ir.Block) -> None:
        for op in block.operations:
            op = op.operation
            inner_before = len(views)
            for region in op.regions:
                for inner in region.blocks:
                    follow(inner)
            if computes_afresh(op):
                continue
            if len(views) > inner_before or any(v in views for v in _uses(op)):
                views.update(r for r in op.results if r != new_value)

    follow(entry)
    return any(v in views for i, v in enumerate(returned) if i != result)


def _uses(op: ir.Operation) -> list[ir.Value]:
    """The operands of `op` and of every op nested in it (values it captures included)."""
    out = list(op.operands)
    for region in op.regions:
        for block in region.blocks:
            for inner in block.operations:
                out.extend(_uses(inner.operation))
    return out


def _entry_function(module: ir.Module, entry: str) -> ir.Operation | None:
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and ir.StringAttr(op.attributes["sym_name"]).value == entry:
            return op
    return None


def _cannot_fail_midway(module: ir.Module) -> bool:
    """No `cf.assert` anywhere and no function declared without a body (an import: a call back
    into Python, which may raise)."""
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and not op.regions[0].blocks:
            return False
    failing = False

    def visit(op: ir.Operation) -> ir.WalkResult:
        nonlocal failing
        if op.name == "cf.assert":
            failing = True
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return not failing


def _set_outputs(fn: ir.Operation, n_args: int, ties: dict[int, int]) -> None:
    with fn.context:
        old = (list(ir.ArrayAttr(fn.attributes["arg_attrs"]))
               if "arg_attrs" in fn.attributes else [ir.DictAttr.get({})] * n_args)
        index = ir.IndexType.get()
        new = []
        for k, attrs in enumerate(old):
            if k in ties:
                d = ir.DictAttr(attrs)
                entries = {d[i].name: d[i].attr for i in range(len(d))}
                entries[OUTPUT_ATTRIBUTE] = ir.IntegerAttr.get(index, ties[k])
                attrs = ir.DictAttr.get(entries)
            new.append(attrs)
        fn.attributes["arg_attrs"] = ir.ArrayAttr.get(new)
