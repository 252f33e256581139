"""The entry guards of a graph that writes the caller's arrays and objects (frontend/effects.py).

A graph that writes an array back into the caller's memory relies on that array sharing no
memory with any other array it reads (or its reads would have seen the write), on it being
writeable, and on the objects it assigns attributes of being the same objects, or other ones,
as the objects it read. A Python scalar read as a constant that the call itself assigns anew
would fail its guard on the next call: the conversion makes it a run-time input at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..speculation.assumptions import Kind, overlaps
from ..speculation.sources import AttrOf, ItemOf, Source, Stacked, StackedField
from .container_writes import real
from .effects import Effects, SetAttr, SetItem, SetName
from .errors import Unconvertible
from .heap import WRITABLE_SOURCES
from .values import ARRAY, Tensor, is_tensor

if TYPE_CHECKING:
    from .builder import GraphBuilder
    from .lift import Lifter


def written_inputs(b: GraphBuilder) -> list[Tensor]:
    """The caller's arrays this conversion wrote in place, in the order they were read."""
    return [t for t in b.input_tensors() if t.kind == ARRAY and t.version > 0 and not t.fresh]


def guard_write_backs(b: GraphBuilder, lifter: Lifter) -> None:
    """The entry guards a graph that writes the caller's arrays or objects relies on; refuse
    (Unconvertible) a call in which they already do not hold."""
    written = written_inputs(b)
    if not written:
        return
    arrays = [t for t in b.input_tensors() if t.kind == ARRAY and not t.fresh]
    for t in written:
        target = t.source.get(lifter.frame)
        if not target.flags.writeable:
            raise Unconvertible(f"ValueError: {t.source} is read-only (assignment destination "
                                "is read-only)", b.where)
        for o in arrays:
            other = _read_from(b, o)
            if o is not t and overlaps(target, other.get(lifter.frame)):
                raise Unconvertible(f"{t.source} is written in place and shares memory with "
                                    f"{other}: this aliasing is not converted", b.where)
    # One guard for all of them: each call checks every pair at once (speculation/assumptions).
    lifter.entry(written[0].source, "disjoint",
                 (tuple(t.source for t in written),
                  tuple(_read_from(b, o) for o in arrays if o.version == 0 or o.fresh)))


def changed_constants(effects: Effects, lifter: Lifter) -> list[Source]:
    """Python scalars read as speculated constants that the call assigns another value (or a
    run-time one): the next call would see them change."""
    changed = []
    for e in effects.log:
        if isinstance(e, SetAttr):
            target: Source = AttrOf(e.obj.source, e.name)
        elif isinstance(e, SetItem):
            target = ItemOf(e.obj.source, e.key)
        elif isinstance(e, SetName):
            target = e.source
        else:
            continue
        guard = lifter.assumptions.get((Kind.VALUE, target))
        if guard is not None and (is_tensor(e.value) or type(e.value) is not type(
                guard.expected) or e.value != guard.expected):
            changed.append(target)
    return changed


def guard_object_identities(effects: Effects, lifter: Lifter) -> None:
    """Objects written are as identical to, or distinct from, every other object read."""
    objects = lifter.host_objects()
    for written in effects.written_objects.values():
        mine = real(written.raw)
        for other in objects:
            theirs = real(other.raw)
            if other.source != written.source and type(theirs) is type(mine):
                lifter.entry(written.source, "same", (other.source, theirs is mine))


def _read_from(b: GraphBuilder, t: Tensor) -> Source:
    """Where the caller's memory behind input `t` is read from: its source, or for a stack the
    host builds, the list it stacks."""
    if isinstance(t.source, WRITABLE_SOURCES):
        return t.source
    if isinstance(t.source, (Stacked, StackedField)):
        return t.source.base
    raise Unconvertible(f"writing the caller's arrays in a graph that also reads {t.source} is "
                        "not converted", b.where)
