"""`op(name, *operands, **attrs)`: apply one janus op to any kind of lang value.

The value kinds that are not NumPy define `__janus_op__(name, operands, attrs)`; the first
operand whose type defines it decides (boxes and graph values never meet in one call). On
NumPy values the op's NumPy reference from the registry runs.
"""

from __future__ import annotations

from typing import Any


def op(name: str, *operands: Any, **attrs: Any) -> Any:
    for o in operands:
        impl = getattr(type(o), "__janus_op__", None)
        if impl is not None:
            return impl(name, operands, attrs)
    from ..ops.registry import lookup

    return lookup(name).numpy(*operands, **attrs)


def known_value(v: Any) -> Any:
    """The NumPy array a lang value is known to hold when the graph is built (a NumPy value,
    or a graph value computed by a constant), else None. Derivative rules read it to pick a
    cheaper form; they stay right without it."""
    import numpy as np

    if isinstance(v, (np.ndarray, np.generic)):
        return np.asarray(v)
    known = getattr(type(v), "__janus_known__", None)
    return known(v) if known is not None else None


def shape_of(v: Any) -> tuple[Any, ...]:
    """The shape of a lang value (Python scalars are rank 0)."""
    return tuple(getattr(v, "shape", ()))


def dtype_of(v: Any) -> Any:
    import numpy as np

    dt = getattr(v, "dtype", None)
    return np.dtype(dt) if dt is not None else np.asarray(v).dtype
