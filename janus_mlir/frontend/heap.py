"""The heap model of the converter: arrays as a buffer plus a view chain, with versioned writes.

In NumPy an ndarray is a window onto a buffer: `b = a[:2]`, `a.T`, `a.reshape(-1)`, `a[None]`,
`np.squeeze(a)` and `np.broadcast_to(a, s)` share `a`'s memory, so a later in-place write through
any of them is seen through all of them. In the graph every value is an immutable SSA tensor.
This module bridges the two:

- every ARRAY `Tensor` is either a *root* (it owns its buffer: an op's fresh result or a value the
  caller passed in) or a *view* of a root through a chain of view steps;
- a write (`a += 1`) computes the new contents of the written array, scatters them back through
  the chain into the root (`slice_update`, inverse reshape/transpose) and bumps the root's
  version;
- reading a view whose root changed re-materialises it from the root's current value, so every
  name, container element and view that holds the array sees the write, as in NumPy.

Whether a reshape is a view or a copy follows NumPy's own rule: the steps are replayed on a
strided stand-in array (no memory behind it) with `np.reshape(..., copy=False)`. That needs the
root's memory layout: roots are C-contiguous when NumPy would make them so (graph inputs are
guarded C-contiguous, elementwise results of C-contiguous operands are C-contiguous); where the
layout is not known, a reshape leaves the aliasing undecided and any write to, or return of, such
an ambiguous array together with its root stops the conversion.

Writes to an array the caller can see (a graph input or a view of one) are modelled the same way
on the input's root; the runtime copies the root's final contents into the caller's array when
the graph has succeeded (frontend/effects.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..speculation.sources import AttrOf, ClosureVar, DefaultArg, GlobalVar, ItemOf, Param
from ..dialects.types import is_static
from ..speculation.views import ViewStep
from .errors import Unconvertible
from .values import ARRAY, Tensor

if TYPE_CHECKING:
    from .builder import GraphBuilder

VIEW_OPS = frozenset({"slice", "reshape", "transpose", "expand_dims", "squeeze",
                      "broadcast_to"})


@dataclass
class View:
    """How a view tensor reads its root: the chain of steps and the root version it last saw."""

    root: Tensor
    steps: tuple[ViewStep, ...]
    layout: np.ndarray  # strided stand-in with the view's shape and strides into the root
    builder: GraphBuilder
    seen: int = 0  # root version the cached value was computed at
    ambiguous: bool = False  # NumPy may have copied instead (the root's layout is unknown)
    replayable: bool = True  # `steps` rebuild it on a real array (not so at run-time offsets)
    symbolic: bool = False  # ambiguous only in its layout: a view of a symbolic shape

    def current(self, cached: Any) -> Any:
        """The view's SSA value as of the root's current version (ops emitted if stale)."""
        if self.seen == self.root.version:
            return cached
        value = self.root
        for step in self.steps:
            value = self.builder.emit(step.op, [value], ARRAY, copy=True, **step.kwargs)
        self.seen = self.root.version
        return value.value


def root_layout(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A C-contiguous stand-in of `shape`: strides only, nothing behind them is ever read."""
    itemsize = np.dtype(dtype).itemsize
    strides, acc = [], itemsize
    for d in reversed(shape):
        strides.append(acc)
        acc *= max(d, 1)
    return as_strided(np.empty(1, dtype), shape=shape, strides=tuple(reversed(strides)),
                      writeable=False)


def link_view(b: GraphBuilder, out: Tensor, operand: Tensor, op: str,
              attrs: dict[str, Any]) -> None:
    """Record that `out` (just emitted by view op `op` on `operand`) is a view, if NumPy's is."""
    if operand.kind != ARRAY:
        return
    parent = operand.view
    root = parent.root if parent else operand
    step = ViewStep(op, tuple(sorted(attrs.items())), operand.shape)
    if not is_static(operand.shape) or not is_static(out.shape) or (parent and parent.symbolic):
        # A view of a symbolic shape: its strides into the root are not known while
        # converting. It reads as any view; a write to it or to its root stops the conversion.
        steps = (*parent.steps, step) if parent else (step,)
        out.view = View(root, steps, root_layout(_stand_in(out.shape), out.dtype), b,
                        root.version, ambiguous=True, symbolic=True)
        root.symbolic_views = True
        return
    layout = parent.layout if parent else root_layout(operand.shape, operand.dtype)
    ambiguous = parent.ambiguous if parent else False
    try:
        new_layout = step.numpy(layout)
    except ValueError:  # NumPy's reshape would copy: `out` owns its buffer
        if root.c_order:
            return
        new_layout, ambiguous = root_layout(out.shape, out.dtype), True
    if op == "reshape" and not root.c_order:
        ambiguous = True
    steps = (*parent.steps, step) if parent else (step,)
    out.view = View(root, steps, new_layout, b, root.version, ambiguous)
    if ambiguous:
        root.ambiguous_views = True


def _stand_in(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """`shape` with every symbolic dim as 2 (the least such a dim is when the graph runs)."""
    return tuple(d if type(d) is int else 2 for d in shape)


def roots_of(t: Tensor) -> Tensor:
    return t.view.root if t.view else t


def write(b: GraphBuilder, target: Tensor, new: Tensor) -> None:
    """`target[...] = new` in place: every alias of target's buffer sees the new contents."""
    root = roots_of(target)
    refuse_unwritable(b, root)
    view = target.view
    if (view and view.ambiguous) or root.ambiguous_views or root.symbolic_views:
        raise Unconvertible("in-place write to an array whose aliasing is not modelled (a "
                            "reshape of a non-C-contiguous array, or a view at a run-time "
                            "offset)", b.where)
    if view is None:
        root.assign(new.value)
        return
    if any(s.op == "broadcast_to" for s in view.steps):
        raise Unconvertible("ValueError: output array is read-only (a broadcast view)", b.where)
    parents = [root]
    for step in view.steps[:-1]:
        parents.append(b.emit(step.op, [parents[-1]], ARRAY, copy=True, **step.kwargs))
    value = new
    for step, parent in zip(reversed(view.steps), reversed(parents)):
        value = _write_back(b, step, parent, value)
    root.assign(value.value)
    target.set_cached(new.value)  # (journals the view's state before `seen` changes)
    view.seen = root.version


# Sources whose array the caller can see and the runtime can write back into.
WRITABLE_SOURCES = (Param, GlobalVar, ClosureVar, AttrOf, ItemOf, DefaultArg)


def can_write_back(root: Tensor) -> bool:
    """Whether an in-place write to `root` (an input array) can be committed to the caller's
    array: it was read from the call through a plain path (not a stack the host built)."""
    return type(root.source) in WRITABLE_SOURCES and root.kind == ARRAY


def refuse_unwritable(b: GraphBuilder, root: Tensor) -> None:
    """Refuse an in-place write to an input array the graph cannot write back to the caller's
    (a row of a list stacked on the host, a node of a tree); inputs read through a plain path
    are written back when the graph succeeds (frontend/effects.py)."""
    if not root.fresh and not can_write_back(root):
        raise Unconvertible(f"in-place write to {root.source or 'an input array'} (an array the "
                            "caller can see, read through a stack or schedule the host builds) "
                            "is not converted yet", b.where)


def _write_back(b: GraphBuilder, step: ViewStep, parent: Tensor, value: Tensor) -> Tensor:
    """The new contents of `parent` after its view `step` was replaced by `value`."""
    a = step.kwargs
    if step.op == "slice":
        return b.emit("slice_update", [parent, value], ARRAY, starts=a["starts"],
                      steps=a["steps"])
    if step.op == "transpose":
        inverse = tuple(int(i) for i in np.argsort(a["perm"]))
        return b.emit("transpose", [value], ARRAY, copy=True, perm=inverse)
    return b.emit("reshape", [value], ARRAY, copy=True, shape=step.in_shape)
