"""`unbroadcast`: the cotangent of an operand that NumPy broadcast, summed back to its shape."""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any

import numpy as np

from .apply import dtype_of, op, shape_of
from .shapes import is_static


# ids of the operands whose cotangents the caller of a rule does not need (constants next to
# differentiated values); `unbroadcast` answers None for them instead of reducing.
UNNEEDED: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "unneeded", default=frozenset())


@contextlib.contextmanager
def only_needed(unneeded: frozenset[int]):
    """Inside: `unbroadcast(g, like)` is None for `like` whose id is in `unneeded`."""
    token = UNNEEDED.set(unneeded)
    try:
        yield
    finally:
        UNNEEDED.reset(token)


def unbroadcast(g: Any, like: Any) -> Any:
    """`g` (the cotangent of a broadcast result) reduced to the shape and dtype of `like`.

    Leading dims NumPy added are summed away, dims `like` has as 1 are summed with keepdims;
    the result is cast to `like`'s dtype (a float32 operand of a float64 result gets a float32
    cotangent). A Python scalar `like` gets a rank-0 cotangent. None when the caller marked
    `like` as not needed (`only_needed`).
    """
    skip = UNNEEDED.get()
    if skip and id(like) in skip:
        return None
    shape, gshape = shape_of(like), shape_of(g)
    if shape == gshape and getattr(g, "dtype", None) == getattr(like, "dtype", 0):
        return g  # the common case: nothing was broadcast or promoted
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    if axes and not is_static(g):
        # a symbolic shape takes no reshape: the size-1 dims are kept by the sum itself
        ones = tuple(a for a in axes if a >= lead)
        if ones:
            g = op("sum", g, axes=ones, keepdims=True)
        if lead:
            g = op("sum", g, axes=tuple(range(lead)), keepdims=False)
    elif axes:
        g = op("sum", g, axes=axes, keepdims=False)
        kept = tuple(n for i, n in enumerate(gshape) if i not in axes)
        if kept != shape:
            g = op("reshape", g, shape=shape)
    dt = dtype_of(like) if hasattr(like, "dtype") else np.dtype(np.float64)
    if dtype_of(g) != dt:
        g = op("astype", g, dtype=dt)
    return g
