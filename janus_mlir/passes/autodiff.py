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
backward ops with the forward ones. Intermediates are saved, not recomputed: every forward
value stays available to the backward ops. Ops that are not janus ops (control flow) cannot
be differentiated yet and fail the pass with a located error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects import janus
from ..dialects.types import spec_of_type
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
        grads = backward(body, yielded[0], args)
    stand_in = dict(zip(args, op.operands))
    for arg, operand in stand_in.items():
        arg.replace_all_uses_with(operand)
    new = [stand_in.get(v, v) for v in yielded] + grads
    for old, value in zip(op.results, new, strict=True):
        old.replace_all_uses_with(value)
    op.erase()


def backward(body: list[ir.Operation], value: ir.Value, args: list[ir.Value]
             ) -> list[ir.Value]:
    """The cotangents of `args`, emitted at the current insertion point."""
    active = _active(body, args)
    cot: dict[ir.Value, GraphValue] = {value: _full(value, 1)} if value in active else {}
    for o in reversed(body):
        gs = [cot.pop(r, None) for r in o.results]
        if all(g is None for g in gs):
            continue
        if not o.name.startswith(janus.PREFIX):
            raise PassError(f"cannot differentiate through '{o.name}' yet", o.location)
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
        for v, c in zip(o.operands, cots, strict=True):
            if c is None or v not in active:
                continue
            c = _graph(c, v)
            cot[v] = c if v not in cot else cot[v] + c
    return [cot[a].value if a in cot else _full(a, 0).value for a in args]


def _active(body: list[ir.Operation], args: list[ir.Value]) -> set[ir.Value]:
    """The float values that depend on `args` (only they get cotangents)."""
    active = {a for a in args if _is_float(a)}
    for o in body:
        if any(v in active for v in o.operands):
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
    return spec_of_type(v.type).dtype.kind == "f"


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
