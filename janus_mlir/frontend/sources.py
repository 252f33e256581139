"""Where a value read by a converted function comes from, and the guards placed on it.

A source is a path from the call's inputs (`x`, `model.W1`, `params[2]`, global `LR`); evaluating it
on a later call fetches that call's value. Guards are data, not code: a source, what kind of check,
and what was expected, so a failed guard prints as a readable sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


class Frame:
    """What sources are evaluated against: the call's bound arguments, and the functions whose
    globals and closure cells the graph reads (by scope: "" is the compiled function itself)."""

    def __init__(self, params: dict[str, Any], functions: dict[str, Any]):
        self.params = params
        self.functions = functions


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


# ---------------------------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------------------------

MISSING = object()


def _fetch(source: Source, frame: Frame) -> Any:
    try:
        return source.get(frame)
    except (LookupError, AttributeError, TypeError):
        return MISSING


@dataclass(frozen=True)
class Guard:
    """A host-side check on one source.

    kind: 'array' (ndarray of `expected` = (shape, dtype, C-contiguous)), 'type' (type(v) is
    expected), 'value' (type and == expected), 'identity' (v is expected), 'method' (a bound
    method of the function `expected`), 'len' (container length), 'same' (`v is other` is as
    expected = (other source, bool)), 'has' (`key in v` is as expected = (key, bool)), 'keys'
    (a dict with exactly the keys `expected`, in order).
    """

    source: Source
    kind: str
    expected: Any
    where: str = ""

    def check(self, frame: Frame) -> bool:
        v = _fetch(self.source, frame)
        if v is MISSING:
            return False
        if self.kind == "array":
            shape, dtype, c_order = self.expected
            return (type(v) is np.ndarray and v.shape == shape and v.dtype == dtype
                    and v.flags.c_contiguous == c_order)
        if self.kind == "type":
            return type(v) is self.expected
        if self.kind == "value":
            return type(v) is type(self.expected) and (
                v == self.expected or (v != v and self.expected != self.expected))  # NaN
        if self.kind == "identity":
            return v is self.expected
        if self.kind == "method":
            return getattr(v, "__func__", None) is self.expected
        if self.kind == "len":
            return len(v) == self.expected
        if self.kind == "same":  # `v is other` gave `expected[1]`
            other = _fetch(self.expected[0], frame)
            return other is not MISSING and (v is other) == self.expected[1]
        if self.kind == "has":  # `key in v` gave `expected[1]`
            return (self.expected[0] in v) == self.expected[1]
        if self.kind == "keys":
            return type(v) is dict and tuple(v) == self.expected
        raise ValueError(f"unknown guard kind {self.kind}")

    def describe(self) -> str:
        if self.kind == "array":
            shape, dtype, c_order = self.expected
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
        else:
            text = f"len({self.source}) == {self.expected}"
        return f"{self.where}: {text}" if self.where else text

    __str__ = describe


def _name_of(obj: Any) -> str:
    if isinstance(obj, type(np)):
        return f"module {obj.__name__}"
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    return f"{name}" if name else repr(obj)
