"""The graphs of one compiled function, and what was learnt per signature.

A signature is the types, ranks and dtypes of the top-level arguments (not the shapes, which may
become symbolic). Per signature the cache keeps the profile of the imperative calls, the policy
the converter follows, and why conversion stopped if it did. A miss whose cause is a list of
another length or an array of another shape relaxes that signature's policy (`relax_on_miss`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..speculation.assumptions import Kind
from ..speculation.policy import Policy
from ..speculation.profile import Profile
from ..speculation.sources import Frame, Source
from .graph import CompiledGraph


@dataclass
class SignatureState:
    """What the profiler saw for calls of one signature (argument types, shapes, dtypes)."""

    calls: int = 0
    scalar_values: dict[Source, set[Any]] = field(default_factory=dict)
    unconvertible: str | None = None
    policy: Policy = field(default_factory=Policy)
    profile: Profile = field(default_factory=Profile)  # branch outcomes, trip counts, ...
    runner: Callable[..., Any] | None = None  # the instrumented copy that fills `profile`
    extra_profiles: int = 0  # profiling calls added because a branch had not been reached
    static_shapes: str | None = None  # why symbolic dims were given up (one graph per shape)


def signature_key(params: dict[str, Any]) -> tuple:
    """Types, ranks and dtypes of the top-level arguments (what the profile is grouped by),
    and which array arguments are one object or overlap in memory: a call whose aliasing stops
    the conversion (`f(z[1:], z[:-1])` writing one of them) does not stop the calls without it."""
    out = []
    arrays: list[np.ndarray] = []
    for name, v in params.items():
        if isinstance(v, np.ndarray):  # not the shape: it may become symbolic
            alias = next((("is" if v is a else "overlaps", k) for k, a in enumerate(arrays)
                          if v is a or np.may_share_memory(v, a)), None)
            arrays.append(v)
            out.append((name, "ndarray", v.ndim, v.dtype.str, v.flags.c_contiguous, alias))
        else:
            out.append((name, type(v)))
    return tuple(out)


class GraphCache:
    def __init__(self) -> None:
        self.graphs: list[CompiledGraph] = []
        self.states: dict[tuple, SignatureState] = {}
        self.capped: str | None = None  # why no more graphs are compiled (the graph cap)

    def find(self, params: dict[str, Any]) -> tuple[CompiledGraph, Frame] | None:
        """The first graph whose entry guards hold for this call, with the call's frame."""
        for graph in self.graphs:
            frame = graph.frame(params)
            if graph.matches(frame):
                return graph, frame
        return None

    def state_for(self, params: dict[str, Any]) -> SignatureState:
        return self.states.setdefault(signature_key(params), SignatureState())

    def relax_on_miss(self, params: dict[str, Any], state: SignatureState) -> list[str]:
        """No graph matched: where a graph missed only because a list has another length or
        an array another shape, relax `state`'s policy. Returns what was relaxed, in words."""
        notes = []
        for graph in self.graphs:
            frame = graph.frame(params)
            for g in graph.spec.entry_guards:
                if g.check(frame):
                    continue
                if g.kind == Kind.LEN:
                    notes += _relax_length(g, frame, state)
                elif g.kind == Kind.ARRAY and not state.static_shapes:
                    notes += _relax_shape(g, frame, state)
        return notes


def _relax_length(g: Any, frame: Frame, state: SignatureState) -> list[str]:
    """A list of arrays (or of tuples of arrays) of another length: from now on it is one
    stacked input per position and loops over it run over its first axis (frontend/stacked.py)."""
    try:
        value = g.source.get(frame)
    except Exception:
        return []
    if (type(value) in (list, tuple) and any(
            type(v) is np.ndarray or (type(v) in (tuple, list) and v
                                      and all(type(a) is np.ndarray for a in v))
            for v in value) and state.policy.length_changed(g.source)):
        return [f"{g.source} has another length ({len(value)}, was {g.expected}): it becomes "
                "one stacked input of any length"]
    return []


def _relax_shape(g: Any, frame: Frame, state: SignatureState) -> list[str]:
    """An array of another shape: the axes that differ become the graph's symbolic dim (where
    the ops allow; otherwise one graph per shape)."""
    shape, dtype, c_order = g.expected
    try:
        value = g.source.get(frame)
    except Exception:
        return []
    if (type(value) is not np.ndarray or value.ndim != len(shape) or value.dtype != dtype
            or value.flags.c_contiguous != c_order or not all(type(d) is int for d in shape)):
        return []
    axes = tuple(i for i, (d, e) in enumerate(zip(shape, value.shape)) if d != e)
    if state.policy.shape_changed(g.source, axes):
        return [f"{g.source} has shape {value.shape} (was {shape}): axes {list(axes)} become "
                "a symbolic dim"]
    return []
