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
from dataclasses import dataclass
from typing import Any

from iree.compiler import ir

from ..dialects.types import TensorSpec
from .assumptions import Guard, Kind
from .sources import Source

# What NumPy hands the user for a graph value (its `kind`).
ARRAY = "array"  # numpy.ndarray (any rank)
NP_SCALAR = "npscalar"  # numpy.float32(...) etc.: what ufuncs return for rank-0 results
PY_SCALAR = "pyscalar"  # Python int/float/bool: weak under NEP 50

# Output template nodes: ("out", index, kind) for a graph result; ("source", Source) for an
# object of the call returned as is; ("static", value) for an immutable value known at
# conversion time; ("view", base, steps) for a NumPy view of a base; ("either", flag, a, b)
# for a or b as the test at results[flag] was true or not; ("obj", key, node) and
# ("same", key) keep the identity of objects returned more than once; containers by type.
Template = Any


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
