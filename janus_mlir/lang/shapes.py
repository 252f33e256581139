"""Shapes a derivative rule may meet inside a graph of a symbolic batch: a graph value read back
from MLIR has `?` (`Dim`) where the batch is, so rules that build shapes from `x.shape` use these
instead of NumPy's shape functions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .apply import dtype_of, op, shape_of


def is_static(v: Any) -> bool:
    return all(type(d) is int for d in shape_of(v))


def broadcast_like(g: Any, like: Any) -> Any:
    """`np.broadcast_to(g, like.shape)`; for a symbolic `like`, the lengths come from `like`
    itself (a `where` that picks g everywhere, so nothing else of `like` is used)."""
    if is_static(like):
        return np.broadcast_to(g, shape_of(like))
    dt = dtype_of(g)
    return op("where", np.True_, g, like if dtype_of(like) == dt else op("astype", like, dtype=dt))


def count(x: Any, axes: Sequence[int], dtype: Any) -> Any:
    """How many elements of x each reduction over `axes` takes, in `dtype`: a number, or a
    0-d array computed when the graph runs for a symbolic axis."""
    static = math.prod(d for a, d in enumerate(shape_of(x)) if a in axes and type(d) is int)
    out: Any = static
    for a in axes:
        if type(shape_of(x)[a]) is not int:
            n = op("astype", op("dim", x, axis=a), dtype=np.dtype(dtype))
            out = n if out == 1 else out * n
    return out
