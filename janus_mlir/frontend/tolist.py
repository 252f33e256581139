"""`x.tolist()`: the nested Python list NumPy builds from an array, kept in the graph.

A `ListOfArray` stands for the list while converting: a snapshot of the array's contents (a
later in-place write to the array does not change the list) that becomes Python lists only when
the function returns it — the output template applies NumPy's own `tolist` to the graph's
result (frontend/convert.py), so every element is the Python int, float or bool NumPy gives.

What Python does with a list without needing its elements as constants converts: `len()`,
indexing with an int (an element is a Python scalar computed in the graph, as `x.item()` is: a
branch on it is speculated and guarded, a use that needs a constant stops the conversion), a
slice with constant bounds, iterating over it (unrolled), `list()`/`tuple()`/`zip()` of it,
`type()`/`isinstance()`, and returning it inside containers. Anything else — changing the list,
comparing or formatting it, arithmetic on it, handing it to NumPy — stops the conversion with a
reason, and the call runs as plain Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import symbolic
from .builder import GraphBuilder
from .errors import Unconvertible
from .values import ARRAY, Tensor, is_tensor

# Longest list iterated over while converting (each item is unrolled into the graph).
ITERATE_MAX = 64


class ListOfArray:
    """The list `array.tolist()` returns, for an array of rank >= 1. A list taken from another
    (`lst[i]` of a list of lists, `lst[1:]`) keeps its `origin`, (parent list, index), so the
    output template rebuilds it from the parent's Python list: `lst[0]` is then the very list
    object inside `lst`, and a slice shares its items with the list it was cut from."""

    def __init__(self, array: Tensor, origin: tuple[ListOfArray, Any] | None = None):
        self.array = array
        self.origin = origin
        self._items: dict[int, ListOfArray] = {}  # lst[i] is one object however often taken

    def length(self, b: GraphBuilder) -> Any:
        """len(): an int, or a run-time Python int for a symbolic dim."""
        return symbolic.dim(b, self.array, 0)

    def item(self, b: GraphBuilder, key: Any) -> Any:
        """lst[key] for an int (constant or run-time) or a slice with constant bounds."""
        from .indexing import subscript

        if type(key) is bool or isinstance(key, np.integer):
            key = int(key)
        if isinstance(key, int):
            n = self.array.shape[0]
            if type(n) is int:
                if not -n <= key < n:
                    raise Unconvertible("IndexError: list index out of range", b.where)
                key %= n
            if key in self._items:
                return self._items[key]
            out = self._element(b, subscript(b, self.array, key), key)
            if isinstance(out, ListOfArray) and key >= 0:
                self._items[key] = out
            return out
        if is_tensor(key) and key.ndim == 0 and key.dtype.kind in "iu":
            return self._element(b, subscript(b, self.array, key), key)  # bounds guarded
        if isinstance(key, slice):
            if not all(p is None or type(p) is int for p in (key.start, key.stop, key.step)):
                raise Unconvertible("slicing a list from tolist() with run-time bounds is not "
                                    "converted", b.where)
            if key.step == 0:
                raise Unconvertible("ValueError: slice step cannot be zero", b.where)
            return ListOfArray(_snapshot(subscript(b, self.array, key)), (self, key))
        raise Unconvertible(f"TypeError: list indices must be integers or slices, not "
                            f"{_type_name(key)}", b.where)

    def _element(self, b: GraphBuilder, t: Tensor, key: Any) -> Any:
        """An item: a Python scalar of a list of numbers, a list of a list of lists."""
        if t.ndim == 0:
            from .numpy_api import to_python_scalar

            return to_python_scalar(b, t)
        return ListOfArray(_snapshot(t), (self, key))

    def rows(self, b: GraphBuilder) -> list[Any]:
        """The list's items, for a loop or an unpacking known now (unrolled)."""
        n = self.array.shape[0]
        if type(n) is not int:
            raise Unconvertible("iterating over a list from tolist() whose length is known only "
                                "when the graph runs is not converted", b.where)
        if n > ITERATE_MAX:
            raise Unconvertible(f"iterating over a list from tolist() of {n} items (more than "
                                f"{ITERATE_MAX}) is not converted", b.where)
        return [self.item(b, i) for i in range(n)]


def tolist(b: GraphBuilder, a: Tensor) -> Any:
    """a.tolist(): a Python scalar for a 0-d array or a NumPy scalar (as `a.item()`), else the
    list."""
    if a.ndim == 0:
        from .numpy_api import to_python_scalar

        return to_python_scalar(b, a)
    return ListOfArray(_snapshot(a))


def _snapshot(a: Tensor) -> Tensor:
    """The current contents of `a` as a root of their own: no alias sees later writes."""
    return Tensor(a.value, a.spec, ARRAY)


def _type_name(key: Any) -> str:
    if is_tensor(key):
        return "a value computed in the graph" if key.ndim == 0 else "numpy.ndarray"
    return type(key).__name__
