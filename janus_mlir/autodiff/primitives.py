"""Eager-only primitives: indexing with NumPy's full semantics, and its adjoint.

`x[key]` on a box runs NumPy's own indexing (every kind of key: basic, advanced, masks), and its
derivative is `index_add`: zeros of x's shape with the cotangent added at `key` (`np.add.at`, so
repeated indices accumulate). The two are each other's derivative, so gradients of gradients go
through indexing too. (Compiled code indexes with janus ops — slice, take, gather — that carry
their own rules.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..lang import unbroadcast
from .box import Box, record


def _unboxed_key(key: Any) -> Any:
    """Indices are never differentiated: boxes inside a key are replaced by their values."""
    if isinstance(key, tuple):
        return tuple(_unboxed_key(k) for k in key)
    while isinstance(key, Box):
        key = key.value
    return key


def getitem(x: Any, key: Any) -> Any:
    """x[key]; recorded on x's trace when x is a box (its value may be an outer box). A box
    around a graph value (a rule differentiating a decomposition inside janus-autodiff) is
    indexed with janus slice ops, which carry their own rules."""
    key = _unboxed_key(key)
    base = x
    while isinstance(base, Box):
        base = base.value
    if getattr(type(base), "EMITS", False):
        from ..lang.graph_value import basic_slice

        return basic_slice(x, key)
    if not isinstance(x, Box):
        return _copy_if_view(np.asarray(x)[key])
    return record("getitem", (x,), {"key": key}, rule=_getitem_vjp, forward=getitem)


def index_add(g: Any, key: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    """zeros(shape, dtype) with g added at key (duplicates accumulate)."""
    if not isinstance(g, Box):
        return _index_add(g, key=key, shape=shape, dtype=dtype)
    return record("index_add", (g,), {"key": key, "shape": shape, "dtype": dtype},
                  rule=_index_add_vjp, forward=index_add)


def _copy_if_view(r: Any) -> Any:
    return r.copy() if isinstance(r, np.ndarray) and r.base is not None else r


def _index_add(g: Any, key: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    out = np.zeros(shape, dtype=dtype)
    np.add.at(out, key, g)
    return out


def _getitem_vjp(g: Any, ans: Any, x: Any, key: Any) -> tuple[Any]:
    return (index_add(g, key, np.shape(x.value if isinstance(x, Box) else x),
                      x.dtype if isinstance(x, Box) else np.asarray(x).dtype),)


def _index_add_vjp(g: Any, ans: Any, upd: Any, key: Any, shape: Any, dtype: Any) -> tuple[Any]:
    return (unbroadcast(getitem(g, key), upd),)
