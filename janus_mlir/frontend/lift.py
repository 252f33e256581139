"""Turning what a converted function reads (arguments, globals, attributes) into symbolic values,
and recording the guard each read needs.

Entry guards (types, shapes, dtypes, container lengths) form the graph's signature: a call that
fails one simply needs another graph. Assumptions (a Python scalar's value, which function a name
refers to) are speculation: a call that fails one falls back to plain Python, and the next graph
is built with that assumption relaxed (the scalar becomes a run-time input).
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from ..dialects.types import Dim, is_supported_dtype
from . import random_draws
from .builder import GraphBuilder
from .errors import NeedsLaterCall, NeedsStaticShape, Unconvertible
from ..speculation.policy import Policy
from ..speculation.assumptions import Guard
from ..speculation.sources import AttrOf, Frame, ItemOf, Source
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor


_NOT_WRITTEN = object()
BATCH = Dim("batch")  # the one symbolic dim a graph may have


class Mutated:
    """What a host container holds after this call changed its length or keys
    (frontend/container_writes.py): reading it is refused, appending to it is not."""

    def __init__(self, real: Any, source: Any):
        self.real = real
        self.source = source

    def refuse(self, *_: Any) -> Any:
        raise NeedsLaterCall(f"reading {self.source} after this call changed its length or "
                             "keys is not converted")


class HostObject:
    """A Python object the graph reads from (a model, a tuple of parameters, a dict).

    `on_first_use`: a guard recorded the first time the converter looks at `value` (a list's
    length: a list the call only appends to keeps no length guard). `raw` is the object without
    recording it, for the few places that only append."""

    def __init__(self, source: Source, value: Any, on_first_use: Any = None):
        self.source = source
        self._value = value
        self._on_first_use = on_first_use

    @property
    def value(self) -> Any:
        if self._on_first_use is not None:
            record, self._on_first_use = self._on_first_use, None
            record()
        if isinstance(self._value, Mutated):  # changed in length by this call: unknown now
            self._value.refuse()
        return self._value

    @value.setter
    def value(self, value: Any) -> None:
        self._value = value

    @property
    def raw(self) -> Any:
        return self._value


class Lifter:
    def __init__(self, builder: GraphBuilder, frame: Frame, policy: Policy):
        self.b = builder
        self.frame = frame
        self.policy = policy
        self.entry_guards: dict[tuple[Any, ...], Guard] = {}  # by Guard.key
        self.assumptions: dict[tuple[Any, ...], Guard] = {}
        self._cache: dict[Source, Any] = {}
        # What this call assigned to attributes and items of host objects, by (AttrOf or
        # ItemOf, id(object), name or key): frontend/effects.py records them.
        self.writes: dict[tuple[Any, int, Any], Any] = {}
        self._mutated: dict[int, Any] = {}  # containers this call changed in length or keys
        self._symbolic_first: tuple[Source, int, int] | None = None  # the symbolic dim's first
        # Where each module, class or function returned as itself was read from, so that its
        # attributes are read (and guarded) through that source on every call.
        self.origin: dict[int, Source] = {}
        # The arrays lifted so far, by id: one array reached again (the same argument passed
        # twice, tied weights) is the same input, so a write through one path is seen through
        # the other, as in NumPy.
        self._arrays: dict[int, tuple[np.ndarray, Source, Tensor]] = {}

    def _entry(self, source: Source, kind: str, expected: Any) -> None:
        guard = Guard(source, kind, expected, self.b.where)
        self.entry_guards.setdefault(guard.key, guard)

    def entry(self, source: Source, kind: str, expected: Any) -> None:
        """A guard the answer to a host query depends on (part of the graph's signature)."""
        self._entry(source, kind, expected)

    def _assume(self, source: Source, kind: str, expected: Any) -> None:
        guard = Guard(source, kind, expected, self.b.where)
        self.assumptions.setdefault(guard.key, guard)

    def read(self, source: Source) -> Any:
        """The symbolic value of `source` in this call (guards recorded on first read); an
        attribute or item this call assigned earlier reads as the value assigned."""
        if self.writes and type(source) in (AttrOf, ItemOf):
            base = self._cache.get(source.base)
            if isinstance(base, HostObject):
                key = source.attr if type(source) is AttrOf else source.key
                written = self.writes.get((type(source), id(base.value), key), _NOT_WRITTEN)
                if written is not _NOT_WRITTEN:
                    return written
        if source not in self._cache:
            try:
                value = source.get(self.frame)
            except (LookupError, AttributeError, TypeError) as e:
                raise Unconvertible(f"reading {source} fails: {type(e).__name__}: {e}",
                                    self.b.where) from None
            self._cache[source] = self.lift(source, value)
        return self._cache[source]

    def lift(self, source: Source, value: Any) -> Any:
        if self._mutated and id(value) in self._mutated:  # reached again by another path
            self._entry(source, "type", type(value))
            return HostObject(source, self._mutated[id(value)])
        if type(value) is np.ndarray:
            if not is_supported_dtype(value.dtype):
                raise Unconvertible(f"{source} has dtype {value.dtype}, which janus does not "
                                    "compile", self.b.where)
            if not value.dtype.isnative:
                raise Unconvertible(f"{source} has non-native byte order ({value.dtype.str}); "
                                    "janus compiles native-endian arrays only", self.b.where)
            seen = self._arrays.get(id(value))
            if seen is not None and seen[0] is value:
                self._entry(source, "same", (seen[1], True))
                return seen[2]
            c_order = bool(value.flags.c_contiguous)
            shape = self._symbolic_shape(source, value.shape)
            self._entry(source, "array", (shape, value.dtype, c_order))
            t = self.b.input(source, shape, value.dtype, ARRAY, c_order)
            self._arrays[id(value)] = (value, source, t)
            return t
        if type(value) in (bool, int, float):
            return self._python_scalar(source, value)
        if isinstance(value, np.generic):
            if not is_supported_dtype(value.dtype):
                raise Unconvertible(f"{source} is a {type(value).__name__}", self.b.where)
            self._entry(source, "type", type(value))
            return self.b.input(source, (), value.dtype, NP_SCALAR)
        if value is None or type(value) in (str, bytes, type(Ellipsis)) or isinstance(value,
                                                                                   np.dtype):
            self._entry(source, "value" if value is not None else "identity", value)
            return value
        owner = random_draws.global_generator(value)
        if owner is not None:  # np.random.normal, random.random: draws on the host
            self._assume(source, "bound", (owner, value.__name__))
            return random_draws.Drawer(None, owner, value.__name__)
        if isinstance(value, types.BuiltinMethodType) and not isinstance(
                getattr(value, "__self__", None), (types.ModuleType, type(None))):
            raise Unconvertible(f"{source} is a bound built-in method (a new object on every "
                                "access); call it on its object instead", self.b.where)
        if isinstance(value, types.MethodType):  # a new bound method on every access: guard
            self._assume(source, "method", value.__func__)  # the function it binds
            return value
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.ModuleType,
                              type, np.ufunc, property)) or _library_callable(value):
            self._assume(source, "identity", value)
            self.origin.setdefault(id(value), source)
            return value
        if type(value) in (tuple, list):
            self._entry(source, "type", type(value))
            if source in self.policy.stacked:
                return HostObject(source, value)
            n = len(value)
            return HostObject(source, value, lambda: self._entry(source, "len", n))
        if isinstance(value, (np.ndarray, set, frozenset)):
            raise Unconvertible(f"{source} is a {type(value).__name__}, not converted",
                                self.b.where)
        self._entry(source, "type", type(value))
        return HostObject(source, value)

    def _symbolic_shape(self, source: Source, shape: tuple[int, ...]) -> tuple[Any, ...]:
        """`shape` with the axes that varied between calls (`Policy.symbolic`) as the graph's
        one symbolic dim, where this call's size there is at least 2; every array with one must
        have the same size there (guarded)."""
        axes = self.policy.symbolic.get(source, ())
        if not axes or any(shape[a] < 2 for a in axes if a < len(shape)) or max(axes) >= len(
                shape):
            return shape
        sizes = {shape[a] for a in axes}
        first = self._symbolic_first
        if len(sizes) > 1 or (first is not None and first[2] != shape[axes[0]]):
            raise NeedsStaticShape(f"the varying dims of {source} differ from the other inputs' "
                                   "in this call (one symbolic dim per graph)", self.b.where)
        if first is None:
            self._symbolic_first = (source, axes[0], shape[axes[0]])
        else:
            for a in axes:
                self._entry(source, "same_dim", (a, first[0], first[1]))
        return tuple(BATCH if i in axes else d for i, d in enumerate(shape))

    def _python_scalar(self, source: Source, value: Any) -> Any:
        if source in self.policy.dynamic:
            self._entry(source, "type", type(value))
            dtype = {bool: np.bool_, int: np.int64, float: np.float64}[type(value)]
            if type(value) is int and not -2**63 <= value < 2**63:
                raise Unconvertible(f"{source} = {value} does not fit in int64", self.b.where)
            return self.b.input(source, (), np.dtype(dtype), PY_SCALAR)
        if source in self.policy.keyed:
            self._entry(source, "value", value)
        else:
            self._assume(source, "value", value)
        return value

    def mutated(self, obj: HostObject, marker: Any) -> None:
        """This call changed the length or keys of `obj`'s container: it and every other host
        object standing for the same container read as `marker` from now on."""
        self._mutated[id(marker.real)] = marker
        for v in self._cache.values():
            if isinstance(v, HostObject) and (v is obj or getattr(v.raw, "real", v.raw)
                                              is marker.real):
                v.value = marker
        obj.value = marker

    def host_objects(self) -> list[HostObject]:
        """The host objects read so far."""
        return [v for v in self._cache.values() if isinstance(v, HostObject)]

    def tensor_of(self, source: Source) -> Tensor | None:
        v = self._cache.get(source)
        return v if isinstance(v, Tensor) else None


def _library_callable(value: Any) -> bool:
    """A callable object of NumPy's or the interpreter's own types (np.where's dispatcher)."""
    module = type(value).__module__ or ""
    return callable(value) and (module in ("numpy", "builtins") or module.startswith("numpy."))
