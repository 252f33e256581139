"""Reverse mode through loops whose trip count is known only when the graph runs.

`scf.for`: the loop is replaced by one that also records the values it carries into each trip
(`Stacks`); a reverse loop walks the trips from the last, recomputes each from its record and
runs it backwards. `scf.while`: a counting copy of the loop gives the trip count first.
"""

from __future__ import annotations

from typing import Any

from iree.compiler import ir
from iree.compiler.dialects import arith, scf, tensor

from ..lang.graph_value import GraphValue
from .autodiff_backward import REGION_ADJOINTS, backward, seeds_of
from .autodiff_ir import add, clone_ops, free_values, full, is_float, sizes


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
    floats = [i for i, v in enumerate(inits) if is_float(v)]
    with ir.InsertionPoint(o), o.location:
        n = _trip_count(lb, ub, step)
        recording, record, stacks = _recording_loop(o, n)
    for old, new in zip(o.results, recording.results):
        old.replace_all_uses_with(new)
    seeds = [g if g is not None else full(r, 0) for g, r in zip(gs, recording.results)]
    accum = [full(v, 0) for v in free]
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
            seed[y] = GraphValue(g) if y not in seed else add(seed[y], GraphValue(g))
        wanted = [carried[i] for i in floats] + free
        cots = backward(ops, seed, wanted)
        out = [(c if c is not None else full(v, 0)).value for c, v in zip(cots, wanted)]
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
    floats = [i for i, v in enumerate(inits) if is_float(v)]
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
    seed = seeds_of(forward[-1].operands[1:], gs, mapping)
    wanted = [last[i] for i in floats] + free
    first = backward(ops, seed, wanted)
    carried0 = [(first[k] if first[k] is not None else full(last[i], 0)).value
                for k, i in enumerate(floats)]
    accum0 = [(c if c is not None else full(v, 0)).value
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
            seed[y] = GraphValue(g) if y not in seed else add(seed[y], GraphValue(g))
        wanted = [c_j[i] for i in floats] + free
        cots = backward(ops, seed, wanted)
        out = [(c if c is not None else full(v, 0)).value for c, v in zip(cots, wanted)]
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
            dims, _ = sizes(group[0])
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
            dims, static = sizes(value)
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
            dims, static = sizes(stacks[g], 2)
            out.append(tensor.ExtractSliceOp(
                t, stacks[g], [j], dims, [], [off, k] + [0] * len(static), [1, 1, *static],
                [1] * (len(static) + 2)).result)
        return out


REGION_ADJOINTS["scf.for"] = _for_adjoint
REGION_ADJOINTS["scf.while"] = _while_adjoint
