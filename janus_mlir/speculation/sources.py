"""Where a value read by a converted function comes from, and the guards placed on it.

A source is a path from the call's inputs (`x`, `model.W1`, `params[2]`, global `LR`); evaluating it
on a later call fetches that call's value (`get`, or `getter` for a closure made once). The checks
placed on sources are in assumptions.py.
"""

from __future__ import annotations

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
        return _stacked(self.base.get(frame), self.shape, self.dtype)

    def __str__(self) -> str:
        return f"np.stack({self.base})"


@dataclass(frozen=True)
class StackedField(Source):
    """Position `index` of the tuples a list holds, stacked along a new first axis (a loop over
    a list of (x, y) pairs whose length varies runs over one input per position)."""

    base: Source
    index: int
    shape: tuple[int, ...]
    dtype: str

    def get(self, frame: Frame) -> Any:
        return _stacked([t[self.index] for t in self.base.get(frame)], self.shape, self.dtype)

    def __str__(self) -> str:
        return f"np.stack([t[{self.index}] for t in {self.base}])"


@dataclass(frozen=True, eq=False)
class Draw(Source):
    """Random numbers drawn on the host from a generator the program uses, in program order
    (frontend/random_draws.py): `generator` is where the call finds it (a Generator or
    RandomState it holds), or None for NumPy's or Python's global one (`fixed`). Evaluating
    it draws: each Draw is one draw of one call, compared by identity."""

    generator: Source | None
    fixed: Any
    method: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]

    __eq__ = object.__eq__  # one draw is one input, however alike two draws look
    __hash__ = object.__hash__

    def generator_in(self, frame: Frame) -> Any:
        return self.fixed if self.generator is None else self.generator.get(frame)

    def get(self, frame: Frame) -> Any:
        return getattr(self.generator_in(frame), self.method)(*self.args, **dict(self.kwargs))

    def __str__(self) -> str:
        where = "the global generator" if self.generator is None else str(self.generator)
        return f"{where}.{self.method}(...)"


@dataclass(frozen=True)
class TripCount(Source):
    """`len(range(start, stop, step))` of a loop whose bounds are inputs of the graph (each
    bound a Source, or an int known at conversion)."""

    start: Source | int
    stop: Source | int
    step: int

    def get(self, frame: Frame) -> Any:
        bounds = [b.get(frame) if isinstance(b, Source) else b for b in (self.start, self.stop)]
        return len(range(int(bounds[0]), int(bounds[1]), self.step))

    def __str__(self) -> str:
        return f"len(range({self.start}, {self.stop}, {self.step}))"


class LoopDrawGroup:
    """The draws one iteration of a loop over a run-time range takes, in body order
    (frontend/loop_draws.py), and the loop's trip count. Drawn on the host for every iteration
    of a call, interleaved as the plain loop draws them, once per call (the frame's cache)."""

    def __init__(self, trips: TripCount, where: str):
        self.trips, self.where = trips, where
        self.draws: list[Draw] = []
        self.rows: list[tuple[tuple[int, ...], str]] = []  # each draw's shape and dtype

    def drawn(self, frame: Frame) -> list[np.ndarray]:
        key = ("loop draws", id(self))
        stacked = frame.cache.get(key)
        if stacked is None:
            taken: list[list[Any]] = [[] for _ in self.draws]
            for _ in range(self.trips.get(frame)):
                for column, d in zip(taken, self.draws):
                    column.append(d.get(frame))
            stacked = frame.cache[key] = [
                _stacked([np.asarray(v, dtype) for v in column], shape, dtype)
                for column, (shape, dtype) in zip(taken, self.rows)]
        return stacked


@dataclass(frozen=True, eq=False)
class LoopDraws(Source):
    """Draw `index` of a loop's group for every iteration of this call, stacked."""

    group: LoopDrawGroup
    index: int

    __eq__ = object.__eq__  # one site is one input
    __hash__ = object.__hash__

    def generators_in(self, frame: Frame) -> list[Any]:
        return [d.generator_in(frame) for d in self.group.draws]

    def get(self, frame: Frame) -> Any:
        return self.group.drawn(frame)[self.index]

    def __str__(self) -> str:
        return (f"{self.group.draws[self.index]} in every iteration of the loop at "
                f"{self.group.where}")


def _stacked(items: list[Any], shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """`items` stacked along a new first axis; none gives an empty (0, *shape) array."""
    return np.stack(items) if items else np.empty((0, *shape), dtype)


class NotReadable(LookupError):
    """A source that a getter over something other than a Frame cannot read (`getter`)."""


def getter(source: Source, param: Callable[[str], Callable[[Any], Any]] | None = None,
           scopes: dict[str, Any] | None = None) -> Callable[[Any], Any]:
    """A closure that evaluates `source` against a frame (what `source.get` does).

    With `param` (a parameter's name -> its getter) and `scopes` (Frame.functions, fixed), the
    closure reads from whatever those getters read instead of a Frame (runtime/short_path.py:
    a call's positional arguments): parameters, their attributes and items, and globals; any
    other source raises NotReadable."""
    kind = type(source)
    if kind is Param:
        if param is not None:
            return param(source.name)
        name = source.name
        return lambda frame: frame.params[name]
    if kind is AttrOf:
        base, attr = getter(source.base, param, scopes), source.attr
        return lambda frame: getattr(base(frame), attr)
    if kind is ItemOf:
        base, key = getter(source.base, param, scopes), source.key
        return lambda frame: base(frame)[key]
    if kind is GlobalVar:
        name, scope = source.name, source.scope
        if param is None:
            return lambda frame: frame.functions[scope].__globals__[name]
        if scopes is None or scope not in scopes:
            raise NotReadable(f"{source}: no function of scope {scope!r}")
        namespace = scopes[scope].__globals__
        return lambda frame: namespace[name]
    if param is not None:
        raise NotReadable(f"{source} is not read from the parameters")
    return source.get
