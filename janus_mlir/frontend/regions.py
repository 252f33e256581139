"""Regions of control-flow ops while they are converted: staging blocks, the heap journal,
and what a region changed.

The converter is a partial evaluator over mutable state (the name bindings of `env`, array roots
written in place, lists and dicts the function built). A region (a side of an `scf.if`, the body
of an `scf.for`) is converted into a staging block, with its outer state recorded on first
change, so that when the region is closed:

- its changes are known: names rebound, roots written (`Journal.written`);
- the outer state is restored, as if the region had not been converted; the construct then
  merges the regions' changes into results of the control-flow op (frontend/relaxed.py);
- its ops are moved into the real op's block once the op's result types are known
  (`Staged.move_into`): MLIR fixes an op's result types when it is created, and those are
  only known after every region has been converted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects.types import TensorSpec
from .builder import GraphBuilder
from .values import _SERIALS, JOURNALS, NP_SCALAR, PY_SCALAR, Tensor, is_tensor


class Journal:
    """The state of every tensor older than the region, saved at its first change inside it."""

    def __init__(self) -> None:
        self.start = next(_SERIALS)  # tensors with a smaller serial exist outside the region
        self.saved: dict[int, tuple[Tensor, ir.Value, int, int | None]] = {}

    def record(self, t: Tensor) -> None:
        if t.serial < self.start and id(t) not in self.saved:
            self.saved[id(t)] = (t, t._value, t.version, t.view.seen if t.view else None)

    def written(self) -> list[Tensor]:
        """Outer array roots written in place inside the region, in the order first written."""
        return [t for t, _, version, _ in self.saved.values() if t.version != version]

    def restore(self) -> None:
        for t, value, version, seen in self.saved.values():
            t._value, t.version = value, version
            if t.view is not None:
                t.view.seen = seen


class Staged:
    """A block being converted for a control-flow op not created yet (see the module doc)."""

    def __init__(self, b: GraphBuilder, arg_specs: Sequence[TensorSpec] = (),
                 index_arg: bool = False):
        self.b = b
        with b.context, b.location(), ir.InsertionPoint(b.block):
            self.holder = ir.Operation.create("janus.staging", regions=1, loc=b.location())
            types = ([ir.IndexType.get()] if index_arg else []) + [
                _type(s) for s in arg_specs]
            self.block = ir.Block.create_at_start(self.holder.regions[0], types)
        self.journal = Journal()

    def __enter__(self) -> Staged:
        JOURNALS.append(self.journal)
        self._into = self.b.into(self.block)
        self._into.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._into.__exit__(*exc)
        JOURNALS.remove(self.journal)
        if exc[0] is not None:
            self.journal.restore()

    @property
    def args(self) -> list[ir.Value]:
        return list(self.block.arguments)

    def move_into(self, block: ir.Block, terminator: ir.Operation) -> None:
        """Move the staged ops before `terminator` of `block`, the staged arguments replaced
        by `block`'s own."""
        for old, new in zip(self.block.arguments, block.arguments, strict=True):
            old.replace_all_uses_with(new)
        for op in list(self.block.operations):
            op.operation.move_before(terminator)

    def discard(self) -> None:
        self.holder.erase()


def _type(spec: TensorSpec) -> ir.Type:
    from ..dialects.types import tensor_type

    return tensor_type(spec.shape, spec.dtype)


# ---------------------------------------------------------------------------------------------
# What a region may change that is not a tensor: lists and dicts the function built
# ---------------------------------------------------------------------------------------------

def reachable(values: Any) -> list[Any]:
    """Every object reachable from `values` through tuples, lists and dicts (each once, the
    containers themselves included)."""
    out: list[Any] = []
    seen: set[int] = set()
    stack = list(values)
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        out.append(v)
        if type(v) in (list, tuple):
            stack.extend(v)
        elif type(v) is dict:
            stack.extend(v.values())
    return out


def containers(values: Any) -> list[tuple[Any, list[Any]]]:
    """Every list and dict reachable from `values`, with a shallow copy of its contents (a
    dict's as (key, value) pairs), to tell afterwards whether a region changed it."""
    return [(v, list(v.items()) if type(v) is dict else list(v))
            for v in reachable(values) if type(v) in (list, dict)]


def changed_container(snapshot: list[tuple[Any, list[Any]]]) -> Any | None:
    """The first container of `snapshot` whose contents changed since it was taken: another
    length, another object at a position, or (dicts) another key."""
    for obj, before in snapshot:
        now = list(obj.items()) if type(obj) is dict else list(obj)
        if len(now) != len(before):
            return obj
        if type(obj) is dict:
            if any(k1 != k2 or v1 is not v2 for (k1, v1), (k2, v2) in zip(now, before)):
                return obj
        elif any(a is not b for a, b in zip(now, before)):
            return obj
    return None


def tensors_reachable(values: Any) -> list[Tensor]:
    """Every tensor reachable from `values` through tuples, lists and dicts."""
    return [v for v in reachable(values) if is_tensor(v)]


# ---------------------------------------------------------------------------------------------
# Values known now that become run-time values at a merge
# ---------------------------------------------------------------------------------------------

def widenable(v: Any) -> bool:
    """A value known now that a graph value can stand for (a Python or NumPy number)."""
    return type(v) in (int, float, bool) or (isinstance(v, np.generic) and v.dtype.kind in "biuf")


def widen(b: GraphBuilder, v: Any, spec: TensorSpec | None = None,
          kind: str | None = None) -> Tensor:
    """`v` (a number known now) as a graph value of `spec`/`kind` (its own by default)."""
    if is_tensor(v):
        return v
    own_kind = NP_SCALAR if isinstance(v, np.generic) else PY_SCALAR
    arr = np.asarray(v)
    if type(v) is int:
        arr = np.asarray(v, np.int64)
    if spec is not None:
        arr = arr.astype(spec.dtype)
    return b.constant(arr, kind or own_kind)


def exact_in(v: Any, dtype: np.dtype) -> bool:
    """Whether number `v` converts to `dtype` without changing its value."""
    try:
        with np.errstate(all="ignore"):
            return bool(np.asarray(v).astype(dtype) == v)
    except (TypeError, ValueError, OverflowError):
        return False


class Unbound:
    """What a name holds after a construct that binds it on some paths only: reading it stops
    the conversion (its value depends on the path the graph takes)."""

    def __init__(self, name: str, why: str, carry: object = None):
        self.name = name
        self.why = why
        self.carry = carry  # the loop site that could carry it instead (errors.NeedsCarry)
