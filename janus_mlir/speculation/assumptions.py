"""What a graph assumes, as data: the kinds of assumption, and the guards that check them.

A guard is a source, what kind of check, and what was expected, so a failed guard prints as a
readable sentence and maps back to the same assumption across rebuilds: its `key` (kind and
source for a host guard) is what the policy counts failures by.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from .sources import Frame, Source, getter


class Kind(StrEnum):
    """Every kind of assumption a graph may make. The host kinds are checked before the graph
    runs (`Guard`); the in-graph kinds by `janus.guard` ops, on values the graph computes."""

    # host: on a source of the call
    ARRAY = "array"  # an ndarray of (shape, dtype, C-contiguous); a shape may hold symbolic dims
    TYPE = "type"  # type(v) is expected
    VALUE = "value"  # a Python scalar: type and == expected
    IDENTITY = "identity"  # v is expected
    METHOD = "method"  # a bound method of the function expected
    BOUND = "bound"  # a built-in method of expected = (object, name): np.random.normal, ...
    LEN = "len"  # a container of length expected
    SAME = "same"  # (v is other) is as expected = (other source, bool)
    HAS = "has"  # (key in v) is as expected = (key, bool)
    HAS_ATTR = "has_attr"  # hasattr(v, name) is as expected = (name, bool)
    KEYS = "keys"  # a dict with exactly the keys expected, in order
    STACK = "stack"  # a list or tuple of ndarrays of expected = (shape, dtype), any length
    # a list or tuple of tuples (or lists: expected[0]) of ndarrays, one (shape, dtype) per
    # position (expected[1]), any length
    STACK_FIELDS = "stack_fields"
    SAME_DIM = "same_dim"  # v.shape[a] == other.shape[b] for expected = (a, other source, b)
    SCHEDULE = "schedule"  # every node of a tree fits a case of the recursion plan expected
    # expected = (written sources, other sources): the arrays at the written sources are
    # writeable and share no memory with each other or with the arrays at the other sources
    # (or the items of the lists among them): the graph writes them back in place
    DISJOINT = "disjoint"
    # in the graph
    BRANCH = "branch"  # a branch on array data goes the profiled way
    TRIP_COUNT = "trip_count"  # a loop carrying retyped values runs at least once
    BOUNDS = "bounds"  # indices are in range (NumPy raises IndexError otherwise)
    ERROR = "error"  # the plain call would raise here (the fallback raises it)

    @property
    def on_host(self) -> bool:
        return self not in _IN_GRAPH


_IN_GRAPH = frozenset({Kind.BRANCH, Kind.TRIP_COUNT, Kind.BOUNDS, Kind.ERROR})
# The question part of a query kind's `expected` (its answer is the rest).
_QUERIES: dict[Kind, Callable[[Any], Any]] = {
    Kind.HAS: lambda e: e[0], Kind.HAS_ATTR: lambda e: e[0], Kind.SAME: lambda e: e[0],
    Kind.SAME_DIM: lambda e: e}


@dataclass(frozen=True)
class Guard:
    """A host-side check on one source: `kind` says what (see Kind), `expected` against what,
    `where` the user's file:line that relies on it. An 'array' shape may hold symbolic dims
    (any size >= 2)."""

    source: Source
    kind: Kind
    expected: Any
    where: str = ""

    def __post_init__(self) -> None:
        kind = Kind(self.kind)  # a kind that does not exist fails here, not at check time
        if not kind.on_host:
            raise ValueError(f"{kind} is checked in the graph, not by a host guard")
        object.__setattr__(self, "kind", kind)

    @property
    def key(self) -> tuple[Any, ...]:
        """The assumption across rebuilds: what the policy counts failures by, and what tells
        one guard of a graph from another. A query kind asked of one source more than once
        (`"a" in d` and `"b" in d`) is one assumption per question."""
        if self.kind in _QUERIES:
            return (self.kind, self.source, _QUERIES[self.kind](self.expected))
        return (self.kind, self.source)

    def check(self, frame: Frame) -> bool:
        """Whether the guard holds for this call (False where its source cannot be read)."""
        try:
            return bool(self.compiled(frame))
        except CHECK_FAILURES:
            return False

    @functools.cached_property
    def compiled(self) -> Callable[[Frame], bool]:
        """The check as one closure specialised to its kind; it may raise CHECK_FAILURES
        where the value does not fit (runtime/plan.py runs many of them in one try)."""
        return compile_check(self)

    def describe(self) -> str:
        if self.kind == Kind.ARRAY:
            shape, dtype, c_order = self.expected
            shape = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
            text = (f"{self.source} is an ndarray of shape {shape} and dtype "
                    f"{np.dtype(dtype).name}" + ("" if c_order else ", not C-contiguous"))
        elif self.kind == Kind.TYPE:
            text = f"{self.source} is a {self.expected.__name__}"
        elif self.kind == Kind.VALUE:
            text = f"{self.source} == {self.expected!r}"
        elif self.kind in (Kind.IDENTITY, Kind.METHOD):
            text = f"{self.source} is {_name_of(self.expected)}"
        elif self.kind == Kind.BOUND:
            text = f"{self.source} is the built-in {self.expected[1]} of its generator"
        elif self.kind == Kind.SAME:
            text = f"({self.source} is {self.expected[0]}) is {self.expected[1]}"
        elif self.kind == Kind.HAS:
            text = f"({self.expected[0]!r} in {self.source}) is {self.expected[1]}"
        elif self.kind == Kind.HAS_ATTR:
            text = f"hasattr({self.source}, {self.expected[0]!r}) is {self.expected[1]}"
        elif self.kind == Kind.KEYS:
            text = f"{self.source} has keys {list(self.expected)!r}"
        elif self.kind == Kind.SAME_DIM:
            axis, other, other_axis = self.expected
            text = f"{self.source}.shape[{axis}] == {other}.shape[{other_axis}]"
        elif self.kind == Kind.DISJOINT:
            written = ", ".join(str(o) for o in self.expected[0])
            others = ", ".join(str(o) for o in self.expected[1])
            shared = (f"each other or with {others}" if others else "each other")
            text = f"{written} (written in place) are writeable and share no memory with {shared}"
        elif self.kind == Kind.SCHEDULE:
            text = (f"every node under {self.source} fits one of the {len(self.expected.cases)} "
                    f"cases {self.expected.name} was converted for")
        elif self.kind == Kind.STACK_FIELDS:
            fields = ", ".join(f"{s} {np.dtype(d).name}" for s, d in self.expected[1])
            text = (f"{self.source} holds {self.expected[0].__name__}s of ndarrays ({fields}) "
                    "(any number of them)")
        elif self.kind == Kind.STACK:
            text = (f"{self.source} holds ndarrays of shape {self.expected[0]} and dtype "
                    f"{np.dtype(self.expected[1]).name} (any number of them)")
        else:
            text = f"len({self.source}) == {self.expected}"
        return f"{self.where}: {text}" if self.where else text

    __str__ = describe


def _name_of(obj: Any) -> str:
    if isinstance(obj, type(np)):
        return f"module {obj.__name__}"
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    return f"{name}" if name else repr(obj)


# ---------------------------------------------------------------------------------------------
# Checks as closures: each guard's semantics, written once
# ---------------------------------------------------------------------------------------------

CHECK_FAILURES = (LookupError, AttributeError, TypeError, ValueError)


def compile_check(guard: Guard, getter_of: Callable[[Source], Callable[[Any], Any]] = getter
                  ) -> Callable[[Any], bool]:
    """`guard`'s check (see Guard's kinds) specialised to its kind, reading every source it
    names through `getter_of(source)` (a Frame's by default; runtime/plan.py also reads a call's
    positional arguments directly). A schedule guard needs the Frame itself."""
    get, kind, expected = getter_of(guard.source), guard.kind, guard.expected
    if kind == Kind.ARRAY:
        shape, dtype, c_order = expected
        dtype = np.dtype(dtype)
        ndarray = np.ndarray
        if all(type(d) is int for d in shape):
            return lambda f: (type(v := get(f)) is ndarray and v.shape == shape
                              and v.dtype == dtype and v.flags.c_contiguous == c_order)
        fixed = [(i, d) for i, d in enumerate(shape) if type(d) is int]
        symbolic = [i for i, d in enumerate(shape) if type(d) is not int]
        ndim = len(shape)
        return lambda f: (type(v := get(f)) is ndarray and v.ndim == ndim
                          and all(v.shape[i] == d for i, d in fixed)
                          and all(v.shape[i] >= 2 for i in symbolic)
                          and v.dtype == dtype and v.flags.c_contiguous == c_order)
    if kind == Kind.SAME_DIM:  # v.shape[axis] == other.shape[other_axis]
        axis, other, other_axis = expected[0], getter_of(expected[1]), expected[2]
        return lambda f: get(f).shape[axis] == other(f).shape[other_axis]
    if kind == Kind.TYPE:
        return lambda f: type(get(f)) is expected
    if kind == Kind.VALUE:
        want = type(expected)
        if expected != expected:  # NaN: a NaN speculated equal to itself
            return lambda f: type(v := get(f)) is want and v != v
        if isinstance(expected, float | np.floating) and expected == 0:
            # -0.0 == 0.0, but 1 / x tells them apart: the sign must match too
            sign = math.copysign(1.0, expected)
            return lambda f: (type(v := get(f)) is want and v == 0
                              and math.copysign(1.0, v) == sign)
        return lambda f: type(v := get(f)) is want and v == expected
    if kind == Kind.IDENTITY:
        return lambda f: get(f) is expected
    if kind == Kind.METHOD:
        return lambda f: getattr(get(f), "__func__", None) is expected
    if kind == Kind.BOUND:
        owner, name = expected
        return lambda f: getattr(v := get(f), "__self__", None) is owner and v.__name__ == name
    if kind == Kind.LEN:
        return lambda f: len(get(f)) == expected
    if kind == Kind.SAME:  # `v is other` gave `expected[1]`
        other, same = getter_of(expected[0]), expected[1]
        return lambda f: (get(f) is other(f)) == same
    if kind == Kind.HAS:  # `key in v` gave `expected[1]`
        key, present = expected
        return lambda f: (key in get(f)) == present
    if kind == Kind.HAS_ATTR:  # the object's class has no __getattr__ (host.has_attribute)
        name, present = expected
        return lambda f: hasattr(get(f), name) == present
    if kind == Kind.KEYS:
        return lambda f: type(v := get(f)) is dict and tuple(v) == expected
    if kind == Kind.SCHEDULE:  # a tree whose every node fits a case of the plan `expected`
        return lambda f: expected.build(get(f), f) is not None
    if kind == Kind.STACK_FIELDS:  # a list of tuples of arrays, one shape and dtype per place
        container = expected[0]
        fields = [(shape, np.dtype(dtype)) for shape, dtype in expected[1]]
        ndarray, n = np.ndarray, len(fields)
        return lambda f: all(
            type(t) is container and len(t) == n and all(
                type(a) is ndarray and a.shape == s and a.dtype == d
                for a, (s, d) in zip(t, fields)) for t in get(f))
    if kind == Kind.STACK:  # a list or tuple of arrays of one shape and dtype, any length
        shape, dtype = expected[0], np.dtype(expected[1])
        ndarray = np.ndarray
        return lambda f: all(type(a) is ndarray and a.shape == shape and a.dtype == dtype
                             for a in get(f))
    if kind == Kind.DISJOINT:
        written = [getter_of(s) for s in expected[0]]
        others = [getter_of(s) for s in expected[1]]
        return lambda f: disjoint([w(f) for w in written], [o(f) for o in others])
    raise ValueError(f"unknown guard kind {kind}")


def disjoint(written: list[Any], others: list[Any]) -> bool:
    """Whether the arrays `written` are writeable ndarrays sharing no memory with each other or
    with `others` (arrays, or lists and tuples of them). Arrays that own their memory overlap
    only when they are one object: then one pass over identities decides."""
    ndarray = np.ndarray
    if not all(type(w) is ndarray and w.flags.writeable for w in written):
        return False
    if all(w.base is None for w in written) and all(
            type(o) is ndarray and o.base is None for o in others):
        ids = {id(w) for w in written}
        return len(ids) == len(written) and not any(id(o) in ids for o in others)
    return not any(overlaps(w, v) for i, w in enumerate(written)
                   for v in (*written[i + 1:], *others))


def overlaps(target: np.ndarray, other: Any) -> bool:
    """Whether `other` (an array, or a list or tuple of them) may share memory with `target`.
    Two arrays that each own their memory overlap only if they are one object."""
    if type(other) is np.ndarray:
        if target.base is None and other.base is None:
            return target is other
        return bool(np.may_share_memory(target, other))
    if type(other) in (list, tuple):  # the items of a stacked list (or their fields)
        return any(overlaps(target, item) for item in other)
    return False
