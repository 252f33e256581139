"""The contract between the frontend and the runtime: what a converted graph is, apart from how
it was converted.

A `GraphSpec` holds the janus module, where each of its inputs comes from (a Source read from the
call, or computed on the host from it: a stacked list, a recursion schedule), how to rebuild the
Python return value from its results (the output template, frontend/convert.py), and the
assumptions it relies on: entry guards checked on the host before it runs, in-graph guards
checked while it runs. The runtime compiles and calls graphs from this alone.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any

from iree.compiler import ir

from ..dialects.types import TensorSpec
from .assumptions import Guard, Kind
from .sources import Frame, Source
from .views import numpy_view

# What NumPy hands the user for a graph value (its `kind`).
ARRAY = "array"  # numpy.ndarray (any rank)
NP_SCALAR = "npscalar"  # numpy.float32(...) etc.: what ufuncs return for rank-0 results
PY_SCALAR = "pyscalar"  # Python int/float/bool: weak under NEP 50

# Output template nodes: ("out", index, kind) for a graph result; ("source", Source) for an
# object of the call returned as is; ("static", value) for an immutable value known at
# conversion time; ("view", base, steps) for a NumPy view of a base; ("either", flag, a, b)
# for a or b as the test at results[flag] was true or not; ("obj", key, node) and
# ("same", key) keep the identity of objects returned more than once; ("tolist", base) and
# ("item", parent, key) for lists made by ndarray.tolist and their rows; ("rows", base, kind)
# for a list of scalars a run-time loop appended; ("format", parts) for a string made from
# results (parts: text, or (template, conversion, format spec)); containers by type.
Template = Any

_CONVERSIONS = {None: lambda v: v, "s": str, "r": repr, "a": ascii}


@dataclass(frozen=True)
class GraphInput:
    """One argument of the graph: read from `source` (evaluated against the call's frame)."""

    source: Source
    spec: TensorSpec
    kind: str


@dataclass(frozen=True)
class InGraphGuard:
    """An assumption on a value the graph computes (a `janus.guard` op, numbered `id`)."""

    id: int
    kind: Kind
    where: str
    message: str
    site: Any = None  # the speculation site (speculation.profile.Site) it checks, if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))

    def describe(self) -> str:
        return f"{self.where}: {self.message} (checked in the graph)"

    __str__ = describe


@dataclass
class GraphSpec:
    module: ir.Module
    inputs: list[GraphInput]
    output_template: Template
    output_kinds: list[str]
    entry_guards: list[Guard]
    assumptions: list[Guard]
    in_graph_guards: list[InGraphGuard]
    functions: dict[str, types.FunctionType]  # scopes whose globals and cells sources read
    name: str
    # The write plan (runtime/commit.py), committed once the graph has succeeded: per janus.effect
    # op (by id), its template and the kinds of its operands; ("out", i) in a template is its
    # i-th operand (janus-lower-state makes the operands results of the function).
    # ("write", source, 0): the caller's array at source gets the operand's contents;
    # ("setattr", object source, name, template); ("setitem", container source, key, template);
    # ("call", container source, method name, [argument templates]);
    # ("setname", GlobalVar | ClosureVar, template);
    # ("print", [templates], sep, end, file source or None, flush);
    # ("when", flag template, taken, effect): the effect if bool(flag) is taken.
    effects: list[tuple[Template, list[str]]] = field(default_factory=list)
    effect_notes: list[str] = field(default_factory=list)  # "file:line: kind target" each


def rebuild(template: Template, results: list[Any], frame: Frame,
            memo: dict[int, Any] | None = None) -> Any:
    """The Python return value from the graph's results (as NumPy would have produced it)."""
    memo = memo if memo is not None else {}
    tag = template[0]
    if tag == "obj":
        value = memo[template[1]] = rebuild(template[2], results, frame, memo)
        return value
    if tag == "same":
        return memo[template[1]]
    if tag == "out":
        return results[template[1]]
    if tag == "source":
        src: Source = template[1]
        return src.get(frame)
    if tag == "static":
        return template[1]
    if tag == "rows":  # Python numbers, NumPy scalars of the base's dtype, or arrays
        base = rebuild(template[1], results, frame, memo)
        if template[2] == PY_SCALAR:
            return base.tolist()
        if template[2] == ARRAY:  # each item its own array, as each append was
            return [row.copy() for row in base]
        return list(base)
    if tag == "tolist":
        return rebuild(template[1], results, frame, memo).tolist()
    if tag == "item":
        return rebuild(template[1], results, frame, memo)[rebuild(template[2], results, frame,
                                                                  memo)]
    if tag == "view":
        return numpy_view(rebuild(template[1], results, frame, memo), template[2])
    if tag == "either":  # the side the branch took: results[flag] is its test
        return rebuild(template[2] if results[template[1]] else template[3], results, frame,
                       memo)
    if tag == "format":  # an f-string or str() of graph values
        return "".join(p if type(p) is str else format(
            _CONVERSIONS[p[1]](rebuild(p[0], results, frame, memo)), p[2]) for p in template[1])
    if tag == "dict":
        return {k: rebuild(t, results, frame, memo) for k, t in template[1]}
    if tag == "namedtuple":
        return template[1](*[rebuild(t, results, frame, memo) for t in template[2]])
    items = [rebuild(t, results, frame, memo) for t in template[1]]
    return tuple(items) if tag == "tuple" else items
