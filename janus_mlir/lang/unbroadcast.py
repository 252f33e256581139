"""`unbroadcast`: the cotangent of an operand that NumPy broadcast, summed back to its shape."""

from __future__ import annotations

from typing import Any

import numpy as np

from .apply import dtype_of, op, shape_of


def unbroadcast(g: Any, like: Any) -> Any:
    """`g` (the cotangent of a broadcast result) reduced to the shape and dtype of `like`.

    Leading dims NumPy added are summed away, dims `like` has as 1 are summed with keepdims;
    the result is cast to `like`'s dtype (a float32 operand of a float64 result gets a float32
    cotangent). A Python scalar `like` gets a rank-0 cotangent.
    """
    shape, gshape = shape_of(like), shape_of(g)
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    if axes:
        g = op("sum", g, axes=axes, keepdims=False)
        kept = tuple(n for i, n in enumerate(gshape) if i not in axes)
        if kept != shape:
            g = op("reshape", g, shape=shape)
    dt = dtype_of(like) if hasattr(like, "dtype") else np.dtype(np.float64)
    if dtype_of(g) != dt:
        g = op("astype", g, dtype=dt)
    return g
