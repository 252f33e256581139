"""The backward walk of janus-autodiff: cotangents through a list of ops, in reverse.

Each janus op's derivative rule comes from the registry (NumPy code over `lang.GraphValue`s
that emits the ops); `scf.if` is differentiated by an `scf.if` on the same condition whose
sides recompute that side's forward ops and run them backwards; slices at run-time offsets
and barriers have their own adjoints; the loops register theirs (autodiff_loops.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iree.compiler import ir
from iree.compiler.dialects import scf, tensor

from ..dialects import janus
from ..lang.graph_value import GraphValue
from ..ops.registry import lookup
from .autodiff_ir import active_values, add, as_graph, clone_ops, free_values, full, rule_operand
from .registry import PassError


def backward(body: list[ir.Operation], seeds: dict[ir.Value, GraphValue],
             wanted: list[ir.Value]) -> list[GraphValue | None]:
    """The cotangents of `wanted` (None: zero) given those of some values of `body` (`seeds`),
    emitted at the current insertion point."""
    active = active_values(body, wanted)
    cot: dict[ir.Value, GraphValue] = {v: g for v, g in seeds.items() if v in active}
    for o in reversed(body):
        gs = [cot.pop(r, None) for r in o.results]
        if all(g is None for g in gs):
            continue
        if o.name in REGION_ADJOINTS:
            operand_cots = REGION_ADJOINTS[o.name](o, gs, active)
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
            c = as_graph(c, v)
            cot[v] = c if v not in cot else add(cot[v], c)
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
            cots = rule(g, GraphValue(o.results[0]), *[rule_operand(v) for v in o.operands],
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
                    seeds[y] = g if y not in seeds else add(seeds[y], g)
            cots = backward(ops, seeds, free)
            scf.YieldOp([(c if c is not None else full(v, 0)).value
                         for c, v in zip(cots, free)])
    return list(zip(free, (GraphValue(r) for r in adjoint.results)))


def seeds_of(values: Any, gs: list[GraphValue | None], mapping: dict[ir.Value, ir.Value]
           ) -> dict[ir.Value, GraphValue]:
    """Cotangents `gs` of `values` (mapped), summed where a value repeats."""
    seeds: dict[ir.Value, GraphValue] = {}
    for y, g in zip(values, gs):
        if g is not None:
            y = mapping.get(y, y)
            seeds[y] = g if y not in seeds else add(seeds[y], g)
    return seeds


def _extract_slice_adjoint(o: ir.Operation, gs: list[GraphValue | None]
                           ) -> list[tuple[ir.Value, Any]]:
    """tensor.extract_slice backwards: the cotangent inserted at the slice of zeros."""
    (g,) = gs
    view = o.opview
    with o.location:
        zeros = full(view.source, 0)
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
        dest = tensor.InsertSliceOp(full(view.source, 0).value, g.value, view.offsets,
                                    view.sizes, view.strides, view.static_offsets,
                                    view.static_sizes, view.static_strides).result
    return [(view.source, GraphValue(source)), (view.dest, GraphValue(dest))]


_SLICES = {"tensor.extract_slice": _extract_slice_adjoint,
           "tensor.insert_slice": _insert_slice_adjoint}

# Control-flow ops -> their adjoint (op, result cotangents, active values) -> (operand or
# outer value, cotangent) pairs; the loops register theirs (autodiff_loops.py).
REGION_ADJOINTS: dict[str, Callable[..., list[tuple[ir.Value, Any]]]] = {"scf.if": _if_adjoint}
