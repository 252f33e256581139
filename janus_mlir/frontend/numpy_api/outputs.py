"""`out=`: a NumPy function writing its result in place into an array it is given.

`np.add(x, y, out=x)`, `np.clip(x, 0, 1, out=x)`: the result is computed as usual, broadcast to
the out array's shape and written into it through the heap model (frontend/heap.py), so every
alias and view of that array sees the write, and the caller's own arrays are written back when
the graph succeeds (frontend/effects.py). The function returns the out array itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import heap
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..values import ARRAY, Tensor, is_tensor


def out_array(b: GraphBuilder, out: Any, fn: str) -> Tensor | None:
    """The array an `out=` argument names (an array or a 1-tuple of one), or None."""
    if type(out) is tuple:
        if len(out) != 1:
            raise Unconvertible(f"{fn}(out=...) with {len(out)} arrays is not converted",
                                b.where)
        out = out[0]
    if out is None:
        return None
    if not (is_tensor(out) and out.kind == ARRAY):
        raise Unconvertible(f"TypeError: return arrays must be of ArrayType ({fn}(out=...))",
                            b.where)
    return out


def write_into(b: GraphBuilder, out: Tensor, result: Any, fn: str) -> Tensor:
    """`result` written into `out` as NumPy's out= does; `out` is the function's value. A
    result of another dtype than out's is refused (NumPy's loop selection then depends on
    out's dtype, which janus does not model)."""
    if not is_tensor(result):
        raise Unconvertible(f"{fn}(out=...) of values known now is not converted", b.where)
    if result.dtype != out.dtype:
        raise Unconvertible(f"{fn}(out=...) into a {out.dtype} array of a {result.dtype} result "
                            "is not converted", b.where)
    try:
        shape = np.broadcast_shapes(result.shape, out.shape)
    except ValueError:
        shape = None
    if shape != tuple(out.shape):
        raise Unconvertible(f"ValueError: non-broadcastable output operand with shape "
                            f"{tuple(out.shape)} doesn't match the broadcast shape "
                            f"{tuple(result.shape)}", b.where)
    if tuple(result.shape) != tuple(out.shape):
        result = b.emit("broadcast_to", [result], ARRAY, copy=True, shape=tuple(out.shape))
    heap.write(b, out, result)
    return out
