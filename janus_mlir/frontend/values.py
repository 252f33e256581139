"""Symbolic values of the converter.

A value a converted function computes is either known now (a Python constant: an int used as an
axis, a shape tuple, a dtype, a module, a function) and kept as that Python object, or known only
when the graph runs and represented by a `Tensor`: an SSA value plus what NumPy would hand the user
(`kind`: an ndarray, a NumPy scalar, or a Python scalar).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects.types import TensorSpec

ARRAY = "array"  # numpy.ndarray (any rank)
NP_SCALAR = "npscalar"  # numpy.float32(...) etc.: what ufuncs return for rank-0 results
PY_SCALAR = "pyscalar"  # Python int/float/bool: weak under NEP 50

PY_TYPES = {np.dtype(np.int64): int, np.dtype(np.float64): float, np.dtype(np.bool_): bool}
DTYPE_OF_PY = {int: np.dtype(np.int64), float: np.dtype(np.float64), bool: np.dtype(np.bool_)}


@dataclass(eq=False)
class Tensor:
    value: ir.Value
    spec: TensorSpec
    kind: str = ARRAY
    fresh: bool = True  # produced by this graph (not an input the caller can see)
    source: Any = None  # the Source it was read from, for inputs
    meta: dict[str, Any] = field(default_factory=dict)

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
