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

A tied write is visible the moment its dispatch runs, before the graph has finished, so it must
not happen when a guard of the graph fails. Each tied result is therefore computed as
`select(every guard holds, new, old)` from the guards' predicates: the writing dispatch reads
them (so it runs after them) and writes the array's own contents back, bit for bit, when one
failed; the failed `cf.assert` then fails the call as before. That needs every guard at the
function's top level: a graph with a guard inside a loop or branch, or one that calls back into
Python (which may raise at any point), is not tied. The write plan stays as it was:
when the argument was not the caller's array itself (a misaligned or read-only array is copied,
other drivers copy every argument), the result is copied into the array by the commit as before.
"""

from __future__ import annotations

from iree.compiler import ir
from iree.compiler.dialects import arith, func, linalg, tensor

from .. import config
from ..speculation.graph_spec import GraphSpec
from .ir_checks import computes_afresh
from .targets import Target

OUTPUT_ATTRIBUTE = "iree.abi.output"


def tie_written_inputs(module: ir.Module, spec: GraphSpec, write_plan: dict[int, list[int]],
                       target: Target, entry: str = "main") -> dict[int, int]:
    """Tie each whole-array write of the caller's arrays to the input that read the array
    (see above); returns {argument: result} of the ties made on `entry`."""
    if target.name != "llvm-cpu" or not config.current().in_place:
        return {}
    fn = _entry_function(module, entry)
    if fn is None or _calls_back(module):
        return {}
    guards = _top_level_guards(fn)
    if guards is None:  # a guard inside a loop or branch: it may fail after a write
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
    if ties and guards:
        _unless_a_guard_fails(fn, ties, guards)
    if ties:
        _set_outputs(fn, len(ftype.inputs), ties)
    return ties


def _top_level_guards(fn: ir.Operation) -> list[ir.Value] | None:
    """The predicates (rank-0 i1 tensors) of the function's guards, every `cf.assert` being a
    statement of its entry block on `tensor.extract` of one; None when one is not."""
    entry = fn.regions[0].blocks[0]
    top = set()
    predicates = []
    for op in entry.operations:
        op = op.operation
        top.add(op)
        if op.name != "cf.assert":
            continue
        owner = op.operands[0].owner
        owner = getattr(owner, "operation", owner)
        if (not isinstance(owner, ir.Operation) or owner.name != "tensor.extract"
                or len(owner.operands) != 1 or owner not in top):
            return None
        predicates.append(owner.operands[0])
    failing = []

    def nested(op: ir.Operation) -> ir.WalkResult:
        if op.name == "cf.assert" and op not in top:
            failing.append(op)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    fn.walk(nested)
    return None if failing else predicates


def _unless_a_guard_fails(fn: ir.Operation, ties: dict[int, int],
                          predicates: list[ir.Value]) -> None:
    """Each tied result becomes `select(every guard holds, new, old)`: the dispatch writing it
    reads the guards' predicates, so it runs after them, and writes the old contents back
    unchanged when one failed (its `cf.assert` then fails the call)."""
    entry = fn.regions[0].blocks[0]
    ret = list(entry.operations)[-1].operation
    returned = list(ret.operands)
    with fn.context, ret.location, ir.InsertionPoint(ret):
        for arg, result in ties.items():
            new, old = returned[result], entry.arguments[arg]
            ttype = ir.RankedTensorType(new.type)
            rank = ttype.rank
            ident = ir.AffineMap.get_identity(rank)
            every = ir.AffineMap.get(rank, 0, [])
            init = tensor.EmptyOp(ttype.shape, ttype.element_type).result
            maps = ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in
                                     [ident, ident, *[every] * len(predicates), ident]])
            iters = ir.ArrayAttr.get([ir.Attribute.parse("#linalg.iterator_type<parallel>")]
                                     * rank)
            op = linalg.GenericOp([ttype], [new, old, *predicates], [init], maps, iters)
            i1 = ir.IntegerType.get_signless(1)
            block = op.regions[0].blocks.append(ttype.element_type, ttype.element_type,
                                                *[i1] * len(predicates), ttype.element_type)
            with ir.InsertionPoint(block):
                a, b, *held, _ = block.arguments
                ok = held[0]
                for h in held[1:]:
                    ok = arith.AndIOp(ok, h).result
                linalg.YieldOp([arith.SelectOp(ok, a, b).result])
            returned[result] = op.results[0]
        func.ReturnOp(returned)
    ret.erase()


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


def _calls_back(module: ir.Module) -> bool:
    """Whether a function is declared without a body (an import: a call back into Python,
    which may raise while the graph runs)."""
    return any(op.operation.name == "func.func" and not op.operation.regions[0].blocks
               for op in module.body.operations)


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
