"""Converting one call of a function into a janus graph: the frontend's entry point.

`convert(fn, params, policy)` converts the function's AST speculatively against the values of one
call (`params`, the bound arguments) and returns the janus module together with everything the
runtime needs: which sources feed the graph's arguments, how to rebuild the Python return value
from its results, and the guards and assumptions the graph relies on.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any

from iree.compiler import ir

from ..dialects.verifier import verify_module
from .builder import GraphBuilder, GraphInput, InGraphGuard
from .calls import TensorMethod
from .converter import Conversion, FunctionConverter, parse_function
from .errors import Unconvertible
from .lift import HostObject, Lifter, Policy
from .sources import Frame, Guard, Param, Source
from .values import ARRAY, Tensor, is_tensor

# Output template leaves: ("out", index, kind) for a graph result; ("source", Source) for an
# object of the call returned as is; ("static", value) for a value known at conversion time.
Template = Any


@dataclass
class ConvertedGraph:
    module: ir.Module
    inputs: list[GraphInput]
    output_template: Template
    output_kinds: list[str]
    entry_guards: list[Guard]
    assumptions: list[Guard]
    in_graph_guards: list[InGraphGuard]
    functions: dict[str, types.FunctionType]
    name: str


def convert(fn: types.FunctionType, params: dict[str, Any], policy: Policy) -> ConvertedGraph:
    _, filename, first_line = parse_function(fn)
    builder = GraphBuilder(filename)
    builder.line = first_line
    functions: dict[str, types.FunctionType] = {"": fn}
    frame = Frame(params, functions)  # inlined helpers register here as they are met
    lifter = Lifter(builder, frame, policy)
    conv = Conversion(builder, lifter, functions)
    env = {name: lifter.read(Param(name)) for name in params}
    result = FunctionConverter(conv, fn, "", env).run()
    outputs: list[Tensor] = []
    template = _template(builder, result, outputs, {})
    module = builder.finish(outputs)
    problems = verify_module(module)
    if problems:  # a converter bug: never hand IREE invalid IR
        raise Unconvertible(f"internal: generated IR does not verify: {problems[0]}",
                            builder.where)
    return ConvertedGraph(
        module=module,
        inputs=builder.inputs,
        output_template=template,
        output_kinds=[t.kind for t in outputs],
        entry_guards=list(lifter.entry_guards.values()),
        assumptions=list(lifter.assumptions.values()),
        in_graph_guards=builder.guards,
        functions=dict(conv.functions),
        name=fn.__name__,
    )


def _template(b: GraphBuilder, value: Any, outputs: list[Tensor], seen: dict[int, int]) -> Template:
    if is_tensor(value):
        if not value.fresh and value.source is not None and value.kind == ARRAY:
            return ("source", value.source)  # the caller's own array object, returned as is
        if id(value) not in seen:
            seen[id(value)] = len(outputs)
            outputs.append(value)
        return ("out", seen[id(value)], value.kind)
    if isinstance(value, HostObject):
        return ("source", value.source)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, [_template(b, v, outputs, seen) for v in value])
    if isinstance(value, dict):
        return ("dict", [(k, _template(b, v, outputs, seen)) for k, v in value.items()])
    if isinstance(value, TensorMethod):
        raise Unconvertible("returning a bound ndarray method is not converted", b.where)
    return ("static", value)


def rebuild(template: Template, results: list[Any], frame: Frame) -> Any:
    """The Python return value from the graph's results (as NumPy would have produced it)."""
    tag = template[0]
    if tag == "out":
        return results[template[1]]
    if tag == "source":
        src: Source = template[1]
        return src.get(frame)
    if tag == "static":
        return template[1]
    if tag == "dict":
        return {k: rebuild(t, results, frame) for k, t in template[1]}
    items = [rebuild(t, results, frame) for t in template[1]]
    return tuple(items) if tag == "tuple" else items
