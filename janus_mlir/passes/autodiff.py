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
ops and run them backwards. Other control flow fails the pass with a located error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import scf

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
        elif o.name.startswith(janus.PREFIX):
            operand_cots = _op_adjoint(o, gs)
        else:
            raise PassError(f"cannot differentiate through '{o.name}' yet", o.location)
        for v, c in operand_cots:
            if c is None or v not in active:
                continue
            c = _graph(c, v)
            cot[v] = c if v not in cot else cot[v] + c
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
            ops = clone_ops(forward[:-1], mapping)
            seeds: dict[ir.Value, GraphValue] = {}
            for y, g in zip(forward[-1].operands, gs):
                if g is not None:
                    y = mapping.get(y, y)
                    seeds[y] = g if y not in seeds else seeds[y] + g
            cots = backward(ops, seeds, free)
            scf.YieldOp([(c if c is not None else _full(v, 0)).value
                         for c, v in zip(cots, free)])
    return list(zip(free, (GraphValue(r) for r in adjoint.results)))


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


def _is_float(v: ir.Value) -> bool:
    """A float tensor (scalars of the control flow, like an i1 condition, are not)."""
    return isinstance(v.type, ir.RankedTensorType) and spec_of_type(v.type).dtype.kind == "f"


def _full(like: ir.Value, fill: float) -> GraphValue:
    spec = spec_of_type(like.type)
    built = janus.op_class("full").build(loc=ir.Location.current, shape=spec.shape,
                                         dtype=spec.dtype, value=fill)
    return GraphValue(built.result)


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
