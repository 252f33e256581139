"""Symbolic values of the converter.

A value a converted function computes is either known now (a Python constant: an int used as an
axis, a shape tuple, a dtype, a module, a function) and kept as that Python object, or known only
when the graph runs and represented by a `Tensor`: an SSA value plus what NumPy would hand the user
(`kind`: an ndarray, a NumPy scalar, or a Python scalar).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects.types import TensorSpec

from ..speculation.graph_spec import ARRAY, NP_SCALAR, PY_SCALAR  # noqa: F401 (the kinds)

PY_TYPES = {np.dtype(np.int64): int, np.dtype(np.float64): float, np.dtype(np.bool_): bool}
DTYPE_OF_PY = {int: np.dtype(np.int64), float: np.dtype(np.float64), bool: np.dtype(np.bool_)}


_SERIALS = itertools.count()
# Journals of the regions being converted, innermost last (frontend/regions.py): the first
# change of an outer tensor inside a region records its state so the region can be closed.
JOURNALS: list[Any] = []


class Tensor:
    """A value known when the graph runs: its SSA value, spec and what NumPy hands the user.

    ARRAY tensors are heap objects (frontend/heap.py): a root owns its buffer and has a version
    that in-place writes bump; a view (`view` set) reads its root through a chain of view ops and
    is re-materialised when the root changed. Scalars are immutable snapshots.
    """

    def __init__(self, value: ir.Value, spec: TensorSpec, kind: str = ARRAY, fresh: bool = True,
                 source: Any = None, meta: dict[str, Any] | None = None,
                 c_order: bool = True):
        self.serial = next(_SERIALS)  # creation order: older than a region = outside it
        self._value = value
        self.spec = spec
        self.kind = kind
        self._fresh = fresh  # produced by this graph (not an input the caller can see)
        self.source = source  # the Source it was read from, for inputs
        self.meta = meta if meta is not None else {}
        self.c_order = c_order  # NumPy would lay this root out C-contiguous
        self.view: Any = None  # heap.View when this array is a view of another
        self.version = 0  # bumped by every in-place write to this root
        self.ambiguous_views = False  # a reshape of it may or may not share its memory
        self.symbolic_views = False  # it has views whose strides are known at run time only

    @property
    def value(self) -> ir.Value:
        if self.view is not None and self.kind == ARRAY:
            if self.view.seen != self.view.root.version:
                self._touch()
            self._value = self.view.current(self._value)
        return self._value

    def assign(self, value: ir.Value) -> None:
        """New contents of this root after an in-place write."""
        self._touch()
        self._value = value
        self.version += 1

    def set_cached(self, value: ir.Value) -> None:
        self._touch()
        self._value = value

    def _touch(self) -> None:
        if JOURNALS:
            JOURNALS[-1].record(self)

    @property
    def fresh(self) -> bool:
        return self.view.root._fresh if self.view is not None else self._fresh

    @property
    def shape(self) -> tuple[int, ...]:
        return self.spec.shape

    @property
    def dtype(self) -> np.dtype:
        return self.spec.dtype

    @property
    def ndim(self) -> int:
        return len(self.spec.shape)

    @property
    def weak(self) -> bool:
        """Python scalars take part in NumPy promotion as 'weak' values (NEP 50)."""
        return self.kind == PY_SCALAR

    @property
    def py_type(self) -> type:
        return PY_TYPES[self.dtype]


def is_tensor(v: Any) -> bool:
    return isinstance(v, Tensor)


def is_py_scalar(v: Any) -> bool:
    return type(v) in (int, float, bool)


def static_dtype_of(v: Any) -> np.dtype:
    """The dtype a static Python/NumPy value would have as an array."""
    if isinstance(v, np.generic | np.ndarray):
        return v.dtype
    return DTYPE_OF_PY[type(v)]


def retyped(t: Tensor, kind: str) -> Tensor:
    """`t` as a value of another kind (an ndarray, a NumPy or a Python scalar).

    `t` itself is never changed: other names may hold it, and the kind decides what the caller
    gets back. The new wrapper is a new object for NumPy too (a kind change always makes one).
    """
    if t.kind == kind:
        return t
    return Tensor(t.value, t.spec, kind, meta=dict(t.meta))
