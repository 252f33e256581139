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

Everything stays janus ops, lowered by convert-janus-to-linalg afterwards; IREE fuses the
backward ops with the forward ones. Intermediates of straight-line code are saved, not
recomputed: every forward value stays available to the backward ops. An `scf.if` is
differentiated by an `scf.if` on the same condition whose sides recompute that side's forward
ops and run them backwards; an `scf.for` by recording the values it carries into each trip and
a reverse loop over the trips (`_for_adjoint`). `scf.while` fails the pass with a located
error (not differentiated yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, linalg, scf, tensor

from ..dialects import janus
from ..dialects.types import spec_of_type
from ..dialects.walk import walk
from ..lang.graph_value import GraphValue
from ..ops.registry import lookup
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
        seed = {yielded[0]: _full(yielded[0], 1)}
        grads = [c.value if c is not None else _full(a, 0).value
                 for c, a in zip(backward(body, seed, args), args)]
    yielded = list(terminator.operands)  # loops the backward pass rebuilt replaced some
    stand_in = dict(zip(args, op.operands))
    for arg, operand in stand_in.items():
        arg.replace_all_uses_with(operand)
    new = [stand_in.get(v, v) for v in yielded] + grads
    for old, value in zip(op.results, new, strict=True):
        old.replace_all_uses_with(value)
    op.erase()


def backward(body: list[ir.Operation], seeds: dict[ir.Value, GraphValue],
             wanted: list[ir.Value]) -> list[GraphValue | None]:
    """The cotangents of `wanted` (None: zero) given those of some values of `body` (`seeds`),
    emitted at the current insertion point."""
    active = _active(body, wanted)
    cot: dict[ir.Value, GraphValue] = {v: g for v, g in seeds.items() if v in active}
    for o in reversed(body):
        gs = [cot.pop(r, None) for r in o.results]
        if all(g is None for g in gs):
            continue
        if o.name == "scf.if":
            operand_cots = _if_adjoint(o, gs, active)
        elif o.name == "scf.for":
            operand_cots = _for_adjoint(o, gs, active)
        elif o.name == "scf.while":
            operand_cots = _while_adjoint(o, gs, active)
        elif o.name == "util.optimization_barrier":
            operand_cots = list(zip(o.operands, gs))
        elif o.name in _SLICES:
            operand_cots = _SLICES[o.name](o, gs)
        elif not len(o.operands):
            continue  # tensor.empty and other creations: nothing flows further back
        elif o.name.startswith(janus.PREFIX):
            operand_cots = _op_adjoint(o, gs)
        else:
            raise PassError(f"cannot differentiate through '{o.name}' yet", o.location)
        for v, c in operand_cots:
            if c is None or v not in active:
                continue
            c = _graph(c, v)
            cot[v] = c if v not in cot else _add(cot[v], c)
    return [cot.get(w) for w in wanted]


def _op_adjoint(o: ir.Operation, gs: list[GraphValue | None]) -> list[tuple[ir.Value, Any]]:
    """A janus op's derivative rule: (operand, cotangent) pairs."""
    rule = lookup(o.name).vjp
    if rule is None:
        raise PassError(f"'{o.name}' has no derivative rule", o.location)
    (g,) = gs
    attrs = janus.wrap(o).attributes()
    with o.location:
        try:
            cots = rule(g, GraphValue(o.results[0]), *[_operand(v) for v in o.operands],
                        **attrs)
        except (TypeError, ValueError) as e:
            raise PassError(f"no derivative of '{o.name}': {e}", o.location) from None
    return list(zip(o.operands, cots, strict=True))


def _if_adjoint(o: ir.Operation, gs: list[GraphValue | None], active: set[ir.Value]
                ) -> list[tuple[ir.Value, Any]]:
    """An scf.if backwards: an scf.if on the same condition whose sides recompute their
    forward ops and run them backwards, yielding the cotangents of the outer values the
    branch reads (zeros for those one side does not use)."""
    free = [v for v in free_values(o) if v in active]
    if not free:
        return []
    adjoint = scf.IfOp(o.operands[0], [v.type for v in free], has_else=True)
    for region, block in zip(o.regions, (adjoint.then_block, adjoint.else_block)):
        forward = [x.operation for x in region.blocks[0].operations]
        with ir.InsertionPoint(block):
            mapping: dict[ir.Value, ir.Value] = {}
            ops = clone_ops([x for x in forward[:-1] if x.name != "janus.guard"], mapping)
            seeds: dict[ir.Value, GraphValue] = {}
            for y, g in zip(forward[-1].operands, gs):
                if g is not None:
                    y = mapping.get(y, y)
                    seeds[y] = g if y not in seeds else _add(seeds[y], g)
            cots = backward(ops, seeds, free)
            scf.YieldOp([(c if c is not None else _full(v, 0)).value
                         for c, v in zip(cots, free)])
    return list(zip(free, (GraphValue(r) for r in adjoint.results)))


def _for_adjoint(o: ir.Operation, gs: list[GraphValue | None], active: set[ir.Value]
                 ) -> list[tuple[ir.Value, Any]]:
    """An scf.for backwards (reverse mode through a loop whose trip count is known only when
    the graph runs).

    The forward loop is replaced by one that also records the values it carries into each
    iteration, in stacks of the trip count's length. A reverse loop then walks the trips from
    the last: it recomputes that trip's body from the recorded values and runs it backwards,
    carrying the cotangents of the carried values and accumulating those of the outer values
    the body reads. Memory: one copy of the carried values per trip; time: one more forward
    pass of the body.
    """
    lb, ub, step, *inits = o.operands
    free = [v for v in free_values(o) if v in active]
    floats = [i for i, v in enumerate(inits) if _is_float(v)]
    with ir.InsertionPoint(o), o.location:
        n = _trip_count(lb, ub, step)
        recording, record, stacks = _recording_loop(o, n)
    for old, new in zip(o.results, recording.results):
        old.replace_all_uses_with(new)
    seeds = [g if g is not None else _full(r, 0) for g, r in zip(gs, recording.results)]
    accum = [_full(v, 0) for v in free]
    index = ir.IndexType.get()
    zero, one = (arith.ConstantOp(index, c).result for c in (0, 1))
    back = scf.ForOp(zero, n, one, [seeds[i].value for i in floats] + [a.value for a in accum])
    body = o.regions[0].blocks[0]
    with ir.InsertionPoint(back.body):
        k = back.induction_variable
        j = arith.SubIOp(arith.SubIOp(n, one).result, k).result
        iv = arith.AddIOp(lb, arith.MulIOp(j, step).result).result
        carried = record.pop(stacks, j, [v.type for v in inits])
        mapping = dict(zip(body.arguments, [iv, *carried]))
        forward = [x.operation for x in body.operations]
        ops = clone_ops([x for x in forward[:-1] if x.name != "janus.guard"], mapping)
        g_in = list(back.inner_iter_args)
        seed: dict[ir.Value, GraphValue] = {}
        for i, g in zip(floats, g_in):
            y = forward[-1].operands[i]
            y = mapping.get(y, y)
            seed[y] = GraphValue(g) if y not in seed else _add(seed[y], GraphValue(g))
        wanted = [carried[i] for i in floats] + free
        cots = backward(ops, seed, wanted)
        out = [(c if c is not None else _full(v, 0)).value for c, v in zip(cots, wanted)]
        acc = g_in[len(floats):]
        new_acc = [(GraphValue(a) + GraphValue(c)).value if cots[len(floats) + m] is not None
                   else a for m, (a, c) in enumerate(zip(acc, out[len(floats):]))]
        scf.YieldOp(out[:len(floats)] + new_acc)
    o.erase()  # its body was the pattern of both loops
    res = [GraphValue(r) for r in back.results]
    return [(inits[i], res[m]) for m, i in enumerate(floats)] + list(
        zip(free, res[len(floats):]))


def _while_adjoint(o: ir.Operation, gs: list[GraphValue | None], active: set[ir.Value]
                   ) -> list[tuple[ir.Value, Any]]:
    """An scf.while backwards. A first loop runs the while and counts its trips n (its
    results replace the loop's); a second runs the n trips as an scf.for that records the
    values carried into each trip; the results' cotangents go back through the last
    condition region, then a reverse loop runs the trips backwards as for scf.for."""
    inits = list(o.operands)
    before, after = (r.blocks[0] for r in o.regions)
    free = [v for v in free_values(o) if v in active]
    floats = [i for i, v in enumerate(inits) if _is_float(v)]
    index = ir.IndexType.get()
    with ir.InsertionPoint(o), o.location:
        zero, one = (arith.ConstantOp(index, c).result for c in (0, 1))
        counting = _counting_while(o, zero, one)
        n = counting.results[-1]
    for old, new in zip(o.results, counting.results):
        old.replace_all_uses_with(new)
    stack = Stacks(n, inits)
    record = scf.ForOp(zero, n, one, [*inits, *stack.inits])
    m = len(inits)
    with ir.InsertionPoint(record.body):
        carried = list(record.inner_iter_args)[:m]
        stacks = stack.push(list(record.inner_iter_args)[m:], carried,
                            record.induction_variable)
        _, nxt = _trip(before, after, carried, guards=True)
        scf.YieldOp(nxt + stacks)
    last, stacks = list(record.results)[:m], list(record.results)[m:]
    # the results are the values the last (false) condition forwards
    mapping = dict(zip(before.arguments, last))
    forward = [x.operation for x in before.operations]
    ops = clone_ops([x for x in forward[:-1] if x.name != "janus.guard"], mapping)
    seed = _seeds(forward[-1].operands[1:], gs, mapping)
    wanted = [last[i] for i in floats] + free
    first = backward(ops, seed, wanted)
    carried0 = [(first[k] if first[k] is not None else _full(last[i], 0)).value
                for k, i in enumerate(floats)]
    accum0 = [(c if c is not None else _full(v, 0)).value
              for c, v in zip(first[len(floats):], free)]
    back = scf.ForOp(zero, n, one, carried0 + accum0)
    with ir.InsertionPoint(back.body):
        j = arith.SubIOp(arith.SubIOp(n, one).result, back.induction_variable).result
        c_j = stack.pop(stacks, j, [v.type for v in inits])
        ops, nxt = _trip(before, after, c_j, guards=False)
        g_in = list(back.inner_iter_args)
        seed = {}
        for i, g in zip(floats, g_in):
            y = nxt[i]
            seed[y] = GraphValue(g) if y not in seed else _add(seed[y], GraphValue(g))
        wanted = [c_j[i] for i in floats] + free
        cots = backward(ops, seed, wanted)
        out = [(c if c is not None else _full(v, 0)).value for c, v in zip(cots, wanted)]
        acc = [(GraphValue(a) + GraphValue(c)).value if cots[len(floats) + k] is not None
               else a for k, (a, c) in enumerate(zip(g_in[len(floats):], out[len(floats):]))]
        scf.YieldOp(out[:len(floats)] + acc)
    o.erase()  # its regions were the pattern of every loop above
    res = [GraphValue(r) for r in back.results]
    return [(inits[i], res[k]) for k, i in enumerate(floats)] + list(
        zip(free, res[len(floats):]))


def _counting_while(o: ir.Operation, zero: ir.Value, one: ir.Value) -> Any:
    """A copy of the scf.while `o` that also counts its trips (its last result)."""
    before, after = (r.blocks[0] for r in o.regions)
    index = ir.IndexType.get()
    loop = scf.WhileOp([*[r.type for r in o.results], index], [*o.operands, zero])
    b = loop.before.blocks.append(*[a.type for a in before.arguments], index)
    with ir.InsertionPoint(b):
        mapping = dict(zip(before.arguments, b.arguments))
        forward = [x.operation for x in before.operations]
        clone_ops(forward[:-1], mapping)
        cond, *fwd = (mapping.get(v, v) for v in forward[-1].operands)
        scf.ConditionOp(cond, [*fwd, b.arguments[-1]])
    a = loop.after.blocks.append(*[x.type for x in after.arguments], index)
    with ir.InsertionPoint(a):
        mapping = dict(zip(after.arguments, a.arguments))
        forward = [x.operation for x in after.operations]
        clone_ops(forward[:-1], mapping)
        nxt = [mapping.get(v, v) for v in forward[-1].operands]
        scf.YieldOp([*nxt, arith.AddIOp(a.arguments[-1], one).result])
    return loop


def _trip(before: ir.Block, after: ir.Block, carried: list[ir.Value], guards: bool
          ) -> tuple[list[ir.Operation], list[ir.Value]]:
    """One trip of a while loop as straight-line ops at the current insertion point: its
    condition region (the condition itself is known true) then its body; (the ops, the values
    carried out)."""
    mapping = dict(zip(before.arguments, carried))
    forward = [x.operation for x in before.operations]
    keep = [x for x in forward[:-1] if guards or x.name != "janus.guard"]
    ops = clone_ops(keep, mapping)
    fwd = [mapping.get(v, v) for v in forward[-1].operands[1:]]
    mapping = dict(zip(after.arguments, fwd))
    body = [x.operation for x in after.operations]
    ops += clone_ops([x for x in body[:-1] if guards or x.name != "janus.guard"], mapping)
    return ops, [mapping.get(v, v) for v in body[-1].operands]


def _seeds(values: Any, gs: list[GraphValue | None], mapping: dict[ir.Value, ir.Value]
           ) -> dict[ir.Value, GraphValue]:
    """Cotangents `gs` of `values` (mapped), summed where a value repeats."""
    seeds: dict[ir.Value, GraphValue] = {}
    for y, g in zip(values, gs):
        if g is not None:
            y = mapping.get(y, y)
            seeds[y] = g if y not in seeds else _add(seeds[y], g)
    return seeds


def _extract_slice_adjoint(o: ir.Operation, gs: list[GraphValue | None]
                           ) -> list[tuple[ir.Value, Any]]:
    """tensor.extract_slice backwards: the cotangent inserted at the slice of zeros."""
    (g,) = gs
    view = o.opview
    with o.location:
        zeros = _full(view.source, 0)
        back = tensor.InsertSliceOp(g.value, zeros.value, view.offsets, view.sizes,
                                    view.strides, view.static_offsets, view.static_sizes,
                                    view.static_strides).result
    return [(view.source, GraphValue(back))]


def _insert_slice_adjoint(o: ir.Operation, gs: list[GraphValue | None]
                          ) -> list[tuple[ir.Value, Any]]:
    """tensor.insert_slice backwards: the source gets the slice of the cotangent, the
    destination the cotangent with that slice zeroed (it was overwritten)."""
    (g,) = gs
    view = o.opview
    with o.location:
        source = tensor.ExtractSliceOp(view.source.type, g.value, view.offsets, view.sizes,
                                       view.strides, view.static_offsets, view.static_sizes,
                                       view.static_strides).result
        dest = tensor.InsertSliceOp(_full(view.source, 0).value, g.value, view.offsets,
                                    view.sizes, view.strides, view.static_offsets,
                                    view.static_sizes, view.static_strides).result
    return [(view.source, GraphValue(source)), (view.dest, GraphValue(dest))]


_SLICES = {"tensor.extract_slice": _extract_slice_adjoint,
           "tensor.insert_slice": _insert_slice_adjoint}


def _trip_count(lb: ir.Value, ub: ir.Value, step: ir.Value) -> ir.Value:
    """max(0, ceil((ub - lb) / step)) as an index (scf.for steps are positive)."""
    index = ir.IndexType.get()
    zero = arith.ConstantOp(index, 0).result
    trips = arith.CeilDivSIOp(arith.SubIOp(ub, lb).result, step).result
    return arith.MaxSIOp(trips, zero).result


def _recording_loop(o: ir.Operation, n: ir.Value) -> tuple[Any, Stacks, list[ir.Value]]:
    """A copy of the loop `o` that also stacks the values carried into each trip (the stacks
    are the extra results; its first results are `o`'s)."""
    lb, ub, step, *inits = o.operands
    record = Stacks(n, inits)
    loop = scf.ForOp(lb, ub, step, [*inits, *record.inits])
    body = o.regions[0].blocks[0]
    m = len(inits)
    with ir.InsertionPoint(loop.body):
        iv = loop.induction_variable
        carried = list(loop.inner_iter_args)[:m]
        j = arith.DivSIOp(arith.SubIOp(iv, lb).result, step).result
        stacks = record.push(list(loop.inner_iter_args)[m:], carried, j)
        mapping = dict(zip(body.arguments, [iv, *carried]))
        forward = [x.operation for x in body.operations]
        clone_ops(forward[:-1], mapping)
        yielded = [mapping.get(v, v) for v in forward[-1].operands]
        scf.YieldOp(yielded + stacks)
    return loop, record, list(loop.results)[m:]


def _shape_source(v: ir.Value) -> ir.Value:
    """A value of v's shape whose `?` dims IREE can resolve: through loop results and loop
    arguments to the loop's initial value, through insert_slice to its destination (IREE
    cannot resolve a tensor.dim of a loop result: "dynamic dimensions must have been
    resolved")."""
    while True:
        owner = v.owner
        if isinstance(owner, ir.Block):
            parent = owner.owner
            n = ir.BlockArgument(v).arg_number
            if parent.name == "scf.for" and n >= 1:
                v = parent.operands[2 + n]
                continue
            if parent.name == "scf.while" and owner == parent.regions[0].blocks[0]:
                v = parent.operands[n]
                continue
            return v
        op = owner.operation
        if op.name == "scf.for":
            v = op.operands[3 + ir.OpResult(v).result_number]
        elif op.name == "scf.while":
            v = op.operands[ir.OpResult(v).result_number]
        elif op.name == "tensor.insert_slice":
            v = op.operands[1]
        else:
            return v


def _sizes(value: ir.Value, first: int = 0) -> tuple[list[ir.Value], list[int]]:
    """(dynamic size values, static sizes with the dynamic marker) of value's dims from
    `first` on: how tensor ops spell a shape with `?` dims."""
    rt = ir.RankedTensorType(value.type)
    dyn = ir.ShapedType.get_dynamic_size()
    source = _shape_source(value) if not rt.has_static_shape else value
    values = [tensor.DimOp(source, arith.ConstantOp(ir.IndexType.get(), d).result).result
              for d in range(first, rt.rank) if rt.is_dynamic_dim(d)]
    return values, [dyn if rt.is_dynamic_dim(d) else rt.shape[d] for d in range(first, rt.rank)]


class Stacks:
    """The per-trip record of a loop's carried values: one stack per distinct carried type,
    of shape (trips, values of that type, *the type's shape).

    One stack per type, not per value: two stacks of one type would start from identical
    tensor.empty ops, which CSE merges into one value, and IREE 3.13 then gives both loop
    arguments one buffer, so writes to one stack land in the other (tests/test_iree_traps)."""

    def __init__(self, n: ir.Value, inits: list[ir.Value]):
        keys: dict[str, int] = {}
        self.slots: list[tuple[int, int]] = []  # per carried value: (stack, row in it)
        members: list[list[ir.Value]] = []
        for v in inits:
            g = keys.setdefault(str(v.type), len(keys))
            if g == len(members):
                members.append([])
            self.slots.append((g, len(members[g])))
            members[g].append(v)
        self.inits = []
        for group in members:
            rt = ir.RankedTensorType(group[0].type)
            dims, _ = _sizes(group[0])
            it = iter(dims)
            self.inits.append(tensor.EmptyOp(
                [n, len(group), *[next(it) if rt.is_dynamic_dim(d) else rt.shape[d]
                                  for d in range(rt.rank)]], rt.element_type).result)

    def push(self, stacks: list[ir.Value], carried: list[ir.Value], j: ir.Value
             ) -> list[ir.Value]:
        """`stacks` with trip j's carried values written."""
        stacks = list(stacks)
        off = ir.ShapedType.get_dynamic_stride_or_offset()
        for value, (g, k) in zip(carried, self.slots):
            dims, static = _sizes(value)
            stacks[g] = tensor.InsertSliceOp(
                value, stacks[g], [j], dims, [], [off, k] + [0] * len(static),
                [1, 1, *static], [1] * (len(static) + 2)).result
        return stacks

    def pop(self, stacks: list[ir.Value], j: ir.Value, types: list[ir.Type]
            ) -> list[ir.Value]:
        """Trip j's carried values, read back."""
        off = ir.ShapedType.get_dynamic_stride_or_offset()
        out = []
        for t, (g, k) in zip(types, self.slots):
            dims, static = _sizes(stacks[g], 2)
            out.append(tensor.ExtractSliceOp(
                t, stacks[g], [j], dims, [], [off, k] + [0] * len(static), [1, 1, *static],
                [1] * (len(static) + 2)).result)
        return out


def free_values(o: ir.Operation) -> list[ir.Value]:
    """The values `o`'s regions read that are defined outside them, in first-use order."""
    inner: set[ir.Value] = set()
    for x in (o, *walk(o)):
        if x is not o:
            inner.update(x.results)
        for region in x.regions:
            for block in region.blocks:
                inner.update(block.arguments)
    out: dict[ir.Value, None] = {}
    for x in walk(o):
        for v in x.operands:
            if v not in inner:
                out.setdefault(v)
    return list(out)


def clone_ops(ops: list[ir.Operation], mapping: dict[ir.Value, ir.Value]) -> list[ir.Operation]:
    """Copies of `ops` at the current insertion point, reading `mapping`'s values for the
    ones they name (nested regions included); `mapping` gains the copies' results."""
    out = []
    for x in ops:
        c = x.clone(ir.InsertionPoint.current).operation
        for y in (c, *walk(c)):
            for i, v in enumerate(y.operands):
                if v in mapping:
                    y.operands[i] = mapping[v]
        mapping.update(zip(x.results, c.results))
        out.append(c)
    return out


def _active(body: list[ir.Operation], sources: list[ir.Value]) -> set[ir.Value]:
    """The float values that depend on `sources` (only they get cotangents)."""
    active = {a for a in sources if _is_float(a)}
    for o in body:
        reads = list(o.operands) + (free_values(o) if len(o.regions) else [])
        if any(v in active for v in reads):
            active.update(r for r in o.results if _is_float(r))
    return active


def _operand(v: ir.Value) -> Any:
    """An operand as a rule sees it: a constant as its NumPy value (so a rule can tell that
    `x ** 2` has a constant exponent), anything else as a graph value."""
    owner = v.owner
    if isinstance(owner, ir.OpView) and owner.operation.name == "janus.constant":
        return janus.wrap(owner.operation).attributes()["value"]
    return GraphValue(v)


def _add(a: GraphValue, b: GraphValue) -> GraphValue:
    """a + b of two cotangents of one value. With `?` dims: a linalg.generic whose result
    is sized from a value IREE can resolve (see _shape_source), not from a loop argument."""
    if a.spec.static:
        return a + b
    from ..ops.emit import Emitter, identity_map

    rt = ir.RankedTensorType(a.value.type)
    dims, _ = _sizes(a.value)
    it = iter(dims)
    empty = tensor.EmptyOp([next(it) if rt.is_dynamic_dim(d) else rt.shape[d]
                            for d in range(rt.rank)], rt.element_type).result
    (out,) = Emitter().generic([a.value, b.value], [identity_map(rt.rank)] * 2, [empty],
                               [identity_map(rt.rank)], ["parallel"] * rt.rank,
                               lambda s, x, y, _o: s.op("arith.addf", [x, y]))
    return GraphValue(out)


def _is_float(v: ir.Value) -> bool:
    """A float tensor (scalars of the control flow, like an i1 condition, are not)."""
    return isinstance(v.type, ir.RankedTensorType) and spec_of_type(v.type).dtype.kind == "f"


def _full(like: ir.Value, fill: float) -> GraphValue:
    """`fill` in `like`'s type (its `?` dims read from `like` itself)."""
    spec = spec_of_type(like.type)
    if spec.static:
        built = janus.op_class("full").build(loc=ir.Location.current, shape=spec.shape,
                                             dtype=spec.dtype, value=fill)
        return GraphValue(built.result)
    rt = ir.RankedTensorType(like.type)
    dims, _ = _sizes(like)
    it = iter(dims)
    empty = tensor.EmptyOp([next(it) if rt.is_dynamic_dim(d) else rt.shape[d]
                            for d in range(rt.rank)], rt.element_type).result
    value = arith.ConstantOp(rt.element_type, float(fill)).result
    return GraphValue(linalg.fill(value, outs=[empty]))


def _graph(c: Any, like: ir.Value) -> GraphValue:
    """A rule's cotangent as a graph value of `like`'s type (a rule may give back a NumPy
    constant, e.g. zeros)."""
    if isinstance(c, GraphValue):
        out = c
    else:
        arr = np.asarray(c, dtype=spec_of_type(like.type).dtype)
        out = GraphValue(janus.op_class("constant").build(loc=ir.Location.current,
                                                          value=arr).result)
    if out.value.type != like.type:
        raise PassError(f"a derivative rule gave a cotangent of type {out.value.type} for an "
                        f"operand of type {like.type}")
    return out
