"""Values crossing into and out of a graph's module: a Python value as the array an input takes,
and results made objects of their own where IREE handed back shared memory (runtime/graph.py).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

from ..speculation.graph_spec import ARRAY
from .module import ArgumentMismatch

_PY_KINDS = {bool: "b", int: "i", float: "f", complex: "c"}
_LOSSY_INTO = {"f": "biu", "c": "biuf"}  # kind of the value -> dtype kinds it cannot become


def argument(value: Any, dtype: np.dtype, source: Any) -> np.ndarray:
    """`value` as the array the graph's input takes; ArgumentMismatch when it cannot be one
    without changing its value (a Python int outside the dtype's range, a float into ints)."""
    if type(value) is np.ndarray:
        return value
    dtype_of = getattr(value, "dtype", None)
    kind = dtype_of.kind if isinstance(dtype_of, np.dtype) else _PY_KINDS.get(type(value))
    try:
        if kind is not None and dtype.kind in _LOSSY_INTO.get(kind, ""):
            raise TypeError(f"a {type(value).__name__} value would lose its fractional or "
                            f"imaginary part")
        return np.asarray(value, dtype=dtype)
    except (OverflowError, TypeError, ValueError) as e:
        raise ArgumentMismatch(f"{source}: {value!r} cannot be passed as {dtype}: {e}") from None


def unshared(results: list[np.ndarray], kinds: list[str], args: list[Any],
              in_place: set[int] | frozenset[int] = frozenset()) -> list[np.ndarray]:
    """`results` with every array result that may share memory with an earlier array result or
    with an argument replaced by a copy: the template makes each result its own object. The
    results `in_place` (caller's arrays written in place, which share memory with no other
    array the graph read) are kept as they are; runtime.invoke copied any result aliasing them."""
    inputs = [a for a in args if type(a) is np.ndarray and a.nbytes]
    kept: list[np.ndarray] = []
    out = []
    for i, (r, kind) in enumerate(zip(results, kinds)):
        if i in in_place:
            out.append(r)
            continue
        if kind == ARRAY and r.nbytes:
            if any(np.may_share_memory(r, other) for other in chain(kept, inputs)):
                r = r.copy()
            kept.append(r)
        out.append(r)
    return out
