"""IR helpers of the janus-autodiff pass: free values of regions, copies of ops with their
operands remapped, activity, and values (zeros, sums) of `?`-shaped types sized from values
IREE can resolve."""

from __future__ import annotations

from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, linalg, tensor

from ..dialects import janus
from ..dialects.types import spec_of_type
from ..dialects.walk import walk
from ..lang.graph_value import GraphValue
from .registry import PassError


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


def active_values(body: list[ir.Operation], sources: list[ir.Value]) -> set[ir.Value]:
    """The float values that depend on `sources` (only they get cotangents)."""
    active = {a for a in sources if is_float(a)}
    for o in body:
        reads = list(o.operands) + (free_values(o) if len(o.regions) else [])
        if any(v in active for v in reads):
            active.update(r for r in o.results if is_float(r))
    return active


def rule_operand(v: ir.Value) -> Any:
    """An operand as a rule sees it: a constant as its NumPy value (so a rule can tell that
    `x ** 2` has a constant exponent), anything else as a graph value."""
    owner = v.owner
    if isinstance(owner, ir.OpView) and owner.operation.name == "janus.constant":
        return janus.wrap(owner.operation).attributes()["value"]
    return GraphValue(v)


def shape_source(v: ir.Value) -> ir.Value:
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


def sizes(value: ir.Value, first: int = 0) -> tuple[list[ir.Value], list[int]]:
    """(dynamic size values, static sizes with the dynamic marker) of value's dims from
    `first` on: how tensor ops spell a shape with `?` dims."""
    rt = ir.RankedTensorType(value.type)
    dyn = ir.ShapedType.get_dynamic_size()
    source = shape_source(value) if not rt.has_static_shape else value
    values = [tensor.DimOp(source, arith.ConstantOp(ir.IndexType.get(), d).result).result
              for d in range(first, rt.rank) if rt.is_dynamic_dim(d)]
    return values, [dyn if rt.is_dynamic_dim(d) else rt.shape[d] for d in range(first, rt.rank)]


def add(a: GraphValue, b: GraphValue) -> GraphValue:
    """a + b of two cotangents of one value. With `?` dims: a linalg.generic whose result
    is sized from a value IREE can resolve (see _shape_source), not from a loop argument."""
    if a.spec.static:
        return a + b
    from ..ops.emit import Emitter, identity_map

    rt = ir.RankedTensorType(a.value.type)
    dims, _ = sizes(a.value)
    it = iter(dims)
    empty = tensor.EmptyOp([next(it) if rt.is_dynamic_dim(d) else rt.shape[d]
                            for d in range(rt.rank)], rt.element_type).result
    (out,) = Emitter().generic([a.value, b.value], [identity_map(rt.rank)] * 2, [empty],
                               [identity_map(rt.rank)], ["parallel"] * rt.rank,
                               lambda s, x, y, _o: s.op("arith.addf", [x, y]))
    return GraphValue(out)


def is_float(v: ir.Value) -> bool:
    """A float tensor (scalars of the control flow, like an i1 condition, are not)."""
    return isinstance(v.type, ir.RankedTensorType) and spec_of_type(v.type).dtype.kind == "f"


def full(like: ir.Value, fill: float) -> GraphValue:
    """`fill` in `like`'s type (its `?` dims read from `like` itself)."""
    spec = spec_of_type(like.type)
    if spec.static:
        built = janus.op_class("full").build(loc=ir.Location.current, shape=spec.shape,
                                             dtype=spec.dtype, value=fill)
        return GraphValue(built.result)
    rt = ir.RankedTensorType(like.type)
    dims, _ = sizes(like)
    it = iter(dims)
    empty = tensor.EmptyOp([next(it) if rt.is_dynamic_dim(d) else rt.shape[d]
                            for d in range(rt.rank)], rt.element_type).result
    value = arith.ConstantOp(rt.element_type, float(fill)).result
    return GraphValue(linalg.fill(value, outs=[empty]))


def as_graph(c: Any, like: ir.Value) -> GraphValue:
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
