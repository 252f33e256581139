"""Where a value read by a converted function comes from, and the guards placed on it.

A source is a path from the call's inputs (`x`, `model.W1`, `params[2]`, global `LR`); evaluating it
on a later call fetches that call's value. Guards are data, not code: a source, what kind of check,
and what was expected, so a failed guard prints as a readable sentence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


class Frame:
    """What sources are evaluated against: the call's bound arguments, and the functions whose
    globals and closure cells the graph reads (by scope: "" is the compiled function itself)."""

    def __init__(self, params: dict[str, Any], functions: dict[str, Any]):
        self.params = params
        self.functions = functions
        self.cache: dict[Any, Any] = {}  # host work shared by this call's guards and inputs


@dataclass(frozen=True)
class Source:
    def get(self, frame: Frame) -> Any:
        raise LookupError(f"{self} cannot be evaluated")


@dataclass(frozen=True)
class Param(Source):
    name: str

    def get(self, frame: Frame) -> Any:
        return frame.params[self.name]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class GlobalVar(Source):
    """A global of the function's module, or of an inlined helper's module (`scope` names it)."""

    name: str
    scope: str = ""

    def get(self, frame: Frame) -> Any:
        return frame.functions[self.scope].__globals__[self.name]

    def __str__(self) -> str:
        return f"global {self.name}"


@dataclass(frozen=True)
class ClosureVar(Source):
    name: str
    scope: str = ""

    def get(self, frame: Frame) -> Any:
        fn = frame.functions[self.scope]
        cell = fn.__closure__[fn.__code__.co_freevars.index(self.name)]
        return cell.cell_contents

    def __str__(self) -> str:
        return f"closure variable {self.name}"


@dataclass(frozen=True)
class AttrOf(Source):
    base: Source
    attr: str

    def get(self, frame: Frame) -> Any:
        return getattr(self.base.get(frame), self.attr)

    def __str__(self) -> str:
        return f"{self.base}.{self.attr}"


@dataclass(frozen=True)
class ItemOf(Source):
    base: Source
    key: Any

    def get(self, frame: Frame) -> Any:
        return self.base.get(frame)[self.key]

    def __str__(self) -> str:
        return f"{self.base}[{self.key!r}]"


@dataclass(frozen=True)
class DefaultArg(Source):
    """The default value of parameter `name` of the function registered as `scope`."""

    name: str
    scope: str

    def get(self, frame: Frame) -> Any:
        fn = frame.functions[self.scope]
        kwdefaults = fn.__kwdefaults__ or {}
        if self.name in kwdefaults:
            return kwdefaults[self.name]
        code = fn.__code__
        positional = code.co_varnames[:code.co_argcount]
        defaults = fn.__defaults__ or ()
        index = positional.index(self.name) - (len(positional) - len(defaults))
        if index < 0:
            raise LookupError(f"parameter {self.name} has no default")
        return defaults[index]

    def __str__(self) -> str:
        return f"default of {self.scope.rsplit('.', 1)[-1]}({self.name}=...)"


@dataclass(frozen=True)
class ClassAttr(Source):
    """An attribute looked up on the type of an object (a property, a method's function)."""

    base: Source
    attr: str

    def get(self, frame: Frame) -> Any:
        return _class_lookup(type(self.base.get(frame)), self.attr)

    def __str__(self) -> str:
        return f"type({self.base}).{self.attr}"


def _class_lookup(cls: type, attr: str) -> Any:
    for klass in cls.__mro__:
        if attr in klass.__dict__:
            return klass.__dict__[attr]
    raise AttributeError(f"type object '{cls.__name__}' has no attribute '{attr}'")


@dataclass(frozen=True)
class Stacked(Source):
    """The arrays of a list or tuple stacked along a new first axis, computed on the host on
    every call (a loop over a list whose length varies runs over this one input)."""

    base: Source
    shape: tuple[int, ...]
    dtype: str

    def get(self, frame: Frame) -> Any:
        items = self.base.get(frame)
        if not items:
            return np.empty((0, *self.shape), self.dtype)
        return np.stack(items)

    def __str__(self) -> str:
        return f"np.stack({self.base})"


# ---------------------------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Guard:
    """A host-side check on one source.

    kind: 'array' (ndarray of `expected` = (shape, dtype, C-contiguous)), 'type' (type(v) is
    expected), 'value' (type and == expected), 'identity' (v is expected), 'method' (a bound
    method of the function `expected`), 'len' (container length), 'same' (`v is other` is as
    expected = (other source, bool)), 'has' (`key in v` is as expected = (key, bool)), 'keys'
    (a dict with exactly the keys `expected`, in order), 'stack' (a list or tuple of arrays of
    `expected` = (shape, dtype), any length), 'same_dim' (`v.shape[a] == other.shape[b]` for
    `expected` = (a, other source, b)). An 'array' shape may hold symbolic dims (any size >= 2).
    """

    source: Source
    kind: str
    expected: Any
    where: str = ""

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
        if self.kind == "array":
            shape, dtype, c_order = self.expected
            shape = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
            text = (f"{self.source} is an ndarray of shape {shape} and dtype "
                    f"{np.dtype(dtype).name}" + ("" if c_order else ", not C-contiguous"))
        elif self.kind == "type":
            text = f"{self.source} is a {self.expected.__name__}"
        elif self.kind == "value":
            text = f"{self.source} == {self.expected!r}"
        elif self.kind in ("identity", "method"):
            text = f"{self.source} is {_name_of(self.expected)}"
        elif self.kind == "same":
            text = f"({self.source} is {self.expected[0]}) is {self.expected[1]}"
        elif self.kind == "has":
            text = f"({self.expected[0]!r} in {self.source}) is {self.expected[1]}"
        elif self.kind == "keys":
            text = f"{self.source} has keys {list(self.expected)!r}"
        elif self.kind == "same_dim":
            axis, other, other_axis = self.expected
            text = f"{self.source}.shape[{axis}] == {other}.shape[{other_axis}]"
        elif self.kind == "schedule":
            text = (f"every node under {self.source} fits one of the {len(self.expected.cases)} "
                    f"cases {self.expected.name} was converted for")
        elif self.kind == "stack":
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


def getter(source: Source) -> Callable[[Frame], Any]:
    """A closure that evaluates `source` against a frame (what `source.get` does)."""
    if type(source) is Param:
        name = source.name
        return lambda frame: frame.params[name]
    if type(source) is AttrOf:
        base, attr = getter(source.base), source.attr
        return lambda frame: getattr(base(frame), attr)
    if type(source) is ItemOf:
        base, key = getter(source.base), source.key
        return lambda frame: base(frame)[key]
    if type(source) is GlobalVar:
        name, scope = source.name, source.scope
        return lambda frame: frame.functions[scope].__globals__[name]
    return source.get


def compile_check(guard: Guard) -> Callable[[Frame], bool]:
    """`guard`'s check (see Guard's kinds) specialised to its kind."""
    get, kind, expected = getter(guard.source), guard.kind, guard.expected
    if kind == "array":
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
    if kind == "same_dim":  # v.shape[axis] == other.shape[other_axis]
        axis, other, other_axis = expected[0], getter(expected[1]), expected[2]
        return lambda f: get(f).shape[axis] == other(f).shape[other_axis]
    if kind == "type":
        return lambda f: type(get(f)) is expected
    if kind == "value":
        want = type(expected)
        if expected != expected:  # NaN: a NaN speculated equal to itself
            return lambda f: type(v := get(f)) is want and v != v
        return lambda f: type(v := get(f)) is want and v == expected
    if kind == "identity":
        return lambda f: get(f) is expected
    if kind == "method":
        return lambda f: getattr(get(f), "__func__", None) is expected
    if kind == "len":
        return lambda f: len(get(f)) == expected
    if kind == "same":  # `v is other` gave `expected[1]`
        other, same = getter(expected[0]), expected[1]
        return lambda f: (get(f) is other(f)) == same
    if kind == "has":  # `key in v` gave `expected[1]`
        key, present = expected
        return lambda f: (key in get(f)) == present
    if kind == "keys":
        return lambda f: type(v := get(f)) is dict and tuple(v) == expected
    if kind == "schedule":  # a tree whose every node fits a case of the plan `expected`
        return lambda f: expected.build(get(f), f) is not None
    if kind == "stack":  # a list or tuple of arrays of one shape and dtype, any length
        shape, dtype = expected[0], np.dtype(expected[1])
        ndarray = np.ndarray
        return lambda f: all(type(a) is ndarray and a.shape == shape and a.dtype == dtype
                             for a in get(f))
    raise ValueError(f"unknown guard kind {kind}")
